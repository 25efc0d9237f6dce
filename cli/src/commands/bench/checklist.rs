//! `sellerkit bench checklist`: evaluating the whole checklist on a big shop (5,000 products,
//! 1,000,000 orders), against reading the same listings with no rule applied (the floor)
//! in the same run.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use sellerkit_core::checklist::Checklist;
use sellerkit_core::domain::{
    Channel, ImageRole, Order, OrderStatus, Product, ProductImage, ProductStatus, ShopProfile, Tier,
};
use sellerkit_core::money::Fen;
use sellerkit_core::store::{CHECKLIST_ORDER_QUERIES, Store, StoreError};

use crate::Context;

/// The goal for the median evaluation, in milliseconds.
const GOAL_MS: f64 = 10.0;

#[derive(Debug, serde::Serialize)]
struct ChecklistBench {
    products: u64,
    orders: u64,
    runs: usize,
    first_evaluate_ms: f64,
    evaluate_median_ms: f64,
    evaluate_p95_ms: f64,
    listing_read_median_ms: f64,
    evaluate_vs_listing_read: f64,
    goal_ms: f64,
    order_query_plans: Vec<String>,
    setup_seconds: f64,
}

pub fn run(
    ctx: &Context,
    dir: &Path,
    products: u64,
    orders: u64,
    runs: usize,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = dir.join("checklist-bench.db");
    if !ctx.out.json {
        eprintln!("bench: building a shop of {products} products and {orders} orders");
    }
    let store = Arc::new(Store::open(&db)?);
    fill(&store, products, orders, ctx.now_ms())?;
    let setup_seconds = started.elapsed().as_secs_f64();
    let checklist = Checklist::new(Arc::clone(&store), ctx.clock());

    // The first evaluation in the process: the lint runs on every text (nothing remembered).
    let t = Instant::now();
    checklist.view()?;
    let first_evaluate_ms = t.elapsed().as_secs_f64() * 1000.0;
    // Warm up both (page cache, prepared statements), then alternate so drift hits both.
    for _ in 0..5 {
        checklist.view()?;
        read_listings(&store)?;
    }
    let (mut eval, mut floor) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    let mut done = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let view = checklist.view()?;
        eval.push(t.elapsed());
        done = view.done;
        let t = Instant::now();
        read_listings(&store)?;
        floor.push(t.elapsed());
    }
    anyhow::ensure!(done > 0, "the benchmark shop should have tasks done");
    eval.sort_unstable();
    floor.sort_unstable();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let plans = store.read(|db| -> Result<Vec<String>, StoreError> {
        CHECKLIST_ORDER_QUERIES
            .iter()
            .map(|q| Ok(format!("{q}: {}", db.checklist().query_plan(q)?)))
            .collect()
    })?;
    let b = ChecklistBench {
        products,
        orders,
        runs,
        first_evaluate_ms,
        evaluate_median_ms: ms(eval[runs / 2]),
        evaluate_p95_ms: ms(eval[(runs * 95 / 100).min(runs - 1)]),
        listing_read_median_ms: ms(floor[runs / 2]),
        evaluate_vs_listing_read: ms(eval[runs / 2]) / ms(floor[runs / 2]).max(1e-9),
        goal_ms: GOAL_MS,
        order_query_plans: plans,
        setup_seconds,
    };
    ctx.out.print(&b, |b| {
        format!(
            "Checklist on a shop of {} products and {} orders ({} runs, built in {:.1} s):\n\
             reading the published listings with their main image, no rule (the floor): median {:.2} ms\n\
             first evaluation in the process (the lint runs on every title and description): {:.2} ms\n\
             evaluating the whole checklist: median {:.2} ms = {:.2} x the floor, p95 {:.2} ms (goal < {} ms: {})\n\
             order queries (never a scan):\n  {}\n",
            b.products,
            b.orders,
            b.runs,
            b.setup_seconds,
            b.listing_read_median_ms,
            b.first_evaluate_ms,
            b.evaluate_median_ms,
            b.evaluate_vs_listing_read,
            b.evaluate_p95_ms,
            b.goal_ms,
            if b.evaluate_median_ms < b.goal_ms { "met" } else { "NOT met" },
            b.order_query_plans.join("\n  "),
        )
    });
    Ok(())
}

