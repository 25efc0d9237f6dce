//! A deterministic demo shop: 小王的茶叶店, a Chinese tea shop with about 200 listings, their
//! pictures and a year of orders.
//!
//! Same inputs give byte-identical output (integer-only SplitMix64, no clock, no global state),
//! so tests, the demo and benchmarks can rely on exact figures.
//!
//! - [`demo_catalog`]: the shop profile, the products (`p_0001`…) and real PNG/JPEG pictures
//!   (`img_logo`, `img_banner`, `img_p_0001`…). Some listings are deliberately imperfect for
//!   the storefront lint: titles with advertising-law superlatives or over 60 characters, and
//!   main pictures that are too small (400x400), not square (800x600) or huge (> 1 MB).
//! - [`demo_orders`]: N orders over the 365 days before `now_ms`, streamed in `created_ms`
//!   order with O(1) memory. Volume grows over the year, peaks on 11.11 and 6.18, is higher on
//!   weekends and follows the day in shop time; the mobile share grows from about 5% to about
//!   27%.
//! - [`extra_orders`]: a few orders placed just before `now_ms` ("new orders arrived"), with
//!   ids of their own.

mod catalog;
mod images;
mod orders;
mod rng;
#[cfg(test)]
mod tests;

use sellerkit_core::domain::{Order, Product, ProductImage, ShopProfile};

/// Id of the demo shop.
pub const SHOP_ID: &str = "shop_demo";
/// Image id of the shop logo.
pub const LOGO_IMAGE_ID: &str = "img_logo";
/// Image id of the shop banner.
pub const BANNER_IMAGE_ID: &str = "img_banner";
/// Number of products in the demo catalogue.
pub const PRODUCT_COUNT: u32 = 200;

/// Image id of a product's main picture: `img_` + the product id.
#[must_use]
pub fn product_image_id(product_id: &str) -> String {
    format!("img_{product_id}")
}

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SeedConfig {
    /// Number of orders in the history.
    pub orders: u64,
    /// Seed of every random choice.
    pub rng_seed: u64,
    /// "Now", UTC ms: the history covers the 365 days before it.
    pub now_ms: i64,
}

impl SeedConfig {
    /// Orders in the default demo shop.
    pub const DEFAULT_ORDERS: u64 = 20_000;
    /// Seed of the default demo shop.
    pub const DEFAULT_RNG_SEED: u64 = 42;

    /// The default demo shop as of `now_ms`.
    #[must_use]
    pub fn demo(now_ms: i64) -> SeedConfig {
        SeedConfig {
            orders: SeedConfig::DEFAULT_ORDERS,
            rng_seed: SeedConfig::DEFAULT_RNG_SEED,
            now_ms,
        }
    }
}

/// The shop's profile, pictures and products.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoCatalog {
    /// The shop profile (`shop_demo`, tier standard, Asia/Shanghai).
    pub profile: ShopProfile,
    /// Logo, banner, then one main picture per product in product order, with the encoded
    /// bytes (their length and SHA-256 are in the metadata).
    pub images: Vec<(ProductImage, Vec<u8>)>,
    /// The listings, `p_0001` to `p_0200`.
    pub products: Vec<Product>,
}

/// The demo shop's profile, products and pictures for `cfg` (`cfg.orders` is not used).
///
/// Takes a fraction of a second: the pictures are encoded on a few threads.
#[must_use]
pub fn demo_catalog(cfg: &SeedConfig) -> DemoCatalog {
    catalog::build(cfg)
}

/// The order history: `cfg.orders` orders in the 365 days before `cfg.now_ms`, in
/// non-decreasing `created_ms` order, with ids `o_0000000000`, `o_0000000001`, …
///
/// Lines are drawn from the non-draft products of `products` at their current price. The
/// iterator owns what it needs (it does not borrow the arguments), holds O(1) memory whatever
/// the count, and reports its exact length in `size_hint`.
pub fn demo_orders(
    cfg: &SeedConfig,
    products: &[Product],
) -> impl Iterator<Item = Order> + Send + use<> {
    orders::Orders::history(cfg.orders, cfg.rng_seed, cfg.now_ms, products)
}

/// `count` orders placed shortly before `now_ms` (within a few minutes, up to 3 hours for
/// large counts), in `created_ms` order, mostly pending or paid.
///
/// Ids are `ox_<rng_seed as 16 hex digits>_<index>`: never those of [`demo_orders`], and
/// different seeds never share one (the same seed gives the same ids, so pass a fresh seed for
/// each batch of "new orders").
pub fn extra_orders(
    count: u64,
    rng_seed: u64,
    now_ms: i64,
    products: &[Product],
) -> impl Iterator<Item = Order> + Send + use<> {
    orders::Orders::recent(count, rng_seed, now_ms, products)
}
