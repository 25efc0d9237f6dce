//! Tests of the demo shop generator.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use sellerkit_core::domain::{Channel, ImageRole, Order, OrderStatus, Product, ProductStatus};
use sellerkit_core::time::ShopZone;
use sha2::{Digest, Sha256};

use super::*;

/// 2026-06-09T09:33:20Z: a "now" whose year holds both 11.11 and 6.18.
const NOW: i64 = 1_781_000_000_000;
const DAY: i64 = 86_400_000;
const YEAR: i64 = 365 * DAY;

fn cfg(orders: u64, rng_seed: u64) -> SeedConfig {
    SeedConfig {
        orders,
        rng_seed,
        now_ms: NOW,
    }
}

fn catalog() -> &'static DemoCatalog {
    static CATALOG: OnceLock<DemoCatalog> = OnceLock::new();
    CATALOG.get_or_init(|| demo_catalog(&SeedConfig::demo(NOW)))
}

/// 50,000 orders of the default shop, generated once for the tests that read them.
fn history() -> &'static [Order] {
    static HISTORY: OnceLock<Vec<Order>> = OnceLock::new();
    HISTORY.get_or_init(|| demo_orders(&cfg(50_000, 42), &catalog().products).collect())
}

const FORBIDDEN: &[&str] = &["最", "第一", "国家级", "顶级", "极品", "唯一"];

fn breaks_rules(title: &str) -> (bool, bool) {
    let long = title.chars().count() > 60 || title.len() > 120;
    let superlative = FORBIDDEN.iter().any(|w| title.contains(w));
    (long, superlative)
}

/// Every rule an order must satisfy to be stored on the phone; `products` by id.
fn check_order(o: &Order, now: i64, products: &HashMap<&str, &Product>) {
    let id = &o.id;
    assert!(
        (1..=3).contains(&o.lines.len()),
        "{id}: {} lines",
        o.lines.len()
    );
    let mut sum = 0;
    let mut seen = HashSet::new();
    for line in &o.lines {
        assert!((1..=3).contains(&line.quantity), "{id}: quantity");
        assert!(line.unit_price.0 >= 0, "{id}: unit price");
        assert_eq!(line.total.0, line.unit_price.0 * line.quantity, "{id}");
        sum += line.total.0;
        let pid = line
            .product_id
            .as_deref()
            .expect("demo lines name a product");
        assert!(seen.insert(pid), "{id}: {pid} twice");
        let p = products[pid];
        assert_ne!(p.status, ProductStatus::Draft, "{id}: draft sold");
        assert_eq!(
            (line.title.as_str(), line.unit_price),
            (p.title.as_str(), p.price)
        );
    }
    assert_eq!(o.subtotal.0, sum, "{id}: subtotal");
    assert!(
        o.discount.0 >= 0 && o.discount.0 <= o.subtotal.0,
        "{id}: discount"
    );
    assert_eq!(o.total.0, o.subtotal.0 - o.discount.0, "{id}: total");
    assert_eq!(o.coupon_id.is_some(), o.discount.0 > 0, "{id}: coupon");
    if let Some(c) = &o.coupon_id {
        assert!(c.starts_with("cpn_"), "{id}: {c}");
    }
    assert!(o.customer_id.starts_with("cu_") && o.customer_id.len() == 8);

    assert!(
        o.created_ms < now && o.created_ms >= now - YEAR,
        "{id}: created"
    );
    let age = now - o.created_ms;
    match o.status {
        OrderStatus::Cancelled | OrderStatus::Pending => {
            assert_eq!((o.paid_ms, o.refunded_ms), (None, None), "{id}");
        }
        OrderStatus::Refunded => {
            let (paid, refunded) = (o.paid_ms.unwrap(), o.refunded_ms.unwrap());
            assert!(
                o.created_ms <= paid && paid <= refunded && refunded <= now,
                "{id}"
            );
        }
        OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Completed => {
            let paid = o.paid_ms.expect("paid orders have paid_ms");
            assert!(o.created_ms <= paid && paid <= now, "{id}");
            assert_eq!(o.refunded_ms, None, "{id}");
            assert_eq!(
                o.status == OrderStatus::Completed,
                age >= 3 * DAY,
                "{id}: recent orders are paid or shipped, older ones completed"
            );
        }
    }
    if o.status == OrderStatus::Pending {
        assert!(age < 12 * 3_600_000, "{id}: pending for days");
    }
    let expected_refund = if o.status == OrderStatus::Refunded {
        o.total.0
    } else {
        0
    };
    assert_eq!(o.refund.0, expected_refund, "{id}: refund");
    let latest = o
        .created_ms
        .max(o.paid_ms.unwrap_or(i64::MIN))
        .max(o.refunded_ms.unwrap_or(i64::MIN));
    assert_eq!(o.updated_ms, latest, "{id}: updated_ms");
}

