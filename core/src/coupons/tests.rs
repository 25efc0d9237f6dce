//! Issue, decode and verify, and the decoder's hostile-input cases.

use super::*;
use crate::domain::{CouponKind, CouponScope, SigningKey};
use crate::money::{Bps, Fen};

pub(crate) const SEED: [u8; 32] = [7; 32];

pub(crate) fn signer() -> CouponSigner {
    CouponSigner::from_seed("shop-key-1", &SEED)
}

pub(crate) fn key_for(signer: &CouponSigner) -> SigningKey {
    SigningKey {
        kid: signer.kid().to_owned(),
        algorithm: "EdDSA".to_owned(),
        public_key: signer.public_key().to_vec(),
        not_before_ms: 1_700_000_000_000,
        not_after_ms: Some(1_900_000_000_000),
        updated_ms: 1_700_000_000_000,
    }
}

pub(crate) fn claims() -> CouponClaims {
    CouponClaims {
        issuer: "shop-42".to_owned(),
        coupon_id: "0190f0c2-7a4b-7cc1-9b1e-6a2f3e4d5c6b".to_owned(),
        issued_ms: 1_767_225_600_000,
        not_before_ms: 1_767_225_600_000,
        expires_ms: 1_769_904_000_000,
        book_id: "book-7".to_owned(),
        kind: CouponKind::SingleUse,
        value: CouponValue::Amount(Fen(1_000)),
        max_uses: None,
        min_spend: Fen(5_000),
        scope: CouponScope::All,
    }
}

#[test]
fn issued_coupon_decodes_and_verifies() {
    let s = signer();
    let text = s.try_issue(&claims()).unwrap();
    assert!(text.starts_with("SKC1:"));
    let coupon = decode(&text).unwrap();
    assert_eq!(coupon.kid(), "shop-key-1");
    assert_eq!(coupon.claims(), &claims());
    coupon.verify_signature(&key_for(&s)).unwrap();
}

#[test]
fn every_kind_value_and_scope_round_trips() {
    let s = signer();
    let variants = [
        (
            CouponKind::SingleUse,
            CouponValue::Percent(Bps(1_500)),
            None,
        ),
        (CouponKind::MultiUse, CouponValue::Amount(Fen(500)), Some(5)),
        (
            CouponKind::MultiUse,
            CouponValue::Percent(Bps(10_000)),
            Some(u32::MAX),
        ),
        (
            CouponKind::StoredValue,
            CouponValue::Amount(Fen(i64::MAX)),
            None,
        ),
    ];
    let scopes = [
        CouponScope::All,
        CouponScope::Products(vec!["p-1".into(), "p-2".into()]),
        CouponScope::Categories(vec!["茶叶".into()]),
    ];
    for (kind, value, max_uses) in variants {
        for scope in &scopes {
            let c = CouponClaims {
                kind,
                value,
                max_uses,
                scope: scope.clone(),
                min_spend: Fen::ZERO,
                ..claims()
            };
            let coupon = decode(&s.try_issue(&c).unwrap()).unwrap();
            assert_eq!(coupon.claims(), &c);
            coupon.verify_signature(&key_for(&s)).unwrap();
        }
    }
}

#[test]
fn times_are_floored_to_whole_seconds() {
    let c = CouponClaims {
        issued_ms: 1_767_225_600_999,
        expires_ms: 1_769_904_000_500,
        ..claims()
    };
    let got = decode(&signer().issue(&c)).unwrap();
    assert_eq!(got.claims().issued_ms, 1_767_225_600_000);
    assert_eq!(got.claims().expires_ms, 1_769_904_000_000);
}

#[test]
fn signature_by_another_key_is_bad_signature() {
    let text = CouponSigner::from_seed("shop-key-1", &[9; 32]).issue(&claims());
    let coupon = decode(&text).unwrap();
    let err = coupon.verify_signature(&key_for(&signer())).unwrap_err();
    assert_eq!(err, Refusal::BadSignature);
}

