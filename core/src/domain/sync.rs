//! What the sync engine keeps: the outbox, the cursor and the conflicts shown to the seller.

use super::spelled_enum;

/// A local change waiting to be pushed; its `mutation_id` is this device's monotonic id.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutboxEntry {
    /// Per-device monotonic id; never reused, even after the entry leaves the outbox.
    pub mutation_id: i64,
    /// Mutation kind, e.g. `redemption`, `checklist_tick`, `product_edit`.
    pub kind: String,
    /// Id of the entity changed.
    pub entity_id: String,
    /// Server version the edit was made on, for stale-edit detection.
    pub base_version: Option<i64>,
    /// The mutation's JSON body.
    pub payload: String,
    /// When it was made, UTC ms.
    pub created_ms: i64,
    /// How many pushes have carried it.
    pub attempts: i64,
    /// Last push error, if any.
    pub last_error: Option<String>,
}

/// The device's sync bookkeeping.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncState {
    /// Device id from activation.
    pub device_id: Option<String>,
    /// Server the device is activated against.
    pub server_url: Option<String>,
    /// Pull cursor: the position after the last applied page.
    pub cursor: Option<String>,
    /// Last sync that finished, UTC ms.
    pub last_success_ms: Option<i64>,
    /// Last sync started, UTC ms.
    pub last_attempt_ms: Option<i64>,
    /// Why the last sync failed, if it did.
    pub last_error: Option<String>,
}

spelled_enum! {
    /// The server's answer to a mutation that was not applied.
    ConflictOutcome, "conflict outcome" {
        /// Refused, with a reason (invalid, not allowed).
        Rejected => "rejected",
        /// The server's state moved on; the seller decides.
        Conflict => "conflict",
    }
}

/// A mutation the server did not apply, kept for the seller to see.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Conflict {
    /// Local id.
    pub id: i64,
    /// The mutation it answers.
    pub mutation_id: i64,
    /// Mutation kind.
    pub kind: String,
    /// Entity concerned.
    pub entity_id: String,
    /// Rejected or conflict.
    pub outcome: ConflictOutcome,
    /// Reason given by the server.
    pub reason: String,
    /// The server's current state of the entity, as JSON, for conflicts.
    pub server_state: Option<String>,
    /// The mutation's own payload, so nothing the seller did is lost.
    pub payload: String,
    /// When the answer arrived, UTC ms.
    pub created_ms: i64,
    /// When the seller dismissed it, UTC ms.
    pub resolved_ms: Option<i64>,
}
