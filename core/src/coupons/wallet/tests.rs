//! The wallet against a real database: every refusal, redemption bookkeeping, and property
//! tests for the redemption rules.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use proptest::prelude::*;

use crate::domain::RevocationTarget;

use super::*;
use crate::coupons::{CouponClaims, CouponSigner, OfflineLimitReached};
use crate::domain::{
    CouponBook, Product, ProductStatus, Revocation, ShopProfile, SigningKey, Tier,
};
use crate::money::Bps;
use crate::protocol::REDEMPTION_KIND;
use crate::time::FixedClock;

const SHOP: &str = "shop-1";
const DAY: i64 = 86_400_000;
/// The device id the fixture activates.
const DEVICE: &str = "dev-a";
/// A whole second: coupon instants are whole seconds.
const NOW: i64 = 1_767_300_000_000;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    clock: Arc<FixedClock>,
    wallet: Wallet,
    signer: CouponSigner,
}

fn signing_key(signer: &CouponSigner, not_before_ms: i64, not_after_ms: Option<i64>) -> SigningKey {
    SigningKey {
        kid: signer.kid().to_string(),
        algorithm: "EdDSA".into(),
        public_key: signer.public_key().to_vec(),
        not_before_ms,
        not_after_ms,
        updated_ms: 1,
    }
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path().join("wallet.db")).unwrap());
    let signer = CouponSigner::from_seed("k1", &[3; 32]);
    store
        .write(|db| {
            db.shop().put(&ShopProfile {
                shop_id: SHOP.into(),
                name: "茶".into(),
                description: String::new(),
                logo_image_id: None,
                banner_image_id: None,
                time_zone: "Asia/Shanghai".into(),
                tier: Tier::Standard,
                version: 1,
                updated_ms: 1,
                theme_color: None,
            })?;
            db.coupons().put_key(&signing_key(&signer, 0, None))?;
            db.sync().set_device(DEVICE, "http://127.0.0.1:1")?;
            db.sync().note_sync_end(NOW - 1_000, None)
        })
        .unwrap();
    let clock = Arc::new(FixedClock::new(NOW));
    let wallet = Wallet::new(Arc::clone(&store), clock.clone());
    Fixture {
        _dir: dir,
        store,
        clock,
        wallet,
        signer,
    }
}

fn claims(kind: CouponKind, value: CouponValue, max_uses: Option<u32>) -> CouponClaims {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    CouponClaims {
        issuer: SHOP.into(),
        coupon_id: format!("cti-{}", NEXT.fetch_add(1, Ordering::Relaxed)),
        issued_ms: NOW - DAY,
        not_before_ms: NOW - DAY,
        expires_ms: NOW + 30 * DAY,
        book_id: "b1".into(),
        kind,
        value,
        max_uses,
        min_spend: Fen::ZERO,
        scope: CouponScope::All,
    }
}

fn ten_off() -> CouponClaims {
    claims(CouponKind::SingleUse, CouponValue::Amount(Fen(1_000)), None)
}

fn stored(balance: i64) -> CouponClaims {
    claims(
        CouponKind::StoredValue,
        CouponValue::Amount(Fen(balance)),
        None,
    )
}

