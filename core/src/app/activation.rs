//! What "activated" means, in one place: the database names a device and its server, and
//! the secret store holds the device's token. Everything else (the shells' `isActivated`,
//! the sync, the wallet's redemptions) asks [`App::activation`](super::App::activation).

use crate::store::Store;
use crate::sync::Credentials;
use crate::sync::secrets::{DEVICE_TOKEN_KEY, SecretStore};

use super::AppError;

/// What an activation established.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Activation {
    /// This device's id.
    pub device_id: String,
    /// The shop.
    pub shop_id: String,
    /// The shop's name.
    pub shop_name: String,
    /// The tier bought.
    pub tier: crate::domain::Tier,
    /// The server.
    pub server_url: String,
}

/// The device's credentials, or `None` when the device is not activated.
///
/// Blocking (SQLite and the platform's secret store): async callers run it on a blocking
/// thread.
pub(crate) fn credentials(
    store: &Store,
    secrets: &dyn SecretStore,
) -> Result<Option<Credentials>, AppError> {
    let state = store.read(|db| db.sync().state())?;
    let (Some(device_id), Some(server_url)) = (state.device_id, state.server_url) else {
        return Ok(None);
    };
    let token = secrets
        .get(DEVICE_TOKEN_KEY)
        .map_err(|e| AppError::SecretStore { detail: e.0 })?;
    Ok(token.map(|token| Credentials {
        device_id,
        server_url,
        token,
    }))
}
