//! All SQL of the dev server: shops, devices, the change feed, mutations, media.
//!
//! Functions take a `&Connection` (a reader, or the writer inside a transaction: a
//! `Transaction` derefs to `Connection`) and never open transactions themselves, so callers
//! decide what is atomic together.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use sellerkit_core::domain::{ShopProfile, Tier};
use sellerkit_core::protocol::{Change, EntityKind, Tombstone};
use sellerkit_core::sync::digest::{DigestBuilder, ShopDigest};
use sha2::{Digest as _, Sha256};

use crate::error::StoreError;

/// The time zone of shops created without one: the programme's sellers are in China.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// Current time, UTC epoch milliseconds.
pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// A shop and its activation codes, as `GET /dev/shops` lists them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShopInfo {
    /// Shop id.
    pub shop_id: String,
    /// Display name.
    pub name: String,
    /// The tier of the shop's profile.
    pub tier: Tier,
    /// One reusable activation code per tier, keyed by the tier's spelling.
    pub activation_codes: BTreeMap<String, String>,
}

/// An activation code of a shop, as printed at start.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActivationCode {
    /// The shop it activates a device for.
    pub shop_id: String,
    /// The tier the device gets.
    pub tier: Tier,
    /// The code to type into the app.
    pub code: String,
}

/// A device as the bearer-token check finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRow {
    /// Device id.
    pub device_id: String,
    /// Its shop: every query of its requests is filtered by this.
    pub shop_id: String,
    /// When it was revoked, if it was.
    pub revoked_ms: Option<i64>,
}

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn parse_tier(text: &str) -> Result<Tier, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("stored tier: {e}")))
}

// ---------------------------------------------------------------------------------------
// Shops and activation

/// Whether the shop exists.
pub fn shop_exists(conn: &Connection, shop_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM shops WHERE shop_id = ?1")?
        .exists([shop_id])?)
}

/// Creates a shop row and one activation code per tier. The caller writes the profile
/// entity (its content varies: a dev-created shop or the seeded demo).
pub fn insert_shop(
    conn: &Connection,
    profile: &ShopProfile,
    now_ms: i64,
) -> Result<ShopInfo, StoreError> {
    conn.execute(
        "INSERT INTO shops (shop_id, name, tier, created_ms) VALUES (?1, ?2, ?3, ?4)",
        params![profile.shop_id, profile.name, profile.tier.as_str(), now_ms],
    )?;
    let mut codes = BTreeMap::new();
    for tier in Tier::ALL {
        let code = new_activation_code(*tier);
        conn.execute(
            "INSERT INTO activation_codes (code, shop_id, tier) VALUES (?1, ?2, ?3)",
            params![code, profile.shop_id, tier.as_str()],
        )?;
        codes.insert(tier.as_str().to_string(), code);
    }
    Ok(ShopInfo {
        shop_id: profile.shop_id.clone(),
        name: profile.name.clone(),
        tier: profile.tier,
        activation_codes: codes,
    })
}

/// A fresh activation code such as `STD-7Q4M-KX2P`: a tier prefix a support person can read
/// out, then 40 random bits in an alphabet without look-alikes (no 0/O, 1/I/L).
fn new_activation_code(tier: Tier) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let prefix = match tier {
        Tier::Basic => "BAS",
        Tier::Standard => "STD",
        Tier::Premium => "PRE",
    };
    let random = uuid::Uuid::new_v4().into_bytes();
    let mut code = String::with_capacity(13);
    code.push_str(prefix);
    for (i, byte) in random.iter().take(8).enumerate() {
        if i % 4 == 0 {
            code.push('-');
        }
        code.push(char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]));
    }
    code
}

/// Every shop with its codes, by shop id.
pub fn list_shops(conn: &Connection) -> Result<Vec<ShopInfo>, StoreError> {
    let mut shops: Vec<ShopInfo> = Vec::new();
    let mut stmt = conn.prepare("SELECT shop_id, name, tier FROM shops ORDER BY shop_id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        shops.push(ShopInfo {
            shop_id: row.get(0)?,
            name: row.get(1)?,
            tier: parse_tier(&row.get::<_, String>(2)?)?,
            activation_codes: BTreeMap::new(),
        });
    }
    for code in activation_codes(conn)? {
        if let Some(shop) = shops.iter_mut().find(|s| s.shop_id == code.shop_id) {
            shop.activation_codes
                .insert(code.tier.as_str().to_string(), code.code);
        }
    }
    Ok(shops)
}

/// Every activation code, by shop then tier.
pub fn activation_codes(conn: &Connection) -> Result<Vec<ActivationCode>, StoreError> {
    let mut stmt = conn.prepare("SELECT shop_id, tier, code FROM activation_codes")?;
    let mut rows = stmt.query([])?;
    let mut codes = Vec::new();
    while let Some(row) = rows.next()? {
        codes.push(ActivationCode {
            shop_id: row.get(0)?,
            tier: parse_tier(&row.get::<_, String>(1)?)?,
            code: row.get(2)?,
        });
    }
    codes.sort_by(|a, b| (&a.shop_id, a.tier as u8).cmp(&(&b.shop_id, b.tier as u8)));
    Ok(codes)
}

