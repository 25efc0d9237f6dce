//! The sync engine: activation, then push the outbox, pull the shop's changes, fetch media.
//!
//! Crash safety comes from the store: each pulled page is applied with its cursor in one
//! transaction, each mutation leaves the outbox only in the transaction that records the
//! server's answer, and the server applies each (device, mutation id) once. A kill at any
//! point therefore loses nothing and applies nothing twice; the next sync resumes.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use serde::Deserialize as _;
use sha2::{Digest as _, Sha256};
use tokio_util::sync::CancellationToken;

use super::SyncError;
use super::apply::{Applied, apply_page};
use super::progress::{SyncListener, SyncPhase, SyncProgress};
use super::secrets::{DEVICE_TOKEN_KEY, SecretStore};
use super::transport::{RetryMode, Transport, TransportConfig};
use crate::domain::{Conflict, ConflictOutcome, Dispute, OutboxEntry, RedemptionState};
use crate::protocol::{
    ActivateRequest, ActivateResponse, ChangesPage, Mutation, MutationResult, MutationStatus,
    PushRequest, PushResponse, REDEMPTION_KIND,
};
use crate::store::{Db, Store, StoreError};
use crate::time::Clock;

/// Tunables of a sync.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// Changes per pull page (the server caps it).
    pub page_limit: u32,
    /// Mutations per push.
    pub push_batch: u32,
    /// Download images after the pull.
    pub download_media: bool,
    /// Folder for downloaded images (`media/` beside the database by default).
    pub media_dir: PathBuf,
    /// Largest image accepted, in bytes.
    pub max_media_bytes: u64,
}

impl SyncOptions {
    /// Defaults for a database at `db`: pages of 1000, images into `media/` beside it.
    pub fn for_database(db: &std::path::Path) -> SyncOptions {
        SyncOptions {
            page_limit: crate::protocol::DEFAULT_PAGE_LIMIT,
            push_batch: 200,
            download_media: true,
            media_dir: db
                .parent()
                .map(|p| p.join("media"))
                .unwrap_or_else(|| PathBuf::from("media")),
            max_media_bytes: crate::protocol::MAX_MEDIA_BYTES,
        }
    }
}

/// What an activation established.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Activation {
    /// This device's id.
    pub device_id: String,
    /// The shop.
    pub shop_id: String,
    /// The shop's name.
    pub shop_name: String,
    /// The tier bought.
    pub tier: crate::domain::Tier,
    /// The server.
    pub server_url: String,
}

/// What a sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// Changes pulled per kind (upserts).
    pub pulled: BTreeMap<String, u64>,
    /// Deletions pulled.
    pub deleted: u64,
    /// Pages applied.
    pub pages: u64,
    /// Mutations sent and answered.
    pub pushed: u64,
    /// Of those, applied by the server.
    pub applied: u64,
    /// Of those, rejected (kept in conflicts).
    pub rejected: u64,
    /// Of those, in conflict (kept in conflicts).
    pub conflicts: u64,
    /// Images downloaded.
    pub media_downloaded: u64,
    /// Bytes of images downloaded.
    pub media_bytes: u64,
    /// Pull cursor after the sync.
    pub cursor: Option<String>,
    /// Wall time, ms.
    pub duration_ms: u64,
    /// Bytes received on the wire (compressed).
    pub wire_bytes: u64,
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Retries after faults.
    pub retries: u64,
}

impl SyncReport {
    /// Total changes pulled, upserts and deletions.
    pub fn changes_pulled(&self) -> u64 {
        self.pulled.values().sum::<u64>() + self.deleted
    }
}

/// Drives activation and sync for one database.
pub struct SyncEngine {
    store: Arc<Store>,
    transport: Arc<Transport>,
    secrets: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
    options: SyncOptions,
}

impl SyncEngine {
    /// An engine talking to `transport`'s server.
    pub fn new(
        store: Arc<Store>,
        transport: Arc<Transport>,
        secrets: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
        options: SyncOptions,
    ) -> SyncEngine {
        SyncEngine {
            store,
            transport,
            secrets,
            clock,
            options,
        }
    }

    /// An engine for an activated database, talking to the server it was activated against.
    pub fn for_activated(
        store: Arc<Store>,
        secrets: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
        config: TransportConfig,
        options: SyncOptions,
    ) -> Result<SyncEngine, SyncError> {
        let state = store.read(|db| db.sync().state())?;
        let url = state.server_url.ok_or(SyncError::NotActivated)?;
        let transport = Arc::new(Transport::new(&url, config)?);
        Ok(SyncEngine::new(store, transport, secrets, clock, options))
    }

