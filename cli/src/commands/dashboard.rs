//! `sellerkit dashboard`: the seller's sales dashboard from the local rollups, as a table
//! (mobile share first), JSON, and optionally a PNG chart (trend against the previous period
//! and the mobile share). Definitions: docs/analytics.md.

pub mod chart;

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use sellerkit_core::analytics::{self, Dashboard, FigureRow, RangeSpec, Unit};
use sellerkit_core::money::{Bps, Fen};
use sellerkit_core::time::{ShopZone, format_ms_rfc3339};

use crate::Context;
use sellerkit_core::locale::Language;

/// Debian's `fonts-droid-fallback`: a font with the Chinese glyphs the chart needs.
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf";

/// Debian's `fonts-dejavu-core`: digits and Latin letters for the chart.
pub const DEFAULT_LATIN_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Options of `sellerkit dashboard`.
#[derive(Debug, clap::Args)]
pub struct DashboardArgs {
    /// today, yesterday, 7d, 30d, 90d, 365d, month, last-month or FROM..TO (YYYY-MM-DD..YYYY-MM-DD).
    #[arg(long, default_value = "30d", value_name = "RANGE")]
    pub range: String,

    /// Also draw the chart into this PNG file.
    #[arg(long, value_name = "FILE.png")]
    pub chart: Option<PathBuf>,

    /// Font file (TTF/OTF) for the chart's text; it must have Chinese glyphs.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_FONT)]
    pub font: PathBuf,

    /// Font file for digits and Latin text in the chart (the CJK font may have none).
    #[arg(long, value_name = "FILE", default_value = DEFAULT_LATIN_FONT)]
    pub latin_font: PathBuf,
}

/// The language the words are printed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl From<Language> for Lang {
    /// The global `--lang` (else the environment), as the CLI resolved it.
    fn from(language: Language) -> Lang {
        match language {
            Language::En => Lang::En,
            Language::ZhCn => Lang::Zh,
        }
    }
}

impl Lang {
    fn pick_text<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

pub fn run(ctx: &Context, args: &DashboardArgs) -> anyhow::Result<()> {
    let lang = Lang::from(ctx.language());
    let spec: RangeSpec = args.range.parse().map_err(|e| localized(e, lang))?;
    // Reading the dashboard never creates a database.
    let app = ctx.open_app(false, None)?;
    let board = app.dashboard(spec).map_err(|e| localized(e, lang))?;
    if let Some(chart_path) = &args.chart {
        chart::draw(&board, &args.font, &args.latin_font, chart_path)
            .with_context(|| format!("cannot draw the chart into {}", chart_path.display()))?;
    }
    ctx.out.print(&board, |b| render(b, lang));
    Ok(())
}

fn localized(e: analytics::AnalyticsError, lang: Lang) -> anyhow::Error {
    match lang {
        Lang::En => anyhow::anyhow!(e.message_en()),
        Lang::Zh => anyhow::anyhow!(e.message_zh()),
    }
}

/// A value in its unit: `¥1,234.50`, `1,234`, `27.90%`; `n/a` when undefined.
fn value(unit: Unit, v: Option<i64>) -> String {
    match (unit, v) {
        (_, None) => "n/a".to_owned(),
        (Unit::Money, Some(v)) => Fen(v).to_string(),
        (Unit::Count, Some(v)) => v.to_string(),
        (Unit::Share, Some(v)) => i32::try_from(v).map_or("n/a".to_owned(), |b| Bps(b).to_string()),
    }
}

fn change(row: &FigureRow, lang: Lang) -> String {
    let Some(c) = row.change else {
        return "n/a".to_owned();
    };
    match row.unit {
        Unit::Share => {
            let sign = if c.delta >= 0 { "+" } else { "-" };
            let pts = c.delta.unsigned_abs();
            format!(
                "{sign}{}.{:02} {}",
                pts / 100,
                pts % 100,
                lang.pick_text("pts", "个百分点")
            )
        }
        _ => match c.relative {
            Some(r) if r.0 >= 0 => format!("+{r}"),
            Some(r) => r.to_string(),
            None => "n/a".to_owned(),
        },
    }
}

/// The readable table: range, freshness, figures (mobile share first), top products.
pub fn render(b: &Dashboard, lang: Lang) -> String {
    let mut out = String::new();
    let zone = ShopZone::new(&b.zone).unwrap_or_default();
    let last_day = |p: &analytics::Period| p.end.yesterday().unwrap_or(p.end);
    let _ = writeln!(
        out,
        "{} {}: {}..{} ({})  {} {}..{}",
        lang.pick_text("Dashboard", "经营看板"),
        b.range,
        b.current.start,
        last_day(&b.current),
        b.zone,
        lang.pick_text("vs", "对比"),
        b.previous.start,
        last_day(&b.previous),
    );
    if let Some(f) = &b.freshness {
        let when = match f.last_sync_ms {
            Some(ms) => format_ms_rfc3339(ms, &zone).unwrap_or_else(|_| ms.to_string()),
            None => lang.pick_text("never", "从未同步").to_owned(),
        };
        let _ = writeln!(
            out,
            "{} {when}; {} {}",
            lang.pick_text("Last sync", "上次同步"),
            f.pending_changes,
            lang.pick_text("local changes waiting to sync", "条本地更改等待同步"),
        );
    }
    let _ = writeln!(out);
    let (h_fig, h_cur, h_prev, h_chg) = match lang {
        Lang::En => ("Figure", "This period", "Previous", "Change"),
        Lang::Zh => ("指标", "本期", "上期", "变化"),
    };
    let _ = writeln!(out, "{h_fig:<28} {h_cur:>16} {h_prev:>16} {h_chg:>14}");
    for row in &b.table {
        let label = match lang {
            Lang::En => row.figure.label_en(),
            Lang::Zh => row.figure.label_zh(),
        };
        // Pad by characters: CJK labels are one char per glyph here.
        let pad = 28usize.saturating_sub(label.chars().count());
        let _ = writeln!(
            out,
            "{label}{:pad$} {:>16} {:>16} {:>14}",
            "",
            value(row.unit, row.current),
            value(row.unit, row.previous),
            change(row, lang),
        );
    }
    for (title, list) in [
        (
            lang.pick_text("Top products by net sales", "净销售额最高的商品"),
            &b.top_by_net_sales,
        ),
        (
            lang.pick_text("Top products by units", "销量最高的商品"),
            &b.top_by_units,
        ),
    ] {
        let _ = writeln!(out, "\n{title}");
        if list.is_empty() {
            let _ = writeln!(out, "  {}", lang.pick_text("(no sales)", "（无销售）"));
        }
        for (i, p) in list.iter().enumerate() {
            let _ = writeln!(
                out,
                "{:>3}. {}  {}  {} {}",
                i + 1,
                p.title,
                p.net_sales,
                p.units,
                lang.pick_text("units", "件"),
            );
        }
    }
    out
}
