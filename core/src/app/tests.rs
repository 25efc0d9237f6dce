//! The core service without a server: opening, the one activation rule, the database
//! lock, and that blocking work stays off the runtime's workers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::*;
use crate::coupons::wallet::Purchase;
use crate::money::Fen;
use crate::sync::progress::NoProgress;
use crate::sync::secrets::{DEVICE_TOKEN_KEY, MemorySecretStore, SecretStoreError};

fn open(dir: &Path, secrets: Arc<dyn SecretStore>) -> App {
    App::open(AppConfig::new(dir.join("sellerkit.db"), secrets)).unwrap()
}

fn activate_locally(app: &App, token: Option<&str>) {
    app.store()
        .write(|db| db.sync().set_device("dev-1", "http://127.0.0.1:9"))
        .unwrap();
    if let Some(token) = token {
        app.secrets.set(DEVICE_TOKEN_KEY, token).unwrap();
    }
}

#[test]
fn an_empty_path_or_unknown_zone_is_refused() {
    let secrets: Arc<dyn SecretStore> = Arc::new(MemorySecretStore::default());
    let empty = App::open(AppConfig::new("  ", Arc::clone(&secrets)));
    assert!(
        matches!(empty, Err(AppError::InvalidInput { .. })),
        "{empty:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut config = AppConfig::new(dir.path().join("x.db"), secrets);
    config.time_zone = Some("Mars/Olympus".into());
    assert!(matches!(App::open(config), Err(AppError::Time(_))));
}

#[test]
fn activated_means_a_device_in_the_database_and_its_token_in_the_secret_store() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path(), Arc::new(MemorySecretStore::default()));
    assert!(!app.is_activated().unwrap());
    activate_locally(&app, None);
    assert!(!app.is_activated().unwrap(), "a device without its token");
    app.secrets.set(DEVICE_TOKEN_KEY, "skt_1").unwrap();
    assert!(app.is_activated().unwrap());
    assert!(app.status().unwrap().activated);
    let creds = app.activation().unwrap().unwrap();
    assert_eq!(creds.device_id, "dev-1");
    assert!(
        !format!("{creds:?}").contains("skt_1"),
        "the token leaks into logs"
    );
}

#[test]
fn redeeming_needs_activation_and_writes_nothing_before() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path(), Arc::new(MemorySecretStore::default()));
    let refused = app.redeem_coupon("SKC1:whatever", &Purchase::with_total(Fen(100)), None);
    assert!(
        matches!(refused, Err(AppError::NotActivated)),
        "{refused:?}"
    );
    assert_eq!(app.store().status().unwrap().counts.outbox, 0);
}

#[tokio::test]
async fn a_sync_before_activation_is_not_activated_and_never_starts() {
    struct Starts(std::sync::atomic::AtomicU32);
    impl crate::sync::progress::SyncListener for Starts {
        fn on_started(&self) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        fn on_progress(&self, _: crate::sync::progress::SyncProgress) {}
    }
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path(), Arc::new(MemorySecretStore::default()));
    let starts = Starts(0.into());
    let outcome = app
        .sync(&SyncRun::default(), &starts, &CancellationToken::new())
        .await;
    assert!(
        matches!(outcome, Err(AppError::NotActivated)),
        "{outcome:?}"
    );
    assert_eq!(starts.0.load(std::sync::atomic::Ordering::SeqCst), 0);
}

#[tokio::test]
async fn two_apps_on_one_database_do_not_sync_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path(), Arc::new(MemorySecretStore::default()));
    let b = open(dir.path(), Arc::new(MemorySecretStore::default()));
    // `a` holds the database as a running sync does.
    let held = a.lock.try_acquire().unwrap().expect("free at first");
    let cancel = CancellationToken::new();
    let waiting = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let outcome = b.sync(&SyncRun::default(), &NoProgress, &cancel).await;
            (outcome, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "the second app synced while the first held the database"
    );
    cancel.cancel();
    let (outcome, _) = waiting.await.unwrap();
    assert!(
        matches!(&outcome, Err(e) if e.is_cancelled()),
        "{outcome:?}"
    );
    drop(held);
}

/// A Keystore that takes its time, as a locked Android Keystore or a slow Keychain can.
#[derive(Debug)]
struct SlowSecrets(Duration);

