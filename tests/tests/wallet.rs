//! The coupon wallet end to end: the real dev server process on 127.0.0.1, phones as real
//! SQLite files activated and synced by the `sellerkit` CLI, coupons verified and redeemed
//! through the core's wallet in between, offline.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sellerkit_core::coupons::wallet::{Purchase, Wallet, WalletError};
use sellerkit_core::coupons::{CouponSigner, Refusal, decode};
use sellerkit_core::domain::{DisputeKind, RedemptionState, RevocationTarget};
use sellerkit_core::money::Fen;
use sellerkit_core::store::Store;
use sellerkit_core::time::SystemClock;
use sellerkit_e2e::{
    DevServerProcess, http_get, http_post_json, sellerkit, sellerkit_killed_after, stdout_json,
};
use serde_json::{Value, json};

/// A phone: a database file, synced by the CLI, with the core's wallet on it.
struct Phone {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Phone {
    fn activated(server: &DevServerProcess, shop: &str) -> Phone {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("sellerkit.db");
        let phone = Phone { _dir: dir, db };
        let code = server.activation_code(shop, "standard");
        let o = phone.cli(&[
            "activate",
            "--server",
            &server.url,
            "--code",
            &code,
            "--json",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        phone
    }

    fn cli(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["--db", self.db.to_str().unwrap()];
        all.extend_from_slice(args);
        sellerkit(&all)
    }

    /// A sync by the CLI (a separate process, as the app's background sync would be).
    fn sync(&self) -> Value {
        let o = self.cli(&["sync", "--json", "--digest", "--no-media"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        stdout_json(&o)
    }

    /// The wallet over this phone's database; dropping it closes the database.
    fn wallet(&self) -> (Arc<Store>, Wallet) {
        let store = Arc::new(Store::open(&self.db).unwrap());
        let wallet = Wallet::new(Arc::clone(&store), Arc::new(SystemClock));
        (store, wallet)
    }

    /// The device id the CLI's activation stored.
    fn device(store: &Store) -> String {
        store
            .read(|db| db.sync().state())
            .unwrap()
            .device_id
            .expect("the phone is activated")
    }

    fn redeem(&self, text: &str, total: i64, amount: Option<i64>) -> Result<String, WalletError> {
        let (store, wallet) = self.wallet();
        wallet
            .redeem(
                &Self::device(&store),
                text,
                &Purchase::with_total(Fen(total)),
                amount.map(Fen),
            )
            .map(|r| r.redemption.id)
    }

    fn verify_code(&self, text: &str) -> &'static str {
        let (_store, wallet) = self.wallet();
        wallet
            .verify(text, &Purchase::with_total(Fen(10_000)))
            .unwrap()
            .code()
    }
}

fn create_shop(server: &DevServerProcess, shop: &str) {
    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops",
        &json!({"name": "小王的茶叶店", "shop_id": shop}),
    );
    assert_eq!(code, 201, "{body}");
}

fn issue(server: &DevServerProcess, shop: &str, book: Value) -> Vec<String> {
    let (code, body) = http_post_json(&server.url, &format!("/dev/shops/{shop}/coupons"), &book);
    assert_eq!(code, 201, "{body}");
    let issued: Value = serde_json::from_str(&body).unwrap();
    issued["coupons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_string())
        .collect()
}

fn ledger(server: &DevServerProcess, shop: &str) -> Vec<Value> {
    let (code, body) = http_get(&server.url, &format!("/dev/shops/{shop}/redemptions"));
    assert_eq!(code, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["redemptions"].as_array().unwrap().clone()
}

fn assert_same_shop(sync: &Value, server: &DevServerProcess, shop: &str) {
    let remote = server.digest(shop);
    assert_eq!(sync["digest"]["counts"], remote["counts"], "counts differ");
    assert_eq!(
        sync["digest"]["checksum"], remote["checksum"],
        "content differs"
    );
}

fn server() -> (DevServerProcess, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    (
        DevServerProcess::start(&["--db", db.to_str().unwrap()]),
        dir,
    )
}

#[test]
fn a_single_use_coupon_redeemed_on_two_offline_phones_becomes_one_dispute_both_see() {
    let (server, _sdir) = server();
    create_shop(&server, "shop_tea");
    let a = Phone::activated(&server, "shop_tea");
    let b = Phone::activated(&server, "shop_tea");
    let text = issue(
        &server,
        "shop_tea",
        json!({"title": "满50减10", "kind": "single_use", "value_fen": 1000, "min_spend": 5000,
               "count": 1}),
    )
    .remove(0);
    // Both phones learn the key, then go offline and each accept the coupon.
    a.sync();
    b.sync();
    assert_eq!(a.verify_code(&text), "ok");
    let ra = a.redeem(&text, 8_800, None).unwrap();
    let rb = b.redeem(&text, 6_600, None).unwrap();
    // Each phone alone refuses a second use.
    assert!(matches!(
        a.redeem(&text, 8_800, None),
        Err(WalletError::Refused(Refusal::UsedUp))
    ));

    // Back online: A's reaches the server first.
    let sa = a.sync();
    assert_eq!(
        (sa["applied"].as_u64(), sa["conflicts"].as_u64()),
        (Some(1), Some(0)),
        "{sa}"
    );
    let sb = b.sync();
    assert_eq!(
        (sb["applied"].as_u64(), sb["conflicts"].as_u64()),
        (Some(0), Some(1)),
        "{sb}"
    );
    let entries = ledger(&server, "shop_tea");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["redemption_id"], ra.as_str());
    assert_eq!(entries[0]["accepted"], true);
    assert_eq!(entries[1]["redemption_id"], rb.as_str());
    assert_eq!(entries[1]["accepted"], false);

    // B: its redemption is disputed, the dispute names both, A's redemption arrived.
    {
        let (store, wallet) = b.wallet();
        let disputes = wallet.disputes(false).unwrap();
        assert_eq!(disputes.len(), 1);
        let d = &disputes[0];
        assert_eq!(d.kind, DisputeKind::DoubleUse);
        assert_eq!(d.refused.redemption_id, rb);
        assert_eq!(d.refused.order_total, Fen(6_600));
        assert_eq!(d.accepted[0].redemption_id, ra);
        let mine = store
            .read(|db| db.coupons().redemption(&rb))
            .unwrap()
            .unwrap();
        assert_eq!(mine.state, RedemptionState::Disputed);
        let theirs = store
            .read(|db| db.coupons().redemption(&ra))
            .unwrap()
            .unwrap();
        assert_eq!(theirs.state, RedemptionState::Confirmed);
        assert_eq!(store.status().unwrap().counts.outbox, 0);
    }
    // A sees the dispute after its next sync; its own redemption is confirmed, once.
    let sa = a.sync();
    {
        let (store, wallet) = a.wallet();
        assert_eq!(wallet.disputes(false).unwrap().len(), 1);
        let mine = store
            .read(|db| db.coupons().redemption(&ra))
            .unwrap()
            .unwrap();
        assert_eq!(mine.state, RedemptionState::Confirmed);
        assert_eq!(store.status().unwrap().counts.redemptions, 1);
    }
    // Both phones hold exactly the server's view of the shop.
    assert_same_shop(&sa, &server, "shop_tea");
    assert_same_shop(&b.sync(), &server, "shop_tea");
}

#[test]
fn stored_value_overspent_across_two_phones_is_refused_whole_and_disputed() {
    let (server, _sdir) = server();
    create_shop(&server, "shop_tea");
    let a = Phone::activated(&server, "shop_tea");
    let b = Phone::activated(&server, "shop_tea");
    let text = issue(
        &server,
        "shop_tea",
        json!({"title": "储值卡 ¥50", "kind": "stored_value", "value_fen": 5000, "count": 1}),
    )
    .remove(0);
    a.sync();
    b.sync();
    a.redeem(&text, 9_000, Some(3_000)).unwrap();
    let rb = b.redeem(&text, 9_000, Some(3_000)).unwrap();
    assert_eq!(a.sync()["applied"], 1);
    let sb = b.sync();
    assert_eq!(sb["conflicts"], 1, "{sb}");
    let (_store, wallet) = b.wallet();
    let d = &wallet.disputes(false).unwrap()[0];
    assert_eq!(d.kind, DisputeKind::Overspent);
    assert_eq!(d.refused.redemption_id, rb);
    assert_eq!(d.refused.amount, Fen(3_000));
    // B now counts only what the server accepted: ¥20.00 left, and it can be spent.
    let verdict = wallet.verify(&text, &Purchase::default()).unwrap();
    assert_eq!(verdict.terms.unwrap().balance, Some(Fen(2_000)));
    drop(wallet);
    drop(_store);
    b.redeem(&text, 9_000, Some(2_000)).unwrap();
    assert_eq!(b.sync()["applied"], 1);
    let accepted: i64 = ledger(&server, "shop_tea")
        .iter()
        .filter(|e| e["accepted"] == true)
        .map(|e| e["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(accepted, 5_000);
}

#[test]
fn a_redemption_left_by_a_killed_app_is_pushed_exactly_once() {
    let (server, _sdir) = server();
    create_shop(&server, "shop_tea");
    let phone = Phone::activated(&server, "shop_tea");
    let texts = issue(
        &server,
        "shop_tea",
        json!({"title": "减5", "kind": "single_use", "value_fen": 500, "count": 2}),
    );
    phone.sync();
    // The app redeems and is killed before any sync: the store is dropped mid-session, and
    // the next process finds the redemption and its outbox entry, committed together.
    let rid = {
        let (store, wallet) = phone.wallet();
        let r = wallet
            .redeem(
                &Phone::device(&store),
                &texts[0],
                &Purchase::with_total(Fen(3_000)),
                None,
            )
            .unwrap();
        std::mem::forget(wallet); // no orderly shutdown of the wallet
        drop(store);
        r.redemption.id
    };
    {
        let store = Store::open(&phone.db).unwrap();
        let outbox = store.read(|db| db.sync().pending(10)).unwrap();
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].entity_id, rid);
    }
    let first = phone.sync();
    assert_eq!(first["applied"], 1, "{first}");
    let again = phone.sync();
    assert_eq!(again["pushed"], 0, "{again}");
    let entries = ledger(&server, "shop_tea");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["redemption_id"], rid.as_str());
    let (store, _) = phone.wallet();
    assert_eq!(store.status().unwrap().counts.redemptions, 1);
    assert_eq!(
        store
            .read(|db| db.coupons().redemption(&rid))
            .unwrap()
            .unwrap()
            .state,
        RedemptionState::Confirmed
    );
    assert_same_shop(&again, &server, "shop_tea");
}

#[test]
fn revocations_and_key_validity_reach_the_phone_by_sync() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("shop-key.pem");
    let signer = CouponSigner::generate("unused");
    std::fs::write(&key_file, signer.to_pkcs8_pem()).unwrap();
    let db = dir.path().join("server.db");
    let server = DevServerProcess::start(&[
        "--db",
        db.to_str().unwrap(),
        "--signing-key",
        key_file.to_str().unwrap(),
    ]);
    create_shop(&server, "shop_tea");
    let phone = Phone::activated(&server, "shop_tea");
    let texts = issue(
        &server,
        "shop_tea",
        json!({"title": "减5", "kind": "single_use", "value_fen": 500, "count": 3}),
    );
    phone.sync();
    for t in &texts {
        assert_eq!(phone.verify_code(t), "ok");
    }

    // A revoked coupon is refused once the phone has synced the revocation.
    let cti = decode(&texts[0]).unwrap().claims().coupon_id.clone();
    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops/shop_tea/revocations",
        &json!({"target": "coupon", "target_id": cti, "reason": "reported stolen"}),
    );
    assert_eq!(code, 201, "{body}");
    assert_eq!(phone.verify_code(&texts[0]), "ok", "not synced yet");
    phone.sync();
    assert_eq!(phone.verify_code(&texts[0]), "revoked");
    assert_eq!(phone.verify_code(&texts[1]), "ok");

