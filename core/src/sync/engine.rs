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

use sha2::{Digest as _, Sha256};
use tokio_util::sync::CancellationToken;

use super::SyncError;
use super::apply::{Applied, apply_page};
use super::credentials::Credentials;
use super::progress::{SyncListener, SyncPhase, SyncProgress};
use super::transport::{RetryMode, Transport};
use crate::coupons::wallet::record_server_answer;
use crate::domain::{Conflict, ConflictOutcome, OutboxEntry};
use crate::protocol::{
    ActivateRequest, ActivateResponse, ChangesPage, MEDIA_UPLOAD_KIND, MediaInfo,
    MediaUploadPayload, Mutation, MutationStatus, PushRequest, PushResponse, REDEMPTION_KIND,
};
use crate::store::{Store, StoreError};
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
    /// Photos uploaded from the outbox (`PUT /v1/media/{id}`).
    pub media_uploaded: u64,
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
///
/// Every database call and file write runs on tokio's blocking threads
/// ([`SyncEngine::blocking`]), never on the runtime's few workers, so a slow disk or a long
/// write transaction elsewhere does not stall other async work or a cancellation.
pub struct SyncEngine {
    store: Arc<Store>,
    transport: Arc<Transport>,
    clock: Arc<dyn Clock>,
    options: SyncOptions,
}

impl SyncEngine {
    /// An engine talking to `transport`'s server.
    pub fn new(
        store: Arc<Store>,
        transport: Arc<Transport>,
        clock: Arc<dyn Clock>,
        options: SyncOptions,
    ) -> SyncEngine {
        SyncEngine {
            store,
            transport,
            clock,
            options,
        }
    }

    /// The transport, for its statistics.
    pub fn transport(&self) -> &Arc<Transport> {
        &self.transport
    }

    /// Asks the server to register this device with an activation code. Only the network
    /// step: what the answer means for this database (one shop per database, where the
    /// token goes) is decided by `crate::app`.
    pub async fn activate(
        &self,
        code: &str,
        device_name: &str,
        platform: &str,
        cancel: &CancellationToken,
    ) -> Result<ActivateResponse, SyncError> {
        let request = ActivateRequest {
            code: code.trim().to_string(),
            device_name: device_name.to_string(),
            platform: platform.to_string(),
        };
        self.transport
            .post_json(
                "/v1/activate",
                &request,
                None,
                RetryMode::OnlyIfNotSent,
                cancel,
            )
            .await
    }

    /// Pushes the outbox, pulls every change, downloads missing images, speaking for the
    /// device `credentials` names.
    ///
    /// Cancellation stops at the next request or page; everything committed stays.
    pub async fn sync(
        &self,
        credentials: &Credentials,
        listener: &dyn SyncListener,
        cancel: &CancellationToken,
    ) -> Result<SyncReport, SyncError> {
        let started = Instant::now();
        let result = self.sync_steps(credentials, listener, cancel).await;
        let now = self.clock.now_ms();
        match result {
            Ok(mut report) => {
                self.blocking(cancel, move |store| {
                    Ok(store.write(|db| db.sync().note_sync_end(now, None))?)
                })
                .await?;
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
                let noted = self
                    .blocking(cancel, move |store: &Store| {
                        Ok(store.write(|db| db.sync().note_sync_end(now, Some(&message)))?)
                    })
                    .await;
                if let Err(note) = noted {
                    tracing::warn!(%note, "could not record the failed sync");
                }
                Err(e)
            }
        }
    }

