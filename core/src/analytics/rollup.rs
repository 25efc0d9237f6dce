//! Keeping the rollups up to date: each synced page's orders are aggregated in Rust into one
//! delta (the old contribution of every touched order subtracted, its new one added) and the
//! delta is written in the page's transaction, one upsert per touched rollup row.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, ToSql, params};

use super::AnalyticsError;
use super::dashboard::{ProductSums, Slice, allocate, product_key};
use super::figures::Cell;
use super::range::{day_number, month_number};
use crate::domain::{Order, OrderStatus};
use crate::store::{Db, StoreError};
use crate::time::ShopZone;

/// Whether an order is a sale: paid (and possibly shipped, completed or refunded since).
pub fn is_sale(o: &Order) -> bool {
    o.paid_ms.is_some()
        && matches!(
            o.status,
            OrderStatus::Paid
                | OrderStatus::Shipped
                | OrderStatus::Completed
                | OrderStatus::Refunded
        )
}

/// Signed changes to every rollup table.
#[derive(Debug, Default)]
pub(crate) struct Delta {
    day: HashMap<(i32, u8, u8), Cell>,
    hour: HashMap<(i32, u8), Slice>,
    product_day: HashMap<(i32, String), ProductSums>,
    product_month: HashMap<(i32, String), ProductSums>,
    customer_day: HashMap<(String, i32), i64>,
    /// Some contribution was subtracted: rows may have dropped to zero.
    removals: bool,
}

fn slice_add(a: &mut Slice, b: &Slice, sign: i64) -> Result<(), AnalyticsError> {
    for (x, y) in [
        (&mut a.orders, b.orders),
        (&mut a.mobile_orders, b.mobile_orders),
        (&mut a.net, b.net),
        (&mut a.mobile_net, b.mobile_net),
    ] {
        *x = y
            .checked_mul(sign)
            .and_then(|y| x.checked_add(y))
            .ok_or(AnalyticsError::Overflow)?;
    }
    Ok(())
}

impl Delta {
    /// Adds (`sign` = 1) or removes (`sign` = -1) an order's contribution.
    pub(crate) fn add_order(
        &mut self,
        o: &Order,
        zone: &ShopZone,
        sign: i64,
    ) -> Result<(), AnalyticsError> {
        let Some(paid_ms) = o.paid_ms.filter(|_| is_sale(o)) else {
            return Ok(());
        };
        if sign < 0 {
            self.removals = true;
        }
        let mobile = u8::from(o.channel == crate::domain::Channel::Mobile);
        let coupon = u8::from(o.coupon_id.is_some());
        let units = o
            .lines
            .iter()
            .try_fold(0i64, |acc, l| acc.checked_add(l.quantity))
            .ok_or(AnalyticsError::Overflow)?;
        let (sub, disc, total) = (o.subtotal.0, o.discount.0, o.total.0);

        let paid_day = day_number(zone.business_day(paid_ms)?);
        let paid_hour = zone.hour_of_day(paid_ms)?;
        let sale = Cell {
            orders: 1,
            units,
            gross: sub,
            discount: disc,
            refund: 0,
        };
        self.day
            .entry((paid_day, mobile, coupon))
            .or_default()
            .add(&sale, sign)?;
        let m = i64::from(mobile);
        let sold = Slice {
            orders: 1,
            mobile_orders: m,
            net: total,
            mobile_net: total * m,
        };
        slice_add(
            self.hour.entry((paid_day, paid_hour)).or_default(),
            &sold,
            sign,
        )?;
        *self
            .customer_day
            .entry((o.customer_id.clone(), paid_day))
            .or_default() += sign;
        for line in &o.lines {
            let key = product_key(line.product_id.as_deref(), &line.title);
            let p = ProductSums {
                units: line.quantity,
                gross: line.total.0,
                discount: allocate(disc, line.total.0, sub),
                refund: 0,
            };
            self.add_product(paid_day, key, &p, sign)?;
        }

        let refund = o.refund.0;
        if let Some(refunded_ms) = o.refunded_ms.filter(|_| refund > 0) {
            let day = day_number(zone.business_day(refunded_ms)?);
            let hour = zone.hour_of_day(refunded_ms)?;
            let r = Cell {
                refund,
                ..Cell::default()
            };
            self.day
                .entry((day, mobile, coupon))
                .or_default()
                .add(&r, sign)?;
            let back = Slice {
                orders: 0,
                mobile_orders: 0,
                net: -refund,
                mobile_net: -refund * m,
            };
            slice_add(self.hour.entry((day, hour)).or_default(), &back, sign)?;
            for line in &o.lines {
                let key = product_key(line.product_id.as_deref(), &line.title);
                let p = ProductSums {
                    refund: allocate(refund, line.total.0, sub),
                    ..ProductSums::default()
                };
                self.add_product(day, key, &p, sign)?;
            }
        }
        Ok(())
    }

