//! `sellerkit preview | lint | edit | conflicts`: the mobile storefront from the desktop.
//!
//! Thin: every call goes to the core service (`App::storefront_lint`, `storefront_preview`,
//! `edit_product`, `edit_shop`, `storefront_conflicts`, `keep_server`, `reapply`), as the FFI's
//! do; this parses flags, converts and prints. Pictures are read from the core service's media
//! folder, the fonts given here are the core service's font files (`AppConfig::font_paths`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sellerkit_core::app::App;
use sellerkit_core::money::Fen;
use sellerkit_core::storefront::lint::{Finding, Severity, Subject};
use sellerkit_core::storefront::preview::DeviceProfile;
use sellerkit_core::storefront::{LintReport, PreviewPage, ProductChanges, ShopChanges};

use crate::Context;

/// Debian's fonts: DejaVu Sans for Latin, Droid Sans Fallback for Chinese.
pub const DEFAULT_FONTS: [&str; 2] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
];

/// Options of `sellerkit preview`.
#[derive(Debug, clap::Args)]
pub struct PreviewArgs {
    /// Where to write the PNG.
    #[arg(long, value_name = "FILE.png")]
    out: PathBuf,
    /// Screen: `bundled` (720x1280) or `modern` (1080x2340).
    #[arg(long, default_value = "bundled")]
    device: String,
    /// `home` or `product:ID`.
    #[arg(long, default_value = "home")]
    page: String,
    /// Font file; repeat for fallbacks (the first with a glyph draws it). Default: $SELLERKIT_FONT
    /// (a PATH-style list), else Debian's DejaVu Sans + Droid Sans Fallback.
    #[arg(long, value_name = "PATH")]
    font: Vec<PathBuf>,
}

/// Options of `sellerkit lint` (`--json` is global).
#[derive(Debug, clap::Args)]
pub struct LintArgs {}

/// `sellerkit edit shop|product`.
#[derive(Debug, clap::Args)]
pub struct EditArgs {
    #[command(subcommand)]
    what: EditWhat,
}

#[derive(Debug, clap::Subcommand)]
enum EditWhat {
    /// Edit the shop profile.
    Shop {
        /// Shop name.
        #[arg(long)]
        name: Option<String>,
        /// Announcement under the banner.
        #[arg(long)]
        announcement: Option<String>,
        /// Theme colour, #RRGGBB.
        #[arg(long)]
        theme: Option<String>,
        /// Logo: a picture file (PNG, JPEG, WebP), or the id of an image already a logo.
        #[arg(long, value_name = "FILE|ID")]
        logo: Option<String>,
        /// Banner: a picture file, or the id of an image already a banner.
        #[arg(long, value_name = "FILE|ID")]
        banner: Option<String>,
    },
    /// Edit a listing.
    Product {
        /// Product id.
        id: String,
        /// Title.
        #[arg(long)]
        title: Option<String>,
        /// Price in yuan as typed (59, 59.90, ¥1,299.00).
        #[arg(long)]
        price: Option<String>,
        /// Long description.
        #[arg(long)]
        description: Option<String>,
        /// Short description on the phone's product page.
        #[arg(long)]
        mobile_description: Option<String>,
        /// Publish (true) or take down to draft (false).
        #[arg(long)]
        published: Option<bool>,
        /// Show on the mobile home (true/false).
        #[arg(long)]
        featured: Option<bool>,
        /// Main picture: a picture file, or the id of one of the product's pictures.
        #[arg(long, value_name = "FILE|ID")]
        main_image: Option<String>,
        /// Order of the pictures, main first, comma-separated: files or image ids (pictures
        /// left out keep their order after these).
        #[arg(long, value_name = "FILE|ID,...", value_delimiter = ',')]
        gallery: Option<Vec<String>>,
    },
}

/// Options of `sellerkit conflicts`.
#[derive(Debug, clap::Args)]
pub struct ConflictsArgs {
    /// Settle conflict ID by keeping the server's value.
    #[arg(long, value_name = "ID", conflicts_with = "reapply")]
    keep_server: Option<i64>,
    /// Settle conflict ID by applying your edit again.
    #[arg(long, value_name = "ID")]
    reapply: Option<i64>,
}

