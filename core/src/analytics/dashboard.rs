//! The dashboard: figures of a range and its previous period, series, heatmap, top products.
//!
//! Composed from a [`Source`] of sums: the rollups (the product path) or the raw orders (the
//! consistency check). Both answer the same questions for the same half-open business days.

use std::collections::HashMap;

use jiff::civil::Date;

use super::AnalyticsError;
use super::figures::{FigureRow, Figures, Sums};
use super::range::{DayRange, Grain, RangeSpec, day_buckets, day_date, weekday};
use crate::money::{Bps, Fen};
use crate::time::ShopZone;

/// How many products each top list holds.
pub const TOP_PRODUCTS: usize = 10;

/// One period's days and instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    /// First business day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start: Date,
    /// The day after the last one.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub end: Date,
    /// Number of days.
    pub days: i64,
    /// First instant, UTC ms.
    pub start_ms: i64,
    /// First instant after the period, UTC ms.
    pub end_ms: i64,
}

/// Additive totals of a series point or heatmap cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Slice {
    /// Paid orders.
    pub orders: i64,
    /// Of which mobile.
    pub mobile_orders: i64,
    /// Net sales (refunds on their own day and hour).
    pub net: i64,
    /// Net sales of mobile orders.
    pub mobile_net: i64,
}

impl Slice {
    pub(crate) fn add(&mut self, o: &Slice) -> Result<(), AnalyticsError> {
        for (a, b) in [
            (&mut self.orders, o.orders),
            (&mut self.mobile_orders, o.mobile_orders),
            (&mut self.net, o.net),
            (&mut self.mobile_net, o.mobile_net),
        ] {
            *a = a.checked_add(b).ok_or(AnalyticsError::Overflow)?;
        }
        Ok(())
    }
}

/// One point of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesPoint {
    /// First day of the bucket.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start: Date,
    /// The local hour, for the hour grain.
    pub hour: Option<u8>,
    /// Paid orders.
    pub orders: i64,
    /// Of which mobile.
    pub mobile_orders: i64,
    /// Net sales.
    pub net_sales: Fen,
    /// Net sales of mobile orders.
    pub mobile_net_sales: Fen,
    /// Mobile share of orders; `None` without orders.
    pub mobile_share_of_orders: Option<Bps>,
}

/// A series and the previous period's, aligned point by point.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Series {
    /// Hour, day, week or month.
    pub grain: Grain,
    /// This period.
    pub current: Vec<SeriesPoint>,
    /// The previous period: `previous[i]` is compared with `current[i]`.
    pub previous: Vec<SeriesPoint>,
}

/// One cell of the weekday x hour heatmap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeatCell {
    /// Monday = 0 ... Sunday = 6.
    pub weekday: u8,
    /// Local hour, 0..=23.
    pub hour: u8,
    /// Paid orders.
    pub orders: i64,
    /// Net sales.
    pub net_sales: Fen,
}

/// A product in a top list.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopProduct {
    /// The product id, or `~` and the line title for lines without one.
    pub key: String,
    /// The product id, if the lines had one.
    pub product_id: Option<String>,
    /// The product's current title, else the line title, else its id.
    pub title: String,
    /// Units sold.
    pub units: i64,
    /// Line totals before discounts.
    pub gross_sales: Fen,
    /// Less its share of discounts and refunds.
    pub net_sales: Fen,
}

/// How current the local data is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Freshness {
    /// Time of the last successful sync, UTC ms; `None` if never.
    pub last_sync_ms: Option<i64>,
    /// Local changes waiting in the outbox.
    pub pending_changes: i64,
}

