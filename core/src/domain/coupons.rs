//! Coupon books, signing keys, revocations and redemptions.

use super::spelled_enum;
use crate::money::Fen;

spelled_enum! {
    /// How a coupon can be spent.
    CouponKind, "coupon kind" {
        /// One redemption, then spent.
        SingleUse => "single_use",
        /// Up to `max_uses` redemptions.
        MultiUse => "multi_use",
        /// A balance spent in parts until it is gone.
        StoredValue => "stored_value",
    }
}

spelled_enum! {
    /// What a revocation cancels.
    RevocationTarget, "revocation target" {
        /// One coupon, by its `cti`.
        Coupon => "coupon",
        /// Every coupon of a book.
        Book => "book",
        /// Every coupon signed by a key, by `kid`.
        Key => "key",
    }
}

spelled_enum! {
    /// Where a redemption record came from.
    RedemptionOrigin, "redemption origin" {
        /// Made on this device.
        Local => "local",
        /// Made elsewhere, learnt by sync.
        Server => "server",
    }
}

spelled_enum! {
    /// Sync state of a redemption.
    RedemptionState, "redemption state" {
        /// Not yet acknowledged by the server.
        Pending => "pending",
        /// Accepted by the server.
        Confirmed => "confirmed",
        /// The server saw another redemption first: shown to the seller as a dispute.
        Disputed => "disputed",
        /// The server refused it for good (e.g. the coupon was revoked before it was
        /// redeemed); the reason is kept with the sync conflicts.
        Rejected => "rejected",
    }
}

/// Which products a coupon applies to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "ids", rename_all = "snake_case")]
pub enum CouponScope {
    /// Every product of the shop.
    All,
    /// Only these product ids.
    Products(Vec<String>),
    /// Only products in these categories.
    Categories(Vec<String>),
}

// By hand: utoipa's derive lets `all` carry `ids`, which serde refuses for a unit variant.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for CouponScope {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
        let kind = |k: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([k]))
        };
        let ids = || ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String));
        let with_ids = |k: &str, what: &str| {
            ObjectBuilder::new()
                .property("kind", kind(k))
                .property("ids", ids())
                .required("kind")
                .required("ids")
                .description(Some(what))
        };
        OneOfBuilder::new()
            .description(Some("Which products a coupon applies to."))
            .item(
                ObjectBuilder::new()
                    .property("kind", kind("all"))
                    .required("kind")
                    .additional_properties(Some(
                        utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
                    ))
                    .description(Some("Every product of the shop.")),
            )
            .item(with_ids("products", "Only these product ids."))
            .item(with_ids("categories", "Only products in these categories."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for CouponScope {}

/// A batch of coupons with shared terms, issued by the shop.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CouponBook {
    /// Server id (opaque).
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub id: String,
    /// Seller-facing name.
    pub title: String,
    /// How its coupons are spent.
    pub kind: CouponKind,
    /// Fixed value in fen (or the stored balance); exclusive with `value_bps`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, minimum = 1))]
    pub value_fen: Option<Fen>,
    /// Percentage off in basis points (1 to 10000); exclusive with `value_fen`.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10_000))]
    pub value_bps: Option<i32>,
    /// Uses per coupon for [`CouponKind::MultiUse`] (at least 1).
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub max_uses: Option<i64>,
    /// Minimum order total.
    pub min_spend: Fen,
    /// Start of validity, UTC ms.
    pub valid_from_ms: i64,
    /// End of validity (exclusive), UTC ms.
    pub valid_until_ms: i64,
    /// Products it applies to.
    pub scope: CouponScope,
    /// Number of coupons issued.
    pub issued_count: i64,
    /// Server version.
    pub version: i64,
    /// Last change, UTC ms.
    pub updated_ms: i64,
}

impl CouponBook {
    /// Why this book cannot be stored (a damaged feed), or `None` when it is sound: it needs
    /// exactly one of a value in fen and a percentage, a percentage within 0 to 100%, and at
    /// least one use when it limits uses.
    pub fn problem(&self) -> Option<String> {
        if self.value_fen.is_some() == self.value_bps.is_some() {
            return Some(format!(
                "coupon book {:?} needs exactly one of value_fen and value_bps",
                self.id
            ));
        }
        if self
            .value_bps
            .is_some_and(|bps| !(0..=10_000).contains(&bps))
        {
            return Some(format!(
                "coupon book {:?} has a percentage outside 0..=10000 bps",
                self.id
            ));
        }
        if self.max_uses.is_some_and(|n| n <= 0) {
            return Some(format!("coupon book {:?} allows no use", self.id));
        }
        None
    }
}

/// A shop signing key, as synced: coupons name it by `kid`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SigningKey {
    /// Key id carried in the coupon's protected header.
    pub kid: String,
    /// COSE algorithm name; only `EdDSA` is accepted.
    pub algorithm: String,
    /// Raw public key bytes (32 for Ed25519); hex in JSON.
    #[serde(with = "hex::serde")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^([0-9a-f]{2})*$"))]
    pub public_key: Vec<u8>,
    /// Coupons signed before this instant are refused, UTC ms.
    pub not_before_ms: i64,
    /// Coupons signed at or after this instant are refused, UTC ms.
    pub not_after_ms: Option<i64>,
    /// Last change, UTC ms.
    pub updated_ms: i64,
}

