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

/// A batch of coupons with shared terms, issued by the shop.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CouponBook {
    /// Server id (opaque).
    pub id: String,
    /// Seller-facing name.
    pub title: String,
    /// How its coupons are spent.
    pub kind: CouponKind,
    /// Fixed value in fen (or the stored balance); exclusive with `value_bps`.
    pub value_fen: Option<Fen>,
    /// Percentage off in basis points; exclusive with `value_fen`.
    pub value_bps: Option<i32>,
    /// Uses per coupon for [`CouponKind::MultiUse`].
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

/// A shop signing key, as synced: coupons name it by `kid`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SigningKey {
    /// Key id carried in the coupon's protected header.
    pub kid: String,
    /// COSE algorithm name; only `EdDSA` is accepted.
    pub algorithm: String,
    /// Raw public key bytes (32 for Ed25519); hex in JSON.
    #[serde(with = "hex::serde")]
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