/// The whole dashboard of one range.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    /// The range as asked (`30d`, `2026-01-01..2026-01-31`).
    pub range: String,
    /// The shop's zone the days are cut in.
    pub zone: String,
    /// The range.
    pub current: Period,
    /// The previous period of the same length.
    pub previous: Period,
    /// Figures of the range.
    pub figures: Figures,
    /// Figures of the previous period.
    pub previous_figures: Figures,
    /// Every figure with its previous value and change, mobile share first.
    pub table: Vec<FigureRow>,
    /// Trend of the range against the previous period.
    pub series: Series,
    /// Orders and net sales by weekday and local hour over the range (7 x 24 cells).
    pub heatmap: Vec<HeatCell>,
    /// Best sellers by net sales.
    pub top_by_net_sales: Vec<TopProduct>,
    /// Best sellers by units.
    pub top_by_units: Vec<TopProduct>,
    /// Freshness of the data (the phone's; `None` on the server).
    pub freshness: Option<Freshness>,
}

/// Per-product totals of a range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProductSums {
    /// Units sold.
    pub units: i64,
    /// Line totals.
    pub gross: i64,
    /// Allocated discounts.
    pub discount: i64,
    /// Allocated refunds.
    pub refund: i64,
}

impl ProductSums {
    pub(crate) fn add(&mut self, o: &ProductSums, sign: i64) -> Result<(), AnalyticsError> {
        for (a, b) in [
            (&mut self.units, o.units),
            (&mut self.gross, o.gross),
            (&mut self.discount, o.discount),
            (&mut self.refund, o.refund),
        ] {
            *a = b
                .checked_mul(sign)
                .and_then(|b| a.checked_add(b))
                .ok_or(AnalyticsError::Overflow)?;
        }
        Ok(())
    }

    pub(crate) fn is_zero(&self) -> bool {
        *self == ProductSums::default()
    }
}

/// Where the dashboard's sums come from. Day numbers are half-open `[start, end)`.
pub trait Source {
    /// Sums of the days.
    fn sums(&self, days: (i32, i32)) -> Result<Sums, AnalyticsError>;
    /// Per-day slices of the days (days without activity may be absent).
    fn daily(&self, days: (i32, i32)) -> Result<HashMap<i32, Slice>, AnalyticsError>;
    /// Per (day, local hour) slices of the days.
    fn hourly(&self, days: (i32, i32)) -> Result<HashMap<(i32, u8), Slice>, AnalyticsError>;
    /// Per-product sums of the days.
    fn products(&self, days: (i32, i32)) -> Result<HashMap<String, ProductSums>, AnalyticsError>;
    /// The display title of a product key.
    fn title(&self, key: &str) -> Result<String, AnalyticsError>;
}

/// The period's days and instants.
pub fn period(zone: &ShopZone, range: &DayRange) -> Result<Period, AnalyticsError> {
    Ok(Period {
        start: range.start,
        end: range.end,
        days: range.days(),
        start_ms: zone.day_start_ms(range.start)?,
        end_ms: zone.day_start_ms(range.end)?,
    })
}

/// Computes the dashboard of `spec` when "now" is `now_ms`.
pub fn compose(
    source: &dyn Source,
    zone: &ShopZone,
    spec: RangeSpec,
    now_ms: i64,
) -> Result<Dashboard, AnalyticsError> {
    let today = zone.business_day(now_ms)?;
    let range = spec.resolve(today)?;
    let previous = range.previous()?;
    let figures = Figures::from_sums(&source.sums(range.numbers())?)?;
    let previous_figures = Figures::from_sums(&source.sums(previous.numbers())?)?;
    let grain = Grain::for_days(range.days());
    let series = Series {
        grain,
        current: series(source, &range, grain)?,
        previous: series(source, &previous, grain)?,
    };
    let (top_by_net_sales, top_by_units) = top_products(source, range.numbers())?;
    Ok(Dashboard {
        range: spec.to_string(),
        zone: zone.name().to_owned(),
        current: period(zone, &range)?,
        previous: period(zone, &previous)?,
        table: FigureRow::table(&figures, &previous_figures),
        figures,
        previous_figures,
        series,
        heatmap: heatmap(source, range.numbers())?,
        top_by_net_sales,
        top_by_units,
        freshness: None,
    })
}

