//! The SQL of the coupon wallet's server side: signing keys, issued coupons, the revocation
//! index and the redemption ledger. Like [`crate::store`], functions take a `&Connection`
//! and never open transactions: callers decide what is atomic together.

use rusqlite::{Connection, OptionalExtension, params};
use sellerkit_core::domain::{RevocationTarget, SigningKey};
use sellerkit_core::money::Fen;

use crate::error::StoreError;

/// The algorithm of every key this server makes.
const ALGORITHM: &str = "EdDSA";

/// A signing key with its private half.
#[derive(Clone, Debug)]
pub struct StoredKey {
    /// The public part, as phones get it.
    pub public: SigningKey,
    /// PKCS#8 PEM of the private key.
    pub private_pem: String,
}

fn key_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredKey> {
    Ok(StoredKey {
        public: SigningKey {
            kid: r.get(0)?,
            algorithm: ALGORITHM.into(),
            public_key: r.get(1)?,
            not_before_ms: r.get(2)?,
            not_after_ms: r.get(3)?,
            updated_ms: r.get(4)?,
        },
        private_pem: r.get(5)?,
    })
}

const KEY_COLUMNS: &str = "kid, public_key, not_before_ms, not_after_ms, updated_ms, private_pem";

/// The shop's current signing key: the newest without an end of validity.
pub fn active_key(conn: &Connection, shop_id: &str) -> Result<Option<StoredKey>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM shop_keys WHERE shop_id = ?1 AND not_after_ms IS NULL
             ORDER BY created_ms DESC, rowid DESC LIMIT 1"
        ))?
        .query_row([shop_id], key_from_row)
        .optional()?)
}

/// One of the shop's keys by `kid`.
pub fn key(conn: &Connection, shop_id: &str, kid: &str) -> Result<Option<StoredKey>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM shop_keys WHERE shop_id = ?1 AND kid = ?2"
        ))?
        .query_row(params![shop_id, kid], key_from_row)
        .optional()?)
}

/// Every key of the shop, oldest first.
pub fn keys(conn: &Connection, shop_id: &str) -> Result<Vec<SigningKey>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {KEY_COLUMNS} FROM shop_keys WHERE shop_id = ?1 ORDER BY created_ms, rowid"
    ))?;
    let rows = stmt.query_map([shop_id], key_from_row)?;
    Ok(rows
        .map(|k| k.map(|k| k.public))
        .collect::<Result<_, _>>()?)
}

/// Adds a key to the shop.
pub fn insert_key(
    conn: &Connection,
    shop_id: &str,
    key: &SigningKey,
    private_pem: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO shop_keys (shop_id, kid, private_pem, public_key, not_before_ms,
             not_after_ms, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            shop_id,
            key.kid,
            private_pem,
            key.public_key,
            key.not_before_ms,
            key.not_after_ms,
            key.updated_ms
        ],
    )?;
    Ok(())
}

/// Ends a key's validity: coupons issued from `not_after_ms` on are refused.
pub fn retire_key(
    conn: &Connection,
    shop_id: &str,
    kid: &str,
    not_after_ms: i64,
    now_ms: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE shop_keys SET not_after_ms = ?3, updated_ms = ?4 WHERE shop_id = ?1 AND kid = ?2",
        params![shop_id, kid, not_after_ms, now_ms],
    )?;
    Ok(())
}

/// An issued coupon, as the book listing shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct IssuedCoupon {
    /// Its `cti`.
    pub coupon_id: String,
    /// Its book.
    pub book_id: String,
    /// The key that signed it.
    pub kid: String,
    /// The coupon text (`SKC1:...`), for a QR code.
    pub text: String,
    /// When it was issued, UTC ms.
    pub issued_ms: i64,
}

/// Records an issued coupon.
pub fn insert_coupon(conn: &Connection, shop_id: &str, c: &IssuedCoupon) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO issued_coupons (shop_id, coupon_id, book_id, kid, text, issued_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        shop_id,
        c.coupon_id,
        c.book_id,
        c.kid,
        c.text,
        c.issued_ms
    ])?;
    Ok(())
}

