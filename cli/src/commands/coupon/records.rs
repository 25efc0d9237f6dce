//! `sellerkit coupon list`, `disputes` and `limits`: what the wallet holds.

use std::fmt::Write as _;

use sellerkit_core::domain::{Dispute, DisputeKind, Redemption, WalletLimits};
use sellerkit_core::locale::Language;
use sellerkit_core::money::Fen;
use sellerkit_core::time::ShopZone;

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
    let language = ctx.language();
    ctx.out.print(
        &RedemptionList {
            redemptions: &redemptions,
        },
        |l| {
            if l.redemptions.is_empty() {
                return language
                    .pick("还没有核销记录。\n", "No redemptions yet.\n")
                    .to_owned();
            }
            // Column heads only: the states and origins are the wallet's stable words.
            let heads = language.pick(
                ["时间", "券", "金额", "订单金额", "状态", "来源", "设备"],
                [
                    "When",
                    "Coupon",
                    "Amount",
                    "Order total",
                    "State",
                    "Origin",
                    "Device",
                ],
            );
            let mut out = format!(
                "{:<25}  {:<24}  {:>11}  {:>12}  {:<9}  {:<6}  {}\n",
                heads[0], heads[1], heads[2], heads[3], heads[4], heads[5], heads[6]
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
        anyhow::bail!(
            "{}",
            ctx.language().pick(
                format!("没有未处理的争议 {id:?}（见 `sellerkit coupon disputes --all`）"),
                format!("no open dispute {id:?} (see `sellerkit coupon disputes --all`)"),
            )
        );
    }
    let disputes = app.coupon_disputes(all)?;
    let zone = shop_zone(app.store());
    let language = ctx.language();
    ctx.out.print(
        &DisputeList {
            resolved: resolve,
            disputes: &disputes,
        },
        |l| render_disputes(l, &zone, language),
    );
    Ok(())
}

fn render_disputes(l: &DisputeList<'_>, zone: &ShopZone, language: Language) -> String {
    let mut out = String::new();
    if let Some(id) = l.resolved {
        let _ = writeln!(
            out,
            "{}",
            language.pick(
                format!("争议 {id} 已标记为处理完毕。"),
                format!("Dispute {id} marked as dealt with."),
            )
        );
    }
    if l.disputes.is_empty() {
        out.push_str(language.pick("没有争议。\n", "No disputes.\n"));
        return out;
    }
    for d in l.disputes {
        let caught = when(d.detected_ms, zone);
        let dealt = d.resolved_ms.map(|ms| when(ms, zone));
        let head = language.pick(
            format!(
                "争议 {}（{}）：批次 {} 的券 {}，发现于 {caught}{}",
                d.id,
                match d.kind {
                    DisputeKind::DoubleUse => "重复使用",
                    DisputeKind::Overspent => "超额使用",
                },
                d.book_id,
                d.coupon_id,
                dealt
                    .as_ref()
                    .map(|t| format!("，处理于 {t}"))
                    .unwrap_or_default()
            ),
            format!(
                "Dispute {} ({}): coupon {} of book {}, caught {caught}{}",
                d.id,
                d.kind.as_str().replace('_', " "),
                d.coupon_id,
                d.book_id,
                dealt
                    .as_ref()
                    .map(|t| format!(", dealt with {t}"))
                    .unwrap_or_default()
            ),
        );
        let _ = writeln!(out, "{head}");
        // The server's own words.
        let _ = writeln!(out, "  {}", d.message);
        for a in &d.accepted {
            let at = when(a.redeemed_ms, zone);
            let _ = writeln!(
                out,
                "{}",
                language.pick(
                    format!(
                        "  已接受  设备 {} 于 {at} 使用 {}（{}）",
                        a.device_id, a.amount, a.redemption_id
                    ),
                    format!(
                        "  accepted  {} on device {} at {at} ({})",
                        a.amount, a.device_id, a.redemption_id
                    ),
                )
            );
        }
        let r = &d.refused;
        let at = when(r.redeemed_ms, zone);
        let _ = writeln!(
            out,
            "{}",
            language.pick(
                format!(
                    "  被拒绝  设备 {} 于 {at} 使用 {}（{}），订单金额 {}",
                    r.device_id, r.amount, r.redemption_id, r.order_total
                ),
                format!(
                    "  refused   {} on device {} at {at} ({}), order total {}",
                    r.amount, r.device_id, r.redemption_id, r.order_total
                ),
            )
        );
    }
    out
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
    let language = ctx.language();
    ctx.out.print(&view, |v| {
        let l = &v.limits;
        let mut out = language.pick(
            format!(
                "离线上限  {} 次核销，金额 {}，上次同步后 {} 小时内\n\
                 等待同步  {} 次核销，{}\n",
                l.max_unsynced_count,
                l.max_unsynced_value,
                l.max_offline_hours,
                v.unsynced_count,
                v.unsynced_value
            ),
            format!(
                "Offline limits  {} redemptions, {} in value, {} hours after the last sync\n\
                 Waiting to sync {} redemptions, {}\n",
                l.max_unsynced_count,
                l.max_unsynced_value,
                l.max_offline_hours,
                v.unsynced_count,
                v.unsynced_value
            ),
        );
        let last = match (v.last_sync_ms, v.redeem_until_ms) {
            (Some(last), Some(until)) => {
                let (last, until) = (when(last, &zone), when(until, &zone));
                language.pick(
                    format!("上次同步  {last}；在 {until} 之前可以核销"),
                    format!("Last sync       {last}; redeeming allowed until {until}"),
                )
            }
            _ => language
                .pick(
                    "上次同步  从未：请先同步一次再核销优惠券",
                    "Last sync       never: sync once before redeeming coupons",
                )
                .to_owned(),
        };
        let _ = writeln!(out, "{last}");
        out
    });
    Ok(())
}
