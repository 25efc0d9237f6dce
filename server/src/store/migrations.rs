//! The dev server's schema migrations, keyed on `PRAGMA user_version` (like the core's
//! `core/src/store/migrations.rs`).
//!
//! Each migration is a SQL file applied in its own transaction; released files are never
//! edited, a change is a new file. A database whose `user_version` is higher than
//! [`LATEST_VERSION`] was written by a newer build and is refused, never touched. The
//! numbering continues the server's earlier hand-rolled schema versions (1: sync, 2: the
//! coupon wallet), so a dev database made by an older build is upgraded in place.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use crate::error::StoreError;

/// The migrations, oldest first; `user_version` N means the first N are applied.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("migrations/0001_sync.sql")),
        M::up(include_str!("migrations/0002_coupons.sql")).foreign_key_check(),
    ])
}

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = 2;

/// Reads `PRAGMA user_version`.
pub fn current_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Brings the schema up to [`LATEST_VERSION`], one transaction per migration; refuses a
/// database from a newer build.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version = current_version(conn)?;
    if !(0..=LATEST_VERSION).contains(&version) {
        return Err(StoreError::SchemaVersion(version));
    }
    migrations()
        .to_latest(conn)
        .map_err(|e| StoreError::Migration(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid_and_latest_matches() {
        assert!(migrations().validate().is_ok());
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(current_version(&conn).unwrap(), LATEST_VERSION);
        // One more migration than LATEST_VERSION would be a forgotten constant bump.
        let too_far = usize::try_from(LATEST_VERSION).unwrap() + 1;
        assert!(migrations().to_version(&mut conn, too_far).is_err());
    }
}
