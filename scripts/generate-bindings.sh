#!/usr/bin/env bash
# Generates the shells' bindings of sellerkit-ffi with the workspace's uniffi-bindgen and the
# repository's uniffi.toml. Generated files are never edited by hand: change the Rust facade
# (bindings/src) and run this again.
#
#   scripts/generate-bindings.sh
#       builds the debug libsellerkit_ffi and regenerates the committed Swift of the iOS shell:
#         ios/Sources/SellerKitCore/SellerKitCore.swift   (the Swift API)
#         ios/FFI/include/SellerKitCoreFFI.h               (the C header of the XCFramework)
#         ios/FFI/include/module.modulemap                 (its clang module, SellerKitCoreFFI)
#   scripts/generate-bindings.sh [--library LIB] [--swift-dir DIR]
#       [--kotlin-android-dir DIR] [--kotlin-jvm-dir DIR]
#       writes only the flavours asked for, from LIB (default: the debug build, built first).
#       --swift-dir puts the three Swift files flat into DIR (scripts/test-shells.sh compares
#       them with the committed copies).
#
# The library can be of any target (e.g. the arm64 Android build): uniffi reads the metadata
# that the facade's macros put into it, not code for the host CPU.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

die() {
    printf 'generate-bindings: ERROR: %s\n' "$*" >&2
    exit 1
}
log() { printf '==> %s\n' "$*" >&2; }

LIB=""
SWIFT_DIR=""
KOTLIN_ANDROID_DIR=""
KOTLIN_JVM_DIR=""
DEFAULT_OUTPUTS=1
while [[ $# -gt 0 ]]; do
    case "$1" in
    --library) LIB="${2:?--library needs a path}"; shift 2 ;;
    --swift-dir) SWIFT_DIR="${2:?--swift-dir needs a directory}"; DEFAULT_OUTPUTS=0; shift 2 ;;
    --kotlin-android-dir) KOTLIN_ANDROID_DIR="${2:?--kotlin-android-dir needs a directory}"; DEFAULT_OUTPUTS=0; shift 2 ;;
    --kotlin-jvm-dir) KOTLIN_JVM_DIR="${2:?--kotlin-jvm-dir needs a directory}"; DEFAULT_OUTPUTS=0; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
done

command -v cargo >/dev/null 2>&1 || die "cargo not found (install Rust with rustup: https://rustup.rs)"

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
[[ -n "$TARGET_DIR" ]] || die "could not read the target directory from cargo metadata"

if [[ -z "$LIB" ]]; then
    log "cargo build -p sellerkit-ffi"
    cargo build --quiet -p sellerkit-ffi
    case "$(uname -s)" in
    Darwin) LIB="$TARGET_DIR/debug/libsellerkit_ffi.dylib" ;;
    *) LIB="$TARGET_DIR/debug/libsellerkit_ffi.so" ;;
    esac
fi
[[ -f "$LIB" ]] || die "library $LIB not found"

bindgen() { cargo run --quiet -p uniffi-bindgen -- "$@"; }
CONFIG="$ROOT/uniffi.toml"
KT_PATH="com/sellerkit/core/sellerkit_ffi.kt"

# --no-format: the output must not depend on which formatters a machine has, so that the
# committed Swift can be compared byte for byte.
generate() { # language config out-dir
    bindgen generate --no-format --library "$LIB" --language "$1" --config "$2" --out-dir "$3"
}

kotlin() { # config out-dir flavour
    local tmp
    tmp="$(mktemp -d)"
    generate kotlin "$1" "$tmp"
    [[ -f "$tmp/$KT_PATH" ]] ||
        die "kotlin: expected $KT_PATH (is uniffi.toml's package_name applied?); got: $(cd "$tmp" && find . -type f)"
    rm -rf "$2"
    mkdir -p "$(dirname "$2")"
    mv "$tmp" "$2"
    log "Kotlin ($3) bindings in ${2#"$ROOT"/}"
}

swift() { # swift-file header modulemap
    local tmp
    tmp="$(mktemp -d)"
    generate swift "$CONFIG" "$tmp"
    for f in SellerKitCore.swift SellerKitCoreFFI.h SellerKitCoreFFI.modulemap; do
        [[ -f "$tmp/$f" ]] || die "swift: expected $f (is uniffi.toml's module_name applied?); got: $(ls "$tmp")"
    done
    mkdir -p "$(dirname "$1")" "$(dirname "$2")" "$(dirname "$3")"
    cp "$tmp/SellerKitCore.swift" "$1"
    cp "$tmp/SellerKitCoreFFI.h" "$2"
    # Inside an XCFramework's Headers the module map must be called module.modulemap.
    cp "$tmp/SellerKitCoreFFI.modulemap" "$3"
    rm -rf "$tmp"
    log "Swift bindings: ${1#"$ROOT"/}, ${2#"$ROOT"/}, ${3#"$ROOT"/}"
}

if [[ "$DEFAULT_OUTPUTS" == 1 ]]; then
    swift "$ROOT/ios/Sources/SellerKitCore/SellerKitCore.swift" \
        "$ROOT/ios/FFI/include/SellerKitCoreFFI.h" "$ROOT/ios/FFI/include/module.modulemap"
    exit 0
fi
if [[ -n "$SWIFT_DIR" ]]; then
    swift "$SWIFT_DIR/SellerKitCore.swift" "$SWIFT_DIR/SellerKitCoreFFI.h" "$SWIFT_DIR/module.modulemap"
fi
if [[ -n "$KOTLIN_ANDROID_DIR" ]]; then
    kotlin "$CONFIG" "$KOTLIN_ANDROID_DIR" android
fi
if [[ -n "$KOTLIN_JVM_DIR" ]]; then
    # The plain JVM flavour: uniffi.toml with `android = false` (the Android cleaner and
    # @RequiresApi do not compile on a desktop JVM).
    jvm_config="$(mktemp)"
    sed -E 's/^([[:space:]]*android[[:space:]]*=[[:space:]]*)true/\1false/' "$CONFIG" >"$jvm_config"
    grep -Eq '^[[:space:]]*android[[:space:]]*=[[:space:]]*false' "$jvm_config" ||
        die "could not derive the JVM config from uniffi.toml (no 'android = true' line?)"
    kotlin "$jvm_config" "$KOTLIN_JVM_DIR" jvm
    rm -f "$jvm_config"
fi