    /// Registers this device with an activation code; stores the token in the secret store
    /// and the device id and server in the database.
    pub async fn activate(
        &self,
        code: &str,
        device_name: &str,
        platform: &str,
        cancel: &CancellationToken,
    ) -> Result<Activation, SyncError> {
        let request = ActivateRequest {
            code: code.trim().to_string(),
            device_name: device_name.to_string(),
            platform: platform.to_string(),
        };
        let answer: ActivateResponse = self
            .transport
            .post_json(
                "/v1/activate",
                &request,
                None,
                RetryMode::OnlyIfNotSent,
                cancel,
            )
            .await?;
        // A database holds one shop: refuse to mix another shop's data into it.
        if let Some(shop) = self.store.read(|db| db.shop().get())?
            && shop.shop_id != answer.shop_id
        {
            return Err(SyncError::Refused {
                status: 409,
                code: "other_shop".into(),
                message: format!(
                    "this database holds shop {} but the code belongs to shop {}; use another database",
                    shop.shop_id, answer.shop_id
                ),
            });
        }
        self.secrets
            .set(DEVICE_TOKEN_KEY, &answer.token)
            .map_err(|e| SyncError::SecretStore { detail: e.0 })?;
        let url = self.transport.base_url().to_string();
        self.store
            .write(|db| db.sync().set_device(&answer.device_id, &url))?;
        tracing::info!(device = %answer.device_id, shop = %answer.shop_id, "activated");
        Ok(Activation {
            device_id: answer.device_id,
            shop_id: answer.shop_id,
            shop_name: answer.shop_name,
            tier: answer.tier,
            server_url: url,
        })
    }

    /// Pushes the outbox, pulls every change, downloads missing images.
    ///
    /// Cancellation stops at the next request or page; everything committed stays.
    pub async fn sync(
        &self,
        listener: &dyn SyncListener,
        cancel: &CancellationToken,
    ) -> Result<SyncReport, SyncError> {
        let started = Instant::now();
        let result = self.sync_steps(listener, cancel).await;
        let now = self.clock.now_ms();
        match result {
            Ok(mut report) => {
                self.store.write(|db| db.sync().note_sync_end(now, None))?;
                report.duration_ms =
                    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                let stats = self.transport.stats();
                report.wire_bytes = stats.wire_bytes_received;
                report.requests = stats.requests;
                report.retries = stats.retries;
                Ok(report)
            }
            Err(e) => {
                let message = e.to_string();
                // Best effort: the sync's own error matters more than a failure to note it.
                if let Err(note) = self
                    .store
                    .write(|db| db.sync().note_sync_end(now, Some(&message)))
                {
                    tracing::warn!(%note, "could not record the failed sync");
                }
                Err(e)
            }
        }
    }

    async fn sync_steps(
        &self,
        listener: &dyn SyncListener,
        cancel: &CancellationToken,
    ) -> Result<SyncReport, SyncError> {
        let state = self.store.read(|db| db.sync().state())?;
        let device_id = state.device_id.ok_or(SyncError::NotActivated)?;
        let token = self
            .secrets
            .get(DEVICE_TOKEN_KEY)
            .map_err(|e| SyncError::SecretStore { detail: e.0 })?
            .ok_or(SyncError::NotActivated)?;
        let mut report = SyncReport::default();
        // Push first: the pull that follows then already carries the server's view of
        // our edits, and never overwrites an edit still waiting in the outbox.
        self.push(&device_id, &token, listener, cancel, &mut report)
            .await?;
        self.pull(&token, listener, cancel, &mut report).await?;
        if self.options.download_media {
            self.fetch_media(&token, listener, cancel, &mut report)
                .await?;
        }
        report.cursor = self.store.read(|db| db.sync().state())?.cursor;
        Ok(report)
    }

