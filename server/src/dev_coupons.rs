//! The `/dev/` endpoints of the coupon wallet: issue a book of signed coupons, list a
//! book's coupons, revoke, rotate and list keys, and read the redemption ledger. Loopback
//! only, like every `/dev/` endpoint.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sellerkit_core::domain::{CouponBook, Revocation, SigningKey};
use sellerkit_core::protocol::EntityKind;

use crate::clock;
use sellerkit_core::protocol::ErrorBody;

use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, Loopback};
use crate::issuing::{self, IssueBook, IssuedBook, Revoke};
use crate::keys;
use crate::state::AppState;
use crate::store;
use crate::store::coupons::{self, IssuedCoupon, LedgerEntry};

/// `POST /dev/shops/{shop_id}/coupons`: issues a book of signed coupons (`201`), within the
/// tier's monthly quota (`403 quota_exceeded` otherwise).
#[utoipa::path(post, path = "/dev/shops/{shop_id}/coupons", tag = "dev", params(("shop_id" = String, Path, description = "The shop.")),
    request_body(content = IssueBook, description = "Give exactly one of `value_fen` and \
        `value_bps`; `max_uses` with `multi_use` only; a stored-value book needs `value_fen`; \
        the validity must not be empty (`invalid_request` otherwise)."),
    responses(
        (status = 201, description = "Issued: the book, its key and every coupon's text.", body = IssuedBook),
        (status = 403, description = "The tier's monthly quota is used up (`quota_exceeded`), or \
            the peer is not on loopback (`forbidden`).", body = ErrorBody),
        (status = 404, description = "No such shop (`not_found`).", body = ErrorBody),
        (status = 409, description = "The book id is taken (`already_exists`).", body = ErrorBody),
    ))]
pub async fn issue(
    _: Loopback,
    State(state): State<AppState>,
    ApiPath(shop_id): ApiPath<String>,
    ApiJson(body): ApiJson<IssueBook>,
) -> Result<Response, ApiError> {
    let supplied = state.supplied_key();
    let issued = state
        .shop_write(shop_id, move |tx, seqs, shop_id| {
            let now = clock::now_ms();
            issuing::issue_book(tx, seqs, shop_id, &body, supplied.as_deref(), now)
        })
        .await?;
    Ok((StatusCode::CREATED, ApiJson(issued)).into_response())
}

/// `GET /dev/shops/{shop_id}/coupon-books/{book_id}/coupons` answer.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct BookCoupons {
    /// The book.
    pub book: CouponBook,
    /// Its coupons, in issue order.
    pub coupons: Vec<IssuedCoupon>,
}

/// `GET /dev/shops/{shop_id}/coupon-books/{book_id}/coupons`: a book and its coupons' texts.
#[utoipa::path(get, path = "/dev/shops/{shop_id}/coupon-books/{book_id}/coupons", tag = "dev",
    params(("shop_id" = String, Path, description = "The shop."), ("book_id" = String, Path, description = "The book.")),
    responses(
        (status = 200, description = "The book and its coupons' texts.", body = BookCoupons),
        (status = 404, description = "No such shop or book (`not_found`).", body = ErrorBody),
    ))]
pub async fn book_coupons(
    _: Loopback,
    State(state): State<AppState>,
    ApiPath((shop_id, book_id)): ApiPath<(String, String)>,
) -> Result<ApiJson<BookCoupons>, ApiError> {
    state
        .shop_read(shop_id, move |conn, shop_id| {
            let Some(book) = store::get_typed(conn, shop_id, EntityKind::CouponBook, &book_id)?
            else {
                return Err(ApiError::not_found("no such coupon book in this shop"));
            };
            Ok(ApiJson(BookCoupons {
                book,
                coupons: coupons::coupons_of_book(conn, shop_id, &book_id)?,
            }))
        })
        .await
}