/// The language for seller-facing text, as the CLI resolved it (`--lang`, `SELLERKIT_LANG`,
/// the locale environment).
pub fn language(ctx: &Context) -> String {
    ctx.language().tag().to_string()
}

/// The font files from `--font`, $SELLERKIT_FONT (a PATH-style list) or the Debian defaults
/// that are installed, in fallback order.
pub fn font_paths(flags: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    if !flags.is_empty() {
        return Ok(flags.to_vec());
    }
    if let Ok(list) = std::env::var("SELLERKIT_FONT") {
        let paths: Vec<PathBuf> = std::env::split_paths(&list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if !paths.is_empty() {
            return Ok(paths);
        }
    }
    let present: Vec<PathBuf> = DEFAULT_FONTS
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect();
    if present.is_empty() {
        anyhow::bail!(
            "no font: pass --font PATH (a CJK TrueType font), or apt-get install fonts-droid-fallback"
        );
    }
    Ok(present)
}

/// The core service over `--db` (never created by these commands), with `fonts`.
fn open_app(ctx: &Context, fonts: Vec<PathBuf>) -> anyhow::Result<App> {
    let db = ctx.db_path()?;
    let mut config = ctx.app_config(&db, false, None)?;
    config.font_paths = fonts;
    Ok(App::open(config)?)
}

/// `sellerkit preview`.
pub fn preview(ctx: &Context, args: &PreviewArgs) -> anyhow::Result<()> {
    let device: DeviceProfile = args.device.parse()?;
    let page: PreviewPage = args.page.parse()?;
    let app = open_app(ctx, font_paths(&args.font)?)?;
    let picture = crate::commands::sync::run_cancellable(|_| app.storefront_preview(page, device))?;
    let png = &picture.png;
    std::fs::write(&args.out, png).map_err(|e| anyhow::anyhow!("{}: {e}", args.out.display()))?;
    #[derive(serde::Serialize)]
    struct Written<'a> {
        out: &'a Path,
        width: u32,
        height: u32,
        png_bytes: usize,
        /// Peak resident memory of this process (Linux), for `sellerkit bench storefront`.
        #[serde(skip_serializing_if = "Option::is_none")]
        peak_rss_kb: Option<u64>,
    }
    ctx.out.print(
        &Written {
            out: &args.out,
            width: picture.width,
            height: picture.height,
            png_bytes: png.len(),
            peak_rss_kb: crate::commands::sync::peak_rss_kb(),
        },
        |w| {
            format!(
                "Wrote {} ({}x{}, {} bytes)\n",
                w.out.display(),
                w.width,
                w.height,
                w.png_bytes
            )
        },
    );
    Ok(())
}

/// `sellerkit lint`.
pub fn lint(ctx: &Context, _args: &LintArgs) -> anyhow::Result<()> {
    let app = ctx.open_app(false, None)?;
    let report = app.storefront_lint()?;
    let lang = language(ctx);
    ctx.out
        .print(&report, |r| render_lint(r, &lang, usize::MAX));
    Ok(())
}

/// Human text of a lint report, at most `limit` findings listed.
pub fn render_lint(r: &LintReport, lang: &str, limit: usize) -> String {
    let mut out = String::new();
    let s = &r.summary;
    let _ = writeln!(
        out,
        "Lint       {} products checked, {} clean; {} errors, {} warnings, {} suggestions",
        s.products_checked, s.products_clean, s.errors, s.warnings, s.infos
    );
    for f in r.findings.iter().take(limit) {
        let _ = writeln!(out, "{}", render_finding(f, lang));
    }
    if r.findings.len() > limit {
        let _ = writeln!(
            out,
            "  ... and {} more (sellerkit lint)",
            r.findings.len() - limit
        );
    }
    out
}

fn render_finding(f: &Finding, lang: &str) -> String {
    let sev = match f.severity {
        Severity::Error => "ERROR  ",
        Severity::Warning => "warning",
        Severity::Info => "info   ",
    };
    let subject = match &f.subject {
        Subject::Shop => "shop".to_string(),
        Subject::Product(id) => format!("product {id}"),
    };
    format!(
        "  {sev} {subject} {}/{}: {}\n          -> {}",
        f.field,
        f.code,
        f.message.pick(lang),
        f.fix.pick(lang)
    )
}

