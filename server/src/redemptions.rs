//! `redemption` mutations: the server verifies the coupon itself, then applies first-wins
//! per coupon. The second redemption of a single-use coupon, one beyond an N-use coupon's
//! uses, or one that a stored-value balance no longer covers is a `conflict` carrying a
//! dispute, which also goes into the feed for every device of the shop. A stored-value
//! redemption is accepted whole or not at all.
//!
//! Each redemption id is answered once: pushing it again (another mutation id, another
//! batch) gets the first answer, so a redemption is never in dispute with itself.

use rusqlite::Connection;
use sellerkit_core::coupons::wallet::{check_window, discount};
use sellerkit_core::coupons::{CouponValue, Refusal, decode};
use sellerkit_core::domain::{
    CouponKind, Dispute, DisputeKind, DisputedUse, Redemption, RedemptionOrigin, RedemptionState,
    RefusedRedemption, RevocationTarget,
};
use sellerkit_core::money::Fen;
use sellerkit_core::protocol::{EntityKind, Mutation, MutationResult, RedemptionPayload};
use serde::Deserialize as _;

use crate::error::ApiError;
use crate::extract::Device;
use crate::mutations::Outcome;
use crate::store::coupons::{self, LedgerEntry};
use crate::store::{self, SeqAlloc};

/// Code of a redemption whose payload is inconsistent (not a wallet refusal).
pub const INVALID_REDEMPTION: &str = "invalid_redemption";

fn invalid(reason: impl Into<String>) -> Outcome {
    Outcome::Refused {
        code: INVALID_REDEMPTION,
        reason: reason.into(),
    }
}

fn refused(r: &Refusal) -> Outcome {
    Outcome::Refused {
        code: r.code(),
        reason: r.to_string(),
    }
}

/// Applies one `redemption` mutation in the caller's transaction.
pub fn redeem(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    device: &Device,
    m: &Mutation,
    now_ms: i64,
) -> Result<Outcome, ApiError> {
    let p = match RedemptionPayload::deserialize(&m.payload) {
        Ok(p) => p,
        Err(e) => return Ok(invalid(format!("not a redemption payload: {e}"))),
    };
    if p.redemption_id != m.entity_id {
        return Ok(invalid("entity_id must be the redemption_id"));
    }
    let shop = &device.shop_id;
    if let Some(prev) = coupons::ledger_entry(conn, shop, &p.redemption_id)? {
        if prev.device_id != device.device_id {
            return Ok(invalid("this redemption id was used by another device"));
        }
        let answer: MutationResult =
            serde_json::from_value(prev.outcome).map_err(|e| ApiError::internal(&e))?;
        return Ok(Outcome::Replay(answer));
    }
    let outcome = judge(conn, seqs, device, &p, now_ms)?;
    let answer = outcome.clone().into_result(0);
    coupons::insert_ledger(
        conn,
        shop,
        &LedgerEntry {
            redemption_id: p.redemption_id.clone(),
            coupon_id: p.coupon_id.clone(),
            device_id: device.device_id.clone(),
            amount: p.amount,
            redeemed_ms: p.redeemed_ms,
            accepted: matches!(outcome, Outcome::Applied),
            outcome: serde_json::to_value(&answer).map_err(|e| ApiError::internal(&e))?,
        },
    )?;
    Ok(outcome)
}

