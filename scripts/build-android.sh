#!/usr/bin/env bash
# Builds the SellerKit core for Android and generates the Kotlin bindings of :sellerkit.
#
#   scripts/build-android.sh [--profile release|debug] [--jni-libs DIR] [--kotlin-out DIR]
#
# - cross-compiles libsellerkit_ffi.so with cargo-ndk for armeabi-v7a (the bundled phone),
#   arm64-v8a and x86_64 (the emulator), API level 24, into DIR/<abi>/ (default
#   android/sellerkit/build/rustJniLibs), linked for 16 KB memory pages (required by Google
#   Play for Android 15+ devices; harmless on 4 KB ones) and checked for it;
# - generates the Android flavour of the Kotlin bindings from that library into --kotlin-out
#   (default android/sellerkit/build/generated/uniffi/kotlin).
# The :sellerkit Gradle module runs this before every build (task buildRustCore).
#
# Needs: rustup targets armv7-linux-androideabi aarch64-linux-android x86_64-linux-android,
# cargo-ndk (cargo install cargo-ndk --version 4.1.2 --locked), and the Android NDK (r27c)
# in ANDROID_NDK_HOME, or under ANDROID_HOME/ndk/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

die() {
    printf 'build-android: ERROR: %s\n' "$*" >&2
    exit 1
}
log() { printf '==> %s\n' "$*" >&2; }

PROFILE=release
JNI_LIBS="$ROOT/android/sellerkit/build/rustJniLibs"
KOTLIN_OUT="$ROOT/android/sellerkit/build/generated/uniffi/kotlin"
API_LEVEL=24
ABIS=(armeabi-v7a arm64-v8a x86_64)
TRIPLES=(armv7-linux-androideabi aarch64-linux-android x86_64-linux-android)
while [[ $# -gt 0 ]]; do
    case "$1" in
    --profile) PROFILE="${2:?--profile needs release or debug}"; shift 2 ;;
    --jni-libs) JNI_LIBS="${2:?--jni-libs needs a directory}"; shift 2 ;;
    --kotlin-out) KOTLIN_OUT="${2:?--kotlin-out needs a directory}"; shift 2 ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
done
case "$PROFILE" in
release) PROFILE_FLAG=(--release); PROFILE_DIR=release ;;
debug) PROFILE_FLAG=(); PROFILE_DIR=debug ;;
*) die "--profile must be release or debug, not '$PROFILE'" ;;
esac

# --- Tools -------------------------------------------------------------------------------
command -v cargo >/dev/null 2>&1 || die "cargo not found (install Rust with rustup: https://rustup.rs)"
cargo ndk --version >/dev/null 2>&1 ||
    die "cargo-ndk not found. Install it: cargo install cargo-ndk --version 4.1.2 --locked"
if command -v rustup >/dev/null 2>&1; then
    installed="$(rustup target list --installed)"
    for t in "${TRIPLES[@]}"; do
        grep -qx "$t" <<<"$installed" ||
            die "Rust target $t missing. Install: rustup target add ${TRIPLES[*]}"
    done
fi
if [[ -z "${ANDROID_NDK_HOME:-}" ]]; then
    sdk="${ANDROID_HOME:-${ANDROID_SDK_ROOT:-}}"
    if [[ -n "$sdk" && -d "$sdk/ndk" ]]; then
        # The newest NDK installed by the SDK manager.
        ANDROID_NDK_HOME="$(find "$sdk/ndk" -mindepth 1 -maxdepth 1 -type d | sort -V | tail -n1)"
    fi
fi
[[ -n "${ANDROID_NDK_HOME:-}" && -d "$ANDROID_NDK_HOME" ]] ||
    die "Android NDK not found. Install NDK 27.2.12479018 with the SDK manager (sdkmanager 'ndk;27.2.12479018') and set ANDROID_HOME or ANDROID_NDK_HOME"
export ANDROID_NDK_HOME

# --- Build -------------------------------------------------------------------------------
# 16 KB pages: every LOAD segment aligned to 16384. Set per Android target only, so host
# build scripts and proc macros are not affected (RUSTFLAGS would apply to them too).
PAGE_FLAGS="-C link-arg=-Wl,-z,max-page-size=16384"
for t in "${TRIPLES[@]}"; do
    var="CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$t")_RUSTFLAGS"
    export "$var=${!var:-} $PAGE_FLAGS"
done

target_args=()
for abi in "${ABIS[@]}"; do target_args+=(-t "$abi"); done
mkdir -p "$JNI_LIBS"
log "cargo ndk ${target_args[*]} --platform $API_LEVEL build -p sellerkit-ffi ($PROFILE)"
cargo ndk "${target_args[@]}" --platform "$API_LEVEL" -o "$JNI_LIBS" \
    build -p sellerkit-ffi --locked "${PROFILE_FLAG[@]}"

# --- Check the 16 KB alignment ----------------------------------------------------------
READELF="$(find "$ANDROID_NDK_HOME/toolchains/llvm/prebuilt" -name llvm-readelf -type f 2>/dev/null | head -n1)"
[[ -n "$READELF" ]] || READELF="$(command -v llvm-readelf || command -v readelf || true)"
[[ -n "$READELF" ]] || die "no readelf found to check the page alignment"
for abi in "${ABIS[@]}"; do
    so="$JNI_LIBS/$abi/libsellerkit_ffi.so"
    [[ -f "$so" ]] || die "cargo-ndk produced no $so"
    # Each LOAD line ends with its alignment (0x4000 = 16384 or larger is fine).
    aligns="$("$READELF" -lW "$so" | awk '$1 == "LOAD" { print $NF }')"
    [[ -n "$aligns" ]] || die "$READELF found no LOAD segments in $so"
    for align in $aligns; do
        (( align >= 16384 )) || die "$so has a LOAD segment aligned to $align bytes, not 16 KB"
    done
    log "$abi: $(du -h "$so" | cut -f1) libsellerkit_ffi.so, 16 KB-aligned"
done

# --- Kotlin bindings (Android flavour) from the arm64 library ---------------------------
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
"$ROOT/scripts/generate-bindings.sh" \
    --library "$TARGET_DIR/aarch64-linux-android/$PROFILE_DIR/libsellerkit_ffi.so" \
    --kotlin-android-dir "$KOTLIN_OUT"
