//! What the phone holds, for the home screen: [`AppStatus`] and open [`ConflictInfo`]s.

use sellerkit_core::app::AppStatus as CoreStatus;
use sellerkit_core::domain::Conflict;

use crate::app::Tier;

/// What the phone holds and how its sync went.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct AppStatus {
    /// Whether the device is activated (see `SellerApp.isActivated`).
    pub activated: bool,
    /// The shop's id, once the first sync brought the shop.
    pub shop_id: Option<String>,
    /// The shop's name, once the first sync brought the shop.
    pub shop_name: Option<String>,
    /// The shop's tier, once the first sync brought the shop.
    pub tier: Option<Tier>,
    /// Products on the phone.
    pub products: i64,
    /// Orders on the phone.
    pub orders: i64,
    /// The seller's changes waiting to be sent.
    pub pending_outbox: i64,
    /// Changes the server did not accept that the seller has not dismissed.
    pub open_conflicts: i64,
    /// When the last successful sync ended, UTC ms.
    pub last_sync_ms: Option<i64>,
    /// Why the last sync failed, if the last one failed.
    pub last_sync_error: Option<String>,
}

impl From<CoreStatus> for AppStatus {
    fn from(status: CoreStatus) -> AppStatus {
        let s = status.store;
        AppStatus {
            activated: status.activated,
            shop_id: s.shop.as_ref().map(|shop| shop.shop_id.clone()),
            shop_name: s.shop.as_ref().map(|shop| shop.name.clone()),
            tier: s.shop.as_ref().map(|shop| shop.tier.into()),
            products: s.counts.products,
            orders: s.counts.orders,
            pending_outbox: s.counts.outbox,
            open_conflicts: s.counts.open_conflicts,
            last_sync_ms: s.sync.last_success_ms,
            last_sync_error: s.sync.last_error,
        }
    }
}

/// A change the server did not apply, kept for the seller to see.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ConflictInfo {
    /// Local id.
    pub id: i64,
    /// What kind of change: `redemption`, `checklist_tick`, `product_edit`, ...
    pub kind: String,
    /// The record it concerns.
    pub entity_id: String,
    /// `rejected` (the server refused it) or `conflict` (the server's state moved on).
    pub outcome: String,
    /// The server's reason.
    pub reason: String,
    /// When the answer arrived, UTC ms.
    pub at_ms: i64,
}

impl From<Conflict> for ConflictInfo {
    fn from(c: Conflict) -> Self {
        ConflictInfo {
            id: c.id,
            kind: c.kind,
            entity_id: c.entity_id,
            outcome: c.outcome.as_str().to_string(),
            reason: c.reason,
            at_ms: c.created_ms,
        }
    }
}