#[test]
fn key_of_another_kid_is_unknown_key() {
    let text = CouponSigner::from_seed("other", &SEED).issue(&claims());
    let err = decode(&text)
        .unwrap()
        .verify_signature(&key_for(&signer()))
        .unwrap_err();
    assert_eq!(err.code(), "unknown_key");
}

#[test]
fn key_validity_bounds_iat() {
    let s = signer();
    let coupon = decode(&s.issue(&claims())).unwrap();
    let iat = claims().issued_ms;
    let mut key = key_for(&s);
    key.not_before_ms = iat;
    coupon.verify_signature(&key).unwrap();
    key.not_before_ms = iat + 1;
    assert_eq!(coupon.verify_signature(&key), Err(Refusal::KeyNotValid));
    key.not_before_ms = 0;
    key.not_after_ms = Some(iat + 1);
    coupon.verify_signature(&key).unwrap();
    key.not_after_ms = Some(iat);
    assert_eq!(coupon.verify_signature(&key), Err(Refusal::KeyNotValid));
    key.not_after_ms = None;
    coupon.verify_signature(&key).unwrap();
}

#[test]
fn key_that_is_not_eddsa_or_not_32_bytes_is_refused() {
    let s = signer();
    let coupon = decode(&s.issue(&claims())).unwrap();
    let mut key = key_for(&s);
    key.algorithm = "ES256".into();
    assert_eq!(
        coupon.verify_signature(&key).unwrap_err().code(),
        "unsupported_algorithm"
    );
    let mut key = key_for(&s);
    key.public_key.pop();
    assert_eq!(coupon.verify_signature(&key), Err(Refusal::KeyNotValid));
}

#[test]
fn pem_round_trips() {
    let s = CouponSigner::generate("k1");
    let pem = s.to_pkcs8_pem();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{pem}");
    let back = CouponSigner::from_pkcs8_pem("k1", &pem).unwrap();
    assert_eq!(back.public_key(), s.public_key());
    assert!(CouponSigner::from_pkcs8_pem("k1", "not a pem").is_err());
    assert!(CouponSigner::from_pkcs8_pem("", &pem).is_err());
    assert_ne!(CouponSigner::generate("k2").public_key(), s.public_key());
    assert!(!format!("{s:?}").contains(&pem));
}

#[test]
fn pem_is_written_in_the_v1_form_and_both_forms_are_read() {
    use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
    use ed25519_dalek::pkcs8::{EncodePrivateKey as _, KeypairBytes};
    let s = CouponSigner::from_seed("k1", &[7; 32]);
    let pem = s.to_pkcs8_pem();
    // RFC 8410's v1 example form: 48 bytes of DER, version 0, no public key. The v2 form
    // (83 bytes, with the public key) is what Python's `cryptography` refuses.
    let der = pem::parse(&pem);
    assert_eq!(der.len(), 48, "{pem}");
    assert_eq!(&der[..5], &[0x30, 0x2e, 0x02, 0x01, 0x00], "{pem}");
    // A v2 PEM (other tools, or keys this crate wrote before) still loads, to the same key.
    let v2 = KeypairBytes {
        secret_key: [7; 32],
        public_key: Some(ed25519_dalek::pkcs8::PublicKeyBytes(s.public_key())),
    }
    .to_pkcs8_pem(LineEnding::LF)
    .unwrap();
    assert_ne!(v2.as_str(), pem);
    let back = CouponSigner::from_pkcs8_pem("k1", &v2).unwrap();
    assert_eq!(back.public_key(), s.public_key());
    // A v2 PEM whose public key is not the secret's: refused.
    let wrong = KeypairBytes {
        secret_key: [7; 32],
        public_key: Some(ed25519_dalek::pkcs8::PublicKeyBytes(
            CouponSigner::from_seed("k2", &[8; 32]).public_key(),
        )),
    }
    .to_pkcs8_pem(LineEnding::LF)
    .unwrap();
    assert!(CouponSigner::from_pkcs8_pem("k1", &wrong).is_err());
}