/// `POST /dev/shops/{shop_id}/revocations`: revokes a coupon, book or key (`201`).
#[utoipa::path(post, path = "/dev/shops/{shop_id}/revocations", tag = "dev", params(("shop_id" = String, Path, description = "The shop.")),
    request_body = Revoke,
    responses(
        (status = 201, description = "Revoked from now on; the revocation is in the feed.", body = Revocation),
        (status = 404, description = "No such shop, or it has no such coupon, book or key (`not_found`).", body = ErrorBody),
    ))]
pub async fn revoke(
    _: Loopback,
    State(state): State<AppState>,
    ApiPath(shop_id): ApiPath<String>,
    ApiJson(body): ApiJson<Revoke>,
) -> Result<Response, ApiError> {
    let revocation: Revocation = state
        .shop_write(shop_id, move |tx, seqs, shop_id| {
            issuing::revoke(tx, seqs, shop_id, &body, clock::now_ms())
        })
        .await?;
    Ok((StatusCode::CREATED, ApiJson(revocation)).into_response())
}

/// `GET /dev/shops/{shop_id}/keys` answer.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct KeyList {
    /// The shop's keys, oldest first (public parts only).
    pub keys: Vec<SigningKey>,
}

/// `GET /dev/shops/{shop_id}/keys`: the shop's signing keys.
#[utoipa::path(get, path = "/dev/shops/{shop_id}/keys", tag = "dev", params(("shop_id" = String, Path, description = "The shop.")),
    responses(
        (status = 200, description = "The shop's signing keys, oldest first.", body = KeyList),
        (status = 404, description = "No such shop (`not_found`).", body = ErrorBody),
    ))]
pub async fn list_keys(
    _: Loopback,
    State(state): State<AppState>,
    ApiPath(shop_id): ApiPath<String>,
) -> Result<ApiJson<KeyList>, ApiError> {
    state
        .shop_read(shop_id, |conn, shop_id| {
            Ok(ApiJson(KeyList {
                keys: issuing::list_keys(conn, shop_id)?,
            }))
        })
        .await
}

/// `POST /dev/shops/{shop_id}/keys/rotate`: ends the current key and starts a new one.
#[utoipa::path(post, path = "/dev/shops/{shop_id}/keys/rotate", tag = "dev", params(("shop_id" = String, Path, description = "The shop.")),
    responses(
        (status = 200, description = "The new key; the old one ends at the end of this second.", body = SigningKey),
        (status = 404, description = "No such shop (`not_found`).", body = ErrorBody),
    ))]
pub async fn rotate_key(
    _: Loopback,
    State(state): State<AppState>,
    ApiPath(shop_id): ApiPath<String>,
) -> Result<ApiJson<SigningKey>, ApiError> {
    state
        .shop_write(shop_id, |tx, seqs, shop_id| {
            Ok(ApiJson(keys::rotate(tx, seqs, shop_id, clock::now_ms())?))
        })
        .await
}

/// `GET /dev/shops/{shop_id}/redemptions` answer.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Ledger {
    /// Every redemption pushed by the shop's devices, in arrival order, with its answer.
    pub redemptions: Vec<LedgerEntry>,
}

/// `GET /dev/shops/{shop_id}/redemptions`: the redemption ledger (accepted and not).
#[utoipa::path(get, path = "/dev/shops/{shop_id}/redemptions", tag = "dev", params(("shop_id" = String, Path, description = "The shop.")),
    responses(
        (status = 200, description = "Every redemption pushed, in arrival order.", body = Ledger),
        (status = 404, description = "No such shop (`not_found`).", body = ErrorBody),
    ))]
pub async fn ledger(
    _: Loopback,
    State(state): State<AppState>,
    ApiPath(shop_id): ApiPath<String>,
) -> Result<ApiJson<Ledger>, ApiError> {
    state
        .shop_read(shop_id, |conn, shop_id| {
            Ok(ApiJson(Ledger {
                redemptions: coupons::ledger(conn, shop_id)?,
            }))
        })
        .await
}
