#!/usr/bin/env bash
# scripts/bench ab REV [--pairs N] [BENCHMARK OPTIONS...]: this working tree's build against REV's, in runs of the
# end-to-end benchmark alternating between the two (this, REV; then REV, this; …), so that the machine's slow and fast
# spells fall on both; then a table of both builds' figures side by side. REV's tree is exported (git archive) to
# target/bench/ab/<commit>/ and runs its own scripts/bench, so that each build is measured by its own benchmark.
#
#   scripts/bench ab HEAD~1 --mix small --events 50000
#   scripts/bench ab v1.2 --pairs 3 --mix small,files100k
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."

usage() {
    sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
    exit 2
}

(($# >= 1)) || usage
[[ $1 == --help ]] && usage
rev=$1
shift
pairs=2
options=()
while (($#)); do
    case $1 in
        --pairs)
            [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage
            pairs=$2
            shift 2
            ;;
        *)
            options+=("$1")
            shift
            ;;
    esac
done

commit=$(git rev-parse --verify --quiet "$rev^{commit}") || {
    echo "bench ab: '$rev' is not a commit of this repository" >&2
    exit 2
}
other=target/bench/ab/${commit:0:12}
if [[ ! -x $other/scripts/bench ]]; then
    rm -rf "$other"
    mkdir -p "$other"
    git archive "$commit" | tar -x -C "$other"
fi

# One run of one build; prints the path of the JSON it wrote.
run() {
    local dir=$1 log
    log=$(mktemp)
    (cd "$dir" && scripts/bench "${options[@]}") | tee "$log" >&2
    local json
    json=$(sed -n 's/^written \(.*\.json\)$/\1/p' "$log" | tail -1)
    rm -f "$log"
    [[ -n $json ]] || {
        echo "bench ab: the run in $dir wrote no JSON" >&2
        exit 1
    }
    echo "$json"
}

this="this tree ($(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo ', changed'))"
that="$rev (${commit:0:7})"
[[ $commit == "$rev"* ]] && that=${commit:0:7}
results=()
for ((pair = 1; pair <= pairs; pair++)); do
    if ((pair % 2 == 1)); then
        results+=("$this=$(run .)" "$that=$(run "$other")")
    else
        results+=("$that=$(run "$other")" "$this=$(run .)")
    fi
done
exec scripts/bench compare "${results[@]}"
