#!/usr/bin/env bash
# Tests what can be tested of the Android and iOS shells on a Linux machine without their SDKs:
#
# 1. iOS: the Swift bindings committed in ios/ are regenerated from the real debug library
#    into a temporary folder and must be identical (else: run scripts/generate-bindings.sh);
#    they must be complete (every exported FFI function of the library is declared in the
#    header and called from the Swift; every record, enum, error, object, foreign trait and
#    object method of the Rust facade appears in the Swift API), the C header must compile and
#    the module map must name it. No Swift compiler runs here.
# 2. Android: the app's presenters (android/app/src/main/kotlin/.../presenter, plain Kotlin)
#    are compiled with kotlinc together with the generated JVM-flavour bindings and the test
#    file android/app/src/test/kotlin/.../PresenterTest.kt, and run on the desktop JVM against
#    the real libsellerkit_ffi and the real dev server on 127.0.0.1.
#
# Ends with one line "N passed, M failed" and exits non-zero on any failure. A missing tool
# stops the run with an install hint; nothing is skipped.
#
# Usage: scripts/test-shells.sh   (from any directory)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'test-shells: ERROR: %s\n' "$*" >&2
    exit 1
}

command -v cargo >/dev/null 2>&1 || die "cargo not found (install Rust with rustup: https://rustup.rs)"
command -v nm >/dev/null 2>&1 || die "nm not found. Install it: apt-get install binutils"
command -v cc >/dev/null 2>&1 || die "cc not found. Install it: apt-get install gcc"
# shellcheck source=scripts/lib/jvm-kotlin.sh
source "$ROOT/scripts/lib/jvm-kotlin.sh"
jvm_kotlin_setup

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
[[ -n "$TARGET_DIR" ]] || die "could not read the target directory from cargo metadata"

log "cargo build -p sellerkit-ffi -p sellerkit-devserver -p uniffi-bindgen"
cargo build --locked -p sellerkit-ffi -p sellerkit-devserver -p uniffi-bindgen
LIB="$TARGET_DIR/debug/libsellerkit_ffi.so"
DEVSERVER="$TARGET_DIR/debug/sellerkit-devserver"
[[ -f "$LIB" ]] || die "$LIB was not built"
[[ -x "$DEVSERVER" ]] || die "$DEVSERVER was not built"
# The target directory may be shared with other worktrees' builds, which replace these files
# while the tests run: test private copies of what this worktree just built.
PRIVATE_BIN="$(mktemp -d)"
cp "$LIB" "$DEVSERVER" "$PRIVATE_BIN/"
LIB="$PRIVATE_BIN/libsellerkit_ffi.so"
DEVSERVER="$PRIVATE_BIN/sellerkit-devserver"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); printf 'PASS %s\n' "$1"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL %s\n' "$1"; }

# --- 1. Swift -----------------------------------------------------------------------------
SWIFT_DIR="$WORK/swift"
"$ROOT/scripts/generate-bindings.sh" --library "$LIB" --swift-dir "$SWIFT_DIR"
SWIFT="$SWIFT_DIR/SellerKitCore.swift"
HEADER="$SWIFT_DIR/SellerKitCoreFFI.h"

for pair in "SellerKitCore.swift:ios/Sources/SellerKitCore/SellerKitCore.swift" \
    "SellerKitCoreFFI.h:ios/FFI/include/SellerKitCoreFFI.h" \
    "module.modulemap:ios/FFI/include/module.modulemap"; do
    fresh="$SWIFT_DIR/${pair%%:*}"
    committed="$ROOT/${pair#*:}"
    if [[ -f "$committed" ]] && cmp -s "$fresh" "$committed"; then
        pass "swift: ${pair#*:} is up to date"
    else
        fail "swift: ${pair#*:} is out of date: run scripts/generate-bindings.sh and commit"
        if [[ -f "$committed" ]]; then diff -u "$committed" "$fresh" | head -n 20 || true; fi
    fi
done

