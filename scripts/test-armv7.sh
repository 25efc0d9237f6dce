#!/usr/bin/env bash
# 32-bit ARM, the bundled phone's CPU (armv7, hard-float):
#
#   scripts/test-armv7.sh          # both parts below
#   scripts/test-armv7.sh tests    # 1 only
#   scripts/test-armv7.sh size     # 2 only
#
# 1. cross-compiles sellerkit-core's test suite (unit, property and doc tests) for
#    armv7-unknown-linux-gnueabihf and runs it under qemu-arm: the proof that the core makes no
#    64-bit assumption (usize is 32 bits there);
# 2. builds the release shared library of sellerkit-ffi for armv7 and for the host, strips both
#    and prints their sizes; fails when the armv7 one is over the goal (8 MB = 8,000,000 bytes).
#
# Linker, C compiler and runner are set in .cargo/config.toml. Needs, on Debian:
#   apt-get install gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user
#   rustup target add armv7-unknown-linux-gnueabihf
# Anything missing stops the run with that hint; nothing is skipped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TARGET=armv7-unknown-linux-gnueabihf
SYSROOT=/usr/arm-linux-gnueabihf
SIZE_GOAL_BYTES=8000000

die() {
    printf 'test-armv7: ERROR: %s\n' "$*" >&2
    exit 1
}
log() { printf 'test-armv7: %s\n' "$*" >&2; }

part="${1:-all}"
case "$part" in
all | tests | size) ;;
*) die "unknown part '$part' (expected: tests, size, or nothing for both)" ;;
esac

# --- What this needs, with the hint to install it ----------------------------------------
APT_HINT="apt-get install gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user"
command -v cargo >/dev/null 2>&1 || die "cargo not found. Install Rust: https://rustup.rs"
command -v rustc >/dev/null 2>&1 || die "rustc not found. Install Rust: https://rustup.rs"
sysroot="$(rustc --print sysroot)"
[[ -d "$sysroot/lib/rustlib/$TARGET/lib" ]] ||
    die "the Rust standard library for $TARGET is not installed. Run: rustup target add $TARGET"
command -v arm-linux-gnueabihf-gcc >/dev/null 2>&1 ||
    die "arm-linux-gnueabihf-gcc not found (linker and C compiler for $TARGET). Run: $APT_HINT"
[[ -f "$SYSROOT/include/stdio.h" && -f "$SYSROOT/lib/crt1.o" ]] ||
    die "the armhf C library headers are missing from $SYSROOT. Run: $APT_HINT"
[[ -e "$SYSROOT/lib/ld-linux-armhf.so.3" ]] ||
    die "the armhf dynamic loader $SYSROOT/lib/ld-linux-armhf.so.3 is missing. Run: $APT_HINT"
if [[ "$part" != size ]]; then
    command -v qemu-arm >/dev/null 2>&1 ||
        die "qemu-arm not found (runs the armv7 tests on this machine). Run: $APT_HINT"
fi
if [[ "$part" != tests ]]; then
    command -v arm-linux-gnueabihf-strip >/dev/null 2>&1 ||
        die "arm-linux-gnueabihf-strip not found. Run: $APT_HINT"
    command -v strip >/dev/null 2>&1 || die "strip not found. Run: apt-get install binutils"
fi

# --- 1. The core's suite under qemu-arm ------------------------------------------------------
if [[ "$part" != size ]]; then
    # Property tests keep proptest's 256 cases: the whole suite runs in seconds under qemu.
    log "cargo test -p sellerkit-core --target $TARGET (under qemu-arm)"
    started=$SECONDS
    cargo test --locked -p sellerkit-core --target "$TARGET"
    log "armv7 core suite passed in $((SECONDS - started)) s (build + run)"
fi

# --- 2. The shipped library's size -----------------------------------------------------------
if [[ "$part" != tests ]]; then
    host="$(rustc -vV | sed -n 's/^host: //p')"
    [[ -n "$host" ]] || die "could not read the host triple from rustc -vV"
    target_dir="$(cargo metadata --format-version 1 --no-deps |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
    [[ -n "$target_dir" ]] || die "could not read the target directory from cargo metadata"
    out="$target_dir/lib-size"
    mkdir -p "$out/$TARGET" "$out/$host"

    started=$SECONDS
    log "cargo build --release -p sellerkit-ffi --lib --target $TARGET"
    cargo build --locked --release -p sellerkit-ffi --lib --target "$TARGET"
    log "cargo build --release -p sellerkit-ffi --lib (host: $host)"
    cargo build --locked --release -p sellerkit-ffi --lib
    log "release libraries built in $((SECONDS - started)) s"

    # Strip copies: cargo's own outputs stay as built.
    cp "$target_dir/$TARGET/release/libsellerkit_ffi.so" "$out/$TARGET/"
    arm-linux-gnueabihf-strip "$out/$TARGET/libsellerkit_ffi.so"
    cp "$target_dir/release/libsellerkit_ffi.so" "$out/$host/"
    strip "$out/$host/libsellerkit_ffi.so"

    arm_bytes="$(stat -c %s "$out/$TARGET/libsellerkit_ffi.so")"
    host_bytes="$(stat -c %s "$out/$host/libsellerkit_ffi.so")"
    # The file must really be a 32-bit ARM library, or the figure means nothing.
    header="$(od -An -t x1 -j 4 -N 1 "$out/$TARGET/libsellerkit_ffi.so" | tr -d ' ')"
    machine="$(od -An -t x1 -j 18 -N 1 "$out/$TARGET/libsellerkit_ffi.so" | tr -d ' ')"
    [[ "$header" == 01 && "$machine" == 28 ]] ||
        die "$out/$TARGET/libsellerkit_ffi.so is not a 32-bit ARM ELF file (class $header, machine $machine)"

    mb() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1000000 }'; }
    {
        printf '\nlibsellerkit_ffi.so, release, stripped (goal for armv7: <= %s MB)\n' "$(mb "$SIZE_GOAL_BYTES")"
        printf '  %-32s %12s %9s\n' target bytes MB
        printf '  %-32s %12s %9s\n' "$TARGET" "$arm_bytes" "$(mb "$arm_bytes")"
        printf '  %-32s %12s %9s\n' "$host" "$host_bytes" "$(mb "$host_bytes")"
        printf '\n'
    } >&2
    ((arm_bytes <= SIZE_GOAL_BYTES)) ||
        die "the armv7 library is $arm_bytes bytes, over the goal of $SIZE_GOAL_BYTES"
fi

log "done"
