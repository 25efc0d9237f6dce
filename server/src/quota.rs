//! The tiers' coupon quota: how many coupons a shop may issue per calendar month, counted
//! in the shop's time zone (a Shanghai shop's month starts at midnight Shanghai time).

use rusqlite::Connection;
use sellerkit_core::domain::{ShopProfile, Tier};
use sellerkit_core::protocol::EntityKind;
use sellerkit_core::time::ShopZone;

use crate::error::ApiError;
use crate::store;
use crate::store::coupons;

/// Coupons a shop of `tier` may issue per calendar month.
///
/// Sized on what each package is sold for: a basic shop runs a few small promotions a
/// month; premium shops run festival campaigns (6.18, 11.11) with a coupon per customer.
pub const fn monthly_coupon_quota(tier: Tier) -> u64 {
    match tier {
        Tier::Basic => 1_000,
        Tier::Standard => 5_000,
        Tier::Premium => 20_000,
    }
}

/// `[start, end)` of the calendar month containing `now_ms` in `zone`, UTC ms, and its
/// name (`2026-11`).
pub fn month_bounds(zone: &ShopZone, now_ms: i64) -> Result<(i64, i64, String), ApiError> {
    let bad = |e: &dyn std::fmt::Display| ApiError::internal(e);
    let day = zone.business_day(now_ms).map_err(|e| bad(&e))?;
    let first = day.first_of_month();
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .map_err(|e| bad(&e))?;
    let start = zone.day_start_ms(first).map_err(|e| bad(&e))?;
    let end = zone.day_start_ms(next).map_err(|e| bad(&e))?;
    Ok((
        start,
        end,
        format!("{:04}-{:02}", first.year(), first.month()),
    ))
}

/// Refuses to issue `count` more coupons when the shop's tier quota for this month would be
/// passed: `403 quota_exceeded`.
pub fn check_coupon_quota(
    conn: &Connection,
    shop_id: &str,
    count: u64,
    now_ms: i64,
) -> Result<(), ApiError> {
    let profile: Option<ShopProfile> =
        store::get_typed(conn, shop_id, EntityKind::ShopProfile, shop_id)?;
    let (tier, zone) = match profile {
        Some(p) => (p.tier, ShopZone::new(&p.time_zone).unwrap_or_default()),
        None => (Tier::Basic, ShopZone::default()),
    };
    let quota = monthly_coupon_quota(tier);
    let (start, end, month) = month_bounds(&zone, now_ms)?;
    let issued = coupons::issued_between(conn, shop_id, start, end)?;
    if issued.saturating_add(count) > quota {
        return Err(ApiError::quota_exceeded(format!(
            "the {tier} tier issues at most {quota} coupons a month; {issued} were issued in \
             {month} ({}), {count} more asked",
            zone.name()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_counted_in_the_shops_zone() {
        let shanghai = ShopZone::new("Asia/Shanghai").unwrap();
        // 2026-11-30T16:30:00Z is already 2026-12-01 00:30 in Shanghai.
        let late = 1_796_056_200_000;
        let (start, end, name) = month_bounds(&shanghai, late).unwrap();
        assert_eq!(name, "2026-12");
        assert_eq!(start, 1_796_054_400_000); // 2026-11-30T16:00:00Z
        assert_eq!(end, 1_798_732_800_000); // 2026-12-31T16:00:00Z
        let utc = ShopZone::new("UTC").unwrap();
        assert_eq!(month_bounds(&utc, late).unwrap().2, "2026-11");
        assert!(monthly_coupon_quota(Tier::Basic) < monthly_coupon_quota(Tier::Standard));
        assert!(monthly_coupon_quota(Tier::Standard) < monthly_coupon_quota(Tier::Premium));
    }
}
