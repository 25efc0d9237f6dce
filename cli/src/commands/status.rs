//! `sellerkit status`: what a database holds.

use std::fmt::Write as _;
use std::path::Path;

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
    ctx.out.print(
        &StatusReport {
            db: &path,
            activated: status.activated,
            status: &status.store,
        },
        |r| render(r.db, r.status),
    );
    Ok(())
}

/// Text rendering shared by `status` and `demo`.
pub fn render(db: &Path, s: &StoreStatus) -> String {
    let mut out = String::new();
    let c = &s.counts;
    let zone = s
        .shop
        .as_ref()
        .and_then(|shop| ShopZone::new(&shop.time_zone).ok())
        .unwrap_or_default();
    let when = |ms: Option<i64>| match ms {
        Some(ms) => format_ms_rfc3339(ms, &zone).unwrap_or_else(|_| format!("{ms} ms")),
        None => "never".to_string(),
    };
    let _ = writeln!(out, "Database   {}", db.display());
    let _ = writeln!(
        out,
        "Schema     v{} (this build: v{})",
        s.schema_version, s.latest_schema_version
    );
    match &s.shop {
        Some(shop) => {
            let _ = writeln!(
                out,
                "Shop       {} ({}, {} tier, {})",
                shop.name, shop.shop_id, shop.tier, shop.time_zone
            );
        }
        None => {
            let _ = writeln!(
                out,
                "Shop       none yet (activate and sync, or run `sellerkit demo`)"
            );
        }
    }
    let _ = writeln!(
        out,
        "Catalogue  {} products, {} images",
        c.products, c.images
    );
    let _ = writeln!(
        out,
        "Orders     {} orders, {} lines",
        c.orders, c.order_lines
    );
    let _ = writeln!(
        out,
        "Coupons    {} books, {} keys, {} revocations, {} redemptions",
        c.coupon_books, c.signing_keys, c.revocations, c.redemptions
    );
    let _ = writeln!(
        out,
        "Checklist  {} definitions, {} tasks with progress",
        c.checklist_definitions, c.checklist_tasks
    );
    let _ = writeln!(
        out,
        "Sync       last success {}; {} waiting to push, {} open conflicts",
        when(s.sync.last_success_ms),
        c.outbox,
        c.open_conflicts
    );
    if let Some(err) = &s.sync.last_error {
        let _ = writeln!(out, "           last error: {err}");
    }
    out
}
