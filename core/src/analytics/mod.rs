//! Offline sales analytics: the seller's dashboard, computed on the phone from rollups that
//! the sync keeps up to date (definitions in docs/analytics.md).
//!
//! - [`range`]: the ranges, their business days, previous periods and series grains;
//! - [`figures`]: the figures and how they follow from a few sums;
//! - [`rollup`]: keeping the rollups up to date, page by page, in the sync's transaction;
//! - `day_customers`: the list of customers who paid on a day, one row per day;
//! - [`stored`]: the dashboard's sums read from the rollups;
//! - [`recompute`]: the same sums by plain SQL over the raw orders (the consistency check);
//! - [`dashboard`]: the dashboard composed from either.

pub mod dashboard;
mod day_customers;
mod error;
pub mod figures;
pub mod range;
pub mod recompute;
pub mod rollup;
pub mod stored;

pub use dashboard::{Dashboard, Freshness, HeatCell, Period, Series, SeriesPoint, TopProduct};
pub use error::AnalyticsError;
pub use figures::{CouponGroup, FigureChange, FigureId, FigureRow, Figures, Unit};
pub use range::{DayRange, Grain, RangeSpec};

use crate::store::Store;

/// The dashboard of `spec` when "now" is `now_ms`, from the rollups, with its freshness.
///
/// Builds the rollups first if this database has none yet (an upgraded one) or they were
/// cut in another zone.
pub fn dashboard(store: &Store, spec: RangeSpec, now_ms: i64) -> Result<Dashboard, AnalyticsError> {
    let ready = store.read(|db| -> Result<bool, AnalyticsError> {
        let zone = rollup::shop_zone(db)?;
        Ok(rollup::built_zone(db.conn())?.as_deref() == Some(zone.name()))
    })?;
    if !ready {
        store.write(|db| rollup::ensure_built(db).map(|_| ()))?;
    }
    store.read(|db| {
        let zone = rollup::shop_zone(db)?;
        let mut board = dashboard::compose(&stored::Rollups::new(db.conn()), &zone, spec, now_ms)?;
        board.freshness = Some(Freshness {
            last_sync_ms: db.sync().last_success_ms()?,
            pending_changes: db.sync().pending_count()?,
        });
        Ok(board)
    })
}

/// The same dashboard recomputed from the raw orders by plain SQL (the consistency check;
/// slow on big shops). Its freshness is `None`.
pub fn recompute(store: &Store, spec: RangeSpec, now_ms: i64) -> Result<Dashboard, AnalyticsError> {
    store.read(|db| {
        let zone = rollup::shop_zone(db)?;
        let raw = recompute::RawOrders::new(db.conn(), zone.clone());
        dashboard::compose(&raw, &zone, spec, now_ms)
    })
}

#[cfg(test)]
mod tests;
