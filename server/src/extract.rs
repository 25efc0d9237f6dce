//! Extractors that answer bad input with the protocol's JSON errors.
//!
//! axum's own `Json`, `Query` and `Path` reject with plain text; these wrappers keep axum's
//! parsing and replace only the rejection, so a client always gets
//! `{"error":{"code","message"}}` with a 4xx status and a message naming the field at fault.

use std::net::SocketAddr;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use sellerkit_core::protocol::error_code;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, JSON_UTF8};
use crate::state::AppState;
use crate::store;

/// A JSON request body (rejections become JSON errors) or a JSON response body (with the
/// protocol's `application/json; charset=utf-8`).
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            error_code::PAYLOAD_TOO_LARGE,
            "request body is too large",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            error_code::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/json",
        ),
        // Syntax and type errors: serde's text names the field, line and column.
        _ => ApiError::invalid_request(rejection.body_text()),
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(bytes) => json_response(StatusCode::OK, bytes),
            Err(e) => ApiError::internal(&e).into_response(),
        }
    }
}

/// A response with a JSON body that is already serialised.
pub fn json_response(status: StatusCode, body: impl Into<axum::body::Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    response
}

/// Query parameters (rejections become `400 invalid_request`).
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(&rejection)),
        }
    }
}

fn query_rejection(rejection: &QueryRejection) -> ApiError {
    ApiError::invalid_request(rejection.body_text())
}

/// Path parameters (rejections become `400 invalid_request`).
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(path_rejection(&rejection)),
        }
    }
}

fn path_rejection(rejection: &PathRejection) -> ApiError {
    if rejection.status().is_server_error() {
        // Only a routing bug (a handler reading a parameter its route lacks) gets here.
        ApiError::internal(&rejection.body_text())
    } else {
        ApiError::invalid_request(rejection.body_text())
    }
}

/// Longest bearer token looked up; anything longer is not one of ours.
const MAX_TOKEN_LEN: usize = 128;

/// The device that sent the request, from `Authorization: Bearer <token>`.
///
/// Rejects with `401 unauthorized` when the header is missing or the token unknown, and
/// `401 token_revoked` when the device was deactivated. Every query a handler makes is
/// filtered by [`Device::shop_id`]: the token decides which shop is visible, never the
/// request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// The device's id.
    pub device_id: String,
    /// The device's shop.
    pub shop_id: String,
}

impl FromRequestParts<AppState> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauthorized =
            |msg: &str| ApiError::new(StatusCode::UNAUTHORIZED, error_code::UNAUTHORIZED, msg);
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("missing Authorization: Bearer token; activate first"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| {
                let (scheme, token) = h.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN_LEN)
            .ok_or_else(|| unauthorized("the Authorization header is not a bearer token"))?
            .to_string();
        let found = state
            .blocking(move |db| {
                db.read(|conn| store::device_by_token(conn, &token).map_err(ApiError::from))
            })
            .await?;
        match found {
            None => Err(unauthorized("unknown token; activate this device again")),
            Some(device) if device.revoked_ms.is_some() => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                error_code::TOKEN_REVOKED,
                "this device was deactivated; activate it again",
            )),
            Some(device) => Ok(Device {
                device_id: device.device_id,
                shop_id: device.shop_id,
            }),
        }
    }
}

/// Proof that the peer is on a loopback address; the `/dev/` endpoints need no token, so
/// they must not answer anyone else.
///
/// Without `ConnectInfo` (a router driven in-process without it) the answer is `403`: the
/// check fails closed.
#[derive(Debug, Clone, Copy)]
pub struct Loopback;

impl<S: Send + Sync> FromRequestParts<S> for Loopback {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        // The extractor (not the bare extension) also honours `MockConnectInfo` in tests.
        let peer = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .ok()
            .map(|ConnectInfo(addr)| addr.ip().to_canonical());
        match peer {
            Some(ip) if ip.is_loopback() => Ok(Loopback),
            _ => Err(ApiError::forbidden(
                "the /dev/ endpoints answer only on the loopback interface",
            )),
        }
    }
}
