//! The sales dashboard for the shells: `SellerApp.dashboard(range)` returns records the
//! screens draw natively (Compose Canvas, Swift Charts). Figures come from the core's
//! rollups (`sellerkit_core::analytics`); this file only converts.

use sellerkit_core::analytics::dashboard::{Period, SeriesPoint};
use sellerkit_core::analytics::{self, AnalyticsError, Dashboard, FigureRow, Grain, Unit};

use crate::SellerApp;
use crate::error::SellerKitError;
use crate::runtime::guarded;
use sellerkit_core::app::AppError;
use sellerkit_core::locale::Language;

/// How a figure's value reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum FigureUnit {
    /// Fen: format with `formatMoney`.
    Money,
    /// A count.
    Count,
    /// Basis points (10,000 = 100%); its change is in points (`delta`), never relative.
    Share,
}

/// One figure of the dashboard, with the previous period and the change.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DashboardFigure {
    /// Stable identifier: `mobile_share_of_orders`, `net_sales`, `orders`, ...
    pub id: String,
    /// The seller's word for it, in the app's language.
    pub label: String,
    /// Its unit.
    pub unit: FigureUnit,
    /// This period; `None` when undefined (no orders: no average, no share).
    pub current: Option<i64>,
    /// The previous period of the same length.
    pub previous: Option<i64>,
    /// `current - previous`; `None` when either is undefined.
    pub delta: Option<i64>,
    /// `delta / previous` in basis points; `None` when the previous value is not positive,
    /// and for shares. Show "n/a", never divide yourself.
    pub relative_bps: Option<i32>,
}

/// One point of a series.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DashboardPoint {
    /// First business day of the point, `YYYY-MM-DD`.
    pub start_day: String,
    /// The local hour, for the hour grain.
    pub hour: Option<u8>,
    /// Paid orders.
    pub orders: i64,
    /// Of which mobile.
    pub mobile_orders: i64,
    /// Net sales, fen.
    pub net_sales_fen: i64,
    /// Net sales of mobile orders, fen.
    pub mobile_net_sales_fen: i64,
    /// Mobile share of orders, bps; `None` without orders.
    pub mobile_share_bps: Option<i32>,
}

/// The trend of the range and of the previous period, aligned point by point.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DashboardSeries {
    /// `hour`, `day`, `week` or `month`.
    pub grain: String,
    /// This period.
    pub current: Vec<DashboardPoint>,
    /// The previous period: `previous[i]` goes with `current[i]`.
    pub previous: Vec<DashboardPoint>,
}

/// One cell of the weekday x hour heatmap.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct HeatmapCell {
    /// Monday = 0 ... Sunday = 6.
    pub weekday: u8,
    /// Local hour, 0..=23.
    pub hour: u8,
    /// Paid orders.
    pub orders: i64,
    /// Net sales, fen.
    pub net_sales_fen: i64,
}

/// A best seller.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct TopProductInfo {
    /// Product id, or `~` and the line title for lines without one.
    pub key: String,
    /// Title to show.
    pub title: String,
    /// Units sold.
    pub units: i64,
    /// Net sales, fen.
    pub net_sales_fen: i64,
}

/// The dashboard of one range.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DashboardInfo {
    /// The range as asked.
    pub range: String,
    /// The shop's zone.
    pub zone: String,
    /// First day of the range, `YYYY-MM-DD`.
    pub start_day: String,
    /// Last day of the range (included).
    pub last_day: String,
    /// First day of the previous period.
    pub previous_start_day: String,
    /// Last day of the previous period.
    pub previous_last_day: String,
    /// Every figure, mobile share first.
    pub figures: Vec<DashboardFigure>,
    /// The trend.
    pub series: DashboardSeries,
    /// 7 x 24 cells, weekday-major.
    pub heatmap: Vec<HeatmapCell>,
    /// Best sellers by net sales.
    pub top_by_net_sales: Vec<TopProductInfo>,
    /// Best sellers by units.
    pub top_by_units: Vec<TopProductInfo>,
    /// Time of the last successful sync, UTC ms; `None` if never.
    pub last_sync_ms: Option<i64>,
    /// Local changes waiting to be pushed.
    pub pending_changes: i64,
}

fn last_day(p: &Period) -> String {
    p.end.yesterday().unwrap_or(p.end).to_string()
}

