//! The demo order history: a year of orders, streamed in `created_ms` order.
//!
//! The year is cut into hourly slots of shop time (Asia/Shanghai). Each slot gets a weight
//! (growth over the year, weekday, festival, hour of day, noise) and its share of the N orders
//! by cumulative rounding, so the total is exactly N. Inside a slot the k-th of c orders lies
//! in the k-th c-th of the slot, so times come out sorted without buffering. Every order's own
//! values come from a generator seeded by its index: memory does not grow with N.

use sellerkit_core::domain::{Channel, LineItem, Order, OrderStatus, Product, ProductStatus};
use sellerkit_core::money::Fen;
use sellerkit_core::time::ShopZone;

use super::rng::{Rng, Stream};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;
/// The history covers the 365 days before "now".
pub(crate) const YEAR_MS: i64 = 365 * DAY_MS;
/// Shanghai's offset, used only if the zone database cannot place "now" (absurd clocks).
const FALLBACK_OFFSET_MS: i64 = 8 * HOUR_MS;

/// Relative order volume by hour of shop time: quiet nights, a lunch and an evening peak.
const HOUR_WEIGHT: [u64; 24] = [
    4, 2, 1, 1, 1, 1, 2, 4, 6, 8, 9, 11, 13, 11, 9, 9, 9, 9, 10, 13, 16, 17, 14, 8,
];

/// Mobile share of orders at the start of the year, and its growth over the year (bps).
const MOBILE_START_BPS: i64 = 500;
const MOBILE_GROWTH_BPS: i64 = 2_300;

/// Buyers: a pool of customers, a loyal core of which buys again and again.
const CUSTOMERS: u64 = 3_000;
const LOYAL_CUSTOMERS: u64 = 300;
const LOYAL_BPS: u32 = 3_500;

const CANCEL_BPS: u32 = 150;
const REFUND_BPS: u32 = 420;
const COUPON_BPS: u32 = 1_000;

/// Highest unit price taken from a product: keeps every line and order total far from overflow.
const MAX_UNIT_PRICE: i64 = 1_000_000_000;

/// Coupon books used on orders: (code, minimum spend, fixed discount, percent off in bps, cap).
const COUPON_BOOKS: [(&str, i64, i64, i64, i64); 4] = [
    ("m100j10", 10_000, 1_000, 0, 0),
    ("m200j30", 20_000, 3_000, 0, 0),
    ("z9", 0, 0, 1_000, 5_000),
    ("w5", 0, 500, 0, 0),
];

/// One local calendar day of the shop.
struct Day {
    start: i64,
    end: i64,
    month: i8,
    day: i8,
    /// 0 = Monday.
    weekday: u8,
}

/// A stretch of time holding `count` orders.
#[derive(Clone, Copy, Debug)]
struct Slot {
    start: i64,
    len: i64,
    count: u64,
    mobile_bonus_bps: i16,
}

/// The shop days overlapping `[from, to)`.
fn days(zone: &ShopZone, from: i64, to: i64) -> Vec<Day> {
    let mut out = Vec::with_capacity(367);
    let Ok(mut date) = zone.business_day(from) else {
        return fallback_days(from, to);
    };
    loop {
        let Ok((start, end)) = zone.day_bounds_ms(date) else {
            return fallback_days(from, to);
        };
        out.push(Day {
            start,
            end,
            month: date.month(),
            day: date.day(),
            weekday: date.weekday().to_monday_zero_offset() as u8,
        });
        if end >= to {
            return out;
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => return out,
        }
    }
}

/// Days on a fixed +08:00 grid, without calendar dates (so without festivals).
fn fallback_days(from: i64, to: i64) -> Vec<Day> {
    let mut out = Vec::with_capacity(367);
    let first = from.saturating_add(FALLBACK_OFFSET_MS).div_euclid(DAY_MS);
    let mut k = first;
    loop {
        let start = k.saturating_mul(DAY_MS).saturating_sub(FALLBACK_OFFSET_MS);
        let end = start.saturating_add(DAY_MS);
        out.push(Day {
            start,
            end,
            month: 0,
            day: 0,
            // 1970-01-01 was a Thursday.
            weekday: (k + 3).rem_euclid(7) as u8,
        });
        if end >= to || out.len() > 400 {
            return out;
        }
        k += 1;
    }
}