/// `sellerkit edit`.
pub fn edit(ctx: &Context, args: &EditArgs) -> anyhow::Result<()> {
    let app = ctx.open_app(false, None)?;
    match &args.what {
        EditWhat::Shop {
            name,
            announcement,
            theme,
            logo,
            banner,
        } => {
            // Pictures first: a refused file stops the command before any edit is queued.
            let logo = logo.as_deref().map(|l| photo_or_id(&app, l)).transpose()?;
            let banner = banner
                .as_deref()
                .map(|b| photo_or_id(&app, b))
                .transpose()?;
            let mut shop = app.edit_shop(&ShopChanges {
                name: name.clone(),
                announcement: announcement.clone(),
                theme_color: theme.clone(),
            })?;
            if let Some(id) = &logo {
                shop = app.set_logo(id)?;
            }
            if let Some(id) = &banner {
                shop = app.set_banner(id)?;
            }
            ctx.out.print(&shop, |s| {
                format!(
                    "Shop {} saved; it syncs with the next `sellerkit sync`\n",
                    s.name
                )
            });
        }
        EditWhat::Product {
            id,
            title,
            price,
            description,
            mobile_description,
            published,
            featured,
            main_image,
            gallery,
        } => {
            let price = price.as_deref().map(Fen::parse).transpose()?;
            // Pictures first: a refused file stops the command before any edit is queued.
            let main_image = main_image
                .as_deref()
                .map(|m| photo_or_id(&app, m))
                .transpose()?;
            let gallery = gallery
                .as_deref()
                .map(|g| {
                    g.iter()
                        .map(|item| photo_or_id(&app, item))
                        .collect::<anyhow::Result<Vec<_>>>()
                })
                .transpose()?;
            let changes = ProductChanges {
                title: title.clone(),
                price,
                description: description.clone(),
                published: *published,
                featured: *featured,
                mobile_description: mobile_description.clone(),
            };
            let mut p = app.edit_product(id, &changes)?;
            if let Some(order) = &gallery {
                p = app.set_gallery(id, order)?;
            }
            if let Some(main) = &main_image {
                p = app.set_main_image(id, main)?;
            }
            ctx.out.print(&p, |p| {
                format!(
                    "Product {} saved ({}, {}); it syncs with the next `sellerkit sync`\n",
                    p.id, p.title, p.price
                )
            });
        }
    }
    Ok(())
}

/// A picture argument: an existing file, or anything that looks like a path (a separator,
/// a picture extension), is added as a photo (its new image id, or the reason it is
/// refused); anything else is taken as an image id.
fn photo_or_id(app: &App, arg: &str) -> anyhow::Result<String> {
    let path = Path::new(arg);
    let lower = arg.to_ascii_lowercase();
    let looks_like_file = arg.contains(std::path::MAIN_SEPARATOR)
        || [".png", ".jpg", ".jpeg", ".webp"]
            .iter()
            .any(|ext| lower.ends_with(ext));
    if path.is_file() || looks_like_file {
        Ok(app.add_photo(path)?)
    } else {
        Ok(arg.to_string())
    }
}

/// `sellerkit conflicts`.
pub fn conflicts(ctx: &Context, args: &ConflictsArgs) -> anyhow::Result<()> {
    let app = ctx.open_app(false, None)?;
    if let Some(id) = args.keep_server {
        app.keep_server(id)?;
    }
    if let Some(id) = args.reapply {
        app.reapply(id)?;
    }
    let open = app.storefront_conflicts()?;
    ctx.out.print(&open, |list| {
        let mut out = String::new();
        if list.is_empty() {
            out.push_str("No open storefront conflicts\n");
        }
        for c in list {
            let _ = writeln!(
                out,
                "#{} {} {}: {}\n    yours: {}\n    server: {}",
                c.id,
                c.kind,
                c.entity_id,
                c.reason,
                c.payload,
                c.server_state.as_deref().unwrap_or("-")
            );
        }
        out
    });
    Ok(())
}
