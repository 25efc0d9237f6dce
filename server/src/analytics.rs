//! `GET /dev/shops/{shop_id}/analytics?range=...&now=...`: the seller's dashboard computed
//! by the server from its own tables, written independently of the phone's rollups (one pass
//! over the shop's order rows, read with plain SQL and `json_extract`, bucketed by instant),
//! so the end-to-end tests can compare the two field by field. Same JSON shape as the phone's
//! `Dashboard`; its `freshness` is `null`. Definitions: docs/analytics.md.

use std::collections::{HashMap, HashSet};

use axum::extract::State;
use jiff::civil::{Date, date};
use jiff::{Span, ToSpan};
use rusqlite::{Connection, params};
use sellerkit_core::analytics::dashboard::{HeatCell, Period, SeriesPoint, TopProduct};
use sellerkit_core::analytics::{CouponGroup, Dashboard, FigureRow, Figures, Grain, Series};
use sellerkit_core::domain::Order;
use sellerkit_core::money::{Bps, Fen};
use sellerkit_core::protocol::{EntityKind, ErrorBody};
use sellerkit_core::time::ShopZone;

use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Loopback};
use crate::state::AppState;

/// Query of the endpoint.
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsQuery {
    /// `today`, `yesterday`, `7d`, `30d`, `90d`, `365d`, `month`, `last-month` or
    /// `YYYY-MM-DD..YYYY-MM-DD`; default `30d`.
    #[serde(default)]
    #[param(
        pattern = r"^(today|yesterday|7d|30d|90d|365d|month|last-month|[0-9]{4}-[0-9]{2}-[0-9]{2}\.\.[0-9]{4}-[0-9]{2}-[0-9]{2})$"
    )]
    pub range: Option<String>,
    /// "Now" in UTC ms (default: the server's clock), so a test pins the same day as the phone;
    /// from 1970 to before 2100.
    #[serde(default)]
    #[param(minimum = 0, maximum = 4_102_444_799_999_i64)]
    pub now: Option<i64>,
}

const MAX_DAYS: i64 = 1_100;
/// Last "now" accepted (2099-12-31T23:59:59.999Z), as the query's schema states.
const MAX_NOW_MS: i64 = 4_102_444_799_999;
const TOP: usize = 10;

/// `GET /dev/shops/{shop_id}/analytics`: the shop's dashboard, as the phone computes it.
#[utoipa::path(get, path = "/dev/shops/{shop_id}/analytics", tag = "dev",
    params(("shop_id" = String, Path, description = "The shop."), AnalyticsQuery),
    responses(
        (status = 200, description = "Every figure of the range and the previous period, \
            series, heatmap and top products (docs/analytics.md); `freshness` is null.", body = Dashboard),
        (status = 400, description = "A range that cannot be read, ends before it starts or \
            is longer than 1,100 days (`invalid_request`).", body = ErrorBody),
        (status = 404, description = "No such shop (`not_found`).", body = ErrorBody),
    ))]
