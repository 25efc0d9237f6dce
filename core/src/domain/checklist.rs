//! The store-setup checklist's stored parts: definition documents and per-task state.

use super::spelled_enum;

spelled_enum! {
    /// Where a checklist definition document came from.
    DefinitionSource, "checklist definition source" {
        /// Shipped inside the app.
        Bundled => "bundled",
        /// Sent by the server, newer than the bundled one.
        Server => "server",
    }
}

/// A versioned checklist definition document (its JSON is interpreted by the checklist module).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistDefinition {
    /// Document version; the highest one wins.
    pub version: i64,
    /// Origin of the document.
    pub source: DefinitionSource,
    /// The document, as JSON text.
    pub document: String,
    /// When it was stored, UTC ms.
    pub received_ms: i64,
}

/// The seller's progress on one task.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskState {
    /// Task id from the definition.
    pub task_id: String,
    /// Ticked by hand (for `manual` tasks).
    pub manual_done: bool,
    /// When the task was first seen complete, UTC ms.
    pub completed_ms: Option<i64>,
    /// Last change, UTC ms.
    pub updated_ms: i64,
}
