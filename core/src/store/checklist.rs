//! Checklist definition documents and task state.

use rusqlite::{Connection, OptionalExtension, params};

use super::{StoreError, parse_column};
use crate::domain::{ChecklistDefinition, TaskState};

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
}
