//! The `sellerkit` binary as QA runs it: flags, exit codes, output, refusal of bad files.

use std::path::Path;
use std::process::{Command, Output};

fn sellerkit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sellerkit"))
        .args(args)
        .env_remove("SELLERKIT_DB")
        .env_remove("SELLERKIT_NOW")
        // Most assertions read the English words; `the_sellers_language_is_chosen` below
        // checks the Chinese default.
        .env("SELLERKIT_LANG", "en")
        .output()
        .expect("run sellerkit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// A failure is one line on stderr, a non-zero exit, and never a panic.
fn assert_clean_failure(o: &Output) -> String {
    assert!(!o.status.success(), "expected failure, got: {}", stdout(o));
    let err = stderr(o);
    assert!(!err.contains("panicked"), "panic: {err}");
    let lines: Vec<_> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one-line reason expected, got: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_string()
}

#[test]
fn demo_keeps_its_database_for_status_and_both_agree() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let demo = sellerkit(&[
        "demo",
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--now",
        "2026-11-11T12:00:00+08:00",
        "--orders",
        "800",
    ]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let demo = json(&demo);
    assert_eq!(demo["kept"], true);
    // 800 seeded over the year, then 25 new ones arrived and the second sync brought them.
    assert_eq!(demo["counts"]["orders"], 825);
    assert_eq!(demo["first_sync"]["pulled"]["order"], 800);
    assert_eq!(demo["second_sync"]["pulled"]["order"], 25);
    assert_eq!(demo["counts"]["products"], 200);
    // The coupon part: three offline redemptions pushed once, the refusals, one dispute;
    // its syncs move the cursor past the second sync's.
    let coupons = &demo["coupons"];
    assert_eq!(coupons["issued"], 6, "{coupons}");
    assert_eq!(
        coupons["redeemed"].as_array().unwrap().len(),
        3,
        "{coupons}"
    );
    assert_eq!(
        (coupons["pushed"].as_u64(), coupons["applied"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(coupons["pushed_again"], 0);
    assert_eq!(coupons["tampered"]["reason"], "malformed");
    assert_eq!(coupons["forged"]["reason"], "bad_signature");
    assert_eq!(coupons["reused"]["reason"], "used_up");
    assert_eq!(coupons["dispute"]["second_conflicts"], 1, "{coupons}");
    assert!(demo["sync"]["cursor"].is_string());
    assert_eq!(
        demo["counts"]["redemptions"], 4,
        "three, then one of the disputed pair"
    );
    assert_eq!(demo["shop"]["tier"], "standard");
    let db = out.join("sellerkit.db");
    assert!(db.is_file());

    // Global flags before the subcommand work as well as after it.
    let status = sellerkit(&["--json", "--db", db.to_str().unwrap(), "status"]);
    assert!(status.status.success(), "{}", stderr(&status));
    let status = json(&status);
    assert_eq!(status["counts"], demo["counts"]);
    assert_eq!(status["schema_version"], status["latest_schema_version"]);
    assert_eq!(status["shop"]["name"], "小王的茶叶店");

    // The same database read directly: the counts are real rows, not a printed guess.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let orders: i64 = conn
        .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
        .unwrap();
    assert_eq!(Some(orders), status["counts"]["orders"].as_i64());
}

#[test]
fn demo_is_deterministic_for_a_given_now() {
    let run = || {
        let o = sellerkit(&[
            "demo",
            "--json",
            "--now",
            "1790000000000",
            "--orders",
            "300",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v = json(&o);
        (v["counts"].clone(), v["shop"].clone())
    };
    assert_eq!(run(), run());
}

#[test]
fn demo_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    assert!(
        sellerkit(&["demo", "--out", out, "--orders", "50"])
            .status
            .success()
    );
    let again = sellerkit(&["demo", "--out", out, "--orders", "50"]);
    let line = assert_clean_failure(&again);
    assert!(line.contains("--force"), "{line}");
    let forced = sellerkit(&["demo", "--out", out, "--force", "--orders", "50"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
}

#[test]
fn human_status_names_what_the_database_holds() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    assert!(
        sellerkit(&["demo", "--out", out, "--orders", "100"])
            .status
            .success()
    );
    let db = dir.path().join("sellerkit.db");
    let status = sellerkit(&["status", "--db", db.to_str().unwrap()]);
    assert!(status.status.success());
    let text = stdout(&status);
    // The schema line follows the core's latest migration, not a number fixed here.
    let schema = format!(
        "Schema     v{}",
        sellerkit_core::store::migrations::LATEST_VERSION
    );
    for needle in [
        schema.as_str(),
        "小王的茶叶店",
        "standard tier",
        "Orders",
        "last success 20",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn help_works_everywhere() {
    for args in [
        vec!["--help"],
        vec!["status", "--help"],
        vec!["demo", "--help"],
        vec!["help", "demo"],
    ] {
        let o = sellerkit(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("Usage"), "{args:?}");
    }
    let v = sellerkit(&["--version"]);
    assert!(stdout(&v).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn unknown_command_and_bad_now_fail_cleanly() {
    let o = sellerkit(&["frobnicate"]);
    assert!(!o.status.success());
    let o = sellerkit(&["demo", "--now", "yesterday-ish"]);
    let line = assert_clean_failure(&o);
    assert!(line.contains("--now"), "{line}");
}

fn bad_file_cases(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut cases = Vec::new();
    let text = dir.join("notes.txt");
    std::fs::write(&text, "shopping list: tea, cups\n").unwrap();
    cases.push(("text file".to_string(), text));

    let foreign = dir.join("other-app.db");
    {
        let conn = rusqlite::Connection::open(&foreign).unwrap();
        conn.execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('A');")
            .unwrap();
    }
    cases.push(("foreign SQLite database".to_string(), foreign));

    let damaged = dir.join("damaged.db");
    let made = sellerkit(&[
        "demo",
        "--out",
        dir.join("src").to_str().unwrap(),
        "--orders",
        "300",
    ]);
    assert!(made.status.success());
    let mut bytes = std::fs::read(dir.join("src/sellerkit.db")).unwrap();
    let len = bytes.len();
    for b in &mut bytes[4096..len] {
        *b ^= 0x5A;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    cases.push(("damaged database".to_string(), damaged));

    let truncated = dir.join("truncated.db");
    let bytes = std::fs::read(dir.join("src/sellerkit.db")).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    cases.push(("truncated database".to_string(), truncated));
    cases
}

#[test]
fn corrupt_or_foreign_files_give_a_clear_error_and_are_not_modified() {
    let dir = tempfile::tempdir().unwrap();
    for (what, path) in bad_file_cases(dir.path()) {
        let before = std::fs::read(&path).unwrap();
        for json_flag in [false, true] {
            let mut args = vec!["status", "--db", path.to_str().unwrap()];
            if json_flag {
                args.push("--json");
            }
            let o = sellerkit(&args);
            let line = assert_clean_failure(&o);
            assert!(line.contains(path.to_str().unwrap()), "{what}: {line}");
            if json_flag {
                let v = json(&o);
                assert!(v["error"]["message"].as_str().is_some(), "{what}");
            }
        }
        assert_eq!(std::fs::read(&path).unwrap(), before, "{what} was modified");
    }
}

#[test]
fn status_of_a_missing_database_does_not_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("absent.db");
    let o = sellerkit(&["status", "--db", db.to_str().unwrap()]);
    let line = assert_clean_failure(&o);
    assert!(line.contains("no database"), "{line}");
    assert!(!db.exists());
}

/// Messages are Simplified Chinese unless `--lang`, `SELLERKIT_LANG` or the POSIX locale
/// variables say English; the JSON code stays the same English identifier.
#[test]
fn the_sellers_language_is_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join("absent.db");
    let run = |lang: Option<&str>, env_lang: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sellerkit"));
        cmd.args(["status", "--json", "--db", absent.to_str().unwrap()])
            .env_remove("SELLERKIT_DB")
            .env_remove("SELLERKIT_NOW")
            .env_remove("SELLERKIT_LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG");
        if let Some(tag) = lang {
            cmd.args(["--lang", tag]);
        }
        if let Some(value) = env_lang {
            cmd.env("LANG", value);
        }
        cmd.output().expect("run sellerkit")
    };
    let zh = run(None, None);
    assert!(stderr(&zh).contains("找不到数据库"), "{}", stderr(&zh));
    assert_eq!(json(&zh)["error"]["code"], "storage");
    let en = run(Some("en-US"), None);
    assert!(
        stderr(&en).contains("There is no database"),
        "{}",
        stderr(&en)
    );
    assert_eq!(json(&en)["error"]["code"], "storage");
    let from_env = run(None, Some("en_GB.UTF-8"));
    assert!(
        stderr(&from_env).starts_with("error: "),
        "{}",
        stderr(&from_env)
    );
    assert!(!absent.exists(), "status created a database");
}