/// The PEM body's DER, decoded with the crate's own PEM reader.
mod pem {
    pub fn parse(text: &str) -> Vec<u8> {
        use ed25519_dalek::pkcs8::spki::der::pem;
        let (label, der) = pem::decode_vec(text.as_bytes()).unwrap();
        assert_eq!(label, "PRIVATE KEY");
        der
    }
}

#[test]
fn try_issue_refuses_terms_the_decoder_would_refuse() {
    let s = signer();
    let bad = [
        CouponClaims {
            coupon_id: String::new(),
            ..claims()
        },
        CouponClaims {
            book_id: "b".repeat(65),
            ..claims()
        },
        CouponClaims {
            value: CouponValue::Amount(Fen(0)),
            ..claims()
        },
        CouponClaims {
            value: CouponValue::Percent(Bps(10_001)),
            ..claims()
        },
        CouponClaims {
            kind: CouponKind::MultiUse,
            ..claims()
        },
        CouponClaims {
            max_uses: Some(3),
            ..claims()
        },
        CouponClaims {
            kind: CouponKind::StoredValue,
            value: CouponValue::Percent(Bps(100)),
            ..claims()
        },
        CouponClaims {
            expires_ms: claims().not_before_ms,
            ..claims()
        },
        CouponClaims {
            min_spend: Fen(-1),
            ..claims()
        },
        CouponClaims {
            scope: CouponScope::Products(vec![]),
            ..claims()
        },
        CouponClaims {
            issuer: "a\nb".into(),
            ..claims()
        },
    ];
    for c in bad {
        assert!(s.try_issue(&c).is_err(), "{c:?}");
        // And what `issue` makes anyway is refused, never accepted.
        assert_eq!(
            decode(&s.issue(&c)).unwrap_err().code(),
            "malformed",
            "{c:?}"
        );
    }
}

// ---- Hostile input -------------------------------------------------------------------

use ciborium::Value;
use ed25519_dalek::Signer as _;

fn int(i: i64) -> Value {
    Value::Integer(i.into())
}

fn cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(v, &mut out).unwrap();
    out
}

/// A COSE_Sign1 put together by hand, correctly signed with [`SEED`], so that only the
/// layout under test is wrong.
struct Crafted {
    protected: Vec<(Value, Value)>,
    unprotected: Vec<(Value, Value)>,
    payload: Vec<u8>,
    tag: Option<u64>,
}

impl Crafted {
    fn new() -> Self {
        Crafted {
            protected: vec![
                (int(1), int(-8)),
                (int(4), Value::Bytes(b"shop-key-1".to_vec())),
            ],
            unprotected: vec![],
            payload: claims().to_payload(),
            tag: Some(18),
        }
    }

    fn cose(&self) -> Vec<u8> {
        let protected = if self.protected.is_empty() {
            Vec::new()
        } else {
            cbor(&Value::Map(self.protected.clone()))
        };
        let tbs = cbor(&Value::Array(vec![
            Value::Text("Signature1".into()),
            Value::Bytes(protected.clone()),
            Value::Bytes(vec![]),
            Value::Bytes(self.payload.clone()),
        ]));
        let key = ed25519_dalek::SigningKey::from_bytes(&SEED);
        let sign1 = Value::Array(vec![
            Value::Bytes(protected),
            Value::Map(self.unprotected.clone()),
            Value::Bytes(self.payload.clone()),
            Value::Bytes(key.sign(&tbs).to_bytes().to_vec()),
        ]);
        cbor(&match self.tag {
            Some(t) => Value::Tag(t, Box::new(sign1)),
            None => sign1,
        })
    }

    fn text(&self) -> String {
        code::encode(&self.cose())
    }
}

