//! Coupon books, signing keys, revocations and redemptions.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{StoreError, parse_column};
use crate::domain::{
    CouponBook, CouponScope, Redemption, RedemptionState, Revocation, RevocationTarget, SigningKey,
};
use crate::money::Fen;

/// One stored wallet record, as [`CouponRepo::for_each_record`] visits them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CouponRecord {
    /// A coupon book.
    Book(CouponBook),
    /// A signing key.
    Key(SigningKey),
    /// A revocation.
    Revocation(Revocation),
    /// A redemption.
    Redemption(Redemption),
}

/// Reads and writes the wallet's tables.
pub struct CouponRepo<'c> {
    pub(super) conn: &'c Connection,
}

const BOOK_COLUMNS: &str = "id, title, kind, value_fen, value_bps, max_uses, min_spend_fen, \
     valid_from_ms, valid_until_ms, scope, issued_count, version, updated_ms";

fn book_from_row(r: &Row<'_>) -> rusqlite::Result<CouponBook> {
    let scope: String = r.get(9)?;
    let scope: CouponScope = serde_json::from_str(&scope).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(9, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(CouponBook {
        id: r.get(0)?,
        title: r.get(1)?,
        kind: parse_column(r, 2)?,
        value_fen: r.get::<_, Option<i64>>(3)?.map(Fen),
        value_bps: r.get(4)?,
        max_uses: r.get(5)?,
        min_spend: Fen(r.get(6)?),
        valid_from_ms: r.get(7)?,
        valid_until_ms: r.get(8)?,
        scope,
        issued_count: r.get(10)?,
        version: r.get(11)?,
        updated_ms: r.get(12)?,
    })
}

const KEY_COLUMNS: &str = "kid, algorithm, public_key, not_before_ms, not_after_ms, updated_ms";

fn key_from_row(r: &Row<'_>) -> rusqlite::Result<SigningKey> {
    Ok(SigningKey {
        kid: r.get(0)?,
        algorithm: r.get(1)?,
        public_key: r.get(2)?,
        not_before_ms: r.get(3)?,
        not_after_ms: r.get(4)?,
        updated_ms: r.get(5)?,
    })
}

const REVOCATION_COLUMNS: &str = "id, target, target_id, revoked_ms, reason";

fn revocation_from_row(r: &Row<'_>) -> rusqlite::Result<Revocation> {
    Ok(Revocation {
        id: r.get(0)?,
        target: parse_column(r, 1)?,
        target_id: r.get(2)?,
        revoked_ms: r.get(3)?,
        reason: r.get(4)?,
    })
}

const REDEMPTION_COLUMNS: &str = "id, coupon_id, book_id, device_id, order_total_fen, amount_fen, \
     redeemed_ms, origin, state";

fn redemption_from_row(r: &Row<'_>) -> rusqlite::Result<Redemption> {
    Ok(Redemption {
        id: r.get(0)?,
        coupon_id: r.get(1)?,
        book_id: r.get(2)?,
        device_id: r.get(3)?,
        order_total: Fen(r.get(4)?),
        amount: Fen(r.get(5)?),
        redeemed_ms: r.get(6)?,
        origin: parse_column(r, 7)?,
        state: parse_column(r, 8)?,
    })
}

impl CouponRepo<'_> {
    /// Inserts or replaces a coupon book.
    pub fn put_book(&self, b: &CouponBook) -> Result<(), StoreError> {
        let scope = serde_json::to_string(&b.scope).map_err(|e| StoreError::InvalidInput {
            what: "coupon scope",
            detail: e.to_string(),
        })?;
        self.conn.execute(
            "INSERT OR REPLACE INTO coupon_books (id, title, kind, value_fen, value_bps, max_uses,
                 min_spend_fen, valid_from_ms, valid_until_ms, scope, issued_count, version,
                 updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                b.id,
                b.title,
                b.kind.as_str(),
                b.value_fen.map(|f| f.0),
                b.value_bps,
                b.max_uses,
                b.min_spend.0,
                b.valid_from_ms,
                b.valid_until_ms,
                scope,
                b.issued_count,
                b.version,
                b.updated_ms
            ],
        )?;
        Ok(())
    }

    /// One book by id.
    pub fn book(&self, id: &str) -> Result<Option<CouponBook>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {BOOK_COLUMNS} FROM coupon_books WHERE id = ?1"),
                [id],
                book_from_row,
            )
            .optional()?)
    }

    /// Every book, newest validity first.
    pub fn books(&self) -> Result<Vec<CouponBook>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {BOOK_COLUMNS} FROM coupon_books ORDER BY valid_from_ms DESC, id"
        ))?;
        let rows = stmt.query_map([], book_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Inserts or replaces a signing key.
    pub fn put_key(&self, k: &SigningKey) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO signing_keys (kid, algorithm, public_key, not_before_ms,
                 not_after_ms, updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                k.kid,
                k.algorithm,
                k.public_key,
                k.not_before_ms,
                k.not_after_ms,
                k.updated_ms
            ],
        )?;
        Ok(())
    }

    /// A signing key by `kid`.
    pub fn key(&self, kid: &str) -> Result<Option<SigningKey>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {KEY_COLUMNS} FROM signing_keys WHERE kid = ?1"),
                [kid],
                key_from_row,
            )
            .optional()?)
    }

    /// Inserts or replaces a revocation.
    pub fn put_revocation(&self, rev: &Revocation) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO revocations (id, target, target_id, revoked_ms, reason)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                rev.id,
                rev.target.as_str(),
                rev.target_id,
                rev.revoked_ms,
                rev.reason
            ],
        )?;
        Ok(())
    }

    /// The first revocation of `target_id` as a `target`, if any.
    pub fn revocation_of(
        &self,
        target: RevocationTarget,
        target_id: &str,
    ) -> Result<Option<Revocation>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {REVOCATION_COLUMNS} FROM revocations
                     WHERE target = ?1 AND target_id = ?2 ORDER BY revoked_ms LIMIT 1"
                ),
                params![target.as_str(), target_id],
                revocation_from_row,
            )
            .optional()?)
    }

    /// Records a redemption; its id is unique, so recording the same one twice fails.
    pub fn insert_redemption(&self, red: &Redemption) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO redemptions (id, coupon_id, book_id, device_id, order_total_fen,
                 amount_fen, redeemed_ms, origin, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                red.id,
                red.coupon_id,
                red.book_id,
                red.device_id,
                red.order_total.0,
                red.amount.0,
                red.redeemed_ms,
                red.origin.as_str(),
                red.state.as_str()
            ],
        )?;
        Ok(())
    }

    /// Records a redemption the server accepted: a local one becomes confirmed, one made on
    /// another device is added.
    pub fn put_server_redemption(&self, red: &Redemption) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO redemptions (id, coupon_id, book_id, device_id, order_total_fen,
                 amount_fen, redeemed_ms, origin, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'server', 'confirmed')
             ON CONFLICT (id) DO UPDATE SET state = 'confirmed'",
            params![
                red.id,
                red.coupon_id,
                red.book_id,
                red.device_id,
                red.order_total.0,
                red.amount.0,
                red.redeemed_ms
            ],
        )?;
        Ok(())
    }

    /// Deletes with `sql` (one `?1` parameter); used for tombstones from the server.
    fn delete_by(&self, sql: &str, id: &str) -> Result<bool, StoreError> {
        Ok(self.conn.execute(sql, [id])? > 0)
    }

    /// Removes a coupon book.
    pub fn delete_book(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_by("DELETE FROM coupon_books WHERE id = ?1", id)
    }

    /// Removes a signing key.
    pub fn delete_key(&self, kid: &str) -> Result<bool, StoreError> {
        self.delete_by("DELETE FROM signing_keys WHERE kid = ?1", kid)
    }

    /// Removes a revocation.
    pub fn delete_revocation(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_by("DELETE FROM revocations WHERE id = ?1", id)
    }

    /// Removes a redemption.
    pub fn delete_redemption(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_by("DELETE FROM redemptions WHERE id = ?1", id)
    }

    /// Streams the rows of `sql` through `map` into `visit`.
    fn for_each_row<T>(
        &self,
        sql: &str,
        map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
        visit: &mut impl FnMut(T),
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            visit(map(r)?);
        }
        Ok(())
    }

    /// Every book, signing key, revocation and redemption, for the shop digest.
    pub fn for_each_record(&self, mut visit: impl FnMut(CouponRecord)) -> Result<(), StoreError> {
        for book in self.books()? {
            visit(CouponRecord::Book(book));
        }
        self.for_each_row(
            &format!("SELECT {KEY_COLUMNS} FROM signing_keys ORDER BY kid"),
            |r| key_from_row(r).map(CouponRecord::Key),
            &mut visit,
        )?;
        self.for_each_row(
            &format!("SELECT {REVOCATION_COLUMNS} FROM revocations ORDER BY id"),
            |r| revocation_from_row(r).map(CouponRecord::Revocation),
            &mut visit,
        )?;
        self.for_each_row(
            &format!("SELECT {REDEMPTION_COLUMNS} FROM redemptions ORDER BY id"),
            |r| redemption_from_row(r).map(CouponRecord::Redemption),
            &mut visit,
        )?;
        Ok(())
    }

    /// Updates a redemption's sync state. Returns whether it existed.
    pub fn set_redemption_state(
        &self,
        id: &str,
        state: RedemptionState,
    ) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE redemptions SET state = ?2 WHERE id = ?1",
            params![id, state.as_str()],
        )? > 0)
    }

    /// Every known redemption of a coupon, oldest first.
    pub fn redemptions_of(&self, coupon_id: &str) -> Result<Vec<Redemption>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {REDEMPTION_COLUMNS} FROM redemptions WHERE coupon_id = ?1
             ORDER BY redeemed_ms, id"
        ))?;
        let rows = stmt.query_map([coupon_id], redemption_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest redemptions first, at most `limit`.
    pub fn recent_redemptions(&self, limit: u32) -> Result<Vec<Redemption>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {REDEMPTION_COLUMNS} FROM redemptions ORDER BY redeemed_ms DESC, id LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit], redemption_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
