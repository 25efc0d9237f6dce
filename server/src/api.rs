//! The protocol endpoints that are neither pushes nor media: health, activation, pull.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use sellerkit_core::protocol::{
    ActivateRequest, ActivateResponse, ChangesPage, DEFAULT_PAGE_LIMIT, ErrorBody, MAX_PAGE_LIMIT,
    error_code,
};

use crate::clock;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, Device, json_response};
use crate::state::AppState;
use crate::store;

/// Body of `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `"ok"` when the server answers.
    pub status: String,
    /// Version of the server build.
    pub version: String,
}

/// `GET /v1/health`: no token needed, so a shell can tell "server down" from "not
/// activated".
#[utoipa::path(get, path = "/v1/health", tag = "protocol", security(()),
    responses((status = 200, description = "The server is up.", body = Health)))]
pub async fn health() -> ApiJson<Health> {
    ApiJson(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// Platforms a device may declare at activation.
const PLATFORMS: [&str; 3] = ["android", "ios", "desktop"];
/// Longest device name kept (in characters); it is only shown to the seller.
const MAX_DEVICE_NAME_CHARS: usize = 100;
/// Longest activation code looked up.
const MAX_CODE_LEN: usize = 64;

/// `POST /v1/activate`: exchanges an activation code for a device id and token.
#[utoipa::path(post, path = "/v1/activate", tag = "protocol", security(()),
    request_body = ActivateRequest,
    responses(
        (status = 200, description = "The device is registered.", body = ActivateResponse),
        (status = 403, description = "Unknown activation code (`invalid_activation_code`).", body = ErrorBody),
    ))]
pub async fn activate(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ActivateRequest>,
) -> Result<ApiJson<ActivateResponse>, ApiError> {
    // Codes are printed in capitals but typed by hand: accept any case and stray spaces.
    let code = req.code.trim().to_ascii_uppercase();
    if code.is_empty() || code.len() > MAX_CODE_LEN {
        return Err(invalid_code());
    }
    let device_name = req.device_name.trim().to_string();
    if device_name.is_empty() || device_name.chars().count() > MAX_DEVICE_NAME_CHARS {
        return Err(ApiError::invalid_request(format!(
            "device_name must be 1 to {MAX_DEVICE_NAME_CHARS} characters"
        )));
    }
    if !PLATFORMS.contains(&req.platform.as_str()) {
        return Err(ApiError::invalid_request(
            "platform must be one of android, ios, desktop",
        ));
    }
    let platform = req.platform;
    state
        .blocking(move |db| {
            let activated = db.transaction(|tx| {
                let (shop_id, shop_name, tier) =
                    store::lookup_activation_code(tx, &code)?.ok_or_else(invalid_code)?;
                let (device_id, token) = store::insert_device(
                    tx,
                    &shop_id,
                    tier,
                    &device_name,
                    &platform,
                    clock::now_ms(),
                )?;
                Ok::<_, ApiError>(ActivateResponse {
                    device_id,
                    token,
                    shop_id,
                    shop_name,
                    tier,
                })
            })?;
            tracing::info!(device_id = %activated.device_id, shop_id = %activated.shop_id, "device activated");
            Ok(ApiJson(activated))
        })
        .await
}

fn invalid_code() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        error_code::INVALID_ACTIVATION_CODE,
        "unknown activation code; check the code on your service card",
    )
}

/// Query of `GET /v1/changes`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Position after the last applied page; absent or empty: from the beginning.
    #[serde(default)]
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// Page size, 1 to [`MAX_PAGE_LIMIT`].
    #[serde(default)]
    #[param(minimum = 1, maximum = 5000)]
    pub limit: Option<u32>,
    /// Also say how many changes wait after this page (`remaining`), for progress bars.
    /// It costs a count over the rest of the feed, so clients ask on their first page only.
    #[serde(default)]
    pub count: Option<bool>,
}

/// `GET /v1/changes`: one page of the token's shop's feed after the cursor.
#[utoipa::path(get, path = "/v1/changes", tag = "protocol", params(ChangesQuery),
    responses(
        (status = 200, description = "One page of the feed.", body = ChangesPage),
        (status = 400, description = "A cursor this server did not give out (`invalid_cursor`): \
            sync again from the start.", body = ErrorBody),
    ))]
pub async fn changes(
    State(state): State<AppState>,
    device: Device,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> Result<Response, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    if limit == 0 || limit > MAX_PAGE_LIMIT {
        return Err(ApiError::invalid_request(format!(
            "limit must be between 1 and {MAX_PAGE_LIMIT}"
        )));
    }
    let after = parse_cursor(query.cursor.as_deref())?;
    let count = query.count.unwrap_or(false);
    let page = state
        .blocking(move |db| {
            db.read(|conn| {
                // A cursor past the end of the feed was not given out by this server (a
                // different or reset database): resuming from it would silently skip data.
                if after > store::max_seq(conn)? {
                    return Err(bad_cursor());
                }
                Ok(store::render_changes(
                    conn,
                    &device.shop_id,
                    after,
                    limit,
                    count,
                )?)
            })
        })
        .await?;
    tracing::debug!(
        changes = page.len,
        next = page.next_cursor,
        more = page.has_more,
        "pull page"
    );
    Ok(json_response(StatusCode::OK, page.body))
}

/// The cursor as a feed position: absent or empty is the beginning; otherwise the decimal
/// `seq` we gave out. Signs, spaces and other spellings are refused rather than guessed.
fn parse_cursor(cursor: Option<&str>) -> Result<i64, ApiError> {
    match cursor {
        None | Some("") => Ok(0),
        Some(text) if text.bytes().all(|b| b.is_ascii_digit()) => {
            text.parse::<i64>().map_err(|_| bad_cursor())
        }
        Some(_) => Err(bad_cursor()),
    }
}

fn bad_cursor() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        error_code::INVALID_CURSOR,
        "this cursor was not given out by this server; the shop must be synced again from \
         the start",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_parse_strictly() {
        assert_eq!(parse_cursor(None).unwrap(), 0);
        assert_eq!(parse_cursor(Some("")).unwrap(), 0);
        assert_eq!(parse_cursor(Some("42")).unwrap(), 42);
        for bad in ["-1", "+1", " 1", "1.0", "abc", "99999999999999999999999"] {
            let err = parse_cursor(Some(bad)).unwrap_err();
            assert_eq!(err.code, error_code::INVALID_CURSOR, "{bad}");
        }
    }
}
