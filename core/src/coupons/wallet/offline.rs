//! Per-device offline limits: what one phone may redeem before the server has seen it.
//!
//! Two phones that are both offline cannot be stopped from redeeming one coupon twice. As
//! offline payment systems do, the wallet caps the exposure instead: the number and value of
//! this device's unconfirmed redemptions, and the time since it last synced (after which its
//! copy of the revocations is too old to trust).

use crate::coupons::{OfflineLimitReached, Refusal};
use crate::domain::WalletLimits;
use crate::money::Fen;
use crate::store::UnsyncedTotals;

/// Milliseconds in an hour.
const HOUR_MS: i64 = 3_600_000;

/// Checks one more redemption worth `value` (when known) against `limits`.
///
/// `last_sync_ms` is the end of the last successful sync, `None` if there never was one.
///
/// # Errors
/// [`Refusal::OfflineLimit`] naming the limit reached.
pub fn check_offline(
    limits: &WalletLimits,
    unsynced: UnsyncedTotals,
    last_sync_ms: Option<i64>,
    now_ms: i64,
    value: Option<Fen>,
) -> Result<(), Refusal> {
    let Some(last) = last_sync_ms else {
        return Err(Refusal::OfflineLimit {
            limit: OfflineLimitReached::NeverSynced,
        });
    };
    let max_age = i64::from(limits.max_offline_hours).saturating_mul(HOUR_MS);
    // A clock set back before the last sync reads as "just synced": the count and value
    // caps still hold.
    if now_ms.saturating_sub(last) > max_age {
        return Err(Refusal::OfflineLimit {
            limit: OfflineLimitReached::TooLongOffline {
                max_hours: limits.max_offline_hours,
            },
        });
    }
    if unsynced.count >= limits.max_unsynced_count {
        return Err(Refusal::OfflineLimit {
            limit: OfflineLimitReached::TooManyUnsynced {
                count: unsynced.count,
                max: limits.max_unsynced_count,
            },
        });
    }
    if let Some(value) = value {
        let after = unsynced.value.checked_add(value);
        if after.is_none_or(|v| v > limits.max_unsynced_value) {
            return Err(Refusal::OfflineLimit {
                limit: OfflineLimitReached::TooMuchValue {
                    value: unsynced.value,
                    max: limits.max_unsynced_value,
                },
            });
        }
    }
    Ok(())
}

/// The last instant at which this device may still redeem, given its last sync.
pub fn redeem_until_ms(limits: &WalletLimits, last_sync_ms: Option<i64>) -> Option<i64> {
    last_sync_ms.map(|last| last.saturating_add(i64::from(limits.max_offline_hours) * HOUR_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: WalletLimits = WalletLimits {
        max_unsynced_count: 3,
        max_unsynced_value: Fen(1_000),
        max_offline_hours: 2,
    };

    fn totals(count: u32, value: i64) -> UnsyncedTotals {
        UnsyncedTotals {
            count,
            value: Fen(value),
        }
    }

    #[test]
    fn each_limit_refuses_at_its_edge() {
        let ok = |u, last, now, v| check_offline(&LIMITS, u, last, now, v).is_ok();
        let synced = Some(1_000_000);
        let now = 1_000_000 + 2 * HOUR_MS;
        assert!(ok(totals(2, 0), synced, now, Some(Fen(1_000))));
        // Hours: exactly the limit is allowed, one ms more is not.
        assert!(!ok(totals(0, 0), synced, now + 1, None));
        assert!(!ok(totals(0, 0), None, now, None));
        // Count: the fourth redemption waits for a sync.
        assert!(!ok(totals(3, 0), synced, now, None));
        // Value: the cap includes this redemption.
        assert!(ok(totals(1, 400), synced, now, Some(Fen(600))));
        assert!(!ok(totals(1, 400), synced, now, Some(Fen(601))));
        assert!(!ok(totals(1, 400), synced, now, Some(Fen(i64::MAX))));
        // A clock set back is not an error.
        assert!(ok(totals(0, 0), synced, 0, None));
        let err = check_offline(&LIMITS, totals(3, 0), synced, now, None).unwrap_err();
        assert_eq!(err.code(), "offline_limit");
        assert!(err.to_string().contains("3 redemptions"), "{err}");
    }

    #[test]
    fn zero_limits_disable_offline_redemption() {
        let none = WalletLimits {
            max_unsynced_count: 0,
            max_unsynced_value: Fen(0),
            max_offline_hours: 0,
        };
        assert!(check_offline(&none, totals(0, 0), Some(5), 5, Some(Fen(1))).is_err());
        assert_eq!(redeem_until_ms(&LIMITS, Some(10)), Some(10 + 2 * HOUR_MS));
        assert_eq!(redeem_until_ms(&LIMITS, None), None);
    }
}
