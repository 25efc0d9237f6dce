//! `sellerkit activate`: register this database as a device of a shop.

use std::path::PathBuf;

use crate::Context;
use crate::commands::sync::run_cancellable;

/// Options of `sellerkit activate`.
#[derive(Debug, clap::Args)]
pub struct ActivateArgs {
    /// Server URL: https://..., or http:// to a loopback address (the dev server).
    #[arg(long, value_name = "URL")]
    server: String,
    /// Activation code from the service package (the dev server prints one per tier).
    #[arg(long, value_name = "CODE")]
    code: String,
    /// Name of this device as the backend shows it.
    #[arg(long, default_value = "SellerKit desktop")]
    device_name: String,
    /// Also trust this CA certificate (PEM), e.g. a self-hosted or test server's.
    #[arg(long, value_name = "PEM")]
    ca_cert: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: &ActivateArgs) -> anyhow::Result<()> {
    let db = ctx.db_path()?;
    let mut config = ctx.app_config(&db, true, args.ca_cert.as_deref())?;
    config.device_name = args.device_name.clone();
    let app = sellerkit_core::app::App::open(config)?;
    let activation =
        run_cancellable(
            |cancel| async move { app.activate(&args.server, &args.code, &cancel).await },
        )?;
    let language = ctx.language();
    ctx.out.print(&activation, |a| {
        language.pick(
            format!(
                "已激活设备 {}：{}（{}，{}），服务器 {}。\n下一步：sellerkit --db {} sync\n",
                a.device_id,
                a.shop_name,
                a.shop_id,
                sellerkit_core::checklist::tier_zh(a.tier),
                a.server_url,
                db.display()
            ),
            format!(
                "Activated device {} for {} ({}, {} tier) on {}.\nNext: sellerkit --db {} sync\n",
                a.device_id,
                a.shop_name,
                a.shop_id,
                a.tier,
                a.server_url,
                db.display()
            ),
        )
    });
    Ok(())
}
