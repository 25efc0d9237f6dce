//! Sync end to end: the `sellerkit` CLI against the real dev server on 127.0.0.1, including
//! kills, restarts, revoked tokens, several shops, and local edits pushed exactly once.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sellerkit_core::store::{NewMutation, Store, StoreError};
use sellerkit_core::sync::apply::local_digest;
use sellerkit_e2e::proxy::{Fault, FaultProxy};
use sellerkit_e2e::{
    DevServerProcess, http_post_json, sellerkit, sellerkit_killed_after, stdout_json, workspace_bin,
};

/// A phone: a database folder and the CLI pointed at it.
struct Device {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Device {
    fn new() -> Device {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("sellerkit.db");
        Device { _dir: dir, db }
    }

    fn cli(&self, args: &[&str]) -> Output {
        let mut all = vec!["--db", self.db.to_str().unwrap()];
        all.extend_from_slice(args);
        sellerkit(&all)
    }

    fn activate(&self, url: &str, code: &str) -> serde_json::Value {
        let o = self.cli(&["activate", "--server", url, "--code", code, "--json"]);
        assert!(
            o.status.success(),
            "activate: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        stdout_json(&o)
    }

    fn sync(&self, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["sync", "--json", "--digest"];
        args.extend_from_slice(extra);
        let o = self.cli(&args);
        assert!(
            o.status.success(),
            "sync: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        stdout_json(&o)
    }

    fn store(&self) -> Store {
        Store::open(&self.db).unwrap()
    }
}

fn assert_same_shop(local: &serde_json::Value, server: &serde_json::Value) {
    assert_eq!(local["digest"]["counts"], server["counts"], "counts differ");
    assert_eq!(
        local["digest"]["checksum"], server["checksum"],
        "content differs"
    );
}

fn seeded_server(orders: u32, extra: &[&str]) -> (DevServerProcess, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let orders = orders.to_string();
    let mut args = vec![
        "--db",
        db.to_str().unwrap(),
        "--seed",
        "demo",
        "--orders",
        &orders,
    ];
    args.extend_from_slice(extra);
    (DevServerProcess::start(&args), dir)
}

#[test]
fn initial_sync_is_a_faithful_copy_and_a_resync_pulls_only_what_changed() {
    let (server, _sdir) = seeded_server(3_000, &[]);
    let phone = Device::new();
    let activation = phone.activate(
        &server.url,
        &server.activation_code("shop_demo", "standard"),
    );
    assert_eq!(activation["shop_id"], "shop_demo");
    assert_eq!(activation["tier"], "standard");

    let first = phone.sync(&[]);
    assert_same_shop(&first, &server.digest("shop_demo"));
    assert_eq!(first["pulled"]["order"], 3_000);
    assert!(first["media_downloaded"].as_u64().unwrap() > 100, "{first}");
    assert!(first["wire_bytes"].as_u64().unwrap() > 0);
    // Images really landed, and match the metadata.
    let media = phone.db.parent().unwrap().join("media");
    assert!(std::fs::read_dir(&media).unwrap().count() > 100);

    let second = phone.sync(&[]);
    assert_eq!(second["pulled"], serde_json::json!({}), "{second}");
    assert_eq!(second["media_downloaded"], 0);

    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops/shop_demo/orders",
        &serde_json::json!({"count": 25, "seed": 7}),
    );
    assert!(code < 300, "{code} {body}");
    let third = phone.sync(&[]);
    assert_eq!(third["pulled"]["order"], 25, "{third}");
    assert_same_shop(&third, &server.digest("shop_demo"));
}

/// Queues `product_edit` mutations as the storefront editor would: in one transaction with
/// the local change. Returns (product id, base version, new title) per edit.
fn queue_title_edits(store: &Store, count: usize) -> Vec<(String, i64, String)> {
    store
        .write(|db| {
            let products = db.catalog().products_page(None, count as u32)?;
            let mut edits = Vec::new();
            for p in products {
                let title = format!("{} (编辑)", p.title.chars().take(20).collect::<String>());
                let payload = serde_json::json!({ "title": title }).to_string();
                db.sync().enqueue(&NewMutation {
                    kind: "product_edit",
                    entity_id: &p.id,
                    base_version: Some(p.version),
                    payload: &payload,
                    created_ms: 1,
                })?;
                edits.push((p.id, p.version, title));
            }
            Ok::<_, StoreError>(edits)
        })
        .unwrap()
}

#[test]
fn local_edits_are_pushed_once_and_conflicts_are_kept() {
    let (server, _sdir) = seeded_server(200, &[]);
    let phone = Device::new();
    phone.activate(
        &server.url,
        &server.activation_code("shop_demo", "standard"),
    );
    phone.sync(&["--no-media"]);

    let edits = queue_title_edits(&phone.store(), 5);
    // A second phone of the same shop edits the first product's title meanwhile.
    let other = Device::new();
    other.activate(
        &server.url,
        &server.activation_code("shop_demo", "standard"),
    );
    other.sync(&["--no-media"]);
    {
        let store = other.store();
        store
            .write(|db| {
                let p = db.catalog().product(&edits[0].0)?.unwrap();
                db.sync().enqueue(&NewMutation {
                    kind: "product_edit",
                    entity_id: &p.id,
                    base_version: Some(p.version),
                    payload: r#"{"title":"对方先改的标题"}"#,
                    created_ms: 1,
                })
            })
            .unwrap();
    }
    let other_report = other.sync(&["--no-media"]);
    assert_eq!(other_report["applied"], 1, "{other_report}");

    let report = phone.sync(&["--no-media"]);
    assert_eq!(report["pushed"], 5, "{report}");
    assert_eq!(report["applied"], 4, "{report}");
    assert_eq!(report["conflicts"], 1, "{report}");
    assert_same_shop(&report, &server.digest("shop_demo"));

    let store = phone.store();
    for (i, (id, base, title)) in edits.iter().enumerate() {
        let p = store.read(|db| db.catalog().product(id)).unwrap().unwrap();
        if i == 0 {
            assert_eq!(p.title, "对方先改的标题");
        } else {
            assert_eq!(&p.title, title);
            assert_eq!(p.version, base + 1, "{id} applied more than once");
        }
    }
    let conflicts = store.read(|db| db.sync().conflicts(false)).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].entity_id, edits[0].0);
    assert!(conflicts[0].server_state.is_some());
    assert!(
        conflicts[0].payload.contains("(编辑)"),
        "the seller's edit is kept"
    );
    assert_eq!(store.status().unwrap().counts.outbox, 0);
}

