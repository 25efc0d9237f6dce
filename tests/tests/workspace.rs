//! The workspace's parts working together: CLI, store, dev server.

use sellerkit_core::store::Store;
use sellerkit_e2e::{DevServerProcess, http_get, workspace_bin};

#[test]
fn dev_server_starts_on_a_free_loopback_port_and_answers() {
    let server = DevServerProcess::start(&[]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let (code, body) = http_get(&server.url, "/v1/health");
    assert_eq!(code, 200, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "ok");
}

#[test]
fn the_demo_database_opens_in_the_core_with_what_the_cli_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(workspace_bin("sellerkit", "sellerkit"))
        .args(["demo", "--json", "--orders", "200", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let store = Store::open(dir.path().join("sellerkit.db")).unwrap();
    let status = store.status().unwrap();
    assert_eq!(
        serde_json::to_value(&status.counts).unwrap(),
        report["counts"]
    );
    let shop = status.shop.expect("demo shop");
    assert_eq!(report["shop"]["shop_id"], shop.shop_id.as_str());
}
