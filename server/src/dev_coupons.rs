//! The `/dev/` endpoints of the coupon wallet: issue a book of signed coupons, list a
//! book's coupons, revoke, rotate and list keys, and read the redemption ledger. Loopback
//! only, like every `/dev/` endpoint.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sellerkit_core::domain::{CouponBook, Revocation, SigningKey};
use sellerkit_core::protocol::EntityKind;

use crate::clock;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, Loopback};
use crate::issuing::{self, IssueBook, Revoke};
use crate::keys;
use crate::state::AppState;
use crate::store;
use crate::store::coupons::{self, IssuedCoupon, LedgerEntry};

/// `POST /dev/shops/{shop_id}/coupons`: issues a book of signed coupons (`201`), within the
/// tier's monthly quota (`403 quota_exceeded` otherwise).
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
            Ok(issuing::issue_book(
                tx,
                seqs,
                shop_id,
                &body,
                supplied.as_deref(),
                now,
            )?)
        })
        .await?;
    Ok((StatusCode::CREATED, ApiJson(issued)).into_response())
}

/// `GET /dev/shops/{shop_id}/coupon-books/{book_id}/coupons` answer.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BookCoupons {
    /// The book.
    pub book: CouponBook,
    /// Its coupons, in issue order.
    pub coupons: Vec<IssuedCoupon>,
}

/// `GET /dev/shops/{shop_id}/coupon-books/{book_id}/coupons`: a book and its coupons' texts.
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
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct KeyList {
    /// The shop's keys, oldest first (public parts only).
    pub keys: Vec<SigningKey>,
}

/// `GET /dev/shops/{shop_id}/keys`: the shop's signing keys.
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
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Ledger {
    /// Every redemption pushed by the shop's devices, in arrival order, with its answer.
    pub redemptions: Vec<LedgerEntry>,
}

/// `GET /dev/shops/{shop_id}/redemptions`: the redemption ledger (accepted and not).
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