    // The supplied key is rotated out; a coupon it signs afterwards is outside its validity.
    let kid = decode(&texts[1]).unwrap().kid().to_string();
    let (code, body) = http_post_json(&server.url, "/dev/shops/shop_tea/keys/rotate", &json!({}));
    assert_eq!(code, 200, "{body}");
    phone.sync();
    assert_eq!(
        phone.verify_code(&texts[1]),
        "ok",
        "issued before the rotation"
    );
    let mut late = decode(&texts[1]).unwrap().claims().clone();
    late.coupon_id = "c_late".into();
    late.issued_ms += 3_600_000;
    let late = CouponSigner::from_pkcs8_pem(kid.clone(), &signer.to_pkcs8_pem())
        .unwrap()
        .issue(&late);
    assert_eq!(phone.verify_code(&late), "key_not_valid");

    // Revoking the old key refuses everything it signed.
    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops/shop_tea/revocations",
        &json!({"target": "key", "target_id": kid}),
    );
    assert_eq!(code, 201, "{body}");
    phone.sync();
    let (_store, wallet) = phone.wallet();
    let verdict = wallet
        .verify(&texts[2], &Purchase::with_total(Fen(1_000)))
        .unwrap();
    assert_eq!(
        verdict.refusal,
        Some(Refusal::Revoked {
            what: RevocationTarget::Key
        })
    );
}

