//! The dashboard chart: net sales per point against the previous period, and the mobile
//! share of orders, drawn with plotters into an RGB buffer and encoded as PNG with `image`.
//! Text goes through ab_glyph from font files (no fontconfig, no system font lookup): the
//! Chinese words from the CJK font, digits and Latin from the Latin font, because Debian's
//! `DroidSansFallbackFull.ttf` has no Latin glyphs at all (it is Android's fallback font).

use std::path::Path;
use std::sync::OnceLock;

use anyhow::{Context as _, bail};
use plotters::prelude::*;
use plotters::style::FontStyle;
use sellerkit_core::analytics::{Dashboard, Grain, SeriesPoint};

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 700;
/// The family names the font files are registered under.
const CJK: &str = "sellerkit-cjk";
const FAMILY: &str = "sellerkit-latin";

/// Registers both fonts once per process (plotters keeps them for `'static`).
fn register(cjk: &Path, latin: &Path) -> anyhow::Result<()> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    let load = |family: &str, path: &Path, flag: &str, package: &str| -> Result<(), String> {
        let bytes = std::fs::read(path).map_err(|e| {
            format!(
                "cannot read the font file {}: {e} (pass {flag} FILE; on Debian: apt install {package})",
                path.display()
            )
        })?;
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        plotters::style::register_font(family, FontStyle::Normal, bytes)
            .map_err(|_| format!("{} is not a TrueType/OpenType font", path.display()))
    };
    let result = REGISTERED.get_or_init(|| {
        load(CJK, cjk, "--font", "fonts-droid-fallback")?;
        load(FAMILY, latin, "--latin-font", "fonts-dejavu-core")
    });
    match result {
        Ok(()) => Ok(()),
        Err(e) => bail!("{e}"),
    }
}

/// Draws runs of text side by side from `(x, y)`, each in its own font.
fn runs<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    (x, y): (i32, i32),
    parts: &[(&str, &str)],
    size: u32,
) -> anyhow::Result<()> {
    let mut x = x;
    for (text, family) in parts {
        let style = TextStyle::from((*family, size)).color(&BLACK);
        area.draw(&Text::new(text.to_string(), (x, y), style.clone()))
            .map_err(plot_error)?;
        let (w, _) = area.estimate_text_size(text, &style).map_err(plot_error)?;
        x += i32::try_from(w).unwrap_or(0);
    }
    Ok(())
}

fn label(p: &SeriesPoint, grain: Grain) -> String {
    match (grain, p.hour) {
        (Grain::Hour, Some(h)) => format!("{h:02}:00"),
        (Grain::Month, _) => format!("{}-{:02}", p.start.year(), p.start.month()),
        _ => format!("{:02}-{:02}", p.start.month(), p.start.day()),
    }
}

