//! The CLI's coupon commands end to end: the real `sellerkit` binary, real pictures, and
//! (for the wallet) the real dev server on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Output;

use sellerkit_core::coupons::{CouponClaims, CouponSigner, CouponValue};
use sellerkit_core::domain::{CouponKind, CouponScope};
use sellerkit_core::money::Fen;
use sellerkit_e2e::{DevServerProcess, http_get, http_post_json, sellerkit, stdout_json};

/// Exit status of a command refused for a business reason (`sellerkit coupon …`).
const EXIT_REFUSED: i32 = 3;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: Output) -> Output {
    assert!(
        o.status.success(),
        "exit {:?}: {}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    o
}

/// A text shaped like a coupon (prefix and Base45 alphabet), for the QR tests that need no
/// wallet.
fn coupon_shaped_text() -> String {
    const BASE45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut text = String::from("SKC1:");
    let mut x: u32 = 12_345;
    for _ in 0..240 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        text.push(BASE45[(x >> 16) as usize % BASE45.len()] as char);
    }
    text
}

fn qr(text: &str, out: &Path) -> serde_json::Value {
    stdout_json(&ok(sellerkit(&[
        "coupon",
        "qr",
        text,
        "--out",
        out.to_str().unwrap(),
        "--json",
    ])))
}

fn scan(image: &Path) -> Output {
    sellerkit(&["coupon", "scan", image.to_str().unwrap(), "--json"])
}

/// The QR PNG photographed: smaller, turned a little, on a grey table, with noise, as JPEG.
fn photograph(png: &Path, out: &Path) -> PathBuf {
    let code = image::open(png).unwrap().into_luma8();
    let side = code.width() * 3 / 4;
    let small = image::imageops::resize(&code, side, side, image::imageops::FilterType::Triangle);
    let turned = image::imageops::rotate90(&small);
    let mut photo = image::GrayImage::from_pixel(side * 2, side * 3 / 2, image::Luma([110]));
    image::imageops::overlay(
        &mut photo,
        &turned,
        i64::from(side / 2),
        i64::from(side / 4),
    );
    let mut x: u32 = 7;
    for p in photo.pixels_mut() {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (x >> 24) as i32 % 41 - 20;
        p[0] = (30 + i32::from(p[0]) * 3 / 4 + noise).clamp(0, 255) as u8;
    }
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 65)
        .encode_image(&photo)
        .unwrap();
    std::fs::write(out, jpeg).unwrap();
    out.to_path_buf()
}

#[test]
fn qr_png_and_a_jpeg_photo_of_it_read_back_to_the_same_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = coupon_shaped_text();
    let png = dir.path().join("coupon.png");
    let made = qr(&text, &png);
    assert_eq!(made["ec_level"], "Q", "{made}");
    assert!(made["version"].as_i64().unwrap() <= 12, "{made}");
    let (w, h) = image::image_dimensions(&png).unwrap();
    assert_eq!(
        (w, h),
        (
            made["pixels"].as_u64().unwrap() as u32,
            made["pixels"].as_u64().unwrap() as u32
        )
    );

    let read = stdout_json(&ok(scan(&png)));
    assert_eq!(read["texts"], serde_json::json!([text]));

    let photo = photograph(&png, &dir.path().join("photo.jpg"));
    let read = stdout_json(&ok(scan(&photo)));
    assert_eq!(read["texts"], serde_json::json!([text]));

    // Human output is the text itself.
    let o = ok(sellerkit(&["coupon", "scan", photo.to_str().unwrap()]));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), text);
}

