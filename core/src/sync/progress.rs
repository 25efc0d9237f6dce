//! Progress and events of a sync, for progress bars and the shells' listeners.

use serde::Serialize;

/// The steps of a sync, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Sending the outbox.
    Push,
    /// Reading the shop's changes.
    Pull,
    /// Downloading images.
    Media,
}

/// How far a phase is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    /// Current phase.
    pub phase: SyncPhase,
    /// Items done in this phase (mutations, changes, images).
    pub done: u64,
    /// Items in this phase, when known.
    pub total: Option<u64>,
}

/// Receives progress; called on the sync's thread, so keep it quick.
pub trait SyncListener: Send + Sync {
    /// Another sync or activation holds the database; this one waits for it.
    fn on_waiting(&self) {}
    /// The sync holds the database (any other sync of it has finished) and begins.
    fn on_started(&self) {}
    /// A phase moved on.
    fn on_progress(&self, progress: SyncProgress);
}

/// A listener that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl SyncListener for NoProgress {
    fn on_progress(&self, _progress: SyncProgress) {}
}