fn refused(result: Result<Redeemed, WalletError>) -> Refusal {
    match result {
        Err(WalletError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

impl Fixture {
    fn issue(&self, claims: &CouponClaims) -> String {
        self.signer.issue(claims)
    }

    fn verify(&self, text: &str, total: Option<i64>) -> Verdict {
        let purchase = Purchase {
            total: total.map(Fen),
            product_ids: Vec::new(),
        };
        self.wallet.verify(text, &purchase).unwrap()
    }

    fn redeem(&self, text: &str, total: i64, amount: Option<i64>) -> Result<Redeemed, WalletError> {
        self.wallet.redeem(
            DEVICE,
            text,
            &Purchase::with_total(Fen(total)),
            amount.map(Fen),
        )
    }

    fn revoke(&self, target: RevocationTarget, id: &str) {
        self.store
            .write(|db| {
                db.coupons().put_revocation(&Revocation {
                    id: format!("rev-{id}"),
                    target,
                    target_id: id.into(),
                    revoked_ms: NOW,
                    reason: "lost".into(),
                })
            })
            .unwrap();
    }

    fn limit(&self, count: u32, value: i64, hours: u32) {
        self.wallet
            .set_limits(&WalletLimits {
                max_unsynced_count: count,
                max_unsynced_value: Fen(value),
                max_offline_hours: hours,
            })
            .unwrap();
    }
}

#[test]
fn a_genuine_coupon_is_accepted_redeemed_once_and_queued_for_the_server() {
    let f = fixture();
    f.store
        .write(|db| {
            db.coupons().put_book(&CouponBook {
                id: "b1".into(),
                title: "满50减10".into(),
                kind: CouponKind::SingleUse,
                value_fen: Some(Fen(1_000)),
                value_bps: None,
                max_uses: None,
                min_spend: Fen::ZERO,
                valid_from_ms: 0,
                valid_until_ms: NOW + 30 * DAY,
                scope: CouponScope::All,
                issued_count: 1,
                version: 1,
                updated_ms: 1,
            })
        })
        .unwrap();
    let text = f.issue(&ten_off());
    let verdict = f.verify(&text, Some(5_000));
    assert!(verdict.is_accepted(), "{verdict:?}");
    assert_eq!(verdict.code(), "ok");
    let terms = verdict.terms.unwrap();
    assert_eq!(terms.book_title.as_deref(), Some("满50减10"));
    assert_eq!(terms.discount, Some(Fen(1_000)));
    assert_eq!(terms.remaining_uses, Some(1));
    assert_eq!(terms.scope_check, ScopeCheck::AllProducts);
    // Verify writes nothing.
    assert_eq!(f.store.status().unwrap().counts.redemptions, 0);

    // A scanner's trailing line break is harmless.
    let done = f.redeem(&format!("{text}\r\n"), 5_000, None).unwrap();
    let r = &done.redemption;
    assert_eq!(r.state, RedemptionState::Pending);
    assert_eq!(r.origin, RedemptionOrigin::Local);
    assert_eq!(r.device_id, "dev-a");
    assert_eq!(
        (r.order_total, r.amount, r.redeemed_ms),
        (Fen(5_000), Fen(1_000), NOW)
    );
    assert_eq!(uuid::Uuid::parse_str(&r.id).unwrap().get_version_num(), 7);
    assert_eq!(done.terms.remaining_uses, Some(0));
    assert_eq!(done.terms.uses, 1);

    let outbox = f.store.read(|db| db.sync().pending(10)).unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].mutation_id, done.mutation_id);
    assert_eq!(outbox[0].kind, REDEMPTION_KIND);
    assert_eq!(outbox[0].entity_id, r.id);
    let payload: RedemptionPayload = serde_json::from_str(&outbox[0].payload).unwrap();
    assert_eq!(payload.coupon, text);
    assert_eq!(payload.redemption_id, r.id);
    assert_eq!(payload.kid, "k1");
    assert_eq!(payload.amount, Fen(1_000));

    // Spent: refused by verify and redeem, and nothing more is written.
    let again = f.verify(&text, Some(5_000));
    assert_eq!(again.refusal, Some(Refusal::UsedUp));
    assert_eq!(again.terms.unwrap().remaining_uses, Some(0));
    assert_eq!(refused(f.redeem(&text, 5_000, None)), Refusal::UsedUp);
    assert_eq!(f.store.status().unwrap().counts.outbox, 1);
    assert_eq!(f.wallet.redemptions(10).unwrap(), vec![done.redemption]);
}

#[test]
fn forged_foreign_unknown_and_unreadable_coupons_are_refused_without_terms() {
    let f = fixture();
    let text = f.issue(&ten_off());
    let cases: Vec<(String, &str)> = vec![
        ("hello".into(), "malformed"),
        (text[..text.len() - 3].to_string(), "malformed"),
        (
            CouponSigner::from_seed("k1", &[9; 32]).issue(&ten_off()),
            "bad_signature",
        ),
        (
            CouponSigner::from_seed("k-other", &[3; 32]).issue(&ten_off()),
            "unknown_key",
        ),
        (
            f.issue(&CouponClaims {
                issuer: "shop-2".into(),
                ..ten_off()
            }),
            "wrong_shop",
        ),
    ];
    for (text, code) in cases {
        let verdict = f.verify(&text, Some(5_000));
        assert_eq!(verdict.code(), code, "{verdict:?}");
        assert_eq!(
            verdict.terms, None,
            "{code}: unverified claims must not be shown"
        );
        let err = f.redeem(&text, 5_000, None).unwrap_err();
        assert!(
            matches!(&err, WalletError::Refused(r) if r.code() == code),
            "{err:?}"
        );
    }
    assert_eq!(f.store.status().unwrap().counts.redemptions, 0);
}

#[test]
fn a_key_used_outside_its_validity_is_refused() {
    let f = fixture();
    let text = f.issue(&ten_off()); // issued NOW - DAY
    let set_key = |nb: i64, na: Option<i64>| {
        f.store
            .write(|db| db.coupons().put_key(&signing_key(&f.signer, nb, na)))
            .unwrap();
    };
    set_key(NOW - DAY + 1, None);
    assert_eq!(f.verify(&text, None).code(), "key_not_valid");
    set_key(0, Some(NOW - DAY));
    assert_eq!(f.verify(&text, None).code(), "key_not_valid");
    set_key(0, Some(NOW - DAY + 1));
    assert_eq!(f.verify(&text, None).code(), "ok");
}

#[test]
fn revoking_the_coupon_its_book_or_its_key_refuses_it() {
    for (target, id) in [
        (RevocationTarget::Coupon, None),
        (RevocationTarget::Book, Some("b1")),
        (RevocationTarget::Key, Some("k1")),
    ] {
        let f = fixture();
        let c = ten_off();
        let text = f.issue(&c);
        assert!(f.verify(&text, None).is_accepted());
        f.revoke(target, id.unwrap_or(&c.coupon_id));
        let verdict = f.verify(&text, Some(5_000));
        assert_eq!(verdict.refusal, Some(Refusal::Revoked { what: target }));
        assert!(
            verdict.terms.is_some(),
            "a genuine coupon still shows its terms"
        );
        assert_eq!(
            refused(f.redeem(&text, 5_000, None)),
            Refusal::Revoked { what: target }
        );
    }
}

#[test]
fn revocations_report_the_coupon_first_then_its_book_then_its_key() {
    let f = fixture();
    let c = ten_off();
    let text = f.issue(&c);
    // Unrelated revocations (another coupon, book or key with the same ids as our other
    // fields) do not touch it.
    f.revoke(RevocationTarget::Coupon, "b1");
    f.revoke(RevocationTarget::Book, &c.coupon_id);
    f.revoke(RevocationTarget::Key, "b1");
    assert!(f.verify(&text, None).is_accepted());
    f.revoke(RevocationTarget::Key, "k1");
    f.revoke(RevocationTarget::Book, "b1");
    assert_eq!(
        f.verify(&text, None).refusal,
        Some(Refusal::Revoked {
            what: RevocationTarget::Book
        })
    );
    f.revoke(RevocationTarget::Coupon, &c.coupon_id);
    assert_eq!(
        f.verify(&text, None).refusal,
        Some(Refusal::Revoked {
            what: RevocationTarget::Coupon
        })
    );
}

#[test]
fn the_validity_window_holds_to_the_millisecond_with_the_tolerance() {
    let f = fixture();
    let c = CouponClaims {
        not_before_ms: NOW + DAY,
        expires_ms: NOW + 2 * DAY,
        ..ten_off()
    };
    let text = f.issue(&c);
    let t = CLOCK_TOLERANCE_MS;
    for (at, code) in [
        (c.not_before_ms - t - 1, "not_yet_valid"),
        (c.not_before_ms - t, "ok"),
        (c.expires_ms + t - 1, "ok"),
        (c.expires_ms + t, "expired"),
    ] {
        f.clock.set(at);
        // Keep the device freshly synced so only the window decides.
        f.store
            .write(|db| db.sync().note_sync_end(at, None))
            .unwrap();
        assert_eq!(f.verify(&text, Some(5_000)).code(), code, "at {at}");
    }
}

#[test]
fn minimum_spend_and_discounts_follow_the_order_total() {
    let f = fixture();
    let c = CouponClaims {
        min_spend: Fen(5_000),
        ..claims(
            CouponKind::SingleUse,
            CouponValue::Percent(Bps(1_500)),
            None,
        )
    };
    let text = f.issue(&c);
    let verdict = f.verify(&text, Some(4_999));
    assert_eq!(
        verdict.refusal,
        Some(Refusal::BelowMinSpend {
            min_spend: Fen(5_000)
        })
    );
    // Without a total: genuine and valid, discount unknown.
    let verdict = f.verify(&text, None);
    assert!(verdict.is_accepted());
    assert_eq!(verdict.terms.unwrap().discount, None);
    // 15% of ¥123.45 = ¥18.5175 → ¥18.52.
    assert_eq!(
        f.verify(&text, Some(12_345)).terms.unwrap().discount,
        Some(Fen(1_852))
    );
    // A fixed amount never exceeds the total.
    let small = f.issue(&ten_off());
    let done = f.redeem(&small, 600, None).unwrap();
    assert_eq!(done.redemption.amount, Fen(600));
    // Nonsense input is an error, not a refusal.
    assert!(matches!(
        f.redeem(&text, 0, None),
        Err(WalletError::InvalidInput { .. })
    ));
    assert!(matches!(
        f.redeem(&text, 12_345, Some(1)),
        Err(WalletError::InvalidInput { what: "amount", .. })
    ));
    assert!(matches!(
        f.wallet.redeem(DEVICE, &text, &Purchase::default(), None),
        Err(WalletError::InvalidInput { .. })
    ));
    // Its own discount as the amount is accepted.
    assert!(f.redeem(&text, 12_345, Some(1_852)).is_ok());
}

#[test]
fn a_limited_scope_is_checked_against_the_products_given() {
    let f = fixture();
    f.store
        .write(|db| {
            db.catalog().put_product(&Product {
                id: "p-tea".into(),
                title: "龙井".into(),
                description: String::new(),
                category: "tea".into(),
                price: Fen(9_900),
                stock: 1,
                status: ProductStatus::Active,
                version: 1,
                updated_ms: 1,
                featured: false,
                mobile_description: String::new(),
                gallery: Vec::new(),
            })
        })
        .unwrap();
    let by_category = f.issue(&CouponClaims {
        scope: CouponScope::Categories(vec!["tea".into()]),
        ..ten_off()
    });
    let purchase = |ids: &[&str]| Purchase {
        total: Some(Fen(9_900)),
        product_ids: ids.iter().map(|s| s.to_string()).collect(),
    };
    let check = |text: &str, ids: &[&str]| f.wallet.verify(text, &purchase(ids)).unwrap();
    let verdict = check(&by_category, &["p-tea"]);
    assert_eq!(verdict.terms.unwrap().scope_check, ScopeCheck::Covered);
    assert_eq!(
        check(&by_category, &["p-cup"]).refusal,
        Some(Refusal::OutOfScope)
    );
    let verdict = check(&by_category, &[]);
    assert!(verdict.is_accepted());
    assert_eq!(
        verdict.terms.unwrap().scope_check,
        ScopeCheck::SellerConfirms
    );
    let by_product = f.issue(&CouponClaims {
        scope: CouponScope::Products(vec!["p-cup".into()]),
        ..ten_off()
    });
    assert!(check(&by_product, &["p-tea", "p-cup"]).is_accepted());
    assert_eq!(
        refused(
            f.wallet
                .redeem(DEVICE, &by_product, &purchase(&["p-tea"]), None)
        ),
        Refusal::OutOfScope
    );
}

#[test]
fn n_uses_count_this_devices_and_other_devices_redemptions() {
    let f = fixture();
    let c = claims(CouponKind::MultiUse, CouponValue::Amount(Fen(500)), Some(3));
    let text = f.issue(&c);
    f.redeem(&text, 5_000, None).unwrap();
    // A use on another device, learnt by sync.
    f.store
        .write(|db| {
            db.coupons().put_server_redemption(&Redemption {
                id: "r-elsewhere".into(),
                coupon_id: c.coupon_id.clone(),
                book_id: "b1".into(),
                device_id: "dev-b".into(),
                order_total: Fen(5_000),
                amount: Fen(500),
                redeemed_ms: NOW - 10,
                origin: RedemptionOrigin::Server,
                state: RedemptionState::Confirmed,
            })
        })
        .unwrap();
    let terms = f.verify(&text, None).terms.unwrap();
    assert_eq!((terms.uses, terms.remaining_uses), (2, Some(1)));
    let last = f.redeem(&text, 5_000, None).unwrap();
    assert_eq!(last.terms.remaining_uses, Some(0));
    assert_eq!(refused(f.redeem(&text, 5_000, None)), Refusal::UsedUp);
    // A use the server refused gives the use back.
    f.store
        .write(|db| {
            db.coupons()
                .set_redemption_state(&last.redemption.id, RedemptionState::Disputed)
        })
        .unwrap();
    assert_eq!(f.verify(&text, None).terms.unwrap().remaining_uses, Some(1));
}

#[test]
fn stored_value_is_spent_in_parts_until_the_balance_is_gone() {
    let f = fixture();
    let text = f.issue(&stored(5_000));
    assert_eq!(
        f.verify(&text, None).terms.unwrap().balance,
        Some(Fen(5_000))
    );
    let first = f.redeem(&text, 8_000, Some(3_000)).unwrap();
    assert_eq!(first.terms.balance, Some(Fen(2_000)));
    assert_eq!(
        refused(f.redeem(&text, 8_000, Some(2_001))),
        Refusal::InsufficientBalance {
            balance: Fen(2_000)
        }
    );
    // By default as much as the balance and the total allow.
    let second = f.redeem(&text, 1_500, None).unwrap();
    assert_eq!(second.redemption.amount, Fen(1_500));
    assert_eq!(second.terms.balance, Some(Fen(500)));
    let third = f.redeem(&text, 9_000, None).unwrap();
    assert_eq!(third.redemption.amount, Fen(500));
    assert_eq!(refused(f.redeem(&text, 100, None)), Refusal::UsedUp);
    // More than the order total is a mistake, not a refusal.
    let other = f.issue(&stored(5_000));
    assert!(matches!(
        f.redeem(&other, 1_000, Some(1_001)),
        Err(WalletError::InvalidInput { .. })
    ));
}

#[test]
fn offline_limits_stop_redeeming_until_the_next_sync() {
    let f = fixture();
    f.limit(2, 1_500, 72);
    f.redeem(&f.issue(&ten_off()), 5_000, None).unwrap();
    // Value: ¥10 waiting, a second ¥10 would make ¥20 > ¥15.
    let text = f.issue(&ten_off());
    assert_eq!(f.verify(&text, Some(5_000)).code(), "offline_limit");
    // Unknown total: the value cap cannot be judged yet, the count can.
    assert!(f.verify(&text, None).is_accepted());
    f.redeem(&f.issue(&stored(5_000)), 5_000, Some(400))
        .unwrap();
    // Count: two wait for the server.
    let verdict = f.verify(&text, None);
    assert_eq!(verdict.code(), "offline_limit");
    assert!(matches!(
        verdict.refusal,
        Some(Refusal::OfflineLimit {
            limit: OfflineLimitReached::TooManyUnsynced { count: 2, max: 2 }
        })
    ));
    let status = f.wallet.status().unwrap();
    assert_eq!(status.unsynced.count, 2);
    assert_eq!(status.unsynced.value, Fen(1_400));
    assert_eq!(status.redeem_until_ms, Some(NOW - 1_000 + 72 * 3_600_000));

    // After a sync that confirmed them, redeeming works again...
    f.store
        .write(|db| -> Result<(), StoreError> {
            for r in db.coupons().recent_redemptions(10)? {
                db.coupons()
                    .set_redemption_state(&r.id, RedemptionState::Confirmed)?;
            }
            db.sync().note_sync_end(NOW, None)
        })
        .unwrap();
    assert!(f.verify(&text, Some(5_000)).is_accepted());
    // ...until 72 hours without a sync have passed.
    f.clock.set(NOW + 72 * 3_600_000);
    assert!(f.verify(&text, Some(5_000)).is_accepted());
    f.clock.set(NOW + 72 * 3_600_000 + 1);
    assert_eq!(
        refused(f.redeem(&text, 5_000, None)).code(),
        "offline_limit"
    );
}

#[test]
fn a_redemption_survives_a_restart_without_sync_and_is_queued_once() {
    let f = fixture();
    let text = f.issue(&ten_off());
    let done = f.redeem(&text, 5_000, None).unwrap();
    let path = f.store.path().to_path_buf();
    drop(f.wallet);
    drop(f.store);
    let store = Arc::new(Store::open(&path).unwrap());
    let outbox = store.read(|db| db.sync().pending(10)).unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].entity_id, done.redemption.id);
    let wallet = Wallet::new(Arc::clone(&store), f.clock.clone());
    let verdict = wallet
        .verify(&text, &Purchase::with_total(Fen(5_000)))
        .unwrap();
    assert_eq!(verdict.refusal, Some(Refusal::UsedUp));
}

