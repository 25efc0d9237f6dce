//! What a sync needs to speak for this device: its id, its server and its token.
//!
//! Only data: whether a database counts as activated is decided in one place,
//! `crate::app::activation`, which builds these.

/// An activated device's credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// This device's id at the server.
    pub device_id: String,
    /// The server it was activated against (the transport's base URL).
    pub server_url: String,
    /// The bearer token from activation (kept in the secret store, never in the database).
    pub token: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token: debug output ends up in logs.
        f.debug_struct("Credentials")
            .field("device_id", &self.device_id)
            .field("server_url", &self.server_url)
            .finish_non_exhaustive()
    }
}
