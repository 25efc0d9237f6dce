//! Sync with the marketplace backend: pull the shop's changes, push local mutations.
//!
//! The protocol is specified in `docs/sync-protocol.md`; its wire types are in [`protocol`].

pub mod apply;
pub mod backoff;
pub mod digest;
pub mod engine;
mod error;
pub mod progress;
pub mod protocol;
pub mod secrets;
pub mod transport;

pub use error::SyncError;
