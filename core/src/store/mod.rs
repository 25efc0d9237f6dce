//! The phone's SQLite database: opening, migrations and typed repositories.
//!
//! One writer connection (writes are serialised by SQLite anyway; one connection avoids
//! `SQLITE_BUSY` between our own writers) and a few read-only connections, so the dashboard
//! can read while sync writes (WAL). All SQL of the project lives under this module, except
//! the analytics rollups' own tables, which `crate::analytics` reads and writes through
//! [`Db::conn`].

mod catalog;
mod checklist;
mod coupons;
mod error;
pub mod migrations;
mod orders;
mod shop;
mod status;
mod storefront;
mod sync;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use catalog::CatalogRepo;
pub use checklist::{ChecklistRepo, ORDER_QUERIES as CHECKLIST_ORDER_QUERIES, RefusedDefinition};
pub use coupons::{CouponRecord, CouponRepo, CouponUsage, UnsyncedTotals};
pub use error::StoreError;
pub use orders::OrderRepo;
pub use shop::ShopRepo;
pub use status::{StoreStatus, TableCounts};
pub use storefront::{ListingSettings, PendingPhoto, StorefrontRepo};
pub use sync::{NewMutation, SyncRepo};

/// How long a connection waits for a lock held by another connection before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Read-only connections kept open for reuse.
const DEFAULT_READERS: usize = 3;

/// How a store is opened.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// Create the file (and its folder) if it does not exist. Off for commands that only inspect.
    pub create: bool,
    /// Read-only connections kept for reuse.
    pub readers: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            create: true,
            readers: DEFAULT_READERS,
        }
    }
}

/// An open SellerKit database.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    max_readers: usize,
    /// The journal is WAL: a commit without an fsync can be lost by a power cut, never torn.
    wal: bool,
}