/// Every check, then the effect: the redemption or the dispute in the feed.
fn judge(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    device: &Device,
    p: &RedemptionPayload,
    now_ms: i64,
) -> Result<Outcome, ApiError> {
    let shop = &device.shop_id;
    let coupon = match decode(&p.coupon) {
        Ok(c) => c,
        Err(r) => return Ok(refused(&r)),
    };
    let claims = coupon.claims();
    if &claims.issuer != shop {
        return Ok(refused(&Refusal::WrongShop));
    }
    let Some(key) = coupons::key(conn, shop, coupon.kid())? else {
        return Ok(refused(&Refusal::UnknownKey {
            kid: coupon.kid().to_string(),
        }));
    };
    if let Err(r) = coupon.verify_signature(&key.public) {
        return Ok(refused(&r));
    }
    if p.coupon_id != claims.coupon_id || p.book_id != claims.book_id || p.kid != coupon.kid() {
        return Ok(invalid(
            "coupon_id, book_id and kid must be the coupon's own",
        ));
    }
    // A revocation counts from its instant: a redemption made offline before it stands.
    for (target, id) in [
        (RevocationTarget::Coupon, &claims.coupon_id),
        (RevocationTarget::Book, &claims.book_id),
        (RevocationTarget::Key, &key.public.kid),
    ] {
        if coupons::revoked_since(conn, shop, target, id)?
            .is_some_and(|since| since <= p.redeemed_ms)
        {
            return Ok(refused(&Refusal::Revoked { what: target }));
        }
    }
    if let Err(r) = check_window(p.redeemed_ms, claims.not_before_ms, claims.expires_ms) {
        return Ok(refused(&r));
    }
    if p.order_total <= Fen::ZERO {
        return Ok(invalid("order_total must be above 0"));
    }
    if p.order_total < claims.min_spend {
        return Ok(refused(&Refusal::BelowMinSpend {
            min_spend: claims.min_spend,
        }));
    }
    match discount(claims, p.order_total) {
        Some(d) if d != p.amount => {
            return Ok(invalid(format!(
                "this coupon takes {d} off an order of {}, not {}",
                p.order_total, p.amount
            )));
        }
        None if p.amount <= Fen::ZERO || p.amount > p.order_total => {
            return Ok(invalid(
                "a stored-value amount must be above 0 and at most the order total",
            ));
        }
        _ => {}
    }

    // First wins, in the order redemptions reach the server.
    let accepted = coupons::accepted_of(conn, shop, &claims.coupon_id)?;
    let spent = Fen::checked_sum(accepted.iter().map(|a| a.amount)).unwrap_or(Fen(i64::MAX));
    let over = match claims.kind {
        CouponKind::SingleUse => (!accepted.is_empty()).then_some(DisputeKind::DoubleUse),
        CouponKind::MultiUse => {
            let max = usize::try_from(claims.max_uses.unwrap_or(1)).unwrap_or(usize::MAX);
            (accepted.len() >= max).then_some(DisputeKind::DoubleUse)
        }
        CouponKind::StoredValue => {
            let value = match claims.value {
                CouponValue::Amount(v) => v,
                CouponValue::Percent(_) => Fen::ZERO,
            };
            let after = spent.checked_add(p.amount).unwrap_or(Fen(i64::MAX));
            (after > value).then_some(DisputeKind::Overspent)
        }
    };
    if let Some(kind) = over {
        let dispute = Dispute {
            id: format!("dsp_{}", p.redemption_id),
            coupon_id: claims.coupon_id.clone(),
            book_id: claims.book_id.clone(),
            kind,
            accepted: accepted
                .iter()
                .map(|a| DisputedUse {
                    redemption_id: a.redemption_id.clone(),
                    device_id: a.device_id.clone(),
                    amount: a.amount,
                    redeemed_ms: a.redeemed_ms,
                })
                .collect(),
            refused: RefusedRedemption {
                redemption_id: p.redemption_id.clone(),
                device_id: device.device_id.clone(),
                amount: p.amount,
                order_total: p.order_total,
                redeemed_ms: p.redeemed_ms,
            },
            detected_ms: now_ms,
            message: dispute_message(kind, &accepted, p.amount, spent, claims.value),
            resolved_ms: None,
        };
        store::put_value(conn, seqs, shop, EntityKind::Dispute, &dispute.id, &dispute)?;
        let state = serde_json::to_value(&dispute).map_err(|e| ApiError::internal(&e))?;
        return Ok(Outcome::Disputed {
            code: kind.as_str(),
            reason: dispute.message,
            state,
        });
    }
    let redemption = Redemption {
        id: p.redemption_id.clone(),
        coupon_id: claims.coupon_id.clone(),
        book_id: claims.book_id.clone(),
        device_id: device.device_id.clone(),
        order_total: p.order_total,
        amount: p.amount,
        redeemed_ms: p.redeemed_ms,
        origin: RedemptionOrigin::Server,
        state: RedemptionState::Confirmed,
    };
    store::put_value(
        conn,
        seqs,
        shop,
        EntityKind::Redemption,
        &redemption.id,
        &redemption,
    )?;
    Ok(Outcome::Applied)
}

fn dispute_message(
    kind: DisputeKind,
    accepted: &[LedgerEntry],
    amount: Fen,
    spent: Fen,
    value: CouponValue,
) -> String {
    let first = accepted
        .first()
        .map_or("another device", |a| a.device_id.as_str());
    match kind {
        DisputeKind::DoubleUse => format!(
            "This coupon had already been redeemed ({} time(s), first on {first}); the {amount} \
             given on this redemption was not accepted.",
            accepted.len()
        ),
        DisputeKind::Overspent => {
            let balance = match value {
                CouponValue::Amount(v) => v.checked_sub(spent).unwrap_or(Fen::ZERO),
                CouponValue::Percent(_) => Fen::ZERO,
            };
            format!(
                "This stored-value coupon had only {balance} left when this redemption of \
                 {amount} arrived (already spent: {spent}); it was not accepted."
            )
        }
    }
}
