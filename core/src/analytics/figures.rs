//! The dashboard's figures and how the derived ones (net sales, average order value, mobile
//! shares, changes) follow from a few sums. The rollups and the raw-SQL check both produce
//! [`Sums`]; everything else is computed here once, so the two can only disagree on sums.

use crate::money::{Bps, Fen};

use super::AnalyticsError;

/// Additive totals of one (channel, coupon use) cell of a period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    /// Sales (paid orders) by paid day.
    pub orders: i64,
    /// Units of those orders.
    pub units: i64,
    /// Their subtotals (before discounts).
    pub gross: i64,
    /// Their discounts.
    pub discount: i64,
    /// Refunds by refund day.
    pub refund: i64,
}

impl Cell {
    /// Adds `other` times `sign`, refusing an overflow.
    pub(crate) fn add(&mut self, other: &Cell, sign: i64) -> Result<(), AnalyticsError> {
        for (a, b) in [
            (&mut self.orders, other.orders),
            (&mut self.units, other.units),
            (&mut self.gross, other.gross),
            (&mut self.discount, other.discount),
            (&mut self.refund, other.refund),
        ] {
            *a = b
                .checked_mul(sign)
                .and_then(|b| a.checked_add(b))
                .ok_or(AnalyticsError::Overflow)?;
        }
        Ok(())
    }

    fn net(&self) -> Result<i64, AnalyticsError> {
        self.gross
            .checked_sub(self.discount)
            .and_then(|x| x.checked_sub(self.refund))
            .ok_or(AnalyticsError::Overflow)
    }
}

/// The sums of one period: cells indexed `[mobile][coupon]` (1 = yes) and the customers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sums {
    /// `[mobile][coupon]`.
    pub cells: [[Cell; 2]; 2],
    /// Customers whose first paid order is in the period.
    pub new_customers: i64,
    /// Customers with a paid order in the period and one before it.
    pub returning_customers: i64,
}

/// Orders with or without a coupon.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CouponGroup {
    /// Paid orders.
    pub orders: i64,
    /// Discounts given on them.
    pub discounts: Fen,
    /// Their net sales.
    pub net_sales: Fen,
    /// Their average order value; `None` without orders.
    pub average_order_value: Option<Fen>,
}

/// Every figure of one period (definitions in docs/analytics.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Subtotals of paid orders, by paid day.
    pub gross_sales: Fen,
    /// Their discounts (coupons included).
    pub discounts: Fen,
    /// Refunds, by refund day.
    pub refunds: Fen,
    /// Gross sales less discounts less refunds.
    pub net_sales: Fen,
    /// Paid orders.
    pub orders: i64,
    /// Units in them.
    pub units: i64,
    /// (Gross sales - discounts) / orders, rounded half up; `None` without orders.
    pub average_order_value: Option<Fen>,
    /// Paid orders placed on mobile.
    pub mobile_orders: i64,
    /// Net sales of mobile orders.
    pub mobile_net_sales: Fen,
    /// Mobile orders / orders; `None` without orders.
    pub mobile_share_of_orders: Option<Bps>,
    /// Mobile net sales / net sales; `None` when net sales are not positive.
    pub mobile_share_of_net_sales: Option<Bps>,
    /// Customers with a paid order in the period.
    pub customers: i64,
    /// Those whose first paid order is in the period.
    pub new_customers: i64,
    /// Those who had a paid order before the period.
    pub returning_customers: i64,
    /// Orders with a coupon.
    pub with_coupon: CouponGroup,
    /// Orders without a coupon.
    pub without_coupon: CouponGroup,
}

/// `num / den` rounded half up, in fen; `None` when `den` is not positive.
pub(crate) fn per_order(num: i64, den: i64) -> Option<Fen> {
    if den <= 0 {
        return None;
    }
    let (n, d) = (i128::from(num), i128::from(den));
    i64::try_from((2 * n + d).div_euclid(2 * d)).ok().map(Fen)
}

impl Figures {
    /// Derives every figure from the period's sums.
    pub fn from_sums(sums: &Sums) -> Result<Figures, AnalyticsError> {
        let mut all = Cell::default();
        let mut mobile = Cell::default();
        let mut coupon = [Cell::default(); 2];
        for (m, row) in sums.cells.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                all.add(cell, 1)?;
                if m == 1 {
                    mobile.add(cell, 1)?;
                }
                coupon[c].add(cell, 1)?;
            }
        }
        let group = |cell: &Cell| -> Result<CouponGroup, AnalyticsError> {
            Ok(CouponGroup {
                orders: cell.orders,
                discounts: Fen(cell.discount),
                net_sales: Fen(cell.net()?),
                average_order_value: per_order(cell.gross - cell.discount, cell.orders),
            })
        };
        let net = all.net()?;
        let mobile_net = mobile.net()?;
        let customers = sums
            .new_customers
            .checked_add(sums.returning_customers)
            .ok_or(AnalyticsError::Overflow)?;
        Ok(Figures {
            gross_sales: Fen(all.gross),
            discounts: Fen(all.discount),
            refunds: Fen(all.refund),
            net_sales: Fen(net),
            orders: all.orders,
            units: all.units,
            average_order_value: per_order(all.gross - all.discount, all.orders),
            mobile_orders: mobile.orders,
            mobile_net_sales: Fen(mobile_net),
            mobile_share_of_orders: if all.orders > 0 {
                Bps::ratio(Fen(mobile.orders), Fen(all.orders))
            } else {
                None
            },
            mobile_share_of_net_sales: if net > 0 {
                Bps::ratio(Fen(mobile_net), Fen(net))
            } else {
                None
            },
            customers,
            new_customers: sums.new_customers,
            returning_customers: sums.returning_customers,
            with_coupon: group(&coupon[1])?,
            without_coupon: group(&coupon[0])?,
        })
    }
}

