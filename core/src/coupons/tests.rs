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