/// Order volume of a day relative to an ordinary weekday (per mille).
fn festival_factor(month: i8, day: i8) -> u64 {
    match (month, day) {
        (11, 11) => 9_000,
        (11, 10) => 2_200,
        (11, 12) => 1_800,
        (11, 1..=9) => 1_300,
        (6, 18) => 4_000,
        (6, 17) | (6, 19) => 1_500,
        (6, 1..=16) => 1_150,
        (12, 12) => 2_000,
        _ => 1_000,
    }
}

fn is_festival(month: i8, day: i8) -> bool {
    matches!((month, day), (11, 10..=12) | (6, 18) | (12, 12))
}

/// Cuts `[from, to)` into hourly slots and shares `n` orders among them.
fn plan(seed: u64, n: u64, from: i64, to: i64) -> Vec<Slot> {
    let zone = ShopZone::default();
    let span = (to - from).max(1);
    let mut slots = Vec::with_capacity(366 * 24);
    let mut weights = Vec::with_capacity(366 * 24);
    for (d, day) in days(&zone, from, to).iter().enumerate() {
        let mut rng = Rng::derive(seed, Stream::Plan, d as u64);
        let elapsed = (day.start.max(from) - from).clamp(0, span);
        let growth = 1_000 + (1_200 * i128::from(elapsed) / i128::from(span)) as u64;
        let weekday = match day.weekday {
            5 | 6 => 1_300,
            4 => 1_080,
            _ => 1_000,
        };
        let festival = festival_factor(day.month, day.day);
        let noise = rng.range(850, 1_150) as u64;
        let day_weight = growth * weekday / 1_000 * festival / 1_000 * noise / 1_000;
        let big_sale = matches!((day.month, day.day), (11, 11) | (6, 18));
        for (hour, &base) in HOUR_WEIGHT.iter().enumerate() {
            let hour_start = day.start.saturating_add(hour as i64 * HOUR_MS);
            let hour_end = if hour == 23 {
                day.end
            } else {
                hour_start.saturating_add(HOUR_MS).min(day.end)
            };
            let (start, end) = (hour_start.max(from), hour_end.min(to));
            if start >= end {
                continue;
            }
            // The midnight rush when a big sale opens.
            let hour_weight = match (big_sale, hour) {
                (true, 0) => base * 10,
                (true, 1) => base * 4,
                _ => base,
            };
            let noise = rng.range(800, 1_200) as u64;
            let len = (end - start) as u64;
            let w = day_weight * hour_weight * noise;
            weights.push((u128::from(w) * u128::from(len) / HOUR_MS as u128) as u64);
            let mut bonus: i16 = 0;
            if is_festival(day.month, day.day) {
                bonus += 400;
            }
            if hour >= 20 || hour == 0 {
                bonus += 300;
            } else if (9..=17).contains(&hour) && day.weekday < 5 {
                bonus -= 250;
            }
            slots.push(Slot {
                start,
                len: end - start,
                count: 0,
                mobile_bonus_bps: bonus,
            });
        }
    }
    let total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if total == 0 {
        // Nothing to weigh by (a window shorter than a millisecond): one even slot.
        return vec![Slot {
            start: from,
            len: span,
            count: n,
            mobile_bonus_bps: 0,
        }];
    }
    let mut cum: u128 = 0;
    let mut given: u64 = 0;
    for (slot, w) in slots.iter_mut().zip(&weights) {
        cum += u128::from(*w);
        let upto = (u128::from(n) * cum / total) as u64;
        slot.count = upto - given;
        given = upto;
    }
    slots
}

/// A product that can be bought.
struct Item {
    id: Option<String>,
    title: String,
    price: i64,
}

/// Chooses products by popularity (a few bestsellers, a long tail).
struct Picker {
    items: Vec<Item>,
    cum: Vec<u64>,
}

impl Picker {
    fn new(seed: u64, products: &[Product]) -> Picker {
        let sellable: Vec<&Product> = products
            .iter()
            .filter(|p| {
                p.status != ProductStatus::Draft && (0..=MAX_UNIT_PRICE).contains(&p.price.0)
            })
            .collect();
        let mut items = Vec::with_capacity(sellable.len().max(1));
        let mut cum = Vec::with_capacity(sellable.len().max(1));
        let mut total = 0u64;
        let n = sellable.len() as u64;
        for (i, p) in sellable.iter().enumerate() {
            let rank = Rng::derive(seed, Stream::Popularity, i as u64).below(n);
            let mut weight = 100_000 / (rank + 3) + 200;
            if p.status == ProductStatus::Archived {
                weight /= 3;
            }
            total += weight;
            cum.push(total);
            items.push(Item {
                id: Some(p.id.clone()),
                title: p.title.clone(),
                price: p.price.0,
            });
        }
        if items.is_empty() {
            // No product to sell: a product-less line, as an order for a deleted listing.
            items.push(Item {
                id: None,
                title: "西湖龙井 明前特级 250g礼罐".to_owned(),
                price: 26_800,
            });
            cum.push(1);
        }
        Picker { items, cum }
    }

