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

#[test]
fn sellerkit_serve_runs_the_same_dev_server() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let mut child = std::process::Command::new(workspace_bin("sellerkit", "sellerkit"))
        .args(["serve", "--db"])
        .arg(&db)
        .args(["--addr", "127.0.0.1:0", "--seed", "demo", "--orders", "10"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("listening on ")
        .expect(&first)
        .to_string();
    let codes: Vec<String> = lines.by_ref().take(3).map(|l| l.unwrap()).collect();
    assert!(
        codes
            .iter()
            .all(|l| l.starts_with("activation code shop_demo ")),
        "{codes:?}"
    );
    let (code, body) = http_get(&url, "/v1/health");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(code, 200, "{body}");
    assert!(db.is_file(), "the server's database is the --db given");
}