    async fn push(
        &self,
        device_id: &str,
        token: &str,
        listener: &dyn SyncListener,
        cancel: &CancellationToken,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let total = u64::try_from(self.store.read(|db| db.sync().pending_count())?).unwrap_or(0);
        listener.on_progress(SyncProgress {
            phase: SyncPhase::Push,
            done: 0,
            total: Some(total),
        });
        loop {
            if cancel.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let batch = self
                .store
                .read(|db| db.sync().pending(self.options.push_batch))?;
            if batch.is_empty() {
                return Ok(());
            }
            let request = PushRequest {
                device_id: device_id.to_string(),
                mutations: batch.iter().map(to_wire).collect::<Result<_, _>>()?,
            };
            let answer: PushResponse = self
                .transport
                .post_json(
                    "/v1/mutations",
                    &request,
                    Some(token),
                    RetryMode::Idempotent,
                    cancel,
                )
                .await?;
            let now = self.clock.now_ms();
            let answered = self.store.write(|db| {
                let mut answered = 0u64;
                for result in &answer.results {
                    let Some(entry) = batch.iter().find(|m| m.mutation_id == result.mutation_id)
                    else {
                        continue; // an answer to something we did not send: ignore it
                    };
                    if !db.sync().remove(entry.mutation_id)? {
                        continue; // answered twice in one response: count once
                    }
                    answered += 1;
                    let outcome = match result.status {
                        MutationStatus::Applied => None,
                        MutationStatus::Rejected => Some(ConflictOutcome::Rejected),
                        MutationStatus::Conflict => Some(ConflictOutcome::Conflict),
                    };
                    match outcome {
                        None => report.applied += 1,
                        Some(ConflictOutcome::Rejected) => report.rejected += 1,
                        Some(ConflictOutcome::Conflict) => report.conflicts += 1,
                    }
                    if entry.kind == REDEMPTION_KIND
                        && answer_redemption(db, &entry.entity_id, result)?
                    {
                        continue; // kept as a dispute: the wallet's view of this answer
                    }
                    if let Some(outcome) = outcome {
                        db.sync().record_conflict(&Conflict {
                            id: 0,
                            mutation_id: entry.mutation_id,
                            kind: entry.kind.clone(),
                            entity_id: entry.entity_id.clone(),
                            outcome,
                            reason: result.reason.clone().unwrap_or_default(),
                            server_state: result.server_state.as_ref().map(|v| v.to_string()),
                            payload: entry.payload.clone(),
                            created_ms: now,
                            resolved_ms: None,
                        })?;
                    }
                }
                Ok::<_, StoreError>(answered)
            })?;
            report.pushed += answered;
            listener.on_progress(SyncProgress {
                phase: SyncPhase::Push,
                done: report.pushed,
                total: Some(total.max(report.pushed)),
            });
            if answered == 0 {
                // The server answered none of what we sent: retrying would loop forever.
                return Err(SyncError::MalformedResponse {
                    detail: "the push answer names none of the mutations sent".into(),
                });
            }
        }
    }

    async fn pull(
        &self,
        token: &str,
        listener: &dyn SyncListener,
        cancel: &CancellationToken,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let mut cursor = self.store.read(|db| db.sync().state())?.cursor;
        let mut done = 0u64;
        let mut total: Option<u64> = None;
        listener.on_progress(SyncProgress {
            phase: SyncPhase::Pull,
            done,
            total,
        });
        let mut next = Some(self.spawn_fetch(cursor.clone(), token, true, cancel));
        while let Some(fetch) = next.take() {
            let page = join(fetch).await?;
            if cancel.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            check_page(&page, cursor.as_deref())?;
            if total.is_none() {
                total = page.remaining.map(|r| r.saturating_add(done));
            }
            // Fetch the next page while this one is written: network and disk overlap.
            if page.has_more {
                next = Some(self.spawn_fetch(Some(page.next_cursor.clone()), token, false, cancel));
            }
            let store = Arc::clone(&self.store);
            let page = Arc::new(page);
            let applying = Arc::clone(&page);
            let applied: Applied =
                tokio::task::spawn_blocking(move || apply_page(&store, &applying))
                    .await
                    .map_err(|e| SyncError::Io {
                        what: "pulled changes".into(),
                        detail: e.to_string(),
                    })??;
            report.pages += 1;
            report.deleted += applied.deleted;
            for (kind, n) in applied.upserted {
                *report.pulled.entry(kind.as_str().to_string()).or_default() += n;
                done += n;
            }
            done += applied.deleted;
            cursor = Some(page.next_cursor.clone());
            listener.on_progress(SyncProgress {
                phase: SyncPhase::Pull,
                done,
                total: total.map(|t| t.max(done)),
            });
        }
        Ok(())
    }

    fn spawn_fetch(
        &self,
        cursor: Option<String>,
        token: &str,
        count: bool,
        cancel: &CancellationToken,
    ) -> tokio::task::JoinHandle<Result<ChangesPage, SyncError>> {
        let transport = Arc::clone(&self.transport);
        let token = token.to_string();
        let cancel = cancel.clone();
        let mut path = format!("/v1/changes?limit={}", self.options.page_limit);
        if let Some(c) = cursor.as_deref().filter(|c| !c.is_empty()) {
            path.push_str("&cursor=");
            path.push_str(&percent_encode(c));
        }
        if count {
            path.push_str("&count=true");
        }
        tokio::spawn(async move { transport.get_json(&path, Some(&token), &cancel).await })
    }