impl Store {
    /// Opens (and if needed creates and upgrades) the database at `path`.
    ///
    /// A file that is not a SellerKit database, is damaged, or was written by a newer app is
    /// refused with a typed error before anything is written to it.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_with(path, &OpenOptions::default())
    }

    /// Opens with explicit options; see [`Store::open`].
    pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        let existing = inspect_existing(&path, options.create)?;
        if existing.is_none()
            && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::io(&path, e))?;
        }

        let mut writer = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::from_sqlite(&path, e))?;
        configure(&writer).map_err(|e| StoreError::from_sqlite(&path, e))?;
        let journal: String = writer
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(|e| StoreError::from_sqlite(&path, e))?;
        let wal = journal.eq_ignore_ascii_case("wal");
        if !wal {
            tracing::warn!(%journal, "WAL is not available here; readers will wait for writers");
        }
        // Room for every statement of a synced page (orders, lines, cursor and the rollups'
        // multi-row upserts: up to 7 chunk sizes per rollup table); the default 16 made the
        // page's statements evict each other and be compiled again on every page.
        writer.set_prepared_statement_cache_capacity(128);
        // FULL: a redemption or a synced page, once committed, survives a power cut too.
        writer
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| StoreError::from_sqlite(&path, e))?;

        let version = existing.map_or(0, |e| e.user_version);
        if version < migrations::LATEST_VERSION {
            if version > 0 {
                // Upgrades rewrite tables: make sure we are not building on a damaged file.
                quick_check(&writer).map_err(|e| e.with_path(&path))?;
            }
            migrations::migrate_to(&mut writer, migrations::LATEST_VERSION)
                .map_err(|e| e.with_path(&path))?;
        }

        Ok(Store {
            path,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            max_readers: options.readers,
            wal,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` inside one write transaction (`BEGIN IMMEDIATE`): committed if it returns
    /// `Ok`, rolled back otherwise, so each call is all or nothing.
    pub fn write<T, E>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        let value = f(&Db { conn: &tx })?;
        tx.commit()
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        Ok(value)
    }

    /// [`Store::write`] for data that can be fetched again, such as a pulled sync page with its
    /// cursor: in WAL mode the commit does not wait for the disk (`synchronous=NORMAL`).
    ///
    /// Why this is safe: WAL replays a prefix of the commits after a power cut, so at worst the
    /// last pages and their cursor are lost together and pulled again (applying is idempotent);
    /// the file is never damaged. Anything committed later with [`Store::write`] (a redemption,
    /// an outbox entry) fsyncs the WAL up to and including itself, so it is as durable as
    /// before and never survives without the pages committed before it. Without WAL (a
    /// rollback journal could be damaged) this is plain [`Store::write`].
    pub fn write_refetchable<T, E>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        if !self.wal {
            return self.write(f);
        }
        let set = |level: &str| -> Result<(), StoreError> {
            let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
            conn.pragma_update(None, "synchronous", level)
                .map_err(|e| StoreError::from_sqlite(&self.path, e))
        };
        set("NORMAL")?;
        let result = self.write(f);
        // Back to FULL whatever happened: every other write must wait for the disk.
        let restored = set("FULL");
        let value = result?;
        restored?;
        Ok(value)
    }

    /// Runs `f` on a read-only connection; it sees one consistent snapshot if it opens a
    /// transaction, otherwise each statement sees the latest commit.
    pub fn read<T, E>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => open_reader(&self.path)?,
        };
        let result = {
            let tx = conn
                .unchecked_transaction()
                .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
            let value = f(&Db { conn: &tx });
            // A read transaction has nothing to commit; ending it releases the snapshot.
            drop(tx);
            value
        };
        let mut readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if readers.len() < self.max_readers {
            readers.push(conn);
        }
        result
    }

    /// What the database holds: schema version, row counts, shop and sync state.
    pub fn status(&self) -> Result<StoreStatus, StoreError> {
        self.read(|db| status::read_status(db.conn))
            .map_err(|e| e.with_path(&self.path))
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Close the read-only connections first: only a writable last connection can
        // checkpoint the WAL into the main file, which keeps a copied `.db` file complete.
        self.readers
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

/// A connection inside a transaction, handing out the typed repositories.
pub struct Db<'c> {
    conn: &'c Connection,
}

impl<'c> Db<'c> {
    /// Shop profile.
    pub fn shop(&self) -> ShopRepo<'c> {
        ShopRepo { conn: self.conn }
    }
    /// Products and images.
    pub fn catalog(&self) -> CatalogRepo<'c> {
        CatalogRepo { conn: self.conn }
    }
    /// Orders and line items.
    pub fn orders(&self) -> OrderRepo<'c> {
        OrderRepo { conn: self.conn }
    }
    /// Coupon books, keys, revocations, redemptions.
    pub fn coupons(&self) -> CouponRepo<'c> {
        CouponRepo { conn: self.conn }
    }
    /// Checklist definitions and task state.
    pub fn checklist(&self) -> ChecklistRepo<'c> {
        ChecklistRepo { conn: self.conn }
    }
    /// Outbox, sync state and conflicts.
    pub fn sync(&self) -> SyncRepo<'c> {
        SyncRepo { conn: self.conn }
    }

    /// The connection itself, for the analytics rollups (their own tables, one module).
    pub(crate) fn conn(&self) -> &'c Connection {
        self.conn
    }

    /// The storefront's phone presentation: featured listings, mobile descriptions, theme.
    pub fn storefront(&self) -> StorefrontRepo<'c> {
        StorefrontRepo { conn: self.conn }
    }
}

/// What an existing file told us before we opened it for writing.
#[derive(Clone, Copy, Debug)]
struct Existing {
    user_version: i64,
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Checks, without writing, that `path` is absent (and may be created), empty, or a SellerKit
/// database this build can open. Returns `None` when a fresh database is to be made.
fn inspect_existing(path: &Path, create: bool) -> Result<Option<Existing>, StoreError> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return if create {
                Ok(None)
            } else {
                Err(StoreError::Missing {
                    path: path.to_path_buf(),
                })
            };
        }
        Err(e) => return Err(StoreError::io(path, e)),
    };
    if !meta.is_file() {
        return Err(StoreError::NotADatabase {
            path: path.to_path_buf(),
            detail: "it is a folder, not a file".into(),
        });
    }
    if meta.len() == 0 {
        // SQLite treats an empty file as an empty database; so do we.
        return Ok(None);
    }
    let mut header = [0u8; 16];
    {
        use std::io::Read;
        let mut file = std::fs::File::open(path).map_err(|e| StoreError::io(path, e))?;
        let mut filled = 0;
        while filled < header.len() {
            match file.read(&mut header[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) => return Err(StoreError::io(path, e)),
            }
        }
        if filled < header.len() || &header != SQLITE_MAGIC {
            return Err(StoreError::NotADatabase {
                path: path.to_path_buf(),
                detail: "it does not start with the SQLite header".into(),
            });
        }
    }

    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::from_sqlite(path, e))?;
    let probe = || -> rusqlite::Result<(i32, i64, i64)> {
        let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let objects: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok((app, version, objects))
    };
    let (app, version, objects) = probe().map_err(|e| StoreError::from_sqlite(path, e))?;
    if app != migrations::APPLICATION_ID {
        if app == 0 && version == 0 && objects == 0 {
            return Ok(None);
        }
        return Err(StoreError::Foreign {
            path: path.to_path_buf(),
            detail: format!(
                "application id {app:#x}, schema version {version}, {objects} schema objects"
            ),
        });
    }
    if version > migrations::LATEST_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported: migrations::LATEST_VERSION,
        });
    }
    Ok(Some(Existing {
        user_version: version,
    }))
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::from_sqlite(path, e))?;
    configure(&conn).map_err(|e| StoreError::from_sqlite(path, e))?;
    Ok(conn)
}

fn quick_check(conn: &Connection) -> Result<(), StoreError> {
    let verdict: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(StoreError::Corrupt {
            path: PathBuf::new(),
            detail: verdict,
        })
    }
}

/// Reads an enum spelled in a TEXT column, turning an unknown spelling into a typed error.
pub(crate) fn parse_column<T>(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr<Err = crate::domain::UnknownVariant>,
{
    let text: String = row.get(idx)?;
    text.parse::<T>().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

#[cfg(test)]
mod tests;
