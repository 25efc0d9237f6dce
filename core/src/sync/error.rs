//! Errors of sync, worded for the seller: what happened and what to do.

use crate::store::StoreError;

/// Why a sync step failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// This database has no device activation (or its token is missing from the secret store).
    #[error("this device is not activated; activate it with the code from your service package")]
    NotActivated,
    /// The server no longer accepts the device's token.
    #[error("the server no longer accepts this device ({message}); activate it again")]
    ActivateAgain {
        /// The server's explanation.
        message: String,
    },
    /// The server URL is not acceptable (not HTTPS, unparsable).
    #[error("refusing server URL {url:?}: {reason}")]
    BadServerUrl {
        /// The URL given.
        url: String,
        /// Why it is refused.
        reason: String,
    },
    /// The network failed (no connection, reset, DNS) after all retries.
    #[error("cannot reach the server ({detail}); check the network and try again")]
    Network {
        /// Transport detail.
        detail: String,
    },
    /// A request took too long after all retries.
    #[error("the server did not answer in time; try again on a better network")]
    Timeout,
    /// The server's certificate was not trusted.
    #[error("the server's certificate is not trusted ({detail}); the connection was refused")]
    Tls {
        /// Verifier detail.
        detail: String,
    },
    /// The server answered with an error that retrying will not fix.
    #[error("the server refused the request ({status} {code}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// Error code from the body (`invalid_request`, `forbidden`, ...), or `unknown`.
        code: String,
        /// Message from the body.
        message: String,
    },
    /// The server kept failing (5xx, 429) until the retries ran out.
    #[error("the server is having trouble ({status}); try again later")]
    ServerTrouble {
        /// Last HTTP status.
        status: u16,
    },
    /// The answer was not what the protocol promises: invalid JSON, wrong types, cut short.
    #[error("the server sent a malformed answer ({detail}); nothing was applied")]
    MalformedResponse {
        /// What was wrong.
        detail: String,
    },
    /// The answer was larger than the client accepts.
    #[error("the server's answer is larger than {limit} bytes; nothing was applied")]
    ResponseTooLarge {
        /// The limit.
        limit: u64,
    },
    /// The sync was cancelled; what was committed stays.
    #[error("sync cancelled")]
    Cancelled,
    /// The local database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The secret store (Keystore, Keychain, file) failed.
    #[error("the secure storage failed: {detail}")]
    SecretStore {
        /// Platform detail.
        detail: String,
    },
    /// Writing a downloaded file failed.
    #[error("cannot save {what}: {detail}")]
    Io {
        /// What was being saved.
        what: String,
        /// OS detail.
        detail: String,
    },
}

impl SyncError {
    /// A stable machine-readable code, for `--json` output and the FFI.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::NotActivated => "not_activated",
            SyncError::ActivateAgain { .. } => "activate_again",
            SyncError::BadServerUrl { .. } => "bad_server_url",
            SyncError::Network { .. } => "network",
            SyncError::Timeout => "timeout",
            SyncError::Tls { .. } => "tls",
            SyncError::Refused { .. } => "refused",
            SyncError::ServerTrouble { .. } => "server_trouble",
            SyncError::MalformedResponse { .. } => "malformed_response",
            SyncError::ResponseTooLarge { .. } => "response_too_large",
            SyncError::Cancelled => "cancelled",
            SyncError::Store(_) => "storage",
            SyncError::SecretStore { .. } => "secret_store",
            SyncError::Io { .. } => "io",
        }
    }
}
