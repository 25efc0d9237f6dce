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
    let font = load_font(&[])?;
    let lang = language();
    let mut written = Vec::new();
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
    let report = sf.lint()?;
    if !ctx.out.json {
        println!("Storefront previews beside the database:");
        for f in &written {
            println!("  {}", f.display());
        }
        print!("{}", render_lint(&report, &lang, 8));
    }
    Ok(())
}