    fn add_product(
        &mut self,
        day: i32,
        key: String,
        p: &ProductSums,
        sign: i64,
    ) -> Result<(), AnalyticsError> {
        self.product_month
            .entry((month_number(day), key.clone()))
            .or_default()
            .add(p, sign)?;
        self.product_day.entry((day, key)).or_default().add(p, sign)
    }

    /// Writes the delta: a few multi-row upserts per table (one row per touched rollup row,
    /// in key order); rows that fall to zero are removed.
    pub(crate) fn write(&self, conn: &Connection) -> Result<(), AnalyticsError> {
        let mut day: Vec<_> = self
            .day
            .iter()
            .filter(|(_, v)| **v != Cell::default())
            .collect();
        day.sort_unstable_by_key(|(k, _)| **k);
        let rows: Vec<[&dyn ToSql; 8]> = day
            .iter()
            .map(|((d, m, c), v)| -> [&dyn ToSql; 8] {
                [
                    d,
                    m,
                    c,
                    &v.orders,
                    &v.units,
                    &v.gross,
                    &v.discount,
                    &v.refund,
                ]
            })
            .collect();
        upsert_rows(
            conn,
            "INSERT INTO analytics_day (day, mobile, coupon, orders, units, gross_fen,
                 discount_fen, refund_fen)",
            "ON CONFLICT DO UPDATE SET orders = orders + excluded.orders,
                 units = units + excluded.units, gross_fen = gross_fen + excluded.gross_fen,
                 discount_fen = discount_fen + excluded.discount_fen,
                 refund_fen = refund_fen + excluded.refund_fen",
            &rows,
        )?;
        let mut hour: Vec<_> = self
            .hour
            .iter()
            .filter(|(_, v)| **v != Slice::default())
            .collect();
        hour.sort_unstable_by_key(|(k, _)| **k);
        let rows: Vec<[&dyn ToSql; 6]> = hour
            .iter()
            .map(|((d, h), v)| -> [&dyn ToSql; 6] {
                [d, h, &v.orders, &v.mobile_orders, &v.net, &v.mobile_net]
            })
            .collect();
        upsert_rows(
            conn,
            "INSERT INTO analytics_hour (day, hour, orders, mobile_orders, net_fen,
                 mobile_net_fen)",
            "ON CONFLICT DO UPDATE SET orders = orders + excluded.orders,
                 mobile_orders = mobile_orders + excluded.mobile_orders,
                 net_fen = net_fen + excluded.net_fen,
                 mobile_net_fen = mobile_net_fen + excluded.mobile_net_fen",
            &rows,
        )?;
        for (table, column, rows) in [
            ("analytics_product_day", "day", &self.product_day),
            ("analytics_product_month", "month", &self.product_month),
        ] {
            let mut touched: Vec<_> = rows.iter().filter(|(_, v)| !v.is_zero()).collect();
            touched.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let rows: Vec<[&dyn ToSql; 6]> = touched
                .iter()
                .map(|((k, key), v)| -> [&dyn ToSql; 6] {
                    [k, key, &v.units, &v.gross, &v.discount, &v.refund]
                })
                .collect();
            upsert_rows(
                conn,
                &format!(
                    "INSERT INTO {table} ({column}, key, units, gross_fen, discount_fen,
                         refund_fen)"
                ),
                "ON CONFLICT DO UPDATE SET units = units + excluded.units,
                     gross_fen = gross_fen + excluded.gross_fen,
                     discount_fen = discount_fen + excluded.discount_fen,
                     refund_fen = refund_fen + excluded.refund_fen",
                &rows,
            )?;
        }
        self.write_customers(conn)?;
        if self.removals {
            self.prune(conn)?;
        }
        Ok(())
    }

    /// The customer rollups: counts per (day, customer), the bitmap of each customer's paid
    /// days and first paid days. Adding orders needs no reads: counts add up, bits are
    /// OR-ed in, a first day can only move back. Only a day whose count falls to zero clears
    /// its bit and has the customer's first day recomputed.
    fn write_customers(&self, conn: &Connection) -> Result<(), AnalyticsError> {
        // Day first, as the table is ordered: the page's rows share a few leaves.
        let mut pairs: Vec<(i32, &str, i64)> = self
            .customer_day
            .iter()
            .filter(|(_, n)| **n != 0)
            .map(|((c, d), n)| (*d, c.as_str(), *n))
            .collect();
        pairs.sort_unstable();
        let rows: Vec<[&dyn ToSql; 3]> = pairs
            .iter()
            .map(|(d, c, n)| -> [&dyn ToSql; 3] { [d, c, n] })
            .collect();
        upsert_rows(
            conn,
            "INSERT INTO analytics_customer_day (day, customer_id, orders)",
            "ON CONFLICT DO UPDATE SET orders = orders + excluded.orders",
            &rows,
        )?;

        // (customer, block) -> bits of the days with added orders; customer -> earliest such day.
        let mut gained: BTreeMap<(&str, i32), i64> = BTreeMap::new();
        let mut earliest: BTreeMap<&str, i32> = BTreeMap::new();
        let mut lost: BTreeMap<(&str, i32), u64> = BTreeMap::new();
        let mut drop_count = conn.prepare_cached(
            "DELETE FROM analytics_customer_day WHERE day = ?1 AND customer_id = ?2
                 AND orders = 0",
        )?;
        for &(d, c, n) in &pairs {
            let (block, bit) = block_bit(d);
            if n > 0 {
                *gained.entry((c, block)).or_default() |= bit as i64;
                let e = earliest.entry(c).or_insert(d);
                *e = (*e).min(d);
            } else if drop_count.execute(params![d, c])? > 0 {
                // The customer's last paid order of that day went away.
                *lost.entry((c, block)).or_default() |= bit;
            }
        }
        let rows: Vec<[&dyn ToSql; 3]> = gained
            .iter()
            .map(|((c, block), bits)| -> [&dyn ToSql; 3] { [c, block, bits] })
            .collect();
        upsert_rows(
            conn,
            "INSERT INTO analytics_customer_blocks (customer_id, block, days)",
            "ON CONFLICT DO UPDATE SET days = days | excluded.days
                 WHERE days | excluded.days <> days",
            &rows,
        )?;
        let rows: Vec<[&dyn ToSql; 2]> = earliest
            .iter()
            .map(|(c, d)| -> [&dyn ToSql; 2] { [c, d] })
            .collect();
        upsert_rows(
            conn,
            "INSERT INTO analytics_customer (customer_id, first_day)",
            "ON CONFLICT DO UPDATE SET first_day = excluded.first_day
                 WHERE excluded.first_day < first_day",
            &rows,
        )?;
        if lost.is_empty() {
            return Ok(());
        }

        let mut clear = conn.prepare_cached(
            "UPDATE analytics_customer_blocks SET days = days & ~?3
             WHERE customer_id = ?1 AND block = ?2",
        )?;
        let mut drop_block = conn.prepare_cached(
            "DELETE FROM analytics_customer_blocks WHERE customer_id = ?1 AND block = ?2
                 AND days = 0",
        )?;
        let mut customers: BTreeSet<&str> = BTreeSet::new();
        for (&(c, block), &bits) in &lost {
            clear.execute(params![c, block, bits as i64])?;
            drop_block.execute(params![c, block])?;
            customers.insert(c);
        }
        // A lost day may have been the first: recompute it from the customer's first block.
        let mut first_block = conn.prepare_cached(
            "SELECT block, days FROM analytics_customer_blocks WHERE customer_id = ?1
             ORDER BY block LIMIT 1",
        )?;
        let mut reset = conn.prepare_cached(
            "INSERT INTO analytics_customer (customer_id, first_day) VALUES (?1, ?2)
             ON CONFLICT DO UPDATE SET first_day = excluded.first_day",
        )?;
        let mut forget =
            conn.prepare_cached("DELETE FROM analytics_customer WHERE customer_id = ?1")?;
        for c in customers {
            let row: Option<(i32, i64)> = first_block
                .query_row([c], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match row {
                Some((block, days)) => {
                    let day = block * 64 + (days as u64).trailing_zeros() as i32;
                    reset.execute(params![c, day])?
                }
                None => forget.execute([c])?,
            };
        }
        Ok(())
    }

    /// Removes the day, hour and product rows that fell to zero.
    fn prune(&self, conn: &Connection) -> Result<(), AnalyticsError> {
        conn.execute_batch(
            "DELETE FROM analytics_day WHERE orders = 0 AND units = 0 AND gross_fen = 0
                 AND discount_fen = 0 AND refund_fen = 0;",
        )?;
        let mut hour = conn.prepare_cached(
            "DELETE FROM analytics_hour WHERE day = ?1 AND hour = ?2 AND orders = 0
                 AND mobile_orders = 0 AND net_fen = 0 AND mobile_net_fen = 0",
        )?;
        for (d, h) in self.hour.keys() {
            hour.execute(params![d, h])?;
        }
        for (table, column, rows) in [
            ("analytics_product_day", "day", &self.product_day),
            ("analytics_product_month", "month", &self.product_month),
        ] {
            let mut stmt = conn.prepare_cached(&format!(
                "DELETE FROM {table} WHERE {column} = ?1 AND key = ?2 AND units = 0
                     AND gross_fen = 0 AND discount_fen = 0 AND refund_fen = 0"
            ))?;
            for (k, key) in rows.keys() {
                stmt.execute(params![k, key])?;
            }
        }
        Ok(())
    }
}

