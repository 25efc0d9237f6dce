//! The coupon wallet on [`SellerApp`]: verify a scanned coupon, redeem it, list redemptions
//! and disputes, and the device's offline limits.
//!
//! Every rule lives in `sellerkit_core::coupons::wallet`; this module converts its values to
//! records the shells can hold and picks the refusal's words in the seller's language.
//! `docs/coupon-wallet.md` has the rules and the reason codes.

use sellerkit_core::coupons::CouponValue as CoreValue;
use sellerkit_core::coupons::wallet::{
    CouponTerms as CoreTerms, Purchase, Redeemed, ScopeCheck as CoreScopeCheck, Verdict,
    WalletStatus as CoreStatus,
};
use sellerkit_core::domain::{
    CouponKind as CoreKind, CouponScope as CoreScope, Dispute, DisputeKind as CoreDisputeKind,
    DisputedUse as CoreDisputedUse, Redemption, RedemptionOrigin as CoreOrigin,
    RedemptionState as CoreState, RefusedRedemption as CoreRefused, WalletLimits as CoreLimits,
};
use sellerkit_core::money::Fen;

use crate::SellerKitError;
use crate::app::SellerApp;
use sellerkit_core::locale::Language;

/// How a coupon can be spent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum CouponKind {
    /// One redemption, then spent.
    SingleUse,
    /// Up to `maxUses` redemptions.
    MultiUse,
    /// A balance spent in parts until it is gone.
    StoredValue,
}

impl From<CoreKind> for CouponKind {
    fn from(kind: CoreKind) -> Self {
        match kind {
            CoreKind::SingleUse => CouponKind::SingleUse,
            CoreKind::MultiUse => CouponKind::MultiUse,
            CoreKind::StoredValue => CouponKind::StoredValue,
        }
    }
}

/// What a coupon is worth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum CouponValue {
    /// A fixed amount off, or for a stored-value coupon its initial balance.
    Amount {
        /// The amount in fen.
        fen: i64,
    },
    /// A percentage off the order.
    Percent {
        /// Basis points: 1000 is 10%.
        bps: i32,
    },
}

impl From<CoreValue> for CouponValue {
    fn from(value: CoreValue) -> Self {
        match value {
            CoreValue::Amount(fen) => CouponValue::Amount { fen: fen.fen() },
            CoreValue::Percent(bps) => CouponValue::Percent { bps: bps.0 },
        }
    }
}

/// Which products a coupon applies to.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum CouponScope {
    /// Every product of the shop.
    All,
    /// Only these product ids.
    Products {
        /// The product ids.
        ids: Vec<String>,
    },
    /// Only products in these categories.
    Categories {
        /// The category ids.
        ids: Vec<String>,
    },
}

impl From<CoreScope> for CouponScope {
    fn from(scope: CoreScope) -> Self {
        match scope {
            CoreScope::All => CouponScope::All,
            CoreScope::Products(ids) => CouponScope::Products { ids },
            CoreScope::Categories(ids) => CouponScope::Categories { ids },
        }
    }
}

/// How the coupon's scope was checked against the order's products.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum ScopeCheck {
    /// The coupon applies to every product.
    AllProducts,
    /// At least one of the order's products is in scope.
    Covered,
    /// The coupon is limited and no products were given: show the scope and let the seller
    /// confirm it before redeeming.
    SellerConfirms,
}

impl From<CoreScopeCheck> for ScopeCheck {
    fn from(check: CoreScopeCheck) -> Self {
        match check {
            CoreScopeCheck::AllProducts => ScopeCheck::AllProducts,
            CoreScopeCheck::Covered => ScopeCheck::Covered,
            CoreScopeCheck::SellerConfirms => ScopeCheck::SellerConfirms,
        }
    }
}

