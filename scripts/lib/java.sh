# shellcheck shell=bash
# Sourced by ./plumber and scripts/test: picks a JDK 21 or newer and exports JAVA_HOME (and its feature version
# as PLUMBER_JAVA_VERSION).
#
#   source scripts/lib/java.sh && plumber_use_jdk || exit 1
#
# Order: $JAVA_HOME if it is 21+, else the newest 21+ JDK under /usr/lib/jvm, else `java` on PATH if 21+.
# With a JDK 24+ it also adds --sun-misc-unsafe-memory-access=allow to MAVEN_OPTS: Maven's own libraries
# (Guice, Guava) use sun.misc.Unsafe and JDK 24+ warns about it on every run; JDK 21 rejects the flag.

PLUMBER_MIN_JAVA=21

# Prints the feature version (17, 21, 25, ...) of the JDK at $1, or nothing if it is not a JDK.
plumber_jdk_version() {
    local home=$1 version=''
    [[ -x $home/bin/java && -x $home/bin/javac ]] || return 1
    if [[ -r $home/release ]]; then
        version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
    fi
    if [[ -z $version ]]; then
        version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 |
            sed -n 's/^ *java\.specification\.version = //p')
    fi
    version=${version#1.} # 1.8 -> 8
    version=${version%%[.+-]*}
    [[ $version =~ ^[0-9]+$ ]] || return 1
    echo "$version"
}

plumber_use_jdk() {
    local chosen='' chosen_version=0 home version
    if [[ -n ${JAVA_HOME:-} ]] && version=$(plumber_jdk_version "$JAVA_HOME") &&
        ((version >= PLUMBER_MIN_JAVA)); then
        chosen=$JAVA_HOME chosen_version=$version
    fi
    if [[ -z $chosen ]]; then
        for home in "${PLUMBER_JVM_DIR:-/usr/lib/jvm}"/*/; do
            home=${home%/}
            [[ -L $home ]] && continue # Debian's java-1.x aliases point at the same JDKs
            version=$(plumber_jdk_version "$home") || continue
            if ((version >= PLUMBER_MIN_JAVA && version > chosen_version)); then
                chosen=$home chosen_version=$version
            fi
        done
    fi
    if [[ -z $chosen ]] && command -v java >/dev/null 2>&1; then
        home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
        if version=$(plumber_jdk_version "$home") && ((version >= PLUMBER_MIN_JAVA)); then
            chosen=$home chosen_version=$version
        fi
    fi
    if [[ -z $chosen ]]; then
        echo "plumber: no JDK ${PLUMBER_MIN_JAVA}+ found (JAVA_HOME, /usr/lib/jvm, PATH); install one, e.g. 'apt-get install openjdk-21-jdk-headless' or a Temurin 21+ JDK, or set JAVA_HOME" >&2
        return 1
    fi
    export JAVA_HOME=$chosen
    export PLUMBER_JAVA_VERSION=$chosen_version
    export PATH="$JAVA_HOME/bin:$PATH"
    if ((chosen_version >= 24)) && [[ ${MAVEN_OPTS:-} != *--sun-misc-unsafe-memory-access* ]]; then
        export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
    fi
}
