//! The seller's language end to end: the real `sellerkit` binary against the real dev
//! server prints `status` and `sync` in Simplified Chinese with `--lang zh-CN` and in English
//! with `--lang en`, while `--json` keeps its stable English keys and codes.

use std::path::PathBuf;

use sellerkit_e2e::{DevServerProcess, sellerkit, stdout_json};

/// Whether `text` holds a CJK ideograph (as every zh-CN line does).
fn has_cjk(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c))
}

struct Phone {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Phone {
    fn cli(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["--db", self.db.to_str().unwrap()];
        all.extend_from_slice(args);
        let o = sellerkit(&all);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o
    }
}

fn text(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Every line of `out` that carries letters is in the language asked for: in Chinese each
/// holds CJK (paths, ids, amounts and `sellerkit ...` commands aside, no line is English
/// alone), in English none does. The demo shop's name is Chinese data, not words of ours,
/// so lines that name the shop are skipped in English.
fn assert_language(what: &str, out: &str, zh: bool, shop_name: &str) {
    assert!(!out.trim().is_empty(), "{what}: no output");
    for line in out.lines().filter(|l| l.chars().any(char::is_alphabetic)) {
        if zh {
            assert!(
                has_cjk(line),
                "{what}: an English line in zh-CN:\n{line}\n---\n{out}"
            );
        } else if !line.contains(shop_name) {
            assert!(
                !has_cjk(line),
                "{what}: Chinese in English:\n{line}\n---\n{out}"
            );
        }
    }
}

#[test]
fn status_and_sync_speak_the_language_asked_for() {
    let sdir = tempfile::tempdir().unwrap();
    let server_db = sdir.path().join("server.db");
    let server = DevServerProcess::start(&[
        "--db",
        server_db.to_str().unwrap(),
        "--seed",
        "demo",
        "--orders",
        "200",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let phone = Phone {
        db: dir.path().join("sellerkit.db"),
        _dir: dir,
    };
    let code = server.activation_code("shop_demo", "standard");
    let activated = phone.cli(&[
        "--lang",
        "en",
        "activate",
        "--server",
        &server.url,
        "--code",
        &code,
    ]);
    assert!(
        text(&activated).starts_with("Activated device"),
        "{}",
        text(&activated)
    );
    let zh = text(&phone.cli(&["--lang", "zh-CN", "sync", "--no-media"]));
    assert_language("sync zh-CN", &zh, true, "");
    assert!(zh.starts_with("同步完成：收到 "), "{zh}");
    assert!(zh.contains("订单"), "{zh}");
    // The demo shop's name is the server's data, in Chinese: not words of ours.
    let status = stdout_json(&phone.cli(&["status", "--json"]));
    let shop_name = status["shop"]["name"].as_str().unwrap().to_string();

    // New orders on the server, so the English sync has something to tell too.
    let (status, body) = sellerkit_e2e::http_post_json(
        &server.url,
        "/dev/shops/shop_demo/orders",
        &serde_json::json!({"count": 5, "seed": 3}),
    );
    assert!(status < 300, "{body}");
    let en = text(&phone.cli(&["--lang", "en", "sync", "--no-media"]));
    assert_language("sync en", &en, false, &shop_name);
    assert!(en.starts_with("Sync done: "), "{en}");
    assert!(en.contains(" received, 0 changes sent."), "{en}");
    assert!(en.contains("5 orders"), "{en}");

    let zh = text(&phone.cli(&["--lang", "zh-CN", "status"]));
    assert_language("status zh-CN", &zh, true, &shop_name);
    assert!(zh.contains("标准版"), "{zh}");
    let en = text(&phone.cli(&["--lang", "en", "status"]));
    assert_language("status en", &en, false, &shop_name);
    assert!(en.contains("standard tier"), "{en}");

    // Machines read the same JSON whatever the language.
    for lang in ["zh-CN", "en"] {
        let status = stdout_json(&phone.cli(&["--lang", lang, "status", "--json"]));
        assert_eq!(status["activated"], true, "{lang}: {status}");
        let sync = stdout_json(&phone.cli(&["--lang", lang, "sync", "--json", "--no-media"]));
        assert!(sync["pulled"].is_object(), "{lang}: {sync}");
        assert!(!has_cjk(&sync.to_string()), "{lang}: {sync}");
    }
}