fn point(start: Date, hour: Option<u8>, s: &Slice) -> SeriesPoint {
    SeriesPoint {
        start,
        hour,
        orders: s.orders,
        mobile_orders: s.mobile_orders,
        net_sales: Fen(s.net),
        mobile_net_sales: Fen(s.mobile_net),
        mobile_share_of_orders: if s.orders > 0 {
            Bps::ratio(Fen(s.mobile_orders), Fen(s.orders))
        } else {
            None
        },
    }
}

fn series(
    source: &dyn Source,
    range: &DayRange,
    grain: Grain,
) -> Result<Vec<SeriesPoint>, AnalyticsError> {
    if grain == Grain::Hour {
        let hourly = source.hourly(range.numbers())?;
        let (day, _) = range.numbers();
        return (0u8..24)
            .map(|h| {
                let s = hourly.get(&(day, h)).copied().unwrap_or_default();
                Ok(point(range.start, Some(h), &s))
            })
            .collect();
    }
    let daily = source.daily(range.numbers())?;
    day_buckets(range, grain)?
        .into_iter()
        .map(|(s, e)| {
            let mut total = Slice::default();
            for d in s..e {
                if let Some(slice) = daily.get(&d) {
                    total.add(slice)?;
                }
            }
            Ok(point(day_date(s)?, None, &total))
        })
        .collect()
}

fn heatmap(source: &dyn Source, days: (i32, i32)) -> Result<Vec<HeatCell>, AnalyticsError> {
    let mut cells = [[Slice::default(); 24]; 7];
    for ((day, hour), slice) in source.hourly(days)? {
        if let Some(cell) = cells[weekday(day)].get_mut(usize::from(hour)) {
            cell.add(&slice)?;
        }
    }
    let mut out = Vec::with_capacity(7 * 24);
    for (wd, row) in (0u8..).zip(cells.iter()) {
        for (hour, s) in (0u8..).zip(row.iter()) {
            out.push(HeatCell {
                weekday: wd,
                hour,
                orders: s.orders,
                net_sales: Fen(s.net),
            });
        }
    }
    Ok(out)
}

type TopLists = (Vec<TopProduct>, Vec<TopProduct>);

fn top_products(source: &dyn Source, days: (i32, i32)) -> Result<TopLists, AnalyticsError> {
    let mut all: Vec<(String, ProductSums, i64)> = source
        .products(days)?
        .into_iter()
        .filter(|(_, p)| !p.is_zero())
        .map(|(k, p)| {
            let net = p
                .gross
                .checked_sub(p.discount)
                .and_then(|x| x.checked_sub(p.refund))
                .ok_or(AnalyticsError::Overflow)?;
            Ok((k, p, net))
        })
        .collect::<Result<_, AnalyticsError>>()?;
    let make = |list: &[(String, ProductSums, i64)]| -> Result<Vec<TopProduct>, AnalyticsError> {
        list.iter()
            .take(TOP_PRODUCTS)
            .map(|(key, p, net)| {
                Ok(TopProduct {
                    key: key.clone(),
                    product_id: (!key.starts_with('~')).then(|| key.clone()),
                    title: source.title(key)?,
                    units: p.units,
                    gross_sales: Fen(p.gross),
                    net_sales: Fen(*net),
                })
            })
            .collect()
    };
    all.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let by_net = make(&all)?;
    all.sort_by(|a, b| b.1.units.cmp(&a.1.units).then_with(|| a.0.cmp(&b.0)));
    let by_units = make(&all)?;
    Ok((by_net, by_units))
}

/// The key of an order line's product: its id, or `~` and its title.
pub fn product_key(product_id: Option<&str>, title: &str) -> String {
    match product_id {
        Some(id) => id.to_owned(),
        None => format!("~{title}"),
    }
}

/// `amount * line_total / subtotal`, rounded down: a line's share of an order's discount or
/// refund. Zero when the subtotal is not positive.
pub fn allocate(amount: i64, line_total: i64, subtotal: i64) -> i64 {
    if subtotal <= 0 {
        return 0;
    }
    let share = i128::from(amount) * i128::from(line_total) / i128::from(subtotal);
    i64::try_from(share).unwrap_or(0)
}
