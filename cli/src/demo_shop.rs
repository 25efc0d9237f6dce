//! A small, deterministic demo shop written straight into a local database.
//!
//! This stands in until the dev server can seed a shop and the demo syncs it; the data is
//! shaped like a real tea shop's: a daily and hourly rhythm, a growing mobile share, refunds.

use sellerkit_core::domain::{
    Channel, ImageRole, LineItem, Order, OrderStatus, Product, ProductImage, ProductStatus,
    ShopProfile, Tier,
};
use sellerkit_core::money::Fen;
use sellerkit_core::store::{Store, StoreError};
use sellerkit_core::time::{DEFAULT_TIME_ZONE, ShopZone};

/// What [`seed`] made.
pub struct Seeded {
    pub shop_name: String,
    pub products: usize,
    pub orders: usize,
    pub days: i64,
}

const DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// splitmix64: tiny, deterministic, good enough for demo data (not for anything secret).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `per_mille`/1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

const CATALOGUE: &[(&str, &str, i64)] = &[
    ("明前西湖龙井 250g", "tea", 12_800),
    ("安溪铁观音 清香型 500g", "tea", 9_600),
    ("武夷山大红袍 礼盒装", "tea", 25_800),
    ("云南普洱 熟茶饼 357g", "tea", 16_800),
    ("福鼎白茶 白牡丹", "tea", 8_800),
    ("正山小种 红茶 罐装", "tea", 6_800),
    ("茉莉花茶 浓香", "tea", 3_900),
    ("黄山毛峰 特级", "tea", 11_800),
    ("碧螺春 新茶", "tea", 13_800),
    ("六安瓜片 200g", "tea", 9_900),
    ("宜兴紫砂壶 西施壶", "teaware", 39_900),
    ("青瓷盖碗 三才碗", "teaware", 6_800),
    ("玻璃公道杯", "teaware", 2_900),
    ("竹制茶盘 大号", "teaware", 15_800),
    ("旅行茶具套装 便携", "teaware", 8_900),
    ("建盏 兔毫 主人杯", "teaware", 19_900),
    // Titles that break the marketplace's rules, for the storefront lint to find later.
    (
        "全网最好喝的龙井 第一品牌 国家级 特供 限量 礼盒 送长辈 送领导 高档 茶叶 罐装",
        "gifts",
        59_900,
    ),
    ("最低价 铁观音", "tea", 1_990),
    ("中秋茶礼 双罐装", "gifts", 22_800),
    ("新年福袋 茶叶组合", "gifts", 18_800),
    ("茶点 绿豆糕 12枚", "snacks", 2_600),
    ("桂花糕 礼盒", "snacks", 3_600),
    ("手工茶饼收纳盒", "teaware", 4_900),
    ("茶叶试饮装 8种口味", "tea", 1_900),
];

/// Orders per hour of the day (0..=23), relative weights: lunch and evening peaks.
const HOURLY_WEIGHT: [u64; 24] = [
    2, 1, 1, 0, 0, 0, 1, 2, 4, 6, 7, 8, 10, 9, 7, 7, 8, 9, 11, 14, 16, 15, 10, 5,
];