/// The claims set of [`claims`] as a CBOR map, to be altered.
fn claims_map() -> Vec<(Value, Value)> {
    match claims::read_cbor(&claims().to_payload(), "test").unwrap() {
        Value::Map(m) => m,
        _ => unreachable!(),
    }
}

fn refused(text: &str) -> Refusal {
    match decode(text) {
        Err(r) => r,
        Ok(c) => c
            .verify_signature(&key_for(&signer()))
            .expect_err("coupon was accepted"),
    }
}

#[test]
fn crafted_baseline_is_accepted() {
    // The crafting helper itself makes valid coupons, so the cases below fail for their
    // one difference only.
    let text = Crafted::new().text();
    decode(&text)
        .unwrap()
        .verify_signature(&key_for(&signer()))
        .unwrap();
    assert_eq!(Crafted::new().cose(), signer().issue_cose(&claims()));
}

#[test]
fn wrong_or_missing_prefix_is_malformed() {
    let text = signer().issue(&claims());
    let body = &text[5..];
    for bad in [
        body.to_owned(),
        format!("SKC2:{body}"),
        format!("skc1:{body}"),
        format!("HC1:{body}"),
        format!(" SKC1:{body}"),
        String::new(),
        "SKC1:".to_owned(),
    ] {
        assert_eq!(refused(&bad).code(), "malformed", "{bad}");
    }
}

#[test]
fn invalid_base45_is_malformed() {
    let text = signer().issue(&claims());
    for bad in [
        format!("{text}0"),                  // length 1 mod 3
        text.replacen("SKC1:", "SKC1:a", 1), // lower case
        format!("{}é", &text[..text.len() - 1]),
        format!("{}GGW", &text[..5]),
    ] {
        let r = refused(&bad);
        assert_eq!(r.code(), "malformed", "{bad}");
    }
}

#[test]
fn truncation_at_every_length_is_refused() {
    let text = signer().issue(&claims());
    for cut in 0..text.len() {
        assert!(decode(&text[..cut]).is_err(), "cut at {cut}");
    }
}

/// Every single-character change of `text`: how many were accepted (each one asserted to
/// be byte-for-byte the same coupon).
fn accepted_single_character_changes(text: &str) -> usize {
    let mut alphabet: Vec<char> = base45::alphabet::TABLE.iter().map(|&b| b as char).collect();
    alphabet.extend(['a', 'z', '\n', '\0', '语']);
    let original = code::decode(text).unwrap();
    let mut same_cose = 0;
    for (pos, old) in text.char_indices() {
        for &new in &alphabet {
            if new == old {
                continue;
            }
            let mut changed = String::with_capacity(text.len() + 3);
            changed.push_str(&text[..pos]);
            changed.push(new);
            changed.push_str(&text[pos + old.len_utf8()..]);
            let verdict = decode(&changed).and_then(|c| c.verify_signature(&key_for(&signer())));
            if verdict.is_ok() {
                // Only possible if zlib ignored the change (see the format doc).
                assert_eq!(code::decode(&changed).unwrap(), original, "{changed}");
                same_cose += 1;
            }
        }
    }
    same_cose
}

#[test]
fn every_single_character_change_of_a_coupon_is_refused() {
    // Exhaustive: every position, every Base45 character plus a few others. A coupon this
    // small is a stored zlib block, which has no ignored bits: every change is refused.
    let text = signer().issue(&claims());
    assert_eq!(accepted_single_character_changes(&text), 0);
}

#[test]
fn single_character_changes_of_a_compressed_coupon_never_make_another_coupon() {
    // Many similar ids make zlib use Huffman codes, whose final padding bits are ignored:
    // a change there is accepted only as the very same COSE bytes (asserted inside).
    let ids: Vec<String> = (0..40).map(|i| format!("product-{i:04}")).collect();
    let c = CouponClaims {
        scope: CouponScope::Products(ids),
        ..claims()
    };
    let text = signer().issue(&c);
    let compressed = base45::decode(&text[5..]).unwrap();
    assert_ne!(
        compressed[2] & 0b110,
        0,
        "not a stored block: the case this test is for"
    );
    let same = accepted_single_character_changes(&text);
    eprintln!(
        "{same} of {} changes inflate to the same coupon",
        text.len() * 49
    );
}

