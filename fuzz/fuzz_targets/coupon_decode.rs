//! Fuzzes the coupon decoder and the signature check with a fixed shop key (the worked
//! example's, so the seed corpus's valid coupons get all the way through).
//!
//! The first byte picks the layer the rest is fed to, so that random mutations reach the
//! deep layers instead of dying at the prefix or Base45:
//! 0: the whole text; 1: COSE bytes (after zlib); other: "SKC1:" + Base45(rest), i.e. zlib.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sellerkit_core::coupons::{self, DecodedCoupon};
use sellerkit_core::domain::SigningKey;

/// Public key of the seed 0x00..0x1f (docs/coupon-format.md).
const PUBLIC_KEY: &str = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";

fn key() -> SigningKey {
    SigningKey {
        kid: "shop-42-2026a".to_owned(),
        algorithm: "EdDSA".to_owned(),
        public_key: (0..32)
            .map(|i| u8::from_str_radix(&PUBLIC_KEY[2 * i..2 * i + 2], 16).unwrap())
            .collect(),
        not_before_ms: 0,
        not_after_ms: None,
        updated_ms: 0,
    }
}

fn check(decoded: Result<DecodedCoupon, coupons::Refusal>) {
    if let Ok(coupon) = decoded {
        // Whatever decodes must have sane claims, and verifying never panics.
        let claims = coupon.claims();
        assert!(claims.not_before_ms < claims.expires_ms);
        assert!(!coupon.kid().is_empty());
        let _ = coupon.verify_signature(&key());
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode {
        0 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                check(coupons::decode(text));
            }
        }
        1 => check(coupons::decode_cose(rest)),
        _ => check(coupons::decode(&format!("SKC1:{}", base45::encode(rest)))),
    }
});