/// Writes the demo shop into `store`, with orders over the `DAYS` days before `now_ms`.
pub fn seed(store: &Store, now_ms: i64) -> Result<Seeded, StoreError> {
    let zone = ShopZone::default();
    let mut rng = Rng(0x5E11_E4C1);
    let shop = ShopProfile {
        shop_id: "demo-shop".into(),
        name: "小王的茶叶店".into(),
        description: "杭州老字号茶庄，产地直发".into(),
        logo_image_id: Some("demo-logo".into()),
        banner_image_id: Some("demo-banner".into()),
        time_zone: DEFAULT_TIME_ZONE.into(),
        tier: Tier::Standard,
        version: 1,
        updated_ms: now_ms,
    };
    let products: Vec<Product> = CATALOGUE
        .iter()
        .enumerate()
        .map(|(i, (title, category, price))| Product {
            id: format!("demo-p{:03}", i + 1),
            title: (*title).into(),
            description: String::new(),
            category: (*category).into(),
            price: Fen(*price),
            stock: 5 + (i as i64 * 7) % 40,
            status: ProductStatus::Active,
            version: 1,
            updated_ms: now_ms,
        })
        .collect();

    let total_weight: u64 = HOURLY_WEIGHT.iter().sum();
    let mut orders = Vec::new();
    let today = zone.business_day(now_ms).map_err(invalid)?;
    for days_ago in (1..=DAYS).rev() {
        let day = today
            .checked_sub(jiff_days(days_ago))
            .map_err(|e| invalid(e.to_string()))?;
        let day_start = zone.day_start_ms(day).map_err(invalid)?;
        // Weekends sell more; the mobile share grows from about 15% to 35% over the month.
        let weekend = matches!(day.weekday().to_monday_one_offset(), 6 | 7);
        let count = 6 + rng.below(6) + if weekend { 5 } else { 0 };
        let mobile_per_mille = 150 + (DAYS - days_ago) as u64 * 200 / DAYS as u64;
        for n in 0..count {
            let mut pick = rng.below(total_weight);
            let mut hour = 0;
            while pick >= HOURLY_WEIGHT[hour] {
                pick -= HOURLY_WEIGHT[hour];
                hour += 1;
            }
            let created_ms = day_start + hour as i64 * HOUR_MS + rng.below(HOUR_MS as u64) as i64;
            let product = &products[rng.below(products.len() as u64) as usize];
            let quantity = 1 + rng.below(3) as i64;
            let subtotal = Fen(product.price.0 * quantity);
            let discount = if rng.chance(120) {
                Fen(1_000)
            } else {
                Fen::ZERO
            };
            let refunded = rng.chance(40);
            orders.push(Order {
                id: format!("demo-o{}-{n:02}", day),
                channel: if rng.chance(mobile_per_mille) {
                    Channel::Mobile
                } else {
                    Channel::Pc
                },
                status: if refunded {
                    OrderStatus::Refunded
                } else if days_ago > 3 {
                    OrderStatus::Completed
                } else {
                    OrderStatus::Paid
                },
                customer_id: format!("demo-c{:03}", rng.below(120)),
                created_ms,
                paid_ms: Some(created_ms + 60_000),
                refunded_ms: refunded.then_some(created_ms + 2 * DAY_MS),
                subtotal,
                discount,
                total: Fen(subtotal.0 - discount.0),
                refund: if refunded {
                    Fen(subtotal.0 - discount.0)
                } else {
                    Fen::ZERO
                },
                coupon_id: None,
                lines: vec![LineItem {
                    product_id: Some(product.id.clone()),
                    title: product.title.clone(),
                    quantity,
                    unit_price: product.price,
                    total: subtotal,
                }],
                updated_ms: created_ms,
            });
        }
    }

    store.write(|db| {
        db.shop().put(&shop)?;
        for (id, role) in [
            ("demo-logo", ImageRole::Logo),
            ("demo-banner", ImageRole::Banner),
        ] {
            db.catalog().put_image(&image(id, None, role, now_ms))?;
        }
        for p in &products {
            db.catalog().put_product(p)?;
            let img = image(
                &format!("{}-main", p.id),
                Some(&p.id),
                ImageRole::Product,
                now_ms,
            );
            db.catalog().put_image(&img)?;
        }
        for o in &orders {
            db.orders().put(o)?;
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(Seeded {
        shop_name: shop.name,
        products: products.len(),
        orders: orders.len(),
        days: DAYS,
    })
}

fn image(id: &str, product_id: Option<&str>, role: ImageRole, now_ms: i64) -> ProductImage {
    let (width, height) = match role {
        ImageRole::Logo => (256, 256),
        ImageRole::Banner => (1080, 400),
        ImageRole::Product => (800, 800),
    };
    ProductImage {
        id: id.into(),
        product_id: product_id.map(str::to_owned),
        role,
        position: 0,
        width: Some(width),
        height: Some(height),
        byte_len: None,
        mime: Some("image/png".into()),
        sha256: None,
        local_path: None,
        updated_ms: now_ms,
    }
}

fn jiff_days(days: i64) -> jiff::Span {
    jiff::Span::new().days(days)
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::InvalidInput {
        what: "demo date",
        detail: e.to_string(),
    }
}
