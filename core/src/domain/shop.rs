//! The shop profile and its service tier.

use super::spelled_enum;

spelled_enum! {
    /// The service package the seller bought; it gates legal-guidance tasks and the coupon quota.
    Tier, "service tier" {
        /// Entry package.
        Basic => "basic",
        /// Middle package.
        Standard => "standard",
        /// Top package, with legal guidance.
        Premium => "premium",
    }
}

/// The seller's shop as the storefront shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopProfile {
    /// Server id of the shop (opaque).
    pub shop_id: String,
    /// Display name.
    pub name: String,
    /// Short description shown under the banner.
    pub description: String,
    /// Image id of the logo, if one is set.
    pub logo_image_id: Option<String>,
    /// Image id of the banner, if one is set.
    pub banner_image_id: Option<String>,
    /// IANA zone in which the shop's business days are counted.
    pub time_zone: String,
    /// Service tier from the activation.
    pub tier: Tier,
    /// Server version of this record; edits carry it as their base version.
    pub version: i64,
    /// Last change, UTC ms.
    pub updated_ms: i64,
    /// Theme colour of the mobile storefront, `#RRGGBB` (upper case), if the seller chose
    /// one. Absent in older feeds: none.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = "^#[0-9A-F]{6}$"))]
    pub theme_color: Option<String>,
}
