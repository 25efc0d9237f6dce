//! SellerKit's FFI facade: the uniffi surface that the Android (Kotlin) and iOS (Swift)
//! shells call.
//!
//! The shells use one object, [`SellerApp`], opened from a [`SellerAppConfig`] with the
//! platform's [`SecretStore`] and an optional [`LogSink`]; a [`SyncListener`] and a
//! [`CancelHandle`] go with each sync; the coupon wallet's calls are in `wallet.rs`, the storefront's in `storefront.rs`. The API for app developers is described in
//! `docs/app-developers.md`.
//!
//! This crate holds no business rules. Every exported function converts its arguments,
//! delegates to `sellerkit_core` and converts the result; errors become the one public
//! [`SellerKitError`], mapped in `error.rs`. Async calls run on SellerKit's own tokio
//! runtime (`runtime.rs`). The Kotlin package (`com.sellerkit.core`) and the Swift module
//! (`SellerKitCore`) are set in the repository's `uniffi.toml`, passed to uniffi-bindgen with
//! `--config` (see `scripts/test-kotlin.sh`).

uniffi::setup_scaffolding!();

mod analytics;
#[cfg(target_os = "android")]
mod android;
mod app;
mod checklist;
mod error;
mod logging;
mod runtime;
mod secrets;
mod status;
mod storefront;
mod sync;
mod wallet;

pub use analytics::{
    DashboardFigure, DashboardInfo, DashboardPoint, DashboardSeries, FigureUnit, HeatmapCell,
    TopProductInfo,
};
pub use app::{ActivationInfo, SellerApp, SellerAppConfig, Tier};
pub use checklist::{
    ChecklistCategory, ChecklistOverview, ChecklistTask, ChecklistTaskState, ChecklistTick,
    RefusedChecklistDefinition,
};
pub use error::{ErrorCode, SellerKitError, error_code_name};
pub use logging::{LogLevel, LogRecord, LogSink};
pub use secrets::SecretStore;
pub use status::{AppStatus, ConflictInfo};
pub use storefront::{
    ConflictFieldInfo, LintFinding, LintOverview, LintSeverity, ListingInfo, PreviewDevice,
    PreviewImage, ProductEdit, ShopEdit, ShopInfo, StorefrontConflict, StorefrontConflictKind,
    StorefrontPage,
};
pub use sync::{CancelHandle, SyncEvent, SyncListener, SyncPhase, SyncProgress, SyncSummary};
pub use wallet::{
    CouponKind, CouponScope, CouponTerms, CouponValue, CouponVerdict, DisputeInfo, DisputeKind,
    DisputedUse, RedemptionInfo, RedemptionOrigin, RedemptionReceipt, RedemptionState,
    RefusedRedemption, ScopeCheck, WalletLimits, WalletStatus,
};

use sellerkit_core::locale::Language;
use sellerkit_core::money::Fen;

/// The version of the SellerKit core, e.g. `0.1.0`, for "about" screens and bug reports.
#[uniffi::export]
pub fn core_version() -> String {
    sellerkit_core::VERSION.to_string()
}

/// Formats an amount of fen (CNY minor units) for display: `123450` is `¥1,234.50`,
/// `-5` is `-¥0.05`.
#[uniffi::export]
pub fn format_money(fen: i64) -> String {
    Fen(fen).to_string()
}

/// Parses an amount the seller typed (e.g. `¥1,234.50` or `1234.5`) into fen.
///
/// `locale` picks the language of the error's reason, as `SellerAppConfig.locale` does
/// (default Simplified Chinese).
///
/// # Errors
/// [`SellerKitError::InvalidInput`] when the text is not a valid amount (for example more
/// than two decimal places, as in `1.234`); the reason says what to correct.
#[uniffi::export(default(locale = None))]
pub fn parse_money(text: String, locale: Option<String>) -> Result<i64, SellerKitError> {
    let language = Language::from_tag(locale.as_deref());
    Fen::parse(&text)
        .map(Fen::fen)
        .map_err(|e| SellerKitError::from_app(e.into(), language))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_the_core_version() {
        assert_eq!(core_version(), sellerkit_core::VERSION);
    }

    #[test]
    fn money_round_trips_through_the_facade() {
        assert_eq!(format_money(123_450), "¥1,234.50");
        assert_eq!(parse_money("¥1,234.50".to_string(), None).unwrap(), 123_450);
    }

    #[test]
    fn bad_amount_is_invalid_input_naming_the_input() {
        match parse_money("1.234".to_string(), Some("en".into())) {
            Err(SellerKitError::InvalidInput { reason }) => assert!(reason.contains("1.234")),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }
}
