//! The `/dev/` endpoints: shops, generated data, revocation and digests for tests and the
//! demo. They need no token, so every handler takes [`Loopback`] first: only peers on the
//! loopback interface get an answer other than `403`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sellerkit_core::domain::{CouponBook, Order, Product, Tier};
use sellerkit_core::protocol::EntityKind;
use sellerkit_core::sync::digest::ShopDigest;

use crate::clock;
use sellerkit_core::protocol::ErrorBody;

use crate::error::{ALREADY_EXISTS, ApiError};
use crate::extract::{ApiJson, ApiPath, Loopback};
use crate::seed;
use crate::seeding;
use crate::state::AppState;
use crate::store::{self, ShopInfo};

/// Most orders one `POST /dev/shops/{shop_id}/orders` generates.
pub const MAX_GENERATED_ORDERS: u64 = 200_000;
/// Longest shop name.
const MAX_SHOP_NAME_CHARS: usize = 100;
/// Longest shop id.
const MAX_SHOP_ID_LEN: usize = 64;

/// `GET /dev/shops` answer.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ShopList {
    /// Every shop, by id.
    pub shops: Vec<ShopInfo>,
}

/// `GET /dev/shops`: the shops and their activation codes.
#[utoipa::path(get, path = "/dev/shops", tag = "dev",
    responses((status = 200, description = "Every shop, by id.", body = ShopList)))]
pub async fn list_shops(
    _: Loopback,
    State(state): State<AppState>,
) -> Result<ApiJson<ShopList>, ApiError> {
    state
        .blocking(|db| {
            db.read(|conn| {
                Ok(ApiJson(ShopList {
                    shops: store::list_shops(conn)?,
                }))
            })
        })
        .await
}

/// `POST /dev/shops` body.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NewShop {
    /// Display name: at most 100 characters, not only spaces.
    #[schema(pattern = "\\S", max_length = 100)]
    pub name: String,
    /// Wanted id (1 to 64 lowercase letters, digits, `_`, `-`); a fresh `shop_…` id when
    /// absent.
    #[serde(default)]
    #[schema(pattern = "^[a-z0-9_-]{1,64}$")]
    pub shop_id: Option<String>,
    /// The profile's tier (default `standard`); codes for every tier are made regardless.
    #[serde(default)]
    pub tier: Option<Tier>,
}

/// `POST /dev/shops`: creates a shop with one activation code per tier (`201`), or `409`
/// when the id is taken.
#[utoipa::path(post, path = "/dev/shops", tag = "dev", request_body = NewShop,
    responses(
        (status = 201, description = "Created, with one activation code per tier.", body = ShopInfo),
        (status = 409, description = "The shop id is taken (`already_exists`).", body = ErrorBody),
    ))]
pub async fn create_shop(
    _: Loopback,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewShop>,
) -> Result<Response, ApiError> {
    let name = body.name.trim().to_string();
    if name.is_empty() || name.chars().count() > MAX_SHOP_NAME_CHARS {
        return Err(ApiError::invalid_request(format!(
            "name must be 1 to {MAX_SHOP_NAME_CHARS} characters"
        )));
    }
    let shop_id = match body.shop_id {
        Some(id) => {
            check_shop_id(&id)?;
            id
        }
        None => {
            let random: String = uuid::Uuid::new_v4()
                .simple()
                .to_string()
                .chars()
                .take(12)
                .collect();
            format!("shop_{random}")
        }
    };
    let profile = seeding::new_profile(
        &shop_id,
        &name,
        body.tier.unwrap_or(Tier::Standard),
        clock::now_ms(),
    );
    let created = state
        .blocking(move |db| {
            db.transaction(|tx| {
                seeding::create_shop(tx, &profile, clock::now_ms()).map_err(ApiError::from)
            })
        })
        .await?;
    match created {
        Some(info) => Ok((StatusCode::CREATED, ApiJson(info)).into_response()),
        None => Err(ApiError::new(
            StatusCode::CONFLICT,
            ALREADY_EXISTS,
            format!("shop {shop_id} exists already"),
        )),
    }
}

fn check_shop_id(id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_SHOP_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid_request(format!(
            "shop_id must be 1 to {MAX_SHOP_ID_LEN} lowercase letters, digits, '_' or '-'"
        )))
    }
}

/// `POST /dev/shops/{shop_id}/orders` body: either generated orders or explicit ones.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AddOrders {
    /// Number of orders to generate.
    #[serde(default)]
    pub count: Option<u64>,
    /// Seed of the generator: the same seed gives the same orders (same ids, so they replace
    /// the earlier ones). Default: a fresh random seed, so each call adds new orders.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Explicit orders, added or replacing those with the same id.
    #[serde(default)]
    pub orders: Option<Vec<Order>>,
}

