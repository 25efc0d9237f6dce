//! The mobile storefront: listing lint, (later) the image pipeline, the phone preview and edits.
//!
//! - [`lint`]: mobile fitness and marketplace rules for listings and the shop profile, each
//!   finding with a severity, the field and a fix hint in zh-CN and English. The checklist's
//!   completion rules reuse it. The rules and their sources are in `docs/storefront-rules.md`.

pub mod lint;
