//! State shared by the handlers.

use std::path::Path;
use std::sync::Arc;

use crate::db::Db;
use crate::error::{ApiError, StoreError};

/// What every handler can reach: the database.
#[derive(Clone, Debug)]
pub struct AppState {
    db: Arc<Db>,
}

impl AppState {
    /// State over an open database.
    pub(crate) fn new(db: Arc<Db>) -> AppState {
        AppState { db }
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
