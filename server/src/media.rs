//! `GET` and `PUT /v1/media/{image_id}`: image bytes, scoped by the token's shop.
//!
//! Uploads are decoded (with [`image::Limits`]) before they are stored: a corrupt or
//! hostile file is refused with a 4xx instead of being synced to every phone of the shop,
//! and the decoded size gives the width and height the storefront lint needs.

use std::io::Cursor;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, TransactionBehavior};
use sellerkit_core::domain::{ImageRole, ProductImage, ShopProfile};
use sellerkit_core::protocol::{EntityKind, ErrorBody, MAX_MEDIA_BYTES, MediaInfo, error_code};

use crate::clock;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Device};
use crate::state::AppState;
use crate::store::{self, EntityKey, NewMedia, SeqAlloc};

/// Largest width or height decoded; the bundled phone's screen is 720 px wide.
const MAX_DIMENSION: u32 = 10_000;
/// Most memory one decode may allocate.
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;
/// Longest image id.
const MAX_IMAGE_ID_LEN: usize = 128;
/// Largest image position within a product.
const MAX_POSITION: i64 = 1_000;

/// `GET /v1/media/{image_id}`: the bytes, with `Content-Type` and `ETag: "<sha256>"`;
/// `If-None-Match` with the current tag answers `304`.
#[utoipa::path(get, path = "/v1/media/{image_id}", tag = "protocol",
    params(
        ("image_id" = String, Path, pattern = "^[A-Za-z0-9._-]{1,128}$", description = "The image."),
        ("If-None-Match" = Option<String>, Header, description = "The `ETag` of a copy held."),
    ),
    responses(
        (status = 200, description = "The image's bytes.",
            headers(("ETag" = String, description = "Quoted hex SHA-256 of the bytes.")),
            content((ImageBytes = "image/png"), (ImageBytes = "image/jpeg"))),
        (status = 304, description = "Not modified (`If-None-Match` matched).",
            headers(("ETag" = String, description = "Quoted hex SHA-256 of the bytes."))),
        (status = 404, description = "No such image in this shop (`not_found`).", body = ErrorBody),
    ))]
pub async fn download(
    State(state): State<AppState>,
    device: Device,
    ApiPath(image_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_image_id(&image_id)?;
    let found = state
        .blocking(move |db| {
            db.read(|conn| {
                store::get_media(conn, &device.shop_id, &image_id).map_err(ApiError::from)
            })
        })
        .await?
        .ok_or_else(|| ApiError::not_found("no such image in this shop"))?;
    let etag = format!("\"{}\"", found.sha256);
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| ApiError::internal(&e))?;
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(axum::body::Body::from(found.bytes));
        let mime = HeaderValue::from_str(&found.mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream"));
        r.headers_mut().insert(header::CONTENT_TYPE, mime);
        r
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, etag_value);
    // The bytes of an id can be replaced by a new upload: revalidate rather than trust a
    // cached copy.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    Ok(response)
}

/// Query of `PUT /v1/media/{image_id}`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// `logo`, `banner` or `product`; a logo or banner also becomes the shop profile's.
    pub role: ImageRole,
    /// The product, for `role=product`.
    #[serde(default)]
    pub product_id: Option<String>,
    /// Order among the product's images, 0 to 1000 (0, the default: the main image).
    #[serde(default)]
    #[param(minimum = 0, maximum = 1000)]
    pub position: Option<i64>,
}

