//! Sync through a hostile network: a proxy between the CLI and the real dev server drops,
//! delays, truncates and answers 5xx/429, or sends malformed, type-confused or oversized JSON.

use std::path::PathBuf;
use std::time::Duration;

use sellerkit_core::store::Store;
use sellerkit_core::sync::apply::local_digest;
use sellerkit_e2e::proxy::{Fault, FaultProxy};
use sellerkit_e2e::{DevServerProcess, sellerkit, stdout_json};

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

    fn cli(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["--db", self.db.to_str().unwrap()];
        all.extend_from_slice(args);
        sellerkit(&all)
    }
}

fn seeded_server(orders: &str) -> (DevServerProcess, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let server = DevServerProcess::start(&[
        "--db",
        db.to_str().unwrap(),
        "--seed",
        "demo",
        "--orders",
        orders,
    ]);
    (server, dir)
}

#[test]
fn a_sync_through_drops_delays_truncations_5xx_and_429_finishes_once_the_faults_stop() {
    let (server, _sdir) = seeded_server("3000");
    let proxy = FaultProxy::start(&server.url);
    let phone = Phone::new();
    let code = server.activation_code("shop_demo", "standard");
    let activated = phone.cli(&["activate", "--server", proxy.url(), "--code", &code]);
    assert!(
        activated.status.success(),
        "{}",
        String::from_utf8_lossy(&activated.stderr)
    );

    proxy.seeded(
        0xFA17,
        25,
        vec![
            Fault::Drop,
            Fault::Delay(Duration::from_millis(150)),
            Fault::Truncate(100),
            Fault::Status(503),
            Fault::Status(502),
            Fault::RateLimit {
                retry_after_secs: 1,
            },
        ],
    );
    let faulty = phone.cli(&["sync", "--json", "--page-limit", "300"]);
    let injected = proxy.faults_injected();
    assert!(injected >= 10, "only {injected} faults injected");
    // Retries normally carry it through; if one request ran out of retries, the error is a
    // clean one-liner and the next sync (below) still converges.
    if faulty.status.success() {
        let report = stdout_json(&faulty);
        assert!(report["retries"].as_u64().unwrap() >= 1, "{report}");
    } else {
        let err = String::from_utf8_lossy(&faulty.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }

    proxy.set_faults_enabled(false);
    let clean = phone.cli(&["sync", "--json", "--digest"]);
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    let report = stdout_json(&clean);
    let server_digest = server.digest("shop_demo");
    assert_eq!(report["digest"]["counts"], server_digest["counts"]);
    assert_eq!(report["digest"]["checksum"], server_digest["checksum"]);
}

#[test]
fn malformed_type_confused_or_oversized_pages_are_typed_errors_and_change_nothing() {
    let (server, _sdir) = seeded_server("500");
    let proxy = FaultProxy::start(&server.url);
    let phone = Phone::new();
    let code = server.activation_code("shop_demo", "standard");
    assert!(
        phone
            .cli(&["activate", "--server", proxy.url(), "--code", &code])
            .status
            .success()
    );
    // A first clean sync, so "unchanged" means something.
    assert!(phone.cli(&["sync", "--no-media"]).status.success());
    let before = local_digest(&Store::open(&phone.db).unwrap()).unwrap();
    let cursor_before = Store::open(&phone.db)
        .unwrap()
        .status()
        .unwrap()
        .sync
        .cursor;
    // New orders wait on the server, so a page with content is what gets corrupted.
    let (code, body) = sellerkit_e2e::http_post_json(
        &server.url,
        "/dev/shops/shop_demo/orders",
        &serde_json::json!({"count": 40, "seed": 11}),
    );
    assert!(code < 300, "{body}");

    let cases: Vec<(&str, Fault, &str)> = vec![
        ("invalid JSON", Fault::ReplaceBody(b"{\"changes\": [".to_vec()), "malformed_response"),
        (
            "type-confused order",
            Fault::ReplaceBody(
                br#"{"changes":[{"kind":"order","data":{"id":42,"channel":"fax"}}],"next_cursor":"9","has_more":false}"#
                    .to_vec(),
            ),
            "malformed_response",
        ),
        (
            "unknown kind",
            Fault::ReplaceBody(
                br#"{"changes":[{"kind":"spaceship","data":{}}],"next_cursor":"9","has_more":false}"#
                    .to_vec(),
            ),
            "malformed_response",
        ),
        (
            "negative price",
            Fault::ReplaceBody(
                br#"{"changes":[{"kind":"product","data":{"id":"p_x","title":"t","description":"","category":"","price":-5,"stock":1,"status":"active","version":1,"updated_ms":1}}],"next_cursor":"999999","has_more":false}"#
                    .to_vec(),
            ),
            // Checked before the write: the server's fault, not the phone's storage.
            "malformed_response",
        ),
        (
            "100 MB body",
            Fault::FillBody {
                len: 100 * 1024 * 1024,
                chunked: true,
            },
            "response_too_large",
        ),
    ];
    proxy.set_path_filter(Some("/v1/changes"));
    for (what, fault, expect) in cases {
        proxy.script(std::iter::repeat_n(fault, 20));
        let o = phone.cli(&["sync", "--json", "--no-media"]);
        assert!(!o.status.success(), "{what}: accepted");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert_eq!(err.lines().count(), 1, "{what}: {err}");
        // The seller reads a sentence in their language; the stable code says what it was.
        let answer: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{what}: --json printed no error object ({e}): {err}"));
        assert_eq!(answer["error"]["code"], expect, "{what}: {answer} {err}");
        let store = Store::open(&phone.db).unwrap();
        assert_eq!(
            local_digest(&store).unwrap(),
            before,
            "{what} changed the data"
        );
        assert_eq!(store.status().unwrap().sync.cursor, cursor_before, "{what}");
        proxy.script(std::iter::empty());
    }
    // The real pages still apply afterwards.
    let ok = phone.cli(&["sync", "--json", "--no-media"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(stdout_json(&ok)["pulled"]["order"], 40);
}
