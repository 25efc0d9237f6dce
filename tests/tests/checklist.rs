//! The store-setup checklist end to end: the real dev server process on 127.0.0.1, phones as
//! real SQLite files driven by the `sellerkit` CLI: definitions published on the server and
//! accepted or refused on the phone, auto states following synced data, ticks pushed.

use std::path::PathBuf;

use sellerkit_e2e::{DevServerProcess, http_post_json, sellerkit, stdout_json};
use serde_json::{Value, json};

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
        let o = phone.cli(&["activate", "--server", &server.url, "--code", &code]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        phone
    }

    fn cli(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["--db", self.db.to_str().unwrap()];
        all.extend_from_slice(args);
        sellerkit(&all)
    }

    fn sync(&self) -> Value {
        let o = self.cli(&["sync", "--json", "--no-media"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        stdout_json(&o)
    }

    fn checklist(&self) -> Value {
        let o = self.cli(&["checklist", "--json"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        stdout_json(&o)
    }

    fn outbox(&self) -> i64 {
        let o = self.cli(&["status", "--json"]);
        assert!(o.status.success());
        stdout_json(&o)["counts"]["outbox"].as_i64().unwrap()
    }
}

fn state(checklist: &Value, id: &str) -> String {
    checklist["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no task {id}"))["status"]["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn server() -> (DevServerProcess, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    (
        DevServerProcess::start(&["--db", db.to_str().unwrap()]),
        dir,
    )
}

fn create_shop(server: &DevServerProcess, shop: &str, tier: &str) {
    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops",
        &json!({"name": "小王的茶叶店", "shop_id": shop, "tier": tier}),
    );
    assert_eq!(code, 201, "{body}");
}

/// A valid document of three tasks at `version`.
fn doc(version: i64) -> Value {
    let task = |id: &str, deps: Vec<&str>, rule: Value| {
        json!({
            "id": id, "category": "setup", "min_tier": "basic", "depends_on": deps,
            "minutes": 5,
            "title": {"zh-CN": format!("任务{id}"), "en": format!("Task {id}")},
            "help": {"zh-CN": "这样做。", "en": "Do it so."},
            "rule": rule,
        })
    };
    json!({"schema": 1, "version": version, "tasks": [
        task("name_it", vec![], json!({"kind": "profile_field", "field": "name"})),
        task("sell_one", vec!["name_it"], json!({"kind": "first_order"})),
        task("say_hello", vec!["name_it"], json!({"kind": "manual"})),
    ]})
}

fn publish(server: &DevServerProcess, body: Value) -> Value {
    let (code, text) = http_post_json(&server.url, "/dev/checklist-definitions", &body);
    assert_eq!(code, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_newer_definition_replaces_the_bundled_one_and_bad_ones_are_refused_by_the_phone() {
    let (server, _sdir) = server();
    create_shop(&server, "shop_a", "standard");
    let phone = Phone::activated(&server, "shop_a");
    phone.sync();
    let bundled = phone.checklist();
    assert_eq!(bundled["source"], "bundled");
    assert_eq!(bundled["version"], 1);
    assert!(bundled["tasks"].as_array().unwrap().len() >= 15);

    let answer = publish(&server, json!({"document": doc(2)}));
    assert_eq!(answer["problem"], Value::Null, "{answer}");
    assert_eq!(answer["shop_ids"], json!(["shop_a"]));
    phone.sync();
    let v2 = phone.checklist();
    assert_eq!(v2["source"], "server");
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["tasks"].as_array().unwrap().len(), 3);
    assert_eq!(state(&v2, "name_it"), "done");
    assert_eq!(state(&v2, "sell_one"), "ready");

    // Each bad document: published, the sync still succeeds, the phone keeps version 2 and
    // records why it refused.
    let mut cycle = doc(3);
    cycle["tasks"][0]["depends_on"] = json!(["sell_one"]);
    let mut unknown_kind = doc(3);
    unknown_kind["tasks"][1]["rule"] = json!({"kind": "full_moon"});
    let mut unknown_dep = doc(3);
    unknown_dep["tasks"][2]["depends_on"] = json!(["nowhere"]);
    let mut duplicate = doc(3);
    duplicate["tasks"][2]["id"] = json!("sell_one");
    let mut untranslated = doc(3);
    untranslated["tasks"][1]["help"] = json!({"zh-CN": "只有中文。"});
    let cases = [
        ("cycle", json!({"document": cycle})),
        ("unknown_rule_kind", json!({"document": unknown_kind})),
        ("unknown_dependency", json!({"document": unknown_dep})),
        ("duplicate_id", json!({"document": duplicate})),
        ("missing_translation", json!({"document": untranslated})),
        (
            "malformed",
            json!({"document": "{\"schema\": 1, \"tasks\": [", "version": 3}),
        ),
        ("not_newer", json!({"document": doc(1)})),
    ];
    for (code, body) in cases {
        let answer = publish(&server, body);
        if code != "not_newer" {
            assert!(answer["problem"].is_string(), "{code}: {answer}");
        }
        phone.sync();
        let now = phone.checklist();
        assert_eq!(now["version"], 2, "{code}");
        assert_eq!(now["tasks"].as_array().unwrap().len(), 3, "{code}");
        assert_eq!(now["refused_definitions"][0]["code"], code, "{now}");
        assert!(
            !now["refused_definitions"][0]["reason"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
    // And a newer valid one still gets through after all that.
    publish(&server, json!({"document": doc(4)}));
    phone.sync();
    assert_eq!(phone.checklist()["version"], 4);
}

#[test]
fn auto_states_follow_synced_data_and_manual_ticks_sync() {
    let (server, _sdir) = server();
    create_shop(&server, "shop_b", "standard");
    let phone = Phone::activated(&server, "shop_b");
    phone.sync();
    let before = phone.checklist();
    assert_eq!(state(&before, "shop_name"), "done");
    assert_eq!(state(&before, "publish_products"), "ready");
    assert_eq!(state(&before, "first_order"), "locked");
    assert_eq!(state(&before, "first_mobile_order"), "locked");

    // Ten products and one phone order arrive on the server.
    let products: Vec<Value> = (0..10)
        .map(|n| {
            json!({"id": format!("p{n}"), "title": format!("龙井 {n}号"), "description": "",
                   "category": "tea", "price": 9900, "stock": 3, "status": "active",
                   "version": 1, "updated_ms": 1})
        })
        .collect();
    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops/shop_b/products",
        &json!({ "products": products }),
    );
    assert_eq!(code, 200, "{body}");
    let order = json!({"id": "o1", "channel": "mobile", "status": "paid", "customer_id": "c1",
        "created_ms": 1, "paid_ms": 2, "refunded_ms": null, "subtotal": 9900, "discount": 0,
        "total": 9900, "refund": 0, "coupon_id": null, "lines": [], "updated_ms": 2});
    let (code, body) = http_post_json(
        &server.url,
        "/dev/shops/shop_b/orders",
        &json!({ "orders": [order] }),
    );
    assert_eq!(code, 200, "{body}");
    phone.sync();
    let after = phone.checklist();
    assert_eq!(state(&after, "publish_products"), "done");
    assert_eq!(state(&after, "first_order"), "done");
    assert_eq!(state(&after, "first_mobile_order"), "done");
    assert_eq!(state(&after, "mobile_titles"), "done");
    assert_eq!(state(&after, "advertising_terms"), "done");
    // No pictures were sent: the main-image task stays to do.
    assert_eq!(state(&after, "mobile_main_images"), "ready");
    assert_eq!(
        after["done"].as_u64().unwrap(),
        before["done"].as_u64().unwrap() + 5
    );

    // A manual tick: written with its outbox entry, pushed and applied by the server.
    let o = phone.cli(&["checklist", "tick", "payment_setup", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let tick = stdout_json(&o);
    assert_eq!(tick["done"], true);
    assert!(tick["mutation_id"].is_i64());
    assert_eq!(phone.outbox(), 1);
    assert_eq!(state(&phone.checklist(), "payment_setup"), "done");
    let report = phone.sync();
    assert_eq!(report["pushed"], 1, "{report}");
    assert_eq!(report["applied"], 1, "{report}");
    assert_eq!(phone.outbox(), 0);
    assert_eq!(state(&phone.checklist(), "payment_setup"), "done");
    let o = phone.cli(&["checklist", "untick", "payment_setup", "--json"]);
    assert!(o.status.success());
    assert_eq!(phone.outbox(), 1);
    assert_eq!(phone.sync()["applied"], 1);
    assert_eq!(state(&phone.checklist(), "payment_setup"), "ready");
}

#[test]
fn refused_ticks_are_typed_errors_and_write_nothing() {
    let (server, _sdir) = server();
    create_shop(&server, "shop_c", "basic");
    let phone = Phone::activated(&server, "shop_c");
    phone.sync();
    let before = phone.checklist();
    for (task, code) in [
        ("shop_name", "automatic"),
        ("licence_disclosure", "not_in_tier"),
        ("no_such_task", "unknown_task"),
    ] {
        let o = phone.cli(&["checklist", "tick", task, "--json"]);
        assert_eq!(o.status.code(), Some(1), "{task}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("[{code}]")), "{task}: {err}");
        assert!(stdout_json(&o)["error"]["message"].is_string());
    }
    // A locked manual task needs a definition where one manual task waits on another.
    let mut d = doc(2);
    d["tasks"][2]["depends_on"] = json!(["sell_one"]);
    publish(&server, json!({"document": d}));
    phone.sync();
    let o = phone.cli(&["checklist", "tick", "say_hello"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("[locked]"));
    assert_eq!(phone.outbox(), 0);
    let after = phone.checklist();
    assert_eq!(after["version"], 2);
    assert_eq!(before["done"], 1);
    assert_eq!(state(&after, "say_hello"), "locked");
}