#[test]
fn untagged_or_wrongly_tagged_cose_is_malformed() {
    let mut c = Crafted::new();
    c.tag = None;
    assert!(refused(&c.text()).to_string().contains("tag 18"));
    c.tag = Some(98); // COSE_Sign
    assert_eq!(refused(&c.text()).code(), "malformed");
}

#[test]
fn other_algorithms_are_unsupported() {
    for alg in [-7, -35, -257, 5, -65_536, 1234] {
        let mut c = Crafted::new();
        c.protected[0].1 = int(alg);
        let r = refused(&c.text());
        assert_eq!(r.code(), "unsupported_algorithm", "alg {alg}: {r}");
    }
    let mut c = Crafted::new();
    c.protected[0].1 = Value::Text("EdDSA".into());
    assert_eq!(refused(&c.text()).code(), "unsupported_algorithm");
    let mut c = Crafted::new();
    c.protected.remove(0);
    assert_eq!(refused(&c.text()).code(), "malformed");
}

#[test]
fn es256_header_with_valid_looking_signature_is_unsupported() {
    // An ES256 signature is also 64 bytes (r || s): shaped right, algorithm wrong.
    let mut c = Crafted::new();
    c.protected[0].1 = int(-7);
    let r = refused(&c.text());
    assert_eq!(
        r,
        Refusal::UnsupportedAlgorithm {
            alg: "ES256 (-7)".into()
        }
    );
}

#[test]
fn alg_in_unprotected_header_does_not_count() {
    let mut c = Crafted::new();
    let alg = c.protected.remove(0);
    c.unprotected.push(alg);
    assert_eq!(refused(&c.text()).code(), "malformed");
}

#[test]
fn kid_must_be_in_the_protected_header() {
    let mut c = Crafted::new();
    let kid = c.protected.remove(1);
    c.unprotected.push(kid.clone());
    assert!(refused(&c.text()).to_string().contains("unprotected"));
    // Both places is refused too: an attacker could change the unprotected one.
    let mut c = Crafted::new();
    c.unprotected.push(kid);
    assert_eq!(refused(&c.text()).code(), "malformed");
    // kid as text instead of bytes.
    let mut c = Crafted::new();
    c.protected[1].1 = Value::Text("shop-key-1".into());
    assert_eq!(refused(&c.text()).code(), "malformed");
    // Empty or over-long kid.
    for kid in [vec![], vec![b'k'; 65], vec![0xff, 0xfe]] {
        let mut c = Crafted::new();
        c.protected[1].1 = Value::Bytes(kid);
        assert_eq!(refused(&c.text()).code(), "malformed");
    }
}

#[test]
fn extra_header_parameters_are_malformed() {
    let mut c = Crafted::new();
    c.protected
        .push((int(3), Value::Text("application/cwt".into())));
    assert_eq!(refused(&c.text()).code(), "malformed");
    let mut c = Crafted::new();
    c.protected.push((int(2), Value::Array(vec![int(-70_000)])));
    c.protected.push((int(-70_000), int(1)));
    assert_eq!(refused(&c.text()).code(), "malformed");
    let mut c = Crafted::new();
    c.protected.push((int(4), Value::Bytes(b"again".to_vec())));
    assert_eq!(refused(&c.text()).code(), "malformed", "duplicate kid");
}

