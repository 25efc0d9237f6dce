//! State shared by the handlers.

use std::path::Path;
use std::sync::Arc;

use crate::db::Db;
use crate::error::{ApiError, StoreError};
use crate::keys::SuppliedKey;

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
