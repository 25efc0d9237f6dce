//! The router: every route, its body limit, and the layers around them (compression both
//! ways, JSON error bodies, panic safety, tracing).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post, put};
use sellerkit_core::protocol::MAX_MEDIA_BYTES;
use tower_http::CompressionLevel;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::trace::TraceLayer;

use crate::error::{ApiError, json_error_bodies};
use crate::extract::json_response;
use crate::state::AppState;
use crate::{analytics, api, dev, dev_coupons, media, mutations};

/// Body limit of routes that take no body or a small one.
const SMALL_BODY_LIMIT: usize = 64 * 1024;
/// Body limit of a push: 500 mutations with long descriptions fit.
const PUSH_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Body limit of the `/dev/` endpoints, which take explicit orders and products in bulk.
const DEV_BODY_LIMIT: usize = 256 * 1024 * 1024;

/// The OpenAPI document of the protocol, served at `/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

/// One protocol route: method, path (axum syntax, which is also OpenAPI's) and handler.
pub struct V1Route {
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path, e.g. `/v1/media/{image_id}`.
    pub path: &'static str,
    handler: MethodRouter<AppState>,
}

/// Every `/v1` route. The router is built from this table, and a test checks that the
/// OpenAPI document describes each entry, so the document cannot silently fall behind.
pub fn v1_routes() -> Vec<V1Route> {
    // Limits apply to the decompressed body (the check happens when the handler reads it),
    // so a small gzip bomb is refused like a big plain body.
    let with_limit =
        |m: MethodRouter<AppState>, limit: usize| m.layer(DefaultBodyLimit::max(limit));
    let media_limit = usize::try_from(MAX_MEDIA_BYTES).unwrap_or(usize::MAX);
    vec![
        V1Route {
            method: "GET",
            path: "/v1/health",
            handler: get(api::health),
        },
        V1Route {
            method: "POST",
            path: "/v1/activate",
            handler: post(api::activate),
        },
        V1Route {
            method: "GET",
            path: "/v1/changes",
            handler: get(api::changes),
        },
        V1Route {
            method: "POST",
            path: "/v1/mutations",
            handler: with_limit(post(mutations::push), PUSH_BODY_LIMIT),
        },
        V1Route {
            method: "GET",
            path: "/v1/media/{image_id}",
            handler: get(media::download),
        },
        V1Route {
            method: "PUT",
            path: "/v1/media/{image_id}",
            handler: with_limit(put(media::upload), media_limit),
        },
    ]
}

/// The complete application: protocol, `/dev/` endpoints and `/openapi.json`.
///
/// Peers' addresses must reach it as `ConnectInfo<SocketAddr>` for the `/dev/` endpoints to
/// answer (see [`crate::serve`]); without it they answer `403`.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in v1_routes() {
        // Routes sharing a path (GET and PUT of media) merge into one method router.
        router = router.route(route.path, route.handler);
    }
    let dev_limit = DefaultBodyLimit::max(DEV_BODY_LIMIT);
    let dev = Router::new()
        .route("/dev/shops", get(dev::list_shops).post(dev::create_shop))
        .route("/dev/shops/{shop_id}/orders", post(dev::add_orders))
        .route("/dev/shops/{shop_id}/products", post(dev::put_products))
        .route(
            "/dev/shops/{shop_id}/products/{product_id}",
            delete(dev::delete_product),
        )
        .route(
            "/dev/shops/{shop_id}/coupon-books",
            post(dev::put_coupon_books),
        )
        .route("/dev/shops/{shop_id}/coupons", post(dev_coupons::issue))
        .route(
            "/dev/shops/{shop_id}/coupon-books/{book_id}/coupons",
            get(dev_coupons::book_coupons),
        )
        .route(
            "/dev/shops/{shop_id}/revocations",
            post(dev_coupons::revoke),
        )
        .route("/dev/shops/{shop_id}/keys", get(dev_coupons::list_keys))
        .route(
            "/dev/shops/{shop_id}/keys/rotate",
            post(dev_coupons::rotate_key),
        )
        .route("/dev/shops/{shop_id}/redemptions", get(dev_coupons::ledger))
        .route("/dev/shops/{shop_id}/digest", get(dev::digest))
        .route("/dev/shops/{shop_id}/analytics", get(analytics::dashboard))
        .route("/dev/devices/{device_id}/revoke", post(dev::revoke_device))
        .layer(dev_limit);
    router
        .route("/openapi.json", get(openapi))
        .merge(dev)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(SMALL_BODY_LIMIT))
        .with_state(state)
        // Innermost first: a panicking handler becomes a JSON 500, not a dropped connection.
        .layer(CatchPanicLayer::custom(
            |_panic: Box<dyn std::any::Any + Send>| {
                ApiError::internal(&"a handler panicked").into_response()
            },
        ))
        .layer(RequestDecompressionLayer::new())
        .layer(axum::middleware::map_response(json_error_bodies))
        // The fastest level: pages of a million-order sync are compressed on the fly, and
        // on such JSON it already gets most of the ratio of the default level.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(TraceLayer::new_for_http())
}

async fn openapi() -> Response {
    json_response(StatusCode::OK, OPENAPI_JSON)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint; the API is described at /openapi.json")
}