/// A genuine coupon's terms and what is left of it. Money in fen, times UTC ms.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CouponTerms {
    /// The coupon's id (its `cti`).
    pub coupon_id: String,
    /// Its coupon book.
    pub book_id: String,
    /// The book's title (e.g. `满100减10`), once the book has been synced.
    pub book_title: Option<String>,
    /// The shop key that signed it.
    pub kid: String,
    /// Single use, N uses or stored value.
    pub kind: CouponKind,
    /// Its value.
    pub value: CouponValue,
    /// The value for display: `¥10.00` or `15.00%`.
    pub value_display: String,
    /// Minimum order total, fen (0: none).
    pub min_spend_fen: i64,
    /// Products it applies to.
    pub scope: CouponScope,
    /// Signed at, UTC ms.
    pub issued_ms: i64,
    /// Valid from, UTC ms.
    pub not_before_ms: i64,
    /// Valid until (exclusive), UTC ms.
    pub expires_ms: i64,
    /// Uses allowed, for N-use coupons.
    pub max_uses: Option<u32>,
    /// Redemptions so far that count (this phone's and those synced from other devices).
    pub uses: u32,
    /// Uses left (single use, N uses).
    pub remaining_uses: Option<u32>,
    /// Balance left, fen (stored value).
    pub balance_fen: Option<i64>,
    /// What the coupon takes off this order (or spends, for stored value), fen; known when
    /// the order total was given.
    pub discount_fen: Option<i64>,
    /// How the scope was checked.
    pub scope_check: ScopeCheck,
}

impl From<CoreTerms> for CouponTerms {
    fn from(t: CoreTerms) -> Self {
        let value_display = match t.value {
            CoreValue::Amount(fen) => fen.to_string(),
            CoreValue::Percent(bps) => bps.to_string(),
        };
        CouponTerms {
            coupon_id: t.coupon_id,
            book_id: t.book_id,
            book_title: t.book_title,
            kid: t.kid,
            kind: t.kind.into(),
            value: t.value.into(),
            value_display,
            min_spend_fen: t.min_spend.fen(),
            scope: t.scope.into(),
            issued_ms: t.issued_ms,
            not_before_ms: t.not_before_ms,
            expires_ms: t.expires_ms,
            max_uses: t.max_uses,
            uses: t.uses,
            remaining_uses: t.remaining_uses,
            balance_fen: t.balance.map(Fen::fen),
            discount_fen: t.discount.map(Fen::fen),
            scope_check: t.scope_check.into(),
        }
    }
}

/// The wallet's answer to a scanned coupon: accept it or not, and why.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CouponVerdict {
    /// Whether the coupon may be redeemed for this order.
    pub accepted: bool,
    /// `ok`, or the stable reason code of the refusal (`bad_signature`, `expired`,
    /// `used_up`, ...; the list is in `docs/coupon-wallet.md`). Branch on this.
    pub reason_code: String,
    /// Why it is refused, in the seller's language (`SellerAppConfig.locale`); none when
    /// accepted.
    pub message: Option<String>,
    /// The refusal in English with its technical detail, for logs and bug reports; none
    /// when accepted.
    pub detail: Option<String>,
    /// The terms, when the coupon is genuine (signed by the shop): a refused but genuine
    /// coupon (expired, used up, ...) still shows what it was. None for a coupon that is
    /// unreadable or not genuine: its claims are not the shop's word.
    pub terms: Option<CouponTerms>,
}

impl CouponVerdict {
    fn new(verdict: Verdict, language: Language) -> CouponVerdict {
        CouponVerdict {
            accepted: verdict.is_accepted(),
            reason_code: verdict.code().to_string(),
            message: verdict.refusal.as_ref().map(|r| match language {
                Language::ZhCn => r.message_zh(),
                Language::En => r.message_en(),
            }),
            detail: verdict.refusal.as_ref().map(ToString::to_string),
            terms: verdict.terms.map(CouponTerms::from),
        }
    }
}

/// Where a redemption record came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum RedemptionOrigin {
    /// Made on this phone.
    Local,
    /// Made on another device of the shop, learnt by sync.
    Server,
}

impl From<CoreOrigin> for RedemptionOrigin {
    fn from(origin: CoreOrigin) -> Self {
        match origin {
            CoreOrigin::Local => RedemptionOrigin::Local,
            CoreOrigin::Server => RedemptionOrigin::Server,
        }
    }
}

/// Where a redemption stands with the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum RedemptionState {
    /// Not yet sent or not yet answered.
    Pending,
    /// Accepted by the server.
    Confirmed,
    /// The server had accepted another redemption first: see `couponDisputes()`.
    Disputed,
    /// The server refused it for good (e.g. revoked before it was redeemed); the reason is
    /// in `conflicts()`.
    Rejected,
}

