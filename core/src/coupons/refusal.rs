//! Every reason a coupon is refused, with a stable code and words a seller understands.
//!
//! The decoder and the signature check raise the first few variants; the wallet's rules
//! (validity window, revocation, uses, balance, minimum spend, scope, offline limits) raise
//! the others. The codes are part of the CLI's `--json` output and the FFI: never rename one.

use std::fmt;

use crate::domain::RevocationTarget;
use crate::money::Fen;

/// Why a coupon was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a coupon of this format: wrong prefix, bad Base45, bad zlib, bad CBOR or COSE,
    /// a claim missing, of the wrong type or over a limit.
    Malformed {
        /// What exactly is wrong, for logs and testers (English, not for the seller).
        detail: String,
    },
    /// Signed with an algorithm other than EdDSA, or the shop key is not an EdDSA key.
    UnsupportedAlgorithm {
        /// The algorithm named, e.g. `ES256` or `-65535`.
        alg: String,
    },
    /// No synced shop key has this `kid`.
    UnknownKey {
        /// The key id the coupon names.
        kid: String,
    },
    /// The key exists but was not valid when the coupon was issued, or is unusable.
    KeyNotValid,
    /// The signature does not match: forged or tampered with.
    BadSignature,
    /// Issued by another shop.
    WrongShop,
    /// Past its end of validity.
    Expired,
    /// Before its start of validity.
    NotYetValid,
    /// The coupon, its book or its key was revoked.
    Revoked {
        /// What was revoked.
        what: RevocationTarget,
    },
    /// Every use has been spent.
    UsedUp,
    /// A stored-value coupon whose balance does not cover the amount asked.
    InsufficientBalance {
        /// What is left on it.
        balance: Fen,
    },
    /// The order total is below the coupon's minimum spend.
    BelowMinSpend {
        /// The minimum order total.
        min_spend: Fen,
    },
    /// None of the order's products is covered by the coupon's scope.
    OutOfScope,
    /// This device has redeemed too much while offline; it must sync first.
    OfflineLimit {
        /// Which limit was reached.
        limit: OfflineLimitReached,
    },
}

/// Which of a device's offline limits stopped a redemption. Typed, so that every language
/// words it fully (a seller reading Chinese gets no English fragment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfflineLimitReached {
    /// The device has never synced: it has no trusted state to redeem against.
    NeverSynced,
    /// The last successful sync is longer ago than the limit allows.
    TooLongOffline {
        /// The limit, in hours.
        max_hours: u32,
    },
    /// Too many redemptions wait to sync.
    TooManyUnsynced {
        /// Redemptions waiting.
        count: u32,
        /// The most allowed.
        max: u32,
    },
    /// The redemptions waiting to sync are worth too much.
    TooMuchValue {
        /// Value waiting.
        value: Fen,
        /// The most allowed.
        max: Fen,
    },
}

impl Refusal {
    /// Shorthand for [`Refusal::Malformed`].
    pub fn malformed(detail: impl Into<String>) -> Self {
        Refusal::Malformed {
            detail: detail.into(),
        }
    }

