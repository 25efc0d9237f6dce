#!/usr/bin/env bash
# Builds ios/build/SellerKitFFI.xcframework, the binary target of the SellerKit Swift package.
#
#   scripts/build-ios.sh [--profile release|debug]
#
# On a Mac with Xcode: builds the static library libsellerkit_ffi.a for
#   aarch64-apple-ios       (iPhones)
#   aarch64-apple-ios-sim   (the simulator on Apple silicon)
#   x86_64-apple-ios        (the simulator on Intel Macs)
# joins the two simulator slices with lipo, and wraps device + simulator with
# `xcodebuild -create-xcframework`, each with the committed C header and module map
# (ios/FFI/include; regenerate them with scripts/generate-bindings.sh). Then checks that the
# committed Swift matches this build's library.
#
# Needs: macOS, Xcode (xcodebuild, lipo), rustup targets
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

die() {
    printf 'build-ios: ERROR: %s\n' "$*" >&2
    exit 1
}
log() { printf '==> %s\n' "$*" >&2; }

PROFILE=release
while [[ $# -gt 0 ]]; do
    case "$1" in
    --profile) PROFILE="${2:?--profile needs release or debug}"; shift 2 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
done
case "$PROFILE" in
release) PROFILE_FLAG=(--release) ;;
debug) PROFILE_FLAG=() ;;
*) die "--profile must be release or debug, not '$PROFILE'" ;;
esac

[[ "$(uname -s)" == Darwin ]] || die "the XCFramework can only be built on macOS with Xcode"
command -v xcodebuild >/dev/null 2>&1 || die "xcodebuild not found: install Xcode and run xcode-select --install"
command -v lipo >/dev/null 2>&1 || die "lipo not found: install the Xcode command line tools"
command -v cargo >/dev/null 2>&1 || die "cargo not found (install Rust with rustup: https://rustup.rs)"
TRIPLES=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
installed="$(rustup target list --installed)"
for t in "${TRIPLES[@]}"; do
    grep -qx "$t" <<<"$installed" || die "Rust target $t missing. Install: rustup target add ${TRIPLES[*]}"
done

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
HEADERS="$ROOT/ios/FFI/include"
[[ -f "$HEADERS/SellerKitCoreFFI.h" && -f "$HEADERS/module.modulemap" ]] ||
    die "$HEADERS lacks the generated header or module map: run scripts/generate-bindings.sh"

# iOS 15 is the app's minimum (BGTaskScheduler needs 13, Logger 14).
export IPHONEOS_DEPLOYMENT_TARGET=15.0
for t in "${TRIPLES[@]}"; do
    log "cargo build -p sellerkit-ffi --target $t ($PROFILE)"
    cargo build -p sellerkit-ffi --locked --target "$t" "${PROFILE_FLAG[@]}"
done

lib() { echo "$TARGET_DIR/$1/$PROFILE/libsellerkit_ffi.a"; }
SIM_DIR="$TARGET_DIR/ios-simulator-universal/$PROFILE"
mkdir -p "$SIM_DIR"
log "lipo: one simulator library for arm64 and x86_64"
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$SIM_DIR/libsellerkit_ffi.a"

OUT="$ROOT/ios/build/SellerKitFFI.xcframework"
rm -rf "$OUT"
log "xcodebuild -create-xcframework -> ${OUT#"$ROOT"/}"
xcodebuild -create-xcframework \
    -library "$(lib aarch64-apple-ios)" -headers "$HEADERS" \
    -library "$SIM_DIR/libsellerkit_ffi.a" -headers "$HEADERS" \
    -output "$OUT"

# The committed Swift must describe exactly this library; a stale copy would crash at run
# time on a missing or changed symbol.
check="$(mktemp -d)"
"$ROOT/scripts/generate-bindings.sh" --library "$(lib aarch64-apple-ios)" --swift-dir "$check"
for pair in "SellerKitCore.swift:ios/Sources/SellerKitCore/SellerKitCore.swift" \
    "SellerKitCoreFFI.h:ios/FFI/include/SellerKitCoreFFI.h" \
    "module.modulemap:ios/FFI/include/module.modulemap"; do
    cmp -s "$check/${pair%%:*}" "$ROOT/${pair#*:}" ||
        die "${pair#*:} is out of date for this library: run scripts/generate-bindings.sh and commit"
done
rm -rf "$check"
log "done: open ios/App with XcodeGen (see docs/app-developers.md)"
