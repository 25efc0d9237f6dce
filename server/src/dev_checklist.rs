//! `POST /dev/checklist-definitions`: publishes a checklist definition document to the shops'
//! feeds, as the marketplace would when it revises the starter guide.
//!
//! The document goes out as given, even one the phones will refuse, so tests and shell
//! developers can exercise the refusals; the answer says what the core's validator thinks
//! of it.

use axum::extract::State;
use sellerkit_core::checklist::definition;
use sellerkit_core::domain::{ChecklistDefinition, DefinitionSource};
use sellerkit_core::protocol::{EntityKind, ErrorBody};

use crate::clock;
use crate::error::ApiError;
use crate::extract::{ApiJson, Loopback};
use crate::state::AppState;
use crate::store::{self, SeqAlloc};

/// `POST /dev/checklist-definitions` body.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct PublishDefinition {
    /// The document (`docs/checklist.md`): a JSON object, or a string sent verbatim as the
    /// document's text (which may be malformed on purpose).
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
    /// The version it is published under; default: the document's own `version`.
    #[serde(default)]
    pub version: Option<i64>,
    /// The shops to publish to; default: every shop.
    #[serde(default)]
    pub shop_ids: Option<Vec<String>>,
}

/// `POST /dev/checklist-definitions` answer.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Published {
    /// The version published.
    pub version: i64,
    /// The shops whose feeds got it.
    pub shop_ids: Vec<String>,
    /// Why the phones will refuse it (the core's validator), or `None` when it is valid.
    /// Whether it is newer than what a phone uses is decided on the phone.
    pub problem: Option<String>,
}

/// `POST /dev/checklist-definitions`: puts the document into the feeds (`200`), or `400`
/// without a version or for an unknown shop.
#[utoipa::path(post, path = "/dev/checklist-definitions", tag = "dev", request_body = PublishDefinition,
    responses(
        (status = 200, description = "The document is in the feeds; `problem` says why phones will refuse it, or null.", body = Published),
        (status = 400, description = "No version, or an unknown shop (`invalid_request`).", body = ErrorBody),
    ))]
pub async fn publish(
    _: Loopback,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PublishDefinition>,
) -> Result<ApiJson<Published>, ApiError> {
    let text = match &body.document {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let version = body
        .version
        .or_else(|| body.document.get("version").and_then(|v| v.as_i64()))
        .ok_or_else(|| {
            ApiError::invalid_request("give \"version\", or a document with an integer version")
        })?;
    let problem = definition::parse(&text).err().map(|e| e.to_string());
    let definition = ChecklistDefinition {
        version,
        source: DefinitionSource::Server,
        document: text,
        received_ms: clock::now_ms(),
    };
    let shop_ids = state
        .blocking(move |db| {
            db.transaction(|tx| {
                let shops: Vec<String> = match body.shop_ids {
                    Some(ids) => ids,
                    None => store::list_shops(tx)?
                        .into_iter()
                        .map(|s| s.shop_id)
                        .collect(),
                };
                let mut seqs = SeqAlloc::new(tx)?;
                for shop in &shops {
                    if !store::shop_exists(tx, shop)? {
                        return Err(ApiError::invalid_request(format!("no shop {shop:?}")));
                    }
                    store::put_value(
                        tx,
                        &mut seqs,
                        shop,
                        EntityKind::ChecklistDefinition,
                        &version.to_string(),
                        &definition,
                    )?;
                }
                Ok(shops)
            })
        })
        .await?;
    Ok(ApiJson(Published {
        version,
        shop_ids,
        problem,
    }))
}
