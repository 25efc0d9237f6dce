//! Sync progress, events, summary and cancellation as the shells see them.

use std::sync::Arc;

use sellerkit_core::sync::engine::SyncReport;
use sellerkit_core::sync::progress as core_progress;
use tokio_util::sync::CancellationToken;

use crate::SellerKitError;

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
    /// The sync began (after any sync already running on this database finished).
    Started,
    /// The sync completed.
    Finished {
        /// What it did (the same summary `sync` returns).
        summary: SyncSummary,
    },
    /// The sync failed; what was committed before the failure stays.
    Failed {
        /// A stable code: the core's (`network`, `timeout`, `activate_again`, `storage`,
        /// ...) or the server's (`invalid_request`, ...), for logs and analytics.
        code: String,
        /// The explanation for the seller.
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

/// Sends progress and events to the shell's listener, if any.
pub(crate) struct Listener(pub(crate) Option<Arc<dyn SyncListener>>);

impl Listener {
    pub(crate) fn event(&self, event: SyncEvent) {
        if let Some(listener) = &self.0
            && let Err(e) = listener.on_event(event)
        {
            tracing::warn!(error = %e, "the sync listener failed on an event; ignored");
        }
    }
}

impl core_progress::SyncListener for Listener {
    fn on_progress(&self, p: core_progress::SyncProgress) {
        let Some(listener) = &self.0 else { return };
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
