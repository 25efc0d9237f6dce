//! `POST /v1/mutations`: applying a device's outbox exactly once.
//!
//! Each mutation is answered `applied`, `rejected` (with a reason) or `conflict` (with the
//! server's state). The answer is stored in `applied_mutations` in the same transaction as
//! the mutation's effect, so a retried push (a lost response, a kill after the commit) gets
//! the stored answer and changes nothing.
//!
//! Edits (`product_edit`, `shop_edit`) carry the version they were made on. An edited field
//! that somebody else changed after that version is a conflict; a field the same device
//! changed since is not: a phone that edits a product twice while offline sends both edits
//! on the same base version, and the second must not conflict with the first.

use axum::extract::State;
use rusqlite::{Connection, TransactionBehavior};
use sellerkit_core::domain::{ImageRole, Product, ProductImage, ProductStatus, ShopProfile};
use sellerkit_core::protocol::{
    EntityKind, ErrorBody, MAX_GALLERY, MAX_PUSH_BATCH, Mutation, MutationResult, MutationStatus,
    PushRequest, PushResponse, REDEMPTION_KIND,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize as _, Serialize};
use serde_json::{Map, Value};

use crate::clock;
use crate::error::ApiError;
use crate::extract::{ApiJson, Device};
use crate::state::AppState;
use crate::store::{self, EntityKey, SeqAlloc};

/// Longest entity id accepted in a mutation.
const MAX_ID_LEN: usize = 200;
/// Longest piece of client input echoed back in a reason.
const MAX_ECHO_CHARS: usize = 40;

/// `POST /v1/mutations`.
#[utoipa::path(post, path = "/v1/mutations", tag = "protocol",
    request_body(content = PushRequest, description = "May be sent with `Content-Encoding: gzip`."),
    responses(
        (status = 200, description = "One result per mutation, in order.", body = PushResponse),
        (status = 403, description = "`device_id` is not the token's device (`forbidden`).", body = ErrorBody),
    ))]
pub async fn push(
    State(state): State<AppState>,
    device: Device,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<ApiJson<PushResponse>, ApiError> {
    if request.device_id != device.device_id {
        return Err(ApiError::forbidden(
            "device_id is not the device this token belongs to",
        ));
    }
    if request.mutations.len() > MAX_PUSH_BATCH {
        return Err(ApiError::invalid_request(format!(
            "at most {MAX_PUSH_BATCH} mutations per push"
        )));
    }
    if let Some(m) = request.mutations.iter().find(|m| m.mutation_id <= 0) {
        return Err(ApiError::invalid_request(format!(
            "mutation_id must be positive, got {}",
            m.mutation_id
        )));
    }
    let results = state
        .blocking(move |db| {
            db.write(|conn| apply_batch(conn, &device, &request.mutations, clock::now_ms()))
        })
        .await?;
    Ok(ApiJson(PushResponse { results }))
}

/// Applies a batch in one transaction: all answers and effects commit together, or none.
pub fn apply_batch(
    conn: &mut Connection,
    device: &Device,
    mutations: &[Mutation],
    now_ms: i64,
) -> Result<Vec<MutationResult>, ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut seqs = SeqAlloc::new(&tx)?;
    let mut results = Vec::with_capacity(mutations.len());
    for m in mutations {
        if let Some(stored) = store::stored_result(&tx, &device.device_id, m.mutation_id)? {
            let result: MutationResult =
                serde_json::from_str(&stored).map_err(|e| ApiError::internal(&e))?;
            results.push(result);
            continue;
        }
        let outcome = apply_one(&tx, &mut seqs, device, m, now_ms)?;
        let result = outcome.into_result(m.mutation_id);
        let json = serde_json::to_string(&result).map_err(|e| ApiError::internal(&e))?;
        store::store_result(&tx, &device.device_id, m.mutation_id, &json, now_ms)?;
        results.push(result);
    }
    tx.commit()?;
    Ok(results)
}

/// What happened to one mutation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Applied,
    Rejected(String),
    Conflict(String, Value),
    /// Rejected with a stable reason code (refused redemptions).
    Refused {
        code: &'static str,
        reason: String,
    },
    /// A conflict with a stable code and the server's state (a redemption's dispute).
    Disputed {
        code: &'static str,
        reason: String,
        state: Value,
    },
    /// The answer given before to the same redemption id, repeated.
    Replay(MutationResult),
}

