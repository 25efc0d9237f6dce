//! The storefront part of `sellerkit demo`: feature a few listings, draw the home and a
//! product page for both screens beside the database, and print the lint summary.

use std::path::Path;

use sellerkit_core::app::App;
use sellerkit_core::storefront::preview::DeviceProfile;
use sellerkit_core::storefront::{PreviewPage, ProductChanges, Storefront};

use crate::Context;
use crate::commands::storefront::{language, load_font, render_lint};

/// Listings the demo features on the mobile home.
const FEATURED: usize = 6;

/// Runs the storefront demo on the synced demo app; pictures are written to `dir`.
pub fn run(ctx: &Context, app: &App, dir: &Path) -> anyhow::Result<()> {
    let store = app.store();
    let sf = Storefront::new(store, app.clock().as_ref(), app.media_dir());
    let products = store.read(|d| d.catalog().products_page(None, 50))?;
    let active: Vec<_> = products
        .iter()
        .filter(|p| p.status.as_str() == "active")
        .take(FEATURED)
        .collect();
    for p in &active {
        sf.edit_product(
            &p.id,
            &ProductChanges {
                featured: Some(true),
                ..Default::default()
            },
        )?;
    }
    let lang = language(ctx);
    let mut written = Vec::new();
    match load_font(&[]) {
        Ok(font) => {
            for device in DeviceProfile::ALL {
                let mut pages = vec![(PreviewPage::Home, "home".to_string())];
                if let Some(p) = active.first() {
                    pages.push((PreviewPage::Product(p.id.clone()), "product".to_string()));
                }
                for (page, name) in pages {
                    let png = sf.preview(&page, device, &font, &lang)?.png()?;
                    let file = dir.join(format!("preview-{name}-{}.png", device.as_str()));
                    std::fs::write(&file, png)?;
                    written.push(file);
                }
            }
        }
        // The demo's point is the sync and the lint; without a CJK font file it only loses
        // the pictures (on a bare machine: apt-get install fonts-droid-fallback).
        Err(e) if !ctx.out.json => println!(
            "{}{e:#}",
            ctx.language()
                .pick("没有店铺预览图：", "No storefront previews: ")
        ),
        Err(_) => {}
    }
    let report = sf.lint()?;
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
