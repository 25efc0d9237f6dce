//! The SellerKit dev server: the reference backend of the sync protocol
//! (`docs/sync-protocol.md`), for tests, the demo and shell developers.
//!
//! It keeps several shops in its own SQLite file and serves:
//! - the protocol: `GET /v1/health`, `POST /v1/activate`, `GET /v1/changes`,
//!   `POST /v1/mutations`, `GET`/`PUT /v1/media/{image_id}`;
//! - `GET /openapi.json`, the protocol as OpenAPI 3.1, generated from the Rust types by
//!   utoipa ([`ApiDoc`]);
//! - `/dev/` endpoints for tests (loopback peers only): shops, generated orders, products,
//!   device revocation, digests; coupon books issued with signed coupons, coupon/book/key
//!   revocations, key rotation, the redemption ledger.
//!
//! In-process use (tests, benchmarks, `sellerkit serve`):
//!
//! ```no_run
//! # async fn demo() -> Result<(), sellerkit_devserver::ServerError> {
//! use sellerkit_devserver::{ServerOptions, start};
//! let server = start(ServerOptions::new("/tmp/devserver.db")).await?;
//! println!("listening on {}", server.url());
//! server.shutdown().await?;
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

mod analytics;
mod api;
pub mod cli;
mod clock;
mod connection_reuse;
mod dev;
mod dev_checklist;
mod dev_coupons;
mod error;
mod extract;
pub mod issuing;
pub mod keys;
mod media;
mod mutations;
mod openapi;
pub mod quota;
mod redemptions;
mod routes;
pub mod seed;
mod seeding;
mod serve;
mod state;
mod store;

pub use api::Health;
pub use error::{ApiError, ServerError, StoreError};
pub use openapi::{ApiDoc, document_json};
pub use routes::{Route, router, routes};
pub use seed::SeedConfig;
pub use seeding::DEMO_SHOP_ID;
pub use state::AppState;
pub use store::coupons::{IssuedCoupon, LedgerEntry};
pub use store::{ActivationCode, ShopInfo};

/// A PEM certificate chain and private key to serve HTTPS with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// Certificate chain, PEM (leaf first).
    pub cert: PathBuf,
    /// Private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// How to run the server.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// The database file; created if missing, reused (with its shops and devices) if not.
    pub db: PathBuf,
    /// Address to listen on, e.g. `127.0.0.1:0` (port 0 picks a free port). The host part
    /// also names the server in [`RunningServer::url`], so with TLS pass the name the
    /// certificate is for (`localhost:8443`).
    pub addr: String,
    /// Seed the demo shop (`shop_demo`) unless the database already has it.
    pub seed: Option<SeedConfig>,
    /// Serve HTTPS with this certificate instead of plain HTTP.
    pub tls: Option<TlsFiles>,
    /// Shops sign coupons with this PKCS#8 PEM Ed25519 key (until a rotation) instead of a
    /// key the server makes and keeps in its database.
    pub signing_key: Option<PathBuf>,
}

impl ServerOptions {
    /// Plain HTTP on a free loopback port over `db`, no seed.
    pub fn new(db: impl Into<PathBuf>) -> ServerOptions {
        ServerOptions {
            db: db.into(),
            addr: "127.0.0.1:0".into(),
            seed: None,
            tls: None,
            signing_key: None,
        }
    }
}

/// Stops a running server from anywhere (a signal handler, another task).
#[derive(Clone, Debug)]
pub struct ShutdownHandle(Arc<watch::Sender<bool>>);

impl ShutdownHandle {
    /// Asks the server to stop accepting connections and finish the requests in flight.
    pub fn shutdown(&self) {
        self.0.send_replace(true);
    }
}

/// A server that is listening. Dropping it stops it too (without waiting).
#[derive(Debug)]
pub struct RunningServer {
    url: String,
    local_addr: SocketAddr,
    db_path: PathBuf,
    shops: Vec<ShopInfo>,
    codes: Vec<ActivationCode>,
    stop: ShutdownHandle,
    task: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// Base URL, e.g. `http://127.0.0.1:41234` or `https://localhost:8443`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// The activation codes of every shop when the server started (one per shop and
    /// tier), by shop then tier. Shops created later are listed by `GET /dev/shops`.
    pub fn activation_codes(&self) -> Vec<ActivationCode> {
        self.codes.clone()
    }