    fn pick(&self, rng: &mut Rng) -> usize {
        let total = self.cum.last().copied().unwrap_or(1);
        let r = rng.below(total);
        self.cum
            .partition_point(|&c| c <= r)
            .min(self.items.len() - 1)
    }
}

/// How order (and coupon) ids are spelled.
#[derive(Clone, Copy, Debug)]
enum Ids {
    /// `o_0000000042`: the history.
    Demo,
    /// `ox_<seed hex>_000042`: extra orders of one seed.
    Extra(u64),
}

impl Ids {
    fn order(self, index: u64) -> String {
        match self {
            Ids::Demo => format!("o_{index:010}"),
            Ids::Extra(seed) => format!("ox_{seed:016x}_{index:06}"),
        }
    }

    fn coupon(self, book: &str, index: u64) -> String {
        match self {
            Ids::Demo => format!("cpn_{book}_{index:010}"),
            Ids::Extra(seed) => format!("cpn_{book}_x{seed:016x}_{index:06}"),
        }
    }

    fn stream(self) -> Stream {
        match self {
            Ids::Demo => Stream::Order,
            Ids::Extra(_) => Stream::Extra,
        }
    }
}

/// The streaming generator behind `demo_orders` and `extra_orders`.
pub(crate) struct Orders {
    slots: Vec<Slot>,
    slot: usize,
    in_slot: u64,
    index: u64,
    remaining: u64,
    ids: Ids,
    seed: u64,
    now: i64,
    year_start: i64,
    picker: Picker,
}

impl Orders {
    /// `n` orders over the 365 days before `now`.
    pub(crate) fn history(n: u64, seed: u64, now: i64, products: &[Product]) -> Orders {
        let from = now.saturating_sub(YEAR_MS);
        Orders {
            slots: plan(seed, n, from, now),
            slot: 0,
            in_slot: 0,
            index: 0,
            remaining: n,
            ids: Ids::Demo,
            seed,
            now,
            year_start: from,
            picker: Picker::new(seed, products),
        }
    }

    /// `n` orders placed in the last minutes (up to 3 hours for many) before `now`.
    pub(crate) fn recent(n: u64, seed: u64, now: i64, products: &[Product]) -> Orders {
        let width = (n.min(1 << 20) as i64 * 90_000).clamp(MINUTE_MS, 3 * HOUR_MS);
        Orders {
            slots: vec![Slot {
                start: now.saturating_sub(width),
                len: width,
                count: n,
                mobile_bonus_bps: 0,
            }],
            slot: 0,
            in_slot: 0,
            index: 0,
            remaining: n,
            ids: Ids::Extra(seed),
            seed,
            now,
            year_start: now.saturating_sub(YEAR_MS),
            picker: Picker::new(seed, products),
        }
    }

