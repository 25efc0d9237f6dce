//! The dev server's SQLite database: its connections ([`db`]), schema migrations
//! ([`migrations`]) and one repository per seam, each holding all the SQL of its tables.
//!
//! Repository functions take a `&Connection` (a reader, or the writer inside a transaction:
//! a `Transaction` derefs to `Connection`) and never open transactions themselves, so
//! callers decide what is atomic together ([`db::Db::transaction`] opens one).

pub mod coupons;
pub mod db;
pub mod feed;
pub mod field_versions;
pub mod media;
pub mod migrations;
pub mod mutations;
pub mod shops;

use sellerkit_core::domain::Tier;
use sha2::{Digest as _, Sha256};

use crate::error::StoreError;

pub use feed::{
    SeqAlloc, delete_entity, digest, get_entity, get_typed, list_typed, max_seq, put_entity,
    put_value, render_changes,
};
pub use field_versions::{EntityKey, field_version, record_changed_fields};
pub use media::{NewMedia, get_media, media_sha256, put_media};
#[cfg(test)]
pub use mutations::checklist_tick;
pub use mutations::{set_checklist_tick, store_result, stored_result};
pub use shops::{
    ActivationCode, ShopInfo, activation_codes, device_by_token, insert_device, insert_shop,
    list_shops, lookup_activation_code, revoke_device, shop_exists,
};

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn parse_tier(text: &str) -> Result<Tier, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("stored tier: {e}")))
}
