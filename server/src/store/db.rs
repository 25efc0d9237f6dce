//! The dev server's connections to its SQLite file: opening (and migrating), the writer,
//! the readers, and the write transaction every handler uses.
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

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::migrations;
use crate::error::StoreError;

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
        migrations::migrate(&mut writer)?;
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

    /// Runs `f` in one write transaction, committed when `f` succeeds and rolled back when
    /// it fails. `IMMEDIATE` takes SQLite's write lock at the start, so a transaction that
    /// reads then writes never fails half-way on a lock upgrade.
    pub fn transaction<R, E>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<R, E>,
    ) -> Result<R, E>
    where
        E: From<rusqlite::Error>,
    {
        self.write(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let result = f(&tx)?;
            tx.commit()?;
            Ok(result)
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrations::LATEST_VERSION;

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
        assert_eq!(v, LATEST_VERSION);
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
            conn.execute_batch(include_str!("migrations/0001_sync.sql"))
                .unwrap();
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
        assert_eq!((version, shops, keys), (LATEST_VERSION, 1, 0));
    }
}
