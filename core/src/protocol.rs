//! The sync protocol's wire types (JSON), shared by the client engine and the dev server.
//!
//! The prose specification is `docs/sync-protocol.md`; the dev server also serves an
//! OpenAPI document at `/openapi.json`. Entities travel in the same JSON shape as the
//! core's domain types, so one definition serves the phone, the server and the docs.

use serde::{Deserialize, Serialize};

use crate::domain::{
    ChecklistDefinition, CouponBook, Dispute, Order, Product, ProductImage, Redemption, Revocation,
    ShopProfile, SigningKey, Tier,
};
use crate::money::Fen;

/// Path prefix of every protocol endpoint.
pub const API_PREFIX: &str = "/v1";
/// Default and largest page size of `GET /v1/changes`.
pub const DEFAULT_PAGE_LIMIT: u32 = 1000;
/// Largest page size the server accepts.
pub const MAX_PAGE_LIMIT: u32 = 5000;
/// Largest number of mutations in one push.
pub const MAX_PUSH_BATCH: usize = 500;
/// Largest media upload accepted, in bytes.
pub const MAX_MEDIA_BYTES: u64 = 10 * 1024 * 1024;

/// `POST /v1/activate` request: exchange an activation code for a device token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivateRequest {
    /// Code from the service package (the dev server prints one per tier).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub code: String,
    /// Human name of the device, shown to the seller on the backend: at most 100
    /// characters, not only spaces.
    #[cfg_attr(feature = "openapi", schema(pattern = "\\S", max_length = 100))]
    pub device_name: String,
    /// `android`, `ios` or `desktop`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^(android|ios|desktop)$"))]
    pub platform: String,
}

/// `POST /v1/activate` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivateResponse {
    /// Id of this device; mutation ids are per device.
    pub device_id: String,
    /// Bearer token for every later call. Secret: kept in the platform's secret store.
    pub token: String,
    /// The shop the device belongs to.
    pub shop_id: String,
    /// The shop's name, to greet the seller.
    pub shop_name: String,
    /// The service tier bought.
    pub tier: Tier,
}

/// One change record of the pull feed: the current state of an entity, or its deletion.
///
/// JSON: `{"kind": "order", "data": {...}}`, `{"kind": "deleted", "data": {"kind":
/// "product", "id": "p1"}}`. `kind` is written before `data`, so a reader can decode `data`
/// straight into the right type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Change {
    /// The shop profile.
    ShopProfile(ShopProfile),
    /// A product.
    Product(Product),
    /// An image's metadata (bytes via `GET /v1/media/{id}`).
    Image(ProductImage),
    /// An order with its lines.
    Order(Order),
    /// A coupon book.
    CouponBook(CouponBook),
    /// A coupon signing key.
    SigningKey(SigningKey),
    /// A revocation.
    Revocation(Revocation),
    /// A redemption accepted by the server (from any device of the shop).
    Redemption(Redemption),
    /// A coupon spent twice or overspent, caught by the server (every device of the shop
    /// sees it).
    Dispute(Dispute),
    /// A checklist definition document.
    ChecklistDefinition(ChecklistDefinition),
    /// An entity that no longer exists.
    Deleted(Tombstone),
}

/// Kinds of entity in the pull feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// Shop profile.
    ShopProfile,
    /// Product.
    Product,
    /// Image.
    Image,
    /// Order.
    Order,
    /// Coupon book.
    CouponBook,
    /// Signing key.
    SigningKey,
    /// Revocation.
    Revocation,
    /// Redemption.
    Redemption,
    /// Coupon dispute.
    Dispute,
    /// Checklist definition.
    ChecklistDefinition,
}

impl EntityKind {
    /// Every kind, in a stable order.
    pub const ALL: [EntityKind; 10] = [
        EntityKind::ShopProfile,
        EntityKind::Product,
        EntityKind::Image,
        EntityKind::Order,
        EntityKind::CouponBook,
        EntityKind::SigningKey,
        EntityKind::Revocation,
        EntityKind::Redemption,
        EntityKind::Dispute,
        EntityKind::ChecklistDefinition,
    ];