/// Every pending local redemption has exactly one outbox entry, and every redemption entry in
/// the outbox names a redemption: a redemption and its entry are committed together.
fn assert_redemptions_match_outbox(store: &Store) {
    let redemptions = store
        .read(|db| db.coupons().recent_redemptions(1_000))
        .unwrap();
    let outbox = store.read(|db| db.sync().pending(1_000)).unwrap();
    let queued: Vec<&str> = outbox
        .iter()
        .filter(|e| e.kind == "redemption")
        .map(|e| e.entity_id.as_str())
        .collect();
    for r in &redemptions {
        let entries = queued.iter().filter(|id| **id == r.id).count();
        if r.state == RedemptionState::Pending {
            assert_eq!(
                entries, 1,
                "pending redemption {} queued {entries} times",
                r.id
            );
        }
    }
    for id in &queued {
        assert!(
            redemptions.iter().any(|r| r.id == *id),
            "outbox entry for a redemption that was not recorded: {id}"
        );
    }
}

#[test]
fn kill_9_while_redeeming_and_while_syncing_pushes_each_redemption_exactly_once() {
    let (server, _sdir) = server();
    create_shop(&server, "shop_tea");
    let phone = Phone::activated(&server, "shop_tea");
    let texts = issue(
        &server,
        "shop_tea",
        json!({"title": "减3", "kind": "single_use", "value_fen": 300, "count": 16}),
    );
    phone.sync();
    let db = phone.db.to_str().unwrap().to_string();
    let mut rng = fastrand::Rng::with_seed(0xC0_FFEE);

    // Redeeming through the real CLI, killed at random points: each redemption is either
    // wholly recorded with its outbox entry or not at all.
    for text in &texts[..8] {
        let after = Duration::from_millis(rng.u64(0..120));
        sellerkit_killed_after(
            &["--db", &db, "coupon", "redeem", text, "--total", "3000"],
            after,
        );
        assert_redemptions_match_outbox(&Store::open(&phone.db).unwrap());
    }
    // The rest redeemed to completion, so there is always something to push.
    for text in &texts[8..] {
        let o = phone.cli(&["coupon", "redeem", text, "--total", "3000", "--json"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let recorded: Vec<String> = Store::open(&phone.db)
        .unwrap()
        .read(|db| db.coupons().recent_redemptions(1_000))
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert!(recorded.len() >= 8, "{recorded:?}");

    // Syncs killed at random points: before, during and after the server applies the push.
    for _ in 0..10 {
        let after = Duration::from_millis(rng.u64(5..400));
        sellerkit_killed_after(&["--db", &db, "sync", "--no-media"], after);
        assert_redemptions_match_outbox(&Store::open(&phone.db).unwrap());
    }
    let last = phone.sync();
    let again = phone.sync();
    assert_eq!(again["pushed"], 0, "{again}");
    assert_same_shop(&again, &server, "shop_tea");
    let _ = last;

    // The server holds each recorded redemption exactly once, all accepted.
    let entries = ledger(&server, "shop_tea");
    let mut ids: Vec<&str> = entries
        .iter()
        .map(|e| e["redemption_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut expected: Vec<&str> = recorded.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(ids, expected, "server ledger vs the phone's redemptions");
    assert!(entries.iter().all(|e| e["accepted"] == true), "{entries:?}");
    let store = Store::open(&phone.db).unwrap();
    assert_eq!(store.status().unwrap().counts.outbox, 0);
    for id in &recorded {
        let r = store
            .read(|db| db.coupons().redemption(id))
            .unwrap()
            .unwrap();
        assert_eq!(r.state, RedemptionState::Confirmed, "{id}");
    }
}
