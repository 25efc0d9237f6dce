//! Coupon books, signing keys, revocations and redemptions.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{NewMutation, StoreError, SyncRepo, parse_column};
use crate::domain::{
    CouponBook, CouponScope, Dispute, DisputedUse, Redemption, RedemptionState, RefusedRedemption,
    Revocation, RevocationTarget, SigningKey, WalletLimits,
};
use crate::money::Fen;

/// How much of one coupon has been used, counting pending and confirmed redemptions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CouponUsage {
    /// Redemptions that count.
    pub uses: u32,
    /// Their amounts added up.
    pub spent: Fen,
}

/// This device's redemptions not yet confirmed by the server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnsyncedTotals {
    /// How many.
    pub count: u32,
    /// Their amounts added up.
    pub value: Fen,
}

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
    /// A dispute.
    Dispute(Dispute),
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

/// [`CouponRepo::first_revoked`]'s query, run on every verify (public to the crate so the
/// index test plan-checks the very text the code runs).
pub(crate) const FIRST_REVOKED_SQL: &str = "SELECT target FROM revocations
     WHERE (target = ?1 AND target_id = ?2)
        OR (target = ?3 AND target_id = ?4)
        OR (target = ?5 AND target_id = ?6)
     ORDER BY CASE target WHEN ?1 THEN 0 WHEN ?3 THEN 1 ELSE 2 END
     LIMIT 1";

/// [`CouponRepo::usage_of`]'s query, run on every verify.
pub(crate) const USAGE_OF_SQL: &str =
    "SELECT count(*), coalesce(sum(amount_fen), 0) FROM redemptions
     WHERE coupon_id = ?1 AND state IN ('pending', 'confirmed')";

/// [`CouponRepo::unsynced_totals`]'s query, run on every redeem (the offline limits).
pub(crate) const UNSYNCED_TOTALS_SQL: &str =
    "SELECT count(*), coalesce(sum(amount_fen), 0) FROM redemptions WHERE state = 'pending'";

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

const DISPUTE_COLUMNS: &str = "id, coupon_id, book_id, kind, accepted, refused_redemption_id, \
     refused_device_id, refused_amount_fen, refused_order_total_fen, refused_redeemed_ms, \
     detected_ms, message, resolved_ms";