impl From<CoreState> for RedemptionState {
    fn from(state: CoreState) -> Self {
        match state {
            CoreState::Pending => RedemptionState::Pending,
            CoreState::Confirmed => RedemptionState::Confirmed,
            CoreState::Disputed => RedemptionState::Disputed,
            CoreState::Rejected => RedemptionState::Rejected,
        }
    }
}

/// One use of a coupon.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct RedemptionInfo {
    /// Its id (a UUIDv7 made where it happened; the server applies it once).
    pub id: String,
    /// The coupon's id.
    pub coupon_id: String,
    /// Its coupon book.
    pub book_id: String,
    /// The device that redeemed it.
    pub device_id: String,
    /// The order total it was applied to, fen.
    pub order_total_fen: i64,
    /// Discount granted or stored value spent, fen.
    pub amount_fen: i64,
    /// When, UTC ms.
    pub redeemed_ms: i64,
    /// Made here or learnt by sync.
    pub origin: RedemptionOrigin,
    /// Where it stands with the server.
    pub state: RedemptionState,
}

impl From<Redemption> for RedemptionInfo {
    fn from(r: Redemption) -> Self {
        RedemptionInfo {
            id: r.id,
            coupon_id: r.coupon_id,
            book_id: r.book_id,
            device_id: r.device_id,
            order_total_fen: r.order_total.fen(),
            amount_fen: r.amount.fen(),
            redeemed_ms: r.redeemed_ms,
            origin: r.origin.into(),
            state: r.state.into(),
        }
    }
}

/// What `redeemCoupon` wrote: the redemption (state `Pending` until the next sync) and the
/// coupon's terms after it (uses and balance updated).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct RedemptionReceipt {
    /// The redemption, queued for the server.
    pub redemption: RedemptionInfo,
    /// The coupon after this redemption.
    pub terms: CouponTerms,
}

impl From<Redeemed> for RedemptionReceipt {
    fn from(r: Redeemed) -> Self {
        RedemptionReceipt {
            redemption: r.redemption.into(),
            terms: r.terms.into(),
        }
    }
}

/// Why the server refused a redemption as a dispute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum DisputeKind {
    /// A single-use coupon (or an N-use coupon's last use) was redeemed elsewhere first.
    DoubleUse,
    /// A stored-value coupon's balance did not cover this redemption any more.
    Overspent,
}

impl From<CoreDisputeKind> for DisputeKind {
    fn from(kind: CoreDisputeKind) -> Self {
        match kind {
            CoreDisputeKind::DoubleUse => DisputeKind::DoubleUse,
            CoreDisputeKind::Overspent => DisputeKind::Overspent,
        }
    }
}

/// A redemption the server had accepted, as listed in a dispute.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DisputedUse {
    /// The redemption's id.
    pub redemption_id: String,
    /// The device that made it.
    pub device_id: String,
    /// Discount granted or stored value spent, fen.
    pub amount_fen: i64,
    /// When, UTC ms.
    pub redeemed_ms: i64,
}

impl From<CoreDisputedUse> for DisputedUse {
    fn from(u: CoreDisputedUse) -> Self {
        DisputedUse {
            redemption_id: u.redemption_id,
            device_id: u.device_id,
            amount_fen: u.amount.fen(),
            redeemed_ms: u.redeemed_ms,
        }
    }
}

/// The redemption the server refused.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct RefusedRedemption {
    /// The redemption's id.
    pub redemption_id: String,
    /// The device that made it.
    pub device_id: String,
    /// Discount granted or stored value spent at the counter, fen.
    pub amount_fen: i64,
    /// The order total it was applied to, fen.
    pub order_total_fen: i64,
    /// When, UTC ms.
    pub redeemed_ms: i64,
}

impl From<CoreRefused> for RefusedRedemption {
    fn from(r: CoreRefused) -> Self {
        RefusedRedemption {
            redemption_id: r.redemption_id,
            device_id: r.device_id,
            amount_fen: r.amount.fen(),
            order_total_fen: r.order_total.fen(),
            redeemed_ms: r.redeemed_ms,
        }
    }
}

