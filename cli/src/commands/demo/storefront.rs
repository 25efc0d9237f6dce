//! The storefront part of `sellerkit demo`: feature a few listings, draw the home and a
//! product page for both screens beside the database, and print the lint summary.

use std::path::Path;

use sellerkit_core::app::App;
use sellerkit_core::storefront::preview::DeviceProfile;
use sellerkit_core::storefront::{PreviewPage, ProductChanges};

use crate::Context;
use crate::commands::storefront::{language, render_lint};

/// Listings the demo features on the mobile home.
const FEATURED: usize = 6;

/// Runs the storefront demo on the synced demo app, through the core service as a shell
/// would; pictures are written to `dir`. `font_problem` says why there are no fonts, if so.
pub fn run(
    ctx: &Context,
    app: &App,
    runtime: &tokio::runtime::Runtime,
    dir: &Path,
    font_problem: Option<anyhow::Error>,
) -> anyhow::Result<()> {
    let products = app.store().read(|d| d.catalog().products_page(None, 50))?;
    let active: Vec<_> = products
        .iter()
        .filter(|p| p.status.as_str() == "active")
        .take(FEATURED)
        .collect();
    for p in &active {
        app.edit_product(
            &p.id,
            &ProductChanges {
                featured: Some(true),
                ..Default::default()
            },
        )?;
    }
    let lang = language(ctx);
    let mut written = Vec::new();
    match font_problem {
        None => {
            for device in DeviceProfile::ALL {
                let mut pages = vec![(PreviewPage::Home, "home".to_string())];
                if let Some(p) = active.first() {
                    pages.push((PreviewPage::Product(p.id.clone()), "product".to_string()));
                }
                for (page, name) in pages {
                    let picture = runtime.block_on(app.storefront_preview(page, device))?;
                    let file = dir.join(format!("preview-{name}-{}.png", device.as_str()));
                    std::fs::write(&file, picture.png)?;
                    written.push(file);
                }
            }
        }
        // The demo's point is the sync and the lint; without a CJK font file it only loses
        // the pictures (on a bare machine: apt-get install fonts-droid-fallback).
        Some(e) if !ctx.out.json => println!(
            "{}{e:#}",
            ctx.language()
                .pick("没有店铺预览图：", "No storefront previews: ")
        ),
        Some(_) => {}
    }
    let report = app.storefront_lint()?;
    if !ctx.out.json {
        if !written.is_empty() {
            println!(
                "{}",
                ctx.language().pick(
                    "店铺预览图（在数据库旁边）：",
                    "Storefront previews beside the database:"
                )
            );
        }
        for f in &written {
            println!("  {}", f.display());
        }
        print!("{}", render_lint(&report, &lang, 8));
    }
    Ok(())
}