#[test]
fn disputes_are_listed_and_dismissed() {
    let f = fixture();
    let dispute = Dispute {
        id: "dsp-1".into(),
        coupon_id: "cti-x".into(),
        book_id: "b1".into(),
        kind: crate::domain::DisputeKind::DoubleUse,
        accepted: vec![],
        refused: crate::domain::RefusedRedemption {
            redemption_id: "r1".into(),
            device_id: "dev-a".into(),
            amount: Fen(1_000),
            order_total: Fen(5_000),
            redeemed_ms: NOW,
        },
        detected_ms: NOW,
        message: "spent elsewhere first".into(),
        resolved_ms: None,
    };
    f.store
        .write(|db| db.coupons().put_dispute(&dispute))
        .unwrap();
    assert_eq!(f.wallet.disputes(false).unwrap(), vec![dispute]);
    assert!(f.wallet.resolve_dispute("dsp-1").unwrap());
    assert!(f.wallet.disputes(false).unwrap().is_empty());
    assert_eq!(f.wallet.disputes(true).unwrap()[0].resolved_ms, Some(NOW));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever amounts are asked, a stored-value coupon never spends more than its value
    /// on this device, and every refusal is the one the balance calls for.
    #[test]
    fn stored_value_is_never_overspent_locally(
        value in 1i64..20_000,
        asks in prop::collection::vec((1i64..10_000, prop::option::of(1i64..8_000)), 1..12),
    ) {
        let f = fixture();
        f.limit(1_000, i64::MAX / 4, 72);
        let c = stored(value);
        let text = f.issue(&c);
        let mut balance = value;
        for (total, amount) in asks {
            match f.redeem(&text, total, amount) {
                Ok(done) => {
                    let want = amount.unwrap_or(balance.min(total));
                    prop_assert_eq!(done.redemption.amount.0, want);
                    prop_assert!(want <= balance && want <= total && want > 0);
                    balance -= want;
                    prop_assert_eq!(done.terms.balance, Some(Fen(balance)));
                }
                Err(WalletError::Refused(Refusal::UsedUp)) => prop_assert_eq!(balance, 0),
                Err(WalletError::Refused(Refusal::InsufficientBalance { balance: b })) => {
                    prop_assert_eq!(b.0, balance);
                    prop_assert!(amount.is_some_and(|a| a > balance));
                }
                Err(WalletError::InvalidInput { .. }) => {
                    prop_assert!(amount.is_some_and(|a| a > total));
                }
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
            let spent = f.store.read(|db| db.coupons().usage_of(&c.coupon_id)).unwrap().spent;
            prop_assert!(spent.0 <= value);
            prop_assert_eq!(spent.0, value - balance);
        }
    }

    /// An N-use coupon is redeemed exactly `min(attempts, N)` times on this device.
    #[test]
    fn uses_never_exceed_the_maximum_locally(max in 1u32..6, attempts in 0usize..10) {
        let f = fixture();
        let c = claims(CouponKind::MultiUse, CouponValue::Percent(Bps(500)), Some(max));
        let text = f.issue(&c);
        let mut ok = 0u32;
        for _ in 0..attempts {
            match f.redeem(&text, 2_000, None) {
                Ok(_) => ok += 1,
                Err(WalletError::Refused(Refusal::UsedUp)) => prop_assert_eq!(ok, max),
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }
        prop_assert_eq!(ok, max.min(attempts as u32));
        let uses = f.store.read(|db| db.coupons().usage_of(&c.coupon_id)).unwrap().uses;
        prop_assert_eq!(uses, ok);
    }

    /// The offline caps hold whatever is redeemed: unsynced count and value never pass them.
    #[test]
    fn offline_caps_are_never_exceeded(
        max_count in 0u32..5,
        max_value in 0i64..5_000,
        values in prop::collection::vec(1i64..3_000, 0..10),
    ) {
        let f = fixture();
        f.limit(max_count, max_value, 72);
        for v in values {
            let text = f.issue(&claims(CouponKind::SingleUse, CouponValue::Amount(Fen(v)), None));
            let before = f.wallet.status().unwrap().unsynced;
            match f.redeem(&text, 10_000, None) {
                Ok(_) => prop_assert!(before.count < max_count && before.value.0 + v <= max_value),
                Err(WalletError::Refused(Refusal::OfflineLimit { .. })) => {
                    prop_assert!(before.count >= max_count || before.value.0 + v > max_value);
                }
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
            let after = f.wallet.status().unwrap().unsynced;
            prop_assert!(after.count <= max_count && after.value.0 <= max_value);
        }
    }
}
