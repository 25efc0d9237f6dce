//! The sync protocol against a real dev server on 127.0.0.1: activation, pull, push, media,
//! shop isolation and error answers.

mod common;

use std::collections::HashSet;

use common::{Harness, assert_error, gunzip, gzip, mutation, order, png, product};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

#[tokio::test]
async fn activation_gives_a_token_and_refuses_bad_requests() {
    let h = Harness::start().await;
    let shop = h.create_shop("shop_a", "小王的茶叶店").await;
    for tier in ["basic", "standard", "premium"] {
        let code = shop["activation_codes"][tier].as_str().unwrap();
        // Codes are reusable on the dev server and typed by hand: case and spaces are fine.
        let typed = format!("  {} ", code.to_lowercase());
        let (status, body) = h
            .post(
                "/v1/activate",
                None,
                json!({"code": typed, "device_name": "Redmi 9A", "platform": "android"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["tier"], tier);
        assert_eq!(body["shop_id"], "shop_a");
        assert_eq!(body["shop_name"], "小王的茶叶店");
        let token = body["token"].as_str().unwrap();
        assert!(token.starts_with("skt_") && token.len() == 68, "{token}");
        assert!(body["device_id"].as_str().unwrap().starts_with("dev_"));
    }

    let (status, body) = h
        .post(
            "/v1/activate",
            None,
            json!({"code": "STD-NOPE-NOPE", "device_name": "x", "platform": "android"}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::FORBIDDEN,
        "invalid_activation_code",
    );

    let code = shop["activation_codes"]["basic"].clone();
    for bad in [
        json!({"code": code, "device_name": "x"}), // missing field
        json!({"code": 5, "device_name": "x", "platform": "android"}), // wrong type
        json!({"code": code, "device_name": "x", "platform": "windows-xp"}), // bad value
        json!({"code": code, "device_name": "", "platform": "ios"}), // blank name
        json!([1, 2, 3]),
    ] {
        let (status, body) = h.post("/v1/activate", None, bad.clone()).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    }

    // Not JSON at all, and JSON without the content type.
    let resp = h
        .client
        .post(format!("{}/v1/activate", h.url))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"code\": ")
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    let resp = h
        .client
        .post(format!("{}/v1/activate", h.url))
        .body("{}")
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_error(
        status,
        &body,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    // A body far over the limit of this route.
    let resp = h
        .client
        .post(format!("{}/v1/activate", h.url))
        .header(header::CONTENT_TYPE, "application/json")
        .body(format!("{{\"code\":\"{}\"}}", "A".repeat(1 << 20)))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_error(
        status,
        &body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
}

#[tokio::test]
async fn tokens_are_checked_and_revocation_is_final() {
    let h = Harness::start().await;
    let device = h.shop_with_device("shop_a", 0).await;
    let (status, body) = h.get("/v1/changes", None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = h.get("/v1/changes", Some("skt_0000")).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let resp = h
        .client
        .get(format!("{}/v1/changes", h.url))
        .header(header::AUTHORIZATION, format!("Basic {}", device.token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    let (status, _) = h.get("/v1/changes", Some(&device.token)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = h
        .post(
            &format!("/dev/devices/{}/revoke", device.device_id),
            None,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = h.get("/v1/changes", Some(&device.token)).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "token_revoked");
    let (status, body) = h.push(&device, json!([])).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "token_revoked");
    let (status, body) = h
        .post("/dev/devices/dev_nope/revoke", None, json!({}))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn pull_pages_have_no_gaps_no_duplicates_and_only_the_latest_state() {
    let h = Harness::start().await;
    let device = h.shop_with_device("shop_a", 10).await;
    let orders: Vec<Value> = (0..25)
        .map(|i| order(&format!("o_{i:03}"), 1_000 + i))
        .collect();
    let (status, body) = h
        .post(
            "/dev/shops/shop_a/orders",
            None,
            json!({ "orders": orders }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["written"], 25);

    let (changes, cursor) = h.pull_all(&device.token, "", 7).await;
    assert_eq!(changes.len(), 1 + 10 + 25);
    assert_eq!(changes[0]["kind"], "shop_profile");
    let keys: HashSet<(String, String)> = changes.iter().map(change_key).collect();
    assert_eq!(keys.len(), changes.len(), "a change came twice");
    // Orders come in the order they were written.
    let order_ids: Vec<&str> = changes
        .iter()
        .filter(|c| c["kind"] == "order")
        .map(|c| c["data"]["id"].as_str().unwrap())
        .collect();
    let mut sorted = order_ids.clone();
    sorted.sort_unstable();
    assert_eq!(order_ids, sorted);
    // Every change parses as the core's Change.
    for c in &changes {
        serde_json::from_value::<sellerkit_core::protocol::Change>(c.clone()).unwrap();
    }

    // Nothing new: an empty last page that keeps the cursor.
    let (status, page) = h
        .get(&format!("/v1/changes?cursor={cursor}"), Some(&device.token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page,
        json!({"changes": [], "next_cursor": cursor, "has_more": false})
    );

    // A product changed on the server moves to the end of the feed; a deleted one leaves a
    // tombstone.
    let mut p3 = product("p_3", 1);
    p3["title"] = json!("大红袍 礼盒");
    let (status, _) = h
        .post(
            "/dev/shops/shop_a/products",
            None,
            json!({ "products": [p3] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = h
        .call(Method::DELETE, "/dev/shops/shop_a/products/p_5", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = h
        .call(Method::DELETE, "/dev/shops/shop_a/products/p_5", None, None)
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    let (delta, _) = h.pull_all(&device.token, &cursor, 1000).await;
    assert_eq!(delta.len(), 2, "{delta:?}");
    assert_eq!(delta[0]["kind"], "product");
    assert_eq!(delta[0]["data"]["title"], "大红袍 礼盒");
    assert_eq!(
        delta[0]["data"]["version"], 2,
        "a replaced product gets a newer version"
    );
    assert_eq!(
        delta[1],
        json!({"kind": "deleted", "data": {"kind": "product", "id": "p_5"}})
    );

    // From scratch, each entity once, in its latest state.
    let (fresh, _) = h.pull_all(&device.token, "", 5000).await;
    assert_eq!(fresh.len(), changes.len());
    let p3s: Vec<&Value> = fresh
        .iter()
        .filter(|c| c["kind"] == "product" && c["data"]["id"] == "p_3")
        .collect();
    assert_eq!(p3s.len(), 1);
    assert_eq!(p3s[0]["data"]["version"], 2);
}

fn change_key(c: &Value) -> (String, String) {
    let kind = c["kind"].as_str().unwrap().to_string();
    let data = &c["data"];
    let id = data["id"]
        .as_str()
        .or_else(|| data["shop_id"].as_str())
        .unwrap()
        .to_string();
    (kind, id)
}

#[tokio::test]
async fn bad_pull_parameters_are_4xx_json_errors() {
    let h = Harness::start().await;
    let device = h.shop_with_device("shop_a", 2).await;
    let t = Some(device.token.as_str());
    for query in [
        "cursor=abc",
        "cursor=-1",
        "cursor=%201",
        "cursor=99999999",
        "cursor=1e3",
    ] {
        let (status, body) = h.get(&format!("/v1/changes?{query}"), t).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_cursor");
    }
    for query in [
        "limit=0",
        "limit=5001",
        "limit=99999999999999",
        "limit=-3",
        "limit=ten",
    ] {
        let (status, body) = h.get(&format!("/v1/changes?{query}"), t).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    }
    let (status, _) = h.get("/v1/changes?limit=5000&cursor=", t).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn push_is_exactly_once() {
    let h = Harness::start().await;
    let device = h.shop_with_device("shop_a", 3).await;
    let (_, cursor) = h.pull_all(&device.token, "", 1000).await;
    let batch = json!([
        mutation(
            17,
            "checklist_tick",
            "upload_logo",
            None,
            json!({"done": true})
        ),
        mutation(
            18,
            "product_edit",
            "p_2",
            Some(1),
            json!({"title": "武夷山大红袍 礼盒装 500g", "price": 16800})
        ),
    ]);
    let (status, first) = h.push(&device, batch.clone()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        first,
        json!({"results": [
            {"mutation_id": 17, "status": "applied"},
            {"mutation_id": 18, "status": "applied"}
        ]})
    );
    let (delta, after_first) = h.pull_all(&device.token, &cursor, 1000).await;
    assert_eq!(delta.len(), 1);
    assert_eq!(delta[0]["data"]["title"], "武夷山大红袍 礼盒装 500g");
    assert_eq!(delta[0]["data"]["price"], 16800);
    assert_eq!(delta[0]["data"]["version"], 2);

    // The same push again (a lost response): same answers, no second effect.
    let (status, again) = h.push(&device, batch).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first);
    let (delta, _) = h.pull_all(&device.token, &after_first, 1000).await;
    assert!(delta.is_empty(), "{delta:?}");

    // A gzip-compressed push is accepted too.
    let body = json!({"device_id": device.device_id, "mutations": [
        mutation(19, "checklist_tick", "first_product", None, json!({"done": false}))
    ]});
    let resp = h
        .client
        .post(format!("{}/v1/mutations", h.url))
        .bearer_auth(&device.token)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "gzip")
        .body(gzip(body.to_string().as_bytes()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(answer["results"][0]["status"], "applied");
}

#[tokio::test]
async fn stale_field_edits_conflict_with_the_server_state() {
    let h = Harness::start().await;
    let device = h.shop_with_device("shop_a", 3).await;
    // The back office renames p_3: version 2.
    let mut p3 = product("p_3", 1);
    p3["title"] = json!("大红袍 礼盒");
    h.post(
        "/dev/shops/shop_a/products",
        None,
        json!({ "products": [p3] }),
    )
    .await;

    let (status, answer) = h
        .push(
            &device,
            json!([
                // Edited on version 1: the title changed since, by someone else.
                mutation(
                    1,
                    "product_edit",
                    "p_3",
                    Some(1),
                    json!({"title": "武夷山大红袍 礼盒装 500g"})
                ),
                // Same base, another field: no conflict.
                mutation(2, "product_edit", "p_3", Some(1), json!({"price": 9900})),
                // Same base, the field this device itself changed just before: no conflict.
                mutation(3, "product_edit", "p_3", Some(1), json!({"price": 9800})),
                // Asking for the value the server already has is not a conflict.
                mutation(
                    4,
                    "product_edit",
                    "p_3",
                    Some(1),
                    json!({"title": "大红袍 礼盒"})
                ),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "conflict", "{answer}");
    assert_eq!(
        results[0]["reason"],
        "title was changed on the server since version 1"
    );
    assert_eq!(results[0]["server_state"]["title"], "大红袍 礼盒");
    assert_eq!(results[0]["server_state"]["version"], 2);
    assert_eq!(results[0]["server_state"]["id"], "p_3");
    for r in &results[1..] {
        assert_eq!(r["status"], "applied", "{answer}");
    }

    // Another device edits the shop name; this device's edit on the old version conflicts.
    let other = h
        .activate(&h.get("/dev/shops", None).await.1["shops"][0])
        .await;
    let (_, a) = h
        .push(
            &other,
            json!([mutation(
                1,
                "shop_edit",
                "shop_a",
                Some(1),
                json!({"name": "老王茶庄"})
            )]),
        )
        .await;
    assert_eq!(a["results"][0]["status"], "applied", "{a}");
    let (_, a) = h
        .push(
            &device,
            json!([
                mutation(
                    5,
                    "shop_edit",
                    "shop_a",
                    Some(1),
                    json!({"name": "小王茶庄"})
                ),
                mutation(
                    6,
                    "shop_edit",
                    "shop_a",
                    Some(1),
                    json!({"description": "明前新茶"})
                ),
            ]),
        )
        .await;
    assert_eq!(a["results"][0]["status"], "conflict", "{a}");
    assert_eq!(a["results"][0]["server_state"]["name"], "老王茶庄");
    assert_eq!(a["results"][1]["status"], "applied", "{a}");
}

#[tokio::test]
async fn invalid_mutations_are_rejected_or_refused() {
    let h = Harness::start().await;
    let device = h.shop_with_device("shop_a", 1).await;
    let (status, answer) = h
        .push(
            &device,
            json!([
                mutation(1, "teleport", "p_1", None, json!({})),
                mutation(
                    2,
                    "redemption",
                    "0190a0b0-0000-7000-8000-000000000000",
                    None,
                    json!({})
                ),
                mutation(3, "product_edit", "p_1", None, json!({"title": "x"})),
                mutation(4, "product_edit", "p_1", Some(1), json!({"price": -5})),
                mutation(5, "product_edit", "p_1", Some(1), json!({"owner": "me"})),
                mutation(6, "product_edit", "p_404", Some(1), json!({"title": "x"})),
                mutation(7, "product_edit", "p_1", Some(9), json!({"title": "x"})),
                mutation(8, "product_edit", "p_1", Some(1), json!({"status": "sold"})),
                mutation(9, "shop_edit", "shop_other", Some(1), json!({"name": "x"})),
                mutation(10, "checklist_tick", "t", None, json!({"done": "yes"})),
                mutation(11, "product_edit", "p_1", Some(1), json!({})),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    for r in answer["results"].as_array().unwrap() {
        assert_eq!(r["status"], "rejected", "{r}");
        assert!(r["reason"].as_str().is_some_and(|s| !s.is_empty()), "{r}");
    }
    // A redemption without its payload is refused with the redemption code.
    assert_eq!(
        answer["results"][1]["code"], "invalid_redemption",
        "{answer}"
    );

    // Request-level mistakes are 4xx.
    let (status, body) = h
        .post(
            "/v1/mutations",
            Some(&device.token),
            json!({"device_id": "dev_someone_else", "mutations": []}),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = h
        .push(
            &device,
            json!([mutation(
                0,
                "checklist_tick",
                "t",
                None,
                json!({"done": true})
            )]),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    let many: Vec<Value> = (1..=501)
        .map(|i| mutation(100 + i, "checklist_tick", "t", None, json!({"done": true})))
        .collect();
    let (status, body) = h.push(&device, json!(many)).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, body) = h
        .post(
            "/v1/mutations",
            Some(&device.token),
            json!({"device_id": device.device_id, "mutations": [{"mutation_id": "one"}]}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn a_shop_never_sees_or_changes_another_shops_data() {
    let h = Harness::start().await;
    let a = h.shop_with_device("shop_a", 3).await;
    let b = h.shop_with_device("shop_b", 0).await;
    let (status, info) = upload(
        &h,
        &a.token,
        "img_x",
        "role=product&product_id=p_1",
        png(8, 8),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{info}");

    let (changes, _) = h.pull_all(&b.token, "", 1000).await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["data"]["shop_id"], "shop_b");

    let (_, answer) = h
        .push(
            &b,
            json!([
                mutation(
                    1,
                    "product_edit",
                    "p_1",
                    Some(1),
                    json!({"title": "stolen"})
                ),
                mutation(2, "shop_edit", "shop_a", Some(1), json!({"name": "stolen"})),
            ]),
        )
        .await;
    for r in answer["results"].as_array().unwrap() {
        assert_eq!(r["status"], "rejected", "{r}");
    }
    let (status, body) = h.get("/v1/media/img_x", Some(&b.token)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    // The same image id in shop B is B's own image; A's stays as it was.
    let (status, _) = upload(&h, &b.token, "img_x", "role=logo", png(4, 4)).await;
    assert_eq!(status, StatusCode::OK);
    let a_bytes = h
        .client
        .get(format!("{}/v1/media/img_x", h.url))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(a_bytes.as_ref(), png(8, 8).as_slice());

    let (changes, _) = h.pull_all(&a.token, "", 1000).await;
    for c in &changes {
        assert_ne!(c["data"]["title"], "stolen");
        assert_ne!(c["data"]["name"], "stolen");
    }
}

async fn upload(
    h: &Harness,
    token: &str,
    id: &str,
    query: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    upload_as(h, token, id, query, "image/png", bytes).await
}

async fn upload_as(
    h: &Harness,
    token: &str,
    id: &str,
    query: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let resp = h
        .client
        .put(format!("{}/v1/media/{id}?{query}", h.url))
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, mime)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn media_upload_download_and_refusals() {
    let h = Harness::start().await;
    let device = h.shop_with_device("shop_a", 2).await;
    let t = device.token.as_str();
    let (_, cursor) = h.pull_all(t, "", 1000).await;
    let image = png(40, 30);
    let (status, info) = upload(
        &h,
        t,
        "img_p_1",
        "role=product&product_id=p_1&position=0",
        image.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["width"], 40);
    assert_eq!(info["height"], 30);
    assert_eq!(info["byte_len"], image.len());
    assert_eq!(info["mime"], "image/png");
    let sha = info["sha256"].as_str().unwrap().to_string();

    let resp = h
        .client
        .get(format!("{}/v1/media/img_p_1", h.url))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(resp.headers()[header::ETAG], format!("\"{sha}\"").as_str());
    assert_eq!(resp.bytes().await.unwrap().as_ref(), image.as_slice());
    let resp = h
        .client
        .get(format!("{}/v1/media/img_p_1", h.url))
        .bearer_auth(t)
        .header(header::IF_NONE_MATCH, format!("\"{sha}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);

    // The upload is in the feed; repeating it changes nothing.
    let (delta, after) = h.pull_all(t, &cursor, 1000).await;
    assert_eq!(delta.len(), 1);
    assert_eq!(delta[0]["kind"], "image");
    assert_eq!(delta[0]["data"]["sha256"], sha.as_str());
    assert_eq!(delta[0]["data"]["product_id"], "p_1");
    let (status, again) = upload(
        &h,
        t,
        "img_p_1",
        "role=product&product_id=p_1",
        image.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, info);
    assert!(h.pull_all(t, &after, 1000).await.0.is_empty());

    // A logo becomes the shop's logo.
    let (status, _) = upload(&h, t, "img_logo", "role=logo", png(16, 16)).await;
    assert_eq!(status, StatusCode::OK);
    let (delta, _) = h.pull_all(t, &after, 1000).await;
    let profile = delta.iter().find(|c| c["kind"] == "shop_profile").unwrap();
    assert_eq!(profile["data"]["logo_image_id"], "img_logo");

    // Refusals: corrupt, truncated, mislabelled, wrong type, too big, bad parameters.
    let mut corrupt = png(20, 20);
    let len = corrupt.len();
    corrupt[len / 2..].fill(0x5a);
    let truncated = png(20, 20)[..60].to_vec();
    // (image id, query, Content-Type, body, status, code)
    type Case<'a> = (&'a str, &'a str, &'a str, Vec<u8>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (
            "img_a",
            "role=logo",
            "image/png",
            corrupt,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "img_a",
            "role=logo",
            "image/png",
            truncated,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "img_a",
            "role=logo",
            "image/jpeg",
            png(4, 4),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "img_a",
            "role=logo",
            "image/png",
            b"GIF89a....".to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "img_a",
            "role=logo",
            "text/plain",
            png(4, 4),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "img_a",
            "role=logo",
            "image/png",
            Vec::new(),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "img_a",
            "role=wallpaper",
            "image/png",
            png(4, 4),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "img_a",
            "role=product",
            "image/png",
            png(4, 4),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "img_a",
            "role=product&product_id=p_404",
            "image/png",
            png(4, 4),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "img_a",
            "role=logo&position=-1",
            "image/png",
            png(4, 4),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "img_a",
            "",
            "image/png",
            png(4, 4),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "img%20a",
            "role=logo",
            "image/png",
            png(4, 4),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "img_big",
            "role=logo",
            "image/png",
            vec![0u8; 10 * 1024 * 1024 + 1],
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ];
    for (id, query, mime, bytes, want_status, want_code) in cases {
        let (status, body) = upload_as(&h, t, id, query, mime, bytes).await;
        assert_error(status, &body, want_status, want_code);
    }
    let (status, body) = h.get("/v1/media/img_nope", Some(t)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = h.get("/v1/media/img_p_1", None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn unknown_routes_methods_and_encodings_are_json_errors() {
    let h = Harness::start().await;
    let (status, body) = h.get("/v2/changes", None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = h.call(Method::DELETE, "/v1/changes", None, None).await;
    assert_error(
        status,
        &body,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    let (status, body) = h.get("/dev/shops/nope/digest", None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let resp = h
        .client
        .post(format!("{}/v1/activate", h.url))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "br")
        .body("{}")
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_error(
        status,
        &body,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    // A body that claims gzip but is not.
    let resp = h
        .client
        .post(format!("{}/v1/activate", h.url))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "gzip")
        .body("{\"code\":\"x\"}")
        .send()
        .await
        .unwrap();
    let status = resp.status();
    assert!(status.is_client_error(), "{status}");
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"]["code"].is_string(), "{body}");
}

#[tokio::test]
async fn responses_are_gzipped_when_asked() {
    let h = Harness::start().await;
    let device = h.shop_with_device("shop_a", 50).await;
    let resp = h
        .client
        .get(format!("{}/v1/changes", h.url))
        .bearer_auth(&device.token)
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_ENCODING], "gzip");
    assert!(
        resp.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let compressed = resp.bytes().await.unwrap();
    assert_eq!(&compressed[..2], &[0x1f, 0x8b]);
    let page: Value = serde_json::from_slice(&gunzip(&compressed)).unwrap();
    assert_eq!(page["changes"].as_array().unwrap().len(), 51);
    // Without Accept-Encoding the page comes as plain JSON.
    let resp = h
        .client
        .get(format!("{}/v1/changes", h.url))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get(header::CONTENT_ENCODING).is_none());
}

#[tokio::test]
async fn dev_endpoints_create_shops_and_report_digests() {
    let h = Harness::start().await;
    let (status, body) = h
        .post(
            "/dev/shops",
            None,
            json!({"name": "Shop", "shop_id": "Bad Id"}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, created) = h.post("/dev/shops", None, json!({"name": "无名店"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let shop_id = created["shop_id"].as_str().unwrap().to_string();
    assert!(shop_id.starts_with("shop_"));
    let (status, body) = h
        .post(
            "/dev/shops",
            None,
            json!({"name": "again", "shop_id": shop_id}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "already_exists");
    let (_, list) = h.get("/dev/shops", None).await;
    assert_eq!(list["shops"][0]["shop_id"], shop_id.as_str());
    assert_eq!(
        list["shops"][0]["activation_codes"]
            .as_object()
            .unwrap()
            .len(),
        3
    );

    for bad in [
        json!({}),
        json!({"count": 1, "orders": []}),
        json!({"count": 99_000_000}),
    ] {
        let (status, body) = h
            .post(&format!("/dev/shops/{shop_id}/orders"), None, bad)
            .await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    }
    let (status, body) = h
        .post("/dev/shops/shop_nope/orders", None, json!({"count": 1}))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = h
        .post(
            &format!("/dev/shops/{shop_id}/products"),
            None,
            json!({"products": [product("p_1", 1), product("p_2", 1)]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = h
        .post(
            &format!("/dev/shops/{shop_id}/orders"),
            None,
            json!({"count": 40, "seed": 7}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"written": 40, "seed": 7}));
    // The same seed gives the same orders (replaced, not added); no seed gives new ones.
    let orders_path = format!("/dev/shops/{shop_id}/orders");
    let (_, body) = h
        .post(&orders_path, None, json!({"count": 40, "seed": 7}))
        .await;
    assert_eq!(body["written"], 40);
    for _ in 0..2 {
        let (status, body) = h.post(&orders_path, None, json!({"count": 5})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["seed"].is_u64(), "{body}");
    }

    // The digest equals the one a client computes over what it pulled.
    let device = h.activate(&created).await;
    let (changes, _) = h.pull_all(&device.token, "", 1000).await;
    let mut builder = sellerkit_core::sync::digest::DigestBuilder::new();
    for c in &changes {
        builder.add(&serde_json::from_value(c.clone()).unwrap());
    }
    let (status, digest) = h.get(&format!("/dev/shops/{shop_id}/digest"), None).await;
    assert_eq!(status, StatusCode::OK, "{digest}");
    assert_eq!(digest, serde_json::to_value(builder.finish()).unwrap());
    assert_eq!(digest["counts"]["order"], 50);
    assert_eq!(digest["counts"]["product"], 2);
}

#[tokio::test]
async fn the_analytics_skip_orders_the_phone_refuses_and_never_overflow() {
    let h = Harness::start().await;
    h.create_shop("shop_dmg", "Damaged feed").await;
    let now = 1_764_000_000_000_i64;
    let mut huge = order("o_huge", now - 3_600_000);
    for field in ["subtotal", "total"] {
        huge[field] = json!(i64::MAX - 1);
    }
    huge["lines"][0]["total"] = json!(i64::MAX - 1);
    huge["lines"][0]["quantity"] = json!(i64::MAX - 1);
    let mut twice = huge.clone();
    twice["id"] = json!("o_huge2");
    let mut not_adding_up = order("o_bad_sum", now - 3_600_000);
    not_adding_up["total"] = json!(1);
    let orders = json!({"orders": [
        order("o_1", now - 7_200_000), order("o_2", now - 3_600_000), huge, twice, not_adding_up
    ]});
    let (status, body) = h.post("/dev/shops/shop_dmg/orders", None, orders).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = h
        .get(
            &format!("/dev/shops/shop_dmg/analytics?range=7d&now={now}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Only the two sound orders count, as on the phone (which refuses the damaged ones).
    assert_eq!(
        (
            body["figures"]["orders"].clone(),
            body["figures"]["units"].clone()
        ),
        (json!(2), json!(2)),
        "{}",
        body["figures"]
    );
}