#[test]
fn extra_or_unknown_claims_are_malformed() {
    let with = |extra: (Value, Value)| {
        let mut m = claims_map();
        m.push(extra);
        let mut c = Crafted::new();
        c.payload = cbor(&Value::Map(m));
        refused(&c.text())
    };
    for extra in [
        (int(2), Value::Text("subject".into())),
        (int(3), Value::Text("audience".into())),
        (int(8), Value::Map(vec![])),
        (int(-65_538), int(1)),
        (Value::Text("note".into()), int(1)),
        (int(1), Value::Text("shop-43".into())), // duplicate iss
    ] {
        let r = with(extra.clone());
        assert_eq!(r.code(), "malformed", "{extra:?}: {r}");
    }
    // An unknown key inside the terms map.
    let mut m = claims_map();
    if let Some((_, Value::Map(terms))) = m.last_mut() {
        terms.push((int(9), int(1)));
    }
    let mut c = Crafted::new();
    c.payload = cbor(&Value::Map(m));
    assert!(refused(&c.text()).to_string().contains("unknown key"));
}

#[test]
fn missing_or_mistyped_claims_are_malformed() {
    for key in [1, 4, 5, 6, 7, -65_537] {
        let mut m = claims_map();
        m.retain(|(k, _)| k != &int(key));
        let mut c = Crafted::new();
        c.payload = cbor(&Value::Map(m));
        assert_eq!(refused(&c.text()).code(), "malformed", "without {key}");
    }
    for (key, value) in [
        (4, Value::Float(1.5e9)),
        (4, int(-1)),
        (6, Value::Text("2026-01-01".into())),
        (7, Value::Text("cti as text".into())),
        (1, Value::Bytes(b"shop".to_vec())),
        (-65_537, Value::Array(vec![])),
    ] {
        let mut m = claims_map();
        for (k, v) in &mut m {
            if k == &int(key) {
                *v = value.clone();
            }
        }
        let mut c = Crafted::new();
        c.payload = cbor(&Value::Map(m));
        assert_eq!(refused(&c.text()).code(), "malformed", "{key} = {value:?}");
    }
}

#[test]
fn huge_claims_are_malformed_without_work_beyond_the_limits() {
    // One string just over the id limit, and one as big as the inflate limit allows.
    for len in [65, 3_500] {
        let mut m = claims_map();
        m[0].1 = Value::Text("s".repeat(len));
        let mut c = Crafted::new();
        c.payload = cbor(&Value::Map(m));
        assert_eq!(refused(&c.text()).code(), "malformed", "iss of {len}");
    }
    // Too many scope ids.
    let ids: Vec<String> = (0..65).map(|i| format!("p{i}")).collect();
    let c = CouponClaims {
        scope: CouponScope::Products(ids),
        ..claims()
    };
    assert_eq!(refused(&signer().issue(&c)).code(), "malformed");
    // A payload past the inflate limit.
    let mut c = Crafted::new();
    c.payload = vec![0x60; 5_000];
    assert!(refused(&c.text()).to_string().contains("more than"));
}

fn nested(depth: usize, map: bool) -> Value {
    let mut v = int(0);
    for _ in 0..depth {
        v = if map {
            Value::Map(vec![(int(0), v)])
        } else {
            Value::Array(vec![v])
        };
    }
    v
}

#[test]
fn cbor_nesting_bombs_are_malformed() {
    for map in [false, true] {
        // In the payload, in the terms, in the protected and unprotected headers, and
        // as raw bytes nested far deeper than any Value we could build.
        let mut m = claims_map();
        m.push((int(-65_538), nested(50, map)));
        let mut c = Crafted::new();
        c.payload = cbor(&Value::Map(m));
        assert_eq!(refused(&c.text()).code(), "malformed");

        let mut c = Crafted::new();
        c.protected.push((int(-70_000), nested(300, map)));
        assert_eq!(refused(&c.text()).code(), "malformed");

        let mut c = Crafted::new();
        c.unprotected.push((int(-70_000), nested(300, map)));
        assert_eq!(refused(&c.text()).code(), "malformed");
    }
    // 4000 nested one-element arrays (0x81 ...): within the inflate limit, far past the
    // nesting limit; must fail fast, not overflow the stack.
    let mut raw = vec![0xd2];
    raw.extend(std::iter::repeat_n(0x81, 4_000));
    raw.push(0x00);
    assert_eq!(refused(&code::encode(&raw)).code(), "malformed");
    let mut raw = vec![0xd2];
    raw.extend(std::iter::repeat_n([0xa1, 0x00], 2_000).flatten());
    raw.push(0x00);
    assert_eq!(refused(&code::encode(&raw)).code(), "malformed");
    // Indefinite-length arrays nested deep.
    let raw: Vec<u8> = std::iter::repeat_n(0x9f, 4_000).collect();
    assert_eq!(refused(&code::encode(&raw)).code(), "malformed");
}

