//! The one public error type of the FFI.

use sellerkit_core::money::MoneyError;

/// Every error that a SellerKit call can return to the shells.
///
/// Kotlin sees it as `SellerKitException` (one subclass per variant), Swift as
/// `SellerKitError`. Variants are few and name what the shell can do about the failure; the
/// `reason` reads as a plain sentence a seller can act on.
///
/// The field is called `reason`, not `message`: a `message` field clashes with Kotlin's
/// `Throwable.message` and the generated Kotlin does not compile (uniffi-rs#1434).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SellerKitError {
    /// What the seller typed or the shell passed in is not acceptable (a malformed amount,
    /// an empty title, ...). Show the reason next to the field; retrying unchanged won't help.
    #[error("{reason}")]
    InvalidInput {
        /// What is wrong with the input and how to correct it.
        reason: String,
    },
    /// The phone's local database failed (disk full, corrupted file, ...).
    #[error("storage error: {reason}")]
    Storage {
        /// What failed, for the seller and for bug reports.
        reason: String,
    },
    /// A bug or an unexpected state inside SellerKit. Report it.
    #[error("internal error: {reason}")]
    Internal {
        /// What went wrong, for bug reports.
        reason: String,
    },
}

impl From<MoneyError> for SellerKitError {
    fn from(err: MoneyError) -> Self {
        SellerKitError::InvalidInput {
            reason: err.to_string(),
        }
    }
}