/// Rows per multi-row statement at most; smaller remainders go in power-of-two chunks, so a
/// table needs at most 7 cached statements.
const CHUNK: usize = 64;

/// `{head} VALUES (?, ...), ... {tail}` over `rows`, in chunks of [`CHUNK`], 32, ... 1 rows:
/// one statement per chunk instead of one per row (each statement's setup costs about as
/// much as the row's own B-tree work).
fn upsert_rows<const N: usize>(
    conn: &Connection,
    head: &str,
    tail: &str,
    rows: &[[&dyn ToSql; N]],
) -> Result<(), AnalyticsError> {
    let one = format!("({})", vec!["?"; N].join(", "));
    let mut rest = rows;
    while !rest.is_empty() {
        let n = if rest.len() >= CHUNK {
            CHUNK
        } else {
            1 << rest.len().ilog2()
        };
        let (chunk, tail_rows) = rest.split_at(n);
        let sql = format!("{head} VALUES {} {tail}", vec![one.as_str(); n].join(", "));
        let values: Vec<&dyn ToSql> = chunk.iter().flatten().copied().collect();
        conn.prepare_cached(&sql)?.execute(values.as_slice())?;
        rest = tail_rows;
    }
    Ok(())
}

/// The block of `day` in `analytics_customer_blocks` and the day's bit in it (floor division:
/// days before 1970 too).
pub(crate) fn block_bit(day: i32) -> (i32, u64) {
    (day.div_euclid(64), 1u64 << day.rem_euclid(64))
}

