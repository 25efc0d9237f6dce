//! An independent issuer (Python `cbor2` + `cryptography`, written from
//! `docs/coupon-format.md` only) makes coupons; the core must accept the valid ones and
//! refuse each broken one with the reason the script expects.
//!
//! Needs Python with `cbor2==6.2.1` and `cryptography==50.0.2`: `scripts/setup` installs
//! them into `.cache/python`, which this test uses (else `python3` from the PATH); without
//! them the test fails and says so (it is never skipped).

use std::io::Write as _;
use std::process::{Command, Stdio};

use sellerkit_core::coupons::{self, CouponClaims, CouponSigner, CouponValue, Refusal};
use sellerkit_core::domain::{CouponKind, CouponScope, SigningKey};
use sellerkit_core::money::Fen;

const PIP_HINT: &str = "run scripts/setup (it installs cbor2 and cryptography into .cache/python)";

/// The Python of `scripts/setup`'s virtual environment, or `python3` from the PATH.
fn python() -> std::path::PathBuf {
    let venv =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.cache/python/bin/python3");
    if venv.exists() {
        venv
    } else {
        "python3".into()
    }
}
const SEED: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const KID: &str = "shop-42-2026a";
/// The verifier's clock for the case set, seconds: 2026-01-15T00:00:00Z.
const NOW_S: i64 = 1_768_435_200;
/// The shop key's validity start, seconds: 2025-06-01T00:00:00Z.
const KEY_NOT_BEFORE_S: i64 = 1_748_736_000;
/// The wallet's clock tolerance the format doc proposes.
const TOLERANCE_MS: i64 = 5 * 60 * 1000;

fn run_issuer(input: &serde_json::Value) -> String {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/python/issue_coupons.py"
    );
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}); install Python 3, then: {PIP_HINT}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the Python issuer failed ({}):\n{stderr}\nIf a module is missing: {PIP_HINT}",
        out.status
    );
    String::from_utf8(out.stdout).unwrap()
}

fn shop_key(public_key: Vec<u8>) -> SigningKey {
    SigningKey {
        kid: KID.to_owned(),
        algorithm: "EdDSA".to_owned(),
        public_key,
        not_before_ms: KEY_NOT_BEFORE_S * 1000,
        not_after_ms: None,
        updated_ms: 0,
    }
}

/// Decode, find the key by kid, verify; then the validity window with the doc's tolerance
/// (the wallet's rule, re-stated here so the expired / not-yet-valid cases mean something).
fn check(text: &str, keys: &[SigningKey]) -> Result<CouponClaims, Refusal> {
    let coupon = coupons::decode(text)?;
    let key = keys
        .iter()
        .find(|k| k.kid == coupon.kid())
        .ok_or_else(|| Refusal::UnknownKey {
            kid: coupon.kid().to_owned(),
        })?;
    coupon.verify_signature(key)?;
    let claims = coupon.claims().clone();
    let now = NOW_S * 1000;
    if now < claims.not_before_ms - TOLERANCE_MS {
        return Err(Refusal::NotYetValid);
    }
    if now >= claims.expires_ms + TOLERANCE_MS {
        return Err(Refusal::Expired);
    }
    Ok(claims)
}

