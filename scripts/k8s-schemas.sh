#!/usr/bin/env bash
# Installs the offline Kubernetes schema checker the chart tests use: npm's kubernetes-models (the Kubernetes
# OpenAPI schemas with ajv validators) and its Prometheus Operator models, pinned, into a cache folder, plus
# scripts/lib/k8s-validate.mjs beside them. Idempotent: only npm's first run touches the network (the npm
# registry). Prints the folder; run `node <folder>/k8s-validate.mjs FILE.json` on a JSON array of objects.
#   PLUMBER_K8S_SCHEMAS   the folder (default ~/.cache/plumber/k8s-schemas)
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
dir=${PLUMBER_K8S_SCHEMAS:-${XDG_CACHE_HOME:-$HOME/.cache}/plumber/k8s-schemas}

fail() {
    echo "k8s-schemas: $*" >&2
    exit 1
}
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
    fail "node and npm are needed (Debian: apt-get install nodejs npm)"

# One place for the versions; a change here reinstalls.
manifest='{
  "name": "plumber-k8s-schemas",
  "private": true,
  "type": "module",
  "dependencies": {
    "kubernetes-models": "5.1.0",
    "@kubernetes-models/prometheus-operator": "6.0.0"
  }
}'

mkdir -p "$dir"
if [[ ! -d $dir/node_modules/kubernetes-models || $(cat "$dir/package.json" 2>/dev/null) != "$manifest" ]]; then
    printf '%s\n' "$manifest" >"$dir/package.json"
    log=$(mktemp "${TMPDIR:-/tmp}/plumber-k8s-schemas.XXXXXX")
    echo "k8s-schemas: installing kubernetes-models into $dir ..." >&2
    if ! (cd "$dir" && npm install --no-audit --no-fund --no-save --loglevel=error) >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        rm -f "$log" "$dir/package.json"
        fail "npm install failed (output above)"
    fi
    rm -f "$log"
fi
# The checker lives next to node_modules so that its imports resolve there.
cp "$root/scripts/lib/k8s-validate.mjs" "$dir/k8s-validate.mjs"
echo "$dir"
