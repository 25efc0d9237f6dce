//! Errors: the public [`ServerError`] of the library API, the HTTP [`ApiError`] every handler
//! answers with, and the middleware that turns any other error response into the protocol's
//! JSON error body.
//!
//! The protocol promises that every 4xx/5xx answer has the body
//! `{"error": {"code": "...", "message": "..."}}`. Handlers return [`ApiError`], the custom
//! extractors in [`crate::extract`] map axum's rejections to it, and [`json_error_bodies`]
//! catches what is left (axum's own 404/405/413, tower-http's 415 for an unknown
//! `Content-Encoding`, ...), so no client ever sees a plain-text error.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sellerkit_core::protocol::{ErrorBody, ErrorDetail, error_code};

/// Errors of the dev server's library API ([`crate::start`] and [`crate::RunningServer`]).
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
    /// The database could not be opened, created or written.
    #[error("database {path}: {source}")]
    Database {
        /// Database file.
        path: String,
        /// What went wrong.
        #[source]
        source: StoreError,
    },
    /// The TLS certificate or key could not be read or used.
    #[error("TLS setup: {0}")]
    Tls(String),
    /// The `--signing-key` file could not be read, or holds no PKCS#8 Ed25519 private key.
    #[error("signing key {path}: {detail}")]
    SigningKey {
        /// The file.
        path: String,
        /// What is wrong with it.
        detail: String,
    },
    /// The server task ended abnormally (it panicked or was cancelled).
    #[error("server task ended abnormally: {0}")]
    Task(String),
}

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Stored JSON did not parse as the type it should hold, or a value did not serialise.
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The database was written by a newer (or unknown) schema.
    #[error("unsupported schema version {0}")]
    SchemaVersion(i64),
    /// A schema migration failed.
    #[error("schema migration: {0}")]
    Migration(String),
    /// Stored data broke an invariant of the schema.
    #[error("corrupt data: {0}")]
    Corrupt(String),
}

/// An error answer of the HTTP API: a status, a stable code and a human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code (see `docs/sync-protocol.md`).
    pub code: &'static str,
    /// Human-readable explanation; never contains internals such as SQL errors.
    pub message: String,
}

/// Code of 5xx answers. The protocol table leaves 5xx codes open; clients retry on status.
pub const INTERNAL_ERROR: &str = "internal_error";
/// Code of `405 Method Not Allowed` answers (not in the protocol table: a client bug).
pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
/// Code of `409 Conflict` answers of the dev endpoints (e.g. a shop id already taken).
pub const ALREADY_EXISTS: &str = "already_exists";

impl ApiError {
    /// `403 quota_exceeded`: a quota of the shop's tier is used up.
    pub fn quota_exceeded(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, error_code::QUOTA_EXCEEDED, message)
    }
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// `400 invalid_request`.
    pub fn invalid_request(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            error_code::INVALID_REQUEST,
            message,
        )
    }

    /// `404 not_found`.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, error_code::NOT_FOUND, message)
    }

    /// `403 forbidden`.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, error_code::FORBIDDEN, message)
    }

    /// `500 internal_error`. The cause is logged, not sent: it may name files or SQL.
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!("internal error: {cause}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            INTERNAL_ERROR,
            "internal server error; try again later",
        )
    }

    /// The error for a bare status produced outside our handlers (axum, tower-http).
    pub fn from_status(status: StatusCode) -> ApiError {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => (error_code::NOT_FOUND, "no such resource"),
            StatusCode::METHOD_NOT_ALLOWED => {
                (METHOD_NOT_ALLOWED, "method not allowed on this resource")
            }
            StatusCode::PAYLOAD_TOO_LARGE => {
                (error_code::PAYLOAD_TOO_LARGE, "request body is too large")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                error_code::UNSUPPORTED_MEDIA_TYPE,
                "unsupported Content-Type or Content-Encoding",
            ),
            StatusCode::UNAUTHORIZED => (error_code::UNAUTHORIZED, "missing or unknown token"),
            StatusCode::FORBIDDEN => (error_code::FORBIDDEN, "forbidden"),
            StatusCode::TOO_MANY_REQUESTS => (error_code::RATE_LIMITED, "too many requests"),
            s if s.is_server_error() => (INTERNAL_ERROR, "internal server error; try again later"),
            _ => (error_code::INVALID_REQUEST, "invalid request"),
        };
        ApiError::new(status, code, message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::internal(&e)
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> ApiError {
        ApiError::internal(&e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
            },
        };
        // Serialising two strings cannot fail; the fallback keeps this path panic-free anyway.
        let json = serde_json::to_vec(&body).unwrap_or_else(|_| {
            br#"{"error":{"code":"internal_error","message":"internal server error"}}"#.to_vec()
        });
        let mut response = Response::new(Body::from(json));
        *response.status_mut() = self.status;
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
        response
    }
}

/// `Content-Type` of every JSON answer.
pub const JSON_UTF8: &str = "application/json; charset=utf-8";

/// Middleware (for `axum::middleware::map_response`): replaces the body of any error answer
/// that is not already JSON by the protocol's error body.
///
/// axum answers an unmatched method with an empty 405, a body over `DefaultBodyLimit` with
/// plain text, tower-http answers an unknown `Content-Encoding` with a bare 415: this is the
/// one place that catches them all, so the "every error is JSON" promise does not depend on
/// remembering each source.
pub async fn json_error_bodies(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let replacement = ApiError::from_status(status).into_response();
    // Keep headers such as `Allow` or `Retry-After`, but not those describing the old body.
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_ENCODING);
    let (new_parts, body) = replacement.into_parts();
    parts.headers.extend(new_parts.headers);
    Response::from_parts(parts, body)
}