impl Outcome {
    pub(crate) fn into_result(self, mutation_id: i64) -> MutationResult {
        let (status, reason, server_state, code) = match self {
            Outcome::Applied => (MutationStatus::Applied, None, None, None),
            Outcome::Rejected(reason) => (MutationStatus::Rejected, Some(reason), None, None),
            Outcome::Conflict(reason, state) => {
                (MutationStatus::Conflict, Some(reason), Some(state), None)
            }
            Outcome::Refused { code, reason } => (
                MutationStatus::Rejected,
                Some(reason),
                None,
                Some(code.to_string()),
            ),
            Outcome::Disputed {
                code,
                reason,
                state,
            } => (
                MutationStatus::Conflict,
                Some(reason),
                Some(state),
                Some(code.to_string()),
            ),
            Outcome::Replay(answer) => {
                return MutationResult {
                    mutation_id,
                    ..answer
                };
            }
        };
        MutationResult {
            mutation_id,
            status,
            reason,
            server_state,
            code,
        }
    }
}

fn apply_one(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    device: &Device,
    m: &Mutation,
    now_ms: i64,
) -> Result<Outcome, ApiError> {
    if m.entity_id.is_empty() || m.entity_id.len() > MAX_ID_LEN {
        return Ok(Outcome::Rejected(format!(
            "entity_id must be 1 to {MAX_ID_LEN} bytes"
        )));
    }
    match m.kind.as_str() {
        "checklist_tick" => checklist_tick(conn, device, m, now_ms),
        "product_edit" => edit(conn, seqs, device, m, &PRODUCT_EDIT, now_ms),
        "shop_edit" => {
            if m.entity_id != device.shop_id {
                return Ok(Outcome::Rejected(format!(
                    "shop {} is not this device's shop",
                    echo(&m.entity_id)
                )));
            }
            edit(conn, seqs, device, m, &SHOP_EDIT, now_ms)
        }
        REDEMPTION_KIND => crate::redemptions::redeem(conn, seqs, device, m, now_ms),
        other => Ok(Outcome::Rejected(format!(
            "unknown mutation kind {:?}",
            echo(other)
        ))),
    }
}

fn checklist_tick(
    conn: &Connection,
    device: &Device,
    m: &Mutation,
    now_ms: i64,
) -> Result<Outcome, ApiError> {
    #[derive(serde::Deserialize)]
    struct Tick {
        done: bool,
    }
    let Ok(tick) = Tick::deserialize(&m.payload) else {
        return Ok(Outcome::Rejected(
            r#"payload must be {"done": true} or {"done": false}"#.into(),
        ));
    };
    store::set_checklist_tick(conn, &device.shop_id, &m.entity_id, tick.done, now_ms)?;
    Ok(Outcome::Applied)
}

/// A field check: `Err(reason)` when the value is not acceptable.
type FieldCheck = fn(&str, &Value) -> Result<(), String>;

/// What an edit kind may change, and how the result is typed.
struct EditSpec {
    /// The entity kind edited.
    kind: EntityKind,
    /// Name used in reasons (`product`, `shop`).
    noun: &'static str,
    /// Editable fields and their checks.
    fields: &'static [(&'static str, FieldCheck)],
    /// Parses the edited JSON as the domain type and writes it back canonically: a final
    /// check that the stored entity is still exactly what clients can read.
    canonical: fn(Value) -> Result<Value, serde_json::Error>,
}

const PRODUCT_EDIT: EditSpec = EditSpec {
    kind: EntityKind::Product,
    noun: "product",
    fields: &[
        ("title", |f, v| text(f, v, 1, 200)),
        ("description", |f, v| text(f, v, 0, 10_000)),
        ("category", |f, v| text(f, v, 0, 100)),
        ("price", non_negative),
        ("stock", non_negative),
        ("status", product_status),
        ("featured", boolean),
        ("mobile_description", |f, v| text(f, v, 0, 500)),
        ("gallery", gallery),
    ],
    canonical: canonical::<Product>,
};

const SHOP_EDIT: EditSpec = EditSpec {
    kind: EntityKind::ShopProfile,
    noun: "shop",
    fields: &[
        ("name", |f, v| text(f, v, 1, 100)),
        ("description", |f, v| text(f, v, 0, 2_000)),
        ("theme_color", theme_color),
        ("logo_image_id", image_id),
        ("banner_image_id", image_id),
    ],
    canonical: canonical::<ShopProfile>,
};

fn canonical<T: Serialize + DeserializeOwned>(value: Value) -> Result<Value, serde_json::Error> {
    serde_json::to_value(serde_json::from_value::<T>(value)?)
}

