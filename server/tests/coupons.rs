//! The dev server's coupon wallet side over real HTTP on 127.0.0.1: issuing signed books,
//! keys and revocations in the feed, redemptions applied first-wins with disputes, refusals
//! with reason codes, the tier quota, key rotation and a supplied key.

mod common;

use common::{Device, Harness, mutation};
use reqwest::StatusCode;
use sellerkit_core::coupons::{CouponSigner, decode};
use sellerkit_core::domain::SigningKey;
use sellerkit_devserver::{ServerOptions, start};
use serde_json::{Value, json};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn issue(h: &Harness, shop: &str, body: Value) -> Value {
    let (status, answer) = h
        .post(&format!("/dev/shops/{shop}/coupons"), None, body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer
}

fn texts(issued: &Value) -> Vec<String> {
    issued["coupons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_string())
        .collect()
}

/// A redemption mutation for `text`, as the phone's wallet writes it.
fn redemption(mid: i64, rid: &str, text: &str, total: i64, amount: i64, at: i64) -> Value {
    let coupon = decode(text).unwrap();
    mutation(
        mid,
        "redemption",
        rid,
        None,
        json!({
            "redemption_id": rid, "coupon_id": coupon.claims().coupon_id,
            "book_id": coupon.claims().book_id, "kid": coupon.kid(),
            "order_total": total, "amount": amount, "redeemed_ms": at, "coupon": text,
        }),
    )
}

async fn push_one(h: &Harness, device: &Device, m: Value) -> Value {
    let (status, answer) = h.push(device, json!([m])).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["results"][0].clone()
}

fn rid(n: u32) -> String {
    format!("0190a0b0-0000-7000-8000-{n:012}")
}

#[tokio::test]
async fn issued_coupons_are_signed_by_the_key_the_feed_publishes() {
    let h = Harness::start().await;
    let device = h.shop_with_device("shop_a", 0).await;
    let issued = issue(
        &h,
        "shop_a",
        json!({"title": "满50减10", "kind": "single_use", "value_fen": 1000,
               "min_spend": 5000, "count": 3,
               "scope": {"kind": "categories", "ids": ["tea"]}}),
    )
    .await;
    let texts = texts(&issued);
    assert_eq!(texts.len(), 3);
    let (changes, _) = h.pull_all(&device.token, "", 100).await;
    let key: SigningKey = changes
        .iter()
        .find(|c| c["kind"] == "signing_key")
        .map(|c| serde_json::from_value(c["data"].clone()).unwrap())
        .expect("the key is in the feed");
    assert_eq!(key.kid, issued["kid"]);
    let book = changes.iter().find(|c| c["kind"] == "coupon_book").unwrap();
    assert_eq!(book["data"]["issued_count"], 3);
    let book_id = issued["book"]["id"].as_str().unwrap();
    for text in &texts {
        let coupon = decode(text).unwrap();
        coupon.verify_signature(&key).unwrap();
        assert_eq!(coupon.claims().issuer, "shop_a");
        assert_eq!(coupon.claims().book_id, book_id);
        assert_eq!(coupon.claims().min_spend.0, 5000);
    }
    let ids: std::collections::BTreeSet<_> = texts
        .iter()
        .map(|t| decode(t).unwrap().claims().coupon_id.clone())
        .collect();
    assert_eq!(ids.len(), 3, "every coupon has its own id");
    let (status, listed) = h
        .get(
            &format!("/dev/shops/shop_a/coupon-books/{book_id}/coupons"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["coupons"].as_array().unwrap().len(), 3);
    assert_eq!(listed["coupons"][0]["text"], texts[0].as_str());

    // Impossible terms are a 400 with a reason; a book id is issued once.
    for bad in [
        json!({"title": "x", "kind": "single_use", "count": 1}),
        json!({"title": "x", "kind": "multi_use", "value_fen": 100, "count": 1}),
        json!({"title": "x", "kind": "stored_value", "value_bps": 100, "count": 1}),
        json!({"title": "x", "kind": "single_use", "value_fen": 100, "count": 0}),
        json!({"title": "x", "kind": "single_use", "value_fen": 100, "count": 1,
               "valid_from_ms": 2000, "valid_until_ms": 1000}),
    ] {
        let (status, body) = h.post("/dev/shops/shop_a/coupons", None, bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad} -> {body}");
        assert_eq!(body["error"]["code"], "invalid_request");
    }
    let again = json!({"book_id": book_id, "title": "x", "kind": "single_use",
                       "value_fen": 100, "count": 1});
    let (status, _) = h.post("/dev/shops/shop_a/coupons", None, again).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = h
        .post(
            "/dev/shops/nope/coupons",
            None,
            json!({"title": "x", "kind": "single_use",
                                                         "value_fen": 100, "count": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_first_redemption_wins_and_the_second_is_a_dispute_every_device_sees() {
    let h = Harness::start().await;
    let a = h.shop_with_device("shop_a", 0).await;
    let (_, shops) = h.get("/dev/shops", None).await;
    let shop_a = shops["shops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["shop_id"] == "shop_a")
        .unwrap()
        .clone();
    let b = h.activate(&shop_a).await;
    let issued = issue(
        &h,
        "shop_a",
        json!({"title": "减10", "kind": "single_use", "value_fen": 1000, "count": 1}),
    )
    .await;
    let text = &texts(&issued)[0];
    let at = now_ms();

    let first = push_one(&h, &a, redemption(1, &rid(1), text, 5000, 1000, at)).await;
    assert_eq!(first["status"], "applied", "{first}");
    let second = push_one(&h, &b, redemption(1, &rid(2), text, 6000, 1000, at + 5)).await;
    assert_eq!(second["status"], "conflict", "{second}");
    assert_eq!(second["code"], "double_use");
    let dispute = &second["server_state"];
    assert_eq!(dispute["kind"], "double_use");
    assert_eq!(dispute["refused"]["redemption_id"], rid(2).as_str());
    assert_eq!(dispute["refused"]["device_id"], b.device_id.as_str());
    assert_eq!(dispute["refused"]["order_total"], 6000);
    assert_eq!(dispute["accepted"][0]["redemption_id"], rid(1).as_str());
    assert_eq!(dispute["accepted"][0]["device_id"], a.device_id.as_str());

    // Idempotent: the same mutation, or the same redemption under a new mutation id, gets
    // the first answer; A's redemption pushed again is never in dispute with itself.
    let replay = push_one(&h, &b, redemption(1, &rid(2), text, 6000, 1000, at + 5)).await;
    assert_eq!(replay, second);
    let renumbered = push_one(&h, &b, redemption(2, &rid(2), text, 6000, 1000, at + 5)).await;
    assert_eq!(renumbered["status"], "conflict");
    assert_eq!(renumbered["mutation_id"], 2);
    assert_eq!(renumbered["server_state"], second["server_state"]);
    let a_again = push_one(&h, &a, redemption(7, &rid(1), text, 5000, 1000, at)).await;
    assert_eq!(a_again["status"], "applied", "{a_again}");
    // Another device cannot claim A's redemption id.
    let stolen = push_one(&h, &b, redemption(3, &rid(1), text, 5000, 1000, at)).await;
    assert_eq!(stolen["status"], "rejected");
    assert_eq!(stolen["code"], "invalid_redemption");

    // Both devices see the accepted redemption and the dispute.
    for device in [&a, &b] {
        let (changes, _) = h.pull_all(&device.token, "", 100).await;
        let of = |kind: &str| changes.iter().filter(|c| c["kind"] == kind).count();
        assert_eq!(of("redemption"), 1);
        assert_eq!(of("dispute"), 1);
        let red = changes.iter().find(|c| c["kind"] == "redemption").unwrap();
        assert_eq!(red["data"]["id"], rid(1).as_str());
        assert_eq!(red["data"]["state"], "confirmed");
    }
    let (_, ledger) = h.get("/dev/shops/shop_a/redemptions", None).await;
    let rows = ledger["redemptions"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{ledger}");
    assert_eq!(rows[0]["accepted"], true);
    assert_eq!(rows[1]["accepted"], false);
}

#[tokio::test]
async fn n_uses_stop_at_the_maximum_and_stored_value_is_never_overspent() {
    let h = Harness::start().await;
    let a = h.shop_with_device("shop_a", 0).await;
    let multi = issue(
        &h,
        "shop_a",
        json!({"title": "3 uses", "kind": "multi_use", "value_bps": 1000, "max_uses": 2,
               "count": 1}),
    )
    .await;
    let text = &texts(&multi)[0];
    let at = now_ms();
    for (i, want) in [(1, "applied"), (2, "applied"), (3, "conflict")] {
        // 10% of ¥123.45 = ¥12.345 → ¥12.35 (half up).
        let r = push_one(
            &h,
            &a,
            redemption(i, &rid(i as u32), text, 12_345, 1_235, at),
        )
        .await;
        assert_eq!(r["status"], want, "{r}");
    }

    let stored = issue(
        &h,
        "shop_a",
        json!({"title": "储值卡", "kind": "stored_value", "value_fen": 5000, "count": 1}),
    )
    .await;
    let text = &texts(&stored)[0];
    let spend = |mid: i64, n: u32, amount: i64| redemption(mid, &rid(n), text, 9_000, amount, at);
    assert_eq!(
        push_one(&h, &a, spend(10, 10, 3_000)).await["status"],
        "applied"
    );
    let over = push_one(&h, &a, spend(11, 11, 2_500)).await;
    assert_eq!(over["status"], "conflict", "{over}");
    assert_eq!(over["code"], "overspent");
    assert!(
        over["reason"].as_str().unwrap().contains("¥20.00"),
        "{over}"
    );
    // Not partially accepted: the ¥20.00 left can still be spent.
    assert_eq!(
        push_one(&h, &a, spend(12, 12, 2_000)).await["status"],
        "applied"
    );
    assert_eq!(
        push_one(&h, &a, spend(13, 13, 1)).await["code"],
        "overspent"
    );
}

#[tokio::test]
async fn the_server_verifies_every_coupon_itself() {
    let h = Harness::start().await;
    let a = h.shop_with_device("shop_a", 0).await;
    let _other = h.shop_with_device("shop_b", 0).await;
    let at = now_ms();
    let issued = issue(
        &h,
        "shop_a",
        json!({"title": "t", "kind": "single_use", "value_fen": 1000, "min_spend": 3000,
               "count": 6, "valid_from_ms": at - 60_000, "valid_until_ms": at + 3_600_000}),
    )
    .await;
    let t = texts(&issued);
    let foreign = texts(
        &issue(
            &h,
            "shop_b",
            json!({"title": "t", "kind": "single_use", "value_fen": 1000, "count": 1}),
        )
        .await,
    );
    // A flipped character in the signature's part of the text.
    let mut tampered = t[0].clone().into_bytes();
    let i = tampered.len() - 10;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let stranger =
        CouponSigner::from_seed("k-stranger", &[5; 32]).issue(decode(&t[1]).unwrap().claims());

    // Coupon instants are whole seconds: the edges are the coupon's own.
    let claims = decode(&t[0]).unwrap().claims().clone();
    let (nbf, exp) = (claims.not_before_ms, claims.expires_ms);
    let cases = [
        (
            redemption(1, &rid(1), &t[0], 5000, 999, at),
            "invalid_redemption",
        ),
        (
            redemption(2, &rid(2), &t[0], 2999, 1000, at),
            "below_min_spend",
        ),
        (
            redemption(3, &rid(3), &t[0], 5000, 1000, exp + 300_000),
            "expired",
        ),
        (
            redemption(4, &rid(4), &t[0], 5000, 1000, nbf - 300_001),
            "not_yet_valid",
        ),
        (
            redemption(5, &rid(5), &foreign[0], 5000, 1000, at),
            "wrong_shop",
        ),
        (
            redemption(6, &rid(6), &stranger, 5000, 1000, at),
            "unknown_key",
        ),
    ];
    for (m, code) in cases {
        let r = push_one(&h, &a, m).await;
        assert_eq!(r["status"], "rejected", "{code}: {r}");
        assert_eq!(r["code"], code, "{r}");
    }
    let mut forged = redemption(7, &rid(7), &t[0], 5000, 1000, at);
    forged["payload"]["coupon"] = json!(tampered);
    let r = push_one(&h, &a, forged).await;
    assert_eq!(r["status"], "rejected", "{r}");
    assert!(
        ["bad_signature", "malformed"].contains(&r["code"].as_str().unwrap()),
        "{r}"
    );
    let mut lying = redemption(8, &rid(8), &t[1], 5000, 1000, at);
    lying["payload"]["coupon_id"] = json!("c_someone_else");
    assert_eq!(push_one(&h, &a, lying).await["code"], "invalid_redemption");

    // A revocation counts from its instant: an offline redemption made before it stands.
    let cti = decode(&t[2]).unwrap().claims().coupon_id.clone();
    let (status, rev) = h
        .post(
            "/dev/shops/shop_a/revocations",
            None,
            json!({"target": "coupon", "target_id": cti, "reason": "lost"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rev}");
    let revoked_ms = rev["revoked_ms"].as_i64().unwrap();
    let before = push_one(
        &h,
        &a,
        redemption(9, &rid(9), &t[2], 5000, 1000, revoked_ms - 1),
    )
    .await;
    assert_eq!(before["status"], "applied", "{before}");
    let (status, _) = h
        .post(
            "/dev/shops/shop_a/revocations",
            None,
            json!({"target": "book", "target_id": issued["book"]["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let after = push_one(
        &h,
        &a,
        redemption(10, &rid(10), &t[3], 5000, 1000, now_ms() + 1),
    )
    .await;
    assert_eq!(after["code"], "revoked", "{after}");
    let (status, _) = h
        .post(
            "/dev/shops/shop_a/revocations",
            None,
            json!({"target": "coupon", "target_id": "c_nope"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The revocations are in the feed.
    let (changes, _) = h.pull_all(&a.token, "", 100).await;
    assert_eq!(
        changes.iter().filter(|c| c["kind"] == "revocation").count(),
        2
    );
}

#[tokio::test]
async fn the_tier_quota_caps_coupons_issued_per_month() {
    let h = Harness::start().await;
    let (status, _) = h
        .post(
            "/dev/shops",
            None,
            json!({"name": "小店", "shop_id": "shop_small", "tier": "basic"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let book =
        |count: u32| json!({"title": "t", "kind": "single_use", "value_fen": 100, "count": count});
    issue(&h, "shop_small", book(990)).await;
    let (status, body) = h
        .post("/dev/shops/shop_small/coupons", None, book(11))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "quota_exceeded");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("basic") && message.contains("1000"),
        "{message}"
    );
    // Nothing of the refused book was issued: exactly the rest still fits.
    issue(&h, "shop_small", book(10)).await;
    let (status, _) = h.post("/dev/shops/shop_small/coupons", None, book(1)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_rotated_key_keeps_its_coupons_valid_and_signs_no_more() {
    let h = Harness::start().await;
    let a = h.shop_with_device("shop_a", 0).await;
    let body = json!({"title": "t", "kind": "single_use", "value_fen": 100, "count": 1});
    let old = issue(&h, "shop_a", body.clone()).await;
    let (status, new_key) = h
        .post("/dev/shops/shop_a/keys/rotate", None, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{new_key}");
    assert_ne!(new_key["kid"], old["kid"]);
    let new = issue(&h, "shop_a", body).await;
    assert_eq!(new["kid"], new_key["kid"]);
    let (_, keys) = h.get("/dev/shops/shop_a/keys", None).await;
    let keys: Vec<SigningKey> = serde_json::from_value(keys["keys"].clone()).unwrap();
    assert_eq!(keys.len(), 2);
    assert!(keys[0].not_after_ms.is_some() && keys[1].not_after_ms.is_none());
    // The phone gets both keys and can check both coupons.
    let (changes, _) = h.pull_all(&a.token, "", 100).await;
    let synced: Vec<SigningKey> = changes
        .iter()
        .filter(|c| c["kind"] == "signing_key")
        .map(|c| serde_json::from_value(c["data"].clone()).unwrap())
        .collect();
    assert_eq!(synced, keys);
    for (issued, key) in [(&old, &keys[0]), (&new, &keys[1])] {
        decode(&texts(issued)[0])
            .unwrap()
            .verify_signature(key)
            .unwrap();
    }
    let at = now_ms();
    let r = push_one(
        &h,
        &a,
        redemption(1, &rid(1), &texts(&old)[0], 500, 100, at),
    )
    .await;
    assert_eq!(r["status"], "applied", "{r}");
}

#[tokio::test]
async fn a_supplied_signing_key_signs_until_a_rotation() {
    common::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let signer = CouponSigner::generate("ignored");
    let pem_path = dir.path().join("shop-key.pem");
    std::fs::write(&pem_path, signer.to_pkcs8_pem()).unwrap();
    let options = ServerOptions {
        signing_key: Some(pem_path.clone()),
        ..ServerOptions::new(dir.path().join("dev.db"))
    };
    let server = start(options.clone()).await.unwrap();
    let h = Harness::for_url(server.url());
    h.create_shop("shop_a", "A").await;
    let body = json!({"title": "t", "kind": "single_use", "value_fen": 100, "count": 1});
    let issued = issue(&h, "shop_a", body.clone()).await;
    let coupon = decode(&texts(&issued)[0]).unwrap();
    let key = SigningKey {
        kid: coupon.kid().to_string(),
        algorithm: "EdDSA".into(),
        public_key: signer.public_key().to_vec(),
        not_before_ms: 0,
        not_after_ms: None,
        updated_ms: 0,
    };
    coupon.verify_signature(&key).unwrap();
    // After a rotation the shop signs with its new key, even across a restart.
    let (_, rotated) = h
        .post("/dev/shops/shop_a/keys/rotate", None, json!({}))
        .await;
    server.shutdown().await.unwrap();
    let server = start(options).await.unwrap();
    let h = Harness::for_url(server.url());
    assert_eq!(issue(&h, "shop_a", body).await["kid"], rotated["kid"]);
    // A file that is not a key is a start-up error naming the file.
    std::fs::write(&pem_path, "not a key").unwrap();
    let err = start(ServerOptions {
        signing_key: Some(pem_path),
        ..ServerOptions::new(dir.path().join("dev2.db"))
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("shop-key.pem"), "{err}");
}
