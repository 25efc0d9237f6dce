//! Mutations already answered (exactly-once) and the checklist ticks they set.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::StoreError;

/// The stored answer to a mutation this device already sent.
pub fn stored_result(
    conn: &Connection,
    device_id: &str,
    mutation_id: i64,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT result_json FROM applied_mutations WHERE device_id = ?1 AND mutation_id = ?2",
        )?
        .query_row(params![device_id, mutation_id], |r| r.get(0))
        .optional()?)
}

/// Records the answer to a mutation (in the transaction that applied its effect).
pub fn store_result(
    conn: &Connection,
    device_id: &str,
    mutation_id: i64,
    result_json: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO applied_mutations (device_id, mutation_id, result_json, applied_ms)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![device_id, mutation_id, result_json, now_ms])?;
    Ok(())
}

/// Sets a checklist task's manual tick.
pub fn set_checklist_tick(
    conn: &Connection,
    shop_id: &str,
    task_id: &str,
    done: bool,
    now_ms: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO checklist_ticks (shop_id, task_id, done, updated_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (shop_id, task_id) DO UPDATE SET done = excluded.done,
             updated_ms = excluded.updated_ms",
    )?
    .execute(params![shop_id, task_id, done, now_ms])?;
    Ok(())
}

/// A checklist task's manual tick, if the shop has one.
#[cfg(test)]
pub fn checklist_tick(
    conn: &Connection,
    shop_id: &str,
    task_id: &str,
) -> Result<Option<bool>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT done FROM checklist_ticks WHERE shop_id = ?1 AND task_id = ?2",
            params![shop_id, task_id],
            |r| r.get(0),
        )
        .optional()?)
}
