//! The shop's data as the core sees it: plain values, no storage or transport concerns.
//!
//! Ids made by the server are opaque strings; ids made on the phone are UUIDv7 strings.
//! Money is [`Fen`](crate::money::Fen); instants are UTC epoch milliseconds (`i64`).

pub mod catalog;
pub mod checklist;
pub mod coupons;
pub mod orders;
pub mod shop;
pub mod sync;

pub use catalog::{ImageRole, Product, ProductImage, ProductStatus};
pub use checklist::{ChecklistDefinition, DefinitionSource, TaskState};
pub use coupons::{
    CouponBook, CouponKind, CouponScope, Dispute, DisputeKind, DisputedUse, Redemption,
    RedemptionOrigin, RedemptionState, RefusedRedemption, Revocation, RevocationTarget, SigningKey,
    WalletLimits,
};
pub use orders::{Channel, LineItem, Order, OrderStatus};
pub use shop::{ShopProfile, Tier};
pub use sync::{Conflict, ConflictOutcome, OutboxEntry, SyncState};

/// A stored enum value that is not one of the known spellings.
///
/// Raised when text from the database or the wire names a variant this build does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what}: {value:?}")]
pub struct UnknownVariant {
    /// Which enum was being parsed, e.g. `"order status"`.
    pub what: &'static str,
    /// The text that did not match.
    pub value: String,
}

/// Declares a closed enum with a stable lowercase spelling used in SQLite and JSON.
macro_rules! spelled_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        // By hand rather than derived: utoipa does not see serde's renames through a
        // `macro_rules!` expansion, and the wire spellings are what the schema must list.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(concat!("A ", $what, ".")))
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable spelling used in storage and on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::UnknownVariant;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::domain::UnknownVariant { what: $what, value: s.to_owned() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use spelled_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for t in Tier::ALL {
            assert_eq!(t.as_str().parse::<Tier>().unwrap(), *t);
        }
        for s in OrderStatus::ALL {
            assert_eq!(s.as_str().parse::<OrderStatus>().unwrap(), *s);
        }
        let err = "gold".parse::<Tier>().unwrap_err();
        assert_eq!(err.to_string(), "unknown service tier: \"gold\"");
    }
}