/// Starts `sellerkit sync` and kills it with SIGKILL after `after`.
fn kill_sync_after(db: &Path, after: Duration, extra: &[&str]) {
    let mut args = vec!["--db", db.to_str().unwrap(), "sync", "--json"];
    args.extend_from_slice(extra);
    sellerkit_killed_after(&args, after);
}

#[test]
fn kill_9_at_random_points_then_a_full_sync_loses_nothing_and_applies_nothing_twice() {
    let (server, _sdir) = seeded_server(20_000, &[]);
    let phone = Device::new();
    phone.activate(
        &server.url,
        &server.activation_code("shop_demo", "standard"),
    );
    // Pending edits on the phone before the first, interrupted sync.
    let edits = queue_title_edits(&phone.store(), 40);

    let mut rng = fastrand::Rng::with_seed(0x5EED);
    let rounds = 25;
    let mut mid_sync = std::collections::BTreeSet::new();
    for _ in 0..rounds {
        let after = Duration::from_millis(rng.u64(20..900));
        // Small pages and one-at-a-time pushes: many commit points to land between.
        kill_sync_after(&phone.db, after, &["--page-limit", "250", "--no-media"]);
        // The database stays openable and consistent after every kill.
        let status = phone.store().status().unwrap();
        assert!(status.counts.orders <= 20_000);
        // A kill that left some orders but not all landed mid-sync: the cursor had
        // advanced, and not to the end.
        if (1..20_000).contains(&status.counts.orders) {
            assert!(status.sync.cursor.is_some(), "orders without a cursor");
            mid_sync.insert(status.counts.orders);
        }
    }
    // Without this the loop could pass with every kill landing before the first page or
    // after the last one, proving nothing about kills between commits.
    assert!(!mid_sync.is_empty(), "no kill landed mid-sync");
    let last = phone.sync(&[]);
    assert_same_shop(&last, &server.digest("shop_demo"));
    let store = phone.store();
    assert_eq!(store.status().unwrap().counts.outbox, 0);
    for (id, base, title) in &edits {
        let p = store.read(|db| db.catalog().product(id)).unwrap().unwrap();
        assert_eq!(&p.title, title);
        assert_eq!(
            p.version,
            base + 1,
            "edit of {id} applied {} times",
            p.version - base
        );
    }
    assert!(
        store
            .read(|db| db.sync().conflicts(true))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_server_restart_mid_sync_is_survived() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let seed = ["--seed", "demo", "--orders", "30000"];
    let mut args = vec!["--db", db.to_str().unwrap()];
    args.extend_from_slice(&seed);
    // The OS picks the port (no probe-then-bind race with other tests); the restarted
    // server binds that same port, which our own server held until it was killed.
    let server = DevServerProcess::start(&args);
    let addr = server.url.trim_start_matches("http://").to_string();
    args.extend_from_slice(&["--addr", &addr]);
    // The phone talks through a proxy that holds its third page request, so the server is
    // killed mid-sync by construction: a timed kill once raced a fast sync to its end.
    let proxy = FaultProxy::start(&server.url);
    proxy.set_path_filter(Some("/v1/changes"));
    proxy.script([
        Fault::Pass,
        Fault::Pass,
        Fault::Delay(Duration::from_secs(2)),
    ]);
    let phone = Device::new();
    phone.activate(
        proxy.url(),
        &server.activation_code("shop_demo", "standard"),
    );

    let sync = Command::new(workspace_bin("sellerkit", "sellerkit"))
        .env("SELLERKIT_LANG", "en")
        .args([
            "--db",
            phone.db.to_str().unwrap(),
            "sync",
            "--json",
            "--digest",
        ])
        .args(["--page-limit", "200", "--no-media"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let wait_for = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done() {
            assert!(Instant::now() < deadline, "waited 60 s for {what}");
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    wait_for("the third page request", &|| {
        proxy.requests_seen_for("/v1/changes") >= 3
    });
    server.kill();
    // The held request now meets a dead server; restart only after it has.
    wait_for("a request to meet the stopped server", &|| {
        proxy.upstream_failures() >= 1
    });
    // The port is free once the killed server is reaped; retry briefly in case the OS
    // still holds it.
    let deadline = Instant::now() + Duration::from_secs(10);
    let server = loop {
        match DevServerProcess::try_start(&args) {
            Ok(server) => break server,
            Err(e) if Instant::now() < deadline => {
                eprintln!("restart: {e}; retrying");
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("the server did not restart on {addr}: {e}"),
        }
    };
    let out = sync.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = stdout_json(&out);
    assert_same_shop(&report, &server.digest("shop_demo"));
    assert!(report["retries"].as_u64().unwrap() >= 1, "{report}");
}

#[test]
fn a_revoked_token_asks_to_activate_again() {
    let (server, _sdir) = seeded_server(50, &[]);
    let phone = Device::new();
    let activation = phone.activate(&server.url, &server.activation_code("shop_demo", "basic"));
    phone.sync(&["--no-media"]);
    let device = activation["device_id"].as_str().unwrap();
    let (code, body) = http_post_json(
        &server.url,
        &format!("/dev/devices/{device}/revoke"),
        &serde_json::json!({}),
    );
    assert!(code < 300, "{code} {body}");
    let digest_before = local_digest(&phone.store()).unwrap();
    let cursor_before = phone.store().status().unwrap().sync.cursor;
    assert!(cursor_before.is_some());
    let o = phone.cli(&["sync", "--json"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Activate it again"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // The refused sync kept every synced row and the cursor.
    assert_eq!(local_digest(&phone.store()).unwrap(), digest_before);
    assert_eq!(phone.store().status().unwrap().sync.cursor, cursor_before);
    // Activating again repairs it, and the data synced before is kept.
    phone.activate(&server.url, &server.activation_code("shop_demo", "basic"));
    let again = phone.sync(&["--no-media"]);
    assert_same_shop(&again, &server.digest("shop_demo"));
}

#[test]
fn shops_are_isolated_from_each_other() {
    let (server, _sdir) = seeded_server(300, &[]);
    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops",
        &serde_json::json!({"name": "隔壁的水果店", "shop_id": "shop_fruit"}),
    );
    assert!(code < 300, "{code} {body}");
    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops/shop_fruit/orders",
        &serde_json::json!({"count": 10, "seed": 3}),
    );
    assert!(code < 300, "{code} {body}");

    let tea = Device::new();
    tea.activate(
        &server.url,
        &server.activation_code("shop_demo", "standard"),
    );
    let fruit = Device::new();
    fruit.activate(
        &server.url,
        &server.activation_code("shop_fruit", "premium"),
    );
    let tea_report = tea.sync(&["--no-media"]);
    let fruit_report = fruit.sync(&["--no-media"]);
    assert_same_shop(&tea_report, &server.digest("shop_demo"));
    assert_same_shop(&fruit_report, &server.digest("shop_fruit"));
    assert_eq!(fruit_report["pulled"]["order"], 10, "{fruit_report}");

    // The fruit shop's device edits a tea product id: the server must not touch it.
    let tea_product = tea
        .store()
        .read(|db| db.catalog().products_page(None, 1))
        .unwrap()
        .remove(0);
    fruit
        .store()
        .write(|db| {
            db.sync().enqueue(&NewMutation {
                kind: "product_edit",
                entity_id: &tea_product.id,
                base_version: Some(tea_product.version),
                payload: r#"{"title":"hijacked"}"#,
                created_ms: 1,
            })
        })
        .unwrap();
    let pushed = fruit.sync(&["--no-media"]);
    assert_eq!(pushed["rejected"], 1, "{pushed}");
    assert_same_shop(&tea.sync(&["--no-media"]), &server.digest("shop_demo"));
    let unchanged = tea
        .store()
        .read(|db| db.catalog().product(&tea_product.id))
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.title, tea_product.title);
}

#[test]
fn plain_http_is_refused_except_to_loopback() {
    let phone = Device::new();
    for url in [
        "http://example.com",
        "http://10.0.0.8:8080",
        "ftp://127.0.0.1/",
    ] {
        let o = phone.cli(&["activate", "--server", url, "--code", "X"]);
        assert!(!o.status.success(), "{url} accepted");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("cannot be used: use an address starting with https://"),
            "{url}: {err}"
        );
    }
}

#[test]
fn sync_before_activation_says_what_to_do() {
    let phone = Device::new();
    assert!(phone.cli(&["demo", "--help"]).status.success());
    Store::open(&phone.db).unwrap();
    let o = phone.cli(&["sync"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not activated"), "{err}");
}

#[test]
fn coupon_books_added_on_the_server_reach_the_phone_and_bad_terms_are_refused() {
    let (server, _sdir) = seeded_server(20, &[]);
    let phone = Device::new();
    phone.activate(
        &server.url,
        &server.activation_code("shop_demo", "standard"),
    );
    let book = serde_json::json!({
        "id": "book_autumn", "title": "满100减10", "kind": "single_use",
        "value_fen": 1000, "value_bps": null, "max_uses": null, "min_spend": 10000,
        "valid_from_ms": 1_790_000_000_000i64, "valid_until_ms": 1_800_000_000_000i64,
        "scope": {"kind": "categories", "ids": ["tea"]}, "issued_count": 100,
        "version": 1, "updated_ms": 1_790_000_000_000i64
    });
    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops/shop_demo/coupon-books",
        &serde_json::json!({ "books": [book.clone()] }),
    );
    assert!(code < 300, "{code} {body}");
    let mut bad = book.clone();
    bad["value_bps"] = serde_json::json!(500); // both a fixed value and a percentage
    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops/shop_demo/coupon-books",
        &serde_json::json!({ "books": [bad] }),
    );
    assert_eq!(code, 400, "{body}");
    assert!(
        body.contains("exactly one of value_fen and value_bps"),
        "{body}"
    );

    let report = phone.sync(&["--no-media"]);
    assert_eq!(report["pulled"]["coupon_book"], 1, "{report}");
    assert_same_shop(&report, &server.digest("shop_demo"));
    let stored = phone
        .store()
        .read(|db| db.coupons().book("book_autumn"))
        .unwrap()
        .unwrap();
    assert_eq!(stored.min_spend.0, 10_000);
}
