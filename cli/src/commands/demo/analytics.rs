//! The dashboard part of `sellerkit demo`: the 30-day dashboard of the synced demo shop,
//! computed offline from the rollups, and its chart beside the database when the demo is
//! kept (`--out`).

use std::path::{Path, PathBuf};

use sellerkit_core::analytics::{Dashboard, RangeSpec};
use sellerkit_core::app::App;

use crate::commands::dashboard::{DEFAULT_FONT, DEFAULT_LATIN_FONT, Lang, chart, render};

/// What the dashboard part showed, for the report.
#[derive(Debug, serde::Serialize)]
pub struct DashboardDemo {
    /// The 30-day dashboard.
    pub dashboard: Dashboard,
    /// The chart written beside the database, if the demo is kept.
    pub chart: Option<PathBuf>,
    /// Why no chart was drawn although the demo is kept (a font file missing).
    pub chart_skipped: Option<String>,
    /// The language the text part is printed in.
    #[serde(skip)]
    pub lang: Lang,
}

/// Computes the 30-day dashboard at `now_ms`; draws the chart into `dir` when `keep`.
pub fn run(app: &App, lang: Lang, dir: &Path, keep: bool) -> anyhow::Result<DashboardDemo> {
    let dashboard = app.dashboard(RangeSpec::LastDays(30))?;
    let (mut chart_path, mut chart_skipped) = (None, None);
    if keep {
        let path = dir.join("dashboard-30d.png");
        match chart::draw(
            &dashboard,
            Path::new(DEFAULT_FONT),
            Path::new(DEFAULT_LATIN_FONT),
            &path,
        ) {
            Ok(()) => chart_path = Some(path),
            // The demo's point is the sync and the figures; a missing font only loses the PNG.
            Err(e) => chart_skipped = Some(format!("{e:#}")),
        }
    }
    Ok(DashboardDemo {
        dashboard,
        lang,
        chart: chart_path,
        chart_skipped,
    })
}

/// The text part of the demo report.
pub fn render_demo(d: &DashboardDemo) -> String {
    let mut text = render(&d.dashboard, d.lang);
    match (&d.chart, &d.chart_skipped) {
        (Some(path), _) => text.push_str(&match d.lang {
            Lang::Zh => format!("\n图表：{}\n", path.display()),
            Lang::En => format!("\nChart: {}\n", path.display()),
        }),
        (None, Some(why)) => text.push_str(&match d.lang {
            Lang::Zh => format!("\n没有图表：{why}\n"),
            Lang::En => format!("\nNo chart: {why}\n"),
        }),
        (None, None) => {}
    }
    text
}
