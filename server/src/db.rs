//! The dev server's own SQLite database: opening, the schema, and its connections.
//!
//! One writer connection behind a mutex (SQLite allows one writer at a time anyway, and
//! serialising writers here means `max(seq) + 1` inside a transaction is race-free) and a
//! small pool of reader connections: in WAL mode readers never block the writer, so a
//! device pulling a million orders does not stall pushes.
//!
//! Every call is synchronous; async handlers run them through
//! [`AppState::blocking`](crate::state::AppState::blocking) on tokio's blocking pool.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::Connection;

use crate::error::StoreError;

/// The schema version this build creates and understands (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 2;

/// The whole schema, created at once on a fresh database.
///
/// `entities` is the change feed: the latest state of each entity of each shop. `seq` is the
/// rowid, so the feed (`WHERE shop_id = ? AND seq > ? ORDER BY seq`) walks the table in
/// storage order, and every upsert gives the entity a new, higher `seq` (INSERT OR REPLACE on
/// the `(shop_id, kind, id)` key deletes the old row), moving it to the end of the feed.
const SCHEMA: &str = "
CREATE TABLE shops (
    shop_id    TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    tier       TEXT NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;

-- Reusable on the dev server: each use registers a new device.
CREATE TABLE activation_codes (
    code    TEXT PRIMARY KEY NOT NULL,
    shop_id TEXT NOT NULL REFERENCES shops(shop_id),
    tier    TEXT NOT NULL
) STRICT;
CREATE INDEX activation_codes_shop ON activation_codes(shop_id);

-- Only the SHA-256 of a token is stored: a leaked database does not leak credentials.
CREATE TABLE devices (
    device_id    TEXT PRIMARY KEY NOT NULL,
    shop_id      TEXT NOT NULL REFERENCES shops(shop_id),
    token_sha256 TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    platform     TEXT NOT NULL,
    tier         TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    revoked_ms   INTEGER
) STRICT;

CREATE TABLE entities (
    seq     INTEGER PRIMARY KEY NOT NULL,
    shop_id TEXT NOT NULL,
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    data    TEXT NOT NULL,  -- JSON of the domain type, or of the tombstone when deleted
    deleted INTEGER NOT NULL DEFAULT 0,
    UNIQUE (shop_id, kind, id)
) STRICT;
-- With the rowid implicitly last, this index serves `shop_id = ? AND seq > ? ORDER BY seq`.
CREATE INDEX entities_feed ON entities(shop_id);

-- The version at which each field of an entity last changed, and who changed it (a device
-- id, or '' for the server itself): an edit based on an older version conflicts only when
-- somebody else changed the same field since.
CREATE TABLE field_versions (
    shop_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    field      TEXT NOT NULL,
    version    INTEGER NOT NULL,
    changed_by TEXT NOT NULL,
    PRIMARY KEY (shop_id, kind, id, field)
) STRICT, WITHOUT ROWID;

-- Written in the same transaction as the mutation's effect: exactly-once.
CREATE TABLE applied_mutations (
    device_id   TEXT NOT NULL,
    mutation_id INTEGER NOT NULL,
    result_json TEXT NOT NULL,
    applied_ms  INTEGER NOT NULL,
    PRIMARY KEY (device_id, mutation_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE checklist_ticks (
    shop_id    TEXT NOT NULL,
    task_id    TEXT NOT NULL,
    done       INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (shop_id, task_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE media (
    shop_id  TEXT NOT NULL,
    image_id TEXT NOT NULL,
    bytes    BLOB NOT NULL,
    sha256   TEXT NOT NULL,
    mime     TEXT NOT NULL,
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL,
    PRIMARY KEY (shop_id, image_id)
) STRICT;
";

/// Version 2: the coupon wallet's server side. Applied on top of version 1 (a fresh
/// database gets both), so a dev database made by an older build keeps its shops.
const SCHEMA_V2: &str = "
-- The shops' coupon signing keys. The private key is kept here as PKCS#8 PEM: this is a
-- dev server; a production backend keeps it in an HSM or a KMS.
CREATE TABLE shop_keys (
    shop_id       TEXT NOT NULL REFERENCES shops(shop_id),
    kid           TEXT NOT NULL,
    private_pem   TEXT NOT NULL,
    public_key    BLOB NOT NULL,
    not_before_ms INTEGER NOT NULL,
    not_after_ms  INTEGER,
    created_ms    INTEGER NOT NULL,
    updated_ms    INTEGER NOT NULL,
    PRIMARY KEY (shop_id, kid)
) STRICT;

-- Every coupon issued, with its text: for the book listing and the monthly quota.
CREATE TABLE issued_coupons (
    shop_id   TEXT NOT NULL REFERENCES shops(shop_id),
    coupon_id TEXT NOT NULL,
    book_id   TEXT NOT NULL,
    kid       TEXT NOT NULL,
    text      TEXT NOT NULL,
    issued_ms INTEGER NOT NULL,
    PRIMARY KEY (shop_id, coupon_id)
) STRICT;
CREATE INDEX issued_coupons_by_book ON issued_coupons (shop_id, book_id);
CREATE INDEX issued_coupons_by_time ON issued_coupons (shop_id, issued_ms);

-- What was revoked since when, for checking redemptions (`revoked_ms <= redeemed_ms`).
CREATE TABLE revocation_index (
    shop_id    TEXT NOT NULL,
    target     TEXT NOT NULL,
    target_id  TEXT NOT NULL,
    revoked_ms INTEGER NOT NULL,
    PRIMARY KEY (shop_id, target, target_id)
) STRICT, WITHOUT ROWID;

-- Every redemption pushed, first-wins per coupon in `seq` order. `outcome` is the answer
-- (status, reason, code, server_state) given to it, repeated for the same redemption id.
CREATE TABLE redemption_ledger (
    seq           INTEGER PRIMARY KEY,
    shop_id       TEXT NOT NULL,
    redemption_id TEXT NOT NULL,
    coupon_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    amount_fen    INTEGER NOT NULL,
    redeemed_ms   INTEGER NOT NULL,
    accepted      INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    outcome       TEXT NOT NULL,
    UNIQUE (shop_id, redemption_id)
) STRICT;
CREATE INDEX redemption_ledger_by_coupon ON redemption_ledger (shop_id, coupon_id, accepted);
";

/// Most idle reader connections kept open; more are opened under load and closed after.
const MAX_IDLE_READERS: usize = 8;

/// The database: one writer, a pool of readers.
#[derive(Debug)]
pub struct Db {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl Db {
    /// Opens (creating if needed) the database at `path` and brings its schema up.
    pub fn open(path: &Path) -> Result<Db, StoreError> {
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        // A big page cache makes bulk seeding (a million orders, three indexes) much faster.
        writer.pragma_update(None, "cache_size", -65_536)?;
        migrate(&mut writer)?;
        Ok(Db {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Runs `f` with the writer connection; writers are serialised.
    pub fn write<R, E>(&self, f: impl FnOnce(&mut Connection) -> Result<R, E>) -> Result<R, E> {
        // A panic while holding the lock leaves no half-done transaction behind (rusqlite
        // rolls back on drop), so a poisoned lock is safe to reuse.
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }

    /// Runs `f` with a reader connection from the pool.
    pub fn read<R, E>(&self, f: impl FnOnce(&Connection) -> Result<R, E>) -> Result<R, E>
    where
        E: From<StoreError>,
    {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => open_reader(&self.path).map_err(E::from)?,
        };
        let result = f(&conn);
        let mut idle = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        result
    }
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    configure(&conn)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // In WAL mode NORMAL loses at most the last transactions on power loss, never integrity;
    // plenty for a dev server, and it keeps bulk writes fast.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    match version {
        0 => {
            tx.execute_batch(SCHEMA)?;
            tx.execute_batch(SCHEMA_V2)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        1 => {
            tx.execute_batch(SCHEMA_V2)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        SCHEMA_VERSION => {}
        other => return Err(StoreError::SchemaVersion(other)),
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_twice_and_refuses_unknown_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dev.db");
        drop(Db::open(&path).unwrap());
        let db = Db::open(&path).unwrap();
        let v: i64 = db
            .read(|c| {
                c.pragma_query_value(None, "user_version", |r| r.get(0))
                    .map_err(StoreError::from)
            })
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        db.write(|c| c.pragma_update(None, "user_version", 99))
            .unwrap();
        drop(db);
        assert!(matches!(
            Db::open(&path),
            Err(StoreError::SchemaVersion(99))
        ));
    }

    #[test]
    fn a_version_1_database_is_upgraded_keeping_its_shops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA).unwrap();
            conn.execute(
                "INSERT INTO shops (shop_id, name, tier, created_ms) VALUES ('s1', 'S', 'basic', 1)",
                [],
            )
            .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let db = Db::open(&path).unwrap();
        let (version, shops, keys): (i64, i64, i64) = db
            .read(|c| {
                Ok::<_, StoreError>((
                    c.pragma_query_value(None, "user_version", |r| r.get(0))?,
                    c.query_row("SELECT count(*) FROM shops", [], |r| r.get(0))?,
                    c.query_row("SELECT count(*) FROM shop_keys", [], |r| r.get(0))?,
                ))
            })
            .unwrap();
        assert_eq!((version, shops, keys), (SCHEMA_VERSION, 1, 0));
    }
}