fn text(field: &str, value: &Value, min: usize, max: usize) -> Result<(), String> {
    let Some(s) = value.as_str() else {
        return Err(format!("{field} must be a string"));
    };
    let chars = s.trim().chars().count();
    if chars < min || s.chars().count() > max {
        return Err(if min > 0 {
            format!("{field} must be {min} to {max} characters, not blank")
        } else {
            format!("{field} must be at most {max} characters")
        });
    }
    Ok(())
}

fn non_negative(field: &str, value: &Value) -> Result<(), String> {
    match value.as_i64() {
        Some(n) if n >= 0 => Ok(()),
        _ => Err(format!("{field} must be a whole number, 0 or more")),
    }
}

fn boolean(field: &str, value: &Value) -> Result<(), String> {
    if value.is_boolean() {
        Ok(())
    } else {
        Err(format!("{field} must be true or false"))
    }
}

fn theme_color(field: &str, value: &Value) -> Result<(), String> {
    match value.as_str() {
        Some(c)
            if c.len() == 7
                && c.starts_with('#')
                && c[1..]
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)) =>
        {
            Ok(())
        }
        _ => Err(format!(
            "{field} must be #RRGGBB with upper-case hex digits"
        )),
    }
}

fn is_image_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn image_id(field: &str, value: &Value) -> Result<(), String> {
    match value.as_str() {
        Some(id) if is_image_id(id) => Ok(()),
        _ => Err(format!("{field} must be an image id")),
    }
}

fn gallery(field: &str, value: &Value) -> Result<(), String> {
    let shape = || format!("{field} must be 1 to {MAX_GALLERY} distinct image ids");
    let Some(ids) = value.as_array() else {
        return Err(shape());
    };
    if ids.is_empty() || ids.len() > MAX_GALLERY {
        return Err(shape());
    }
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        match id.as_str() {
            Some(id) if is_image_id(id) && seen.insert(id) => {}
            _ => return Err(shape()),
        }
    }
    Ok(())
}

/// Checks what an edit's image fields name: a gallery lists images of this product, a logo
/// or banner an image of this shop with that role. `Err(reason)` rejects the edit.
fn check_images(
    conn: &Connection,
    shop: &str,
    entity_id: &str,
    changes: &Map<String, Value>,
) -> Result<Result<(), String>, ApiError> {
    let image = |id: &str| store::get_typed::<ProductImage>(conn, shop, EntityKind::Image, id);
    for (field, value) in changes {
        let wanted = match field.as_str() {
            "gallery" => None,
            "logo_image_id" => Some(ImageRole::Logo),
            "banner_image_id" => Some(ImageRole::Banner),
            _ => continue,
        };
        match wanted {
            None => {
                for id in value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    let ok = image(id)?.is_some_and(|i| {
                        i.role == ImageRole::Product && i.product_id.as_deref() == Some(entity_id)
                    });
                    if !ok {
                        return Ok(Err(format!(
                            "gallery names {}, which is not an image of this product (upload it first)",
                            echo(id)
                        )));
                    }
                }
            }
            Some(role) => {
                let id = value.as_str().unwrap_or_default();
                if !image(id)?.is_some_and(|i| i.role == role) {
                    return Ok(Err(format!(
                        "{field} names {}, which is not a {} image of this shop (upload it first)",
                        echo(id),
                        role.as_str()
                    )));
                }
            }
        }
    }
    Ok(Ok(()))
}

/// After a gallery edit, each listed image's `position` is its index, so the feed's images
/// agree with the product's `gallery` (and phones that read only positions see the order).
fn reposition_gallery(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    shop: &str,
    gallery: &Value,
    now_ms: i64,
) -> Result<(), ApiError> {
    for (i, id) in gallery
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .enumerate()
    {
        let Some(mut img) = store::get_typed::<ProductImage>(conn, shop, EntityKind::Image, id)?
        else {
            continue;
        };
        let position = i64::try_from(i).unwrap_or(i64::MAX);
        if img.position != position {
            img.position = position;
            img.updated_ms = now_ms;
            store::put_value(conn, seqs, shop, EntityKind::Image, id, &img)?;
        }
    }
    Ok(())
}

fn product_status(field: &str, value: &Value) -> Result<(), String> {
    match value.as_str().map(str::parse::<ProductStatus>) {
        Some(Ok(_)) => Ok(()),
        _ => Err(format!("{field} must be one of active, draft, archived")),
    }
}