    /// The snake_case spelling used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::ShopProfile => "shop_profile",
            EntityKind::Product => "product",
            EntityKind::Image => "image",
            EntityKind::Order => "order",
            EntityKind::CouponBook => "coupon_book",
            EntityKind::SigningKey => "signing_key",
            EntityKind::Revocation => "revocation",
            EntityKind::Redemption => "redemption",
            EntityKind::Dispute => "dispute",
            EntityKind::ChecklistDefinition => "checklist_definition",
        }
    }
}

/// A deletion in the pull feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tombstone {
    /// What kind of entity was deleted.
    pub kind: EntityKind,
    /// Its id (`kid` for keys, version number as text for checklist definitions).
    pub id: String,
}

impl Change {
    /// The kind of entity this change concerns.
    pub fn entity_kind(&self) -> EntityKind {
        match self {
            Change::ShopProfile(_) => EntityKind::ShopProfile,
            Change::Product(_) => EntityKind::Product,
            Change::Image(_) => EntityKind::Image,
            Change::Order(_) => EntityKind::Order,
            Change::CouponBook(_) => EntityKind::CouponBook,
            Change::SigningKey(_) => EntityKind::SigningKey,
            Change::Revocation(_) => EntityKind::Revocation,
            Change::Redemption(_) => EntityKind::Redemption,
            Change::Dispute(_) => EntityKind::Dispute,
            Change::ChecklistDefinition(_) => EntityKind::ChecklistDefinition,
            Change::Deleted(t) => t.kind,
        }
    }

    /// The id of the entity this change concerns.
    pub fn entity_id(&self) -> String {
        match self {
            Change::ShopProfile(s) => s.shop_id.clone(),
            Change::Product(p) => p.id.clone(),
            Change::Image(i) => i.id.clone(),
            Change::Order(o) => o.id.clone(),
            Change::CouponBook(b) => b.id.clone(),
            Change::SigningKey(k) => k.kid.clone(),
            Change::Revocation(r) => r.id.clone(),
            Change::Redemption(r) => r.id.clone(),
            Change::Dispute(d) => d.id.clone(),
            Change::ChecklistDefinition(d) => d.version.to_string(),
            Change::Deleted(t) => t.id.clone(),
        }
    }
}

/// `GET /v1/changes?cursor=C&limit=N` answer: changes after `cursor`, in feed order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangesPage {
    /// The changes, oldest first. Each entity appears at most once per page.
    pub changes: Vec<Change>,
    /// Cursor to ask for next; store it in the transaction that applies this page.
    pub next_cursor: String,
    /// Whether more changes wait after `next_cursor`.
    pub has_more: bool,
    /// How many changes wait after `next_cursor`, when the request asked with `count=true`
    /// (for progress bars; the client asks on its first page only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
}

/// One local change sent to the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mutation {
    /// This device's monotonic id (from the outbox), at least 1.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub mutation_id: i64,
    /// Mutation kind: `checklist_tick`, `product_edit`, `shop_edit`, `redemption`.
    pub kind: String,
    /// Entity changed.
    pub entity_id: String,
    /// Server version the edit was based on (edits only).
    pub base_version: Option<i64>,
    /// Kind-specific body.
    pub payload: serde_json::Value,
    /// When the seller made it, UTC ms.
    pub created_ms: i64,
}

/// `POST /v1/mutations` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    /// Must be the device the token belongs to.
    pub device_id: String,
    /// Mutations in increasing `mutation_id` order, at most [`MAX_PUSH_BATCH`].
    pub mutations: Vec<Mutation>,
}

/// What the server did with one mutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MutationStatus {
    /// Applied (now, or already on an earlier push: the answer is the same).
    Applied,
    /// Refused for good, with a reason.
    Rejected,
    /// Based on a stale version, or the coupon was spent elsewhere: the server's state is
    /// attached and the seller decides.
    Conflict,
}

/// The answer for one mutation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MutationResult {
    /// The mutation answered.
    pub mutation_id: i64,
    /// Outcome.
    pub status: MutationStatus,
    /// Why, for `rejected` and `conflict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The server's current state of the entity, for `conflict` (for a redemption: the
    /// [`Dispute`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_state: Option<serde_json::Value>,
    /// A stable machine-readable reason, where the kind defines one (a refused
    /// redemption: the wallet's reason code, e.g. `revoked`, `bad_signature`, `used_up`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// Mutation kind of a listing edit.
