//! The mobile storefront. For now only its lint, which the checklist's rules share.

pub mod lint;