/// The floor: one pass over the published listings, as the listing rules read them.
fn read_listings(store: &Store) -> Result<u64, StoreError> {
    store.read(|db| {
        let mut n = 0u64;
        db.checklist()
            .for_each_published_listing(|title, _, main| {
                n += title.len() as u64 + u64::from(main.is_some());
            })?;
        Ok(n)
    })
}

/// A standard-tier shop: profile, logo, banner, `products` products (a tenth with small
/// pictures, some long titles, some absolute terms) and `orders` orders, phone orders only
/// in the last tenth (a scan for one would read nine tenths of the table).
fn fill(store: &Store, products: u64, orders: u64, now_ms: i64) -> Result<(), StoreError> {
    store.write(|db| -> Result<(), StoreError> {
        db.shop().put(&ShopProfile {
            shop_id: "shop_bench".into(),
            name: "压测茶铺".into(),
            description: "杭州茶农直供。".into(),
            logo_image_id: Some("logo".into()),
            banner_image_id: Some("banner".into()),
            time_zone: "Asia/Shanghai".into(),
            tier: Tier::Standard,
            version: 1,
            updated_ms: now_ms,
            theme_color: None,
        })?;
        db.catalog()
            .put_image(&image("logo", ImageRole::Logo, None, 512, now_ms))?;
        let mut banner = image("banner", ImageRole::Banner, None, 1200, now_ms);
        banner.height = Some(400);
        db.catalog().put_image(&banner)?;
        for n in 0..products {
            let title = match n % 50 {
                7 => format!("龙井 {n} 号 明前特级 杭州西湖产区 250g 礼罐装 送礼自饮"),
                13 => format!("销量第一 龙井 {n} 号"),
                _ => format!("龙井 {n} 号 250g"),
            };
            let id = format!("p{n:05}");
            db.catalog().put_product(&Product {
                id: id.clone(),
                title,
                description: "明前龙井，产自杭州西湖，密封避光保存。".repeat(3),
                category: "tea".into(),
                price: Fen(9_900),
                stock: 10,
                status: if n % 20 == 19 {
                    ProductStatus::Draft
                } else {
                    ProductStatus::Active
                },
                version: 1,
                updated_ms: now_ms,
                featured: false,
                mobile_description: String::new(),
                gallery: Vec::new(),
            })?;
            let side = if n % 10 == 3 { 400 } else { 800 };
            db.catalog().put_image(&image(
                &format!("i{n:05}"),
                ImageRole::Product,
                Some(&id),
                side,
                now_ms,
            ))?;
        }
        Ok(())
    })?;
    const CHUNK: u64 = 20_000;
    let mut next = 0u64;
    while next < orders {
        let end = (next + CHUNK).min(orders);
        let batch: Vec<Order> = (next..end)
            .map(|n| {
                let created = now_ms - 365 * 86_400_000 + (n as i64) * 30_000;
                Order {
                    id: format!("o{n:07}"),
                    channel: if n >= orders - orders / 10 && n % 4 == 0 {
                        Channel::Mobile
                    } else {
                        Channel::Pc
                    },
                    status: OrderStatus::Completed,
                    customer_id: format!("c{}", n % 5_000),
                    created_ms: created,
                    paid_ms: Some(created + 60_000),
                    refunded_ms: None,
                    subtotal: Fen(9_900),
                    discount: Fen::ZERO,
                    total: Fen(9_900),
                    refund: Fen::ZERO,
                    coupon_id: None,
                    lines: vec![],
                    updated_ms: created,
                }
            })
            .collect();
        store.write(|db| db.orders().insert_raw(&batch))?;
        next = end;
    }
    Ok(())
}

fn image(id: &str, role: ImageRole, product: Option<&str>, side: i64, now_ms: i64) -> ProductImage {
    ProductImage {
        id: id.into(),
        product_id: product.map(Into::into),
        role,
        position: 0,
        width: Some(side),
        height: Some(side),
        byte_len: Some(150_000),
        mime: Some("image/jpeg".into()),
        sha256: None,
        local_path: None,
        updated_ms: now_ms,
    }
}
