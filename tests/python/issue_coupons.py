#!/usr/bin/env python3
"""An independent SellerKit coupon issuer, written from docs/coupon-format.md only.

Uses Python's cbor2 and cryptography; no SellerKit code. It proves the format document is
precise enough: the Rust test core/tests/coupon_python_issuer.rs checks that the wallet
accepts what this issues and refuses the broken ones with the expected reason code.

Input: one JSON object on stdin (or the path of a JSON file as the only argument):

    {"seed": "<64 hex chars>" | "key_pem": "-----BEGIN PRIVATE KEY-----...",
     "kid": "shop-key-1",
     "claims": {...},            # optional: issue just this coupon and print its text
     "now": 1767225600,          # for the case set: the verifier's clock, in seconds
     "key_not_before": 1700000000}

Claims fields (seconds, fen, basis points): iss, cti, iat, nbf, exp, book, kind
("single_use" | "multi_use" | "stored_value"), amount | percent, max_uses, min_spend,
products | categories.

Output: with "claims", the coupon text on one line. Without, a JSON object
{"public_key": hex, "cases": [{"name", "expect", "text"}, ...]} where expect is "ok" or the
refusal code the wallet must give.

Requires: pip install cbor2==6.2.1 cryptography==50.0.2
"""

import copy
import json
import sys
import zlib

PIP_HINT = "run scripts/setup (it installs cbor2==6.2.1 cryptography==50.0.2 into .cache/python)"

try:
    import cbor2
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
except ImportError as e:  # the Rust test shows this and fails
    sys.stderr.write(f"issue_coupons.py: missing Python module ({e}); run: {PIP_HINT}\n")
    sys.exit(3)

PREFIX = "SKC1:"
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
TERMS_CLAIM = -65537
KINDS = {"single_use": 1, "multi_use": 2, "stored_value": 3}
ALG_EDDSA = -8
ALG_ES256 = -7


