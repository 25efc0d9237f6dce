//! `sellerkit coupon list`, `disputes` and `limits`: what the wallet holds.

use std::fmt::Write as _;

use sellerkit_core::domain::{Dispute, Redemption, WalletLimits};
use sellerkit_core::money::Fen;

use super::open_wallet;
use super::verdict::{shop_zone, when};
use crate::Context;

#[derive(serde::Serialize)]
struct RedemptionList<'a> {
    redemptions: &'a [Redemption],
}

/// `coupon list`.
pub fn list(ctx: &Context, limit: u32) -> anyhow::Result<()> {
    let app = open_wallet(ctx)?;
    let redemptions = app.coupon_redemptions(limit)?;
    let zone = shop_zone(app.store());
    ctx.out.print(
        &RedemptionList {
            redemptions: &redemptions,
        },
        |l| {
            if l.redemptions.is_empty() {
                return "No redemptions yet.\n".to_owned();
            }
            let mut out = format!(
                "{:<25}  {:<24}  {:>11}  {:>12}  {:<9}  {:<6}  {}\n",
                "When", "Coupon", "Amount", "Order total", "State", "Origin", "Device"
            );
            for r in l.redemptions {
                let _ = writeln!(
                    out,
                    "{:<25}  {:<24}  {:>11}  {:>12}  {:<9}  {:<6}  {}",
                    when(r.redeemed_ms, &zone),
                    r.coupon_id,
                    r.amount.to_string(),
                    r.order_total.to_string(),
                    r.state.as_str(),
                    r.origin.as_str(),
                    r.device_id
                );
            }
            out
        },
    );
    Ok(())
}

#[derive(serde::Serialize)]
struct DisputeList<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved: Option<&'a str>,
    disputes: &'a [Dispute],
}

/// `coupon disputes [--all] [--resolve ID]`.
pub fn disputes(ctx: &Context, all: bool, resolve: Option<&str>) -> anyhow::Result<()> {
    let app = open_wallet(ctx)?;
    if let Some(id) = resolve
        && !app.resolve_coupon_dispute(id)?
    {
        anyhow::bail!("no open dispute {id:?} (see `sellerkit coupon disputes --all`)");
    }
    let disputes = app.coupon_disputes(all)?;
    let zone = shop_zone(app.store());
    ctx.out.print(
        &DisputeList {
            resolved: resolve,
            disputes: &disputes,
        },
        |l| {
            let mut out = String::new();
            if let Some(id) = l.resolved {
                let _ = writeln!(out, "Dispute {id} marked as dealt with.");
            }
            if l.disputes.is_empty() {
                out.push_str("No disputes.\n");
                return out;
            }
            for d in l.disputes {
                let _ = writeln!(
                    out,
                    "Dispute {} ({}): coupon {} of book {}, caught {}{}",
                    d.id,
                    d.kind.as_str().replace('_', " "),
                    d.coupon_id,
                    d.book_id,
                    when(d.detected_ms, &zone),
                    match d.resolved_ms {
                        Some(ms) => format!(", dealt with {}", when(ms, &zone)),
                        None => String::new(),
                    }
                );
                let _ = writeln!(out, "  {}", d.message);
                for a in &d.accepted {
                    let _ = writeln!(
                        out,
                        "  accepted  {} on device {} at {} ({})",
                        a.amount,
                        a.device_id,
                        when(a.redeemed_ms, &zone),
                        a.redemption_id
                    );
                }
                let r = &d.refused;
                let _ = writeln!(
                    out,
                    "  refused   {} on device {} at {} ({}), order total {}",
                    r.amount,
                    r.device_id,
                    when(r.redeemed_ms, &zone),
                    r.redemption_id,
                    r.order_total
                );
            }
            out
        },
    );
    Ok(())
}

#[derive(serde::Serialize)]
struct LimitsView {
    limits: WalletLimits,
    unsynced_count: u32,
    unsynced_value: Fen,
    last_sync_ms: Option<i64>,
    redeem_until_ms: Option<i64>,
}

/// `coupon limits [--count N] [--value FEN] [--hours H]`.
pub fn limits(
    ctx: &Context,
    count: Option<u32>,
    value: Option<Fen>,
    hours: Option<u32>,
) -> anyhow::Result<()> {
    let app = open_wallet(ctx)?;
    if count.is_some() || value.is_some() || hours.is_some() {
        let mut limits = app.wallet_limits()?;
        if let Some(n) = count {
            limits.max_unsynced_count = n;
        }
        if let Some(v) = value {
            limits.max_unsynced_value = v;
        }
        if let Some(h) = hours {
            limits.max_offline_hours = h;
        }
        app.set_wallet_limits(&limits)?;
    }
    let status = app.wallet_status()?;
    let zone = shop_zone(app.store());
    let view = LimitsView {
        limits: status.limits,
        unsynced_count: status.unsynced.count,
        unsynced_value: status.unsynced.value,
        last_sync_ms: status.last_sync_ms,
        redeem_until_ms: status.redeem_until_ms,
    };
    ctx.out.print(&view, |v| {
        let l = &v.limits;
        let mut out = format!(
            "Offline limits  {} redemptions, {} in value, {} hours after the last sync\n\
             Waiting to sync {} redemptions, {}\n",
            l.max_unsynced_count,
            l.max_unsynced_value,
            l.max_offline_hours,
            v.unsynced_count,
            v.unsynced_value
        );
        let _ = match (v.last_sync_ms, v.redeem_until_ms) {
            (Some(last), Some(until)) => writeln!(
                out,
                "Last sync       {}; redeeming allowed until {}",
                when(last, &zone),
                when(until, &zone)
            ),
            _ => writeln!(
                out,
                "Last sync       never: sync once before redeeming coupons"
            ),
        };
        out
    });
    Ok(())
}
