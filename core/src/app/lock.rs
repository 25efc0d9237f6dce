//! One sync or activation at a time per database file, across threads, `App`s and
//! processes (the CLI beside a running app, two shells on one file).
//!
//! An OS file lock (`flock` on Unix, `LockFileEx` on Windows, through std's `File::lock`)
//! on `<database>.lock` beside the database. The OS releases it when the holder's file is
//! closed, so a killed process never leaves it stuck. Each acquisition opens the file anew:
//! two opens in one process are two holders, so two `App`s on one file exclude each other
//! too. Waiting happens on a blocking thread, never on a runtime worker, and can be
//! cancelled.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

use super::AppError;
use crate::sync::SyncError;

/// The lock file of one database.
#[derive(Clone, Debug)]
pub(crate) struct SyncLock {
    path: PathBuf,
}

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub(crate) struct Held {
    _file: File,
}

impl SyncLock {
    /// The lock for the database at `db`: `<db>.lock`.
    pub(crate) fn beside(db: &Path) -> SyncLock {
        let mut name = db.as_os_str().to_owned();
        name.push(".lock");
        SyncLock {
            path: PathBuf::from(name),
        }
    }

    /// Takes the lock, waiting for a holder to finish; `on_wait` is called once if it has
    /// to wait. Returns `Cancelled` as soon as `cancel` fires (a waiting thread then takes
    /// and drops the lock when the holder lets go).
    pub(crate) async fn acquire(
        &self,
        cancel: &CancellationToken,
        on_wait: impl FnOnce() + Send + 'static,
    ) -> Result<Held, AppError> {
        let path = self.path.clone();
        let waiting = tokio::task::spawn_blocking(move || lock_blocking(&path, on_wait));
        tokio::select! {
            biased;
            () = cancel.cancelled() => Err(AppError::Sync(SyncError::Cancelled)),
            taken = waiting => taken.map_err(|e| AppError::Internal { detail: e.to_string() })?,
        }
    }

    /// Takes the lock if it is free; `None` when someone holds it.
    #[cfg(test)]
    pub(crate) fn try_acquire(&self) -> Result<Option<Held>, AppError> {
        let file = open(&self.path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Held { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(lock_error(&self.path, &e)),
        }
    }
}

fn open(path: &Path) -> Result<File, AppError> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| lock_error(path, &e))
}

fn lock_error(path: &Path, e: &std::io::Error) -> AppError {
    AppError::Lock {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

fn lock_blocking(path: &Path, on_wait: impl FnOnce()) -> Result<Held, AppError> {
    let file = open(path)?;
    match file.try_lock() {
        Ok(()) => return Ok(Held { _file: file }),
        Err(TryLockError::WouldBlock) => on_wait(),
        Err(TryLockError::Error(e)) => return Err(lock_error(path, &e)),
    }
    file.lock().map_err(|e| lock_error(path, &e))?;
    Ok(Held { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_holder_waits_and_cancelling_the_wait_works() {
        let dir = tempfile::tempdir().unwrap();
        let lock = SyncLock::beside(&dir.path().join("sellerkit.db"));
        let first = lock.try_acquire().unwrap().expect("a free lock");
        assert!(lock.try_acquire().unwrap().is_none(), "two holders at once");
        let cancel = CancellationToken::new();
        let (waited_tx, waited_rx) = tokio::sync::oneshot::channel();
        let waiting = {
            let lock = lock.clone();
            let cancel = cancel.clone();
            tokio::spawn(async move {
                lock.acquire(&cancel, move || {
                    let _ = waited_tx.send(());
                })
                .await
            })
        };
        waited_rx.await.expect("the second holder did not wait");
        cancel.cancel();
        let outcome = waiting.await.unwrap();
        assert!(matches!(outcome, Err(e) if e.is_cancelled()));
        drop(first);
        let again = lock.acquire(&CancellationToken::new(), || {}).await;
        assert!(
            again.is_ok(),
            "the lock stayed taken after its holder let go"
        );
    }
}