/// What a figure measures, for formatting and for how its change is expressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Fen.
    Money,
    /// A count.
    Count,
    /// Basis points (a share): its change is in points, not relative.
    Share,
}

/// The change of a figure against the previous period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FigureChange {
    /// Current minus previous, in the figure's unit.
    pub delta: i64,
    /// `delta / previous` in basis points; `None` when the previous value is not positive
    /// (no division by zero) or for shares (their change is `delta`, in points).
    pub relative: Option<Bps>,
}

/// One line of the comparison table: a figure now, before, and its change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FigureRow {
    /// Which figure.
    pub figure: FigureId,
    /// Its unit.
    pub unit: Unit,
    /// This period; `None` when undefined (a share of nothing).
    pub current: Option<i64>,
    /// The previous period.
    pub previous: Option<i64>,
    /// `None` when either value is undefined.
    pub change: Option<FigureChange>,
}

macro_rules! figure_ids {
    ($($id:ident => $code:literal, $unit:ident, $en:literal, $zh:literal, |$f:ident| $get:expr;)+) => {
        /// The figures, in the order the dashboard shows them (mobile share first).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        // `rename_all`, not a `rename = $code` per variant: utoipa does not read a rename
        // that comes in through a macro, and the OpenAPI enum drifted from serde. A test
        // holds the codes to serde's spelling.
        #[serde(rename_all = "snake_case")]
        pub enum FigureId {
            $(#[doc = $en] $id,)+
        }

        impl FigureId {
            /// Every figure, in display order.
            pub const ALL: &'static [FigureId] = &[$(FigureId::$id),+];

            /// The stable machine identifier.
            pub fn as_str(self) -> &'static str {
                match self { $(FigureId::$id => $code),+ }
            }

            /// The seller's word for it, in English.
            pub fn label_en(self) -> &'static str {
                match self { $(FigureId::$id => $en),+ }
            }

            /// The seller's word for it, in Chinese.
            pub fn label_zh(self) -> &'static str {
                match self { $(FigureId::$id => $zh),+ }
            }

            /// Its unit.
            pub fn unit(self) -> Unit {
                match self { $(FigureId::$id => Unit::$unit),+ }
            }

            /// Its value in `f`.
            pub fn value(self, f: &Figures) -> Option<i64> {
                match self { $(FigureId::$id => { let $f = f; $get }),+ }
            }
        }
    };
}

figure_ids! {
    MobileShareOfOrders => "mobile_share_of_orders", Share, "Mobile share of orders", "移动端订单占比",
        |f| f.mobile_share_of_orders.map(|b| i64::from(b.0));
    MobileShareOfNetSales => "mobile_share_of_net_sales", Share, "Mobile share of net sales", "移动端净销售额占比",
        |f| f.mobile_share_of_net_sales.map(|b| i64::from(b.0));
    NetSales => "net_sales", Money, "Net sales", "净销售额", |f| Some(f.net_sales.0);
    Orders => "orders", Count, "Orders", "订单数", |f| Some(f.orders);
    AverageOrderValue => "average_order_value", Money, "Average order value", "客单价",
        |f| f.average_order_value.map(|v| v.0);
    GrossSales => "gross_sales", Money, "Gross sales", "总销售额", |f| Some(f.gross_sales.0);
    Discounts => "discounts", Money, "Discounts", "折扣", |f| Some(f.discounts.0);
    Refunds => "refunds", Money, "Refunds", "退款", |f| Some(f.refunds.0);
    Units => "units", Count, "Units sold", "售出件数", |f| Some(f.units);
    MobileOrders => "mobile_orders", Count, "Mobile orders", "移动端订单", |f| Some(f.mobile_orders);
    MobileNetSales => "mobile_net_sales", Money, "Mobile net sales", "移动端净销售额",
        |f| Some(f.mobile_net_sales.0);
    Customers => "customers", Count, "Customers", "顾客数", |f| Some(f.customers);
    NewCustomers => "new_customers", Count, "New customers", "新顾客", |f| Some(f.new_customers);
    ReturningCustomers => "returning_customers", Count, "Returning customers", "回头客",
        |f| Some(f.returning_customers);
    CouponOrders => "coupon_orders", Count, "Orders with a coupon", "用券订单", |f| Some(f.with_coupon.orders);
    CouponDiscounts => "coupon_discounts", Money, "Discounts on coupon orders", "用券订单折扣",
        |f| Some(f.with_coupon.discounts.0);
    CouponNetSales => "coupon_net_sales", Money, "Net sales with a coupon", "用券净销售额",
        |f| Some(f.with_coupon.net_sales.0);
    CouponAverageOrderValue => "coupon_average_order_value", Money, "AOV with a coupon", "用券客单价",
        |f| f.with_coupon.average_order_value.map(|v| v.0);
    NoCouponOrders => "no_coupon_orders", Count, "Orders without a coupon", "未用券订单",
        |f| Some(f.without_coupon.orders);
    NoCouponNetSales => "no_coupon_net_sales", Money, "Net sales without a coupon", "未用券净销售额",
        |f| Some(f.without_coupon.net_sales.0);
    NoCouponAverageOrderValue => "no_coupon_average_order_value", Money, "AOV without a coupon", "未用券客单价",
        |f| f.without_coupon.average_order_value.map(|v| v.0);
}

