//! Field versions: when each field of an entity last changed, for stale-edit detection.

use rusqlite::{Connection, OptionalExtension, params};
use sellerkit_core::protocol::EntityKind;

use crate::error::StoreError;

/// Names one entity of one shop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntityKey<'a> {
    /// The shop.
    pub shop_id: &'a str,
    /// The entity's kind.
    pub kind: EntityKind,
    /// The entity's id.
    pub id: &'a str,
}

/// When a field last changed: the entity version and who changed it (`""`: the server).
pub fn field_version(
    conn: &Connection,
    key: EntityKey<'_>,
    field: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT version, changed_by FROM field_versions
             WHERE shop_id = ?1 AND kind = ?2 AND id = ?3 AND field = ?4",
        )?
        .query_row(
            params![key.shop_id, key.kind.as_str(), key.id, field],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Records the fields whose value differs between `old` and `new` (two JSON objects of the
/// same entity) as changed at `version` by `changed_by`. Bookkeeping fields (`version`,
/// `updated_ms`) are not edits and are skipped.
pub fn record_changed_fields(
    conn: &Connection,
    key: EntityKey<'_>,
    old: &serde_json::Value,
    new: &serde_json::Value,
    version: i64,
    changed_by: &str,
) -> Result<(), StoreError> {
    let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
        return Ok(());
    };
    let mut stmt = conn.prepare_cached(
        "INSERT OR REPLACE INTO field_versions (shop_id, kind, id, field, version, changed_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (field, value) in new {
        if field == "version" || field == "updated_ms" || old.get(field) == Some(value) {
            continue;
        }
        stmt.execute(params![
            key.shop_id,
            key.kind.as_str(),
            key.id,
            field,
            version,
            changed_by
        ])?;
    }
    Ok(())
}
