//! Orders and their lines.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{StoreError, parse_column};
use crate::domain::{LineItem, Order};
use crate::money::Fen;

/// Reads and writes orders.
pub struct OrderRepo<'c> {
    pub(super) conn: &'c Connection,
}

const ORDER_COLUMNS: &str = "id, channel, status, customer_id, created_ms, paid_ms, refunded_ms, \
     subtotal_fen, discount_fen, total_fen, refund_fen, coupon_id, updated_ms";

/// Calls `f` with the 13 order columns' values, in `ORDER_COLUMNS` order (`?1` to `?13`).
fn with_order_params<T>(o: &Order, f: impl FnOnce(&[&dyn rusqlite::ToSql]) -> T) -> T {
    let (channel, status) = (o.channel.as_str(), o.status.as_str());
    f(&[
        &o.id,
        &channel,
        &status,
        &o.customer_id,
        &o.created_ms,
        &o.paid_ms,
        &o.refunded_ms,
        &o.subtotal.0,
        &o.discount.0,
        &o.total.0,
        &o.refund.0,
        &o.coupon_id,
        &o.updated_ms,
    ])
}

/// An order without its lines (the dashboard's scans need no lines).
fn order_from_row(r: &Row<'_>) -> rusqlite::Result<Order> {
    Ok(Order {
        id: r.get(0)?,
        channel: parse_column(r, 1)?,
        status: parse_column(r, 2)?,
        customer_id: r.get(3)?,
        created_ms: r.get(4)?,
        paid_ms: r.get(5)?,
        refunded_ms: r.get(6)?,
        subtotal: Fen(r.get(7)?),
        discount: Fen(r.get(8)?),
        total: Fen(r.get(9)?),
        refund: Fen(r.get(10)?),
        coupon_id: r.get(11)?,
        lines: Vec::new(),
        updated_ms: r.get(12)?,
    })
}

impl OrderRepo<'_> {
    /// Inserts or replaces an order together with its lines.
    pub fn put(&self, o: &Order) -> Result<(), StoreError> {
        let mut upsert = self.conn.prepare_cached(
            "INSERT INTO orders (id, channel, status, customer_id, created_ms, paid_ms,
                     refunded_ms, subtotal_fen, discount_fen, total_fen, refund_fen, coupon_id,
                     updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT (id) DO UPDATE SET channel = excluded.channel,
                     status = excluded.status, customer_id = excluded.customer_id,
                     created_ms = excluded.created_ms, paid_ms = excluded.paid_ms,
                     refunded_ms = excluded.refunded_ms, subtotal_fen = excluded.subtotal_fen,
                     discount_fen = excluded.discount_fen, total_fen = excluded.total_fen,
                     refund_fen = excluded.refund_fen, coupon_id = excluded.coupon_id,
                     updated_ms = excluded.updated_ms",
        )?;
        with_order_params(o, |values| upsert.execute(values))?;
        self.conn
            .prepare_cached("DELETE FROM order_lines WHERE order_id = ?1")?
            .execute([&o.id])?;
        self.insert_lines(o)?;
        Ok(())
    }

    /// Inserts an order's lines, numbered from 0 (its old lines must be gone).
    fn insert_lines(&self, o: &Order) -> Result<(), StoreError> {
        let mut insert = self.conn.prepare_cached(
            "INSERT INTO order_lines (order_id, line_no, product_id, title, quantity,
                 unit_price_fen, total_fen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (line_no, line) in o.lines.iter().enumerate() {
            let line_no = i64::try_from(line_no).map_err(|_| StoreError::InvalidInput {
                what: "order line",
                detail: "too many lines".into(),
            })?;
            insert.execute(params![
                o.id,
                line_no,
                line.product_id,
                line.title,
                line.quantity,
                line.unit_price.0,
                line.total.0
            ])?;
        }
        Ok(())
    }

    /// Plain `INSERT`s of new orders and lines with no upsert logic: the physical limit that
    /// benchmarks compare the sync's apply rate with. Not for product code.
    #[doc(hidden)]
    pub fn insert_raw(&self, orders: &[Order]) -> Result<(), StoreError> {
        let mut order_stmt = self.conn.prepare_cached(
            "INSERT INTO orders (id, channel, status, customer_id, created_ms, paid_ms,
                 refunded_ms, subtotal_fen, discount_fen, total_fen, refund_fen, coupon_id,
                 updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        for o in orders {
            with_order_params(o, |values| order_stmt.execute(values))?;
            self.insert_lines(o)?;
        }
        Ok(())
    }

    /// One order with its lines.
    pub fn get(&self, id: &str) -> Result<Option<Order>, StoreError> {
        let Some(mut order) = self
            .conn
            .query_row(
                &format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?1"),
                [id],
                order_from_row,
            )
            .optional()?
        else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT product_id, title, quantity, unit_price_fen, total_fen
             FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
        )?;
        let lines = stmt.query_map([id], |r| {
            Ok(LineItem {
                product_id: r.get(0)?,
                title: r.get(1)?,
                quantity: r.get(2)?,
                unit_price: Fen(r.get(3)?),
                total: Fen(r.get(4)?),
            })
        })?;
        order.lines = lines.collect::<Result<_, _>>()?;
        Ok(Some(order))
    }

    /// Removes an order and its lines. Returns whether it existed.
    pub fn delete(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM orders WHERE id = ?1", [id])?
            > 0)
    }

    /// Calls `visit` for every order with its lines, by id; rows are streamed.
    pub fn for_each_with_lines(&self, mut visit: impl FnMut(Order)) -> Result<(), StoreError> {
        // One pass over orders and one over lines, both in id order, merged: no per-order query.
        let mut orders = self
            .conn
            .prepare(&format!("SELECT {ORDER_COLUMNS} FROM orders ORDER BY id"))?;
        let mut lines = self.conn.prepare(
            "SELECT order_id, product_id, title, quantity, unit_price_fen, total_fen
             FROM order_lines ORDER BY order_id, line_no",
        )?;
        let mut order_rows = orders.query([])?;
        let mut line_rows = lines.query([])?;
        let mut pending_line: Option<(String, LineItem)> = None;
        while let Some(row) = order_rows.next()? {
            let mut order = order_from_row(row)?;
            loop {
                if pending_line.is_none() {
                    pending_line = match line_rows.next()? {
                        Some(l) => Some((
                            l.get(0)?,
                            LineItem {
                                product_id: l.get(1)?,
                                title: l.get(2)?,
                                quantity: l.get(3)?,
                                unit_price: Fen(l.get(4)?),
                                total: Fen(l.get(5)?),
                            },
                        )),
                        None => None,
                    };
                }
                match pending_line.take() {
                    Some((order_id, line)) if order_id == order.id => order.lines.push(line),
                    // Lines sort before their order only if orphaned (foreign keys forbid it).
                    Some((order_id, _)) if order_id < order.id => {}
                    other => {
                        pending_line = other;
                        break;
                    }
                }
            }
            visit(order);
        }
        Ok(())
    }

    /// Calls `visit` for every order created in `[start_ms, end_ms)`, oldest first, without
    /// lines; rows are streamed, so memory does not grow with the number of orders.
    pub fn for_each_created_between(
        &self,
        start_ms: i64,
        end_ms: i64,
        mut visit: impl FnMut(Order),
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders
             WHERE created_ms >= ?1 AND created_ms < ?2 ORDER BY created_ms, id"
        ))?;
        let mut rows = stmt.query(params![start_ms, end_ms])?;
        while let Some(row) = rows.next()? {
            visit(order_from_row(row)?);
        }
        Ok(())
    }
}
