//! Checklist definition documents and task state.

use rusqlite::{Connection, OptionalExtension, params};

use super::{StoreError, parse_column};
use crate::domain::{ChecklistDefinition, ImageRole, ProductImage, TaskState};

/// A definition document the checklist refused, and why (kept for the seller and QA).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RefusedDefinition {
    /// The version it claimed, if it could be read.
    pub version: Option<i64>,
    /// Stable reason code, e.g. `cycle`.
    pub code: String,
    /// The reason in words.
    pub reason: String,
    /// When it was refused, UTC ms.
    pub refused_ms: i64,
}

/// Refusals kept; older ones are dropped.
const KEPT_REFUSALS: i64 = 20;

fn definition_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChecklistDefinition> {
    Ok(ChecklistDefinition {
        version: r.get(0)?,
        source: parse_column(r, 1)?,
        document: r.get(2)?,
        received_ms: r.get(3)?,
    })
}

/// Reads and writes the checklist's stored parts.
pub struct ChecklistRepo<'c> {
    pub(super) conn: &'c Connection,
}

impl ChecklistRepo<'_> {
    /// Stores a definition document (same version: replaced).
    pub fn put_definition(&self, d: &ChecklistDefinition) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO checklist_definitions (version, source, document, received_ms)
             VALUES (?1, ?2, ?3, ?4)",
            params![d.version, d.source.as_str(), d.document, d.received_ms],
        )?;
        Ok(())
    }

    /// The newest definition document, if any.
    pub fn latest_definition(&self) -> Result<Option<ChecklistDefinition>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT version, source, document, received_ms FROM checklist_definitions
                 ORDER BY version DESC LIMIT 1",
                [],
                definition_from_row,
            )
            .optional()?)
    }

    /// Removes a definition document version.
    pub fn delete_definition(&self, version: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM checklist_definitions WHERE version = ?1",
            [version],
        )? > 0)
    }

    /// Every definition document, oldest first.
    pub fn definitions(&self) -> Result<Vec<ChecklistDefinition>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT version, source, document, received_ms FROM checklist_definitions
             ORDER BY version",
        )?;
        let rows = stmt.query_map([], definition_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores one task's state.
    pub fn put_task(&self, t: &TaskState) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO checklist_state (task_id, manual_done, completed_ms, updated_ms)
             VALUES (?1, ?2, ?3, ?4)",
            params![t.task_id, t.manual_done, t.completed_ms, t.updated_ms],
        )?;
        Ok(())
    }

    /// Every task's state, by task id.
    pub fn tasks(&self) -> Result<Vec<TaskState>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT task_id, manual_done, completed_ms, updated_ms FROM checklist_state
             ORDER BY task_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(TaskState {
                task_id: r.get(0)?,
                manual_done: r.get(1)?,
                completed_ms: r.get(2)?,
                updated_ms: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One task's state.
    pub fn task(&self, task_id: &str) -> Result<Option<TaskState>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT task_id, manual_done, completed_ms, updated_ms FROM checklist_state
                 WHERE task_id = ?1",
            )?
            .query_row([task_id], |r| {
                Ok(TaskState {
                    task_id: r.get(0)?,
                    manual_done: r.get(1)?,
                    completed_ms: r.get(2)?,
                    updated_ms: r.get(3)?,
                })
            })
            .optional()?)
    }

    /// Notes a refused definition document; keeps the latest few.
    pub fn record_refusal(&self, r: &RefusedDefinition) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO checklist_refusals (version, code, reason, refused_ms)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![r.version, r.code, r.reason, r.refused_ms])?;
        self.conn
            .prepare_cached(
                "DELETE FROM checklist_refusals WHERE id <= (SELECT max(id) FROM checklist_refusals) - ?1",
            )?
            .execute([KEPT_REFUSALS])?;
        Ok(())
    }

    /// Refused definition documents, newest first.
    pub fn refusals(&self) -> Result<Vec<RefusedDefinition>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT version, code, reason, refused_ms FROM checklist_refusals ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RefusedDefinition {
                version: r.get(0)?,
                code: r.get(1)?,
                reason: r.get(2)?,
                refused_ms: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Visits each published product's title, description and main image (the image with
    /// the lowest position, if any), in one query. The main image is found in the covering
    /// index `images_by_product` (no sort per product).
    pub fn for_each_published_listing(
        &self,
        mut visit: impl FnMut(&str, &str, Option<&ProductImage>),
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.title, p.description, i.id, i.position, i.width, i.height, i.byte_len,
                    i.mime, i.updated_ms
             FROM products p
             LEFT JOIN images i ON i.rowid = (
                 SELECT rowid FROM images WHERE product_id = p.id ORDER BY position LIMIT 1)
             WHERE p.status = 'active'",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let title = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
            let description = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let main = match r.get::<_, Option<String>>(2)? {
                Some(id) => Some(ProductImage {
                    id,
                    product_id: None,
                    role: ImageRole::Product,
                    position: r.get(3)?,
                    width: r.get(4)?,
                    height: r.get(5)?,
                    byte_len: r.get(6)?,
                    mime: r.get(7)?,
                    sha256: None,
                    local_path: None,
                    updated_ms: r.get(8)?,
                }),
                None => None,
            };
            visit(title, description, main.as_ref());
        }
        Ok(())
    }

    /// Whether any coupon book exists.
    pub fn has_coupon_book(&self) -> Result<bool, StoreError> {
        self.exists("SELECT EXISTS (SELECT 1 FROM coupon_books)")
    }

    /// Whether any order exists (stops at the first row).
    pub fn has_order(&self) -> Result<bool, StoreError> {
        self.exists("SELECT EXISTS (SELECT 1 FROM orders)")
    }

    /// Whether any order came from a phone; answered from the partial index
    /// `orders_mobile`, never by scanning orders.
    pub fn has_mobile_order(&self) -> Result<bool, StoreError> {
        self.exists("SELECT EXISTS (SELECT 1 FROM orders WHERE channel = 'mobile')")
    }

    /// `EXPLAIN QUERY PLAN` of `sql`, one step a line (for tests and the benchmark).
    pub fn query_plan(&self, sql: &str) -> Result<String, StoreError> {
        let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let steps = stmt.query_map([], |r| r.get::<_, String>(3))?;
        Ok(steps.collect::<Result<Vec<_>, _>>()?.join("\n"))
    }

    fn exists(&self, sql: &str) -> Result<bool, StoreError> {
        Ok(self.conn.prepare_cached(sql)?.query_row([], |r| r.get(0))?)
    }
}

/// The queries the checklist runs over orders, for plan checks in tests and the benchmark.
pub const ORDER_QUERIES: &[&str] = &[
    "SELECT EXISTS (SELECT 1 FROM orders)",
    "SELECT EXISTS (SELECT 1 FROM orders WHERE channel = 'mobile')",
];