/// A coupon redeemed more often (or for more) than it allows, caught by the server after
/// the fact (two phones both offline cannot be stopped, only told).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DisputeInfo {
    /// The server's id.
    pub id: String,
    /// The coupon's id.
    pub coupon_id: String,
    /// Its coupon book.
    pub book_id: String,
    /// Double use or overspent balance.
    pub kind: DisputeKind,
    /// The redemptions the server had accepted, oldest first.
    pub accepted: Vec<DisputedUse>,
    /// The redemption it refused.
    pub refused: RefusedRedemption,
    /// When the server caught it, UTC ms.
    pub detected_ms: i64,
    /// The server's explanation, in English; word your own from `kind` for the seller.
    pub message: String,
    /// When it was dealt with (on the server, or dismissed on this phone), UTC ms.
    pub resolved_ms: Option<i64>,
}

impl From<Dispute> for DisputeInfo {
    fn from(d: Dispute) -> Self {
        DisputeInfo {
            id: d.id,
            coupon_id: d.coupon_id,
            book_id: d.book_id,
            kind: d.kind.into(),
            accepted: d.accepted.into_iter().map(DisputedUse::from).collect(),
            refused: d.refused.into(),
            detected_ms: d.detected_ms,
            message: d.message,
            resolved_ms: d.resolved_ms,
        }
    }
}

/// This phone's caps on redemptions the server has not confirmed yet: they bound what a
/// coupon spent twice on two offline phones can cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct WalletLimits {
    /// Most redemptions waiting for the server (default 20).
    pub max_unsynced_count: u32,
    /// Most value (discounts plus stored value spent) waiting for the server, fen (default
    /// 100000, ¥1,000.00).
    pub max_unsynced_value_fen: i64,
    /// Redeeming stops this many hours after the last successful sync (default 72).
    pub max_offline_hours: u32,
}

impl From<CoreLimits> for WalletLimits {
    fn from(l: CoreLimits) -> Self {
        WalletLimits {
            max_unsynced_count: l.max_unsynced_count,
            max_unsynced_value_fen: l.max_unsynced_value.fen(),
            max_offline_hours: l.max_offline_hours,
        }
    }
}

impl From<WalletLimits> for CoreLimits {
    fn from(l: WalletLimits) -> Self {
        CoreLimits {
            max_unsynced_count: l.max_unsynced_count,
            max_unsynced_value: Fen(l.max_unsynced_value_fen),
            max_offline_hours: l.max_offline_hours,
        }
    }
}

/// The phone's offline allowance, for the wallet screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct WalletStatus {
    /// The limits in force.
    pub limits: WalletLimits,
    /// Redemptions waiting for the server.
    pub unsynced_count: u32,
    /// Their value, fen.
    pub unsynced_value_fen: i64,
    /// End of the last successful sync, UTC ms.
    pub last_sync_ms: Option<i64>,
    /// Redeeming stops after this instant until the next sync, UTC ms; none before the
    /// first sync (redeeming needs one).
    pub redeem_until_ms: Option<i64>,
}

impl From<CoreStatus> for WalletStatus {
    fn from(s: CoreStatus) -> Self {
        WalletStatus {
            limits: s.limits.into(),
            unsynced_count: s.unsynced.count,
            unsynced_value_fen: s.unsynced.value.fen(),
            last_sync_ms: s.last_sync_ms,
            redeem_until_ms: s.redeem_until_ms,
        }
    }
}

fn purchase(order_total_fen: Option<i64>, product_ids: Vec<String>) -> Purchase {
    Purchase {
        total: order_total_fen.map(Fen),
        product_ids,
    }
}

#[uniffi::export]
impl SellerApp {
    /// Checks a scanned coupon for an order, offline, writing nothing. A quick local call.
    ///
    /// `code` is the text of the QR code (`SKC1:...`; surrounding blanks and line ends are
    /// ignored). Give `order_total_fen` to check the minimum spend and learn the discount;
    /// give `product_ids` to check a limited scope (empty: the verdict's
    /// `terms.scopeCheck` is `SellerConfirms`).
    ///
    /// A refused coupon is not an error: the verdict says `accepted = false` and why.
    ///
    /// # Errors
    /// `InvalidInput` for a nonsensical total; `Storage` when the database fails.
    #[uniffi::method(default(order_total_fen = None, product_ids = []))]
    pub fn verify_coupon(
        &self,
        code: String,
        order_total_fen: Option<i64>,
        product_ids: Vec<String>,
    ) -> Result<CouponVerdict, SellerKitError> {
        let purchase = purchase(order_total_fen, product_ids);
        let verdict = self.call(|app| app.verify_coupon(&code, &purchase))?;
        tracing::info!(
            code = verdict.code(),
            coupon = verdict.terms.as_ref().map(|t| t.coupon_id.as_str()),
            "coupon verified"
        );
        Ok(CouponVerdict::new(verdict, self.app().language()))
    }

