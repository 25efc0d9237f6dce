//! `sellerkit status`: what a database holds.

use std::fmt::Write as _;
use std::path::Path;

use sellerkit_core::checklist::tier_zh;
use sellerkit_core::locale::Language;
use sellerkit_core::store::StoreStatus;
use sellerkit_core::time::{ShopZone, format_ms_rfc3339};

use crate::Context;

/// The JSON shape of a status report.
#[derive(serde::Serialize)]
pub struct StatusReport<'a> {
    /// Database file.
    pub db: &'a Path,
    /// Whether the device is activated (the core service's one definition).
    pub activated: bool,
    /// What it holds.
    #[serde(flatten)]
    pub status: &'a StoreStatus,
}

pub fn run(ctx: &Context) -> anyhow::Result<()> {
    let path = ctx.db_path()?;
    // Inspecting never creates a database.
    let app = ctx.open_app(false, None)?;
    let status = app.status()?;
    let language = ctx.language();
    ctx.out.print(
        &StatusReport {
            db: &path,
            activated: status.activated,
            status: &status.store,
        },
        |r| render(r.db, r.status, language),
    );
    Ok(())
}

/// Text rendering shared by `status` and `demo`, in the seller's language.
pub fn render(db: &Path, s: &StoreStatus, language: Language) -> String {
    let mut out = String::new();
    let c = &s.counts;
    let zone = s
        .shop
        .as_ref()
        .and_then(|shop| ShopZone::new(&shop.time_zone).ok())
        .unwrap_or_default();
    let when = |ms: Option<i64>| match ms {
        Some(ms) => format_ms_rfc3339(ms, &zone).unwrap_or_else(|_| format!("{ms} ms")),
        None => language.pick("从未", "never").to_string(),
    };
    let shop = match &s.shop {
        Some(shop) => language.pick(
            format!(
                "{}（{}，{}，{}）",
                shop.name,
                shop.shop_id,
                tier_zh(shop.tier),
                shop.time_zone
            ),
            format!(
                "{} ({}, {} tier, {})",
                shop.name, shop.shop_id, shop.tier, shop.time_zone
            ),
        ),
        None => language
            .pick(
                "尚无（请先激活并同步，或运行 `sellerkit demo`）",
                "none yet (activate and sync, or run `sellerkit demo`)",
            )
            .to_string(),
    };
    let lines = language.pick(
        [
            format!("数据库    {}", db.display()),
            format!(
                "数据结构  v{}（本程序：v{}）",
                s.schema_version, s.latest_schema_version
            ),
            format!("店铺      {shop}"),
            format!("商品      {} 件商品，{} 张图片", c.products, c.images),
            format!("订单      {} 笔订单，{} 行明细", c.orders, c.order_lines),
            format!(
                "优惠券    {} 个批次，{} 把密钥，{} 条作废，{} 次核销",
                c.coupon_books, c.signing_keys, c.revocations, c.redemptions
            ),
            format!(
                "开店清单  {} 个版本，{} 项任务有进度",
                c.checklist_definitions, c.checklist_tasks
            ),
            format!(
                "同步      上次成功 {}；{} 项等待上传，{} 个未处理冲突",
                when(s.sync.last_success_ms),
                c.outbox,
                c.open_conflicts
            ),
        ],
        [
            format!("Database   {}", db.display()),
            format!(
                "Schema     v{} (this build: v{})",
                s.schema_version, s.latest_schema_version
            ),
            format!("Shop       {shop}"),
            format!("Catalogue  {} products, {} images", c.products, c.images),
            format!("Orders     {} orders, {} lines", c.orders, c.order_lines),
            format!(
                "Coupons    {} books, {} keys, {} revocations, {} redemptions",
                c.coupon_books, c.signing_keys, c.revocations, c.redemptions
            ),
            format!(
                "Checklist  {} definitions, {} tasks with progress",
                c.checklist_definitions, c.checklist_tasks
            ),
            format!(
                "Sync       last success {}; {} waiting to push, {} open conflicts",
                when(s.sync.last_success_ms),
                c.outbox,
                c.open_conflicts
            ),
        ],
    );
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    // The stored error is the log's English detail; the seller's sentence was shown when
    // the sync failed.
    if let Some(err) = &s.sync.last_error {
        let _ = writeln!(
            out,
            "{}{err}",
            language.pick("          上次错误：", "           last error: ")
        );
    }
    out
}