    async fn fetch_media(
        &self,
        token: &str,
        listener: &dyn SyncListener,
        cancel: &CancellationToken,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let missing = self
            .store
            .read(|db| db.catalog().images_without_file(u32::MAX))?;
        let total = missing.len() as u64;
        listener.on_progress(SyncProgress {
            phase: SyncPhase::Media,
            done: 0,
            total: Some(total),
        });
        if missing.is_empty() {
            return Ok(());
        }
        let dir = &self.options.media_dir;
        std::fs::create_dir_all(dir).map_err(|e| SyncError::Io {
            what: dir.display().to_string(),
            detail: e.to_string(),
        })?;
        for (i, image) in missing.iter().enumerate() {
            if cancel.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let fetched = self
                .transport
                .get_bytes(
                    &format!("/v1/media/{}", percent_encode(&image.id)),
                    Some(token),
                    self.options.max_media_bytes,
                    cancel,
                )
                .await?;
            let hash = hex::encode(Sha256::digest(&fetched.bytes));
            if let Some(expected) = &image.sha256
                && !expected.eq_ignore_ascii_case(&hash)
            {
                return Err(SyncError::MalformedResponse {
                    detail: format!("image {} does not match its checksum", image.id),
                });
            }
            let name = media_file_name(&image.id, fetched.content_type.as_deref());
            let path = dir.join(&name);
            let tmp = dir.join(format!("{name}.part"));
            let io = |e: std::io::Error| SyncError::Io {
                what: path.display().to_string(),
                detail: e.to_string(),
            };
            std::fs::write(&tmp, &fetched.bytes).map_err(io)?;
            std::fs::rename(&tmp, &path).map_err(io)?;
            let relative = format!("media/{name}");
            self.store
                .write(|db| db.catalog().set_image_local_path(&image.id, &relative))?;
            report.media_downloaded += 1;
            report.media_bytes += fetched.bytes.len() as u64;
            listener.on_progress(SyncProgress {
                phase: SyncPhase::Media,
                done: i as u64 + 1,
                total: Some(total),
            });
        }
        Ok(())
    }
}

/// Sets a local redemption's state from the server's answer: applied → confirmed,
/// conflict → disputed (and the dispute the server attached is kept), rejected → rejected.
/// Returns whether the answer was kept as a dispute, which then stands for it instead of a
/// row in `conflicts`.
fn answer_redemption(
    db: &Db<'_>,
    redemption_id: &str,
    result: &MutationResult,
) -> Result<bool, StoreError> {
    let state = match result.status {
        MutationStatus::Applied => RedemptionState::Confirmed,
        MutationStatus::Conflict => RedemptionState::Disputed,
        MutationStatus::Rejected => RedemptionState::Rejected,
    };
    db.coupons().set_redemption_state(redemption_id, state)?;
    if result.status != MutationStatus::Conflict {
        return Ok(false);
    }
    // A dispute that does not parse is not lost: it stays a plain conflict row.
    let dispute = result
        .server_state
        .as_ref()
        .and_then(|v| Dispute::deserialize(v).ok());
    match dispute {
        Some(d) => {
            db.coupons().put_dispute(&d)?;
            Ok(true)
        }
        None => {
            tracing::warn!(
                redemption_id,
                "a redemption conflict came without a dispute"
            );
            Ok(false)
        }
    }
}

async fn join<T>(handle: tokio::task::JoinHandle<Result<T, SyncError>>) -> Result<T, SyncError> {
    handle.await.map_err(|e| SyncError::Io {
        what: "sync task".into(),
        detail: e.to_string(),
    })?
}

/// Checks what the protocol promises of a page before anything is written.
fn check_page(page: &ChangesPage, cursor: Option<&str>) -> Result<(), SyncError> {
    if page.next_cursor.is_empty() || page.next_cursor.len() > 256 {
        return Err(SyncError::MalformedResponse {
            detail: "the page has no usable next_cursor".into(),
        });
    }
    if page.has_more && Some(page.next_cursor.as_str()) == cursor && page.changes.is_empty() {
        return Err(SyncError::MalformedResponse {
            detail: "the server says there is more but the cursor did not move".into(),
        });
    }
    Ok(())
}