    /// Redeems a coupon for an order of `order_total_fen`, offline: every check of
    /// `verifyCoupon` runs again inside the transaction that records the redemption and
    /// queues it for the next sync, so a kill leaves both or neither.
    ///
    /// `amount_fen` is the stored value to spend (default: as much as the balance and the
    /// total allow); other kinds take none, or exactly their discount.
    ///
    /// # Errors
    /// `CouponRefused(code, reason)` when the coupon must not be accepted (the same codes as
    /// the verdict's); `InvalidInput` for a bad amount; `NotActivated` before activation;
    /// `Storage`. Nothing is written then.
    #[uniffi::method(default(amount_fen = None, product_ids = []))]
    pub fn redeem_coupon(
        &self,
        code: String,
        order_total_fen: i64,
        amount_fen: Option<i64>,
        product_ids: Vec<String>,
    ) -> Result<RedemptionReceipt, SellerKitError> {
        let purchase = purchase(Some(order_total_fen), product_ids);
        let redeemed = self.call(|app| app.redeem_coupon(&code, &purchase, amount_fen.map(Fen)))?;
        tracing::info!(
            coupon = %redeemed.redemption.coupon_id,
            redemption = %redeemed.redemption.id,
            amount = redeemed.redemption.amount.fen(),
            "coupon redeemed"
        );
        Ok(redeemed.into())
    }

    /// Redemptions on this phone (its own and those synced from other devices), newest
    /// first, at most `limit`. A quick local read.
    ///
    /// # Errors
    /// `Storage`.
    pub fn coupon_redemptions(&self, limit: u32) -> Result<Vec<RedemptionInfo>, SellerKitError> {
        let list = self.call(|app| app.coupon_redemptions(limit))?;
        Ok(list.into_iter().map(RedemptionInfo::from).collect())
    }

    /// Coupons redeemed twice (or overspent) across devices, as the server reported them,
    /// newest first; dismissed ones too when `include_resolved`. A quick local read.
    ///
    /// # Errors
    /// `Storage`.
    #[uniffi::method(default(include_resolved = false))]
    pub fn coupon_disputes(
        &self,
        include_resolved: bool,
    ) -> Result<Vec<DisputeInfo>, SellerKitError> {
        let list = self.call(|app| app.coupon_disputes(include_resolved))?;
        Ok(list.into_iter().map(DisputeInfo::from).collect())
    }

    /// Marks a dispute as dealt with on this phone (it leaves `couponDisputes()`). Returns
    /// whether it was open.
    ///
    /// # Errors
    /// `Storage`.
    pub fn resolve_coupon_dispute(&self, id: String) -> Result<bool, SellerKitError> {
        self.call(|app| app.resolve_coupon_dispute(&id))
    }

    /// The offline limits in force.
    ///
    /// # Errors
    /// `Storage`.
    pub fn wallet_limits(&self) -> Result<WalletLimits, SellerKitError> {
        Ok(self.call(|app| app.wallet_limits())?.into())
    }

    /// Changes the offline limits (kept in the database).
    ///
    /// # Errors
    /// `InvalidInput` for a negative value cap; `Storage`.
    pub fn set_wallet_limits(&self, limits: WalletLimits) -> Result<(), SellerKitError> {
        self.call(|app| app.set_wallet_limits(&limits.into()))
    }

    /// The limits, what waits for the server, and until when redeeming is allowed. A quick
    /// local read.
    ///
    /// # Errors
    /// `Storage`.
    pub fn wallet_status(&self) -> Result<WalletStatus, SellerKitError> {
        Ok(self.call(|app| app.wallet_status())?.into())
    }
}