impl SecretStore for SlowSecrets {
    fn get(&self, _key: &str) -> Result<Option<String>, SecretStoreError> {
        std::thread::sleep(self.0);
        Ok(Some("skt_slow".into()))
    }
    fn set(&self, _key: &str, _value: &str) -> Result<(), SecretStoreError> {
        std::thread::sleep(self.0);
        Ok(())
    }
    fn delete(&self, _key: &str) -> Result<(), SecretStoreError> {
        Ok(())
    }
}

/// On a runtime with two workers (as the phone's), two syncs stuck in a slow secret store
/// leave the workers free: other async work runs at once and a cancellation ends its sync
/// within a bound far below the store's delay.
#[test]
fn a_slow_secret_store_does_not_hold_the_runtime_workers() {
    const SLOW: Duration = Duration::from_secs(4);
    const BOUND: Duration = Duration::from_millis(1_500);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let apps: Vec<Arc<App>> = dirs
        .iter()
        .map(|d| {
            let app = open(d.path(), Arc::new(SlowSecrets(SLOW)));
            activate_locally(&app, None);
            Arc::new(app)
        })
        .collect();
    let cancel = CancellationToken::new();
    let syncs: Vec<_> = apps
        .iter()
        .map(|app| {
            let app = Arc::clone(app);
            let cancel = cancel.clone();
            runtime.spawn(async move { app.sync(&SyncRun::default(), &NoProgress, &cancel).await })
        })
        .collect();
    // Let both syncs reach the secret store.
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    let status_app = Arc::clone(&apps[0]);
    let quick = runtime.block_on(async move {
        // Async work on the same runtime, and a status read: neither waits for the store.
        tokio::task::yield_now().await;
        status_app.store().status().map(|s| s.counts.outbox)
    });
    assert!(quick.is_ok());
    let quick_took = asked.elapsed();
    cancel.cancel();
    let cancelled_at = Instant::now();
    for sync in syncs {
        let outcome = runtime.block_on(sync).unwrap();
        assert!(
            matches!(&outcome, Err(e) if e.is_cancelled()),
            "{outcome:?}"
        );
    }
    let cancel_took = cancelled_at.elapsed();
    assert!(quick_took < BOUND, "other async work waited {quick_took:?}");
    assert!(cancel_took < BOUND, "the cancellation took {cancel_took:?}");
    // Dropping the runtime waits for the abandoned blocking reads; that is fine here.
    runtime.shutdown_background();
}

/// A long write transaction held on another thread does not delay a status read (it reads
/// a WAL snapshot) nor async work on the runtime while an app call waits for the writer on
/// a blocking thread.
#[test]
fn a_long_write_transaction_does_not_delay_status_or_the_runtime() {
    const HOLD: Duration = Duration::from_secs(4);
    const BOUND: Duration = Duration::from_millis(1_500);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(open(dir.path(), Arc::new(MemorySecretStore::default())));
    let (began_tx, began_rx) = std::sync::mpsc::channel();
    let writer = {
        let app = Arc::clone(&app);
        std::thread::spawn(move || {
            app.store()
                .write(|_db| {
                    began_tx.send(()).unwrap();
                    std::thread::sleep(HOLD);
                    Ok::<_, crate::store::StoreError>(())
                })
                .unwrap();
        })
    };
    began_rx.recv().unwrap();
    // Two app calls that must write wait for the writer, one per worker if they ran there.
    let waiting: Vec<_> = (0..2)
        .map(|i| {
            let app = Arc::clone(&app);
            runtime.spawn(async move {
                app.blocking(move |parts| {
                    Ok(parts.store.write(|db| {
                        db.sync()
                            .set_device(&format!("dev-{i}"), "http://127.0.0.1:9")
                    })?)
                })
                .await
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let asked = Instant::now();
    let status = app.status().unwrap();
    assert!(!status.activated);
    let status_took = asked.elapsed();
    let asked = Instant::now();
    runtime
        .block_on(runtime.spawn(async { tokio::task::yield_now().await }))
        .unwrap();
    let runtime_took = asked.elapsed();
    assert!(
        status_took < BOUND,
        "status waited {status_took:?} for the writer"
    );
    assert!(
        runtime_took < BOUND,
        "async work waited {runtime_took:?} for the writer"
    );
    for w in waiting {
        runtime.block_on(w).unwrap().unwrap();
    }
    writer.join().unwrap();
}
