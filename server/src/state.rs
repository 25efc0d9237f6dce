//! State shared by the handlers.

use std::path::Path;
use std::sync::Arc;

use rusqlite::{Connection, Transaction};

use crate::error::{ApiError, StoreError};
use crate::keys::SuppliedKey;
use crate::store::db::Db;
use crate::store::{self, SeqAlloc};

/// What every handler can reach: the database, and the signing key given at start.
#[derive(Clone, Debug)]
pub struct AppState {
    db: Arc<Db>,
    supplied_key: Option<Arc<SuppliedKey>>,
}

impl AppState {
    /// State over an open database.
    pub(crate) fn new(db: Arc<Db>) -> AppState {
        AppState {
            db,
            supplied_key: None,
        }
    }

    /// Shops sign coupons with `key` (from `--signing-key`) until their key is rotated.
    pub fn with_signing_key(mut self, key: SuppliedKey) -> AppState {
        self.supplied_key = Some(Arc::new(key));
        self
    }

    /// The key given at start, if any.
    pub(crate) fn supplied_key(&self) -> Option<Arc<SuppliedKey>> {
        self.supplied_key.clone()
    }

    /// Opens (creating if needed) the database at `path`: for driving [`crate::router`]
    /// in-process, e.g. with `tower::ServiceExt::oneshot`. Blocking.
    pub fn open(path: &Path) -> Result<AppState, StoreError> {
        Ok(AppState::new(Arc::new(Db::open(path)?)))
    }

    /// Runs blocking database work on tokio's blocking pool, so a long query (a 5,000-change
    /// page, a seed of a million orders) never stalls the async workers serving other
    /// requests.
    pub(crate) async fn blocking<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        F: FnOnce(&Db) -> Result<R, ApiError> + Send + 'static,
        R: Send + 'static,
    {
        let db = Arc::clone(&self.db);
        match tokio::task::spawn_blocking(move || f(&db)).await {
            Ok(result) => result,
            Err(join) => Err(ApiError::internal(&join)),
        }
    }
}

impl AppState {
    /// Runs `f` in one write transaction on a shop that must exist (`404 not_found`
    /// otherwise), with a [`SeqAlloc`] for the feed: committed when `f` succeeds, rolled
    /// back when it fails. The one transaction helper of the `/dev/` handlers.
    pub(crate) async fn shop_write<R, F>(&self, shop_id: String, f: F) -> Result<R, ApiError>
    where
        F: FnOnce(&Transaction<'_>, &mut SeqAlloc, &str) -> Result<R, ApiError> + Send + 'static,
        R: Send + 'static,
    {
        self.blocking(move |db| {
            db.transaction(|tx| {
                require_shop(tx, &shop_id)?;
                let mut seqs = SeqAlloc::new(tx)?;
                f(tx, &mut seqs, &shop_id)
            })
        })
        .await
    }

    /// Runs `f` with a reader connection on a shop that must exist (`404 not_found`
    /// otherwise).
    pub(crate) async fn shop_read<R, F>(&self, shop_id: String, f: F) -> Result<R, ApiError>
    where
        F: FnOnce(&Connection, &str) -> Result<R, ApiError> + Send + 'static,
        R: Send + 'static,
    {
        self.blocking(move |db| {
            db.read(|conn| {
                require_shop(conn, &shop_id)?;
                f(conn, &shop_id)
            })
        })
        .await
    }
}

/// `404 not_found` unless the shop exists: every `/dev/shops/{shop_id}/...` endpoint.
fn require_shop(conn: &Connection, shop_id: &str) -> Result<(), ApiError> {
    if store::shop_exists(conn, shop_id)? {
        Ok(())
    } else {
        Err(ApiError::not_found("no such shop"))
    }
}
