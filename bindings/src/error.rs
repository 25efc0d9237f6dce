//! The one public error type of the FFI, and the one place where the core's errors map to it.
//!
//! [`SellerKitError::from_app`] logs what it converts (through `tracing`, so the shell's
//! [`LogSink`](crate::logging::LogSink) sees it): the shells then need not log errors again.

use sellerkit_core::app::{AppError, ErrorCode as CoreCode};
use sellerkit_core::locale::Language;

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

/// The stable machine code of a failure: a closed set, the same as the CLI's `--json`
/// `error.code` (the core's `sellerkit_core::app::ErrorCode`). Branch on it rather than on
/// the words of a reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ErrorCode {
    /// Activate first (or again).
    NotActivated,
    /// The server no longer accepts this device's token: activate again.
    ActivateAgain,
    /// The database holds another shop than the activation code's (found on the phone).
    OtherShop,
    /// The server URL is refused (not HTTPS, unparsable).
    BadServerUrl,
    /// No connection after the retries.
    Network,
    /// No answer in time after the retries.
    Timeout,
    /// The server's certificate is not trusted.
    Tls,
    /// The server refused the request; its own code says why.
    Refused,
    /// The server kept failing.
    ServerTrouble,
    /// The server's answer broke the protocol.
    MalformedResponse,
    /// The server's answer was too large.
    ResponseTooLarge,
    /// Cancelled.
    Cancelled,
    /// The database failed.
    Storage,
    /// The secure storage failed.
    SecretStore,
    /// Saving a file failed.
    Io,
    /// The input is not acceptable.
    InvalidInput,
    /// A coupon was refused.
    CouponRefused,
    /// A bug inside SellerKit.
    Internal,
}

impl From<CoreCode> for ErrorCode {
    fn from(code: CoreCode) -> Self {
        match code {
            CoreCode::NotActivated => ErrorCode::NotActivated,
            CoreCode::ActivateAgain => ErrorCode::ActivateAgain,
            CoreCode::OtherShop => ErrorCode::OtherShop,
            CoreCode::BadServerUrl => ErrorCode::BadServerUrl,
            CoreCode::Network => ErrorCode::Network,
            CoreCode::Timeout => ErrorCode::Timeout,
            CoreCode::Tls => ErrorCode::Tls,
            CoreCode::Refused => ErrorCode::Refused,
            CoreCode::ServerTrouble => ErrorCode::ServerTrouble,
            CoreCode::MalformedResponse => ErrorCode::MalformedResponse,
            CoreCode::ResponseTooLarge => ErrorCode::ResponseTooLarge,
            CoreCode::Cancelled => ErrorCode::Cancelled,
            CoreCode::Storage => ErrorCode::Storage,
            CoreCode::SecretStore => ErrorCode::SecretStore,
            CoreCode::Io => ErrorCode::Io,
            CoreCode::InvalidInput => ErrorCode::InvalidInput,
            CoreCode::CouponRefused => ErrorCode::CouponRefused,
            CoreCode::Internal => ErrorCode::Internal,
        }
    }
}

/// The stable text of a code (`not_activated`, `network`, ...), as the CLI's `--json` and
/// the `Failed` event's `code` print it.
#[uniffi::export]
pub fn error_code_name(code: ErrorCode) -> String {
    let core = CoreCode::ALL
        .into_iter()
        .find(|c| ErrorCode::from(*c) == code)
        .unwrap_or(CoreCode::Internal);
    core.as_str().to_string()
}

