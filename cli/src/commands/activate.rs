//! `sellerkit activate`: register this database as a device of a shop.

use std::path::PathBuf;
use std::sync::Arc;

use sellerkit_core::store::Store;
use sellerkit_core::sync::engine::{SyncEngine, SyncOptions};
use sellerkit_core::sync::secrets::FileSecretStore;
use sellerkit_core::sync::transport::Transport;

use crate::Context;
use crate::commands::sync::{run_cancellable, transport_config};

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
    let store = Arc::new(Store::open(&db)?);
    let secrets = Arc::new(FileSecretStore::beside_database(&db));
    let transport = Arc::new(Transport::new(
        &args.server,
        transport_config(args.ca_cert.as_deref())?,
    )?);
    let engine = SyncEngine::new(
        store,
        transport,
        secrets,
        ctx.clock(),
        SyncOptions::for_database(&db),
    );
    let activation = run_cancellable(|cancel| async move {
        engine
            .activate(&args.code, &args.device_name, "desktop", &cancel)
            .await
    })?;
    ctx.out.print(&activation, |a| {
        format!(
            "Activated device {} for {} ({}, {} tier) on {}.\nNext: sellerkit --db {} sync\n",
            a.device_id,
            a.shop_name,
            a.shop_id,
            a.tier,
            a.server_url,
            db.display()
        )
    });
    Ok(())
}
