//! Offline-verifiable coupons: the format (`docs/coupon-format.md`), issuing and verifying.
//!
//! A coupon is a COSE_Sign1 (RFC 9052, tag 18) signed with EdDSA/Ed25519 whose payload is a
//! CWT claims set (RFC 8392) with one private claim for the terms; it travels as
//! `SKC1:` + Base45 of the zlib-compressed COSE bytes.
//!
//! - [`claims`]: [`CouponClaims`], [`CouponValue`]: the decoded terms and their CBOR;
//! - [`code`]: text form  <->  COSE bytes (prefix, Base45, bounded zlib);
//! - [`sign`]: [`CouponSigner`] issues coupons (dev server, tests, benchmark);
//! - [`verify`]: [`decode`] and [`DecodedCoupon::verify_signature`];
//! - [`refusal`]: [`Refusal`], every reason a coupon is refused.
//!
//! The wallet's rules (validity window with clock tolerance, revocations, uses, balance,
//! minimum spend, scope, offline limits) live beside these modules and use [`Refusal`].

pub mod claims;
pub mod code;
pub mod refusal;
pub mod sign;
pub mod verify;
pub mod wallet;

pub use claims::{CouponClaims, CouponValue};
pub use refusal::{OfflineLimitReached, Refusal};
pub use sign::{CouponSigner, SignerError};
pub use verify::{DecodedCoupon, decode, decode_cose};

/// The format's bounds: checked before work is done so hostile input costs little.
pub mod limits {
    /// Longest coupon text accepted, prefix included (QR version 40-L holds 4296
    /// alphanumeric characters).
    pub const MAX_TEXT_CHARS: usize = 4096;
    /// Most bytes the zlib stream may inflate to (the COSE_Sign1).
    pub const MAX_COSE_BYTES: usize = 4096;
    /// Deepest CBOR nesting (arrays, maps, tags) accepted; coupons need 3.
    pub const MAX_CBOR_DEPTH: usize = 8;
    /// Longest id (kid, iss, cti, book, product or category id), in UTF-8 bytes.
    pub const MAX_ID_BYTES: usize = 64;
    /// Most product or category ids in a scope.
    pub const MAX_SCOPE_IDS: usize = 64;
}

#[cfg(test)]
mod tests;