// By hand: the "either `count` or `orders`" rule is a `oneOf`, which the derive cannot say.
impl utoipa::PartialSchema for AddOrders {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
        let count = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .maximum(Some(MAX_GENERATED_ORDERS))
            .description(Some("Number of orders to generate."));
        let seed = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .description(Some(
                "Seed of the generator: the same seed gives the same orders (same ids, so \
                 they replace the earlier ones). Default: a fresh random seed.",
            ));
        let orders = ArrayBuilder::new()
            .items(utoipa::openapi::Ref::from_schema_name("Order"))
            .description(Some(
                "Explicit orders, added or replacing those with the same id.",
            ));
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .property("count", count)
                    .property("seed", seed)
                    .required("count")
                    .additional_properties(Some(
                        utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
                    )),
            )
            .item(
                ObjectBuilder::new()
                    .property("orders", orders)
                    .required("orders")
                    .additional_properties(Some(
                        utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
                    )),
            )
            .into()
    }
}

impl utoipa::ToSchema for AddOrders {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push(("Order".into(), <Order as utoipa::PartialSchema>::schema()));
        <Order as utoipa::ToSchema>::schemas(schemas);
    }
}

/// Answer of the `/dev/` endpoints that write entities.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Written {
    /// Number of entities written.
    pub written: u64,
    /// The generator seed used, for generated orders (to reproduce them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// `POST /dev/shops/{shop_id}/orders`.
#[utoipa::path(post, path = "/dev/shops/{shop_id}/orders", tag = "dev", params(("shop_id" = String, Path, description = "The shop.")),
    request_body(content = AddOrders, description = "Either `count` (and `seed`) or `orders`."),
    responses(
        (status = 200, description = "The orders are in the feed.", body = Written),
        (status = 404, description = "No such shop (`not_found`).", body = ErrorBody),
    ))]
pub async fn add_orders(
    _: Loopback,
    State(state): State<AppState>,
    ApiPath(shop_id): ApiPath<String>,
    ApiJson(body): ApiJson<AddOrders>,
) -> Result<ApiJson<Written>, ApiError> {
    enum Source {
        Generated { count: u64, seed: u64 },
        Explicit(Vec<Order>),
    }
    let source = match (body.count, body.orders) {
        (Some(count), None) if count <= MAX_GENERATED_ORDERS => Source::Generated {
            count,
            seed: body.seed.unwrap_or_else(|| fastrand::u64(..)),
        },
        (Some(_), None) => {
            return Err(ApiError::invalid_request(format!(
                "count must be at most {MAX_GENERATED_ORDERS}"
            )));
        }
        (None, Some(orders)) => {
            if orders.iter().any(|o| o.id.is_empty()) {
                return Err(ApiError::invalid_request("every order needs an id"));
            }
            Source::Explicit(orders)
        }
        _ => {
            return Err(ApiError::invalid_request(
                r#"send either {"count": N, "seed": S} or {"orders": [...]}"#,
            ));
        }
    };
    let seed = match &source {
        Source::Generated { seed, .. } => Some(*seed),
        Source::Explicit(_) => None,
    };
    let written = state
        .shop_write(shop_id, move |tx, seqs, shop_id| {
            Ok(match source {
                Source::Generated { count, seed } => {
                    let products: Vec<Product> =
                        store::list_typed(tx, shop_id, EntityKind::Product)?;
                    let orders = seed::extra_orders(count, seed, clock::now_ms(), &products);
                    seeding::insert_orders(tx, seqs, shop_id, orders)?
                }
                Source::Explicit(orders) => seeding::insert_orders(tx, seqs, shop_id, orders)?,
            })
        })
        .await?;
    Ok(ApiJson(Written { written, seed }))
}

/// `POST /dev/shops/{shop_id}/products` body.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct PutProducts {
    /// Products to add or replace.
    pub products: Vec<Product>,
}

/// `POST /dev/shops/{shop_id}/products`: adds or replaces products.
#[utoipa::path(post, path = "/dev/shops/{shop_id}/products", tag = "dev", params(("shop_id" = String, Path, description = "The shop.")),
    request_body = PutProducts,
    responses(
        (status = 200, description = "The products are in the feed.", body = Written),
        (status = 404, description = "No such shop (`not_found`).", body = ErrorBody),
    ))]
pub async fn put_products(
    _: Loopback,
    State(state): State<AppState>,
    ApiPath(shop_id): ApiPath<String>,
    ApiJson(body): ApiJson<PutProducts>,
) -> Result<ApiJson<Written>, ApiError> {
    if body.products.iter().any(|p| p.id.is_empty()) {
        return Err(ApiError::invalid_request("every product needs an id"));
    }
    // What a phone's database refuses (a negative price or version) never enters the feed.
    // A version at the top of i64 is accepted: bumping saturates there, and an edit of such a
    // product is rejected (see `mutations`), so the schema's full range holds both ways.
    if body.products.iter().any(|p| p.price.0 < 0 || p.version < 0) {
        return Err(ApiError::invalid_request(
            "price and version must not be negative",
        ));
    }
    let written = state
        .shop_write(shop_id, move |tx, seqs, shop_id| {
            seeding::upsert_products(tx, seqs, shop_id, &body.products)?;
            Ok(body.products.len() as u64)
        })
        .await?;
    Ok(ApiJson(Written {
        written,
        seed: None,
    }))
}

