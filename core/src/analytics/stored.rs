//! The dashboard's sums read from the rollups: no query here touches `orders`.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};

use super::AnalyticsError;
use super::dashboard::{ProductSums, Slice, Source};
use super::day_customers;
use super::figures::{Cell, Sums};
use super::range::{month_number, month_start_day};

/// Reads the rollups of one database connection.
pub struct Rollups<'c> {
    conn: &'c Connection,
}

impl<'c> Rollups<'c> {
    /// Over `conn` (inside a read transaction, so every query sees one snapshot).
    pub fn new(conn: &'c Connection) -> Rollups<'c> {
        Rollups { conn }
    }

    fn product_rows(
        &self,
        sql: &str,
        range: (i32, i32),
        out: &mut HashMap<String, ProductSums>,
    ) -> Result<(), AnalyticsError> {
        if range.0 >= range.1 {
            return Ok(());
        }
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query(params![range.0, range.1])?;
        while let Some(r) = rows.next()? {
            let p = ProductSums {
                units: r.get(1)?,
                gross: r.get(2)?,
                discount: r.get(3)?,
                refund: r.get(4)?,
            };
            out.entry(r.get(0)?).or_default().add(&p, 1)?;
        }
        Ok(())
    }
}

impl Rollups<'_> {
    /// The number of distinct customers on the day lists of `[s, e)`.
    fn customers_in(&self, (s, e): (i32, i32)) -> Result<i64, AnalyticsError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT customers FROM analytics_day_customers WHERE day >= ?1 AND day < ?2",
        )?;
        let mut rows = stmt.query(params![s, e])?;
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(row) = rows.next()? {
            let list = row.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?;
            for entry in day_customers::entries(list) {
                let (customer, _) = entry?;
                // Most ids repeat from day to day: allocate only for the first sighting.
                if !seen.contains(customer) {
                    seen.insert(customer.to_owned());
                }
            }
        }
        Ok(seen.len() as i64)
    }
}

const PRODUCT_DAYS: &str = "SELECT key, sum(units), sum(gross_fen), sum(discount_fen),
    sum(refund_fen) FROM analytics_product_day WHERE day >= ?1 AND day < ?2 GROUP BY key";
const PRODUCT_MONTHS: &str = "SELECT key, sum(units), sum(gross_fen), sum(discount_fen),
    sum(refund_fen) FROM analytics_product_month WHERE month >= ?1 AND month < ?2 GROUP BY key";

impl Source for Rollups<'_> {
    fn sums(&self, (s, e): (i32, i32)) -> Result<Sums, AnalyticsError> {
        let mut sums = Sums::default();
        let mut stmt = self.conn.prepare_cached(
            "SELECT mobile, coupon, sum(orders), sum(units), sum(gross_fen), sum(discount_fen),
                 sum(refund_fen)
             FROM analytics_day WHERE day >= ?1 AND day < ?2 GROUP BY mobile, coupon",
        )?;
        let mut rows = stmt.query(params![s, e])?;
        while let Some(r) = rows.next()? {
            let (m, c) = (
                usize::from(r.get::<_, bool>(0)?),
                usize::from(r.get::<_, bool>(1)?),
            );
            let cell = Cell {
                orders: r.get(2)?,
                units: r.get(3)?,
                gross: r.get(4)?,
                discount: r.get(5)?,
                refund: r.get(6)?,
            };
            if let Some(slot) = sums.cells.get_mut(m).and_then(|row| row.get_mut(c)) {
                slot.add(&cell, 1)?;
            }
        }
        sums.new_customers = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM analytics_customer WHERE first_day >= ?1 AND first_day < ?2",
            )?
            .query_row(params![s, e], |r| r.get(0))?;
        // Every customer who paid in the range is new (first paid day inside it) or returning
        // (paid before it): the returning are those on the range's day lists, less the new.
        let active = self.customers_in((s, e))?;
        sums.returning_customers = active - sums.new_customers;
        Ok(sums)
    }

    fn daily(&self, (s, e): (i32, i32)) -> Result<HashMap<i32, Slice>, AnalyticsError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT day, sum(orders), sum(orders * mobile),
                 sum(gross_fen - discount_fen - refund_fen),
                 sum((gross_fen - discount_fen - refund_fen) * mobile)
             FROM analytics_day WHERE day >= ?1 AND day < ?2 GROUP BY day",
        )?;
        let mut out = HashMap::new();
        let mut rows = stmt.query(params![s, e])?;
        while let Some(r) = rows.next()? {
            out.insert(
                r.get(0)?,
                Slice {
                    orders: r.get(1)?,
                    mobile_orders: r.get(2)?,
                    net: r.get(3)?,
                    mobile_net: r.get(4)?,
                },
            );
        }
        Ok(out)
    }

    fn hourly(&self, (s, e): (i32, i32)) -> Result<HashMap<(i32, u8), Slice>, AnalyticsError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT day, hour, orders, mobile_orders, net_fen, mobile_net_fen
             FROM analytics_hour WHERE day >= ?1 AND day < ?2",
        )?;
        let mut out = HashMap::new();
        let mut rows = stmt.query(params![s, e])?;
        while let Some(r) = rows.next()? {
            out.insert(
                (r.get(0)?, r.get(1)?),
                Slice {
                    orders: r.get(2)?,
                    mobile_orders: r.get(3)?,
                    net: r.get(4)?,
                    mobile_net: r.get(5)?,
                },
            );
        }
        Ok(out)
    }

    fn products(&self, (s, e): (i32, i32)) -> Result<HashMap<String, ProductSums>, AnalyticsError> {
        // Whole months from the month rollup, the ragged ends from the day rollup.
        let first_full = if month_start_day(month_number(s))? == s {
            month_number(s)
        } else {
            month_number(s) + 1
        };
        let end_month = month_number(e);
        let mut out = HashMap::new();
        if first_full < end_month {
            let (a, b) = (month_start_day(first_full)?, month_start_day(end_month)?);
            self.product_rows(PRODUCT_DAYS, (s, a), &mut out)?;
            self.product_rows(PRODUCT_MONTHS, (first_full, end_month), &mut out)?;
            self.product_rows(PRODUCT_DAYS, (b, e), &mut out)?;
        } else {
            self.product_rows(PRODUCT_DAYS, (s, e), &mut out)?;
        }
        Ok(out)
    }

    fn title(&self, key: &str) -> Result<String, AnalyticsError> {
        product_title(self.conn, key)
    }
}

/// A product key's display title: the line title for `~` keys, else the product's current
/// title, else the id itself (a product deleted since).
pub(crate) fn product_title(conn: &Connection, key: &str) -> Result<String, AnalyticsError> {
    if let Some(title) = key.strip_prefix('~') {
        return Ok(title.to_owned());
    }
    let title: Option<String> = conn
        .prepare_cached("SELECT title FROM products WHERE id = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?;
    Ok(title.unwrap_or_else(|| key.to_owned()))
}
