//! Keeping the rollups up to date: each synced page's orders are aggregated in Rust into one
//! delta (the old contribution of every touched order subtracted, its new one added) and the
//! delta is written in the page's transaction: one upsert per touched day, hour and product
//! row, and each touched day's list of paying customers rewritten whole.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, ToSql, params};

use super::AnalyticsError;
use super::dashboard::{ProductSums, Slice, allocate, product_key};
use super::day_customers;
use super::figures::Cell;
use super::range::{day_number, month_number};
use crate::domain::{LineItem, Order, OrderStatus};
use crate::store::{Db, StoreError};
use crate::time::{DayCutter, ShopZone};

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

/// Business day numbers and hours of the instants of a batch of orders: most fall on the
/// same day or two, so the day's bounds and number are remembered ([`DayCutter`]).
pub(crate) struct Days<'z> {
    cutter: DayCutter<'z>,
    last: Option<(Date, i32)>,
}

impl<'z> Days<'z> {
    pub(crate) fn new(zone: &'z ShopZone) -> Days<'z> {
        Days {
            cutter: DayCutter::new(zone),
            last: None,
        }
    }

    /// The day number and local hour of `ms`.
    fn cut(&mut self, ms: i64) -> Result<(i32, u8), AnalyticsError> {
        let (date, hour) = self.cutter.day_and_hour(ms)?;
        let number = match self.last {
            Some((d, n)) if d == date => n,
            _ => {
                let n = day_number(date);
                self.last = Some((date, n));
                n
            }
        };
        Ok((number, hour))
    }
}

/// [`product_key`] borrowed from the line when it is the product id (nearly always).
fn line_key(line: &LineItem) -> Cow<'_, str> {
    match &line.product_id {
        Some(id) => Cow::Borrowed(id.as_str()),
        None => Cow::Owned(product_key(None, &line.title)),
    }
}