/// A revocation of a coupon, a book or a key.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revocation {
    /// Server id (opaque).
    pub id: String,
    /// What kind of thing is revoked.
    pub target: RevocationTarget,
    /// Its id (`cti`, book id or `kid`).
    pub target_id: String,
    /// When it was revoked, UTC ms.
    pub revoked_ms: i64,
    /// Why, for the seller.
    pub reason: String,
}

/// One use of a coupon.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Redemption {
    /// UUIDv7 made where it happened: the idempotency key on the server.
    pub id: String,
    /// The coupon's `cti`.
    pub coupon_id: String,
    /// Its book.
    pub book_id: String,
    /// Device that redeemed it.
    pub device_id: String,
    /// Order total the coupon was applied to.
    pub order_total: Fen,
    /// Discount granted or stored value spent.
    pub amount: Fen,
    /// When, UTC ms.
    pub redeemed_ms: i64,
    /// Made here or learnt by sync.
    pub origin: RedemptionOrigin,
    /// Sync state.
    pub state: RedemptionState,
}

impl Redemption {
    /// Why this redemption cannot be stored (a damaged feed), or `None` when it is sound: a
    /// negative amount.
    pub fn problem(&self) -> Option<String> {
        if self.amount.0 < 0 {
            return Some(format!(
                "redemption {:?} has a negative amount ({} fen)",
                self.id, self.amount.0
            ));
        }
        None
    }

    /// Whether it counts against the coupon's uses or balance: everything but what the
    /// server refused (a disputed or rejected redemption never reached the server's books).
    pub fn counts(&self) -> bool {
        matches!(
            self.state,
            RedemptionState::Pending | RedemptionState::Confirmed
        )
    }
}

spelled_enum! {
    /// Why the server refused a redemption as a dispute.
    DisputeKind, "dispute kind" {
        /// A single-use coupon (or an N-use coupon's last use) was redeemed elsewhere first.
        DoubleUse => "double_use",
        /// A stored-value coupon's balance did not cover this redemption any more.
        Overspent => "overspent",
    }
}

/// A redemption the server accepted, as listed in a dispute.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisputedUse {
    /// The redemption's id.
    pub redemption_id: String,
    /// The device that made it.
    pub device_id: String,
    /// Discount granted or stored value spent.
    pub amount: Fen,
    /// When, UTC ms.
    pub redeemed_ms: i64,
}

/// The redemption the server refused.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefusedRedemption {
    /// The redemption's id (its UUIDv7).
    pub redemption_id: String,
    /// The device that made it.
    pub device_id: String,
    /// Discount granted or stored value spent at the counter.
    pub amount: Fen,
    /// The order total it was applied to.
    pub order_total: Fen,
    /// When, UTC ms.
    pub redeemed_ms: i64,
}

/// A coupon redeemed more often (or for more) than it allows, caught by the server after
/// the fact: two phones that were both offline cannot be stopped, only told.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dispute {
    /// Server id.
    pub id: String,
    /// The coupon's `cti`.
    pub coupon_id: String,
    /// Its book.
    pub book_id: String,
    /// Double use or overspent balance.
    pub kind: DisputeKind,
    /// The redemptions the server had accepted before, oldest first.
    pub accepted: Vec<DisputedUse>,
    /// The redemption it refused.
    pub refused: RefusedRedemption,
    /// When the server caught it, UTC ms.
    pub detected_ms: i64,
    /// What happened, for the seller (English; the shells also word it from `kind`).
    pub message: String,
    /// When it was dealt with (on the server, or dismissed on this phone), UTC ms.
    pub resolved_ms: Option<i64>,
}

/// Per-device caps on redemptions that the server has not confirmed yet.
///
/// Two offline phones cannot be stopped from spending one coupon twice; these caps bound
/// what such a double spend can cost (see `docs/coupon-wallet.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WalletLimits {
    /// Most unsynced redemptions on this device.
    pub max_unsynced_count: u32,
    /// Most value (discounts granted plus stored value spent) in unsynced redemptions.
    pub max_unsynced_value: Fen,
    /// Redeeming stops this many hours after the last successful sync.
    pub max_offline_hours: u32,
}

impl WalletLimits {
    /// The defaults: 20 redemptions, ¥1,000.00, 72 hours.
    pub const DEFAULT: WalletLimits = WalletLimits {
        max_unsynced_count: 20,
        max_unsynced_value: Fen(100_000),
        max_offline_hours: 72,
    };
}

impl Default for WalletLimits {
    fn default() -> Self {
        WalletLimits::DEFAULT
    }
}