fn to_wire(entry: &OutboxEntry) -> Result<Mutation, SyncError> {
    Ok(Mutation {
        mutation_id: entry.mutation_id,
        kind: entry.kind.clone(),
        entity_id: entry.entity_id.clone(),
        base_version: entry.base_version,
        payload: serde_json::from_str(&entry.payload).map_err(|e| {
            SyncError::Store(StoreError::InvalidData {
                what: "outbox payload",
                detail: e.to_string(),
            })
        })?,
        created_ms: entry.created_ms,
    })
}

/// A file name for an image id: the id itself when it is plainly safe, else a hash of it.
fn media_file_name(id: &str, content_type: Option<&str>) -> String {
    let ext = match content_type {
        Some(t) if t.starts_with("image/jpeg") => "jpg",
        Some(t) if t.starts_with("image/png") => "png",
        _ => "bin",
    };
    let safe = !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if safe {
        format!("{id}.{ext}")
    } else {
        format!(
            "{}.{ext}",
            &hex::encode(Sha256::digest(id.as_bytes()))[..32]
        )
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_names_are_safe() {
        assert_eq!(
            media_file_name("img_p_0001", Some("image/png")),
            "img_p_0001.png"
        );
        let odd = media_file_name("../../etc/passwd", Some("image/jpeg"));
        assert!(!odd.contains('/') && odd.ends_with(".jpg"), "{odd}");
    }

    #[test]
    fn cursors_are_encoded() {
        assert_eq!(percent_encode("12 3&x=/"), "12%203%26x%3D%2F");
        assert_eq!(percent_encode("48213"), "48213");
    }

    fn pending_redemption(store: &Store, id: &str) {
        store
            .write(|db| {
                db.coupons().insert_redemption(&crate::domain::Redemption {
                    id: id.into(),
                    coupon_id: "cti-1".into(),
                    book_id: "b1".into(),
                    device_id: "dev-a".into(),
                    order_total: crate::money::Fen(100),
                    amount: crate::money::Fen(10),
                    redeemed_ms: 1,
                    origin: crate::domain::RedemptionOrigin::Local,
                    state: RedemptionState::Pending,
                })
            })
            .unwrap();
    }

    fn answer(status: MutationStatus, server_state: Option<serde_json::Value>) -> MutationResult {
        MutationResult {
            mutation_id: 1,
            status,
            reason: Some("why".into()),
            server_state,
            code: None,
        }
    }

    #[test]
    fn push_answers_set_the_redemption_state_and_keep_the_dispute() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("db")).unwrap();
        for id in ["ok", "dup", "bad", "odd"] {
            pending_redemption(&store, id);
        }
        let dispute = serde_json::json!({
            "id": "dsp-1", "coupon_id": "cti-1", "book_id": "b1", "kind": "double_use",
            "accepted": [{"redemption_id": "first", "device_id": "dev-b", "amount": 10,
                          "redeemed_ms": 0}],
            "refused": {"redemption_id": "dup", "device_id": "dev-a", "amount": 10,
                        "order_total": 100, "redeemed_ms": 1},
            "detected_ms": 5, "message": "spent elsewhere", "resolved_ms": null
        });
        let kept = store
            .write(|db| {
                Ok::<_, StoreError>([
                    answer_redemption(db, "ok", &answer(MutationStatus::Applied, None))?,
                    answer_redemption(
                        db,
                        "dup",
                        &answer(MutationStatus::Conflict, Some(dispute.clone())),
                    )?,
                    answer_redemption(db, "bad", &answer(MutationStatus::Rejected, None))?,
                    answer_redemption(
                        db,
                        "odd",
                        &answer(MutationStatus::Conflict, Some(serde_json::json!({"x": 1}))),
                    )?,
                ])
            })
            .unwrap();
        // Only the conflict with a readable dispute stands in for a `conflicts` row.
        assert_eq!(kept, [false, true, false, false]);
        let state = |id: &str| {
            store
                .read(|db| db.coupons().redemption(id))
                .unwrap()
                .unwrap()
                .state
        };
        assert_eq!(state("ok"), RedemptionState::Confirmed);
        assert_eq!(state("dup"), RedemptionState::Disputed);
        assert_eq!(state("bad"), RedemptionState::Rejected);
        assert_eq!(state("odd"), RedemptionState::Disputed);
        let disputes = store.read(|db| db.coupons().disputes(false)).unwrap();
        assert_eq!(disputes.len(), 1);
        assert_eq!(disputes[0].refused.redemption_id, "dup");
    }
}
