//! `sellerkit bench storefront`: the preview, the picture pipeline and the lint, each next to
//! the bare cost of the library doing the heavy part, measured in the same run.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use image::{Rgb, RgbImage};
use sellerkit_core::app::App;
use sellerkit_core::domain::{ImageRole, Product, ProductImage, ProductStatus, ShopProfile, Tier};
use sellerkit_core::money::Fen;
use sellerkit_core::store::{Store, StoreError};
use sellerkit_core::storefront::lint;
use sellerkit_core::storefront::media::variants::resize_rgb;
use sellerkit_core::storefront::media::{
    DecodeLimits, VariantKind, decode, encode_jpeg, make_variant,
};
use sellerkit_core::storefront::preview::{DeviceProfile, encode_png};
use sellerkit_core::storefront::{PreviewPage, ProductChanges};
use sellerkit_core::time::SystemClock;

use crate::Context;
use crate::commands::storefront::font_paths;

#[derive(Debug, serde::Serialize)]
struct PreviewFigures {
    device: &'static str,
    preview_ms: f64,
    bare_png_ms: f64,
    ratio: f64,
    png_bytes: usize,
}

#[derive(Debug, serde::Serialize)]
struct StorefrontBench {
    previews: Vec<PreviewFigures>,
    variants_ms: f64,
    bare_resize_ms: f64,
    variants_ratio: f64,
    photo_pipeline_ms: f64,
    lint_5000_ms: f64,
    preview_peak_rss_mb: Option<f64>,
}

fn median_ms(runs: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(median(times))
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// A photo-like picture: smooth gradients and some texture, so codecs do real work.
fn photo(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            ((x ^ y) & 0x3F) as u8 + 96,
        ])
    })
}

/// A shop of 20 featured listings with pictures on disk, in `dir`.
fn fixture(dir: &Path) -> anyhow::Result<(Store, std::path::PathBuf)> {
    let db = dir.join("storefront.db");
    let _ = std::fs::remove_file(&db);
    let store = Store::open(&db)?;
    let media = dir.join("media");
    std::fs::create_dir_all(&media)?;
    encode_file(&photo(1500, 600), &media.join("banner.jpg"))?;
    encode_file(&photo(400, 400), &media.join("logo.jpg"))?;
    let pic = |id: &str, role, product: Option<String>, file: &str| ProductImage {
        id: id.into(),
        product_id: product,
        role,
        position: 0,
        width: None,
        height: None,
        byte_len: None,
        mime: Some("image/jpeg".into()),
        sha256: None,
        local_path: Some(file.into()),
        updated_ms: 0,
    };
    for i in 0..20 {
        encode_file(&photo(1200 + i, 1200), &media.join(format!("p{i}.jpg")))?;
    }
    store.write(|db| {
        db.shop().put(&ShopProfile {
            shop_id: "bench".into(),
            name: "小王的茶叶店".into(),
            description: "杭州龙井村茶农直供：明前龙井、福鼎白茶、武夷岩茶与宜兴紫砂茶具。".into(),
            logo_image_id: Some("logo".into()),
            banner_image_id: Some("banner".into()),
            time_zone: "Asia/Shanghai".into(),
            tier: Tier::Standard,
            version: 1,
            updated_ms: 0,
            theme_color: None,
        })?;
        db.catalog()
            .put_image(&pic("logo", ImageRole::Logo, None, "logo.jpg"))?;
        db.catalog()
            .put_image(&pic("banner", ImageRole::Banner, None, "banner.jpg"))?;
        for i in 0..20 {
            db.catalog().put_product(&product(i))?;
            db.catalog().put_image(&pic(
                &format!("i{i}"),
                ImageRole::Product,
                Some(format!("p{i:05}")),
                &format!("p{i}.jpg"),
            ))?;
        }
        Ok::<_, StoreError>(())
    })?;
    Ok((store, media))
}

fn product(i: u32) -> Product {
    Product {
        id: format!("p{i:05}"),
        title: format!("明前龙井 {i} 号 250g 礼罐 口粮茶"),
        description: "高山茶园，手工炒制。".into(),
        category: "tea".into(),
        price: Fen(8990 + i64::from(i)),
        stock: 10,
        status: ProductStatus::Active,
        version: 1,
        updated_ms: 0,
        featured: false,
        mobile_description: String::new(),
        gallery: Vec::new(),
    }
}

fn encode_file(img: &RgbImage, path: &Path) -> anyhow::Result<()> {
    std::fs::write(path, encode_jpeg(img)?)?;
    Ok(())
}