    fn make(&self, rng: &mut Rng, created: i64, mobile_bonus: i16) -> Order {
        let now = self.now;
        let index = self.index;

        let elapsed = created.saturating_sub(self.year_start).clamp(0, YEAR_MS);
        let mobile_bps =
            (MOBILE_START_BPS + MOBILE_GROWTH_BPS * elapsed / YEAR_MS + i64::from(mobile_bonus))
                .clamp(100, 9_000);
        let channel = if rng.chance_bps(mobile_bps as u32) {
            Channel::Mobile
        } else {
            Channel::Pc
        };

        let customer = if rng.chance_bps(LOYAL_BPS) {
            rng.below(LOYAL_CUSTOMERS)
        } else {
            rng.below(CUSTOMERS)
        } + 1;

        let line_count = match rng.below(100) {
            0..65 => 1,
            65..90 => 2,
            _ => 3,
        };
        let mut chosen = [usize::MAX; 3];
        let mut lines = Vec::with_capacity(line_count);
        let mut subtotal = 0i64;
        for k in 0..line_count {
            // A few tries for distinct products; a repeat simply merges into fewer lines.
            let mut p = self.picker.pick(rng);
            for _ in 0..3 {
                if !chosen[..k].contains(&p) {
                    break;
                }
                p = self.picker.pick(rng);
            }
            if chosen[..k].contains(&p) {
                continue;
            }
            chosen[k] = p;
            let item = &self.picker.items[p];
            let quantity = match rng.below(100) {
                0..72 => 1,
                72..92 => 2,
                _ => 3,
            };
            let total = item.price * quantity;
            subtotal += total;
            lines.push(LineItem {
                product_id: item.id.clone(),
                title: item.title.clone(),
                quantity,
                unit_price: Fen(item.price),
                total: Fen(total),
            });
        }

        let mut discount = 0i64;
        let mut coupon_id = None;
        if rng.chance_bps(COUPON_BPS) {
            let mut book = COUPON_BOOKS[rng.below(COUPON_BOOKS.len() as u64) as usize];
            if subtotal < book.1 {
                book = COUPON_BOOKS[3];
            }
            let (code, _, fixed, pct_bps, cap) = book;
            let off = if pct_bps > 0 {
                (subtotal * pct_bps / 10_000).min(cap)
            } else {
                fixed
            };
            discount = off.clamp(0, subtotal);
            if discount > 0 {
                coupon_id = Some(self.ids.coupon(code, index));
            }
        }
        let total = subtotal - discount;

        let (status, paid_ms, refunded_ms) = if rng.chance_bps(CANCEL_BPS) {
            (OrderStatus::Cancelled, None, None)
        } else {
            let pay_delay = match rng.below(100) {
                0..80 => rng.range(5_000, 3 * MINUTE_MS),
                80..95 => rng.range(3 * MINUTE_MS, HOUR_MS),
                _ => rng.range(HOUR_MS, 12 * HOUR_MS),
            };
            let refund_delay = rng.range(HOUR_MS, 10 * DAY_MS);
            let ship_delay = rng.range(4 * HOUR_MS, 48 * HOUR_MS);
            let refund = rng.chance_bps(REFUND_BPS);
            let paid = created.saturating_add(pay_delay);
            if paid > now {
                (OrderStatus::Pending, None, None)
            } else if refund && paid.saturating_add(refund_delay) <= now {
                (
                    OrderStatus::Refunded,
                    Some(paid),
                    Some(paid.saturating_add(refund_delay)),
                )
            } else if now.saturating_sub(created) >= 3 * DAY_MS {
                (OrderStatus::Completed, Some(paid), None)
            } else if paid.saturating_add(ship_delay) <= now {
                (OrderStatus::Shipped, Some(paid), None)
            } else {
                (OrderStatus::Paid, Some(paid), None)
            }
        };
        let refund = if status == OrderStatus::Refunded {
            total
        } else {
            0
        };
        let updated_ms = created
            .max(paid_ms.unwrap_or(created))
            .max(refunded_ms.unwrap_or(created));

        Order {
            id: self.ids.order(index),
            channel,
            status,
            customer_id: format!("cu_{customer:05}"),
            created_ms: created,
            paid_ms,
            refunded_ms,
            subtotal: Fen(subtotal),
            discount: Fen(discount),
            total: Fen(total),
            refund: Fen(refund),
            coupon_id,
            lines,
            updated_ms,
        }
    }
}

impl Iterator for Orders {
    type Item = Order;

    fn next(&mut self) -> Option<Order> {
        let slot = loop {
            let slot = *self.slots.get(self.slot)?;
            if self.in_slot < slot.count {
                break slot;
            }
            self.slot += 1;
            self.in_slot = 0;
        };
        let mut rng = Rng::derive(self.seed, self.ids.stream(), self.index);
        // The k-th of c orders lies in the k-th c-th of the slot: sorted by construction.
        let (k, c, len) = (
            u128::from(self.in_slot),
            u128::from(slot.count),
            slot.len as u128,
        );
        let lo = (len * k / c) as i64;
        let hi = (len * (k + 1) / c) as i64;
        let created = slot.start + lo + rng.below((hi - lo).max(0) as u64) as i64;
        let order = self.make(&mut rng, created, slot.mobile_bonus_bps);
        self.in_slot += 1;
        self.index += 1;
        self.remaining -= 1;
        Some(order)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.remaining).unwrap_or(usize::MAX);
        (n, usize::try_from(self.remaining).ok())
    }
}