    /// Runs `f` on a blocking thread: SQLite and file writes never occupy a runtime worker.
    ///
    /// A cancellation returns at once without waiting for `f`: each `f` is one transaction
    /// (or one file written then renamed), so it either commits later as a whole or not at
    /// all, and what it writes is idempotent (pages carry their cursor, answers remove
    /// their outbox entry once), so a sync that starts meanwhile stays correct.
    async fn blocking<T, F>(&self, cancel: &CancellationToken, f: F) -> Result<T, SyncError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, SyncError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        let task = tokio::task::spawn_blocking(move || f(&store));
        tokio::select! {
            biased;
            () = cancel.cancelled() => Err(SyncError::Cancelled),
            done = task => done.map_err(|e| SyncError::Io {
                what: "the database task".into(),
                detail: e.to_string(),
            })?,
        }
    }

    async fn sync_steps(
        &self,
        credentials: &Credentials,
        listener: &dyn SyncListener,
        cancel: &CancellationToken,
    ) -> Result<SyncReport, SyncError> {
        let token = credentials.token.as_str();
        let mut report = SyncReport::default();
        // Push first: the pull that follows then already carries the server's view of
        // our edits, and never overwrites an edit still waiting in the outbox.
        self.push(&credentials.device_id, token, listener, cancel, &mut report)
            .await?;
        self.pull(token, listener, cancel, &mut report).await?;
        if self.options.download_media {
            self.fetch_media(token, listener, cancel, &mut report)
                .await?;
        }
        report.cursor = self
            .blocking(cancel, |store: &Store| {
                Ok(store.read(|db| db.sync().state())?.cursor)
            })
            .await?;
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
        let total = self
            .blocking(cancel, |store: &Store| {
                Ok(store.read(|db| db.sync().pending_count())?)
            })
            .await?;
        let total = u64::try_from(total).unwrap_or(0);
        listener.on_progress(SyncProgress {
            phase: SyncPhase::Push,
            done: 0,
            total: Some(total),
        });
        let batch_size = self.options.push_batch;
        loop {
            if cancel.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let batch = self
                .blocking(cancel, move |store: &Store| {
                    Ok(store.read(|db| db.sync().pending(batch_size))?)
                })
                .await?;
            if batch.is_empty() {
                return Ok(());
            }
            // Photo uploads run in outbox order: a photo reaches the server before the edit
            // that places it, and the mutations before it are pushed before it.
            if batch[0].kind == MEDIA_UPLOAD_KIND {
                let entry = batch.into_iter().next().ok_or(SyncError::Cancelled)?;
                self.upload_media(token, entry, cancel, report).await?;
                report.pushed += 1;
                listener.on_progress(SyncProgress {
                    phase: SyncPhase::Push,
                    done: report.pushed,
                    total: Some(total.max(report.pushed)),
                });
                continue;
            }
            let batch: Vec<OutboxEntry> = batch
                .into_iter()
                .take_while(|e| e.kind != MEDIA_UPLOAD_KIND)
                .collect();
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
            let tally = self
                .blocking(cancel, move |store: &Store| {
                    Ok(record_answers(store, &batch, &answer, now)?)
                })
                .await?;
            report.pushed += tally.answered;
            report.applied += tally.applied;
            report.rejected += tally.rejected;
            report.conflicts += tally.conflicts;
            listener.on_progress(SyncProgress {
                phase: SyncPhase::Push,
                done: report.pushed,
                total: Some(total.max(report.pushed)),
            });
            if tally.answered == 0 {
                // The server answered none of what we sent: retrying would loop forever.
                return Err(SyncError::MalformedResponse {
                    detail: "the push answer names none of the mutations sent".into(),
                });
            }
        }
    }

    /// Uploads one queued photo and removes its outbox entry.
    ///
    /// The PUT is idempotent (same image id, same bytes), so a kill after the server stored
    /// the photo but before the entry left the outbox only repeats a harmless upload. A photo
    /// the server refuses for good (a 400, 413 or 415), or whose file is gone or altered, is
    /// kept as a rejected entry in `conflicts` for the seller, never dropped silently; any
    /// other failure stops the sync with the entry still queued.
    async fn upload_media(
        &self,
        token: &str,
        entry: OutboxEntry,
        cancel: &CancellationToken,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let payload: Result<MediaUploadPayload, _> = serde_json::from_str(&entry.payload);
        let dir = self.options.media_dir.clone();
        let read = match &payload {
            Ok(p) => {
                let file = crate::storefront::media::media_file(&dir, &p.file);
                let expected = p.sha256.clone();
                self.blocking(cancel, move |_: &Store| {
                    let Some(file) = file else {
                        return Ok(Err("the photo's file name is not usable".to_string()));
                    };
                    match std::fs::read(&file) {
                        Ok(bytes) if hex::encode(Sha256::digest(&bytes)) == expected => {
                            Ok(Ok(bytes))
                        }
                        Ok(_) => Ok(Err(format!("{} was changed on the phone", file.display()))),
                        Err(e) => Ok(Err(format!("{}: {e}", file.display()))),
                    }
                })
                .await?
            }
            Err(e) => Err(format!("the queued upload is unreadable: {e}")),
        };
        let refusal = match (payload, read) {
            (Ok(p), Ok(bytes)) => {
                let mut path = format!(
                    "/v1/media/{}?role={}",
                    percent_encode(&entry.entity_id),
                    p.role.as_str()
                );
                if let Some(product) = &p.product_id {
                    path.push_str("&product_id=");
                    path.push_str(&percent_encode(product));
                }
                path.push_str(&format!("&position={}", p.position));
                let answer: Result<MediaInfo, SyncError> = self
                    .transport
                    .put_bytes(&path, bytes, &p.mime, Some(token), cancel)
                    .await;
                match answer {
                    Ok(info) if info.sha256.eq_ignore_ascii_case(&p.sha256) => None,
                    Ok(_) => {
                        return Err(SyncError::MalformedResponse {
                            detail: format!(
                                "the server stored other bytes for {}",
                                entry.entity_id
                            ),
                        });
                    }
                    Err(SyncError::Refused {
                        status: status @ (400 | 413 | 415),
                        code,
                        message,
                    }) => Some(format!(
                        "the server refused the photo ({status} {code}): {message}"
                    )),
                    Err(e) => return Err(e),
                }
            }
            (_, Err(reason)) => Some(reason),
            (Err(e), Ok(_)) => Some(format!("the queued upload is unreadable: {e}")),
        };
        let now = self.clock.now_ms();
        let uploaded = refusal.is_none();
        self.blocking(cancel, move |store: &Store| {
            Ok(store.write(|db| {
                if !db.sync().remove(entry.mutation_id)? {
                    return Ok(()); // another sync finished it meanwhile
                }
                if let Some(reason) = refusal {
                    db.sync().record_conflict(&Conflict {
                        id: 0,
                        mutation_id: entry.mutation_id,
                        kind: entry.kind.clone(),
                        entity_id: entry.entity_id.clone(),
                        outcome: ConflictOutcome::Rejected,
                        reason,
                        server_state: None,
                        payload: entry.payload.clone(),
                        created_ms: now,
                        resolved_ms: None,
                    })?;
                }
                Ok::<_, StoreError>(())
            })?)
        })
        .await?;
        if uploaded {
            report.media_uploaded += 1;
        } else {
            report.rejected += 1;
        }
        Ok(())
    }

    async fn pull(
        &self,
        token: &str,
        listener: &dyn SyncListener,
        cancel: &CancellationToken,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let mut cursor = self
            .blocking(cancel, |store: &Store| {
                Ok(store.read(|db| db.sync().state())?.cursor)
            })
            .await?;
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
            let page = Arc::new(page);
            let applying = Arc::clone(&page);
            let applied: Applied = self
                .blocking(cancel, move |store: &Store| {
                    Ok(apply_page(store, &applying)?)
                })
                .await?;
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
            .blocking(cancel, |store: &Store| {
                Ok(store.read(|db| db.catalog().images_without_file(u32::MAX))?)
            })
            .await?;
        let total = missing.len() as u64;
        listener.on_progress(SyncProgress {
            phase: SyncPhase::Media,
            done: 0,
            total: Some(total),
        });
        if missing.is_empty() {
            return Ok(());
        }
        let dir = self.options.media_dir.clone();
        self.blocking(cancel, move |_: &Store| {
            std::fs::create_dir_all(&dir).map_err(|e| SyncError::Io {
                what: dir.display().to_string(),
                detail: e.to_string(),
            })
        })
        .await?;
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
            let path = self.options.media_dir.join(&name);
            let tmp = self.options.media_dir.join(format!("{name}.part"));
            let size = fetched.bytes.len() as u64;
            let image_id = image.id.clone();
            self.blocking(cancel, move |store| {
                let io = |e: std::io::Error| SyncError::Io {
                    what: path.display().to_string(),
                    detail: e.to_string(),
                };
                std::fs::write(&tmp, &fetched.bytes).map_err(io)?;
                std::fs::rename(&tmp, &path).map_err(io)?;
                // The file name alone: readers resolve it inside the configured media folder
                // (storefront::media::media_file), wherever that folder is.
                Ok(store.write(|db| db.catalog().set_image_local_path(&image_id, &name))?)
            })
            .await?;
            report.media_downloaded += 1;
            report.media_bytes += size;
            listener.on_progress(SyncProgress {
                phase: SyncPhase::Media,
                done: i as u64 + 1,
                total: Some(total),
            });
        }
        Ok(())
    }
}