/// Signed changes to every rollup table, keyed by strings borrowed from the orders.
#[derive(Debug, Default)]
pub(crate) struct Delta<'a> {
    day: HashMap<(i32, u8, u8), Cell>,
    hour: HashMap<(i32, u8), Slice>,
    product_day: HashMap<(i32, Cow<'a, str>), ProductSums>,
    product_month: HashMap<(i32, Cow<'a, str>), ProductSums>,
    customer_day: HashMap<(&'a str, i32), i64>,
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

impl<'a> Delta<'a> {
    /// Adds (`sign` = 1) or removes (`sign` = -1) an order's contribution.
    pub(crate) fn add_order(
        &mut self,
        o: &'a Order,
        days: &mut Days<'_>,
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

        let (paid_day, paid_hour) = days.cut(paid_ms)?;
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
            .entry((o.customer_id.as_str(), paid_day))
            .or_default() += sign;
        for line in &o.lines {
            let key = line_key(line);
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
            let (day, hour) = days.cut(refunded_ms)?;
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
                let key = line_key(line);
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
        key: Cow<'a, str>,
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

    /// The customer rollups: each touched day's list of paying customers is read, changed
    /// and written back whole (one or two rows per page); first paid days are read for the
    /// customers who gained or lost a day and written where they move.
    fn write_customers(&self, conn: &Connection) -> Result<(), AnalyticsError> {
        let mut by_day: BTreeMap<i32, Vec<(&str, i64)>> = BTreeMap::new();
        for (&(c, d), &n) in &self.customer_day {
            if n != 0 {
                by_day.entry(d).or_default().push((c, n));
            }
        }
        if by_day.is_empty() {
            return Ok(());
        }
        let mut read =
            conn.prepare_cached("SELECT customers FROM analytics_day_customers WHERE day = ?1")?;
        let mut put = conn.prepare_cached(
            "INSERT INTO analytics_day_customers (day, customers) VALUES (?1, ?2)
             ON CONFLICT DO UPDATE SET customers = excluded.customers",
        )?;
        let mut drop_day =
            conn.prepare_cached("DELETE FROM analytics_day_customers WHERE day = ?1")?;
        // Customer -> earliest day gained; (customer, day) lost.
        let mut gained: BTreeMap<&str, i32> = BTreeMap::new();
        let mut lost: BTreeSet<(&str, i32)> = BTreeSet::new();
        for (day, changes) in &mut by_day {
            changes.sort_unstable();
            let old: Option<Vec<u8>> = read.query_row([*day], |r| r.get(0)).optional()?;
            let applied = day_customers::apply(old.as_deref().unwrap_or_default(), changes)?;
            for c in applied.fresh {
                let e = gained.entry(c).or_insert(*day);
                *e = (*e).min(*day);
            }
            lost.extend(applied.gone.into_iter().map(|c| (c, *day)));
            if applied.list.is_empty() {
                drop_day.execute([*day])?;
            } else {
                put.execute(params![*day, applied.list])?;
            }
        }

        let customers: BTreeSet<&str> = gained
            .keys()
            .copied()
            .chain(lost.iter().map(|(c, _)| *c))
            .collect();
        let ids_json = json_list("customer ids", &customers)?;
        let firsts: HashMap<String, i32> = conn
            .prepare_cached(
                "SELECT customer_id, first_day FROM analytics_customer
                 WHERE customer_id IN (SELECT value FROM json_each(?1))",
            )?
            .query_map([ids_json], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut set_first = conn.prepare_cached(
            "INSERT INTO analytics_customer (customer_id, first_day) VALUES (?1, ?2)
             ON CONFLICT DO UPDATE SET first_day = excluded.first_day",
        )?;
        let mut forget =
            conn.prepare_cached("DELETE FROM analytics_customer WHERE customer_id = ?1")?;
        for c in customers {
            let old = firsts.get(c).copied();
            // Losing the first day: the next day on which the customer paid, from the lists
            // as this page left them. Days gained before it are taken below.
            let kept = match old {
                Some(first) if lost.contains(&(c, first)) => first_paid_day_from(conn, c, first)?,
                other => other,
            };
            let new = match (kept, gained.get(c)) {
                (Some(k), Some(&g)) => Some(k.min(g)),
                (k, g) => k.or(g.copied()),
            };
            if new != old {
                match new {
                    Some(day) => set_first.execute(params![c, day])?,
                    None => forget.execute([c])?,
                };
            }
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

/// `ids` as a JSON array, for one `IN (SELECT value FROM json_each(?))` query instead of one
/// query per id.
fn json_list(what: &'static str, ids: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(ids).map_err(|e| StoreError::InvalidData {
        what,
        detail: e.to_string(),
    })
}

/// The first day from `from` on whose list `customer` is, if any.
fn first_paid_day_from(
    conn: &Connection,
    customer: &str,
    from: i32,
) -> Result<Option<i32>, AnalyticsError> {
    let mut stmt = conn.prepare_cached(
        "SELECT day, customers FROM analytics_day_customers WHERE day >= ?1 ORDER BY day",
    )?;
    let mut rows = stmt.query([from])?;
    while let Some(row) = rows.next()? {
        let list = row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
        if day_customers::contains(list, customer)? {
            return Ok(Some(row.get(0)?));
        }
    }
    Ok(None)
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
         DELETE FROM analytics_day_customers; DELETE FROM analytics_customer;",
    )?;
    // Bounded memory: the orders are added and written a batch at a time.
    const BATCH: usize = 10_000;
    let write_batch = |batch: &[Order]| -> Result<(), AnalyticsError> {
        let mut days = Days::new(zone);
        let mut delta = Delta::default();
        for o in batch {
            delta.add_order(o, &mut days, 1)?;
        }
        delta.write(conn)
    };
    let mut batch = Vec::with_capacity(BATCH);
    let mut failure: Option<AnalyticsError> = None;
    db.orders().for_each_with_lines(|o| {
        if failure.is_some() {
            return;
        }
        batch.push(o);
        if batch.len() >= BATCH {
            failure = write_batch(&batch).err();
            batch.clear();
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    write_batch(&batch)?;
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
    /// The touched orders as they were before the page: their contributions go.
    old: Vec<Order>,
    touched: Vec<String>,
}

impl PageRollup {
    /// Reads the current state of the orders `ids` (each once), whose contributions the
    /// page will replace.
    pub fn begin<'a>(
        db: &Db<'_>,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<PageRollup, AnalyticsError> {
        let zone = ensure_built(db)?;
        let mut seen = HashSet::new();
        let mut touched = Vec::new();
        for id in ids {
            if seen.insert(id) {
                touched.push(id.to_owned());
            }
        }
        // One query finds which of the page's orders exist already (none in an initial
        // sync); only those are read in full.
        let ids_json = json_list("order ids", &touched)?;
        let existing: Vec<String> = {
            let mut stmt = db.conn().prepare_cached(
                "SELECT id FROM orders WHERE id IN (SELECT value FROM json_each(?1))",
            )?;
            let rows = stmt.query_map([ids_json], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut old = Vec::with_capacity(existing.len());
        for id in &existing {
            old.extend(db.orders().get(id)?);
        }
        Ok(PageRollup { zone, old, touched })
    }

    /// Removes the old contributions, adds the new ones (`new_state` gives each touched
    /// order's state after the page, `None` if deleted) and writes the difference. If the page
    /// carried the shop's profile (`profile_changed`) and it moved the shop to another zone,
    /// rebuilds everything in the new zone instead.
    pub fn finish<'o>(
        self,
        db: &Db<'_>,
        new_state: impl Fn(&str) -> Option<&'o Order>,
        profile_changed: bool,
    ) -> Result<(), AnalyticsError> {
        if profile_changed {
            let zone = shop_zone(db)?;
            if zone != self.zone {
                return rebuild(db, &zone);
            }
        }
        let mut days = Days::new(&self.zone);
        let mut delta = Delta::default();
        for o in &self.old {
            delta.add_order(o, &mut days, -1)?;
        }
        for id in &self.touched {
            if let Some(o) = new_state(id) {
                delta.add_order(o, &mut days, 1)?;
            }
        }
        delta.write(db.conn())
    }
}
