//! Schema migrations, keyed on `PRAGMA user_version`.
//!
//! Each migration is a SQL file applied in its own transaction, so a kill mid-upgrade leaves
//! the database at the previous version, never half-migrated. Migrations are append-only:
//! a released file is never edited; a change is a new file.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::StoreError;

/// `PRAGMA application_id` of a SellerKit database ('SKIT'), set by the first migration.
pub const APPLICATION_ID: i32 = 0x534B_4954;

/// The migrations, oldest first; `user_version` N means the first N are applied.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("migrations/0001_shop_catalog_orders.sql")),
        M::up(include_str!("migrations/0002_coupons.sql")),
        M::up(include_str!("migrations/0003_checklist.sql")),
        M::up(include_str!("migrations/0004_sync.sql")).foreign_key_check(),
        M::up(include_str!("migrations/0005_wallet.sql")).foreign_key_check(),
        M::up(include_str!("migrations/0006_checklist.sql")),
        M::up(include_str!("migrations/0007_storefront.sql")),
        M::up(include_str!("migrations/0008_analytics.sql")),
        M::up(include_str!("migrations/0009_storefront_sync.sql")),
        M::up(include_str!("migrations/0010_analytics_customers.sql")),
        M::up(include_str!("migrations/0011_analytics_day_customers.sql")),
    ])
}

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = 11;

/// Reads `PRAGMA user_version`.
pub(crate) fn current_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Upgrades step by step to `target`, one transaction per migration.
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<(), StoreError> {
    let all = migrations();
    let mut version = current_version(conn)?;
    while version < target {
        version += 1;
        let step = usize::try_from(version).map_err(|_| StoreError::TooNew {
            path: Default::default(),
            found: version,
            supported: LATEST_VERSION,
        })?;
        tracing::info!(version, "applying schema migration");
        all.to_version(conn, step)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid_and_latest_matches() {
        assert!(migrations().validate().is_ok());
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, LATEST_VERSION).unwrap();
        assert_eq!(current_version(&conn).unwrap(), LATEST_VERSION);
        // One more migration than LATEST_VERSION would be a forgotten constant bump.
        assert!(
            migrations()
                .to_version(&mut conn, LATEST_VERSION as usize + 1)
                .is_err()
        );
    }
}
