//! SellerKit core: the one place where the seller app's rules live.
//!
//! The core knows nothing of FFI or UI. The shells (Android, iOS, the desktop CLI) reach it
//! through the `sellerkit-ffi` facade or, for the CLI, directly.
//!
//! Modules follow the product's features:
//! - [`analytics`]: the sales dashboard, from rollups the sync keeps up to date;
//! - [`app`]: [`app::App`], the core service every shell calls;
//! - [`locale`]: the seller's language;
//! - [`money`]: integer fen and basis points;
//! - [`time`]: the injected clock and business days in the shop's time zone;
//! - [`coupons`]: the coupon format, issuing and verifying offline;
//! - [`domain`]: the shop's data as the core sees it (shop, products, orders, ...);
//! - [`protocol`]: the sync protocol's wire types, shared by the phone and the server;
//! - [`store`]: the SQLite database, its migrations and typed repositories;
//! - [`storefront`]: the mobile storefront: listing lint, images, phone preview, edits;
//! - [`sync`]: the sync protocol and engine.

pub mod analytics;
pub mod app;
pub mod checklist;
pub mod coupons;
pub mod domain;
pub mod locale;
pub mod money;
pub mod protocol;
pub mod store;
pub mod storefront;
pub mod sync;
pub mod time;

/// Version of the core crate, as shells show it in "about" screens and bug reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