    /// The shops (with their activation codes per tier) when the server started, by id.
    pub fn shops(&self) -> &[ShopInfo] {
        &self.shops
    }

    /// A handle that stops the server, for use from another task.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.stop.clone()
    }

    /// Stops the server and waits until requests in flight are done.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        self.stop.shutdown();
        self.wait().await
    }

    /// Waits until the server stops (after [`ShutdownHandle::shutdown`]).
    pub async fn join(mut self) -> Result<(), ServerError> {
        self.wait().await
    }

    async fn wait(&mut self) -> Result<(), ServerError> {
        match self.task.take() {
            Some(task) => task.await.map_err(|e| ServerError::Task(e.to_string())),
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if self.task.is_some() {
            self.stop.shutdown();
        }
    }
}

/// Opens (or creates) the database, seeds the demo shop if asked, binds and serves.
///
/// Returns once the server is listening: requests to [`RunningServer::url`] are answered
/// from then on. Must be called inside a tokio runtime.
pub async fn start(options: ServerOptions) -> Result<RunningServer, ServerError> {
    let db_path = options.db.clone();
    let db_err = |source: StoreError| ServerError::Database {
        path: db_path.display().to_string(),
        source,
    };
    let seed = options.seed;
    let path = options.db.clone();
    // Opening, migrating and seeding are blocking (and seeding can take seconds).
    let (db, shops, codes) = tokio::task::spawn_blocking(move || {
        let db = store::db::Db::open(&path)?;
        if let Some(cfg) = seed {
            db.write(|conn| seeding::seed_demo(conn, &cfg))?;
        }
        let shops = db.read(store::list_shops)?;
        let codes = db.read(store::activation_codes)?;
        Ok::<_, StoreError>((db, shops, codes))
    })
    .await
    .map_err(|e| ServerError::Task(e.to_string()))?
    .map_err(db_err)?;

    let supplied = match &options.signing_key {
        Some(path) => Some(keys::SuppliedKey::load(path)?),
        None => None,
    };
    let tls = match &options.tls {
        Some(files) => Some(serve::tls_acceptor(&files.cert, &files.key)?),
        None => None,
    };
    let listener = TcpListener::bind(&options.addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: options.addr.clone(),
            source,
        })?;
    let local_addr = listener.local_addr().map_err(ServerError::Serve)?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let url = format!(
        "{scheme}://{}:{}",
        url_host(&options.addr),
        local_addr.port()
    );

    let mut state = AppState::new(Arc::new(db));
    if let Some(key) = supplied {
        tracing::info!(kid = key.kid(), "coupons are signed with the supplied key");
        state = state.with_signing_key(key);
    }
    let app = router(state);
    let (stop_tx, mut stop_rx) = watch::channel(false);
    let shutdown = async move {
        // An error means every sender is gone: nobody can ask any more, so stop as well.
        let _ = stop_rx.wait_for(|stop| *stop).await;
    };
    let task = tokio::spawn(serve::serve(listener, app, tls, shutdown));
    tracing::info!(%url, "dev server listening");
    Ok(RunningServer {
        url,
        local_addr,
        db_path: options.db,
        shops,
        codes,
        stop: ShutdownHandle(Arc::new(stop_tx)),
        task: Some(task),
    })
}

/// The host to put in the URL: the one asked for (a certificate names it), except that a
/// wildcard address is reached through loopback.
fn url_host(addr: &str) -> String {
    let host = addr
        .rsplit_once(':')
        .map_or(addr, |(host, _port)| host)
        .trim_start_matches('[')
        .trim_end_matches(']');
    match host {
        "" | "0.0.0.0" => "127.0.0.1".into(),
        "::" => "[::1]".into(),
        h if h.contains(':') => format!("[{h}]"),
        h => h.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_hosts() {
        assert_eq!(url_host("127.0.0.1:0"), "127.0.0.1");
        assert_eq!(url_host("localhost:0"), "localhost");
        assert_eq!(url_host("0.0.0.0:0"), "127.0.0.1");
        assert_eq!(url_host("[::1]:0"), "[::1]");
        assert_eq!(url_host("[::]:0"), "[::1]");
    }
}
