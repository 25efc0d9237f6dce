#!/usr/bin/env bash
# Schema-driven fuzzing of the dev server's HTTP API with schemathesis (PyPI, pinned by
# scripts/setup into .cache/python).
#
#   scripts/fuzz-api.sh [SECONDS]     (default 120; the whole fuzzing budget)
#
# Starts the dev server on 127.0.0.1 (port 0, a fresh database in a temporary folder), waits
# for its "listening on" line, creates a shop and activates a device (the bearer token for
# /v1), then runs schemathesis against the served /openapi.json. It fails on:
#   - any 5xx (not_a_server_error);
#   - any answer the document does not describe: status, Content-Type, headers or body
#     (status_code_conformance, content_type_conformance, response_headers_conformance,
#     response_schema_conformance);
#   - any schema-valid request refused with 400 (positive_data_acceptance): the document must
#     state every rule a request can break.
# scripts/fuzz-api-hooks.py spells the integral floats JSON Schema allows for `integer` as
# integers (the server, like serde, refuses `1.0`; see there).
# Known failures not fixed yet are listed, each with its reason, in
# scripts/fuzz-api-baseline.json (schemathesis --baseline); anything else fails the run.
# FUZZ_BASELINE_UPDATE=1 merges this run's failures into it (review the diff!).
# Nothing leaves the machine: the server and the fuzzer talk over loopback only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_BUDGET="${1:-120}"
SCHEMATHESIS="${SCHEMATHESIS:-$ROOT/.cache/python/bin/schemathesis}"
PYTHON="$ROOT/.cache/python/bin/python3"

die() {
    printf 'fuzz-api: ERROR: %s\n' "$*" >&2
    exit 1
}
[[ -x "$SCHEMATHESIS" ]] || die "schemathesis not found at $SCHEMATHESIS: run scripts/setup"
BASELINE="$ROOT/scripts/fuzz-api-baseline.json"
# schemathesis creates a missing baseline from the run's failures: that would accept them all.
[[ -f "$BASELINE" || -n "${FUZZ_BASELINE_UPDATE:-}" ]] ||
    die "$BASELINE is missing (FUZZ_BASELINE_UPDATE=1 makes one; review it)"

cargo build --locked -q -p sellerkit-devserver
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
SERVER="$TARGET_DIR/debug/sellerkit-devserver"

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$SERVER" --db "$WORK/devserver.db" --addr 127.0.0.1:0 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!

# Readiness: the server prints "listening on URL" once its socket is bound.
URL=""
deadline=$((SECONDS + 60))
while [[ -z "$URL" ]]; do
    URL="$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$WORK/server.out" | head -n1)"
    if [[ -z "$URL" ]]; then
        kill -0 "$SERVER_PID" 2>/dev/null || die "the dev server exited: $(cat "$WORK/server.err")"
        ((SECONDS < deadline)) || die "the dev server did not start within 60 s"
        sleep 0.1
    fi
done

# A shop and an activated device: the token lets the fuzzer past the bearer check of /v1.
TOKEN="$("$PYTHON" - "$URL" <<'PY'
import json, sys, urllib.request
url = sys.argv[1]
def call(method, path, body):
    req = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
shop = call("POST", "/dev/shops", {"name": "Fuzz shop", "shop_id": "shop_fuzz"})
code = shop["activation_codes"]["premium"]
device = call("POST", "/v1/activate", {"code": code, "device_name": "fuzz", "platform": "desktop"})
print(device["token"])
PY
)"

printf 'fuzz-api: schemathesis against %s for %s s\n' "$URL" "$SECONDS_BUDGET" >&2
status=0
SCHEMATHESIS_HOOKS="$ROOT/scripts/fuzz-api-hooks.py" "$SCHEMATHESIS" --no-color --config-file "$ROOT/scripts/fuzz-api.toml" run "$URL/openapi.json" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,positive_data_acceptance \
    --phases examples,coverage,fuzzing \
    --max-time "$SECONDS_BUDGET" \
    --request-timeout 30 \
    --workers 1 \
    --seed 20261206 \
    --baseline "$BASELINE" ${FUZZ_BASELINE_UPDATE:+--baseline-update} || status=$?
if ((status != 0)); then
    printf 'fuzz-api: the server log:\n' >&2
    tail -n 50 "$WORK/server.err" >&2
    die "schemathesis found problems (exit $status)"
fi
printf 'fuzz-api: no failures\n' >&2