pub const PRODUCT_EDIT_KIND: &str = "product_edit";
/// Mutation kind of a shop-profile edit.
pub const SHOP_EDIT_KIND: &str = "shop_edit";
/// Outbox kind of a photo upload. It never goes to `POST /v1/mutations`: the sync engine
/// carries it out as `PUT /v1/media/{entity_id}` (idempotent by image id and content) in
/// outbox order, so the photo is on the server before the edit that places it is pushed.
pub const MEDIA_UPLOAD_KIND: &str = "media_upload";
/// Most pictures in a product's gallery.
pub const MAX_GALLERY: usize = 20;

/// The payload of a `product_edit` mutation: the fields the seller changed, each optional
/// (at least one). The mutation's `entity_id` is the product id, its `base_version` the
/// product version the seller saw.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductEditPayload {
    /// Title, 1 to 200 characters, not blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Long description, at most 10,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Category, at most 100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Price in fen, 0 or more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, minimum = 0))]
    pub price: Option<Fen>,
    /// Units in stock, 0 or more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<i64>,
    /// `active` (published), `draft` or `archived`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<crate::domain::ProductStatus>,
    /// Shown on the shop's mobile home.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub featured: Option<bool>,
    /// Short description on the phone's product page, at most 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_description: Option<String>,
    /// The pictures in order, main picture first: distinct image ids (1 to
    /// [`MAX_GALLERY`]), each an image of this product on the server (upload it first).
    /// The server sets the images' `position` to their index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gallery: Option<Vec<String>>,
}

/// The payload of a `shop_edit` mutation: the fields the seller changed, each optional (at
/// least one). The mutation's `entity_id` is the shop id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopEditPayload {
    /// Shop name, 1 to 100 characters, not blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The announcement under the banner, at most 2,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Theme colour `#RRGGBB` (upper-case hex digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^#[0-9A-F]{6}$"))]
    pub theme_color: Option<String>,
    /// The logo: an image of this shop with role `logo` (upload it first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_image_id: Option<String>,
    /// The banner: an image of this shop with role `banner` (upload it first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner_image_id: Option<String>,
}

/// The payload of a local `media_upload` outbox entry: where the photo's file is and what to
/// tell the server about it. Its `entity_id` is the image id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaUploadPayload {
    /// `product`, `logo` or `banner`.
    pub role: crate::domain::ImageRole,
    /// The product, for `role = product`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// Position among the product's pictures.
    #[serde(default)]
    pub position: i64,
    /// File name inside the media folder.
    pub file: String,
    /// MIME type of the file.
    pub mime: String,
    /// Hex SHA-256 of the file, checked before the upload.
    pub sha256: String,
}

/// Mutation kind of a coupon redemption.
pub const REDEMPTION_KIND: &str = "redemption";

/// The payload of a `redemption` mutation: everything the server needs to check the coupon
/// itself (it trusts no verdict of the phone) and to apply it once.
///
/// The mutation's `entity_id` is the redemption id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedemptionPayload {
    /// UUIDv7 made on the phone: the idempotency key of the redemption.
    pub redemption_id: String,
    /// The coupon's `cti`.
    pub coupon_id: String,
    /// Its book.
    pub book_id: String,
    /// The key that signed it.
    pub kid: String,
    /// The order total the coupon was applied to.
    pub order_total: Fen,
    /// Discount granted or stored value spent.
    pub amount: Fen,
    /// When it was redeemed at the counter, UTC ms.
    pub redeemed_ms: i64,
    /// The coupon's text (`SKC1:...`), verified again by the server.
    pub coupon: String,
}

/// `POST /v1/mutations` answer: one result per mutation sent, in the same order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// Results.
    pub results: Vec<MutationResult>,
}

/// The body of every 4xx/5xx answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// A machine-readable code and a human message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable code, see `docs/sync-protocol.md` (e.g. `invalid_request`, `token_revoked`).
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

