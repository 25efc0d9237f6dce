//! The one public error type of the FFI, and the one place where the core's errors map to it.
//!
//! Every `From` impl below logs what it converts (through `tracing`, so the shell's
//! [`LogSink`](crate::logging::LogSink) sees it): the shells then need not log errors again.

use sellerkit_core::coupons::wallet::WalletError;
use sellerkit_core::money::MoneyError;
use sellerkit_core::store::StoreError;
use sellerkit_core::sync::SyncError;
use sellerkit_core::time::TimeError;

use crate::locale::Language;

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
    /// a bad server URL, an unknown time zone, ...). Show the reason next to the field;
    /// retrying unchanged won't help.
    #[error("{reason}")]
    InvalidInput {
        /// What is wrong with the input and how to correct it.
        reason: String,
    },
    /// The device is not activated, or the server no longer accepts it (token revoked).
    /// Show the activation screen.
    #[error("{reason}")]
    NotActivated {
        /// Why, for the seller.
        reason: String,
    },
    /// The server refused the request and retrying will not change its mind (a bad or used
    /// activation code is `code = "invalid_activation_code"`). Show the reason.
    #[error("{reason} ({code})")]
    Rejected {
        /// The server's stable error code, from `docs/sync-protocol.md`.
        code: String,
        /// The explanation.
        reason: String,
    },
    /// The coupon must not be accepted (forged, tampered with, expired, revoked, used up,
    /// below the minimum spend, ...): raised by `redeemCoupon` only, so that a refusal can
    /// never be mistaken for a redemption. Nothing was written. Show `reason`; branch on
    /// `code` (`docs/coupon-wallet.md` lists them). `verifyCoupon` returns its refusals in
    /// the verdict instead.
    #[error("{reason} ({code})")]
    CouponRefused {
        /// The stable reason code: `bad_signature`, `expired`, `used_up`, ...
        code: String,
        /// Why, in the seller's language (`SellerAppConfig.locale`).
        reason: String,
    },
    /// A checklist tick or untick was refused (an unknown task, one that follows the shop's
    /// data, one locked behind other tasks, or one outside the seller's package). Nothing was
    /// written. Show `reason`; branch on `code`: `unknown_task`, `automatic`, `locked`,
    /// `not_in_tier` (`docs/checklist.md`).
    #[error("{reason} ({code})")]
    ChecklistRefused {
        /// The stable reason code.
        code: String,
        /// Why, in the seller's language.
        reason: String,
    },
    /// The network or the server failed: offline, timeout, server errors, a malformed
    /// answer, an untrusted certificate. Nothing was lost; try again later.
    #[error("{reason}")]
    Network {
        /// What failed, for the seller.
        reason: String,
    },
    /// The operation was cancelled (cancel handle, or the caller's coroutine / task was
    /// cancelled). What was committed before stays.
    #[error("cancelled")]
    Cancelled,
    /// The phone's local storage failed: the database (disk full, damaged file), the
    /// secure storage (Keystore, Keychain) or saving a downloaded file.
    #[error("storage error: {reason}")]
    Storage {
        /// What failed, for the seller and for bug reports.
        reason: String,
    },
    /// A bug or an unexpected state inside SellerKit, or an unexpected exception thrown by
    /// one of the shell's callbacks. Report it.
    #[error("internal error: {reason}")]
    Internal {
        /// What went wrong, for bug reports.
        reason: String,
    },
}

impl From<MoneyError> for SellerKitError {
    fn from(err: MoneyError) -> Self {
        tracing::debug!(error = %err, "invalid amount");
        SellerKitError::InvalidInput {
            reason: err.to_string(),
        }
    }
}

impl From<TimeError> for SellerKitError {
    fn from(err: TimeError) -> Self {
        tracing::debug!(error = %err, "invalid time input");
        SellerKitError::InvalidInput {
            reason: err.to_string(),
        }
    }
}

impl From<StoreError> for SellerKitError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::InvalidInput { .. } => {
                tracing::debug!(error = %err, "value cannot be stored");
                SellerKitError::InvalidInput {
                    reason: err.to_string(),
                }
            }
            err => {
                tracing::error!(error = %err, "local database failed");
                SellerKitError::Storage {
                    reason: err.to_string(),
                }
            }
        }
    }
}

impl From<SyncError> for SellerKitError {
    fn from(err: SyncError) -> Self {
        let reason = err.to_string();
        match err {
            SyncError::NotActivated | SyncError::ActivateAgain { .. } => {
                tracing::warn!(%reason, "device not activated");
                SellerKitError::NotActivated { reason }
            }
            SyncError::BadServerUrl { .. } => {
                tracing::info!(%reason, "bad server URL");
                SellerKitError::InvalidInput { reason }
            }
            SyncError::Refused { code, message, .. } => {
                tracing::warn!(%code, %message, "server refused the request");
                SellerKitError::Rejected {
                    code,
                    reason: message,
                }
            }
            SyncError::Network { .. }
            | SyncError::Timeout
            | SyncError::Tls { .. }
            | SyncError::ServerTrouble { .. }
            | SyncError::MalformedResponse { .. }
            | SyncError::ResponseTooLarge { .. } => {
                tracing::warn!(%reason, code = err.code(), "network or server failure");
                SellerKitError::Network { reason }
            }
            SyncError::Cancelled => {
                tracing::info!("cancelled");
                SellerKitError::Cancelled
            }
            SyncError::Store(store) => store.into(),
            SyncError::SecretStore { .. } | SyncError::Io { .. } => {
                tracing::error!(%reason, code = err.code(), "local storage failed");
                SellerKitError::Storage { reason }
            }
        }
    }
}

