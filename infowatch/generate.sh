#!/usr/bin/env bash
# Regenerates the push-API Java code (package dev.plumber.infowatch.thrift) from pushapi.thrift and records the
# IDL's hash beside it. Needs the Thrift compiler of the libthrift release in pom.xml (Debian: thrift-compiler).
# With a directory argument it generates there instead (PushApiIdlTest does, to compare with the committed code).
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-src/main/java}
out=$root/dev/plumber/infowatch/thrift
rm -rf "$out"
mkdir -p "$root"
thrift --gen java:generated_annotations=suppress,unsafe_binaries -out "$root" infowatch/pushapi.thrift
# Two edits so that the build's lint (all warnings are errors) passes on generated code: each file opens with a doc
# comment before `package` (a "dangling" doc comment) — made a plain comment; constructors call overridable setters
# ("this-escape") — added to the warnings the compiler already suppresses.
sed -i -e '1s|^/\*\*$|/*|' \
    -e 's|@SuppressWarnings({"cast", "rawtypes", "serial", "unchecked", "unused"})|@SuppressWarnings({"cast", "rawtypes", "serial", "unchecked", "unused", "this-escape"})|' \
    "$out"/*.java
if (($# == 0)); then
    sha256sum infowatch/pushapi.thrift >infowatch/pushapi.thrift.sha256
    echo "generated $(ls "$out" | wc -l) files into $out"
fi