#[test]
fn qr_refuses_text_a_coupon_cannot_hold() {
    let dir = tempfile::tempdir().unwrap();
    let o = sellerkit(&[
        "coupon",
        "qr",
        "skc1:lower case",
        "--out",
        dir.path().join("x.png").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let body = stdout_json(&o);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("alphanumeric"),
        "{body}"
    );
    assert!(!dir.path().join("x.png").exists());
}

#[test]
fn damaged_and_huge_pictures_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("coupon.png");
    qr(&coupon_shaped_text(), &png);
    let bytes = std::fs::read(&png).unwrap();
    let cut = dir.path().join("cut.png");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let o = scan(&cut);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("damaged"), "{}", stderr(&o));

    // A PNG header claiming 60000 x 60000 pixels: refused from the header alone.
    let mut huge = bytes[..8].to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(60_000u32.to_be_bytes());
    ihdr.extend(60_000u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    huge.extend(13u32.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(b"IHDR");
    crc.update(&ihdr);
    huge.extend(b"IHDR");
    huge.extend(&ihdr);
    huge.extend(crc.sum().to_be_bytes());
    let huge_path = dir.path().join("huge.png");
    std::fs::write(&huge_path, huge).unwrap();
    let o = scan(&huge_path);
    assert_eq!(o.status.code(), Some(1));
    let body = stdout_json(&o);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too large"),
        "{body}"
    );

    let blank = dir.path().join("blank.png");
    image::GrayImage::from_pixel(300, 300, image::Luma([255]))
        .save(&blank)
        .unwrap();
    let o = scan(&blank);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no QR code found"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------
// The wallet: real dev server, real phone databases, the CLI.

/// A phone: a database folder and the CLI pointed at it.
struct Phone {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Phone {
    fn activated(server: &DevServerProcess) -> Phone {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("sellerkit.db");
        let phone = Phone { dir, db };
        let code = server.activation_code("shop_demo", "standard");
        ok(phone.cli(&["activate", "--server", &server.url, "--code", &code]));
        phone.sync();
        phone
    }

    fn cli(&self, args: &[&str]) -> Output {
        let mut all = vec!["--db", self.db.to_str().unwrap()];
        all.extend_from_slice(args);
        sellerkit(&all)
    }

    fn sync(&self) -> serde_json::Value {
        stdout_json(&ok(self.cli(&["sync", "--no-media", "--json"])))
    }

    /// `coupon verify|redeem … --json`: the exit code and the verdict.
    fn coupon(&self, args: &[&str]) -> (i32, serde_json::Value) {
        let mut all = vec!["coupon"];
        all.extend_from_slice(args);
        all.push("--json");
        let o = self.cli(&all);
        let code = o.status.code().expect("exit code");
        (code, stdout_json(&o))
    }

    fn accepted(&self, args: &[&str]) -> serde_json::Value {
        let (code, v) = self.coupon(args);
        assert_eq!(code, 0, "{args:?}: {v}");
        assert_eq!(v["accepted"], true, "{v}");
        assert_eq!(v["reason"], "ok", "{v}");
        v
    }

    /// Asserts the coupon is refused with `reason` and exit status 3; returns the verdict.
    fn refused(&self, args: &[&str], reason: &str) -> serde_json::Value {
        let (code, v) = self.coupon(args);
        assert_eq!(v["accepted"], false, "{args:?}: {v}");
        assert_eq!(v["reason"], reason, "{args:?}: {v}");
        assert_eq!(code, EXIT_REFUSED, "{v}");
        assert!(!v["message"].as_str().unwrap().is_empty());
        assert!(!v["message_zh"].as_str().unwrap().is_empty());
        v
    }

    fn redemptions(&self) -> Vec<serde_json::Value> {
        let v = stdout_json(&ok(self.cli(&["coupon", "list", "--json"])));
        v["redemptions"].as_array().unwrap().clone()
    }
}

fn seeded_server(extra: &[&str]) -> (DevServerProcess, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let mut args = vec![
        "--db",
        db.to_str().unwrap(),
        "--seed",
        "demo",
        "--orders",
        "20",
    ];
    args.extend_from_slice(extra);
    (DevServerProcess::start(&args), dir)
}

/// Issues a book on the dev server; returns its answer (book, kid, coupons).
fn issue(server: &DevServerProcess, body: serde_json::Value) -> serde_json::Value {
    let (code, text) = http_post_json(&server.url, "/dev/shops/shop_demo/coupons", &body);
    assert_eq!(code, 201, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn texts(issued: &serde_json::Value) -> Vec<String> {
    issued["coupons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_owned())
        .collect()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The text with one Base45 character in the middle replaced.
fn flip_one_char(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == '7' { '8' } else { '7' };
    chars.into_iter().collect()
}

/// Terms like the server's 满100减10 book, for coupons signed by other keys.
fn claims(book: &str, cti: &str) -> CouponClaims {
    let now = now_ms();
    CouponClaims {
        issuer: "shop_demo".into(),
        coupon_id: cti.into(),
        issued_ms: now,
        not_before_ms: now - 60_000,
        expires_ms: now + 86_400_000,
        book_id: book.into(),
        kind: CouponKind::SingleUse,
        value: CouponValue::Amount(Fen(1_000)),
        max_uses: None,
        min_spend: Fen(10_000),
        scope: CouponScope::All,
    }
}

#[test]
fn verify_and_redeem_give_verdicts_with_stable_reasons_and_exit_codes() {
    let (server, _sdir) = seeded_server(&[]);
    let phone = Phone::activated(&server);
    let issued = issue(
        &server,
        serde_json::json!({"title": "满100减10", "kind": "single_use", "value_fen": 1000,
                           "min_spend": 10000, "count": 6}),
    );
    let book = issued["book"]["id"].as_str().unwrap().to_owned();
    let kid = issued["kid"].as_str().unwrap().to_owned();
    let coupons = texts(&issued);

    // Before the sync the phone does not know the shop's key.
    phone.refused(&["verify", &coupons[0]], "unknown_key");
    phone.sync();

    let v = phone.accepted(&["verify", &coupons[0], "--total", "12000"]);
    assert_eq!(v["coupon"]["discount"], 1000, "{v}");
    assert_eq!(v["coupon"]["remaining_uses"], 1, "{v}");
    assert_eq!(v["coupon"]["kid"], kid.as_str());
    assert_eq!(v["coupon"]["book_title"], "满100减10", "{v}");
    assert_eq!(v["order_total"], 12000);
    // Yuan with the sign is the same order.
    let v = phone.accepted(&["verify", &coupons[0], "--total", "¥120.00"]);
    assert_eq!(v["order_total"], 12000);
    phone.accepted(&["verify", &coupons[0]]);
    phone.refused(
        &["verify", &coupons[0], "--total", "9999"],
        "below_min_spend",
    );

    // Redeem once; the second time it is used up. Nothing is written by a refusal.
    let v = phone.accepted(&["redeem", &coupons[0], "--total", "12000"]);
    assert_eq!(v["redemption"]["amount"], 1000, "{v}");
    assert_eq!(v["redemption"]["state"], "pending", "{v}");
    assert_eq!(v["coupon"]["remaining_uses"], 0, "{v}");
    let v = phone.refused(&["redeem", &coupons[0], "--total", "12000"], "used_up");
    assert_eq!(v["coupon"]["coupon_id"], issued["coupons"][0]["coupon_id"]);
    phone.refused(&["verify", &coupons[0], "--total", "12000"], "used_up");
    assert_eq!(phone.redemptions().len(), 1);

    // Tampered text, a forged signature under the shop's kid, a stranger's key.
    let tampered = phone.refused(&["verify", &flip_one_char(&coupons[1])], "malformed");
    assert!(tampered["coupon"].is_null(), "{tampered}");
    let forger = CouponSigner::generate(kid.as_str());
    let forged = forger.issue(&claims(&book, "forged-1"));
    let v = phone.refused(&["verify", &forged, "--total", "12000"], "bad_signature");
    assert!(
        v["coupon"].is_null(),
        "a forgery's terms are not shown: {v}"
    );
    let stranger = CouponSigner::generate("k-stranger");
    phone.refused(
        &[
            "redeem",
            &stranger.issue(&claims(&book, "s-1")),
            "--total",
            "12000",
        ],
        "unknown_key",
    );
    phone.refused(&["verify", "SKC1:NOT A COUPON"], "malformed");
    phone.refused(&["verify", "HC1:6BFOXN*TS0BI$ZD"], "malformed");

    // Revoked on the server: accepted until the revocation arrives by sync.
    let revoked_id = issued["coupons"][1]["coupon_id"].as_str().unwrap();
    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops/shop_demo/revocations",
        &serde_json::json!({"target": "coupon", "target_id": revoked_id, "reason": "lost"}),
    );
    assert_eq!(code, 201, "{body}");
    phone.accepted(&["verify", &coupons[1], "--total", "12000"]);
    phone.sync();
    phone.refused(&["verify", &coupons[1], "--total", "12000"], "revoked");
    phone.refused(&["redeem", &coupons[1], "--total", "12000"], "revoked");

    // The human verdict reads as one.
    let o = phone.cli(&["coupon", "verify", &coupons[1]]);
    assert_eq!(o.status.code(), Some(EXIT_REFUSED));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("REFUSED"), "{text}");
    assert!(text.contains("cancelled"), "{text}");
    let o = ok(phone.cli(&["coupon", "verify", &coupons[2], "--total", "12000"]));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("ACCEPTED"), "{text}");
    assert!(text.contains("¥10.00 off"), "{text}");

    // Usage errors stay clap's exit 2; an ambiguous amount is one.
    let o = phone.cli(&["coupon", "redeem", &coupons[2], "--total", "120.5"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = phone.cli(&["coupon", "redeem", &coupons[2]]);
    assert_eq!(o.status.code(), Some(2), "--total is required");
}

#[test]
fn validity_window_follows_now_and_scope_and_stored_value_are_checked() {
    let (server, _sdir) = seeded_server(&[]);
    let phone = Phone::activated(&server);
    let now = now_ms();
    let day = 86_400_000i64;
    let short = texts(&issue(
        &server,
        serde_json::json!({"title": "今日券", "kind": "single_use", "value_fen": 500,
                           "valid_until_ms": now + day, "count": 1}),
    ));
    let later = texts(&issue(
        &server,
        serde_json::json!({"title": "下周券", "kind": "single_use", "value_fen": 500,
                           "valid_from_ms": now + 7 * day, "count": 1}),
    ));
    let tea = texts(&issue(
        &server,
        serde_json::json!({"title": "茶叶九折", "kind": "multi_use", "value_bps": 1000,
                           "max_uses": 2, "scope": {"kind": "products", "ids": ["p-tea"]},
                           "count": 1}),
    ));
    let card = texts(&issue(
        &server,
        serde_json::json!({"title": "储值卡", "kind": "stored_value", "value_fen": 20000,
                           "count": 1}),
    ));
    phone.sync();
    // The --now jumps below go days past the last sync; allow that offline.
    ok(phone.cli(&["coupon", "limits", "--hours", "720"]));

    let at = |ms: i64| ms.to_string();
    phone.accepted(&["verify", &short[0], "--now", &at(now + day / 2)]);
    phone.refused(
        &["verify", &short[0], "--now", &at(now + 2 * day)],
        "expired",
    );
    phone.refused(&["verify", &later[0]], "not_yet_valid");
    phone.accepted(&["verify", &later[0], "--now", &at(now + 7 * day + 60_000)]);

    phone.refused(
        &["verify", &tea[0], "--total", "5000", "--product", "p-other"],
        "out_of_scope",
    );
    let v = phone.accepted(&["redeem", &tea[0], "--total", "5000", "--product", "p-tea"]);
    assert_eq!(v["redemption"]["amount"], 500, "10% of ¥50: {v}");
    let v = phone.accepted(&["verify", &tea[0]]);
    assert_eq!(v["coupon"]["scope_check"], "seller_confirms", "{v}");
    assert_eq!(v["coupon"]["remaining_uses"], 1, "{v}");

    let v = phone.accepted(&["redeem", &card[0], "--total", "15000", "--amount", "¥80"]);
    assert_eq!(v["redemption"]["amount"], 8000, "{v}");
    assert_eq!(v["coupon"]["balance"], 12000, "{v}");
    let v = phone.refused(
        &["redeem", &card[0], "--total", "15000", "--amount", "13000"],
        "insufficient_balance",
    );
    assert_eq!(v["coupon"]["balance"], 12000, "{v}");
    let v = phone.accepted(&["redeem", &card[0], "--total", "30000"]);
    assert_eq!(
        v["redemption"]["amount"], 12000,
        "the rest of the balance: {v}"
    );
    phone.refused(&["verify", &card[0], "--total", "100"], "used_up");
}

#[test]
fn offline_limits_cap_redemptions_until_the_next_sync() {
    let (server, _sdir) = seeded_server(&[]);
    let phone = Phone::activated(&server);
    let coupons = texts(&issue(
        &server,
        serde_json::json!({"title": "立减5元", "kind": "single_use", "value_fen": 500,
                           "count": 4}),
    ));
    phone.sync();
    let v = stdout_json(&ok(
        phone.cli(&["coupon", "limits", "--count", "2", "--json"])
    ));
    assert_eq!(v["limits"]["max_unsynced_count"], 2, "{v}");
    phone.accepted(&["redeem", &coupons[0], "--total", "1000"]);
    phone.accepted(&["redeem", &coupons[1], "--total", "1000"]);
    let v = phone.refused(&["redeem", &coupons[2], "--total", "1000"], "offline_limit");
    assert!(v["message"].as_str().unwrap().contains("sync"), "{v}");
    let limits = stdout_json(&ok(phone.cli(&["coupon", "limits", "--json"])));
    assert_eq!(limits["unsynced_count"], 2, "{limits}");
    assert_eq!(limits["unsynced_value"], 1000, "{limits}");

    let report = phone.sync();
    assert_eq!(report["pushed"], 2, "{report}");
    assert_eq!(report["applied"], 2, "{report}");
    phone.accepted(&["redeem", &coupons[2], "--total", "1000"]);
    let states: Vec<_> = phone
        .redemptions()
        .iter()
        .map(|r| r["state"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        states,
        ["pending", "confirmed", "confirmed"],
        "newest first"
    );

    // Too long since the last sync: --now three days and more later.
    let later = (now_ms() + 73 * 3_600_000).to_string();
    phone.refused(
        &["redeem", &coupons[3], "--total", "1000", "--now", &later],
        "offline_limit",
    );
}

#[test]
fn two_offline_phones_redeeming_one_coupon_end_in_one_dispute() {
    let (server, _sdir) = seeded_server(&[]);
    let first = Phone::activated(&server);
    let second = Phone::activated(&server);
    let coupons = texts(&issue(
        &server,
        serde_json::json!({"title": "单次券", "kind": "single_use", "value_fen": 1000,
                           "count": 2}),
    ));
    first.sync();
    second.sync();
    first.accepted(&["redeem", &coupons[0], "--total", "5000"]);
    second.accepted(&["redeem", &coupons[0], "--total", "6000"]);
    second.accepted(&["redeem", &coupons[1], "--total", "6000"]);

    let a = first.sync();
    assert_eq!(
        (a["pushed"].as_u64(), a["applied"].as_u64()),
        (Some(1), Some(1)),
        "{a}"
    );
    let b = second.sync();
    assert_eq!(b["pushed"], 2, "{b}");
    assert_eq!(b["applied"], 1, "{b}");
    assert_eq!(b["conflicts"], 1, "{b}");
    // Exactly once: nothing is pushed again.
    assert_eq!(second.sync()["pushed"], 0);
    assert_eq!(first.sync()["pushed"], 0);

    let disputes = stdout_json(&ok(second.cli(&["coupon", "disputes", "--json"])));
    let list = disputes["disputes"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{disputes}");
    let d = &list[0];
    assert_eq!(d["kind"], "double_use", "{d}");
    assert_eq!(d["refused"]["order_total"], 6000, "{d}");
    assert_eq!(d["accepted"].as_array().unwrap().len(), 1, "{d}");
    let states: Vec<_> = second
        .redemptions()
        .iter()
        .filter(|r| r["origin"] == "local")
        .map(|r| {
            (
                r["order_total"].as_i64().unwrap(),
                r["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        states.contains(&(6000, "disputed".to_owned())),
        "{states:?}"
    );
    assert!(
        states.contains(&(6000, "confirmed".to_owned())),
        "{states:?}"
    );

    // The human list names it; resolving it hides it unless --all.
    let o = ok(second.cli(&["coupon", "disputes"]));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("double use"), "{text}");
    let id = d["id"].as_str().unwrap();
    let v = stdout_json(&ok(second.cli(&[
        "coupon",
        "disputes",
        "--resolve",
        id,
        "--json",
    ])));
    assert_eq!(v["disputes"], serde_json::json!([]), "{v}");
    let v = stdout_json(&ok(second.cli(&["coupon", "disputes", "--all", "--json"])));
    assert_eq!(v["disputes"].as_array().unwrap().len(), 1, "{v}");

    // The server's ledger has both redemptions of the coupon, one accepted.
    let (code, body) = http_get(&server.url, "/dev/shops/shop_demo/redemptions");
    assert_eq!(code, 200, "{body}");
    let ledger: serde_json::Value = serde_json::from_str(&body).unwrap();
    let of_coupon: Vec<_> = ledger["redemptions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["coupon_id"] == issued_id(&coupons[0]))
        .collect();
    assert_eq!(of_coupon.len(), 2, "{ledger}");
    assert_eq!(
        of_coupon.iter().filter(|r| r["accepted"] == true).count(),
        1
    );
    drop(first.dir);
}

/// A coupon's `cti`, read by the core's decoder.
fn issued_id(text: &str) -> String {
    sellerkit_core::coupons::decode(text)
        .unwrap()
        .claims()
        .coupon_id
        .clone()
}

#[test]
fn verify_and_redeem_read_the_qr_from_a_picture() {
    let (server, _sdir) = seeded_server(&[]);
    let phone = Phone::activated(&server);
    let coupons = texts(&issue(
        &server,
        serde_json::json!({"title": "扫码券", "kind": "single_use", "value_fen": 300,
                           "count": 1}),
    ));
    phone.sync();
    let png = phone.dir.path().join("coupon.png");
    qr(&coupons[0], &png);
    let photo = photograph(&png, &phone.dir.path().join("photo.jpg"));
    let image = photo.to_str().unwrap();
    let v = phone.accepted(&["verify", "--image", image, "--total", "1000"]);
    assert_eq!(v["coupon"]["discount"], 300, "{v}");
    phone.accepted(&["redeem", "--image", image, "--total", "1000"]);
    phone.refused(&["verify", "--image", image], "used_up");

    // A picture without a code is an error, not a verdict.
    let blank = phone.dir.path().join("blank.png");
    image::GrayImage::from_pixel(200, 200, image::Luma([255]))
        .save(&blank)
        .unwrap();
    let o = phone.cli(&["coupon", "verify", "--image", blank.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    // Both a text and a picture: a usage error.
    let o = phone.cli(&["coupon", "verify", &coupons[0], "--image", image]);
    assert_eq!(o.status.code(), Some(2));
}

// ---------------------------------------------------------------------------------------
// An independent issuer: Python (cbor2 + cryptography), written from docs/coupon-format.md,
// signs with the key the dev server was given; the CLI redeems what it issues.

const PIP_HINT: &str = "run scripts/setup (it installs cbor2 and cryptography into .cache/python)";

/// The Python of `scripts/setup`'s virtual environment (with the pinned packages), or
/// `python3` from the PATH when there is none.
fn python() -> std::path::PathBuf {
    let venv =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.cache/python/bin/python3");
    if venv.exists() {
        venv
    } else {
        "python3".into()
    }
}

fn python_issue(key_pem: &str, kid: &str, claims: serde_json::Value) -> String {
    use std::io::Write as _;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/issue_coupons.py");
    let mut child = std::process::Command::new(python())
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}); install Python 3, then: {PIP_HINT}"));
    let input = serde_json::json!({"key_pem": key_pem, "kid": kid, "claims": claims});
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the Python issuer failed: {}\nIf a module is missing: {PIP_HINT}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn coupons_issued_by_an_independent_python_issuer_are_redeemed_through_the_cli() {
    let keydir = tempfile::tempdir().unwrap();
    // The shop's key as SellerKit writes it: the dev server reads the PEM, and the Python
    // issuer (`cryptography`) loads the same file and signs with it.
    let key_pem = CouponSigner::generate("k-python").to_pkcs8_pem();
    let key_file = keydir.path().join("shop-key.pem");
    std::fs::write(&key_file, &key_pem).unwrap();
    let (server, _sdir) = seeded_server(&["--signing-key", key_file.to_str().unwrap()]);
    // The shop's first book makes the supplied key the shop's key.
    let issued = issue(
        &server,
        serde_json::json!({"book_id": "book-py", "title": "Python 券", "kind": "single_use",
                           "value_fen": 1000, "min_spend": 5000, "count": 1}),
    );
    let kid = issued["kid"].as_str().unwrap().to_owned();
    let phone = Phone::activated(&server);

    let now_s = now_ms() / 1000 + 1;
    let day = 86_400;
    let single = python_issue(
        &key_pem,
        &kid,
        serde_json::json!({"iss": "shop_demo", "cti": "py-single-1", "iat": now_s,
                           "nbf": now_s - 60, "exp": now_s + 30 * day, "book": "book-py",
                           "kind": "single_use", "amount": 1000, "min_spend": 5000}),
    );
    let card = python_issue(
        &key_pem,
        &kid,
        serde_json::json!({"iss": "shop_demo", "cti": "py-card-1", "iat": now_s,
                           "nbf": now_s - 60, "exp": now_s + 30 * day, "book": "book-py",
                           "kind": "stored_value", "amount": 5000}),
    );
    assert!(single.starts_with("SKC1:"), "{single}");

    phone.refused(&["redeem", &single, "--total", "4000"], "below_min_spend");
    let v = phone.accepted(&["redeem", &single, "--total", "8000"]);
    assert_eq!(v["redemption"]["amount"], 1000, "{v}");
    assert_eq!(v["coupon"]["coupon_id"], "py-single-1");
    phone.refused(&["redeem", &single, "--total", "8000"], "used_up");
    let v = phone.accepted(&["redeem", &card, "--total", "3000"]);
    assert_eq!(v["redemption"]["amount"], 3000, "{v}");
    assert_eq!(v["coupon"]["balance"], 2000, "{v}");

    // The Python coupon's text also goes through a QR picture.
    let png = phone.dir.path().join("py.png");
    qr(&card, &png);
    let v = phone.accepted(&["verify", "--image", png.to_str().unwrap(), "--total", "100"]);
    assert_eq!(v["coupon"]["balance"], 2000, "{v}");

    // One character of the Python text changed: refused.
    phone.refused(&["verify", &flip_one_char(&single)], "malformed");
}
