//! The router: every route (one table, [`routes`]), its body limit, and the layers around them (compression both
//! ways, JSON error bodies, panic safety, tracing).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, delete, get, post, put};
use sellerkit_core::protocol::MAX_MEDIA_BYTES;
use tower_http::CompressionLevel;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::trace::TraceLayer;

use crate::error::{ApiError, json_error_bodies};
use crate::state::AppState;
use crate::{
    analytics, api, connection_reuse, dev, dev_checklist, dev_coupons, media, mutations, openapi,
};

/// Body limit of routes that take no body or a small one.
const SMALL_BODY_LIMIT: usize = 64 * 1024;
/// Body limit of a push: 500 mutations with long descriptions fit.
const PUSH_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Body limit of the `/dev/` endpoints, which take explicit orders and products in bulk.
const DEV_BODY_LIMIT: usize = 256 * 1024 * 1024;

/// One route: method, path (axum syntax, which is also OpenAPI's) and handler.
pub struct Route {
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path, e.g. `/v1/media/{image_id}`.
    pub path: &'static str,
    handler: MethodRouter<AppState>,
}

fn route(method: &'static str, path: &'static str, handler: MethodRouter<AppState>) -> Route {
    Route {
        method,
        path,
        handler,
    }
}

/// Every route the server answers. The router is built from this table, and a test checks
/// that the generated OpenAPI document describes exactly these, so neither can drift.
pub fn routes() -> Vec<Route> {
    // Limits apply to the decompressed body (the check happens when the handler reads it),
    // so a small gzip bomb is refused like a big plain body.
    let with_limit =
        |m: MethodRouter<AppState>, limit: usize| m.layer(DefaultBodyLimit::max(limit));
    let dev = |m: MethodRouter<AppState>| with_limit(m, DEV_BODY_LIMIT);
    let media_limit = usize::try_from(MAX_MEDIA_BYTES).unwrap_or(usize::MAX);
    vec![
        route("GET", "/v1/health", get(api::health)),
        route("POST", "/v1/activate", post(api::activate)),
        route("GET", "/v1/changes", get(api::changes)),
        route(
            "POST",
            "/v1/mutations",
            with_limit(post(mutations::push), PUSH_BODY_LIMIT),
        ),
        route("GET", "/v1/media/{image_id}", get(media::download)),
        route(
            "PUT",
            "/v1/media/{image_id}",
            with_limit(put(media::upload), media_limit),
        ),
        route("GET", "/openapi.json", get(openapi::openapi_json)),
        route("GET", "/dev/shops", get(dev::list_shops)),
        route("POST", "/dev/shops", dev(post(dev::create_shop))),
        route(
            "POST",
            "/dev/shops/{shop_id}/orders",
            dev(post(dev::add_orders)),
        ),
        route(
            "POST",
            "/dev/shops/{shop_id}/products",
            dev(post(dev::put_products)),
        ),
        route(
            "DELETE",
            "/dev/shops/{shop_id}/products/{product_id}",
            delete(dev::delete_product),
        ),
        route(
            "POST",
            "/dev/shops/{shop_id}/coupon-books",
            dev(post(dev::put_coupon_books)),
        ),
        route(
            "POST",
            "/dev/shops/{shop_id}/coupons",
            dev(post(dev_coupons::issue)),
        ),
        route(
            "GET",
            "/dev/shops/{shop_id}/coupon-books/{book_id}/coupons",
            get(dev_coupons::book_coupons),
        ),
        route(
            "POST",
            "/dev/shops/{shop_id}/revocations",
            dev(post(dev_coupons::revoke)),
        ),
        route(
            "GET",
            "/dev/shops/{shop_id}/keys",
            get(dev_coupons::list_keys),
        ),
        route(
            "POST",
            "/dev/shops/{shop_id}/keys/rotate",
            post(dev_coupons::rotate_key),
        ),
        route(
            "GET",
            "/dev/shops/{shop_id}/redemptions",
            get(dev_coupons::ledger),
        ),
        route("GET", "/dev/shops/{shop_id}/digest", get(dev::digest)),
        route(
            "GET",
            "/dev/shops/{shop_id}/analytics",
            get(analytics::dashboard),
        ),
        route(
            "POST",
            "/dev/checklist-definitions",
            dev(post(dev_checklist::publish)),
        ),
        route(
            "POST",
            "/dev/devices/{device_id}/revoke",
            post(dev::revoke_device),
        ),
    ]
}

/// The complete application: protocol, `/dev/` endpoints and `/openapi.json`.
///
/// Peers' addresses must reach it as `ConnectInfo<SocketAddr>` for the `/dev/` endpoints to
/// answer (see [`crate::serve`]); without it they answer `403`.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in routes() {
        // Routes sharing a path (GET and PUT of media) merge into one method router.
        router = router.route(route.path, route.handler);
    }
    router
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
        // Outermost: it must see the body as it comes off the wire.
        .layer(axum::middleware::from_fn(
            connection_reuse::close_unless_body_read,
        ))
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint; the API is described at /openapi.json")
}