pub fn run(ctx: &Context, runs: usize, dir: &Path) -> anyhow::Result<()> {
    let (store, media) = fixture(dir)?;
    drop(store);
    // The preview as a phone gets it: through the core service (its blocking thread, its
    // font cache, the database read), not the drawing module alone.
    let mut config = ctx.app_config(&dir.join("storefront.db"), false, None)?;
    config.media_dir = Some(media);
    config.font_paths = font_paths(&[])?;
    config.clock = Arc::new(SystemClock);
    let app = App::open(config)?;
    for i in 0..20 {
        app.edit_product(
            &format!("p{i:05}"),
            &ProductChanges {
                featured: Some(true),
                ..Default::default()
            },
        )?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let preview = |device| runtime.block_on(app.storefront_preview(PreviewPage::Home, device));

    // 1. Home preview (fonts and thumbnails cached by a first render) vs bare PNG encode of
    // the same canvas at the same setting.
    let mut previews = Vec::new();
    for device in DeviceProfile::ALL {
        let warm = preview(device)?;
        let canvas = image::load_from_memory(&warm.png)?.to_rgba8();
        let mut png_bytes = 0;
        // Interleaved, so a burst of load on the machine hits both sides alike.
        let (mut preview_times, mut bare_times) = (Vec::new(), Vec::new());
        for _ in 0..runs.max(1) {
            preview_times.push(median_ms(1, || {
                png_bytes = preview(device)?.png.len();
                Ok(())
            })?);
            bare_times.push(median_ms(1, || {
                encode_png(canvas.as_raw(), warm.width, warm.height)?;
                Ok(())
            })?);
        }
        let (preview_ms, bare_png_ms) = (median(preview_times), median(bare_times));
        previews.push(PreviewFigures {
            device: device.as_str(),
            preview_ms,
            bare_png_ms,
            ratio: preview_ms / bare_png_ms,
            png_bytes,
        });
    }

    // 2. A 4000x3000 photo to its variants (page + 360 thumbnail) vs fast_image_resize alone.
    let big = photo(4000, 3000);
    let jpeg = encode_jpeg(&big)?;
    let decoded = decode(&jpeg, DecodeLimits::default())?;
    let variants_ms = median_ms(runs, || {
        make_variant(&decoded.image, VariantKind::Page)?;
        make_variant(&decoded.image, VariantKind::Square(360))?;
        Ok(())
    })?;
    let bare_resize_ms = median_ms(runs, || {
        resize_rgb(&big, 750, 563, None)?;
        resize_rgb(&big, 360, 360, Some((500.0, 0.0, 3000.0, 3000.0)))?;
        Ok(())
    })?;
    let photo_pipeline_ms = median_ms(runs.min(3), || {
        let d = decode(&jpeg, DecodeLimits::default())?;
        encode_jpeg(&make_variant(&d.image, VariantKind::Page)?.image)?;
        encode_jpeg(&make_variant(&d.image, VariantKind::Square(360))?.image)?;
        Ok(())
    })?;

    // 3. The lint of 5,000 products with their pictures, in memory.
    let products: Vec<Product> = (0..5000).map(product).collect();
    let images: Vec<Vec<ProductImage>> = products
        .iter()
        .map(|p| {
            (0..3)
                .map(|pos| ProductImage {
                    id: format!("{}-{pos}", p.id),
                    product_id: Some(p.id.clone()),
                    role: ImageRole::Product,
                    position: pos,
                    width: Some(800),
                    height: Some(800),
                    byte_len: Some(300_000),
                    mime: None,
                    sha256: None,
                    local_path: None,
                    updated_ms: 0,
                })
                .collect()
        })
        .collect();
    let lint_5000_ms = median_ms(runs, || {
        let mut summary = lint::LintSummary::default();
        for (p, imgs) in products.iter().zip(&images) {
            summary.add_product(&lint::lint_product(p, imgs));
        }
        anyhow::ensure!(summary.products_checked == 5000);
        Ok(())
    })?;

    // 4. Peak memory of a separate `sellerkit preview` process on the modern screen.
    let exe = std::env::current_exe()?;
    let db = dir.join("storefront.db");
    let out = std::process::Command::new(exe)
        .args(["--json", "--db"])
        .arg(&db)
        .args(["preview", "--device", "modern", "--out"])
        .arg(dir.join("peak.png"))
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "preview failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("preview --json")?;
    let preview_peak_rss_mb = report["peak_rss_kb"].as_f64().map(|kb| kb / 1024.0);
    // The child's media folder is `media/` beside its database: the same folder as here.

    let bench = StorefrontBench {
        previews,
        variants_ms,
        bare_resize_ms,
        variants_ratio: variants_ms / bare_resize_ms,
        photo_pipeline_ms,
        lint_5000_ms,
        preview_peak_rss_mb,
    };
    ctx.out.print(&bench, render);
    Ok(())
}

fn render(b: &StorefrontBench) -> String {
    let mut out = String::new();
    for p in &b.previews {
        let _ = writeln!(
            out,
            "home preview {:8} {:7.1} ms (render + PNG)  bare PNG encode {:7.1} ms  ratio {:.2} (goal <= 2)  {} KB",
            p.device,
            p.preview_ms,
            p.bare_png_ms,
            p.ratio,
            p.png_bytes / 1024
        );
    }
    let _ = writeln!(
        out,
        "4000x3000 photo: variants {:.1} ms vs bare fast_image_resize {:.1} ms, ratio {:.2} (goal <= 1.5); decode + variants + JPEG {:.0} ms",
        b.variants_ms, b.bare_resize_ms, b.variants_ratio, b.photo_pipeline_ms
    );
    let _ = writeln!(
        out,
        "lint of 5,000 products: {:.1} ms (goal < 50 ms)",
        b.lint_5000_ms
    );
    match b.preview_peak_rss_mb {
        Some(mb) => {
            let _ = writeln!(
                out,
                "peak memory of `sellerkit preview --device modern`: {mb:.1} MB (goal < 64 MB)"
            );
        }
        None => out.push_str("peak memory: not reported (no /proc)\n"),
    }
    out
}
