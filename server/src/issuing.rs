//! Issuing coupon books: the book in the feed, `count` coupons signed with the shop's key,
//! within the tier's monthly quota; and revoking coupons, books and keys.

use rusqlite::Connection;
use sellerkit_core::coupons::{CouponClaims, CouponValue};
use sellerkit_core::domain::{
    CouponBook, CouponKind, CouponScope, Revocation, RevocationTarget, SigningKey,
};
use sellerkit_core::money::{Bps, Fen};
use sellerkit_core::protocol::EntityKind;

use crate::error::{ALREADY_EXISTS, ApiError};
use crate::keys::{self, SuppliedKey};
use crate::quota;
use crate::store::coupons::{self, IssuedCoupon};
use crate::store::{self, SeqAlloc};

/// Most coupons one request issues (a premium shop's whole month).
pub const MAX_ISSUE_COUNT: u32 = 20_000;
/// How long a book is valid when the request does not say: 30 days.
const DEFAULT_VALIDITY_MS: i64 = 30 * 86_400_000;

/// `POST /dev/shops/{shop_id}/coupons` body: a new book and how many coupons to issue.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct IssueBook {
    /// Wanted book id; a fresh `book_…` id when absent.
    #[serde(default)]
    #[schema(min_length = 1)]
    pub book_id: Option<String>,
    /// Seller-facing name, e.g. `满100减10`: at most 100 characters, not only spaces.
    #[schema(pattern = "\\S", max_length = 100)]
    pub title: String,
    /// `single_use`, `multi_use` or `stored_value`.
    pub kind: CouponKind,
    /// Fixed value (or stored balance) in fen; exclusive with `value_bps`.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub value_fen: Option<Fen>,
    /// Percentage off in basis points (1 to 10000); exclusive with `value_fen`.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10_000)]
    pub value_bps: Option<i32>,
    /// Uses per coupon, for `multi_use` only (at least 1).
    #[serde(default)]
    #[schema(minimum = 1)]
    pub max_uses: Option<u32>,
    /// Minimum order total in fen (default 0).
    #[serde(default)]
    pub min_spend: Fen,
    /// Start of validity, UTC ms (default: now).
    #[serde(default)]
    pub valid_from_ms: Option<i64>,
    /// End of validity (exclusive), UTC ms (default: 30 days after the start).
    #[serde(default)]
    pub valid_until_ms: Option<i64>,
    /// Products or categories it applies to (default: all).
    #[serde(default = "all_products")]
    pub scope: CouponScope,
    /// Coupons to issue, 1 to [`MAX_ISSUE_COUNT`].
    #[schema(minimum = 1, maximum = 20_000)]
    pub count: u32,
}

fn all_products() -> CouponScope {
    CouponScope::All
}

/// The answer: the book and every coupon's text.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct IssuedBook {
    /// The book, as phones get it in the feed.
    pub book: CouponBook,
    /// The key the coupons are signed with.
    pub kid: String,
    /// The coupons, in issue order.
    pub coupons: Vec<IssuedCoupon>,
}

/// Why a coupon book's terms are impossible, if they are.
pub fn book_problem(b: &CouponBook) -> Option<String> {
    let id = &b.id;
    if id.is_empty() {
        return Some("every coupon book needs an id".into());
    }
    if b.value_fen.is_some() == b.value_bps.is_some() {
        return Some(format!(
            "book {id}: give exactly one of value_fen and value_bps"
        ));
    }
    if b.value_fen.is_some_and(|v| v.0 <= 0) {
        return Some(format!("book {id}: value_fen must be positive"));
    }
    if b.value_bps.is_some_and(|v| !(1..=10_000).contains(&v)) {
        return Some(format!("book {id}: value_bps must be 1 to 10000"));
    }
    if b.kind == CouponKind::StoredValue && b.value_fen.is_none() {
        return Some(format!("book {id}: a stored-value book needs value_fen"));
    }
    if (b.kind == CouponKind::MultiUse) != b.max_uses.is_some() || b.max_uses.is_some_and(|n| n < 1)
    {
        return Some(format!(
            "book {id}: max_uses (at least 1) goes with multi_use only"
        ));
    }
    if b.min_spend.0 < 0 || b.issued_count < 0 {
        return Some(format!(
            "book {id}: min_spend and issued_count cannot be negative"
        ));
    }
    if b.valid_from_ms >= b.valid_until_ms {
        return Some(format!(
            "book {id}: valid_from_ms must be before valid_until_ms"
        ));
    }
    None
}