#[test]
fn shallow_nesting_within_the_limit_parses() {
    // The depth limit is not so tight that it would refuse a valid structure: depth 8 of
    // arrays decodes as CBOR (and is then refused for its meaning, not its depth).
    let v = nested(claims::MAX_CBOR_DEPTH_FOR_TESTS - 1, false);
    assert!(claims::read_cbor(&cbor(&v), "test").is_ok());
    let v = nested(claims::MAX_CBOR_DEPTH_FOR_TESTS + 1, false);
    assert!(claims::read_cbor(&cbor(&v), "test").is_err());
}

#[test]
fn huge_declared_lengths_do_not_allocate() {
    // A bstr that claims 2^63 bytes, an array that claims 2^32 items: refused, no OOM.
    for raw in [
        vec![
            0xd2, 0x84, 0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ],
        vec![0xd2, 0x9b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00],
        vec![
            0xd2, 0x84, 0x40, 0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ],
    ] {
        assert_eq!(refused(&code::encode(&raw)).code(), "malformed");
    }
}

#[test]
fn detached_payload_and_short_signature_are_malformed() {
    let mut v = claims::read_cbor(&signer().issue_cose(&claims()), "t").unwrap();
    if let Value::Tag(_, inner) = &mut v
        && let Value::Array(items) = inner.as_mut()
    {
        items[2] = Value::Null;
    }
    assert!(
        refused(&code::encode(&cbor(&v)))
            .to_string()
            .contains("detached")
    );
    let mut v = claims::read_cbor(&signer().issue_cose(&claims()), "t").unwrap();
    if let Value::Tag(_, inner) = &mut v
        && let Value::Array(items) = inner.as_mut()
    {
        items[3] = Value::Bytes(vec![0; 63]);
    }
    assert!(
        refused(&code::encode(&cbor(&v)))
            .to_string()
            .contains("64 bytes")
    );
}

