//! Orders and their line items.

use super::spelled_enum;
use crate::money::Fen;

spelled_enum! {
    /// Where the buyer placed the order: the programme's key figure is the mobile share.
    Channel, "order channel" {
        /// Phone app or mobile web.
        Mobile => "mobile",
        /// Desktop web.
        Pc => "pc",
    }
}

spelled_enum! {
    /// Life cycle of an order.
    OrderStatus, "order status" {
        /// Placed, not paid.
        Pending => "pending",
        /// Paid, not shipped.
        Paid => "paid",
        /// On its way.
        Shipped => "shipped",
        /// Received by the buyer.
        Completed => "completed",
        /// Money returned (fully or partly, see [`Order::refund`]).
        Refunded => "refunded",
        /// Cancelled before payment.
        Cancelled => "cancelled",
    }
}

/// An order as synced from the marketplace.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    /// Server id (opaque).
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub id: String,
    /// Where it was placed.
    pub channel: Channel,
    /// Current status.
    pub status: OrderStatus,
    /// Buyer id (opaque, no personal data).
    pub customer_id: String,
    /// Placed at, UTC ms.
    pub created_ms: i64,
    /// Paid at, UTC ms.
    pub paid_ms: Option<i64>,
    /// Refunded at, UTC ms.
    pub refunded_ms: Option<i64>,
    /// Sum of the lines before discounts.
    pub subtotal: Fen,
    /// Discounts, coupons included.
    pub discount: Fen,
    /// What the buyer paid: subtotal minus discount.
    pub total: Fen,
    /// Amount refunded so far.
    pub refund: Fen,
    /// Coupon (its `cti`) used on this order, if any.
    pub coupon_id: Option<String>,
    /// Line items, in order.
    pub lines: Vec<LineItem>,
    /// Last change, UTC ms.
    pub updated_ms: i64,
}

/// One line of an order.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineItem {
    /// Product id at the time of the order (the product may be gone since).
    pub product_id: Option<String>,
    /// Title at the time of the order.
    pub title: String,
    /// Units bought, at least 1.
    pub quantity: i64,
    /// Price of one unit.
    pub unit_price: Fen,
    /// Line total.
    pub total: Fen,
}

/// The largest amount one order may carry, in fen (20 million yuan). A damaged feed is
/// refused before it reaches the figures, and the dashboard's per-line products of two
/// amounts stay far inside 64 bits.
pub const MAX_ORDER_FEN: i64 = 2_000_000_000;

impl Order {
    /// Why this order cannot be a real one (a damaged feed), or `None` when it is sound:
    /// a total that is not positive, negative amounts, a total that is not the subtotal less
    /// the discount, a refund beyond the total or without its date, absurd amounts.
    pub fn problem(&self) -> Option<String> {
        let amounts = [
            self.subtotal.0,
            self.discount.0,
            self.total.0,
            self.refund.0,
        ];
        if self.total.0 <= 0 {
            return Some(format!(
                "order {:?} has a total of {} fen",
                self.id, self.total.0
            ));
        }
        if amounts.iter().any(|&a| !(0..=MAX_ORDER_FEN).contains(&a)) {
            return Some(format!(
                "order {:?} has an amount outside 0..={MAX_ORDER_FEN} fen",
                self.id
            ));
        }
        if self.subtotal.0 - self.discount.0 != self.total.0 {
            return Some(format!(
                "order {:?}: subtotal {} less discount {} is not the total {}",
                self.id, self.subtotal.0, self.discount.0, self.total.0
            ));
        }
        if self.refund.0 > self.total.0 {
            return Some(format!("order {:?} refunds more than its total", self.id));
        }
        if self.refund.0 > 0 && self.refunded_ms.is_none() {
            return Some(format!(
                "order {:?} has a refund without a refund time",
                self.id
            ));
        }
        let bad_line = self.lines.iter().any(|l| {
            !(1..=1_000_000).contains(&l.quantity) || !(0..=MAX_ORDER_FEN).contains(&l.total.0)
        });
        if bad_line {
            return Some(format!(
                "order {:?} has a line with an impossible quantity or total",
                self.id
            ));
        }
        None
    }
}