/// The change from `previous` to `current`.
pub fn change(unit: Unit, current: Option<i64>, previous: Option<i64>) -> Option<FigureChange> {
    let (c, p) = (current?, previous?);
    let delta = c.checked_sub(p)?;
    let relative = match unit {
        Unit::Share => None,
        Unit::Money | Unit::Count if p > 0 => Bps::ratio(Fen(delta), Fen(p)),
        Unit::Money | Unit::Count => None,
    };
    Some(FigureChange { delta, relative })
}

impl FigureRow {
    /// The comparison table of two periods, mobile share first.
    pub fn table(current: &Figures, previous: &Figures) -> Vec<FigureRow> {
        FigureId::ALL
            .iter()
            .map(|&figure| {
                let (c, p) = (figure.value(current), figure.value(previous));
                FigureRow {
                    figure,
                    unit: figure.unit(),
                    current: c,
                    previous: p,
                    change: change(figure.unit(), c, p),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_id_serializes_as_its_machine_code() {
        for id in FigureId::ALL {
            let wire = serde_json::to_value(id).unwrap();
            assert_eq!(wire, serde_json::Value::from(id.as_str()), "{id:?}");
            assert_eq!(serde_json::from_value::<FigureId>(wire).unwrap(), *id);
        }
    }

    #[test]
    fn an_empty_period_has_no_averages_shares_or_relative_changes() {
        let f = Figures::from_sums(&Sums::default()).unwrap();
        assert_eq!(f.orders, 0);
        assert_eq!(f.average_order_value, None);
        assert_eq!(f.mobile_share_of_orders, None);
        assert_eq!(f.mobile_share_of_net_sales, None);
        let rows = FigureRow::table(&f, &f);
        let net = rows
            .iter()
            .find(|r| r.figure == FigureId::NetSales)
            .unwrap();
        assert_eq!(
            net.change,
            Some(FigureChange {
                delta: 0,
                relative: None
            })
        );
        let share = rows
            .iter()
            .find(|r| r.figure == FigureId::MobileShareOfOrders)
            .unwrap();
        assert_eq!(share.change, None);
        assert_eq!(rows[0].figure, FigureId::MobileShareOfOrders);
    }

    #[test]
    fn derived_figures_round_half_up_and_shares_are_basis_points() {
        let mut sums = Sums::default();
        sums.cells[1][0] = Cell {
            orders: 1,
            units: 2,
            gross: 1_000,
            discount: 0,
            refund: 0,
        };
        sums.cells[0][1] = Cell {
            orders: 2,
            units: 2,
            gross: 2_001,
            discount: 100,
            refund: 300,
        };
        let f = Figures::from_sums(&sums).unwrap();
        assert_eq!(f.net_sales, Fen(2_601));
        // (3001 - 100) / 3 = 966.33 -> 967? no: 2901 / 3 = 967 exactly.
        assert_eq!(f.average_order_value, Some(Fen(967)));
        assert_eq!(f.mobile_share_of_orders, Some(Bps(3_333)));
        assert_eq!(f.mobile_share_of_net_sales, Some(Bps(3_845)));
        assert_eq!(f.with_coupon.average_order_value, Some(Fen(951)));
        let c = change(Unit::Money, Some(150), Some(100)).unwrap();
        assert_eq!(
            c,
            FigureChange {
                delta: 50,
                relative: Some(Bps(5_000))
            }
        );
        assert_eq!(
            change(Unit::Money, Some(5), Some(0)).unwrap().relative,
            None
        );
        assert_eq!(
            change(Unit::Money, Some(5), Some(-3)).unwrap().relative,
            None
        );
        assert_eq!(
            change(Unit::Share, Some(2_800), Some(600)).unwrap().delta,
            2_200
        );
    }
}