/// The shop's zone, as the rollups must be cut: the profile's, or the default before the
/// profile has synced.
pub fn shop_zone(db: &Db<'_>) -> Result<ShopZone, AnalyticsError> {
    match db.shop().get()? {
        Some(shop) => Ok(ShopZone::new(&shop.time_zone)?),
        None => Ok(ShopZone::default()),
    }
}

/// The zone the rollups were built in; `None` if they are not built.
pub fn built_zone(conn: &Connection) -> Result<Option<String>, AnalyticsError> {
    Ok(conn
        .query_row("SELECT zone FROM analytics_state WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .flatten())
}

/// Rebuilds every rollup from the raw orders in `zone` (after an upgrade from a database
/// without rollups, or when the shop's zone changes). Streams the orders: memory stays flat.
pub fn rebuild(db: &Db<'_>, zone: &ShopZone) -> Result<(), AnalyticsError> {
    let conn = db.conn();
    conn.execute_batch(
        "DELETE FROM analytics_day; DELETE FROM analytics_hour;
         DELETE FROM analytics_product_day; DELETE FROM analytics_product_month;
         DELETE FROM analytics_customer_day; DELETE FROM analytics_customer_blocks;
         DELETE FROM analytics_customer;",
    )?;
    let mut delta = Delta::default();
    let mut pending = 0usize;
    let mut failure: Option<AnalyticsError> = None;
    db.orders().for_each_with_lines(|o| {
        if failure.is_some() {
            return;
        }
        if let Err(e) = delta.add_order(&o, zone, 1) {
            failure = Some(e);
            return;
        }
        pending += 1;
        // Bounded memory: flush every so many orders.
        if pending >= 50_000 {
            if let Err(e) = delta.write(conn) {
                failure = Some(e);
            }
            delta = Delta::default();
            pending = 0;
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    delta.write(conn)?;
    conn.execute(
        "UPDATE analytics_state SET zone = ?1, built_ms = NULL WHERE id = 1",
        [zone.name()],
    )?;
    Ok(())
}

/// Makes sure the rollups exist and are cut in the shop's zone; rebuilds them if not.
/// Returns the zone. Call inside a write transaction.
pub fn ensure_built(db: &Db<'_>) -> Result<ShopZone, AnalyticsError> {
    let zone = shop_zone(db)?;
    if built_zone(db.conn())?.as_deref() != Some(zone.name()) {
        tracing::info!(zone = zone.name(), "building the analytics rollups");
        rebuild(db, &zone)?;
    }
    Ok(zone)
}

/// The rollup side of applying one synced page: created before the page's changes are
/// written (it reads the old state of every order the page touches), finished after.
pub struct PageRollup {
    zone: ShopZone,
    delta: Delta,
    touched: Vec<String>,
}

impl PageRollup {
    /// Reads the current state of the orders `ids` (each once) and removes their
    /// contributions from the delta.
    pub fn begin<'a>(
        db: &Db<'_>,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<PageRollup, AnalyticsError> {
        let zone = ensure_built(db)?;
        let mut delta = Delta::default();
        let mut seen = HashSet::new();
        let mut touched = Vec::new();
        for id in ids {
            if seen.insert(id) {
                touched.push(id.to_owned());
            }
        }
        // One query finds which of the page's orders exist already (none in an initial
        // sync); only those are read in full.
        let ids_json = serde_json::to_string(&touched).map_err(|e| StoreError::InvalidData {
            what: "order ids",
            detail: e.to_string(),
        })?;
        let existing: Vec<String> = {
            let mut stmt = db.conn().prepare_cached(
                "SELECT id FROM orders WHERE id IN (SELECT value FROM json_each(?1))",
            )?;
            let rows = stmt.query_map([ids_json], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for id in &existing {
            if let Some(old) = db.orders().get(id)? {
                delta.add_order(&old, &zone, -1)?;
            }
        }
        Ok(PageRollup {
            zone,
            delta,
            touched,
        })
    }

    /// Adds the new contributions (`new_state` gives each touched order's state after the
    /// page, `None` if deleted) and writes the delta; if the page changed the shop's zone,
    /// rebuilds everything in the new zone instead.
    pub fn finish<'o>(
        mut self,
        db: &Db<'_>,
        new_state: impl Fn(&str) -> Option<&'o Order>,
    ) -> Result<(), AnalyticsError> {
        let zone = shop_zone(db)?;
        if zone != self.zone {
            return rebuild(db, &zone);
        }
        for id in &self.touched {
            if let Some(o) = new_state(id) {
                self.delta.add_order(o, &self.zone, 1)?;
            }
        }
        self.delta.write(db.conn())
    }
}
