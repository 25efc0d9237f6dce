//! Products and their images.

use super::spelled_enum;
use crate::money::Fen;

spelled_enum! {
    /// Whether a product is on sale.
    ProductStatus, "product status" {
        /// Listed and buyable.
        Active => "active",
        /// Not yet published.
        Draft => "draft",
        /// Taken off the shop.
        Archived => "archived",
    }
}

spelled_enum! {
    /// What an image is used for.
    ImageRole, "image role" {
        /// The shop's logo.
        Logo => "logo",
        /// The shop's banner.
        Banner => "banner",
        /// A product picture; position 0 is the main image.
        Product => "product",
    }
}

/// A product listing.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    /// Server id (opaque).
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub id: String,
    /// Title as buyers see it.
    pub title: String,
    /// Long description.
    pub description: String,
    /// Category id or name, used by coupon scopes and lint rules.
    pub category: String,
    /// Price in fen, not negative.
    #[cfg_attr(feature = "openapi", schema(value_type = i64, minimum = 0))]
    pub price: Fen,
    /// Units in stock.
    pub stock: i64,
    /// Sale status.
    pub status: ProductStatus,
    /// Server version; edits carry it as their base version.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub version: i64,
    /// Last change, UTC ms.
    pub updated_ms: i64,
    /// Shown on the shop's mobile home. Absent in older feeds: `false`.
    #[serde(default)]
    pub featured: bool,
    /// Short description on the phone's product page, at most 500 characters. Absent in
    /// older feeds: empty.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub mobile_description: String,
    /// The order the seller gave the product's pictures, main picture first, as image ids
    /// (at most 20, each an image of this product). Empty: never set, the images' own
    /// `position` decides. The server keeps the images' positions equal to this order.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub gallery: Vec<String>,
}

impl Product {
    /// Why this product cannot be stored (a damaged feed), or `None` when it is sound: a
    /// negative price.
    pub fn problem(&self) -> Option<String> {
        if self.price.0 < 0 {
            return Some(format!(
                "product {:?} has a negative price ({} fen)",
                self.id, self.price.0
            ));
        }
        None
    }
}

/// An image's metadata; the bytes live in a file next to the database once downloaded.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductImage {
    /// Server id (opaque).
    pub id: String,
    /// Owning product, for product images.
    pub product_id: Option<String>,
    /// What the image is for.
    pub role: ImageRole,
    /// Order among a product's images; 0 is the main image.
    pub position: i64,
    /// Pixel width, when known.
    pub width: Option<i64>,
    /// Pixel height, when known.
    pub height: Option<i64>,
    /// Encoded size in bytes, when known.
    pub byte_len: Option<i64>,
    /// MIME type, e.g. `image/jpeg`.
    pub mime: Option<String>,
    /// Hex SHA-256 of the encoded bytes, when known.
    pub sha256: Option<String>,
    /// File name of the downloaded picture inside the media folder (`SellerAppConfig.media_dir`),
    /// once fetched; resolve it with `storefront::media::media_file`. Databases written before
    /// the storefront recorded `media/<name>`, which resolves the same way.
    pub local_path: Option<String>,
    /// Last change, UTC ms.
    pub updated_ms: i64,
}

impl ProductImage {
    /// Why this image record cannot be stored (a damaged feed), or `None` when it is sound:
    /// a product picture must name its product, a logo or banner must not.
    pub fn problem(&self) -> Option<String> {
        if (self.role == ImageRole::Product) != self.product_id.is_some() {
            return Some(format!(
                "image {:?}: a {} image {} a product",
                self.id,
                self.role.as_str(),
                if self.product_id.is_some() {
                    "names"
                } else {
                    "does not name"
                }
            ));
        }
        None
    }
}
