#!/usr/bin/env bash
# Installs the Debian packages the integration tests run as real processes (etcd, c-icap, Squid, promtool), only those
# missing, then the chart tests' offline Kubernetes schema checker (scripts/k8s-schemas.sh: npm packages in a
# cache folder, which needs node and npm). Idempotent and quiet when everything is there. The tests start and stop
# these programs themselves on free ports, so installing must not leave the system services running (they would
# take 2379, 1344, 3128, 9090).
set -euo pipefail

# One list; chromium and chromium-driver run the console's browser tests (headless); prometheus brings promtool,
# which checks the chart's alert rules.
PLUMBER_TEST_PACKAGES="etcd-server etcd-client c-icap libc-icap-mod-contentfiltering squid-openssl openssl thrift-compiler chromium chromium-driver prometheus"
# The system services those packages register; stopped and disabled if installing them started any.
PLUMBER_TEST_SERVICES="etcd c-icap squid prometheus"

missing=()
for package in $PLUMBER_TEST_PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$package")
    fi
done
# Any node 18+ with its npm will do (e.g. NodeSource's, which bundles npm); Debian's only when there is none.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

k8s_schemas() {
    "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/k8s-schemas.sh" >/dev/null
}
if ((${#missing[@]} == 0)); then
    k8s_schemas
    exit 0
fi

fail() {
    echo "test-env: $*" >&2
    exit 1
}

command -v apt-get >/dev/null 2>&1 ||
    fail "missing packages ${missing[*]} and no apt-get here; install them by hand (Debian 12 names)"
if ((EUID == 0)); then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    fail "missing packages ${missing[*]}; run as root or install sudo: apt-get install ${missing[*]}"
fi

log=$(mktemp "${TMPDIR:-/tmp}/plumber-test-env.XXXXXX")
policy=/usr/sbin/policy-rc.d
own_policy=false
cleanup() {
    if $own_policy; then "${as_root[@]}" rm -f "$policy"; fi
    rm -f "$log"
}
trap cleanup EXIT

# Debian's maintainer scripts start a package's service through invoke-rc.d / deb-systemd-invoke, and both ask
# policy-rc.d first: exit code 101 means "do not start". Put one in place for the install unless one is there.
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# Installed by Plumber scripts/test-env.sh while installing test packages.\nexit 101\n' |
        "${as_root[@]}" tee "$policy" >/dev/null
    "${as_root[@]}" chmod 755 "$policy"
    own_policy=true
fi

echo "test-env: installing ${missing[*]} ..." >&2
# A fresh machine may be running its own daily apt job: wait for the dpkg lock instead of failing on it.
apt_get=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)
install() {
    "${apt_get[@]}" update </dev/null >>"$log" 2>&1 &&
        "${apt_get[@]}" install -y --no-install-recommends -o Dpkg::Options::=--force-confdef \
            -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null >>"$log" 2>&1
}
# One more try for a mirror that blinked.
if ! install && ! { sleep 5 && install; }; then
    tail -n 40 "$log" >&2
    fail "could not install ${missing[*]} (apt output above)"
fi

# A policy-rc.d that someone else placed may allow starts; and with systemd, installing enables the units for
# the next boot. The tests need none of these services.
for service in $PLUMBER_TEST_SERVICES; do
    if [[ -d /run/systemd/system ]]; then
        "${as_root[@]}" systemctl disable --now "$service" >/dev/null 2>&1 || true
    elif [[ -x /etc/init.d/$service ]]; then
        "${as_root[@]}" /etc/init.d/"$service" stop >/dev/null 2>&1 || true
    fi
done

for program in etcd etcdctl c-icap squid promtool node npm chromium chromedriver; do
    command -v "$program" >/dev/null 2>&1 || [[ -x /usr/bin/$program || -x /usr/sbin/$program ]] ||
        fail "installed ${missing[*]} but '$program' is still not there"
done

k8s_schemas