fn point(p: &SeriesPoint) -> DashboardPoint {
    DashboardPoint {
        start_day: p.start.to_string(),
        hour: p.hour,
        orders: p.orders,
        mobile_orders: p.mobile_orders,
        net_sales_fen: p.net_sales.0,
        mobile_net_sales_fen: p.mobile_net_sales.0,
        mobile_share_bps: p.mobile_share_of_orders.map(|b| b.0),
    }
}

fn figure(row: &FigureRow, language: Language) -> DashboardFigure {
    DashboardFigure {
        id: row.figure.as_str().to_owned(),
        label: match language {
            Language::En => row.figure.label_en(),
            Language::ZhCn => row.figure.label_zh(),
        }
        .to_owned(),
        unit: match row.unit {
            Unit::Money => FigureUnit::Money,
            Unit::Count => FigureUnit::Count,
            Unit::Share => FigureUnit::Share,
        },
        current: row.current,
        previous: row.previous,
        delta: row.change.map(|c| c.delta),
        relative_bps: row.change.and_then(|c| c.relative).map(|b| b.0),
    }
}

impl DashboardInfo {
    fn new(b: &Dashboard, language: Language) -> DashboardInfo {
        let top = |list: &[analytics::TopProduct]| {
            list.iter()
                .map(|p| TopProductInfo {
                    key: p.key.clone(),
                    title: p.title.clone(),
                    units: p.units,
                    net_sales_fen: p.net_sales.0,
                })
                .collect()
        };
        DashboardInfo {
            range: b.range.clone(),
            zone: b.zone.clone(),
            start_day: b.current.start.to_string(),
            last_day: last_day(&b.current),
            previous_start_day: b.previous.start.to_string(),
            previous_last_day: last_day(&b.previous),
            figures: b.table.iter().map(|r| figure(r, language)).collect(),
            series: DashboardSeries {
                grain: match b.series.grain {
                    Grain::Hour => "hour",
                    Grain::Day => "day",
                    Grain::Week => "week",
                    Grain::Month => "month",
                }
                .to_owned(),
                current: b.series.current.iter().map(point).collect(),
                previous: b.series.previous.iter().map(point).collect(),
            },
            heatmap: b
                .heatmap
                .iter()
                .map(|c| HeatmapCell {
                    weekday: c.weekday,
                    hour: c.hour,
                    orders: c.orders,
                    net_sales_fen: c.net_sales.0,
                })
                .collect(),
            top_by_net_sales: top(&b.top_by_net_sales),
            top_by_units: top(&b.top_by_units),
            last_sync_ms: b.freshness.and_then(|f| f.last_sync_ms),
            pending_changes: b.freshness.map_or(0, |f| f.pending_changes),
        }
    }
}

impl SellerKitError {
    /// A dashboard error in the seller's language.
    pub(crate) fn from_analytics(err: AnalyticsError, language: Language) -> SellerKitError {
        let reason = match language {
            Language::En => err.message_en(),
            Language::ZhCn => err.message_zh(),
        };
        match err {
            AnalyticsError::Store(e) => SellerKitError::from_app(AppError::Store(e), language),
            AnalyticsError::Overflow => SellerKitError::Storage { reason },
            _ => SellerKitError::InvalidInput { reason },
        }
    }
}

#[uniffi::export]
impl SellerApp {
    /// The sales dashboard of `range`, computed offline from the phone's data: figures
    /// against the previous period (mobile share first), the trend, the weekday x hour
    /// heatmap, best sellers, and how fresh the data is. A quick local call.
    ///
    /// `range`: `today`, `yesterday`, `7d`, `30d`, `90d`, `365d`, `month`, `last-month` or
    /// `YYYY-MM-DD..YYYY-MM-DD` (business days in the shop's zone, both included).
    ///
    /// # Errors
    /// `InvalidInput` for a range that cannot be read, ends before it starts or is longer
    /// than 1,100 days; `Storage` when the database fails.
    pub fn dashboard(&self, range: String) -> Result<DashboardInfo, SellerKitError> {
        let language = self.app().language();
        guarded(language, || {
            let spec = range
                .parse()
                .map_err(|e| SellerKitError::from_analytics(e, language))?;
            let board = self
                .app()
                .dashboard(spec)
                .map_err(|e| SellerKitError::from_analytics(e, language))?;
            Ok(DashboardInfo::new(&board, language))
        })
    }
}