/// Error codes the server uses.
pub mod error_code {
    /// The request is malformed or a field is out of range (400).
    pub const INVALID_REQUEST: &str = "invalid_request";
    /// No or unknown bearer token (401).
    pub const UNAUTHORIZED: &str = "unauthorized";
    /// The device's token was revoked: activate again (401).
    pub const TOKEN_REVOKED: &str = "token_revoked";
    /// The activation code is unknown or used up (403).
    pub const INVALID_ACTIVATION_CODE: &str = "invalid_activation_code";
    /// The request names another device or shop (403).
    pub const FORBIDDEN: &str = "forbidden";
    /// No such resource (404).
    pub const NOT_FOUND: &str = "not_found";
    /// The cursor is not one this server gave out (400).
    pub const INVALID_CURSOR: &str = "invalid_cursor";
    /// The body is too large (413).
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    /// The media type is not accepted (415).
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    /// Too many requests: wait for `Retry-After` (429).
    pub const RATE_LIMITED: &str = "rate_limited";
    /// A quota of the tier is used up (403).
    pub const QUOTA_EXCEEDED: &str = "quota_exceeded";
}

/// `PUT /v1/media/{id}` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MediaInfo {
    /// Image id.
    pub id: String,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// Size in bytes.
    pub byte_len: i64,
    /// Pixel width.
    pub width: i64,
    /// Pixel height.
    pub height: i64,
    /// MIME type.
    pub mime: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ProductStatus;
    use crate::money::Fen;

    #[test]
    fn change_json_has_kind_then_data() {
        let change = Change::Product(Product {
            id: "p1".into(),
            title: "茶".into(),
            description: String::new(),
            category: "tea".into(),
            price: Fen(100),
            stock: 1,
            status: ProductStatus::Active,
            version: 2,
            updated_ms: 3,
            featured: false,
            mobile_description: String::new(),
            gallery: Vec::new(),
        });
        let text = serde_json::to_string(&change).unwrap();
        assert!(
            text.starts_with(r#"{"kind":"product","data":{"id":"p1""#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<Change>(&text).unwrap(), change);
        let del = r#"{"kind":"deleted","data":{"kind":"order","id":"o9"}}"#;
        let parsed: Change = serde_json::from_str(del).unwrap();
        assert_eq!(parsed.entity_kind(), EntityKind::Order);
        assert_eq!(parsed.entity_id(), "o9");
    }

    #[test]
    fn type_confused_change_is_an_error_not_a_panic() {
        for bad in [
            r#"{"kind":"product","data":{"id":5}}"#,
            r#"{"kind":"order","data":[]}"#,
            r#"{"kind":"spaceship","data":{}}"#,
            r#"{"kind":"product"}"#,
            r#"{"kind":"order","data":{"id":"o","channel":"fax"}}"#,
        ] {
            assert!(serde_json::from_str::<Change>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn redemption_payload_and_dispute_round_trip() {
        let payload = RedemptionPayload {
            redemption_id: "0190a4c2-0000-7000-8000-000000000001".into(),
            coupon_id: "cti-1".into(),
            book_id: "b1".into(),
            kid: "k1".into(),
            order_total: Fen(10_000),
            amount: Fen(1_000),
            redeemed_ms: 7,
            coupon: "SKC1:ABC".into(),
        };
        let json = serde_json::to_value(&payload).unwrap();
        assert_eq!(json["order_total"], 10_000);
        assert_eq!(
            serde_json::from_value::<RedemptionPayload>(json).unwrap(),
            payload
        );
        let change = r#"{"kind":"dispute","data":{"id":"d1","coupon_id":"c","book_id":"b",
            "kind":"overspent","accepted":[],"refused":{"redemption_id":"r","device_id":"x",
            "amount":5,"order_total":9,"redeemed_ms":1},"detected_ms":2,"message":"m",
            "resolved_ms":null}}"#;
        let parsed: Change = serde_json::from_str(change).unwrap();
        assert_eq!(parsed.entity_kind(), EntityKind::Dispute);
        assert_eq!(parsed.entity_id(), "d1");
        // An old answer without `code` still reads.
        let old: MutationResult =
            serde_json::from_str(r#"{"mutation_id":1,"status":"applied"}"#).unwrap();
        assert_eq!(old.code, None);
    }
}