fn dispute_from_row(r: &Row<'_>) -> rusqlite::Result<Dispute> {
    let accepted: String = r.get(4)?;
    let accepted: Vec<DisputedUse> = serde_json::from_str(&accepted).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Dispute {
        id: r.get(0)?,
        coupon_id: r.get(1)?,
        book_id: r.get(2)?,
        kind: parse_column(r, 3)?,
        accepted,
        refused: RefusedRedemption {
            redemption_id: r.get(5)?,
            device_id: r.get(6)?,
            amount: Fen(r.get(7)?),
            order_total: Fen(r.get(8)?),
            redeemed_ms: r.get(9)?,
        },
        detected_ms: r.get(10)?,
        message: r.get(11)?,
        resolved_ms: r.get(12)?,
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

    /// Only a book's title: what a verdict shows, without decoding the book's scope.
    pub fn book_title(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT title FROM coupon_books WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
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
        // Cached: the wallet looks the key up on every verify.
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {KEY_COLUMNS} FROM signing_keys WHERE kid = ?1"
            ))?
            .query_row([kid], key_from_row)
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

    /// Which of a coupon, its book and its key is revoked, in that order of precedence:
    /// the three lookups of every verify in one query.
    pub fn first_revoked(
        &self,
        coupon_id: &str,
        book_id: &str,
        kid: &str,
    ) -> Result<Option<RevocationTarget>, StoreError> {
        let (coupon, book, key) = (
            RevocationTarget::Coupon.as_str(),
            RevocationTarget::Book.as_str(),
            RevocationTarget::Key.as_str(),
        );
        Ok(self
            .conn
            .prepare_cached(FIRST_REVOKED_SQL)?
            .query_row(params![coupon, coupon_id, book, book_id, key, kid], |r| {
                parse_column(r, 0)
            })
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

    /// Every book, signing key, revocation, redemption and dispute, for the shop digest.
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
        self.for_each_row(
            &format!("SELECT {DISPUTE_COLUMNS} FROM disputes ORDER BY id"),
            |r| dispute_from_row(r).map(CouponRecord::Dispute),
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

    /// One redemption by id.
    pub fn redemption(&self, id: &str) -> Result<Option<Redemption>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {REDEMPTION_COLUMNS} FROM redemptions WHERE id = ?1"),
                [id],
                redemption_from_row,
            )
            .optional()?)
    }

    /// Records a redemption made on this device together with its outbox entry (kind
    /// [`REDEMPTION_KIND`](crate::protocol::REDEMPTION_KIND), entity id = redemption id): call it inside one write
    /// transaction, so a kill leaves both or neither. Returns the mutation id.
    pub fn record_local_redemption(
        &self,
        red: &Redemption,
        payload_json: &str,
    ) -> Result<i64, StoreError> {
        self.insert_redemption(red)?;
        SyncRepo { conn: self.conn }.enqueue(&NewMutation {
            kind: crate::protocol::REDEMPTION_KIND,
            entity_id: &red.id,
            base_version: None,
            payload: payload_json,
            created_ms: red.redeemed_ms,
        })
    }

    /// Uses and amount spent of a coupon, from the redemptions that count (pending and
    /// confirmed; see [`Redemption::counts`]).
    pub fn usage_of(&self, coupon_id: &str) -> Result<CouponUsage, StoreError> {
        let (uses, spent): (i64, i64) = self
            .conn
            .prepare_cached(USAGE_OF_SQL)?
            .query_row([coupon_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(CouponUsage {
            uses: u32::try_from(uses).unwrap_or(u32::MAX),
            spent: Fen(spent),
        })
    }

    /// This device's redemptions the server has not answered yet.
    pub fn unsynced_totals(&self) -> Result<UnsyncedTotals, StoreError> {
        let (count, value): (i64, i64) = self
            .conn
            .prepare_cached(UNSYNCED_TOTALS_SQL)?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(UnsyncedTotals {
            count: u32::try_from(count).unwrap_or(u32::MAX),
            value: Fen(value),
        })
    }

    /// Marks this device's redemption as disputed, if it is still waiting for the
    /// server's answer. Returns whether it changed.
    pub fn mark_disputed(&self, redemption_id: &str) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE redemptions SET state = 'disputed' WHERE id = ?1 AND state = 'pending'",
            [redemption_id],
        )? > 0)
    }

    /// Inserts or updates a dispute from the server. A resolution made on this phone is
    /// kept when the server's copy has none.
    pub fn put_dispute(&self, d: &Dispute) -> Result<(), StoreError> {
        let accepted =
            serde_json::to_string(&d.accepted).map_err(|e| StoreError::InvalidInput {
                what: "dispute",
                detail: e.to_string(),
            })?;
        self.conn
            .prepare_cached(
                "INSERT INTO disputes (id, coupon_id, book_id, kind, accepted,
                     refused_redemption_id, refused_device_id, refused_amount_fen,
                     refused_order_total_fen, refused_redeemed_ms, detected_ms, message,
                     resolved_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT (id) DO UPDATE SET coupon_id = excluded.coupon_id,
                     book_id = excluded.book_id, kind = excluded.kind,
                     accepted = excluded.accepted,
                     refused_redemption_id = excluded.refused_redemption_id,
                     refused_device_id = excluded.refused_device_id,
                     refused_amount_fen = excluded.refused_amount_fen,
                     refused_order_total_fen = excluded.refused_order_total_fen,
                     refused_redeemed_ms = excluded.refused_redeemed_ms,
                     detected_ms = excluded.detected_ms, message = excluded.message,
                     resolved_ms = coalesce(excluded.resolved_ms, disputes.resolved_ms)",
            )?
            .execute(params![
                d.id,
                d.coupon_id,
                d.book_id,
                d.kind.as_str(),
                accepted,
                d.refused.redemption_id,
                d.refused.device_id,
                d.refused.amount.0,
                d.refused.order_total.0,
                d.refused.redeemed_ms,
                d.detected_ms,
                d.message,
                d.resolved_ms
            ])?;
        Ok(())
    }

    /// One dispute by id.
    pub fn dispute(&self, id: &str) -> Result<Option<Dispute>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {DISPUTE_COLUMNS} FROM disputes WHERE id = ?1"),
                [id],
                dispute_from_row,
            )
            .optional()?)
    }

    /// Disputes, newest first; resolved ones only if asked.
    pub fn disputes(&self, include_resolved: bool) -> Result<Vec<Dispute>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DISPUTE_COLUMNS} FROM disputes WHERE ?1 OR resolved_ms IS NULL
             ORDER BY detected_ms DESC, id DESC"
        ))?;
        let rows = stmt.query_map([include_resolved], dispute_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks a dispute as dealt with. Returns whether it was open.
    pub fn resolve_dispute(&self, id: &str, at_ms: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE disputes SET resolved_ms = ?2 WHERE id = ?1 AND resolved_ms IS NULL",
            params![id, at_ms],
        )? > 0)
    }

    /// Removes a dispute (a tombstone from the server).
    pub fn delete_dispute(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_by("DELETE FROM disputes WHERE id = ?1", id)
    }

    /// The device's offline limits.
    pub fn limits(&self) -> Result<WalletLimits, StoreError> {
        let read = |r: &Row<'_>| -> rusqlite::Result<(i64, i64, i64)> {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        };
        let (count, value, hours) = self
            .conn
            .prepare_cached(
                "SELECT max_unsynced_count, max_unsynced_value_fen, max_offline_hours
                 FROM wallet_limits WHERE id = 1",
            )?
            .query_row([], read)?;
        let invalid = |what: &str| StoreError::InvalidData {
            what: "wallet limits",
            detail: format!("{what} is out of range"),
        };
        Ok(WalletLimits {
            max_unsynced_count: u32::try_from(count).map_err(|_| invalid("max_unsynced_count"))?,
            max_unsynced_value: Fen(value),
            max_offline_hours: u32::try_from(hours).map_err(|_| invalid("max_offline_hours"))?,
        })
    }

    /// Changes the device's offline limits.
    pub fn set_limits(&self, limits: &WalletLimits, now_ms: i64) -> Result<(), StoreError> {
        if limits.max_unsynced_value.is_negative() {
            return Err(StoreError::InvalidInput {
                what: "wallet limits",
                detail: "the unsynced value cap cannot be negative".into(),
            });
        }
        self.conn.execute(
            "UPDATE wallet_limits SET max_unsynced_count = ?1, max_unsynced_value_fen = ?2,
                 max_offline_hours = ?3, updated_ms = ?4 WHERE id = 1",
            params![
                limits.max_unsynced_count,
                limits.max_unsynced_value.0,
                limits.max_offline_hours,
                now_ms
            ],
        )?;
        Ok(())
    }
}
