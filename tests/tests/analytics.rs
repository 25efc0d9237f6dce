//! The dashboard end to end: the phone's figures (the `sellerkit dashboard` CLI over its
//! synced rollups) against the dev server's own computation from its tables, field by field,
//! before and after orders, refunds and a cancellation arrive on the server.

use std::path::PathBuf;
use std::process::Output;

use sellerkit_core::domain::{Order, OrderStatus};
use sellerkit_core::money::Fen;
use sellerkit_core::store::{Store, StoreError};
use sellerkit_e2e::{DevServerProcess, http_get, http_post_json, sellerkit, stdout_json};

const RANGES: [&str; 9] = [
    "today",
    "yesterday",
    "7d",
    "30d",
    "90d",
    "365d",
    "month",
    "last-month",
    "2026-01-01..2026-03-31",
];

struct Phone {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Phone {
    fn new() -> Phone {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("sellerkit.db");
        Phone { _dir: dir, db }
    }

    fn cli(&self, args: &[&str]) -> Output {
        let mut all = vec!["--db", self.db.to_str().unwrap()];
        all.extend_from_slice(args);
        sellerkit(&all)
    }

    fn ok(&self, args: &[&str]) -> serde_json::Value {
        let o = self.cli(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        stdout_json(&o)
    }
}

fn server_dashboard(server: &DevServerProcess, range: &str, now: i64) -> serde_json::Value {
    let (code, body) = http_get(
        &server.url,
        &format!("/dev/shops/shop_demo/analytics?range={range}&now={now}"),
    );
    assert_eq!(code, 200, "{range}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// Every range: the phone's dashboard equals the server's, field by field (freshness aside,
/// which only the phone has).
fn assert_same_dashboards(phone: &Phone, server: &DevServerProcess, now: i64) -> serde_json::Value {
    let now_text = now.to_string();
    let mut thirty = serde_json::Value::Null;
    for range in RANGES {
        let mut mine = phone.ok(&["--now", &now_text, "dashboard", "--range", range, "--json"]);
        let fresh = mine["freshness"].take();
        assert!(fresh["last_sync_ms"].as_i64().is_some(), "{fresh}");
        assert_eq!(fresh["pending_changes"], 0);
        let theirs = server_dashboard(server, range, now);
        for (key, value) in theirs.as_object().unwrap() {
            assert_eq!(&mine[key], value, "range {range}, field {key}");
        }
        assert_eq!(mine, theirs, "range {range}");
        if range == "30d" {
            thirty = mine;
        }
    }
    thirty
}

#[test]
fn the_phone_and_the_server_compute_the_same_dashboard_before_and_after_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let server = DevServerProcess::start(&[
        "--db",
        db.to_str().unwrap(),
        "--seed",
        "demo",
        "--orders",
        "4000",
    ]);
    let phone = Phone::new();
    let code = server.activation_code("shop_demo", "standard");
    phone.ok(&[
        "activate",
        "--server",
        &server.url,
        "--code",
        &code,
        "--json",
    ]);
    phone.ok(&["sync", "--json"]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let before = assert_same_dashboards(&phone, &server, now);
    assert!(
        before["figures"]["orders"].as_i64().unwrap() > 100,
        "{}",
        before["figures"]
    );
    let mobile = before["figures"]["mobile_share_of_orders"]
        .as_i64()
        .unwrap();
    assert!(
        (1_000..5_000).contains(&mobile),
        "mobile share {mobile} bps"
    );

    // On the server: new orders, refunds of older ones (today), a cancellation.
    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops/shop_demo/orders",
        &serde_json::json!({"count": 60, "seed": 11}),
    );
    assert!(code < 300, "{code} {body}");
    let store = Store::open(&phone.db).unwrap();
    let changed: Vec<Order> = store
        .read(|db| -> Result<Vec<Order>, StoreError> {
            let mut ids = Vec::new();
            db.orders()
                .for_each_created_between(now - 20 * 86_400_000, now, |o| {
                    if o.status == OrderStatus::Completed && ids.len() < 6 {
                        ids.push(o.id);
                    }
                })?;
            let mut out = Vec::new();
            for (i, id) in ids.iter().enumerate() {
                let mut o = db.orders().get(id)?.unwrap();
                if i == 0 {
                    o.status = OrderStatus::Cancelled;
                    o.paid_ms = None;
                } else {
                    o.status = OrderStatus::Refunded;
                    // Whole and partial refunds, dated now: they count today.
                    o.refund = if i % 2 == 0 {
                        o.total
                    } else {
                        Fen(o.total.0 / 3)
                    };
                    o.refunded_ms = Some(now - 60_000);
                }
                o.updated_ms = now;
                out.push(o);
            }
            Ok(out)
        })
        .unwrap();
    drop(store);
    assert_eq!(changed.len(), 6);
    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops/shop_demo/orders",
        &serde_json::json!({ "orders": changed }),
    );
    assert!(code < 300, "{code} {body}");
    phone.ok(&["sync", "--json"]);
    let after = assert_same_dashboards(&phone, &server, now);
    assert_ne!(after["figures"], before["figures"]);
    let refunds_before = before["figures"]["refunds"].as_i64().unwrap();
    assert!(after["figures"]["refunds"].as_i64().unwrap() > refunds_before);
}

#[test]
fn the_dashboard_command_prints_a_table_and_a_chart_and_refuses_bad_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let server = DevServerProcess::start(&[
        "--db",
        db.to_str().unwrap(),
        "--seed",
        "demo",
        "--orders",
        "1500",
    ]);
    let phone = Phone::new();
    let code = server.activation_code("shop_demo", "standard");
    phone.ok(&[
        "activate",
        "--server",
        &server.url,
        "--code",
        &code,
        "--json",
    ]);
    phone.ok(&["sync", "--json"]);

    let o = phone.cli(&["dashboard", "--range", "30d", "--lang", "zh-CN"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let first_figure = text
        .lines()
        .find(|l| l.starts_with("移动端"))
        .unwrap_or_default();
    assert!(first_figure.starts_with("移动端订单占比"), "{text}");
    assert!(text.contains("净销售额最高的商品"), "{text}");

    let png = dir.path().join("chart.png");
    let o = phone.cli(&[
        "dashboard",
        "--range",
        "90d",
        "--chart",
        png.to_str().unwrap(),
    ]);
    if std::path::Path::new("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf").exists() {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let img = image::open(&png).unwrap();
        assert_eq!((img.width(), img.height()), (1000, 700));
    }
    let o = phone.cli(&[
        "dashboard",
        "--chart",
        png.to_str().unwrap(),
        "--font",
        "/nonexistent/font.ttf",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("/nonexistent/font.ttf") && err.contains("--font"),
        "{err}"
    );

    for (range, words) in [
        ("2026-03-10..2026-03-01", "before it starts"),
        ("2006-01-01..2025-12-31", "at most 1100 days"),
        ("forever", "unknown range"),
    ] {
        let o = phone.cli(&["dashboard", "--range", range, "--lang", "en"]);
        assert!(!o.status.success(), "{range}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(words), "{range}: {err}");
    }
    let o = phone.cli(&["dashboard", "--range", "forever", "--lang", "zh-CN"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("无法识别"));
}