/// `PUT /v1/media/{image_id}`: stores an image and emits an `image` change. Repeating the
/// same upload changes nothing.
#[utoipa::path(put, path = "/v1/media/{image_id}", tag = "protocol",
    params(
        ("image_id" = String, Path, pattern = "^[A-Za-z0-9._-]{1,128}$", description = "The image."),
        UploadQuery,
    ),
    request_body(description = "A PNG or JPEG image, at most 10 MiB; it is decoded, and bytes \
        that are not a whole image of the declared type are refused (`invalid_request`).",
        content((ImageBytes = "image/png"), (ImageBytes = "image/jpeg"))),
    responses(
        (status = 200, description = "Stored; an `image` change is in the feed.", body = MediaInfo),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    device: Device,
    ApiPath(image_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<ApiJson<MediaInfo>, ApiError> {
    check_image_id(&image_id)?;
    let declared = declared_mime(&headers)?;
    let role = query.role;
    let position = query.position.unwrap_or(0);
    if !(0..=MAX_POSITION).contains(&position) {
        return Err(ApiError::invalid_request(format!(
            "position must be between 0 and {MAX_POSITION}"
        )));
    }
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                error_code::PAYLOAD_TOO_LARGE,
                format!("images are limited to {} MiB", MAX_MEDIA_BYTES >> 20),
            )
        } else {
            ApiError::invalid_request(rejection.body_text())
        }
    })?;
    if bytes.is_empty() {
        return Err(ApiError::invalid_request("the request body is empty"));
    }
    // Decoding is CPU work: keep it off the async workers.
    let decode_bytes = bytes.clone();
    let (width, height) = tokio::task::spawn_blocking(move || decode(&decode_bytes, declared))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    let upload = Upload {
        image_id,
        role,
        product_id: query.product_id,
        position,
        mime: declared.mime(),
        width,
        height,
        sha256: store::sha256_hex(&bytes),
        bytes,
    };
    let info = state
        .blocking(move |db| db.write(|conn| store_upload(conn, &device, &upload)))
        .await?;
    Ok(ApiJson(info))
}

/// An image's encoded bytes, as the OpenAPI document describes bodies of `image/*`.
#[allow(dead_code)] // Only names a body in the document; never built.
pub struct ImageBytes;

impl utoipa::PartialSchema for ImageBytes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for ImageBytes {}

/// The two formats accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mime {
    Png,
    Jpeg,
}

impl Mime {
    fn mime(self) -> &'static str {
        match self {
            Mime::Png => "image/png",
            Mime::Jpeg => "image/jpeg",
        }
    }

    fn format(self) -> image::ImageFormat {
        match self {
            Mime::Png => image::ImageFormat::Png,
            Mime::Jpeg => image::ImageFormat::Jpeg,
        }
    }
}

fn declared_mime(headers: &HeaderMap) -> Result<Mime, ApiError> {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("image/png") => Ok(Mime::Png),
        Some("image/jpeg") | Some("image/jpg") => Ok(Mime::Jpeg),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            error_code::UNSUPPORTED_MEDIA_TYPE,
            "upload a PNG or JPEG image with Content-Type image/png or image/jpeg",
        )),
    }
}

/// Decodes the whole image (a header alone can hide a truncated or corrupt body) under
/// limits, and returns its size.
fn decode(bytes: &[u8], declared: Mime) -> Result<(u32, u32), ApiError> {
    let actual = image::guess_format(bytes).ok();
    if actual != Some(declared.format()) {
        return Err(ApiError::invalid_request(format!(
            "the bytes are not a {} image",
            match declared {
                Mime::Png => "PNG",
                Mime::Jpeg => "JPEG",
            }
        )));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut reader = image::ImageReader::new(Cursor::new(bytes));
    reader.set_format(declared.format());
    reader.limits(limits);
    match reader.decode() {
        Ok(img) => Ok((img.width(), img.height())),
        Err(image::ImageError::Limits(e)) => Err(ApiError::invalid_request(format!(
            "image is too large to decode ({e}); at most {MAX_DIMENSION}x{MAX_DIMENSION}"
        ))),
        Err(e) => Err(ApiError::invalid_request(format!(
            "the image could not be decoded: {e}"
        ))),
    }
}

fn check_image_id(id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_IMAGE_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid_request(format!(
            "image ids are 1 to {MAX_IMAGE_ID_LEN} letters, digits, '_', '-' or '.'"
        )))
    }
}

struct Upload {
    image_id: String,
    role: ImageRole,
    product_id: Option<String>,
    position: i64,
    mime: &'static str,
    width: u32,
    height: u32,
    sha256: String,
    bytes: Bytes,
}