pub async fn dashboard(
    _: Loopback,
    State(state): State<AppState>,
    ApiPath(shop_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<AnalyticsQuery>,
) -> Result<ApiJson<Dashboard>, ApiError> {
    state
        .shop_read(shop_id, move |conn, shop_id| {
            let range = query.range.as_deref().unwrap_or("30d");
            let now = query.now.unwrap_or_else(crate::clock::now_ms);
            if !(0..=MAX_NOW_MS).contains(&now) {
                return Err(bad("now must be UTC ms from 1970 to before 2100"));
            }
            compute(conn, shop_id, range, now).map(ApiJson)
        })
        .await
}

fn bad(detail: impl Into<String>) -> ApiError {
    ApiError::invalid_request(detail.into())
}

fn days_between(a: Date, b: Date) -> i64 {
    a.until(b).map_or(0, |s| i64::from(s.get_days()))
}

fn add_days(d: Date, n: i64) -> Result<Date, ApiError> {
    d.checked_add(n.days())
        .map_err(|_| bad("date out of range"))
}

/// `[start, end)` of the range named `name` when today is `today`.
fn cut(name: &str, today: Date) -> Result<(Date, Date), ApiError> {
    let tomorrow = add_days(today, 1)?;
    let (start, end) = match name {
        "today" => (today, tomorrow),
        "yesterday" => (add_days(today, -1)?, today),
        "7d" => (add_days(today, -6)?, tomorrow),
        "30d" => (add_days(today, -29)?, tomorrow),
        "90d" => (add_days(today, -89)?, tomorrow),
        "365d" => (add_days(today, -364)?, tomorrow),
        "month" => (date(today.year(), today.month(), 1), tomorrow),
        "last-month" => {
            let first = date(today.year(), today.month(), 1);
            let before = first
                .checked_sub(Span::new().months(1))
                .map_err(|_| bad("date out of range"))?;
            (before, first)
        }
        custom => {
            let (a, b) = custom
                .split_once("..")
                .ok_or_else(|| bad(format!("unknown range {custom:?}")))?;
            let a: Date = a.trim().parse().map_err(|_| bad("bad FROM date"))?;
            let b: Date = b.trim().parse().map_err(|_| bad("bad TO date"))?;
            if b < a {
                return Err(bad("the range ends before it starts"));
            }
            (a, add_days(b, 1)?)
        }
    };
    if days_between(start, end) > MAX_DAYS {
        return Err(bad(format!("at most {MAX_DAYS} days")));
    }
    Ok((start, end))
}

/// One sale or refund event's amounts, into a period's sums.
#[derive(Clone, Copy, Default)]
struct Totals {
    orders: i64,
    units: i64,
    gross: i64,
    discount: i64,
    refund: i64,
}

#[derive(Default)]
struct PeriodAcc {
    /// `[mobile][coupon]`.
    cells: [[Totals; 2]; 2],
    customers: HashSet<String>,
    /// Per series bucket: orders, mobile orders, net, mobile net.
    points: Vec<[i64; 4]>,
}

struct Line {
    key: String,
    quantity: i64,
    total: i64,
}

#[derive(Default, Clone, Copy)]
struct ProductAcc {
    units: i64,
    gross: i64,
    discount: i64,
    refund: i64,
}

/// Which period and bucket an instant falls in.
struct Cutter<'z> {
    zone: &'z ShopZone,
    periods: [(Date, Date); 2],
    grain: Grain,
}

impl Cutter<'_> {
    /// (period index 0 = current / 1 = previous, bucket, local date, local hour).
    fn place(&self, ms: i64) -> Option<(usize, usize, Date, u8)> {
        let day = self.zone.business_day(ms).ok()?;
        let hour = self.zone.hour_of_day(ms).ok()?;
        for (p, (start, end)) in self.periods.iter().enumerate() {
            if day >= *start && day < *end {
                let offset = days_between(*start, day);
                let bucket = match self.grain {
                    Grain::Hour => usize::from(hour),
                    Grain::Day => offset as usize,
                    Grain::Week => (offset / 7) as usize,
                    Grain::Month => {
                        let months = (i64::from(day.year()) - i64::from(start.year())) * 12
                            + i64::from(day.month())
                            - i64::from(start.month());
                        months as usize
                    }
                };
                return Some((p, bucket, day, hour));
            }
        }
        None
    }

    fn bucket_starts(&self, (start, end): (Date, Date)) -> Vec<Date> {
        let mut out = Vec::new();
        match self.grain {
            Grain::Hour => out.extend(std::iter::repeat_n(start, 24)),
            Grain::Day | Grain::Week => {
                let step = if self.grain == Grain::Day { 1 } else { 7 };
                let mut d = start;
                while d < end {
                    out.push(d);
                    d = match d.checked_add(step.days()) {
                        Ok(n) => n,
                        Err(_) => break,
                    };
                }
            }
            Grain::Month => {
                let mut d = start;
                while d < end {
                    out.push(d);
                    let first = date(d.year(), d.month(), 1);
                    d = match first.checked_add(1.month()) {
                        Ok(n) => n,
                        Err(_) => break,
                    };
                }
            }
        }
        out
    }
}