impl SellerKitError {
    /// The core service's error as the shells see it: the variant names what the shell
    /// can do, the reason is in the seller's `language`. Logged here, once.
    pub(crate) fn from_app(err: AppError, language: Language) -> SellerKitError {
        let code = err.code();
        let reason = err.message(language);
        match code {
            CoreCode::NotActivated | CoreCode::ActivateAgain => {
                tracing::warn!(error = %err, "device not activated");
                SellerKitError::NotActivated { reason }
            }
            CoreCode::BadServerUrl | CoreCode::InvalidInput | CoreCode::OtherShop => {
                tracing::info!(error = %err, code = code.as_str(), "input refused");
                SellerKitError::InvalidInput { reason }
            }
            CoreCode::Refused => {
                tracing::warn!(error = %err, "server refused the request");
                SellerKitError::Rejected {
                    code: err.detail_code().unwrap_or("unknown").to_string(),
                    reason,
                }
            }
            CoreCode::CouponRefused => {
                tracing::info!(error = %err, "coupon refused");
                SellerKitError::CouponRefused {
                    code: err.detail_code().unwrap_or("unknown").to_string(),
                    reason,
                }
            }
            CoreCode::Network
            | CoreCode::Timeout
            | CoreCode::Tls
            | CoreCode::ServerTrouble
            | CoreCode::MalformedResponse
            | CoreCode::ResponseTooLarge => {
                tracing::warn!(error = %err, code = code.as_str(), "network or server failure");
                SellerKitError::Network { reason }
            }
            CoreCode::Cancelled => {
                tracing::info!("cancelled");
                SellerKitError::Cancelled
            }
            CoreCode::Storage | CoreCode::SecretStore | CoreCode::Io => {
                tracing::error!(error = %err, code = code.as_str(), "local storage failed");
                SellerKitError::Storage { reason }
            }
            CoreCode::Internal => {
                tracing::error!(error = %err, "internal failure");
                SellerKitError::Internal { reason }
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
    /// An internal error for a panic caught at the FFI boundary.
    pub(crate) fn from_panic(
        payload: &(dyn std::any::Any + Send),
        language: Language,
    ) -> SellerKitError {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        tracing::error!(panic = %what, "panic inside SellerKit");
        SellerKitError::Internal {
            reason: match language {
                Language::ZhCn => format!("SellerKit 出现意外错误（{what}），请重启应用后重试。"),
                Language::En => format!(
                    "SellerKit failed unexpectedly ({what}). Restart the app and try again."
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sellerkit_core::coupons::Refusal;
    use sellerkit_core::coupons::wallet::WalletError;
    use sellerkit_core::store::StoreError;
    use sellerkit_core::sync::SyncError;

    fn en(err: impl Into<AppError>) -> SellerKitError {
        SellerKitError::from_app(err.into(), Language::En)
    }

    #[test]
    fn errors_map_to_what_the_ui_does() {
        let refused = SyncError::Refused {
            status: 403,
            code: "invalid_activation_code".into(),
            message: "unknown code".into(),
        };
        match en(refused) {
            SellerKitError::Rejected { code, reason } => {
                assert_eq!(code, "invalid_activation_code");
                assert!(reason.contains("unknown code"), "{reason}");
            }
            other => panic!("expected Rejected, got {other:?}"),
        }
        let revoked = SyncError::ActivateAgain {
            message: "revoked".into(),
        };
        assert!(matches!(en(revoked), SellerKitError::NotActivated { .. }));
        assert!(matches!(
            en(AppError::NotActivated),
            SellerKitError::NotActivated { .. }
        ));
        assert!(matches!(
            en(SyncError::Timeout),
            SellerKitError::Network { .. }
        ));
        let tls = SyncError::Tls { detail: "x".into() };
        assert!(matches!(en(tls), SellerKitError::Network { .. }));
        assert!(matches!(
            en(SyncError::Cancelled),
            SellerKitError::Cancelled
        ));
        let locked = AppError::SecretStore {
            detail: "locked".into(),
        };
        assert!(
            matches!(en(locked), SellerKitError::Storage { reason } if reason.contains("locked"))
        );
        let url = SyncError::BadServerUrl {
            url: "ftp://x".into(),
            reason: "no".into(),
        };
        assert!(matches!(en(url), SellerKitError::InvalidInput { .. }));
        let other_shop = AppError::OtherShop {
            held: "a".into(),
            offered: "b".into(),
        };
        assert!(matches!(
            en(other_shop),
            SellerKitError::InvalidInput { .. }
        ));
        let full = StoreError::DiskFull { path: "/x".into() };
        assert!(matches!(en(full), SellerKitError::Storage { .. }));
    }

    #[test]
    fn reasons_are_in_the_sellers_language() {
        let zh = SellerKitError::from_app(SyncError::Timeout.into(), Language::ZhCn);
        let en = SellerKitError::from_app(SyncError::Timeout.into(), Language::En);
        assert_eq!(
            zh.to_string(),
            AppError::from(SyncError::Timeout).message(Language::ZhCn)
        );
        assert_eq!(
            en.to_string(),
            AppError::from(SyncError::Timeout).message(Language::En)
        );
        assert_ne!(zh.to_string(), en.to_string());
    }

    #[test]
    fn wallet_refusals_become_coupon_refused_in_the_sellers_language() {
        let zh =
            SellerKitError::from_app(WalletError::Refused(Refusal::UsedUp).into(), Language::ZhCn);
        match zh {
            SellerKitError::CouponRefused { code, reason } => {
                assert_eq!(code, "used_up");
                assert_eq!(reason, Refusal::UsedUp.message_zh());
            }
            other => panic!("expected CouponRefused, got {other:?}"),
        }
        match en(WalletError::Refused(Refusal::Expired)) {
            SellerKitError::CouponRefused { code, reason } => {
                assert_eq!(code, "expired");
                assert_eq!(reason, Refusal::Expired.message_en());
            }
            other => panic!("expected CouponRefused, got {other:?}"),
        }
        let input = WalletError::InvalidInput {
            what: "amount",
            detail: "x".into(),
        };
        assert!(matches!(en(input), SellerKitError::InvalidInput { .. }));
    }

    #[test]
    fn every_core_code_has_its_ffi_twin_and_name() {
        for code in CoreCode::ALL {
            assert_eq!(error_code_name(code.into()), code.as_str());
        }
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
        match SellerKitError::from_panic(&*payload, Language::ZhCn) {
            SellerKitError::Internal { reason } => assert!(reason.contains("boom"), "{reason}"),
            other => panic!("expected Internal, got {other:?}"),
        }
    }
}