#[test]
fn non_canonical_signature_is_bad_signature() {
    // s + L (the group order) verifies under lax RFC 8032 checks; strict verification
    // refuses it, so a coupon has exactly one valid signature.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut v = claims::read_cbor(&signer().issue_cose(&claims()), "t").unwrap();
    if let Value::Tag(_, inner) = &mut v
        && let Value::Array(items) = inner.as_mut()
        && let Value::Bytes(sig) = &mut items[3]
    {
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = u16::from(sig[32 + i]) + u16::from(L[i]) + carry;
            sig[32 + i] = sum as u8;
            carry = sum >> 8;
        }
    }
    let coupon = decode(&code::encode(&cbor(&v))).unwrap();
    assert_eq!(
        coupon.verify_signature(&key_for(&signer())),
        Err(Refusal::BadSignature)
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any single-character change of a random coupon is refused (or, if zlib ignored
        /// it, is byte-for-byte the same coupon).
        #[test]
        fn any_single_character_change_is_refused(
            coupon_id in "[0-9a-f-]{1,40}",
            fen in 1i64..1_000_000_000,
            min_spend in 0i64..1_000_000,
            products in proptest::collection::vec("[a-z0-9]{1,12}", 0..5),
            pos in any::<prop::sample::Index>(),
            new in prop_oneof![
                prop::sample::select(base45::alphabet::TABLE.to_vec()).prop_map(char::from),
                any::<char>(),
            ],
        ) {
            let c = CouponClaims {
                coupon_id,
                value: CouponValue::Amount(Fen(fen)),
                min_spend: Fen(min_spend),
                scope: if products.is_empty() { CouponScope::All } else { CouponScope::Products(products) },
                ..claims()
            };
            let text = signer().issue(&c);
            let (at, old) = text.char_indices().nth(pos.index(text.chars().count())).unwrap();
            prop_assume!(old != new);
            let changed = format!("{}{}{}", &text[..at], new, &text[at + old.len_utf8()..]);
            let verdict = decode(&changed).and_then(|d| d.verify_signature(&key_for(&signer())));
            if verdict.is_ok() {
                prop_assert_eq!(code::decode(&changed).unwrap(), code::decode(&text).unwrap());
            }
        }

        /// Arbitrary text and arbitrary bytes behind the prefix never panic.
        #[test]
        fn arbitrary_input_never_panics(s in ".{0,300}", bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = decode(&s);
            let _ = decode(&format!("SKC1:{s}"));
            if let Ok(d) = decode(&code::encode(&bytes)) {
                let _ = d.verify_signature(&key_for(&signer()));
            }
        }
    }
}

// ---- The worked example of docs/coupon-format.md --------------------------------------

/// The example's secret key (RFC 8032 seed): bytes 0x00, 0x01, ..., 0x1f.
fn example_seed() -> [u8; 32] {
    std::array::from_fn(|i| i as u8)
}

fn example_claims() -> CouponClaims {
    CouponClaims {
        issuer: "shop-42".to_owned(),
        coupon_id: "c-0001".to_owned(),
        issued_ms: 1_767_225_600_000, // 2026-01-01T00:00:00Z
        not_before_ms: 1_767_225_600_000,
        expires_ms: 1_769_904_000_000, // 2026-02-01T00:00:00Z
        book_id: "book-7".to_owned(),
        kind: CouponKind::SingleUse,
        value: CouponValue::Amount(Fen(1_000)),
        max_uses: None,
        min_spend: Fen(5_000),
        scope: CouponScope::Categories(vec!["tea".to_owned()]),
    }
}

/// Every value the doc's example shows, as `(label, value)`.
fn example_values() -> Vec<(&'static str, String)> {
    let s = CouponSigner::from_seed("shop-42-2026a", &example_seed());
    let claims = example_claims();
    let cose = s.issue_cose(&claims);
    let text = s.issue(&claims);
    let compressed = base45::decode(&text[code::PREFIX.len()..]).unwrap();
    vec![
        ("seed", hex::encode(example_seed())),
        ("public key", hex::encode(s.public_key())),
        ("payload", hex::encode(claims.to_payload())),
        ("COSE_Sign1", hex::encode(&cose)),
        ("zlib", hex::encode(compressed)),
        ("text", text),
    ]
}

#[test]
fn doc_worked_example_is_what_the_code_makes() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/coupon-format.md");
    let doc = std::fs::read_to_string(path).expect("docs/coupon-format.md is readable");
    let mut missing = Vec::new();
    for (label, value) in example_values() {
        if !doc.contains(&value) {
            missing.push(format!("{label}:\n{value}"));
        }
    }
    assert!(
        missing.is_empty(),
        "docs/coupon-format.md no longer shows what the code makes; update its example with:\n\n{}",
        missing.join("\n\n")
    );
    // And the example verifies.
    let s = CouponSigner::from_seed("shop-42-2026a", &example_seed());
    let text = s.issue(&example_claims());
    let mut key = key_for(&s);
    key.kid = "shop-42-2026a".into();
    decode(&text).unwrap().verify_signature(&key).unwrap();
}