#[test]
fn python_issued_coupons_are_accepted_or_refused_with_the_right_code() {
    let out = run_issuer(&serde_json::json!({
        "seed": SEED, "kid": KID, "now": NOW_S, "key_not_before": KEY_NOT_BEFORE_S,
    }));
    let out: serde_json::Value = serde_json::from_str(&out).expect("the issuer prints JSON");
    let public_key = hex::decode(out["public_key"].as_str().unwrap()).unwrap();
    // The Python key from the seed is the Rust key from the seed.
    let seed: [u8; 32] = hex::decode(SEED).unwrap().try_into().unwrap();
    assert_eq!(
        public_key,
        CouponSigner::from_seed(KID, &seed).public_key().to_vec()
    );
    let keys = [shop_key(public_key)];

    let cases = out["cases"].as_array().unwrap();
    assert!(cases.len() >= 15, "the case set shrank: {}", cases.len());
    let mut failures = Vec::new();
    let mut accepted = 0;
    for case in cases {
        let (name, expect, text) = (
            case["name"].as_str().unwrap(),
            case["expect"].as_str().unwrap(),
            case["text"].as_str().unwrap(),
        );
        let got = match check(text, &keys) {
            Ok(_) => "ok".to_owned(),
            Err(r) => r.code().to_owned(),
        };
        if got == "ok" {
            accepted += 1;
        }
        if got != expect {
            failures.push(format!("{name}: expected {expect}, got {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(accepted, 3, "exactly the three valid coupons are accepted");
}

#[test]
fn python_issued_terms_decode_to_the_same_claims() {
    let text = run_issuer(&serde_json::json!({
        "seed": SEED, "kid": KID,
        "claims": {
            "iss": "shop-42", "cti": "py-terms", "iat": 1_767_225_600, "nbf": 1_767_225_600,
            "exp": 1_769_904_000, "book": "book-9", "kind": "multi_use", "percent": 2_500,
            "max_uses": 4, "min_spend": 8_800, "products": ["p-1", "p-22"],
        },
    }));
    let coupon = coupons::decode(text.trim()).unwrap();
    let seed: [u8; 32] = hex::decode(SEED).unwrap().try_into().unwrap();
    coupon
        .verify_signature(&shop_key(
            CouponSigner::from_seed(KID, &seed).public_key().to_vec(),
        ))
        .unwrap();
    assert_eq!(
        coupon.claims(),
        &CouponClaims {
            issuer: "shop-42".into(),
            coupon_id: "py-terms".into(),
            issued_ms: 1_767_225_600_000,
            not_before_ms: 1_767_225_600_000,
            expires_ms: 1_769_904_000_000,
            book_id: "book-9".into(),
            kind: CouponKind::MultiUse,
            value: CouponValue::Percent(sellerkit_core::money::Bps(2_500)),
            max_uses: Some(4),
            min_spend: Fen(8_800),
            scope: CouponScope::Products(vec!["p-1".into(), "p-22".into()]),
        }
    );
}

#[test]
fn python_reproduces_the_doc_example_byte_for_byte() {
    // Same seed, kid and terms as the worked example of docs/coupon-format.md: Python's
    // zlib may compress differently, but the COSE bytes inside must be identical.
    let text = run_issuer(&serde_json::json!({
        "seed": SEED, "kid": KID,
        "claims": {
            "iss": "shop-42", "cti": "c-0001", "iat": 1_767_225_600, "nbf": 1_767_225_600,
            "exp": 1_769_904_000, "book": "book-7", "kind": "single_use", "amount": 1_000,
            "min_spend": 5_000, "categories": ["tea"],
        },
    }));
    let seed: [u8; 32] = hex::decode(SEED).unwrap().try_into().unwrap();
    let signer = CouponSigner::from_seed(KID, &seed);
    let claims = CouponClaims {
        issuer: "shop-42".into(),
        coupon_id: "c-0001".into(),
        issued_ms: 1_767_225_600_000,
        not_before_ms: 1_767_225_600_000,
        expires_ms: 1_769_904_000_000,
        book_id: "book-7".into(),
        kind: CouponKind::SingleUse,
        value: CouponValue::Amount(Fen(1_000)),
        max_uses: None,
        min_spend: Fen(5_000),
        scope: CouponScope::Categories(vec!["tea".into()]),
    };
    let python_cose = coupons::code::decode(text.trim()).unwrap();
    assert_eq!(
        hex::encode(python_cose),
        hex::encode(signer.issue_cose(&claims))
    );
}

#[test]
fn python_loads_the_rust_written_pem_and_signs_what_the_rust_key_verifies() {
    // The shop key's PEM as the dev server and `--signing-key` files hold it: Python's
    // `cryptography` must load it (it refused the PKCS#8 v2 form with "extra data").
    let signer = CouponSigner::generate(KID);
    let pem = signer.to_pkcs8_pem();
    let text = run_issuer(&serde_json::json!({
        "key_pem": pem, "kid": KID,
        "claims": {
            "iss": "shop-42", "cti": "py-pem", "iat": 1_767_225_600, "nbf": 1_767_225_600,
            "exp": 1_769_904_000, "book": "book-7", "kind": "single_use", "amount": 1_000,
        },
    }));
    let coupon = coupons::decode(text.trim()).unwrap();
    assert_eq!(coupon.kid(), KID);
    assert_eq!(coupon.claims().coupon_id, "py-pem");
    // Verified with the Rust side's public key, not one Python reports.
    coupon
        .verify_signature(&shop_key(signer.public_key().to_vec()))
        .unwrap();
    // And not with another key: the check can fail.
    assert_eq!(
        coupon.verify_signature(&shop_key(CouponSigner::generate(KID).public_key().to_vec())),
        Err(Refusal::BadSignature)
    );
}
