//! The outbox, the sync state row and conflicts.

use rusqlite::{Connection, Row, params};

use super::{StoreError, parse_column};
use crate::domain::{Conflict, ConflictOutcome, OutboxEntry, SyncState};

/// Reads and writes the sync engine's bookkeeping.
pub struct SyncRepo<'c> {
    pub(super) conn: &'c Connection,
}

/// A new local change for the outbox.
#[derive(Clone, Debug)]
pub struct NewMutation<'a> {
    /// Mutation kind, e.g. `redemption`.
    pub kind: &'a str,
    /// Entity changed.
    pub entity_id: &'a str,
    /// Server version the change was made on.
    pub base_version: Option<i64>,
    /// JSON body.
    pub payload: &'a str,
    /// When, UTC ms.
    pub created_ms: i64,
}

fn outbox_from_row(r: &Row<'_>) -> rusqlite::Result<OutboxEntry> {
    Ok(OutboxEntry {
        mutation_id: r.get(0)?,
        kind: r.get(1)?,
        entity_id: r.get(2)?,
        base_version: r.get(3)?,
        payload: r.get(4)?,
        created_ms: r.get(5)?,
        attempts: r.get(6)?,
        last_error: r.get(7)?,
    })
}

fn conflict_from_row(r: &Row<'_>) -> rusqlite::Result<Conflict> {
    Ok(Conflict {
        id: r.get(0)?,
        mutation_id: r.get(1)?,
        kind: r.get(2)?,
        entity_id: r.get(3)?,
        outcome: parse_column::<ConflictOutcome>(r, 4)?,
        reason: r.get(5)?,
        server_state: r.get(6)?,
        payload: r.get(7)?,
        created_ms: r.get(8)?,
        resolved_ms: r.get(9)?,
    })
}

impl SyncRepo<'_> {
    /// Queues a mutation; call it in the same transaction as the local change it describes.
    /// Returns its per-device monotonic id.
    pub fn enqueue(&self, m: &NewMutation<'_>) -> Result<i64, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO outbox (kind, entity_id, base_version, payload, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                m.kind,
                m.entity_id,
                m.base_version,
                m.payload,
                m.created_ms
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The oldest pending mutations, at most `limit`, in id order.
    pub fn pending(&self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT mutation_id, kind, entity_id, base_version, payload, created_ms, attempts,
                    last_error
             FROM outbox ORDER BY mutation_id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], outbox_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Number of mutations waiting.
    pub fn pending_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?)
    }

    /// Notes a failed push of a mutation.
    pub fn note_attempt(
        &self,
        mutation_id: i64,
        at_ms: i64,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_attempt_ms = ?2, last_error = ?3
             WHERE mutation_id = ?1",
            params![mutation_id, at_ms, error],
        )?;
        Ok(())
    }

    /// Removes an answered mutation. Returns whether it was there.
    pub fn remove(&self, mutation_id: i64) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM outbox WHERE mutation_id = ?1", [mutation_id])?
            > 0)
    }

    /// The highest mutation id ever given out on this device (0 if none).
    pub fn last_mutation_id(&self) -> Result<i64, StoreError> {
        // sqlite_sequence keeps AUTOINCREMENT's high-water mark even when the outbox is empty.
        Ok(self.conn.query_row(
            "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Records the server's refusal or conflict for a mutation; kept until the seller
    /// dismisses it. Recording the same mutation again keeps the first answer.
    pub fn record_conflict(&self, c: &Conflict) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO conflicts (mutation_id, kind, entity_id, outcome, reason, server_state,
                 payload, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (mutation_id) DO NOTHING",
            params![
                c.mutation_id,
                c.kind,
                c.entity_id,
                c.outcome.as_str(),
                c.reason,
                c.server_state,
                c.payload,
                c.created_ms
            ],
        )?;
        Ok(())
    }

    /// Conflicts, newest first; resolved ones only if asked.
    pub fn conflicts(&self, include_resolved: bool) -> Result<Vec<Conflict>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, mutation_id, kind, entity_id, outcome, reason, server_state, payload,
                    created_ms, resolved_ms
             FROM conflicts WHERE ?1 OR resolved_ms IS NULL ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([include_resolved], conflict_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks a conflict as seen by the seller. Returns whether it was open.
    pub fn resolve_conflict(&self, id: i64, at_ms: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE conflicts SET resolved_ms = ?2 WHERE id = ?1 AND resolved_ms IS NULL",
            params![id, at_ms],
        )? > 0)
    }

    /// When the last sync succeeded, UTC ms: the wallet's offline check on every verify.
    pub fn last_success_ms(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT last_success_ms FROM sync_state WHERE id = 1")?
            .query_row([], |r| r.get(0))?)
    }

    /// The sync bookkeeping row.
    pub fn state(&self) -> Result<SyncState, StoreError> {
        Ok(self.conn.query_row(
            "SELECT device_id, server_url, cursor, last_success_ms, last_attempt_ms, last_error
             FROM sync_state WHERE id = 1",
            [],
            |r| {
                Ok(SyncState {
                    device_id: r.get(0)?,
                    server_url: r.get(1)?,
                    cursor: r.get(2)?,
                    last_success_ms: r.get(3)?,
                    last_attempt_ms: r.get(4)?,
                    last_error: r.get(5)?,
                })
            },
        )?)
    }

    /// Records the activation: the device id and the server it belongs to.
    pub fn set_device(&self, device_id: &str, server_url: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sync_state SET device_id = ?1, server_url = ?2 WHERE id = 1",
            params![device_id, server_url],
        )?;
        Ok(())
    }

    /// Stores the pull cursor; call it in the transaction that applies the page.
    pub fn set_cursor(&self, cursor: &str) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE sync_state SET cursor = ?1 WHERE id = 1", [cursor])?;
        Ok(())
    }

    /// Notes the end of a sync: success clears the error and moves `last_success_ms`.
    pub fn note_sync_end(&self, at_ms: i64, error: Option<&str>) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sync_state SET last_attempt_ms = ?1, last_error = ?2,
                 last_success_ms = CASE WHEN ?2 IS NULL THEN ?1 ELSE last_success_ms END
             WHERE id = 1",
            params![at_ms, error],
        )?;
        Ok(())
    }
}