    /// The stable machine-readable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Malformed { .. } => "malformed",
            Refusal::UnsupportedAlgorithm { .. } => "unsupported_algorithm",
            Refusal::UnknownKey { .. } => "unknown_key",
            Refusal::KeyNotValid => "key_not_valid",
            Refusal::BadSignature => "bad_signature",
            Refusal::WrongShop => "wrong_shop",
            Refusal::Expired => "expired",
            Refusal::NotYetValid => "not_yet_valid",
            Refusal::Revoked { .. } => "revoked",
            Refusal::UsedUp => "used_up",
            Refusal::InsufficientBalance { .. } => "insufficient_balance",
            Refusal::BelowMinSpend { .. } => "below_min_spend",
            Refusal::OutOfScope => "out_of_scope",
            Refusal::OfflineLimit { .. } => "offline_limit",
        }
    }

    /// What to tell the seller, in English.
    pub fn message_en(&self) -> String {
        match self {
            Refusal::Malformed { .. } => {
                "This is not a valid coupon code. It may be damaged or incomplete.".to_owned()
            }
            Refusal::UnsupportedAlgorithm { .. } => {
                "This coupon uses a signature this app does not accept.".to_owned()
            }
            Refusal::UnknownKey { .. } => {
                "This coupon was not signed by your shop's keys. Sync and try again; if it is still refused, do not accept it.".to_owned()
            }
            Refusal::KeyNotValid => {
                "This coupon was signed with a shop key that was not valid at the time.".to_owned()
            }
            Refusal::BadSignature => {
                "This coupon is forged or has been altered. Do not accept it.".to_owned()
            }
            Refusal::WrongShop => "This coupon belongs to another shop.".to_owned(),
            Refusal::Expired => "This coupon has expired.".to_owned(),
            Refusal::NotYetValid => "This coupon is not valid yet.".to_owned(),
            Refusal::Revoked { what } => match what {
                RevocationTarget::Coupon => "This coupon has been cancelled.".to_owned(),
                RevocationTarget::Book => "This coupon's batch has been cancelled.".to_owned(),
                RevocationTarget::Key => {
                    "The key this coupon was signed with has been withdrawn.".to_owned()
                }
            },
            Refusal::UsedUp => "This coupon has already been used up.".to_owned(),
            Refusal::InsufficientBalance { balance } => {
                format!("Not enough left on this coupon: {balance} remaining.")
            }
            Refusal::BelowMinSpend { min_spend } => {
                format!("The order must be at least {min_spend} to use this coupon.")
            }
            Refusal::OutOfScope => "This coupon does not apply to these products.".to_owned(),
            Refusal::OfflineLimit { limit } => match limit {
                OfflineLimitReached::NeverSynced => {
                    "This phone has never synced. Connect to sync before redeeming coupons."
                        .to_owned()
                }
                OfflineLimitReached::TooLongOffline { max_hours } => format!(
                    "This phone has been offline for more than {max_hours} hours. Connect to sync first."
                ),
                OfflineLimitReached::TooManyUnsynced { count, max } => format!(
                    "{count} redemptions are waiting to sync (at most {max} offline). Connect to sync first."
                ),
                OfflineLimitReached::TooMuchValue { value, max } => format!(
                    "{value} of redemptions is waiting to sync (at most {max} offline). Connect to sync first."
                ),
            },
        }
    }

    /// What to tell the seller, in Simplified Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Refusal::Malformed { .. } => "这不是有效的优惠券码，可能已损坏或不完整。".to_owned(),
            Refusal::UnsupportedAlgorithm { .. } => {
                "此优惠券使用了本应用不接受的签名方式。".to_owned()
            }
            Refusal::UnknownKey { .. } => {
                "此优惠券不是用本店的密钥签发的。请同步后重试；仍被拒绝时请勿接受。".to_owned()
            }
            Refusal::KeyNotValid => "签发此优惠券的店铺密钥在签发时无效。".to_owned(),
            Refusal::BadSignature => "此优惠券是伪造的或已被篡改，请勿接受。".to_owned(),
            Refusal::WrongShop => "此优惠券属于其他店铺。".to_owned(),
            Refusal::Expired => "此优惠券已过期。".to_owned(),
            Refusal::NotYetValid => "此优惠券尚未生效。".to_owned(),
            Refusal::Revoked { what } => match what {
                RevocationTarget::Coupon => "此优惠券已作废。".to_owned(),
                RevocationTarget::Book => "此优惠券所属的批次已作废。".to_owned(),
                RevocationTarget::Key => "签发此优惠券的密钥已撤销。".to_owned(),
            },
            Refusal::UsedUp => "此优惠券已用完。".to_owned(),
            Refusal::InsufficientBalance { balance } => {
                format!("优惠券余额不足：剩余 {balance}。")
            }
            Refusal::BelowMinSpend { min_spend } => {
                format!("订单满 {min_spend} 才能使用此优惠券。")
            }
            Refusal::OutOfScope => "此优惠券不适用于这些商品。".to_owned(),
            Refusal::OfflineLimit { limit } => match limit {
                OfflineLimitReached::NeverSynced => {
                    "本机尚未同步过，请先联网同步再核销优惠券。".to_owned()
                }
                OfflineLimitReached::TooLongOffline { max_hours } => {
                    format!("本机离线已超过 {max_hours} 小时，请联网同步后再试。")
                }
                OfflineLimitReached::TooManyUnsynced { count, max } => {
                    format!("有 {count} 笔核销等待同步（离线最多 {max} 笔），请联网同步后再试。")
                }
                OfflineLimitReached::TooMuchValue { value, max } => {
                    format!("等待同步的核销金额为 {value}（离线最多 {max}），请联网同步后再试。")
                }
            },
        }
    }
}

/// The English message, plus the technical detail where there is one (for logs and tests).
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())?;
        match self {
            Refusal::Malformed { detail } => write!(f, " [{detail}]"),
            Refusal::UnsupportedAlgorithm { alg } => write!(f, " [alg {alg}]"),
            Refusal::UnknownKey { kid } => write!(f, " [kid {kid:?}]"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Refusal> {
        vec![
            Refusal::malformed("x"),
            Refusal::UnsupportedAlgorithm {
                alg: "ES256".into(),
            },
            Refusal::UnknownKey { kid: "k".into() },
            Refusal::KeyNotValid,
            Refusal::BadSignature,
            Refusal::WrongShop,
            Refusal::Expired,
            Refusal::NotYetValid,
            Refusal::Revoked {
                what: RevocationTarget::Book,
            },
            Refusal::UsedUp,
            Refusal::InsufficientBalance { balance: Fen(150) },
            Refusal::BelowMinSpend {
                min_spend: Fen(10_000),
            },
            Refusal::OutOfScope,
            Refusal::OfflineLimit {
                limit: OfflineLimitReached::TooManyUnsynced { count: 20, max: 20 },
            },
        ]
    }

    #[test]
    fn codes_are_distinct_snake_case_and_messages_non_empty() {
        let refusals = all();
        let mut codes: Vec<&str> = refusals.iter().map(Refusal::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), refusals.len());
        for r in &refusals {
            assert!(
                r.code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
            assert!(!r.message_en().is_empty());
            assert!(!r.message_zh().is_empty());
        }
    }

    #[test]
    fn messages_carry_amounts() {
        let r = Refusal::BelowMinSpend {
            min_spend: Fen(10_000),
        };
        assert!(r.message_en().contains("¥100.00"), "{}", r.message_en());
        assert!(r.message_zh().contains("¥100.00"));
    }
}
