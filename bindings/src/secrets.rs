//! The shell's secret store (Android Keystore, Apple Keychain) as the core's
//! [`SecretStore`](sellerkit_core::sync::secrets::SecretStore).

use std::fmt;
use std::sync::Arc;

use sellerkit_core::sync::secrets::{self as core_secrets, SecretStoreError};

use crate::SellerKitError;

/// Keeps small secrets (the device token) in the platform's secure storage.
///
/// Called on SellerKit's threads; may block briefly. To report a failure throw
/// `SellerKitException.Storage` (Kotlin) / `SellerKitError.Storage` (Swift); any other
/// exception is reported the same way, as a storage failure of the call that needed it.
#[uniffi::export(foreign)]
pub trait SecretStore: Send + Sync {
    /// The secret stored under `key`, or none.
    fn get(&self, key: String) -> Result<Option<String>, SellerKitError>;
    /// Stores `value` under `key`, replacing what was there.
    fn set(&self, key: String, value: String) -> Result<(), SellerKitError>;
    /// Removes `key`; removing a missing key is not an error.
    fn delete(&self, key: String) -> Result<(), SellerKitError>;
}

/// The shell's store behind the core's trait.
pub(crate) struct ForeignSecrets(pub(crate) Arc<dyn SecretStore>);

impl fmt::Debug for ForeignSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the contents: this is a secret store.
        f.write_str("ForeignSecrets")
    }
}

fn failed(err: SellerKitError) -> SecretStoreError {
    let reason = match err {
        SellerKitError::InvalidInput { reason }
        | SellerKitError::NotActivated { reason }
        | SellerKitError::Rejected { reason, .. }
        | SellerKitError::Network { reason }
        | SellerKitError::Storage { reason }
        | SellerKitError::Internal { reason }
        | SellerKitError::CouponRefused { reason, .. }
        | SellerKitError::ChecklistRefused { reason, .. } => reason,
        SellerKitError::Cancelled => "cancelled".to_string(),
    };
    SecretStoreError(reason)
}

impl core_secrets::SecretStore for ForeignSecrets {
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError> {
        self.0.get(key.to_string()).map_err(failed)
    }

    fn set(&self, key: &str, value: &str) -> Result<(), SecretStoreError> {
        self.0
            .set(key.to_string(), value.to_string())
            .map_err(failed)
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        self.0.delete(key.to_string()).map_err(failed)
    }
}