/// Issues a book of `count` coupons for the shop in the caller's write transaction.
pub fn issue_book(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    shop_id: &str,
    req: &IssueBook,
    supplied: Option<&SuppliedKey>,
    now_ms: i64,
) -> Result<IssuedBook, ApiError> {
    if req.count == 0 || req.count > MAX_ISSUE_COUNT {
        return Err(ApiError::invalid_request(format!(
            "count must be 1 to {MAX_ISSUE_COUNT}"
        )));
    }
    let title = req.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return Err(ApiError::invalid_request(
            "title must be 1 to 100 characters",
        ));
    }
    let book_id = match &req.book_id {
        Some(id) => {
            if store::get_entity(conn, shop_id, EntityKind::CouponBook, id)?.is_some() {
                return Err(ApiError::new(
                    axum::http::StatusCode::CONFLICT,
                    ALREADY_EXISTS,
                    format!("book {id} exists already; a book's coupons are issued once"),
                ));
            }
            id.clone()
        }
        None => format!("book_{}", &uuid::Uuid::now_v7().simple().to_string()[20..]),
    };
    let valid_from_ms = req.valid_from_ms.unwrap_or(now_ms);
    let book = CouponBook {
        id: book_id,
        title: title.to_string(),
        kind: req.kind,
        value_fen: req.value_fen,
        value_bps: req.value_bps,
        max_uses: req.max_uses.map(i64::from),
        min_spend: req.min_spend,
        valid_from_ms,
        valid_until_ms: req
            .valid_until_ms
            .unwrap_or(valid_from_ms.saturating_add(DEFAULT_VALIDITY_MS)),
        scope: req.scope.clone(),
        issued_count: i64::from(req.count),
        version: 1,
        updated_ms: now_ms,
    };
    if let Some(problem) = book_problem(&book) {
        return Err(ApiError::invalid_request(problem));
    }
    quota::check_coupon_quota(conn, shop_id, u64::from(req.count), now_ms)?;

    let signer = keys::active_signer(conn, seqs, shop_id, supplied, now_ms)?;
    let value = match (book.value_fen, book.value_bps) {
        (Some(fen), _) => CouponValue::Amount(fen),
        (None, Some(bps)) => CouponValue::Percent(Bps(bps)),
        (None, None) => return Err(ApiError::invalid_request("the book has no value")),
    };
    let mut coupons = Vec::with_capacity(req.count as usize);
    for _ in 0..req.count {
        let claims = CouponClaims {
            issuer: shop_id.to_string(),
            coupon_id: format!("c_{}", uuid::Uuid::now_v7().simple()),
            issued_ms: now_ms,
            not_before_ms: book.valid_from_ms,
            expires_ms: book.valid_until_ms,
            book_id: book.id.clone(),
            kind: book.kind,
            value,
            max_uses: req.max_uses,
            min_spend: book.min_spend,
            scope: book.scope.clone(),
        };
        // The format's own checks (id lengths, scope size, whole-second instants) speak
        // for themselves.
        let text = signer
            .try_issue(&claims)
            .map_err(|e| ApiError::invalid_request(format!("cannot issue: {e}")))?;
        let coupon = IssuedCoupon {
            coupon_id: claims.coupon_id,
            book_id: book.id.clone(),
            kid: signer.kid().to_string(),
            text,
            issued_ms: now_ms,
        };
        coupons::insert_coupon(conn, shop_id, &coupon)?;
        coupons.push(coupon);
    }
    store::put_value(conn, seqs, shop_id, EntityKind::CouponBook, &book.id, &book)?;
    Ok(IssuedBook {
        book,
        kid: signer.kid().to_string(),
        coupons,
    })
}

/// `POST /dev/shops/{shop_id}/revocations` body.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Revoke {
    /// `coupon`, `book` or `key`.
    pub target: RevocationTarget,
    /// The coupon's `cti`, the book id or the `kid`.
    pub target_id: String,
    /// Why, for the seller.
    #[serde(default)]
    pub reason: String,
}

/// Revokes a coupon, a book or a key of the shop from now on; the revocation reaches the
/// phones through the feed. `404` when the shop has no such thing.
pub fn revoke(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    shop_id: &str,
    req: &Revoke,
    now_ms: i64,
) -> Result<Revocation, ApiError> {
    let id = &req.target_id;
    let exists = match req.target {
        RevocationTarget::Coupon => coupons::coupon_exists(conn, shop_id, id)?,
        RevocationTarget::Book => {
            store::get_entity(conn, shop_id, EntityKind::CouponBook, id)?.is_some()
        }
        RevocationTarget::Key => coupons::key(conn, shop_id, id)?.is_some(),
    };
    if !exists {
        return Err(ApiError::not_found(format!(
            "this shop has no {} {id:?}",
            req.target
        )));
    }
    let revocation = Revocation {
        id: format!("rev_{}", uuid::Uuid::now_v7().simple()),
        target: req.target,
        target_id: id.clone(),
        revoked_ms: now_ms,
        reason: req.reason.chars().take(500).collect(),
    };
    coupons::index_revocation(conn, shop_id, req.target, id, now_ms)?;
    store::put_value(
        conn,
        seqs,
        shop_id,
        EntityKind::Revocation,
        &revocation.id,
        &revocation,
    )?;
    Ok(revocation)
}

/// The shop's keys, oldest first.
pub fn list_keys(conn: &Connection, shop_id: &str) -> Result<Vec<SigningKey>, ApiError> {
    Ok(coupons::keys(conn, shop_id)?)
}
