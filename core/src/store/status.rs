//! A summary of what a database holds, for `sellerkit status` and the shells' about screens.

use rusqlite::Connection;

use super::{ShopRepo, StoreError, SyncRepo, migrations};
use crate::domain::{ShopProfile, SyncState};

/// Row counts per table.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TableCounts {
    /// Products.
    pub products: i64,
    /// Images (logo, banner, products).
    pub images: i64,
    /// Orders.
    pub orders: i64,
    /// Order lines.
    pub order_lines: i64,
    /// Coupon books.
    pub coupon_books: i64,
    /// Signing keys.
    pub signing_keys: i64,
    /// Revocations.
    pub revocations: i64,
    /// Redemptions, local and synced.
    pub redemptions: i64,
    /// Checklist definition documents.
    pub checklist_definitions: i64,
    /// Checklist tasks with recorded state.
    pub checklist_tasks: i64,
    /// Mutations waiting to be pushed.
    pub outbox: i64,
    /// Unresolved conflicts and rejections.
    pub open_conflicts: i64,
    /// Unresolved coupon disputes.
    pub open_disputes: i64,
}

/// What a database holds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoreStatus {
    /// `PRAGMA user_version`.
    pub schema_version: i64,
    /// Newest schema this build knows.
    pub latest_schema_version: i64,
    /// The shop, once known.
    pub shop: Option<ShopProfile>,
    /// Row counts.
    pub counts: TableCounts,
    /// Sync bookkeeping (device, cursor, last success).
    pub sync: SyncState,
}

pub(super) fn read_status(conn: &Connection) -> Result<StoreStatus, StoreError> {
    let count = |table: &str, filter: &str| -> Result<i64, StoreError> {
        Ok(
            conn.query_row(&format!("SELECT count(*) FROM {table} {filter}"), [], |r| {
                r.get(0)
            })?,
        )
    };
    let counts = TableCounts {
        products: count("products", "")?,
        images: count("images", "")?,
        orders: count("orders", "")?,
        order_lines: count("order_lines", "")?,
        coupon_books: count("coupon_books", "")?,
        signing_keys: count("signing_keys", "")?,
        revocations: count("revocations", "")?,
        redemptions: count("redemptions", "")?,
        checklist_definitions: count("checklist_definitions", "")?,
        checklist_tasks: count("checklist_state", "")?,
        outbox: count("outbox", "")?,
        open_conflicts: count("conflicts", "WHERE resolved_ms IS NULL")?,
        open_disputes: count("disputes", "WHERE resolved_ms IS NULL")?,
    };
    Ok(StoreStatus {
        schema_version: migrations::current_version(conn)?,
        latest_schema_version: migrations::LATEST_VERSION,
        shop: ShopRepo { conn }.get()?,
        counts,
        sync: SyncRepo { conn }.state()?,
    })
}
