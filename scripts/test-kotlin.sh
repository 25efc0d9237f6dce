#!/usr/bin/env bash
# Generates the Kotlin (and Swift) bindings of sellerkit-ffi, compiles the plain-JVM flavour
# of the Kotlin bindings together with bindings/tests/kotlin/*.kt, and runs the Kotlin tests
# on the desktop JVM against the real debug build of libsellerkit_ffi through JNA. The
# SellerApp tests start the real dev server (target/debug/sellerkit-devserver) on 127.0.0.1.
#
# Needs: cargo, java (JDK 17+), npm (to fetch the Kotlin compiler once into .cache/), and
# Debian's libjna-java (installed automatically when running as root).
# Every missing tool or failed step stops the script with a non-zero exit; nothing is skipped.
#
# Usage: scripts/test-kotlin.sh          (from any directory)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'test-kotlin: ERROR: %s\n' "$*" >&2
    exit 1
}

command -v cargo >/dev/null 2>&1 || die "cargo not found (install Rust with rustup)"
# java, JNA (JNA_JAR, JNA_JNI_DIR), kotlinc (KOTLINC) and COROUTINES_JAR: shared with
# scripts/test-shells.sh.
# shellcheck source=scripts/lib/jvm-kotlin.sh
source "$ROOT/scripts/lib/jvm-kotlin.sh"
jvm_kotlin_setup

# --- Build the library and generate the bindings ----------------------------------------
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
[[ -n "$TARGET_DIR" ]] || die "could not read the target directory from cargo metadata"
# The version that core_version() must report: the workspace's, as cargo resolves it.
EXPECTED_VERSION="$(cargo pkgid -p sellerkit-core | sed 's/.*[#@]//')"
[[ "$EXPECTED_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] ||
    die "could not read sellerkit-core's version from cargo (got '$EXPECTED_VERSION')"

log "cargo build -p sellerkit-ffi -p sellerkit-devserver"
cargo build -p sellerkit-ffi -p sellerkit-devserver
LIB="$TARGET_DIR/debug/libsellerkit_ffi.so"
[[ -f "$LIB" ]] || die "$LIB was not built"
DEVSERVER="$TARGET_DIR/debug/sellerkit-devserver"
[[ -x "$DEVSERVER" ]] || die "$DEVSERVER was not built"
# The target directory may be shared with other worktrees' builds, which replace these files
# while the tests run: test private copies of what this worktree just built.
PRIVATE_BIN="$(mktemp -d)"
cp "$LIB" "$DEVSERVER" "$PRIVATE_BIN/"
LIB="$PRIVATE_BIN/libsellerkit_ffi.so"
DEVSERVER="$PRIVATE_BIN/sellerkit-devserver"

bindgen() { cargo run --quiet -p uniffi-bindgen -- "$@"; }

OUT="$PRIVATE_BIN/bindings"
CONFIG="$ROOT/uniffi.toml"
JVM_CONFIG="$PRIVATE_BIN/uniffi-jvm.toml"
# The plain JVM flavour: uniffi.toml with `android = false` in the Kotlin table.
sed -E 's/^([[:space:]]*android[[:space:]]*=[[:space:]]*)true/\1false/' "$CONFIG" >"$JVM_CONFIG"
grep -Eq '^[[:space:]]*android[[:space:]]*=[[:space:]]*false' "$JVM_CONFIG" ||
    die "could not derive the JVM config from uniffi.toml (no 'android = true' line?)"

generate() { # language config out-dir
    rm -rf "$3"
    log "generating $1 bindings into ${3#"$ROOT"/}"
    bindgen generate --no-format --library "$LIB" --language "$1" --config "$2" --out-dir "$3"
}
generate kotlin "$CONFIG" "$OUT/kotlin-android"
generate kotlin "$JVM_CONFIG" "$OUT/kotlin-jvm"
generate swift "$CONFIG" "$OUT/swift"

# uniffi ignores unknown or misplaced config silently: check that ours took effect.
KT_PATH="com/sellerkit/core/sellerkit_ffi.kt"
for flavour in kotlin-android kotlin-jvm; do
    f="$OUT/$flavour/$KT_PATH"
    [[ -f "$f" ]] || die "$flavour: expected $f (is uniffi.toml's package_name applied?); got: $(cd "$OUT/$flavour" && find . -name '*.kt')"
    grep -q '^package com\.sellerkit\.core$' "$f" || die "$flavour: $f is not in package com.sellerkit.core"
    if grep -q 'uniffiCheckApiChecksums' "$f"; then
        die "$flavour: checksums are not omitted (omit_checksums not applied)"
    fi
done
# `android = true` changes the cleaner that objects (SellerApp, CancelHandle) use: the
# Android flavour must have the Android cleaner, the JVM flavour must not.
grep -q 'UniffiCleaner' "$OUT/kotlin-jvm/$KT_PATH" ||
    die "kotlin-jvm: no UniffiCleaner (are objects still exported?)"
grep -q 'class SellerApp' "$OUT/kotlin-android/$KT_PATH" ||
    die "kotlin-android: no SellerApp class"
grep -q 'RequiresApi' "$OUT/kotlin-android/$KT_PATH" ||
    die "kotlin-android: no Android cleaner (is android = true applied?)"
if grep -q 'RequiresApi' "$OUT/kotlin-jvm/$KT_PATH"; then
    die "kotlin-jvm: Android-specific code in the JVM flavour"
fi
[[ -f "$OUT/swift/SellerKitCore.swift" ]] ||
    die "swift: expected SellerKitCore.swift (is module_name applied?); got: $(ls "$OUT/swift")"
if grep -q 'if (uniffi_sellerkit_ffi_checksum_' "$OUT/swift/SellerKitCore.swift"; then
    die "swift: checksums are not omitted (omit_checksums not applied)"
fi

# --- Compile and run the Kotlin tests ---------------------------------------------------
TESTS=("$ROOT"/bindings/tests/kotlin/*.kt)
[[ -f "${TESTS[0]}" ]] || die "no Kotlin tests in bindings/tests/kotlin"
JAR="$PRIVATE_BIN/sellerkit-ffi-tests.jar"
mkdir -p "$(dirname "$JAR")"
rm -f "$JAR"
log "compiling the JVM bindings and ${#TESTS[@]} test file(s) with kotlinc $KOTLIN_COMPILER_VERSION"
"$KOTLINC" -nowarn -jvm-target 17 -include-runtime \
    -classpath "$JNA_JAR:$COROUTINES_JAR" \
    -d "$JAR" "$OUT/kotlin-jvm/$KT_PATH" "${TESTS[@]}"
[[ -f "$JAR" ]] || die "kotlinc produced no $JAR"

log "running the Kotlin tests on the JVM"
java -Djna.library.path="$PRIVATE_BIN" \
    -Djna.boot.library.path="$JNA_JNI_DIR" \
    -Dsellerkit.expectedVersion="$EXPECTED_VERSION" \
    -Dsellerkit.devserver="$DEVSERVER" \
    -cp "$JAR:$JNA_JAR:$COROUTINES_JAR" \
    com.sellerkit.core.tests.ChecksKt