/// A shell's callback threw something other than a `SellerKitException` (or the value it
/// returned could not be read). uniffi would panic without this impl; with it the failure
/// becomes an ordinary error of the call that made the callback.
impl From<uniffi::UnexpectedUniFFICallbackError> for SellerKitError {
    fn from(err: uniffi::UnexpectedUniFFICallbackError) -> Self {
        tracing::error!(reason = %err.reason, "a shell callback threw an unexpected exception");
        SellerKitError::Internal {
            reason: format!("a callback of the app failed: {}", err.reason),
        }
    }
}

impl SellerKitError {
    /// The wallet's errors; a refusal's reason is worded in the seller's `language`.
    pub(crate) fn from_wallet(err: WalletError, language: Language) -> SellerKitError {
        match err {
            WalletError::Refused(refusal) => {
                tracing::info!(code = refusal.code(), %refusal, "coupon refused");
                SellerKitError::CouponRefused {
                    code: refusal.code().to_string(),
                    reason: match language {
                        Language::ZhCn => refusal.message_zh(),
                        Language::En => refusal.message_en(),
                    },
                }
            }
            WalletError::InvalidInput { .. } => {
                tracing::debug!(error = %err, "invalid wallet input");
                SellerKitError::InvalidInput {
                    reason: err.to_string(),
                }
            }
            WalletError::NotActivated => {
                tracing::warn!(error = %err, "wallet used before activation");
                SellerKitError::NotActivated {
                    reason: err.to_string(),
                }
            }
            WalletError::Store(store) => store.into(),
        }
    }

    /// An internal error for a panic caught at the FFI boundary.
    pub(crate) fn from_panic(payload: &(dyn std::any::Any + Send)) -> SellerKitError {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        tracing::error!(panic = %what, "panic inside SellerKit");
        SellerKitError::Internal {
            reason: format!("SellerKit failed unexpectedly: {what}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_errors_map_to_what_the_ui_does() {
        let refused = SyncError::Refused {
            status: 403,
            code: "invalid_activation_code".into(),
            message: "unknown code".into(),
        };
        match SellerKitError::from(refused) {
            SellerKitError::Rejected { code, reason } => {
                assert_eq!(code, "invalid_activation_code");
                assert_eq!(reason, "unknown code");
            }
            other => panic!("expected Rejected, got {other:?}"),
        }
        assert!(matches!(
            SyncError::ActivateAgain {
                message: "revoked".into()
            }
            .into(),
            SellerKitError::NotActivated { .. }
        ));
        assert!(matches!(
            SyncError::Timeout.into(),
            SellerKitError::Network { .. }
        ));
        assert!(matches!(
            SyncError::Tls { detail: "x".into() }.into(),
            SellerKitError::Network { .. }
        ));
        assert!(matches!(
            SyncError::Cancelled.into(),
            SellerKitError::Cancelled
        ));
        assert!(matches!(
            SyncError::SecretStore {
                detail: "locked".into()
            }
            .into(),
            SellerKitError::Storage { .. }
        ));
        assert!(matches!(
            SyncError::BadServerUrl {
                url: "ftp://x".into(),
                reason: "no".into()
            }
            .into(),
            SellerKitError::InvalidInput { .. }
        ));
        assert!(matches!(
            SyncError::Store(StoreError::DiskFull { path: "/x".into() }).into(),
            SellerKitError::Storage { .. }
        ));
    }

    #[test]
    fn wallet_refusals_become_coupon_refused_in_the_sellers_language() {
        use sellerkit_core::coupons::Refusal;
        match SellerKitError::from_wallet(WalletError::Refused(Refusal::UsedUp), Language::ZhCn) {
            SellerKitError::CouponRefused { code, reason } => {
                assert_eq!(code, "used_up");
                assert_eq!(reason, Refusal::UsedUp.message_zh());
            }
            other => panic!("expected CouponRefused, got {other:?}"),
        }
        match SellerKitError::from_wallet(WalletError::Refused(Refusal::Expired), Language::En) {
            SellerKitError::CouponRefused { code, reason } => {
                assert_eq!(code, "expired");
                assert_eq!(reason, Refusal::Expired.message_en());
            }
            other => panic!("expected CouponRefused, got {other:?}"),
        }
        assert!(matches!(
            SellerKitError::from_wallet(WalletError::NotActivated, Language::En),
            SellerKitError::NotActivated { .. }
        ));
        assert!(matches!(
            SellerKitError::from_wallet(
                WalletError::InvalidInput {
                    what: "amount",
                    detail: "x".into()
                },
                Language::En
            ),
            SellerKitError::InvalidInput { .. }
        ));
        assert!(matches!(
            SellerKitError::from_wallet(
                WalletError::Store(StoreError::DiskFull { path: "/x".into() }),
                Language::En
            ),
            SellerKitError::Storage { .. }
        ));
    }

    #[test]
    fn unexpected_callback_errors_become_internal() {
        let err = uniffi::UnexpectedUniFFICallbackError::new("java.lang.IllegalStateException");
        match SellerKitError::from(err) {
            SellerKitError::Internal { reason } => {
                assert!(reason.contains("IllegalStateException"), "{reason}")
            }
            other => panic!("expected Internal, got {other:?}"),
        }
    }

    #[test]
    fn panics_become_internal() {
        let payload = std::panic::catch_unwind(|| panic!("boom")).unwrap_err();
        match SellerKitError::from_panic(&*payload) {
            SellerKitError::Internal { reason } => assert!(reason.contains("boom"), "{reason}"),
            other => panic!("expected Internal, got {other:?}"),
        }
    }
}
