//! The consistency check: every sum of the dashboard recomputed by plain SQL over the raw
//! `orders` and `order_lines`, with the period's instants cut by `crate::time` (days) and
//! by the wall clock's hour starts (hours). Independent of the rollups and of their
//! maintenance; the property tests require both to agree to the fen.

use std::collections::HashMap;

use jiff::civil::{DateTime, Time};
use jiff::tz::AmbiguousOffset;
use rusqlite::{Connection, params};

use super::AnalyticsError;
use super::dashboard::{ProductSums, Slice, Source};
use super::figures::{Cell, Sums};
use super::range::day_date;
use crate::time::ShopZone;

/// A sale in SQL: see `rollup::is_sale` and docs/analytics.md.
const SALE: &str =
    "o.status IN ('paid', 'shipped', 'completed', 'refunded') AND o.paid_ms IS NOT NULL";

/// The raw orders of one connection, read as the dashboard's sums.
pub struct RawOrders<'c> {
    conn: &'c Connection,
    zone: ShopZone,
}

impl<'c> RawOrders<'c> {
    /// Over `conn`, cutting days in `zone`.
    pub fn new(conn: &'c Connection, zone: ShopZone) -> RawOrders<'c> {
        RawOrders { conn, zone }
    }

    fn day_ms(&self, day: i32) -> Result<i64, AnalyticsError> {
        Ok(self.zone.day_start_ms(day_date(day)?)?)
    }

    /// The first instant of local hour `hour` on `day`: the earliest instant whose wall
    /// clock shows that day at `hour`:00 or later (the first of two in a fold, the jump in a
    /// gap, so a skipped hour is empty and a repeated one holds both).
    fn hour_ms(&self, day: i32, hour: u8) -> Result<i64, AnalyticsError> {
        if hour == 0 {
            return self.day_ms(day);
        }
        if hour >= 24 {
            return self.day_ms(day + 1);
        }
        let date = day_date(day)?;
        let time = Time::new(hour as i8, 0, 0, 0).map_err(|_| AnalyticsError::Overflow)?;
        let dt = DateTime::from_parts(date, time);
        let ts = match self.zone.time_zone().to_ambiguous_timestamp(dt).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt),
            AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt),
            AmbiguousOffset::Gap { before, .. } => before.to_timestamp(dt),
        }
        .map_err(|_| AnalyticsError::Overflow)?;
        // Never before the day's start nor after its end (a gap or fold across midnight).
        let ms = ts.as_millisecond();
        Ok(ms.clamp(self.day_ms(day)?, self.day_ms(day + 1)?))
    }

    /// `[[key, start_ms, end_ms], ...]` as JSON for a `json_each` bucket table.
    fn buckets_json(buckets: &[(i64, i64, i64)]) -> String {
        let parts: Vec<String> = buckets
            .iter()
            .map(|(k, s, e)| format!("[{k},{s},{e}]"))
            .collect();
        format!("[{}]", parts.join(","))
    }

    /// Sales and refunds per bucket key.
    fn bucketed(&self, buckets: &[(i64, i64, i64)]) -> Result<HashMap<i64, Slice>, AnalyticsError> {
        let json = Self::buckets_json(buckets);
        let mut out: HashMap<i64, Slice> = HashMap::new();
        for (time_column, sql_net, count) in [
            ("paid_ms", "o.total_fen", "1"),
            ("refunded_ms", "-o.refund_fen", "0"),
        ] {
            let refund_only = if time_column == "refunded_ms" {
                "AND o.refund_fen > 0"
            } else {
                ""
            };
            let sql = format!(
                "WITH b(k, s, e) AS (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?1))
                 SELECT b.k, sum({count}), sum(CASE WHEN o.channel = 'mobile' THEN {count} ELSE 0 END),
                     sum({sql_net}), sum(CASE WHEN o.channel = 'mobile' THEN {sql_net} ELSE 0 END)
                 FROM b JOIN orders o ON o.{time_column} >= b.s AND o.{time_column} < b.e
                 WHERE {SALE} {refund_only}
                 GROUP BY b.k"
            );
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt.query([&json])?;
            while let Some(r) = rows.next()? {
                let s = Slice {
                    orders: r.get(1)?,
                    mobile_orders: r.get(2)?,
                    net: r.get(3)?,
                    mobile_net: r.get(4)?,
                };
                out.entry(r.get(0)?).or_default().add(&s)?;
            }
        }
        Ok(out)
    }
}