fn edit(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    device: &Device,
    m: &Mutation,
    spec: &EditSpec,
    now_ms: i64,
) -> Result<Outcome, ApiError> {
    let noun = spec.noun;
    let Some(base) = m.base_version else {
        return Ok(Outcome::Rejected(format!(
            "a {noun} edit needs the base_version it was made on"
        )));
    };
    let Some(changes) = m.payload.as_object().filter(|p| !p.is_empty()) else {
        return Ok(Outcome::Rejected(
            "payload must be an object with the fields to change".into(),
        ));
    };
    for (field, value) in changes {
        let Some((_, check)) = spec.fields.iter().find(|(name, _)| name == field) else {
            let editable: Vec<&str> = spec.fields.iter().map(|(n, _)| *n).collect();
            return Ok(Outcome::Rejected(format!(
                "{} cannot be edited; a {noun} edit may change {}",
                echo(field),
                editable.join(", ")
            )));
        };
        if let Err(reason) = check(field, value) {
            return Ok(Outcome::Rejected(reason));
        }
    }

    let shop = &device.shop_id;
    let key = EntityKey {
        shop_id: shop,
        kind: spec.kind,
        id: &m.entity_id,
    };
    let Some(stored) = store::get_entity(conn, shop, spec.kind, &m.entity_id)? else {
        return Ok(Outcome::Rejected(format!(
            "{noun} {} does not exist",
            echo(&m.entity_id)
        )));
    };
    if let Err(reason) = check_images(conn, shop, &m.entity_id, changes)? {
        return Ok(Outcome::Rejected(reason));
    }
    let current: Value = serde_json::from_str(&stored).map_err(|e| ApiError::internal(&e))?;
    let Some(current_obj) = current.as_object() else {
        return Err(ApiError::internal(&"stored entity is not a JSON object"));
    };
    let version = current_obj
        .get("version")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if base < 0 || base > version {
        return Ok(Outcome::Rejected(format!(
            "base_version {base} is not a version of this {noun} (the server has {version})"
        )));
    }

    // Fields whose value would actually change; asking for the value already there is a
    // no-op, not a conflict, even if somebody else set it.
    let changed: Map<String, Value> = changes
        .iter()
        .filter(|(field, value)| current_obj.get(field.as_str()) != Some(*value))
        .map(|(f, v)| (f.clone(), v.clone()))
        .collect();
    let mut stale = Vec::new();
    for field in changed.keys() {
        if let Some((changed_at, by)) = store::field_version(conn, key, field)?
            && changed_at > base
            && by != device.device_id
        {
            stale.push(field.as_str());
        }
    }
    if !stale.is_empty() {
        let verb = if stale.len() == 1 { "was" } else { "were" };
        return Ok(Outcome::Conflict(
            format!(
                "{} {verb} changed on the server since version {base}",
                stale.join(", ")
            ),
            current,
        ));
    }
    if changed.is_empty() {
        return Ok(Outcome::Applied);
    }

    let Some(new_version) = version.checked_add(1) else {
        return Ok(Outcome::Rejected(format!(
            "this {noun}'s version cannot grow past {version}"
        )));
    };
    let mut edited = current_obj.clone();
    edited.extend(changed);
    edited.insert("version".into(), Value::from(new_version));
    edited.insert("updated_ms".into(), Value::from(now_ms));
    let edited = match (spec.canonical)(Value::Object(edited)) {
        Ok(v) => v,
        Err(e) => return Ok(Outcome::Rejected(format!("invalid {noun} edit: {e}"))),
    };
    let json = serde_json::to_string(&edited).map_err(|e| ApiError::internal(&e))?;
    store::put_entity(conn, seqs, shop, spec.kind, &m.entity_id, &json, false)?;
    store::record_changed_fields(conn, key, &current, &edited, new_version, &device.device_id)?;
    if let Some(order) = changes.get("gallery")
        && spec.kind == EntityKind::Product
    {
        reposition_gallery(conn, seqs, shop, order, now_ms)?;
    }
    Ok(Outcome::Applied)
}