/// Draws `board`'s chart into `path` (PNG) with text from `font`.
pub fn draw(board: &Dashboard, font: &Path, latin_font: &Path, path: &Path) -> anyhow::Result<()> {
    register(font, latin_font)?;
    let mut buffer = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let (top, bottom) = root.split_vertically(HEIGHT * 58 / 100);
        let cur = &board.series.current;
        let prev = &board.series.previous;
        let n = cur.len().max(prev.len()).max(1);
        let yuan = |p: &SeriesPoint| p.net_sales.0 as f64 / 100.0;
        let max = cur.iter().chain(prev).map(yuan).fold(1.0f64, f64::max);
        let min = cur.iter().chain(prev).map(yuan).fold(0.0f64, f64::min);
        let grain = board.series.grain;
        let labels: Vec<String> = cur.iter().map(|p| label(p, grain)).collect();
        let x_label = |x: &usize| labels.get(*x).cloned().unwrap_or_default();
        let caption = format!(
            " Net sales (CNY)  {}  {}..{}",
            board.range,
            board.current.start,
            board.current.end.yesterday().unwrap_or(board.current.end)
        );
        runs(&top, (90, 8), &[("净销售额", CJK), (&caption, FAMILY)], 22)?;
        let mut chart = ChartBuilder::on(&top)
            .margin(12)
            .margin_top(40)
            .x_label_area_size(32)
            .y_label_area_size(80)
            .build_cartesian_2d(0usize..n.saturating_sub(1).max(1), min..max * 1.1)
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .x_labels(12)
            .x_label_formatter(&x_label)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style((FAMILY, 14))
            .draw()
            .map_err(plot_error)?;
        let blue = RGBColor(0x1f, 0x6f, 0xd1);
        let grey = RGBColor(0x9a, 0x9a, 0x9a);
        chart
            .draw_series(LineSeries::new(
                prev.iter().enumerate().map(|(i, p)| (i, yuan(p))),
                grey.stroke_width(2),
            ))
            .map_err(plot_error)?;
        chart
            .draw_series(LineSeries::new(
                cur.iter().enumerate().map(|(i, p)| (i, yuan(p))),
                blue.stroke_width(3),
            ))
            .map_err(plot_error)?;
        // The legend, drawn by hand so each word gets a font that has its glyphs.
        let lx = (WIDTH as i32) - 300;
        for (row, (zh, en, color, width)) in [
            ("本期", " This period", blue, 3u32),
            ("上期", " Previous period", grey, 2u32),
        ]
        .into_iter()
        .enumerate()
        {
            let y = 12 + 20 * row as i32;
            top.draw(&PathElement::new(
                vec![(lx, y + 8), (lx + 24, y + 8)],
                color.stroke_width(width),
            ))
            .map_err(plot_error)?;
            runs(&top, (lx + 30, y), &[(zh, CJK), (en, FAMILY)], 15)?;
        }

        let pct = |p: &SeriesPoint| p.mobile_share_of_orders.map(|b| f64::from(b.0) / 100.0);
        let top_pct = cur
            .iter()
            .chain(prev)
            .filter_map(pct)
            .fold(10.0f64, f64::max);
        let share_caption = match board.figures.mobile_share_of_orders {
            Some(b) => format!(
                " Mobile share of orders: {b} (previous: {})",
                board
                    .previous_figures
                    .mobile_share_of_orders
                    .map_or("n/a".to_owned(), |p| p.to_string())
            ),
            None => " Mobile share of orders: n/a".to_owned(),
        };
        runs(
            &bottom,
            (90, 8),
            &[("移动端订单占比", CJK), (&share_caption, FAMILY)],
            20,
        )?;
        let mut share = ChartBuilder::on(&bottom)
            .margin(12)
            .margin_top(40)
            .x_label_area_size(32)
            .y_label_area_size(80)
            .build_cartesian_2d(
                0usize..n.saturating_sub(1).max(1),
                0.0..(top_pct * 1.15).min(100.0),
            )
            .map_err(plot_error)?;
        share
            .configure_mesh()
            .x_labels(12)
            .x_label_formatter(&x_label)
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .label_style((FAMILY, 14))
            .draw()
            .map_err(plot_error)?;
        let green = RGBColor(0x1a, 0x9e, 0x55);
        share
            .draw_series(LineSeries::new(
                prev.iter()
                    .enumerate()
                    .filter_map(|(i, p)| pct(p).map(|v| (i, v))),
                grey.stroke_width(2),
            ))
            .map_err(plot_error)?;
        share
            .draw_series(LineSeries::new(
                cur.iter()
                    .enumerate()
                    .filter_map(|(i, p)| pct(p).map(|v| (i, v))),
                green.stroke_width(3),
            ))
            .map_err(plot_error)?;
        root.present().map_err(plot_error)?;
    }
    let image = image::RgbImage::from_raw(WIDTH, HEIGHT, buffer)
        .context("the chart buffer has the wrong size")?;
    image
        .save_with_format(path, image::ImageFormat::Png)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn plot_error<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing failed: {e}")
}