fn half_up(num: i64, den: i64) -> Option<Fen> {
    if den <= 0 {
        return None;
    }
    let (n, d) = (i128::from(num), i128::from(den));
    let q = (2 * n + d).div_euclid(2 * d);
    i64::try_from(q).ok().map(Fen)
}

fn share(part: i64, whole: i64) -> Option<Bps> {
    if whole <= 0 {
        None
    } else {
        Bps::ratio(Fen(part), Fen(whole))
    }
}

/// Computes the dashboard of `shop_id` for `range` when "now" is `now`.
pub fn compute(
    conn: &Connection,
    shop_id: &str,
    range: &str,
    now: i64,
) -> Result<Dashboard, ApiError> {
    let zone_name: String = conn
        .query_row(
            "SELECT coalesce(json_extract(data, '$.time_zone'), 'Asia/Shanghai') FROM entities
             WHERE shop_id = ?1 AND kind = 'shop_profile' AND deleted = 0",
            [shop_id],
            |r| r.get(0),
        )
        .unwrap_or_else(|_| "Asia/Shanghai".to_owned());
    let zone = ShopZone::new(&zone_name).map_err(|e| bad(e.to_string()))?;
    let today = zone.business_day(now).map_err(|e| bad(e.to_string()))?;
    let current = cut(range.trim(), today)?;
    let len = days_between(current.0, current.1);
    let previous = (add_days(current.0, -len)?, current.0);
    let grain = match len {
        ..=1 => Grain::Hour,
        2..=92 => Grain::Day,
        93..=366 => Grain::Week,
        _ => Grain::Month,
    };
    let cutter = Cutter {
        zone: &zone,
        periods: [current, previous],
        grain,
    };
    let mut acc: [PeriodAcc; 2] = Default::default();
    for (p, period) in [current, previous].into_iter().enumerate() {
        acc[p].points = vec![[0; 4]; cutter.bucket_starts(period).len()];
    }
    let mut heat = [[[0i64; 2]; 24]; 7];
    let mut products: HashMap<String, ProductAcc> = HashMap::new();
    let mut first_paid: HashMap<String, Date> = HashMap::new();

    let mut stmt = conn.prepare(
        "SELECT json_extract(data, '$.channel'), json_extract(data, '$.customer_id'),
             json_extract(data, '$.paid_ms'), json_extract(data, '$.refunded_ms'),
             json_extract(data, '$.subtotal'), json_extract(data, '$.discount'),
             json_extract(data, '$.total'), json_extract(data, '$.refund'),
             json_extract(data, '$.coupon_id') IS NOT NULL, json_extract(data, '$.lines'),
             data
         FROM entities
         WHERE shop_id = ?1 AND kind = ?2 AND deleted = 0
           AND json_extract(data, '$.status') IN ('paid', 'shipped', 'completed', 'refunded')
           AND json_extract(data, '$.paid_ms') IS NOT NULL",
    )?;
    let mut rows = stmt.query(params![shop_id, EntityKind::Order.as_str()])?;
    while let Some(r) = rows.next()? {
        // An order the phone refuses (a damaged feed: absurd amounts, a total that is not
        // subtotal less discount, ...) never reaches its figures, so it does not count here
        // either; it would also overflow the sums.
        let sound = serde_json::from_str::<Order>(&r.get::<_, String>(10)?)
            .is_ok_and(|o| o.problem().is_none());
        if !sound {
            continue;
        }
        let mobile = usize::from(r.get::<_, String>(0)? == "mobile");
        let customer: String = r.get(1)?;
        let paid: i64 = r.get(2)?;
        let refunded: Option<i64> = r.get(3)?;
        let (sub, disc, total, refund): (i64, i64, i64, i64) =
            (r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?);
        let coupon = usize::from(r.get::<_, bool>(8)?);
        let lines_json: String = r.get(9)?;
        let lines: Vec<Line> = serde_json::from_str::<Vec<serde_json::Value>>(&lines_json)
            .unwrap_or_default()
            .iter()
            .map(|l| Line {
                key: match l["product_id"].as_str() {
                    Some(id) => id.to_owned(),
                    None => format!("~{}", l["title"].as_str().unwrap_or_default()),
                },
                quantity: l["quantity"].as_i64().unwrap_or(0),
                total: l["total"].as_i64().unwrap_or(0),
            })
            .collect();
        let share_of = |amount: i64, line: i64| -> i64 {
            if sub > 0 {
                (i128::from(amount) * i128::from(line) / i128::from(sub)) as i64
            } else {
                0
            }
        };
        if let Ok(day) = zone.business_day(paid) {
            let first = first_paid.entry(customer.clone()).or_insert(day);
            if day < *first {
                *first = day;
            }
        }
        if let Some((p, bucket, day, hour)) = cutter.place(paid) {
            let units: i64 = lines.iter().map(|l| l.quantity).sum();
            let cell = &mut acc[p].cells[mobile][coupon];
            cell.orders += 1;
            cell.units += units;
            cell.gross += sub;
            cell.discount += disc;
            acc[p].customers.insert(customer.clone());
            if let Some(pt) = acc[p].points.get_mut(bucket) {
                pt[0] += 1;
                pt[1] += mobile as i64;
                pt[2] += total;
                pt[3] += total * mobile as i64;
            }
            if p == 0 {
                let wd = day.weekday().to_monday_zero_offset() as usize;
                heat[wd][usize::from(hour)][0] += 1;
                heat[wd][usize::from(hour)][1] += total;
                for l in &lines {
                    let e = products.entry(l.key.clone()).or_default();
                    e.units += l.quantity;
                    e.gross += l.total;
                    e.discount += share_of(disc, l.total);
                }
            }
        }
        if let Some(at) = refunded.filter(|_| refund > 0)
            && let Some((p, bucket, day, hour)) = cutter.place(at)
        {
            acc[p].cells[mobile][coupon].refund += refund;
            if let Some(pt) = acc[p].points.get_mut(bucket) {
                pt[2] -= refund;
                pt[3] -= refund * mobile as i64;
            }
            if p == 0 {
                let wd = day.weekday().to_monday_zero_offset() as usize;
                heat[wd][usize::from(hour)][1] -= refund;
                for l in &lines {
                    products.entry(l.key.clone()).or_default().refund += share_of(refund, l.total);
                }
            }
        }
    }

    let figures = |p: usize| -> Figures {
        let a = &acc[p];
        let sum = |f: &dyn Fn(&Totals) -> i64, m: Option<usize>, c: Option<usize>| -> i64 {
            let mut s = 0;
            for (mi, row) in a.cells.iter().enumerate() {
                for (ci, t) in row.iter().enumerate() {
                    if m.is_none_or(|m| m == mi) && c.is_none_or(|c| c == ci) {
                        s += f(t);
                    }
                }
            }
            s
        };
        let net = |t: &Totals| t.gross - t.discount - t.refund;
        let group = |c: usize| CouponGroup {
            orders: sum(&|t| t.orders, None, Some(c)),
            discounts: Fen(sum(&|t| t.discount, None, Some(c))),
            net_sales: Fen(sum(&net, None, Some(c))),
            average_order_value: half_up(
                sum(&|t| t.gross - t.discount, None, Some(c)),
                sum(&|t| t.orders, None, Some(c)),
            ),
        };
        let orders = sum(&|t| t.orders, None, None);
        let net_all = sum(&net, None, None);
        let mobile_orders = sum(&|t| t.orders, Some(1), None);
        let mobile_net = sum(&net, Some(1), None);
        let (start, _) = [current, previous][p];
        let new = a
            .customers
            .iter()
            .filter(|c| first_paid.get(*c).is_none_or(|d| *d >= start))
            .count() as i64;
        Figures {
            gross_sales: Fen(sum(&|t| t.gross, None, None)),
            discounts: Fen(sum(&|t| t.discount, None, None)),
            refunds: Fen(sum(&|t| t.refund, None, None)),
            net_sales: Fen(net_all),
            orders,
            units: sum(&|t| t.units, None, None),
            average_order_value: half_up(sum(&|t| t.gross - t.discount, None, None), orders),
            mobile_orders,
            mobile_net_sales: Fen(mobile_net),
            mobile_share_of_orders: share(mobile_orders, orders),
            mobile_share_of_net_sales: share(mobile_net, net_all),
            customers: a.customers.len() as i64,
            new_customers: new,
            returning_customers: a.customers.len() as i64 - new,
            with_coupon: group(1),
            without_coupon: group(0),
        }
    };
    let series = |p: usize| -> Vec<SeriesPoint> {
        let period = [current, previous][p];
        cutter
            .bucket_starts(period)
            .into_iter()
            .zip(&acc[p].points)
            .enumerate()
            .map(|(i, (start, pt))| SeriesPoint {
                start,
                hour: (grain == Grain::Hour).then_some(i as u8),
                orders: pt[0],
                mobile_orders: pt[1],
                net_sales: Fen(pt[2]),
                mobile_net_sales: Fen(pt[3]),
                mobile_share_of_orders: share(pt[1], pt[0]),
            })
            .collect()
    };
    let period = |(start, end): (Date, Date)| -> Result<Period, ApiError> {
        let ms = |d: Date| zone.day_start_ms(d).map_err(|e| bad(e.to_string()));
        Ok(Period {
            start,
            end,
            days: days_between(start, end),
            start_ms: ms(start)?,
            end_ms: ms(end)?,
        })
    };
    let title = |key: &str| -> Result<String, ApiError> {
        if let Some(t) = key.strip_prefix('~') {
            return Ok(t.to_owned());
        }
        let t: Option<String> = conn
            .query_row(
                "SELECT json_extract(data, '$.title') FROM entities
                 WHERE shop_id = ?1 AND kind = 'product' AND id = ?2 AND deleted = 0",
                params![shop_id, key],
                |r| r.get(0),
            )
            .ok();
        Ok(t.unwrap_or_else(|| key.to_owned()))
    };
    let mut ranked: Vec<(String, ProductAcc, i64)> = products
        .into_iter()
        .map(|(k, p)| {
            let net = p.gross - p.discount - p.refund;
            (k, p, net)
        })
        .filter(|(_, p, _)| p.units != 0 || p.gross != 0 || p.discount != 0 || p.refund != 0)
        .collect();
    let top = |list: &[(String, ProductAcc, i64)]| -> Result<Vec<TopProduct>, ApiError> {
        list.iter()
            .take(TOP)
            .map(|(k, p, net)| {
                Ok(TopProduct {
                    key: k.clone(),
                    product_id: (!k.starts_with('~')).then(|| k.clone()),
                    title: title(k)?,
                    units: p.units,
                    gross_sales: Fen(p.gross),
                    net_sales: Fen(*net),
                })
            })
            .collect()
    };
    ranked.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let top_by_net_sales = top(&ranked)?;
    ranked.sort_by(|a, b| b.1.units.cmp(&a.1.units).then(a.0.cmp(&b.0)));
    let top_by_units = top(&ranked)?;

    let (cur, prev) = (figures(0), figures(1));
    let mut heatmap = Vec::with_capacity(168);
    for (wd, row) in heat.iter().enumerate() {
        for (hour, cell) in row.iter().enumerate() {
            heatmap.push(HeatCell {
                weekday: wd as u8,
                hour: hour as u8,
                orders: cell[0],
                net_sales: Fen(cell[1]),
            });
        }
    }
    Ok(Dashboard {
        range: range.trim().to_owned(),
        zone: zone.name().to_owned(),
        current: period(current)?,
        previous: period(previous)?,
        table: FigureRow::table(&cur, &prev),
        figures: cur,
        previous_figures: prev,
        series: Series {
            grain,
            current: series(0),
            previous: series(1),
        },
        heatmap,
        top_by_net_sales,
        top_by_units,
        freshness: None,
    })
}
