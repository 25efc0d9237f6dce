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