fn store_upload(
    conn: &mut Connection,
    device: &Device,
    up: &Upload,
) -> Result<MediaInfo, ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let shop = &device.shop_id;
    let existing: Option<ProductImage> =
        store::get_typed(&tx, shop, EntityKind::Image, &up.image_id)?;
    let role = up.role;
    let product_id = match role {
        ImageRole::Product => {
            let id = up
                .product_id
                .clone()
                .or_else(|| existing.as_ref().and_then(|e| e.product_id.clone()))
                .ok_or_else(|| ApiError::invalid_request("product images need a product_id"))?;
            if store::get_entity(&tx, shop, EntityKind::Product, &id)?.is_none() {
                return Err(ApiError::invalid_request(
                    "product_id names no product of this shop",
                ));
            }
            Some(id)
        }
        ImageRole::Logo | ImageRole::Banner => {
            if up.product_id.is_some() {
                return Err(ApiError::invalid_request(
                    "logo and banner images take no product_id",
                ));
            }
            None
        }
    };
    let byte_len = i64::try_from(up.bytes.len()).unwrap_or(i64::MAX);
    let image = ProductImage {
        id: up.image_id.clone(),
        product_id,
        role,
        position: up.position,
        width: Some(i64::from(up.width)),
        height: Some(i64::from(up.height)),
        byte_len: Some(byte_len),
        mime: Some(up.mime.to_string()),
        sha256: Some(up.sha256.clone()),
        local_path: None,
        updated_ms: clock::now_ms(),
    };
    let unchanged = existing.as_ref().is_some_and(|e| {
        ProductImage {
            updated_ms: e.updated_ms,
            ..image.clone()
        } == *e
    }) && store::media_sha256(&tx, shop, &up.image_id)?.as_deref()
        == Some(&up.sha256);
    if !unchanged {
        let mut seqs = SeqAlloc::new(&tx)?;
        let media = NewMedia {
            bytes: &up.bytes,
            sha256: &up.sha256,
            mime: up.mime,
            width: i64::from(up.width),
            height: i64::from(up.height),
        };
        store::put_media(&tx, shop, &up.image_id, media)?;
        store::put_value(
            &tx,
            &mut seqs,
            shop,
            EntityKind::Image,
            &up.image_id,
            &image,
        )?;
        if role != ImageRole::Product {
            set_profile_image(&tx, &mut seqs, device, role, &up.image_id, image.updated_ms)?;
        }
    }
    tx.commit()?;
    Ok(MediaInfo {
        id: up.image_id.clone(),
        sha256: up.sha256.clone(),
        byte_len,
        width: i64::from(up.width),
        height: i64::from(up.height),
        mime: up.mime.to_string(),
    })
}

/// An uploaded logo or banner becomes the shop's: there is no other way to set them through
/// the protocol, and a seller who uploads a logo expects to see it.
fn set_profile_image(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    device: &Device,
    role: ImageRole,
    image_id: &str,
    now_ms: i64,
) -> Result<(), ApiError> {
    let shop = &device.shop_id;
    let Some(old) = store::get_typed::<ShopProfile>(conn, shop, EntityKind::ShopProfile, shop)?
    else {
        return Ok(());
    };
    let mut profile = old.clone();
    let slot = match role {
        ImageRole::Logo => &mut profile.logo_image_id,
        ImageRole::Banner => &mut profile.banner_image_id,
        ImageRole::Product => return Ok(()),
    };
    if slot.as_deref() == Some(image_id) {
        return Ok(());
    }
    *slot = Some(image_id.to_string());
    profile.version += 1;
    profile.updated_ms = now_ms;
    store::put_value(conn, seqs, shop, EntityKind::ShopProfile, shop, &profile)?;
    let to_value = |p: &ShopProfile| serde_json::to_value(p).map_err(|e| ApiError::internal(&e));
    let key = EntityKey {
        shop_id: shop,
        kind: EntityKind::ShopProfile,
        id: shop,
    };
    store::record_changed_fields(
        conn,
        key,
        &to_value(&old)?,
        &to_value(&profile)?,
        profile.version,
        &device.device_id,
    )?;
    Ok(())
}
