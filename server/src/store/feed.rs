//! The change feed: the latest state of each entity of each shop, numbered by `seq`.

use rusqlite::{Connection, OptionalExtension, params};
use sellerkit_core::protocol::{Change, EntityKind, Tombstone};
use sellerkit_core::sync::digest::{DigestBuilder, ShopDigest};

use crate::error::StoreError;

/// The highest `seq` given out so far (0 when the feed is empty).
pub fn max_seq(conn: &Connection) -> Result<i64, StoreError> {
    Ok(
        conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM entities", [], |r| {
            r.get(0)
        })?,
    )
}

/// Hands out `seq` numbers within one write transaction.
///
/// Reads `max(seq)` once: the writer connection is exclusive, so nobody else can take a
/// number until the transaction ends, and a big seed does not re-read the max per row.
#[derive(Debug)]
pub struct SeqAlloc {
    next: i64,
}

impl SeqAlloc {
    /// Starts after the current maximum. Call inside the write transaction.
    pub fn new(conn: &Connection) -> Result<SeqAlloc, StoreError> {
        Ok(SeqAlloc {
            next: max_seq(conn)? + 1,
        })
    }

    /// The next number.
    pub fn take(&mut self) -> i64 {
        let seq = self.next;
        self.next += 1;
        seq
    }
}

/// Writes the latest state of an entity (or its tombstone) with a new `seq`, moving it to
/// the end of the feed.
pub fn put_entity(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    shop_id: &str,
    kind: EntityKind,
    id: &str,
    data_json: &str,
    deleted: bool,
) -> Result<i64, StoreError> {
    let seq = seqs.take();
    conn.prepare_cached(
        "INSERT OR REPLACE INTO entities (seq, shop_id, kind, id, data, deleted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![seq, shop_id, kind.as_str(), id, data_json, deleted])?;
    Ok(seq)
}

/// Serialises and writes a live entity.
pub fn put_value<T: serde::Serialize>(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    shop_id: &str,
    kind: EntityKind,
    id: &str,
    value: &T,
) -> Result<i64, StoreError> {
    let json = serde_json::to_string(value)?;
    put_entity(conn, seqs, shop_id, kind, id, &json, false)
}

/// Replaces an entity by its tombstone. Returns `false` if there was no live entity.
pub fn delete_entity(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    shop_id: &str,
    kind: EntityKind,
    id: &str,
) -> Result<bool, StoreError> {
    if get_entity(conn, shop_id, kind, id)?.is_none() {
        return Ok(false);
    }
    let tombstone = serde_json::to_string(&Tombstone {
        kind,
        id: id.to_string(),
    })?;
    put_entity(conn, seqs, shop_id, kind, id, &tombstone, true)?;
    Ok(true)
}

/// The stored JSON of a live (not deleted) entity.
pub fn get_entity(
    conn: &Connection,
    shop_id: &str,
    kind: EntityKind,
    id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT data FROM entities
             WHERE shop_id = ?1 AND kind = ?2 AND id = ?3 AND deleted = 0",
        )?
        .query_row(params![shop_id, kind.as_str(), id], |r| r.get(0))
        .optional()?)
}

/// A live entity, parsed as its domain type.
pub fn get_typed<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    shop_id: &str,
    kind: EntityKind,
    id: &str,
) -> Result<Option<T>, StoreError> {
    match get_entity(conn, shop_id, kind, id)? {
        Some(json) => Ok(Some(serde_json::from_str(&json)?)),
        None => Ok(None),
    }
}

/// Every live entity of a kind in a shop, parsed, in feed order.
pub fn list_typed<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    shop_id: &str,
    kind: EntityKind,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT data FROM entities WHERE shop_id = ?1 AND kind = ?2 AND deleted = 0 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![shop_id, kind.as_str()])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let json: String = row.get(0)?;
        out.push(serde_json::from_str(&json)?);
    }
    Ok(out)
}

/// One page of the feed, already rendered as the JSON body of `GET /v1/changes`.
#[derive(Debug)]
pub struct RenderedPage {
    /// The `ChangesPage` JSON.
    pub body: String,
    /// Number of changes in it.
    pub len: usize,
    /// Its `next_cursor`.
    pub next_cursor: i64,
    /// Its `has_more`.
    pub has_more: bool,
}

/// Renders the changes of `shop_id` after `after`, at most `limit`, as the response body.
///
/// The stored JSON is spliced in as text (`{"kind":"order","data":` + stored + `}`), never
/// parsed and re-serialised: the feed's JSON is the domain type's own serialisation, made
/// once when the entity was written, and pages of a million-order shop are served at the
/// speed of a table scan.
pub fn render_changes(
    conn: &Connection,
    shop_id: &str,
    after: i64,
    limit: u32,
    count_remaining: bool,
) -> Result<RenderedPage, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, kind, deleted, data FROM entities
         WHERE shop_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )?;
    // One more row than asked tells whether more follow, without a COUNT.
    let mut rows = stmt.query(params![shop_id, after, i64::from(limit) + 1])?;
    let mut body = String::with_capacity(64 + limit as usize * 512);
    body.push_str(r#"{"changes":["#);
    let mut len = 0usize;
    let mut next_cursor = after;
    let mut has_more = false;
    while let Some(row) = rows.next()? {
        if len == limit as usize {
            has_more = true;
            break;
        }
        let seq: i64 = row.get(0)?;
        let deleted: bool = row.get(2)?;
        // Borrow the text straight from SQLite's row buffer: no copy per row.
        let kind = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        let data = row.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?;
        if len > 0 {
            body.push(',');
        }
        body.push_str(r#"{"kind":""#);
        // Kinds are our own snake_case constants: nothing to escape.
        body.push_str(if deleted { "deleted" } else { kind });
        body.push_str(r#"","data":"#);
        body.push_str(data);
        body.push('}');
        len += 1;
        next_cursor = seq;
    }
    body.push_str(r#"],"next_cursor":""#);
    body.push_str(&next_cursor.to_string());
    body.push_str(r#"","has_more":"#);
    body.push_str(if has_more { "true" } else { "false" });
    if count_remaining {
        let remaining: i64 = conn.query_row(
            "SELECT count(*) FROM entities WHERE shop_id = ?1 AND seq > ?2",
            params![shop_id, next_cursor],
            |r| r.get(0),
        )?;
        body.push_str(r#","remaining":"#);
        body.push_str(&remaining.to_string());
    }
    body.push('}');
    Ok(RenderedPage {
        body,
        len,
        next_cursor,
        has_more,
    })
}

/// The shop's digest, as the client computes it over its database: every live entity,
/// parsed as the feed's `Change` (so a stored JSON that the client could not read shows up
/// as an error here too). Rows are streamed; memory does not grow with the shop.
pub fn digest(conn: &Connection, shop_id: &str) -> Result<ShopDigest, StoreError> {
    let mut stmt =
        conn.prepare("SELECT kind, data FROM entities WHERE shop_id = ?1 AND deleted = 0")?;
    let mut rows = stmt.query([shop_id])?;
    let mut builder = DigestBuilder::new();
    let mut text = String::new();
    while let Some(row) = rows.next()? {
        let kind = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        let data = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        text.clear();
        text.push_str(r#"{"kind":""#);
        text.push_str(kind);
        text.push_str(r#"","data":"#);
        text.push_str(data);
        text.push('}');
        let change: Change = serde_json::from_str(&text)?;
        builder.add(&change);
    }
    Ok(builder.finish())
}