/// Client text as it may appear in a reason: bounded, so a hostile id cannot bloat answers.
fn echo(text: &str) -> String {
    if text.chars().count() <= MAX_ECHO_CHARS {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(MAX_ECHO_CHARS).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeding;
    use crate::store::db::Db;
    use sellerkit_core::domain::Tier;

    fn tick(mutation_id: i64, task: &str, done: bool) -> Mutation {
        Mutation {
            mutation_id,
            kind: "checklist_tick".into(),
            entity_id: task.into(),
            base_version: None,
            payload: serde_json::json!({ "done": done }),
            created_ms: 0,
        }
    }

    #[test]
    fn a_repeated_mutation_id_is_answered_from_the_record_and_not_applied_again() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db")).unwrap();
        let profile = seeding::new_profile("shop_a", "A", Tier::Basic, 1);
        db.transaction(|tx| seeding::create_shop(tx, &profile, 1))
            .unwrap();
        let device = Device {
            device_id: "dev_1".into(),
            shop_id: "shop_a".into(),
        };
        let first = db
            .write(|c| apply_batch(c, &device, &[tick(1, "upload_logo", true)], 10))
            .unwrap();
        assert_eq!(first[0].status, MutationStatus::Applied);
        // Same id, different content: the stored answer comes back and nothing changes.
        let again = db
            .write(|c| apply_batch(c, &device, &[tick(1, "upload_logo", false)], 20))
            .unwrap();
        assert_eq!(again, first);
        let done = db
            .read(|c| store::checklist_tick(c, "shop_a", "upload_logo"))
            .unwrap();
        assert_eq!(done, Some(true));
        // A malformed tick is rejected, and the rejection is just as final.
        let bad = Mutation {
            payload: serde_json::json!({ "done": "yes" }),
            ..tick(2, "upload_logo", true)
        };
        let rejected = db.write(|c| apply_batch(c, &device, &[bad], 30)).unwrap();
        assert_eq!(rejected[0].status, MutationStatus::Rejected);
        let retried = db
            .write(|c| apply_batch(c, &device, &[tick(2, "upload_logo", false)], 40))
            .unwrap();
        assert_eq!(retried, rejected);
    }

    fn storefront_shop() -> (tempfile::TempDir, Db, Device) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db")).unwrap();
        let profile = seeding::new_profile("shop_a", "A", Tier::Basic, 1);
        db.transaction(|tx| {
            seeding::create_shop(tx, &profile, 1)?;
            let mut seqs = SeqAlloc::new(tx)?;
            let product: Product = serde_json::from_value(serde_json::json!({
                "id": "p1", "title": "茶", "description": "", "category": "tea", "price": 100,
                "stock": 1, "status": "active", "version": 1, "updated_ms": 1}))
            .unwrap();
            seeding::upsert_products(tx, &mut seqs, "shop_a", &[product])?;
            for (id, role, product_id, position) in [
                ("i1", ImageRole::Product, Some("p1"), 0),
                ("i2", ImageRole::Product, Some("p1"), 1),
                ("lg", ImageRole::Logo, None, 0),
            ] {
                let img = ProductImage {
                    id: id.into(),
                    product_id: product_id.map(Into::into),
                    role,
                    position,
                    width: Some(10),
                    height: Some(10),
                    byte_len: Some(10),
                    mime: Some("image/png".into()),
                    sha256: None,
                    local_path: None,
                    updated_ms: 1,
                };
                store::put_value(tx, &mut seqs, "shop_a", EntityKind::Image, id, &img)?;
            }
            Ok::<_, crate::error::StoreError>(())
        })
        .unwrap();
        let device = Device {
            device_id: "dev_1".into(),
            shop_id: "shop_a".into(),
        };
        (dir, db, device)
    }

    fn edit(id: i64, kind: &str, entity: &str, base: i64, payload: Value) -> Mutation {
        Mutation {
            mutation_id: id,
            kind: kind.into(),
            entity_id: entity.into(),
            base_version: Some(base),
            payload,
            created_ms: 0,
        }
    }

    #[test]
    fn storefront_fields_are_edited_checked_and_the_gallery_repositions_the_images() {
        let (_dir, db, device) = storefront_shop();
        let batch = [
            edit(
                1,
                "product_edit",
                "p1",
                1,
                serde_json::json!({"featured": true,
                "mobile_description": "手机上看", "gallery": ["i2", "i1"]}),
            ),
            edit(
                2,
                "shop_edit",
                "shop_a",
                1,
                serde_json::json!({"theme_color": "#1E886B",
                "logo_image_id": "lg"}),
            ),
            // Refused: wrong types and shapes, images that are not this product's or role's.
            edit(
                3,
                "product_edit",
                "p1",
                1,
                serde_json::json!({"featured": "yes"}),
            ),
            edit(
                4,
                "product_edit",
                "p1",
                1,
                serde_json::json!({"gallery": ["i1", "i1"]}),
            ),
            edit(
                5,
                "product_edit",
                "p1",
                1,
                serde_json::json!({"gallery": ["lg"]}),
            ),
            edit(
                6,
                "product_edit",
                "p1",
                1,
                serde_json::json!({"mobile_description": "长".repeat(501)}),
            ),
            edit(
                7,
                "shop_edit",
                "shop_a",
                1,
                serde_json::json!({"theme_color": "#1e886b"}),
            ),
            edit(
                8,
                "shop_edit",
                "shop_a",
                1,
                serde_json::json!({"banner_image_id": "lg"}),
            ),
            edit(
                9,
                "shop_edit",
                "shop_a",
                1,
                serde_json::json!({"logo_image_id": "nope"}),
            ),
        ];
        let results = db.write(|c| apply_batch(c, &device, &batch, 10)).unwrap();
        let statuses: Vec<MutationStatus> = results.iter().map(|r| r.status).collect();
        assert_eq!(statuses[..2], [MutationStatus::Applied; 2], "{results:?}");
        assert!(
            statuses[2..].iter().all(|s| *s == MutationStatus::Rejected),
            "{results:?}"
        );
        let (product, shop, i1, i2) = db
            .read(|c| {
                Ok::<_, crate::error::StoreError>((
                    store::get_typed::<Product>(c, "shop_a", EntityKind::Product, "p1")?.unwrap(),
                    store::get_typed::<ShopProfile>(
                        c,
                        "shop_a",
                        EntityKind::ShopProfile,
                        "shop_a",
                    )?
                    .unwrap(),
                    store::get_typed::<ProductImage>(c, "shop_a", EntityKind::Image, "i1")?
                        .unwrap(),
                    store::get_typed::<ProductImage>(c, "shop_a", EntityKind::Image, "i2")?
                        .unwrap(),
                ))
            })
            .unwrap();
        assert!(product.featured);
        assert_eq!(product.mobile_description, "手机上看");
        assert_eq!(product.gallery, ["i2", "i1"]);
        assert_eq!((i2.position, i1.position), (0, 1));
        assert_eq!(shop.theme_color.as_deref(), Some("#1E886B"));
        assert_eq!(shop.logo_image_id.as_deref(), Some("lg"));

        // Another device's stale edit of the same new field is a conflict with the state.
        let other = Device {
            device_id: "dev_2".into(),
            ..device.clone()
        };
        let stale = [edit(
            1,
            "product_edit",
            "p1",
            1,
            serde_json::json!({"featured": false}),
        )];
        let answer = db.write(|c| apply_batch(c, &other, &stale, 20)).unwrap();
        assert_eq!(answer[0].status, MutationStatus::Conflict, "{answer:?}");
        assert_eq!(answer[0].server_state.as_ref().unwrap()["featured"], true);
    }

    #[test]
    fn an_edit_of_a_product_at_the_top_version_is_rejected_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db")).unwrap();
        let profile = seeding::new_profile("shop_a", "A", Tier::Basic, 1);
        db.transaction(|tx| seeding::create_shop(tx, &profile, 1))
            .unwrap();
        let product = Product {
            id: "p1".into(),
            title: "Tea".into(),
            description: String::new(),
            category: String::new(),
            price: sellerkit_core::money::Fen(100),
            stock: 1,
            status: ProductStatus::Active,
            featured: false,
            mobile_description: String::new(),
            gallery: Vec::new(),
            version: i64::MAX,
            updated_ms: 0,
        };
        db.transaction(|tx| {
            let mut seqs = SeqAlloc::new(tx)?;
            seeding::upsert_products(tx, &mut seqs, "shop_a", &[product])
        })
        .unwrap();
        let device = Device {
            device_id: "dev_1".into(),
            shop_id: "shop_a".into(),
        };
        let edit = Mutation {
            mutation_id: 1,
            kind: "product_edit".into(),
            entity_id: "p1".into(),
            base_version: Some(i64::MAX),
            payload: serde_json::json!({ "title": "Green tea" }),
            created_ms: 0,
        };
        let answer = db.write(|c| apply_batch(c, &device, &[edit], 10)).unwrap();
        assert_eq!(answer[0].status, MutationStatus::Rejected, "{answer:?}");
        assert!(answer[0].reason.as_deref().unwrap().contains("cannot grow"));
    }

    #[test]
    fn echo_bounds_client_text() {
        assert_eq!(echo("short"), "short");
        assert_eq!(echo(&"x".repeat(100)).chars().count(), MAX_ECHO_CHARS + 1);
    }
}
