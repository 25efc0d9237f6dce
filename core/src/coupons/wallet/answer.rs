//! The wallet's reading of the server's answer to a pushed redemption.
//!
//! The sync engine pushes redemptions like any other mutation; what an answer means for a
//! coupon (confirmed, disputed with the server's dispute kept, rejected) is the wallet's
//! rule, so it lives here and the engine only calls it inside its transaction.

use serde::Deserialize as _;

use crate::domain::{Dispute, RedemptionState};
use crate::protocol::{MutationResult, MutationStatus};
use crate::store::{Db, StoreError};

/// Sets a local redemption's state from the server's answer: applied → confirmed,
/// conflict → disputed (and the dispute the server attached is kept), rejected → rejected.
/// Returns whether the answer was kept as a dispute, which then stands for it instead of a
/// row in `conflicts`.
pub fn record_server_answer(
    db: &Db<'_>,
    redemption_id: &str,
    result: &MutationResult,
) -> Result<bool, StoreError> {
    let state = match result.status {
        MutationStatus::Applied => RedemptionState::Confirmed,
        MutationStatus::Conflict => RedemptionState::Disputed,
        MutationStatus::Rejected => RedemptionState::Rejected,
    };
    db.coupons().set_redemption_state(redemption_id, state)?;
    if result.status != MutationStatus::Conflict {
        return Ok(false);
    }
    // A dispute that does not parse is not lost: it stays a plain conflict row.
    let dispute = result
        .server_state
        .as_ref()
        .and_then(|v| Dispute::deserialize(v).ok());
    match dispute {
        Some(d) => {
            db.coupons().put_dispute(&d)?;
            Ok(true)
        }
        None => {
            tracing::warn!(
                redemption_id,
                "a redemption conflict came without a dispute"
            );
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn pending_redemption(store: &Store, id: &str) {
        store
            .write(|db| {
                db.coupons().insert_redemption(&crate::domain::Redemption {
                    id: id.into(),
                    coupon_id: "cti-1".into(),
                    book_id: "b1".into(),
                    device_id: "dev-a".into(),
                    order_total: crate::money::Fen(100),
                    amount: crate::money::Fen(10),
                    redeemed_ms: 1,
                    origin: crate::domain::RedemptionOrigin::Local,
                    state: RedemptionState::Pending,
                })
            })
            .unwrap();
    }

    fn answer(status: MutationStatus, server_state: Option<serde_json::Value>) -> MutationResult {
        MutationResult {
            mutation_id: 1,
            status,
            reason: Some("why".into()),
            server_state,
            code: None,
        }
    }

    #[test]
    fn push_answers_set_the_redemption_state_and_keep_the_dispute() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("db")).unwrap();
        for id in ["ok", "dup", "bad", "odd"] {
            pending_redemption(&store, id);
        }
        let dispute = serde_json::json!({
            "id": "dsp-1", "coupon_id": "cti-1", "book_id": "b1", "kind": "double_use",
            "accepted": [{"redemption_id": "first", "device_id": "dev-b", "amount": 10,
                          "redeemed_ms": 0}],
            "refused": {"redemption_id": "dup", "device_id": "dev-a", "amount": 10,
                        "order_total": 100, "redeemed_ms": 1},
            "detected_ms": 5, "message": "spent elsewhere", "resolved_ms": null
        });
        let kept = store
            .write(|db| {
                Ok::<_, StoreError>([
                    record_server_answer(db, "ok", &answer(MutationStatus::Applied, None))?,
                    record_server_answer(
                        db,
                        "dup",
                        &answer(MutationStatus::Conflict, Some(dispute.clone())),
                    )?,
                    record_server_answer(db, "bad", &answer(MutationStatus::Rejected, None))?,
                    record_server_answer(
                        db,
                        "odd",
                        &answer(MutationStatus::Conflict, Some(serde_json::json!({"x": 1}))),
                    )?,
                ])
            })
            .unwrap();
        // Only the conflict with a readable dispute stands in for a `conflicts` row.
        assert_eq!(kept, [false, true, false, false]);
        let state = |id: &str| {
            store
                .read(|db| db.coupons().redemption(id))
                .unwrap()
                .unwrap()
                .state
        };
        assert_eq!(state("ok"), RedemptionState::Confirmed);
        assert_eq!(state("dup"), RedemptionState::Disputed);
        assert_eq!(state("bad"), RedemptionState::Rejected);
        assert_eq!(state("odd"), RedemptionState::Disputed);
        let disputes = store.read(|db| db.coupons().disputes(false)).unwrap();
        assert_eq!(disputes.len(), 1);
        assert_eq!(disputes[0].refused.redemption_id, "dup");
    }
}
