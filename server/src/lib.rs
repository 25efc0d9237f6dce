//! The SellerKit dev server: the reference backend of the sync protocol.
//!
//! It grows with the sync issue (activation, changes, mutations, media). For now it answers
//! `GET /v1/health`, so the workspace, the binary and the test harness around it are real.

use std::net::SocketAddr;

use axum::{Json, Router, routing::get};
use tokio::net::TcpListener;

/// Errors of the dev server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listening address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address asked for.
        addr: String,
        /// OS error.
        #[source]
        source: std::io::Error,
    },
    /// The server stopped with an I/O error.
    #[error("server failed: {0}")]
    Serve(#[source] std::io::Error),
}

/// Body of `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Health {
    /// Always `"ok"` when the server answers.
    pub status: String,
    /// Version of the server build.
    pub version: String,
}

/// The HTTP routes.
pub fn router() -> Router {
    Router::new().route("/v1/health", get(health))
}

async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// A bound, not yet serving, dev server: bind first so the caller learns the port
/// (port 0 picks a free one) before requests arrive.
pub struct DevServer {
    listener: TcpListener,
}

impl DevServer {
    /// Binds to `addr`, e.g. `127.0.0.1:0`.
    pub async fn bind(addr: &str) -> Result<DevServer, ServerError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind {
                addr: addr.into(),
                source,
            })?;
        Ok(DevServer { listener })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> Result<SocketAddr, ServerError> {
        self.listener.local_addr().map_err(ServerError::Serve)
    }

    /// Serves until `shutdown` completes.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        axum::serve(self.listener, router())
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServerError::Serve)
    }
}