/// The coupons of a book, in the order they were issued.
pub fn coupons_of_book(
    conn: &Connection,
    shop_id: &str,
    book_id: &str,
) -> Result<Vec<IssuedCoupon>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT coupon_id, book_id, kid, text, issued_ms FROM issued_coupons
         WHERE shop_id = ?1 AND book_id = ?2 ORDER BY rowid",
    )?;
    let rows = stmt.query_map(params![shop_id, book_id], |r| {
        Ok(IssuedCoupon {
            coupon_id: r.get(0)?,
            book_id: r.get(1)?,
            kid: r.get(2)?,
            text: r.get(3)?,
            issued_ms: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether the shop issued a coupon with this id.
pub fn coupon_exists(
    conn: &Connection,
    shop_id: &str,
    coupon_id: &str,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM issued_coupons WHERE shop_id = ?1 AND coupon_id = ?2")?
        .exists(params![shop_id, coupon_id])?)
}

/// Coupons the shop issued in `[from_ms, until_ms)`.
pub fn issued_between(
    conn: &Connection,
    shop_id: &str,
    from_ms: i64,
    until_ms: i64,
) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM issued_coupons WHERE shop_id = ?1 AND issued_ms >= ?2
             AND issued_ms < ?3",
        params![shop_id, from_ms, until_ms],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Records that `target_id` is revoked from `revoked_ms` on (the first revocation wins).
pub fn index_revocation(
    conn: &Connection,
    shop_id: &str,
    target: RevocationTarget,
    target_id: &str,
    revoked_ms: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO revocation_index (shop_id, target, target_id, revoked_ms)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE
         SET revoked_ms = min(revoked_ms, excluded.revoked_ms)",
        params![shop_id, target.as_str(), target_id, revoked_ms],
    )?;
    Ok(())
}

/// When `target_id` was revoked, if it was.
pub fn revoked_since(
    conn: &Connection,
    shop_id: &str,
    target: RevocationTarget,
    target_id: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT revoked_ms FROM revocation_index
             WHERE shop_id = ?1 AND target = ?2 AND target_id = ?3",
        )?
        .query_row(params![shop_id, target.as_str(), target_id], |r| r.get(0))
        .optional()?)
}

/// One row of the redemption ledger.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct LedgerEntry {
    /// The redemption's id.
    pub redemption_id: String,
    /// The coupon.
    pub coupon_id: String,
    /// The device that pushed it.
    pub device_id: String,
    /// Discount granted or stored value spent.
    pub amount: Fen,
    /// When it was redeemed at the counter, UTC ms.
    pub redeemed_ms: i64,
    /// Whether the server accepted it.
    pub accepted: bool,
    /// The answer given to it (JSON: status, reason, code, server_state).
    pub outcome: serde_json::Value,
}

fn ledger_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(LedgerEntry, String)> {
    Ok((
        LedgerEntry {
            redemption_id: r.get(0)?,
            coupon_id: r.get(1)?,
            device_id: r.get(2)?,
            amount: Fen(r.get(3)?),
            redeemed_ms: r.get(4)?,
            accepted: r.get(5)?,
            outcome: serde_json::Value::Null,
        },
        r.get(6)?,
    ))
}

fn with_outcome((mut entry, json): (LedgerEntry, String)) -> Result<LedgerEntry, StoreError> {
    entry.outcome = serde_json::from_str(&json)?;
    Ok(entry)
}

const LEDGER_COLUMNS: &str =
    "redemption_id, coupon_id, device_id, amount_fen, redeemed_ms, accepted, outcome";

/// A redemption already answered, by id.
pub fn ledger_entry(
    conn: &Connection,
    shop_id: &str,
    redemption_id: &str,
) -> Result<Option<LedgerEntry>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {LEDGER_COLUMNS} FROM redemption_ledger WHERE shop_id = ?1 AND redemption_id = ?2"
    ))?
    .query_row(params![shop_id, redemption_id], ledger_from_row)
    .optional()?
    .map(with_outcome)
    .transpose()
}

/// The accepted redemptions of a coupon, in the order they were accepted.
pub fn accepted_of(
    conn: &Connection,
    shop_id: &str,
    coupon_id: &str,
) -> Result<Vec<LedgerEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LEDGER_COLUMNS} FROM redemption_ledger
         WHERE shop_id = ?1 AND coupon_id = ?2 AND accepted = 1 ORDER BY seq"
    ))?;
    let rows = stmt.query_map(params![shop_id, coupon_id], ledger_from_row)?;
    rows.map(|r| with_outcome(r?)).collect()
}

/// Every redemption the shop's devices pushed, in arrival order.
pub fn ledger(conn: &Connection, shop_id: &str) -> Result<Vec<LedgerEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LEDGER_COLUMNS} FROM redemption_ledger WHERE shop_id = ?1 ORDER BY seq"
    ))?;
    let rows = stmt.query_map([shop_id], ledger_from_row)?;
    rows.map(|r| with_outcome(r?)).collect()
}

/// Appends a redemption and the answer it got.
pub fn insert_ledger(conn: &Connection, shop_id: &str, e: &LedgerEntry) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO redemption_ledger (shop_id, redemption_id, coupon_id, device_id, amount_fen,
             redeemed_ms, accepted, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        shop_id,
        e.redemption_id,
        e.coupon_id,
        e.device_id,
        e.amount.0,
        e.redeemed_ms,
        e.accepted,
        serde_json::to_string(&e.outcome)?
    ])?;
    Ok(())
}
