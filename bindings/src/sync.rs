//! Sync progress, events, summary and cancellation as the shells see them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sellerkit_core::sync::engine::SyncReport;
use sellerkit_core::sync::progress as core_progress;
use tokio_util::sync::CancellationToken;

use crate::{ErrorCode, SellerKitError};

/// The steps of a sync, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum SyncPhase {
    /// Sending the seller's changes.
    Push,
    /// Receiving the shop's changes.
    Pull,
    /// Downloading pictures.
    Media,
}

/// How far the current phase is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SyncProgress {
    /// The phase.
    pub phase: SyncPhase,
    /// Items done in this phase (changes sent, changes received, pictures); never decreases
    /// within a phase.
    pub done: u64,
    /// Items in this phase, when known (then `done <= total`).
    pub total: Option<u64>,
}

/// What a finished sync did.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SyncSummary {
    /// Changes received from the server (new, updated and deleted records).
    pub changes_pulled: u64,
    /// Local changes sent and answered.
    pub pushed: u64,
    /// Of those, applied by the server.
    pub applied: u64,
    /// Of those, rejected (shown in `conflicts()`).
    pub rejected: u64,
    /// Of those, in conflict with the server's state (shown in `conflicts()`).
    pub conflicts: u64,
    /// Pictures downloaded.
    pub media_downloaded: u64,
    /// How long the sync took, ms.
    pub duration_ms: u64,
    /// Bytes received over the network (compressed): what the seller's data plan paid.
    pub wire_bytes: u64,
}

impl From<&SyncReport> for SyncSummary {
    fn from(r: &SyncReport) -> Self {
        SyncSummary {
            changes_pulled: r.changes_pulled(),
            pushed: r.pushed,
            applied: r.applied,
            rejected: r.rejected,
            conflicts: r.conflicts,
            media_downloaded: r.media_downloaded,
            duration_ms: r.duration_ms,
            wire_bytes: r.wire_bytes,
        }
    }
}

/// The life of one sync: `Started`, then exactly one of the others.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum SyncEvent {
    /// The sync holds the database and begins (any sync of the same database file, from
    /// this app, another `SellerApp` or another process, has finished). A sync that ends
    /// before it could begin (cancelled while waiting, not activated) still sends
    /// `Started` first, right before its terminal event.
    Started,
    /// The sync completed.
    Finished {
        /// What it did (the same summary `sync` returns).
        summary: SyncSummary,
    },
    /// The sync failed; what was committed before the failure stays.
    Failed {
        /// A stable code as text: the server's own for a refusal (`invalid_request`, ...),
        /// otherwise `error_code`'s name (`network`, `timeout`, `storage`, ...).
        code: String,
        /// The stable code of the failure, to branch on.
        error_code: ErrorCode,
        /// The explanation for the seller, in the seller's language.
        reason: String,
    },
    /// The sync was cancelled; what was committed before stays.
    Cancelled,
}

/// Receives a sync's progress and events.
///
/// Called on SellerKit's threads, never the UI thread: hop to the main thread to update
/// the UI, and keep the call quick (the sync waits for it). Calling `CancelHandle.cancel()`
/// from here is fine. A thrown exception is logged and ignored: the sync goes on.
#[uniffi::export(foreign)]
pub trait SyncListener: Send + Sync {
    /// A phase moved on.
    fn on_progress(&self, progress: SyncProgress) -> Result<(), SellerKitError>;
    /// The sync started, finished, failed or was cancelled.
    fn on_event(&self, event: SyncEvent) -> Result<(), SellerKitError>;
}

/// Cancels a sync from anywhere (a "Stop" button, a WorkManager stop, a listener).
///
/// One handle per operation: once cancelled it stays cancelled, and a sync given a
/// cancelled handle stops at once with `Cancelled`.
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelHandle {
    token: CancellationToken,
}

#[uniffi::export]
impl CancelHandle {
    /// A handle that is not cancelled.
    #[uniffi::constructor]
    pub fn new() -> Arc<CancelHandle> {
        Arc::new(CancelHandle::default())
    }

    /// Asks the operation to stop at its next step; returns at once. What was committed
    /// stays. Cancelling twice is harmless.
    pub fn cancel(&self) {
        self.token.cancel();
    }

    /// Whether `cancel` was called.
    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

impl CancelHandle {
    /// A token for one operation: cancelled by this handle, and on its own when the
    /// operation's caller goes away, without cancelling the handle.
    pub(crate) fn child_token(&self) -> CancellationToken {
        self.token.child_token()
    }
}

/// Sends progress and events to the shell's listener, if any: `Started` once, then exactly
/// one terminal event. No lock is held while the listener runs.
pub(crate) struct Listener {
    listener: Option<Arc<dyn SyncListener>>,
    started: AtomicBool,
}

impl Listener {
    pub(crate) fn new(listener: Option<Arc<dyn SyncListener>>) -> Listener {
        Listener {
            listener,
            started: AtomicBool::new(false),
        }
    }

    fn event(&self, event: SyncEvent) {
        if let Some(listener) = &self.listener
            && let Err(e) = listener.on_event(event)
        {
            tracing::warn!(error = %e, "the sync listener failed on an event; ignored");
        }
    }

    fn start(&self) {
        if !self.started.swap(true, Ordering::SeqCst) {
            self.event(SyncEvent::Started);
        }
    }

    /// The terminal event, after `Started` if the sync never began.
    pub(crate) fn end(&self, event: SyncEvent) {
        self.start();
        self.event(event);
    }
}

impl core_progress::SyncListener for Listener {
    fn on_started(&self) {
        self.start();
    }

    fn on_progress(&self, p: core_progress::SyncProgress) {
        let Some(listener) = &self.listener else {
            return;
        };
        let phase = match p.phase {
            core_progress::SyncPhase::Push => SyncPhase::Push,
            core_progress::SyncPhase::Pull => SyncPhase::Pull,
            core_progress::SyncPhase::Media => SyncPhase::Media,
        };
        let progress = SyncProgress {
            phase,
            done: p.done,
            total: p.total,
        };
        if let Err(e) = listener.on_progress(progress) {
            tracing::warn!(error = %e, "the sync listener failed on progress; ignored");
        }
    }
}