# Every FFI function of the library, as the linker sees it.
mapfile -t SYMBOLS < <(nm -D --defined-only "$LIB" | awk '{ print $NF }' | grep -E '^uniffi_sellerkit_ffi_fn_' | sort -u)
if [[ ${#SYMBOLS[@]} -eq 0 ]]; then
    fail "swift: the library exports no uniffi_sellerkit_ffi_fn_* functions"
else
    missing_h=()
    missing_s=()
    for sym in "${SYMBOLS[@]}"; do
        grep -q "\\b$sym(" "$HEADER" || missing_h+=("$sym")
        grep -q "\\b$sym(" "$SWIFT" || missing_s+=("$sym")
    done
    if [[ ${#missing_h[@]} -eq 0 ]]; then pass "swift: the header declares all ${#SYMBOLS[@]} FFI functions"
    else fail "swift: the header lacks ${missing_h[*]}"; fi
    if [[ ${#missing_s[@]} -eq 0 ]]; then pass "swift: SellerKitCore.swift calls all ${#SYMBOLS[@]} FFI functions"
    else fail "swift: SellerKitCore.swift never calls ${missing_s[*]}"; fi
fi

# The facade's exported items, read from its Rust source: "kind Name" lines.
mapfile -t RUST_SOURCES < <(find "$ROOT/bindings/src" -name '*.rs' | sort)
mapfile -t ITEMS < <(awk '
    /#\[derive\(/ && /uniffi::Record/ { pending = "record" }
    /#\[derive\(/ && /uniffi::Enum/   { pending = "enum" }
    /#\[derive\(/ && /uniffi::Error/  { pending = "error" }
    /#\[derive\(/ && /uniffi::Object/ { pending = "object" }
    /#\[uniffi::export\((foreign|with_foreign|callback_interface)/ { pending = "trait" }
    /#\[uniffi::export/ && !/\((foreign|with_foreign|callback_interface)/ { exported = 1 }
    /#\[uniffi::constructor/ { ctor = 1 }
    pending != "" && match($0, /pub (struct|enum|trait) [A-Za-z0-9_]+/) {
        split(substr($0, RSTART, RLENGTH), w, " "); print pending, w[3]; pending = ""
    }
    exported && /^impl / { in_impl = 1; exported = 0 }
    exported && match($0, /^pub (async )?fn [a-z0-9_]+/) {
        n = split(substr($0, RSTART, RLENGTH), w, " "); print "function", w[n]; exported = 0
    }
    in_impl && match($0, /pub (async )?fn [a-z0-9_]+/) {
        n = split(substr($0, RSTART, RLENGTH), w, " "); print (ctor ? "ctor" : "method"), w[n]; ctor = 0
    }
    in_impl && /^}/ { in_impl = 0 }
    /^(pub )?(async )?fn / { exported = 0 }
' "${RUST_SOURCES[@]}")
# uniffi sometimes breaks a declaration after `public`: match on one line per file.
SWIFT_FLAT="$WORK/swift-flat.txt"
tr -s '\n' ' ' <"$SWIFT" >"$SWIFT_FLAT"
camel() { awk -F_ '{ printf "%s", $1; for (i = 2; i <= NF; i++) printf "%s", toupper(substr($i, 1, 1)) substr($i, 2); print "" }' <<<"$1"; }
missing=()
declare -A COUNT=()
for item in "${ITEMS[@]}"; do
    kind="${item%% *}"
    name="${item#* }"
    COUNT[$kind]=$((${COUNT[$kind]:-0} + 1))
    case "$kind" in
    record) pattern="public +struct $name\\b" ;;
    enum | error) pattern="public +enum $name\\b" ;;
    object) pattern="(open|public) +class $name\\b" ;;
    trait) pattern="public +protocol $name\\b" ;;
    method) pattern="func $(camel "$name")\\(" ;;
    function) pattern="public func $(camel "$name")\\(" ;;
    ctor) if [[ "$name" == new ]]; then pattern="init\\("; else pattern="static func \`?$(camel "$name")\`?\\("; fi ;;
    *) continue ;;
    esac
    grep -Eq "$pattern" "$SWIFT_FLAT" || missing+=("$kind $name")
done
summary="$(for k in record enum error object trait method ctor function; do printf '%s %s, ' "${COUNT[$k]:-0}" "$k"; done)"
if [[ -z "${COUNT[object]:-}" || -z "${COUNT[method]:-}" || -z "${COUNT[record]:-}" ]]; then
    fail "swift: found no exported objects, methods or records in bindings/src (${summary%, }); the source scan is broken"
elif [[ ${#missing[@]} -eq 0 ]]; then
    pass "swift: the API has every exported item of bindings/src (${summary%, })"
else
    fail "swift: missing from SellerKitCore.swift: ${missing[*]}"
fi
if grep -q 'SellerApp' <<<"${ITEMS[*]}" && grep -Eq '(open|public) class SellerApp\b' "$SWIFT"; then
    pass "swift: SellerApp is exported"
else
    fail "swift: no SellerApp object in the facade or in SellerKitCore.swift"
fi

# Included from a C file as Swift's clang importer does. The header uses clang's nullability
# qualifiers; gcc does not know them, so they are defined away when clang is absent.
printf '#include "SellerKitCoreFFI.h"\n' >"$SWIFT_DIR/check.c"
if command -v clang >/dev/null 2>&1; then
    CC_CHECK=(clang -fsyntax-only -std=c11 -Wall -Werror -Wno-nullability-completeness)
else
    CC_CHECK=(cc -fsyntax-only -std=c11 -Wall -Werror -D_Nullable= -D_Nonnull= -D_Null_unspecified=)
fi
if "${CC_CHECK[@]}" -I "$SWIFT_DIR" "$SWIFT_DIR/check.c" 2>"$WORK/cc.log"; then
    pass "swift: the C header compiles (${CC_CHECK[*]:0:4})"
else
    fail "swift: the C header does not compile: $(head -n 5 "$WORK/cc.log")"
fi
if grep -Eq '^ *module SellerKitCoreFFI' "$SWIFT_DIR/module.modulemap" &&
    grep -q 'header "SellerKitCoreFFI.h"' "$SWIFT_DIR/module.modulemap" &&
    grep -q 'import SellerKitCoreFFI' "$SWIFT"; then
    pass "swift: module map SellerKitCoreFFI wraps the header the Swift imports"
else
    fail "swift: the module map does not define SellerKitCoreFFI over SellerKitCoreFFI.h"
fi

# --- 2. Android presenters on the JVM -----------------------------------------------------
PRESENTERS=("$ROOT"/android/app/src/main/kotlin/com/sellerkit/app/presenter/*.kt)
TESTS=("$ROOT"/android/app/src/test/kotlin/com/sellerkit/app/presenter/*.kt)
[[ -f "${PRESENTERS[0]}" ]] || die "no presenters in android/app/src/main/kotlin/com/sellerkit/app/presenter"
[[ -f "${TESTS[0]}" ]] || die "no presenter tests in android/app/src/test/kotlin/com/sellerkit/app/presenter"
if grep -lE '^import (android|androidx)\.' "${PRESENTERS[@]}" >"$WORK/android-imports"; then
    fail "android: presenters must not import android.*/androidx.*: $(tr '\n' ' ' <"$WORK/android-imports")"
else
    pass "android: the ${#PRESENTERS[@]} presenter files import nothing from android.* or androidx.*"
fi

KT_JVM="$WORK/kotlin-jvm"
"$ROOT/scripts/generate-bindings.sh" --library "$LIB" --kotlin-jvm-dir "$KT_JVM"
JAR="$PRIVATE_BIN/sellerkit-shells-tests.jar"
mkdir -p "$(dirname "$JAR")"
rm -f "$JAR"
log "compiling the JVM bindings, ${#PRESENTERS[@]} presenter file(s) and ${#TESTS[@]} test file(s) with kotlinc $KOTLIN_COMPILER_VERSION"
"$KOTLINC" -nowarn -jvm-target 17 -include-runtime \
    -classpath "$JNA_JAR:$COROUTINES_JAR" \
    -d "$JAR" "$KT_JVM/com/sellerkit/core/sellerkit_ffi.kt" "${PRESENTERS[@]}" "${TESTS[@]}"
[[ -f "$JAR" ]] || die "kotlinc produced no $JAR"

log "running the presenter tests on the JVM (dev server: ${DEVSERVER#"$ROOT"/})"
set +e
java -Djna.library.path="$PRIVATE_BIN" \
    -Djna.boot.library.path="$JNA_JNI_DIR" \
    -Dsellerkit.devserver="$DEVSERVER" \
    -Dsellerkit.workDir="$WORK" \
    -cp "$JAR:$JNA_JAR:$COROUTINES_JAR" \
    com.sellerkit.app.presenter.PresenterTestKt | tee "$WORK/kotlin.out"
status=${PIPESTATUS[0]}
set -e
kt_line="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$WORK/kotlin.out" | tail -n1)"
if [[ -z "$kt_line" ]]; then
    FAILED=$((FAILED + 1))
    printf 'FAIL the presenter tests ended without a result line (exit %s)\n' "$status"
else
    PASSED=$((PASSED + ${kt_line%% passed*}))
    kt_failed="${kt_line#*, }"
    FAILED=$((FAILED + ${kt_failed%% failed}))
    if [[ "$status" != 0 && "${kt_failed%% failed}" == 0 ]]; then
        FAILED=$((FAILED + 1))
        printf 'FAIL the presenter tests exited with %s\n' "$status"
    fi
fi

echo "$PASSED passed, $FAILED failed"
[[ "$FAILED" == 0 ]]