fn by_id(products: &[Product]) -> HashMap<&str, &Product> {
    products.iter().map(|p| (p.id.as_str(), p)).collect()
}

#[test]
fn catalog_is_deterministic() {
    let again = demo_catalog(&SeedConfig::demo(NOW));
    assert!(again == *catalog(), "same config, different catalog");
    // Another seed gives another shop (checked on the listings: drawing is the slow part).
    let (a, _) = catalog::products(&cfg(0, 42));
    let (b, _) = catalog::products(&cfg(0, 43));
    assert_eq!(a, catalog().products);
    assert_ne!(a, b);
    assert_eq!(
        a.iter().map(|p| &p.id).collect::<Vec<_>>(),
        b.iter().map(|p| &p.id).collect::<Vec<_>>()
    );
}

#[test]
fn orders_are_deterministic() {
    let products = &catalog().products;
    let first: Vec<Order> = history().iter().take(1_000).cloned().collect();
    let again: Vec<Order> = demo_orders(&cfg(50_000, 42), products)
        .take(1_000)
        .collect();
    assert_eq!(first, again);
    let other: Vec<Order> = demo_orders(&cfg(50_000, 43), products)
        .take(1_000)
        .collect();
    assert_ne!(first, other);
    // Ids are the index: stable whatever the seed.
    assert_eq!(other[999].id, "o_0000000999");
}

#[test]
fn shop_profile_and_listings() {
    let c = catalog();
    let p = &c.profile;
    assert_eq!(p.shop_id, "shop_demo");
    assert_eq!(p.name, "小王的茶叶店");
    assert_eq!(p.time_zone, "Asia/Shanghai");
    assert_eq!(p.tier, sellerkit_core::domain::Tier::Standard);
    assert_eq!(p.version, 1);
    assert!(!p.description.is_empty() && p.updated_ms <= NOW);
    assert_eq!(p.logo_image_id.as_deref(), Some(LOGO_IMAGE_ID));
    assert_eq!(p.banner_image_id.as_deref(), Some(BANNER_IMAGE_ID));

    assert_eq!(c.products.len(), PRODUCT_COUNT as usize);
    let mut categories = BTreeMap::new();
    let mut statuses = BTreeMap::new();
    let (mut long, mut superlative, mut ids) = (0, 0, HashSet::new());
    for (i, product) in c.products.iter().enumerate() {
        assert_eq!(product.id, format!("p_{:04}", i + 1));
        assert!(ids.insert(product.title.clone()), "{} twice", product.title);
        assert!(
            product.price.0 > 0 && product.price.0 < 200_000,
            "{product:?}"
        );
        assert!(product.stock >= 0 && product.version >= 1);
        assert!(product.updated_ms < NOW && product.updated_ms > NOW - YEAR);
        assert!(!product.description.is_empty());
        *categories.entry(product.category.as_str()).or_insert(0) += 1;
        *statuses.entry(product.status.as_str()).or_insert(0) += 1;
        let (l, s) = breaks_rules(&product.title);
        if l {
            assert!(product.title.chars().count() > 60 && product.title.len() > 120);
        }
        long += usize::from(l);
        superlative += usize::from(s);
    }
    assert_eq!(
        categories.keys().copied().collect::<Vec<_>>(),
        ["gifts", "snacks", "tea", "teaware"]
    );
    assert!(categories["tea"] > 60, "{categories:?}");
    assert!(statuses["active"] > 180, "{statuses:?}");
    assert!(
        statuses["draft"] >= 3 && statuses["archived"] >= 3,
        "{statuses:?}"
    );
    // A handful of titles for the lint to find, the rest within the rules.
    assert!((5..=12).contains(&long), "{long} long titles");
    assert!(
        (5..=12).contains(&superlative),
        "{superlative} superlative titles"
    );
}

