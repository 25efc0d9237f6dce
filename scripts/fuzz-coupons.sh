#!/usr/bin/env bash
# Fuzzes the coupon decoder (fuzz/fuzz_targets/coupon_decode.rs) for a bounded time.
#
#   scripts/fuzz-coupons.sh [SECONDS]     (default 60)
#
# Uses cargo-fuzz (libFuzzer). cargo-fuzz needs nightly compiler flags; the stable
# toolchain accepts them with RUSTC_BOOTSTRAP=1, set here for this build only. Installs the
# pinned cargo-fuzz if it is missing. Starts from the committed seed corpus
# (fuzz/seeds/coupon_decode, valid coupons and near misses) and leaves what it finds in
# target/fuzz-corpus/; a crash fails the run and its input is in fuzz/artifacts/.
set -euo pipefail

SECONDS_TO_RUN="${1:-60}"
CARGO_FUZZ_VERSION="0.13.2"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

die() {
    printf 'fuzz-coupons: ERROR: %s\n' "$*" >&2
    exit 1
}

[[ "$SECONDS_TO_RUN" =~ ^[0-9]+$ && "$SECONDS_TO_RUN" -gt 0 ]] ||
    die "SECONDS must be a positive whole number, got '$SECONDS_TO_RUN'"
command -v cargo >/dev/null 2>&1 || die "cargo not found. Install Rust: https://rustup.rs"

if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
    printf 'fuzz-coupons: installing cargo-fuzz %s\n' "$CARGO_FUZZ_VERSION" >&2
    cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION" ||
        die "could not install cargo-fuzz; run: cargo install cargo-fuzz --locked --version $CARGO_FUZZ_VERSION"
fi

# libFuzzer's runtime is C++ built by the libfuzzer-sys crate.
command -v c++ >/dev/null 2>&1 || die "no C++ compiler for libFuzzer; run: apt-get install -y g++"

export RUSTC_BOOTSTRAP=1
# The core has no unsafe code of its own: coverage-guided search without AddressSanitizer
# finds panics and hangs and builds much faster. Debug assertions stay on (overflow checks).
FUZZ_FLAGS=(--sanitizer none --debug-assertions)

started=$(date +%s)
cargo fuzz build "${FUZZ_FLAGS[@]}" coupon_decode
built=$(date +%s)

CORPUS="target/fuzz-corpus/coupon_decode"
mkdir -p "$CORPUS"
# -max_len covers the 4096-character text limit plus a little; -timeout flags a slow input
# (the decoder is bounded, so anything near a second is a bug).
cargo fuzz run "${FUZZ_FLAGS[@]}" coupon_decode "$CORPUS" fuzz/seeds/coupon_decode -- \
    -max_total_time="$SECONDS_TO_RUN" -max_len=4200 -timeout=2 -rss_limit_mb=1024 \
    -print_final_stats=1
finished=$(date +%s)

printf 'fuzz-coupons: build %ss, fuzzing %ss, no crash found.\n' \
    "$((built - started))" "$((finished - built))" >&2