/// What one push answer did.
struct Tally {
    answered: u64,
    applied: u64,
    rejected: u64,
    conflicts: u64,
}

/// Records the server's answers to a pushed batch in one transaction: each answered
/// mutation leaves the outbox; a refused one is kept as a conflict for the seller, unless
/// the wallet keeps its redemption's answer as a dispute.
fn record_answers(
    store: &Store,
    batch: &[OutboxEntry],
    answer: &PushResponse,
    now: i64,
) -> Result<Tally, StoreError> {
    store.write(|db| {
        let mut tally = Tally {
            answered: 0,
            applied: 0,
            rejected: 0,
            conflicts: 0,
        };
        for result in &answer.results {
            let Some(entry) = batch.iter().find(|m| m.mutation_id == result.mutation_id) else {
                continue; // an answer to something we did not send: ignore it
            };
            if !db.sync().remove(entry.mutation_id)? {
                continue; // answered twice in one response: count once
            }
            tally.answered += 1;
            let outcome = match result.status {
                MutationStatus::Applied => None,
                MutationStatus::Rejected => Some(ConflictOutcome::Rejected),
                MutationStatus::Conflict => Some(ConflictOutcome::Conflict),
            };
            match outcome {
                None => tally.applied += 1,
                Some(ConflictOutcome::Rejected) => tally.rejected += 1,
                Some(ConflictOutcome::Conflict) => tally.conflicts += 1,
            }
            if entry.kind == REDEMPTION_KIND && record_server_answer(db, &entry.entity_id, result)?
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
        Ok(tally)
    })
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
    // Checked before the write: a damaged entity is the server's fault, and no part of the
    // page may land.
    for change in &page.changes {
        if let Some((what, detail)) = super::apply::change_problem(change) {
            return Err(SyncError::MalformedResponse {
                detail: format!("a pulled {what} is invalid: {detail}"),
            });
        }
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
        Some(t) if t.starts_with("image/webp") => "webp",
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
    fn a_page_with_a_damaged_entity_is_malformed() {
        let product = |price: i64| {
            crate::protocol::Change::Product(crate::domain::Product {
                id: "p1".into(),
                title: "t".into(),
                description: String::new(),
                category: String::new(),
                price: crate::money::Fen(price),
                stock: 1,
                status: crate::domain::ProductStatus::Active,
                featured: false,
                mobile_description: String::new(),
                gallery: Vec::new(),
                version: 1,
                updated_ms: 1,
            })
        };
        let page = |change| ChangesPage {
            changes: vec![change],
            next_cursor: "9".into(),
            has_more: false,
            remaining: None,
        };
        assert!(check_page(&page(product(0)), None).is_ok());
        let err = check_page(&page(product(-5)), None).unwrap_err();
        assert!(
            matches!(&err, SyncError::MalformedResponse { detail } if detail.contains("product")),
            "{err:?}"
        );
    }

    #[test]
    fn cursors_are_encoded() {
        assert_eq!(percent_encode("12 3&x=/"), "12%203%26x%3D%2F");
        assert_eq!(percent_encode("48213"), "48213");
    }
}