#[test]
fn images_are_real_and_some_are_unfit() {
    let c = catalog();
    assert_eq!(c.images.len(), c.products.len() + 2);
    let (mut small, mut not_square, mut huge, mut fit) = (0, 0, 0, 0);
    let mut mimes = BTreeMap::new();
    let mut total = 0;
    for (meta, bytes) in &c.images {
        let decoded = image::load_from_memory(bytes).expect("decodes");
        let (w, h) = (i64::from(decoded.width()), i64::from(decoded.height()));
        assert_eq!((meta.width, meta.height), (Some(w), Some(h)), "{}", meta.id);
        assert_eq!(meta.byte_len, Some(bytes.len() as i64));
        assert_eq!(
            meta.sha256.as_deref(),
            Some(hex::encode(Sha256::digest(bytes)).as_str())
        );
        let format = image::guess_format(bytes).expect("known format");
        let mime = meta.mime.as_deref().unwrap_or_default();
        assert_eq!(format.to_mime_type(), mime, "{}", meta.id);
        *mimes.entry(mime).or_insert(0) += 1;
        assert_eq!((meta.local_path.as_deref(), meta.position), (None, 0));
        assert!(meta.updated_ms <= NOW);
        total += bytes.len();
        match meta.role {
            ImageRole::Logo => {
                assert_eq!(meta.id, LOGO_IMAGE_ID);
                assert_eq!(w, h);
            }
            ImageRole::Banner => {
                assert_eq!(meta.id, BANNER_IMAGE_ID);
                assert!(w >= 2 * h);
            }
            ImageRole::Product => {
                let pid = meta.product_id.as_deref().expect("product image");
                assert_eq!(meta.id, product_image_id(pid));
                assert_eq!(meta.id, format!("img_{pid}"));
                if w < 800 || h < 800 {
                    small += usize::from(w == h);
                }
                not_square += usize::from(w != h);
                huge += usize::from(bytes.len() > 1 << 20);
                fit += usize::from(w == h && w >= 800 && bytes.len() < 500_000);
            }
        }
    }
    assert!((15..=25).contains(&small), "{small} too small");
    assert!((15..=25).contains(&not_square), "{not_square} not square");
    assert!((2..=4).contains(&huge), "{huge} huge");
    assert!(fit >= 150, "only {fit} fit pictures");
    assert!(
        mimes["image/png"] > 150 && mimes["image/jpeg"] >= 5,
        "{mimes:?}"
    );
    assert!(total < 4_000_000, "{total} bytes of pictures");
}

#[test]
fn order_invariants_hold() {
    let products = by_id(&catalog().products);
    let orders = history();
    assert_eq!(orders.len(), 50_000);
    let mut previous = i64::MIN;
    for (i, o) in orders.iter().enumerate() {
        assert_eq!(o.id, format!("o_{i:010}"));
        assert!(o.created_ms >= previous, "{}: out of order", o.id);
        previous = o.created_ms;
        check_order(o, NOW, &products);
    }
    let count = |s: OrderStatus| orders.iter().filter(|o| o.status == s).count();
    let refunded = count(OrderStatus::Refunded) * 1_000 / orders.len();
    assert!((30..=50).contains(&refunded), "refunded {refunded}‰");
    let cancelled = count(OrderStatus::Cancelled) * 1_000 / orders.len();
    assert!((5..=30).contains(&cancelled), "cancelled {cancelled}‰");
    assert!(count(OrderStatus::Paid) + count(OrderStatus::Shipped) > 0);
    let coupons = orders.iter().filter(|o| o.coupon_id.is_some()).count() * 1_000 / orders.len();
    assert!((80..=120).contains(&coupons), "coupons {coupons}‰");
    // Repeat buyers from a pool of a few thousand.
    let customers: HashSet<&str> = orders.iter().map(|o| o.customer_id.as_str()).collect();
    assert!(
        (1_000..=3_000).contains(&customers.len()),
        "{}",
        customers.len()
    );
    // The oldest orders are close to a year old, the newest close to now.
    assert!(orders[0].created_ms < NOW - YEAR + DAY);
    assert!(orders[orders.len() - 1].created_ms > NOW - DAY);
}