def base45(data: bytes) -> str:
    """RFC 9285: two bytes to three characters, least significant first."""
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        c, n = n % 45, n // 45
        d, e = n % 45, n // 45
        out += [BASE45[c], BASE45[d], BASE45[e]]
    if len(data) % 2:
        n = data[-1]
        out += [BASE45[n % 45], BASE45[n // 45]]
    return "".join(out)


def to_text(cose: bytes) -> str:
    return PREFIX + base45(zlib.compress(cose, 9))


def claims_map(c: dict) -> dict:
    terms = {1: c["book"], 2: KINDS[c["kind"]]}
    if "amount" in c:
        terms[3] = c["amount"]
    if "percent" in c:
        terms[4] = c["percent"]
    if c.get("max_uses") is not None:
        terms[5] = c["max_uses"]
    if c.get("min_spend"):
        terms[6] = c["min_spend"]
    if c.get("products"):
        terms[7] = list(c["products"])
    if c.get("categories"):
        terms[8] = list(c["categories"])
    m = {1: c["iss"], 4: c["exp"], 5: c["nbf"], 6: c["iat"], 7: c["cti"].encode()}
    m[TERMS_CLAIM] = terms
    m.update(c.get("extra_claims", {}))
    return m


def sign1(key, kid: str, payload: bytes, alg=ALG_EDDSA, tagged=True, kid_protected=True):
    protected = {1: alg}
    unprotected = {}
    if kid_protected:
        protected[4] = kid.encode()
    else:
        unprotected[4] = kid.encode()
    protected_bytes = cbor2.dumps(protected)
    tbs = cbor2.dumps(["Signature1", protected_bytes, b"", payload])
    if alg == ALG_ES256:
        r, s = decode_dss_signature(key.sign(tbs, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = key.sign(tbs)
    body = [protected_bytes, unprotected, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(18, body) if tagged else body)


def issue(key, kid: str, claims: dict, **kw) -> str:
    payload = cbor2.dumps(claims_map(claims))
    return to_text(sign1(key, kid, payload, **kw))


def load_key(spec: dict):
    if "key_pem" in spec:
        return serialization.load_pem_private_key(spec["key_pem"].encode(), password=None)
    return ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(spec["seed"]))


def public_hex(key) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def cases(key, kid: str, now: int, key_not_before: int):
    day = 86400
    base = {
        "iss": "shop-42", "cti": "py-0001", "iat": now - day, "nbf": now - day,
        "exp": now + 30 * day, "book": "book-py", "kind": "single_use", "amount": 1000,
        "min_spend": 5000,
    }

    def variant(**changes):
        c = copy.deepcopy(base)
        for k, v in changes.items():
            if v is None:
                c.pop(k, None)
            else:
                c[k] = v
        return c

    out = []

    def add(name, expect, text):
        out.append({"name": name, "expect": expect, "text": text})

    add("valid_single_use", "ok", issue(key, kid, base))
    add("valid_percent_multi_use_products", "ok", issue(key, kid, variant(
        cti="py-0002", kind="multi_use", amount=None, percent=1500, max_uses=3,
        products=["p-1", "p-2"], min_spend=0)))
    add("valid_stored_value_categories", "ok", issue(key, kid, variant(
        cti="py-0003", kind="stored_value", amount=20000, categories=["茶叶", "tea"])))
    # The wallet refuses these by its clock (5 min tolerance); the signature is fine.
    add("expired", "expired", issue(key, kid, variant(
        cti="py-0004", nbf=now - 30 * day, iat=now - 30 * day, exp=now - 3600)))
    add("not_yet_valid", "not_yet_valid", issue(key, kid, variant(
        cti="py-0005", nbf=now + 3600, exp=now + 30 * day)))

    # Payload changed after signing: the signature no longer matches.
    payload = cbor2.dumps(claims_map(variant(cti="py-0006")))
    good = cbor2.loads(sign1(key, kid, payload))
    forged = list(good.value)
    forged[2] = cbor2.dumps(claims_map(variant(cti="py-0006", amount=100000)))
    add("tampered_amount", "bad_signature", to_text(cbor2.dumps(cbor2.CBORTag(18, forged))))

    other = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(100, 132)))
    add("wrong_key", "bad_signature", issue(other, kid, variant(cti="py-0007")))
    add("unknown_kid", "unknown_key", issue(other, kid + "-other", variant(cti="py-0008")))
    add("issued_before_key_valid", "key_not_valid", issue(key, kid, variant(
        cti="py-0009", iat=key_not_before - 60)))

    p256 = ec.generate_private_key(ec.SECP256R1())
    add("es256", "unsupported_algorithm", issue(p256, kid, variant(cti="py-0010"), alg=ALG_ES256))
    add("untagged", "malformed", issue(key, kid, variant(cti="py-0011"), tagged=False))
    add("kid_unprotected", "malformed", issue(key, kid, variant(cti="py-0012"),
                                              kid_protected=False))
    add("unknown_claim", "malformed", issue(key, kid, variant(
        cti="py-0013", extra_claims={3: "audience"})))
    add("float_time", "malformed", issue(key, kid, variant(cti="py-0014", exp=float(now + day))))
    add("percent_and_amount", "malformed", issue(key, kid, variant(cti="py-0015", percent=500)))
    text = issue(key, kid, variant(cti="py-0016"))
    add("wrong_prefix", "malformed", "HC1:" + text[len(PREFIX):])
    add("truncated", "malformed", text[:-7])
    return out


def main():
    raw = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    spec = json.loads(raw)
    key = load_key(spec)
    kid = spec["kid"]
    if "claims" in spec:
        print(issue(key, kid, spec["claims"]))
        return
    result = {
        "public_key": public_hex(key),
        "cases": cases(key, kid, int(spec["now"]), int(spec["key_not_before"])),
    }
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
