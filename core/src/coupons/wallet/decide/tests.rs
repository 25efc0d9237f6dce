//! The wallet's rules on hand-made facts: no database.

use super::*;
use crate::coupons::{CouponClaims, CouponSigner, CouponValue, OfflineLimitReached, decode};

const SHOP: &str = "shop-1";
const DAY: i64 = 86_400_000;
const NOW: i64 = 1_767_300_000_000;

fn signer() -> CouponSigner {
    CouponSigner::from_seed("k1", &[3; 32])
}

fn claims(scope: CouponScope) -> CouponClaims {
    CouponClaims {
        issuer: SHOP.into(),
        coupon_id: "cti-1".into(),
        issued_ms: NOW - DAY,
        not_before_ms: NOW - DAY,
        expires_ms: NOW + 30 * DAY,
        book_id: "b1".into(),
        kind: CouponKind::SingleUse,
        value: CouponValue::Amount(Fen(1_000)),
        max_uses: None,
        min_spend: Fen(5_000),
        scope,
    }
}

fn coupon(scope: CouponScope) -> DecodedCoupon {
    decode(&signer().issue(&claims(scope))).expect("a well-formed coupon")
}

/// What a synced, activated phone knows about a fresh coupon.
fn facts() -> Facts {
    let signer = signer();
    Facts {
        shop_id: Some(SHOP.into()),
        key: Some(SigningKey {
            kid: signer.kid().to_string(),
            algorithm: "EdDSA".into(),
            public_key: signer.public_key().to_vec(),
            not_before_ms: 0,
            not_after_ms: None,
            updated_ms: 1,
        }),
        last_sync_ms: Some(NOW - 1_000),
        ..Facts::default()
    }
}

fn order(total: i64) -> Purchase {
    Purchase::with_total(Fen(total))
}

fn refusal(facts: &Facts, purchase: &Purchase) -> Option<Refusal> {
    decide(NOW, &coupon(CouponScope::All), facts, purchase, None)
        .unwrap()
        .verdict
        .refusal
}

#[test]
fn a_genuine_fresh_coupon_is_accepted_with_its_discount() {
    let e = decide(
        NOW,
        &coupon(CouponScope::All),
        &facts(),
        &order(8_000),
        None,
    )
    .unwrap();
    assert_eq!(e.verdict.refusal, None);
    assert_eq!(e.amount, Some(Fen(1_000)));
    let terms = e.verdict.terms.unwrap();
    assert_eq!(terms.discount, Some(Fen(1_000)));
    assert_eq!(terms.remaining_uses, Some(1));
}

#[test]
fn not_genuine_comes_first_and_shows_no_terms() {
    let other_shop = Facts {
        shop_id: Some("shop-2".into()),
        ..facts()
    };
    let e = decide(
        NOW,
        &coupon(CouponScope::All),
        &other_shop,
        &order(8_000),
        None,
    )
    .unwrap();
    assert_eq!(e.verdict.refusal, Some(Refusal::WrongShop));
    assert_eq!(e.verdict.terms, None);
    let no_key = Facts {
        key: None,
        ..facts()
    };
    assert_eq!(
        refusal(&no_key, &order(8_000)),
        Some(Refusal::UnknownKey { kid: "k1".into() })
    );
}

#[test]
fn revoked_used_up_and_below_min_spend_keep_the_terms() {
    let revoked = Facts {
        revoked: Some(RevocationTarget::Book),
        ..facts()
    };
    let e = decide(
        NOW,
        &coupon(CouponScope::All),
        &revoked,
        &order(8_000),
        None,
    )
    .unwrap();
    assert_eq!(
        e.verdict.refusal,
        Some(Refusal::Revoked {
            what: RevocationTarget::Book
        })
    );
    assert!(
        e.verdict.terms.is_some(),
        "a genuine coupon shows what it was"
    );
    let used = Facts {
        usage: CouponUsage {
            uses: 1,
            spent: Fen(1_000),
        },
        ..facts()
    };
    assert_eq!(refusal(&used, &order(8_000)), Some(Refusal::UsedUp));
    assert_eq!(
        refusal(&facts(), &order(4_999)),
        Some(Refusal::BelowMinSpend {
            min_spend: Fen(5_000)
        })
    );
}

#[test]
fn the_offline_limits_are_checked_last() {
    let never = Facts {
        last_sync_ms: None,
        ..facts()
    };
    assert_eq!(
        refusal(&never, &order(8_000)),
        Some(Refusal::OfflineLimit {
            limit: OfflineLimitReached::NeverSynced
        })
    );
    // Below the minimum spend is the clearer reason even on a phone that never synced.
    assert!(matches!(
        refusal(&never, &order(100)),
        Some(Refusal::BelowMinSpend { .. })
    ));
}

#[test]
fn a_category_scope_uses_the_catalogue_facts() {
    let scoped = coupon(CouponScope::Categories(vec!["tea".into()]));
    let purchase = Purchase {
        total: Some(Fen(8_000)),
        product_ids: vec!["p-1".into()],
    };
    let mut known = facts();
    known.categories.insert("p-1".into(), "tea".into());
    let e = decide(NOW, &scoped, &known, &purchase, None).unwrap();
    assert_eq!(e.verdict.refusal, None);
    let e = decide(NOW, &scoped, &facts(), &purchase, None).unwrap();
    assert_eq!(e.verdict.refusal, Some(Refusal::OutOfScope));
}