/// What an activation code opens: its shop (id and name) and tier.
pub fn lookup_activation_code(
    conn: &Connection,
    code: &str,
) -> Result<Option<(String, String, Tier)>, StoreError> {
    let found = conn
        .prepare_cached(
            "SELECT a.shop_id, s.name, a.tier FROM activation_codes a
             JOIN shops s ON s.shop_id = a.shop_id WHERE a.code = ?1",
        )?
        .query_row([code], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .optional()?;
    match found {
        Some((shop_id, name, tier)) => Ok(Some((shop_id, name, parse_tier(&tier)?))),
        None => Ok(None),
    }
}

/// Registers a device and returns its id and (plain, never stored) token.
pub fn insert_device(
    conn: &Connection,
    shop_id: &str,
    tier: Tier,
    name: &str,
    platform: &str,
    now_ms: i64,
) -> Result<(String, String), StoreError> {
    // UUIDv7: ids sort by creation time, which makes the devices table pleasant to read.
    let device_id = format!("dev_{}", uuid::Uuid::now_v7().simple());
    // Two v4 UUIDs come from the OS CSPRNG: 244 random bits, hex-encoded.
    let mut secret = [0u8; 32];
    secret[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    secret[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    let token = format!("skt_{}", hex::encode(secret));
    conn.execute(
        "INSERT INTO devices (device_id, shop_id, token_sha256, name, platform, tier, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            device_id,
            shop_id,
            sha256_hex(token.as_bytes()),
            name,
            platform,
            tier.as_str(),
            now_ms
        ],
    )?;
    Ok((device_id, token))
}

/// The device holding a token, found by the token's SHA-256.
pub fn device_by_token(conn: &Connection, token: &str) -> Result<Option<DeviceRow>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT device_id, shop_id, revoked_ms FROM devices WHERE token_sha256 = ?1",
        )?
        .query_row([sha256_hex(token.as_bytes())], |r| {
            Ok(DeviceRow {
                device_id: r.get(0)?,
                shop_id: r.get(1)?,
                revoked_ms: r.get(2)?,
            })
        })
        .optional()?)
}

/// Revokes a device; returns its revocation instant, or `None` if there is no such device.
/// Revoking twice keeps the first instant.
pub fn revoke_device(
    conn: &Connection,
    device_id: &str,
    now_ms: i64,
) -> Result<Option<i64>, StoreError> {
    conn.execute(
        "UPDATE devices SET revoked_ms = ?2 WHERE device_id = ?1 AND revoked_ms IS NULL",
        params![device_id, now_ms],
    )?;
    Ok(conn
        .query_row(
            "SELECT revoked_ms FROM devices WHERE device_id = ?1",
            [device_id],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()?
        .flatten())
}

// ---------------------------------------------------------------------------------------
// The change feed

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

// ---------------------------------------------------------------------------------------
// Field versions (stale-edit detection)

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

// ---------------------------------------------------------------------------------------
// Mutations

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

// ---------------------------------------------------------------------------------------
// Media

/// Stored image bytes and what is served with them.
#[derive(Debug)]
pub struct MediaRow {
    /// Encoded bytes.
    pub bytes: Vec<u8>,
    /// Hex SHA-256 (the ETag).
    pub sha256: String,
    /// MIME type.
    pub mime: String,
}

/// An image's bytes and what is known about them.
#[derive(Debug, Clone, Copy)]
pub struct NewMedia<'a> {
    /// Encoded bytes.
    pub bytes: &'a [u8],
    /// Hex SHA-256 of the bytes.
    pub sha256: &'a str,
    /// MIME type.
    pub mime: &'a str,
    /// Pixel width.
    pub width: i64,
    /// Pixel height.
    pub height: i64,
}

/// Stores (or replaces) an image's bytes.
pub fn put_media(
    conn: &Connection,
    shop_id: &str,
    image_id: &str,
    media: NewMedia<'_>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO media (shop_id, image_id, bytes, sha256, mime, width, height)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        shop_id,
        image_id,
        media.bytes,
        media.sha256,
        media.mime,
        media.width,
        media.height
    ])?;
    Ok(())
}

/// An image of a shop.
pub fn get_media(
    conn: &Connection,
    shop_id: &str,
    image_id: &str,
) -> Result<Option<MediaRow>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT bytes, sha256, mime FROM media WHERE shop_id = ?1 AND image_id = ?2",
        )?
        .query_row(params![shop_id, image_id], |r| {
            Ok(MediaRow {
                bytes: r.get(0)?,
                sha256: r.get(1)?,
                mime: r.get(2)?,
            })
        })
        .optional()?)
}

/// Only the hash of a stored image (for idempotent uploads without reading the bytes).
pub fn media_sha256(
    conn: &Connection,
    shop_id: &str,
    image_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT sha256 FROM media WHERE shop_id = ?1 AND image_id = ?2")?
        .query_row(params![shop_id, image_id], |r| r.get(0))
        .optional()?)
}