impl Source for RawOrders<'_> {
    fn sums(&self, (s, e): (i32, i32)) -> Result<Sums, AnalyticsError> {
        let (start, end) = (self.day_ms(s)?, self.day_ms(e)?);
        let mut sums = Sums::default();
        let mut sales = self.conn.prepare(&format!(
            "SELECT o.channel = 'mobile', o.coupon_id IS NOT NULL, count(*), sum(o.subtotal_fen),
                 sum(o.discount_fen),
                 sum((SELECT coalesce(sum(l.quantity), 0) FROM order_lines l WHERE l.order_id = o.id))
             FROM orders o WHERE {SALE} AND o.paid_ms >= ?1 AND o.paid_ms < ?2 GROUP BY 1, 2"
        ))?;
        let mut rows = sales.query(params![start, end])?;
        while let Some(r) = rows.next()? {
            let (m, c) = (
                usize::from(r.get::<_, bool>(0)?),
                usize::from(r.get::<_, bool>(1)?),
            );
            let cell = Cell {
                orders: r.get(2)?,
                gross: r.get(3)?,
                discount: r.get(4)?,
                units: r.get(5)?,
                refund: 0,
            };
            sums.cells[m][c].add(&cell, 1)?;
        }
        let mut refunds = self.conn.prepare(&format!(
            "SELECT o.channel = 'mobile', o.coupon_id IS NOT NULL, sum(o.refund_fen)
             FROM orders o WHERE {SALE} AND o.refund_fen > 0
                 AND o.refunded_ms >= ?1 AND o.refunded_ms < ?2 GROUP BY 1, 2"
        ))?;
        let mut rows = refunds.query(params![start, end])?;
        while let Some(r) = rows.next()? {
            let (m, c) = (
                usize::from(r.get::<_, bool>(0)?),
                usize::from(r.get::<_, bool>(1)?),
            );
            let cell = Cell {
                refund: r.get(2)?,
                ..Cell::default()
            };
            sums.cells[m][c].add(&cell, 1)?;
        }
        let (customers, returning): (i64, i64) = self.conn.query_row(
            &format!(
                "WITH inside AS (SELECT DISTINCT o.customer_id AS id FROM orders o
                     WHERE {SALE} AND o.paid_ms >= ?1 AND o.paid_ms < ?2)
                 SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM orders o
                     WHERE {SALE} AND o.customer_id = inside.id AND o.paid_ms < ?1)), 0)
                 FROM inside"
            ),
            params![start, end],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        sums.returning_customers = returning;
        sums.new_customers = customers - returning;
        Ok(sums)
    }

    fn daily(&self, (s, e): (i32, i32)) -> Result<HashMap<i32, Slice>, AnalyticsError> {
        let buckets = (s..e)
            .map(|d| Ok((i64::from(d), self.day_ms(d)?, self.day_ms(d + 1)?)))
            .collect::<Result<Vec<_>, AnalyticsError>>()?;
        Ok(self
            .bucketed(&buckets)?
            .into_iter()
            .filter_map(|(k, v)| i32::try_from(k).ok().map(|k| (k, v)))
            .collect())
    }

    fn hourly(&self, (s, e): (i32, i32)) -> Result<HashMap<(i32, u8), Slice>, AnalyticsError> {
        let mut buckets = Vec::new();
        for d in s..e {
            let mut start = self.hour_ms(d, 0)?;
            for h in 0u8..24 {
                let end = self.hour_ms(d, h + 1)?;
                buckets.push((i64::from(d) * 24 + i64::from(h), start, end));
                start = end;
            }
        }
        Ok(self
            .bucketed(&buckets)?
            .into_iter()
            .filter_map(|(k, v)| {
                let day = i32::try_from(k.div_euclid(24)).ok()?;
                let hour = u8::try_from(k.rem_euclid(24)).ok()?;
                Some(((day, hour), v))
            })
            .collect())
    }

    fn products(&self, (s, e): (i32, i32)) -> Result<HashMap<String, ProductSums>, AnalyticsError> {
        let (start, end) = (self.day_ms(s)?, self.day_ms(e)?);
        let mut stmt = self.conn.prepare(&format!(
            "SELECT key, sum(units), sum(gross), sum(discount), sum(refund) FROM (
                 SELECT coalesce(l.product_id, '~' || l.title) AS key, l.quantity AS units,
                     l.total_fen AS gross,
                     CASE WHEN o.subtotal_fen > 0
                         THEN o.discount_fen * l.total_fen / o.subtotal_fen ELSE 0 END AS discount,
                     0 AS refund
                 FROM orders o JOIN order_lines l ON l.order_id = o.id
                 WHERE {SALE} AND o.paid_ms >= ?1 AND o.paid_ms < ?2
                 UNION ALL
                 SELECT coalesce(l.product_id, '~' || l.title), 0, 0, 0,
                     CASE WHEN o.subtotal_fen > 0
                         THEN o.refund_fen * l.total_fen / o.subtotal_fen ELSE 0 END
                 FROM orders o JOIN order_lines l ON l.order_id = o.id
                 WHERE {SALE} AND o.refund_fen > 0
                     AND o.refunded_ms >= ?1 AND o.refunded_ms < ?2)
             GROUP BY key"
        ))?;
        let mut out = HashMap::new();
        let mut rows = stmt.query(params![start, end])?;
        while let Some(r) = rows.next()? {
            out.insert(
                r.get(0)?,
                ProductSums {
                    units: r.get(1)?,
                    gross: r.get(2)?,
                    discount: r.get(3)?,
                    refund: r.get(4)?,
                },
            );
        }
        Ok(out)
    }

    fn title(&self, key: &str) -> Result<String, AnalyticsError> {
        super::stored::product_title(self.conn, key)
    }
}
