//! Sync with the marketplace backend: pull the shop's changes, push local mutations.
//!
//! The protocol is specified in `docs/sync-protocol.md`; its wire types are in
//! [`crate::protocol`], below both this module and the store, so neither imports the other.

pub mod apply;
pub mod backoff;
mod credentials;
pub mod digest;
pub mod engine;
mod error;
pub mod progress;
pub mod secrets;
pub mod summary;
pub mod transport;

pub use credentials::Credentials;
pub use error::SyncError;