/// `DELETE /dev/shops/{shop_id}/products/{product_id}`: deletes a product, which puts a
/// tombstone in the feed (`404` when there is no such live product).
#[utoipa::path(delete, path = "/dev/shops/{shop_id}/products/{product_id}", tag = "dev",
    params(("shop_id" = String, Path, description = "The shop."), ("product_id" = String, Path, description = "The product.")),
    responses(
        (status = 200, description = "A tombstone is in the feed.", body = Written),
        (status = 404, description = "No such shop or live product (`not_found`).", body = ErrorBody),
    ))]
pub async fn delete_product(
    _: Loopback,
    State(state): State<AppState>,
    ApiPath((shop_id, product_id)): ApiPath<(String, String)>,
) -> Result<ApiJson<Written>, ApiError> {
    state
        .shop_write(shop_id, move |tx, seqs, shop_id| {
            if !store::delete_entity(tx, seqs, shop_id, EntityKind::Product, &product_id)? {
                return Err(ApiError::not_found("no such product in this shop"));
            }
            Ok(ApiJson(Written {
                written: 1,
                seed: None,
            }))
        })
        .await
}

/// `POST /dev/devices/{device_id}/revoke` answer.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Revoked {
    /// The device.
    pub device_id: String,
    /// When it was revoked (the first time, if revoked twice).
    pub revoked_ms: i64,
}

/// `POST /dev/devices/{device_id}/revoke`: the device's token is refused from now on.
#[utoipa::path(post, path = "/dev/devices/{device_id}/revoke", tag = "dev",
    params(("device_id" = String, Path, description = "The device.")),
    responses(
        (status = 200, description = "Its token is refused from now on.", body = Revoked),
        (status = 404, description = "No such device (`not_found`).", body = ErrorBody),
    ))]
pub async fn revoke_device(
    _: Loopback,
    State(state): State<AppState>,
    ApiPath(device_id): ApiPath<String>,
) -> Result<ApiJson<Revoked>, ApiError> {
    state
        .blocking(move |db| {
            db.write(
                |conn| match store::revoke_device(conn, &device_id, clock::now_ms())? {
                    Some(revoked_ms) => Ok(ApiJson(Revoked {
                        device_id,
                        revoked_ms,
                    })),
                    None => Err(ApiError::not_found("no such device")),
                },
            )
        })
        .await
}

/// `GET /dev/shops/{shop_id}/digest`: counts per kind and the content checksum, computed
/// as the client computes it over its database.
#[utoipa::path(get, path = "/dev/shops/{shop_id}/digest", tag = "dev", params(("shop_id" = String, Path, description = "The shop.")),
    responses(
        (status = 200, description = "Counts per kind and the content checksum.", body = ShopDigest),
        (status = 404, description = "No such shop (`not_found`).", body = ErrorBody),
    ))]
pub async fn digest(
    _: Loopback,
    State(state): State<AppState>,
    ApiPath(shop_id): ApiPath<String>,
) -> Result<ApiJson<ShopDigest>, ApiError> {
    state
        .shop_read(shop_id, |conn, shop_id| {
            Ok(ApiJson(store::digest(conn, shop_id)?))
        })
        .await
}

/// `POST /dev/shops/{shop_id}/coupon-books` body.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct PutCouponBooks {
    /// Books to add or replace, without coupons (`POST /dev/shops/{shop_id}/coupons`
    /// issues a book with its signed coupons).
    pub books: Vec<CouponBook>,
}

/// `POST /dev/shops/{shop_id}/coupon-books`: adds or replaces coupon books; they reach
/// the shop's devices through the feed.
#[utoipa::path(post, path = "/dev/shops/{shop_id}/coupon-books", tag = "dev", params(("shop_id" = String, Path, description = "The shop.")),
    request_body(content = PutCouponBooks, description = "Books whose terms are impossible \
        (both or neither of `value_fen` and `value_bps`, `max_uses` without `multi_use`, an \
        empty validity) are refused (`invalid_request`)."),
    responses(
        (status = 200, description = "The books are in the feed.", body = Written),
        (status = 404, description = "No such shop (`not_found`).", body = ErrorBody),
    ))]
pub async fn put_coupon_books(
    _: Loopback,
    State(state): State<AppState>,
    ApiPath(shop_id): ApiPath<String>,
    ApiJson(body): ApiJson<PutCouponBooks>,
) -> Result<ApiJson<Written>, ApiError> {
    if let Some(problem) = body.books.iter().find_map(crate::issuing::book_problem) {
        return Err(ApiError::invalid_request(problem));
    }
    let written = state
        .shop_write(shop_id, move |tx, seqs, shop_id| {
            for book in &body.books {
                store::put_value(tx, seqs, shop_id, EntityKind::CouponBook, &book.id, book)?;
            }
            Ok(body.books.len() as u64)
        })
        .await?;
    Ok(ApiJson(Written {
        written,
        seed: None,
    }))
}