#[test]
fn rhythm_and_mobile_share() {
    let zone = ShopZone::default();
    let orders = history();
    let mut months: BTreeMap<(i16, i8), (u32, u32)> = BTreeMap::new();
    let mut days: BTreeMap<(i8, i8), u32> = BTreeMap::new();
    let mut hours = [0u32; 24];
    let mut weekdays = [0u32; 7];
    for o in orders {
        let day = zone.business_day(o.created_ms).unwrap();
        let m = months.entry((day.year(), day.month())).or_default();
        m.0 += 1;
        m.1 += u32::from(o.channel == Channel::Mobile);
        *days.entry((day.month(), day.day())).or_default() += 1;
        hours[usize::from(zone.hour_of_day(o.created_ms).unwrap())] += 1;
        weekdays[day.weekday().to_monday_zero_offset() as usize] += 1;
    }
    // Full months only: the first and last are partial.
    let full: Vec<_> = months.values().skip(1).take(months.len() - 2).collect();
    let share = |m: &(u32, u32)| m.1 * 1_000 / m.0;
    let (oldest, newest) = (share(full[0]), share(full[full.len() - 1]));
    assert!(oldest < 110, "oldest month mobile {oldest}‰");
    assert!(
        (210..=350).contains(&newest),
        "newest month mobile {newest}‰"
    );
    assert!(newest > oldest + 120, "{oldest}‰ -> {newest}‰");
    // Growing volume.
    assert!(full[full.len() - 1].0 > full[0].0 * 3 / 2);

    let mut per_day: Vec<u32> = days.values().copied().collect();
    per_day.sort_unstable();
    let median = per_day[per_day.len() / 2];
    assert!(
        days[&(11, 11)] > 6 * median,
        "11.11: {} vs {median}",
        days[&(11, 11)]
    );
    assert!(
        days[&(6, 18)] > 2 * median,
        "6.18: {} vs {median}",
        days[&(6, 18)]
    );
    assert!(days[&(11, 11)] > days[&(6, 18)]);
    let weekday_avg = weekdays[..5].iter().sum::<u32>() / 5;
    assert!(
        weekdays[5] > weekday_avg && weekdays[6] > weekday_avg,
        "{weekdays:?}"
    );
    assert!(
        hours[21] > 5 * hours[4] && hours[12] > 3 * hours[4],
        "{hours:?}"
    );
    assert!(hours[21] > hours[15], "{hours:?}");
}

#[test]
fn extra_orders_are_recent_with_their_own_ids() {
    let c = catalog();
    let products = by_id(&c.products);
    let a: Vec<Order> = extra_orders(50, 7, NOW, &c.products).collect();
    let b: Vec<Order> = extra_orders(50, 8, NOW, &c.products).collect();
    assert_eq!(a.len(), 50);
    assert_eq!(a, extra_orders(50, 7, NOW, &c.products).collect::<Vec<_>>());
    let demo_ids: HashSet<&str> = history().iter().map(|o| o.id.as_str()).collect();
    let mut ids = HashSet::new();
    for o in a.iter().chain(&b) {
        assert!(ids.insert(o.id.as_str()), "{} twice", o.id);
        assert!(!demo_ids.contains(o.id.as_str()));
        assert!(!o.id.starts_with("o_"));
        check_order(o, NOW, &products);
        assert!(NOW - o.created_ms <= 3 * 3_600_000, "{}: not recent", o.id);
        assert!(matches!(
            o.status,
            OrderStatus::Pending | OrderStatus::Paid | OrderStatus::Cancelled
        ));
    }
    assert!(a.windows(2).all(|w| w[0].created_ms <= w[1].created_ms));
    // Coupon ids differ between seeds too.
    let coupons: Vec<_> = a
        .iter()
        .chain(&b)
        .filter_map(|o| o.coupon_id.as_deref())
        .collect();
    assert_eq!(coupons.len(), coupons.iter().collect::<HashSet<_>>().len());
}

/// Cheap: small and odd inputs, the iterator's contract.
#[test]
fn small_inputs_and_iterator_contract() {
    fn owned_and_send<T: Iterator<Item = Order> + Send + 'static>(it: T) -> T {
        it
    }
    let (products, _) = catalog::products(&cfg(0, 1));
    let config = cfg(7, 1);
    let it = owned_and_send(demo_orders(&config, &products));
    drop(products);
    assert_eq!(it.size_hint(), (7, Some(7)));
    let orders: Vec<Order> = it.collect();
    assert_eq!(orders.len(), 7);

    assert_eq!(demo_orders(&cfg(0, 1), &[]).count(), 0);
    assert_eq!(extra_orders(0, 1, NOW, &[]).count(), 0);
    // Without products, orders still have a valid (product-less) line.
    for o in demo_orders(&cfg(20, 1), &[]).chain(extra_orders(5, 1, NOW, &[])) {
        assert_eq!(o.lines.len(), 1);
        assert_eq!(o.lines[0].product_id, None);
        assert_eq!(o.subtotal, o.lines[0].total);
    }
    // Only drafts: nothing sellable, the same fallback.
    let drafts: Vec<Product> = catalog().products[..3]
        .iter()
        .map(|p| Product {
            status: ProductStatus::Draft,
            ..p.clone()
        })
        .collect();
    assert!(demo_orders(&cfg(5, 1), &drafts).all(|o| o.lines[0].product_id.is_none()));
    // The epoch and a far future work too.
    for now in [0, 4_102_444_800_000] {
        let c = SeedConfig {
            orders: 100,
            rng_seed: 3,
            now_ms: now,
        };
        let orders: Vec<Order> = demo_orders(&c, &catalog().products).collect();
        assert_eq!(orders.len(), 100);
        let products = by_id(&catalog().products);
        for o in &orders {
            check_order(o, now, &products);
        }
    }
}
