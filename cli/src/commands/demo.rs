//! `sellerkit demo`: a fresh database holding a demo shop, then a report of what it holds.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use sellerkit_core::store::Store;

use crate::Context;
use crate::commands::status::render;
use crate::demo_shop;

/// Options of `sellerkit demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Keep everything the demo makes in DIR (DIR/sellerkit.db, ...) for other commands to
    /// inspect; without it a temporary folder is used and deleted at the end.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Replace a database already in DIR.
    #[arg(long, requires = "out")]
    force: bool,
}

#[derive(serde::Serialize)]
struct DemoReport<'a> {
    /// Folder holding what the demo made.
    dir: &'a Path,
    /// Whether the folder stays after the command.
    kept: bool,
    #[serde(flatten)]
    status: crate::commands::status::StatusReport<'a>,
}

pub fn run(ctx: &Context, args: &DemoArgs) -> anyhow::Result<()> {
    let temp;
    let dir = match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            dir.clone()
        }
        None => {
            temp = tempfile::Builder::new()
                .prefix("sellerkit-demo-")
                .tempdir()?;
            temp.path().to_path_buf()
        }
    };
    let db = dir.join("sellerkit.db");
    if db.exists() {
        if !args.force {
            bail!(
                "{} already holds a database; pass --force to replace it or choose another folder",
                dir.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", db.display()));
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).context(format!("cannot remove {}", file.display())),
            }
        }
    }

    let store = Store::open(&db)?;
    let seeded = demo_shop::seed(&store, ctx.now_ms())?;
    let status = store.status()?;
    let report = DemoReport {
        dir: &dir,
        kept: args.out.is_some(),
        status: crate::commands::status::StatusReport {
            db: &db,
            status: &status,
        },
    };
    ctx.out.print(&report, |r| {
        let mut text = format!(
            "SellerKit demo: built the shop \"{}\" with {} products and {} orders over the last {} days.\n\n",
            seeded.shop_name, seeded.products, seeded.orders, seeded.days
        );
        text.push_str(&render(r.status.db, r.status.status));
        text.push('\n');
        if r.kept {
            text.push_str(&format!(
                "Kept in {}. Inspect it with: sellerkit --db {} status\n",
                r.dir.display(),
                r.status.db.display()
            ));
        } else {
            text.push_str("The demo ran in a temporary folder, now deleted; pass --out DIR to keep it.\n");
        }
        text
    });
    Ok(())
}
