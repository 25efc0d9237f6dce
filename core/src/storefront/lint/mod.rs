//! Listing lint: whether images and titles are fit for a phone and the marketplace's rules.
//!
//! One module, used by the storefront screens and by the checklist's rules, so that a rule
//! ("main image at least 800x800 and square", "title at most 30 characters") exists once.
//! This is the minimal shared part the checklist needs; the storefront issue grows it
//! (severities, fix hints, more checks) behind the same function names.

mod image;
mod terms;
mod title;

pub use image::{
    MAX_IMAGE_BYTES, MIN_BANNER_WIDTH, MIN_LOGO_SIDE, MIN_MAIN_IMAGE_SIDE, image_is_mobile_ready,
};
pub use terms::{ABSOLUTE_TERMS, banned_terms, has_banned_term};
pub use title::{MAX_TITLE_BYTES, MAX_TITLE_CHARS, title_bytes, title_within_limits};
