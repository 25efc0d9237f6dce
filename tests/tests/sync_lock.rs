//! One sync at a time per database file, across processes: the core service (`App`, as the
//! phone app runs it) and the `sellerkit` CLI (another process) never sync one database at
//! once; the second waits for the first, then syncs.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use sellerkit_core::app::{App, AppConfig, SyncRun};
use sellerkit_core::sync::progress::{SyncListener, SyncProgress};
use sellerkit_core::sync::secrets::FileSecretStore;
use sellerkit_e2e::{DevServerProcess, sellerkit, stdout_json, workspace_bin};
use tokio_util::sync::CancellationToken;

/// Holds the sync at its first progress report until the test lets it go.
struct Held {
    reached: mpsc::SyncSender<()>,
    release: std::sync::Mutex<mpsc::Receiver<()>>,
}

impl SyncListener for Held {
    fn on_progress(&self, _progress: SyncProgress) {
        if self.reached.try_send(()).is_ok() {
            let release = self.release.lock().unwrap();
            let _ = release.recv_timeout(Duration::from_secs(60));
        }
    }
}

#[test]
fn an_app_and_a_cli_process_never_sync_one_database_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let server_db = dir.path().join("server.db");
    let server = DevServerProcess::start(&[
        "--db",
        server_db.to_str().unwrap(),
        "--seed",
        "demo",
        "--orders",
        "50",
    ]);
    let db = dir.path().join("sellerkit.db");
    let db_arg = db.to_str().unwrap().to_owned();
    let code = server.activation_code("shop_demo", "standard");
    let o = sellerkit(&[
        "--db",
        &db_arg,
        "activate",
        "--server",
        &server.url,
        "--code",
        &code,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let mut config = AppConfig::new(&db, Arc::new(FileSecretStore::beside_database(&db)));
    config.language = sellerkit_core::locale::Language::En;
    let app = Arc::new(App::open(config).unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (reached_tx, reached) = mpsc::sync_channel(1);
    let (release, release_rx) = mpsc::channel();
    let held = Arc::new(Held {
        reached: reached_tx,
        release: std::sync::Mutex::new(release_rx),
    });
    let app_sync = {
        let app = Arc::clone(&app);
        let held = Arc::clone(&held);
        runtime.spawn(async move {
            let run = SyncRun {
                download_media: false,
                page_limit: None,
            };
            app.sync(&run, &*held, &CancellationToken::new()).await
        })
    };
    reached
        .recv_timeout(Duration::from_secs(60))
        .expect("the app's sync did not start");

    // The app's sync holds the database: the CLI's sync, another process, must wait.
    let mut cli = std::process::Command::new(workspace_bin("sellerkit", "sellerkit"))
        .args([
            "--db",
            &db_arg,
            "--lang",
            "en",
            "sync",
            "--json",
            "--no-media",
        ])
        .env_remove("SELLERKIT_DB")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        cli.try_wait().unwrap().is_none(),
        "the CLI synced while the app's sync held the database"
    );
    release.send(()).unwrap();
    let report = runtime.block_on(app_sync).unwrap().expect("the app's sync");
    assert_eq!(report.pulled.get("order").copied(), Some(50), "{report:?}");

    // Once the app's sync ended, the CLI's runs, and finds nothing new.
    let out = cli.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("waiting for it"),
        "the CLI did not say it waited: {err}"
    );
    let cli_report = stdout_json(&out);
    assert_eq!(cli_report["pulled"].get("order"), None, "{cli_report}");
}
