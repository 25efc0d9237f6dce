# shellcheck shell=bash disable=SC2034  # sets variables for the sourcing script
# Sourced, not run: the desktop-JVM Kotlin toolchain of the test scripts.
#
#   source scripts/lib/jvm-kotlin.sh; jvm_kotlin_setup
#
# Sets KOTLINC (npm package kotlin-compiler, cached in .cache/), COROUTINES_JAR (shipped with
# it), JNA_JAR and JNA_JNI_DIR (Debian's libjna-java and libjna-jni, installed when running as
# root). Needs ROOT (the repository) and a `die` function. Every missing tool stops the run
# with an install hint; nothing is skipped.

KOTLIN_COMPILER_VERSION="${KOTLIN_COMPILER_VERSION:-2.4.20}"

jvm_kotlin_setup() {
    command -v java >/dev/null 2>&1 ||
        die "java not found. Install a JDK, e.g.: apt-get install openjdk-17-jdk-headless"

    # JNA (Debian's libjna-java; its native part lives in Debian's jni folder).
    JNA_JAR=/usr/share/java/jna.jar
    if [[ ! -f "$JNA_JAR" ]]; then
        if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
            printf '==> installing libjna-java\n' >&2
            if ! DEBIAN_FRONTEND=noninteractive apt-get install -y libjna-java; then
                DEBIAN_FRONTEND=noninteractive apt-get update
                DEBIAN_FRONTEND=noninteractive apt-get install -y libjna-java
            fi
        fi
        [[ -f "$JNA_JAR" ]] || die "JNA not found at $JNA_JAR. Install it: apt-get install libjna-java"
    fi
    local dispatch
    dispatch="$( (dpkg -L libjna-jni 2>/dev/null || true) | grep -E '/libjnidispatch[^/]*\.so$' | head -n1)"
    if [[ -z "$dispatch" ]]; then
        dispatch="$(find /usr/lib -path '*/jni/libjnidispatch*.so' 2>/dev/null | head -n1 || true)"
    fi
    [[ -n "$dispatch" && -f "$dispatch" ]] ||
        die "JNA's native library (libjnidispatch) not found. Install it: apt-get install libjna-java libjna-jni"
    JNA_JNI_DIR="$(dirname "$dispatch")"

    # The Kotlin compiler.
    local cache="$ROOT/.cache/kotlin-compiler"
    local home="$cache/node_modules/kotlin-compiler"
    KOTLINC="$home/bin/kotlinc"
    local installed
    installed="$( (sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$home/package.json" 2>/dev/null || true) | head -n1)"
    if [[ ! -f "$KOTLINC" || "$installed" != "$KOTLIN_COMPILER_VERSION" ]]; then
        command -v npm >/dev/null 2>&1 ||
            die "npm not found (needed to fetch the Kotlin compiler). Install it: apt-get install npm"
        printf '==> installing kotlin-compiler@%s into .cache/kotlin-compiler\n' "$KOTLIN_COMPILER_VERSION" >&2
        mkdir -p "$cache"
        npm install --prefix "$cache" --save-exact --no-audit --no-fund \
            "kotlin-compiler@$KOTLIN_COMPILER_VERSION" >&2
        installed="$( (sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$home/package.json" 2>/dev/null || true) | head -n1)"
    fi
    [[ -f "$KOTLINC" ]] || die "kotlinc not found at $KOTLINC after npm install"
    [[ "$installed" == "$KOTLIN_COMPILER_VERSION" ]] ||
        die "expected kotlin-compiler $KOTLIN_COMPILER_VERSION in $home, found '$installed'"
    COROUTINES_JAR="$home/lib/kotlinx-coroutines-core-jvm.jar"
    [[ -f "$COROUTINES_JAR" ]] || die "kotlinx-coroutines-core-jvm.jar not found in $home/lib"
}
