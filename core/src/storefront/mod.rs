//! The mobile storefront: listing lint, (later) the image pipeline, the phone preview and edits.
//!
//! - [`lint`]: mobile fitness and marketplace rules for listings and the shop profile, each
//!   finding with a severity, the field and a fix hint in zh-CN and English. The checklist's
//!   completion rules reuse it. The rules and their sources are in `docs/storefront-rules.md`.
//! - [`media`]: bounded decoding, mobile variants and the variant cache.
//! - [`preview`]: the shop's home and a product page drawn as a phone shows them.
//! - [`service`]: the calls the shells make: lint, preview, edits and their conflicts.

pub mod lint;
pub mod media;
pub mod preview;
pub mod service;

pub use service::{
    LintReport, PreviewPage, ProductChanges, ShopChanges, Storefront, StorefrontError,
};
