//! Writing shops and their data in bulk: the demo shop at start, and the `/dev/` endpoints
//! that add shops, products and orders.
//!
//! Bulk writes are one transaction each (atomic, and SQLite is fastest that way), use
//! cached prepared statements, and serialise each entity exactly once: the seed of a
//! million orders is bound by SQLite's insert speed.

use rusqlite::{Connection, TransactionBehavior};
use sellerkit_core::domain::{Order, Product, ShopProfile, Tier};
use sellerkit_core::protocol::EntityKind;

use crate::error::StoreError;
use crate::seed::{self, SeedConfig};
use crate::store::{self, EntityKey, NewMedia, SeqAlloc, ShopInfo};

/// Id of the shop `--seed demo` creates.
pub const DEMO_SHOP_ID: &str = "shop_demo";

/// A new shop's profile as the dev endpoints create it.
pub fn new_profile(shop_id: &str, name: &str, tier: Tier, now_ms: i64) -> ShopProfile {
    ShopProfile {
        shop_id: shop_id.to_string(),
        name: name.to_string(),
        description: String::new(),
        logo_image_id: None,
        banner_image_id: None,
        time_zone: sellerkit_core::time::DEFAULT_TIME_ZONE.to_string(),
        tier,
        version: 1,
        updated_ms: now_ms,
        theme_color: None,
    }
}

/// Creates a shop in the caller's write transaction: its row, its activation codes and its
/// profile in the feed.
/// `None` when a shop with that id exists already.
pub fn create_shop(
    tx: &Connection,
    profile: &ShopProfile,
    now_ms: i64,
) -> Result<Option<ShopInfo>, StoreError> {
    if store::shop_exists(tx, &profile.shop_id)? {
        return Ok(None);
    }
    let info = store::insert_shop(tx, profile, now_ms)?;
    let mut seqs = SeqAlloc::new(tx)?;
    store::put_value(
        tx,
        &mut seqs,
        &profile.shop_id,
        EntityKind::ShopProfile,
        &profile.shop_id,
        profile,
    )?;
    Ok(Some(info))
}

/// Seeds the demo shop unless it exists (re-running on the same database must not
/// duplicate it). Returns whether it was created.
pub fn seed_demo(conn: &mut Connection, cfg: &SeedConfig) -> Result<bool, StoreError> {
    if store::shop_exists(conn, DEMO_SHOP_ID)? {
        return Ok(false);
    }
    let started = std::time::Instant::now();
    let catalog = seed::demo_catalog(cfg);
    let mut profile = catalog.profile;
    profile.shop_id = DEMO_SHOP_ID.to_string();

    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    store::insert_shop(&tx, &profile, cfg.now_ms)?;
    let mut seqs = SeqAlloc::new(&tx)?;
    let shop = DEMO_SHOP_ID;
    store::put_value(
        &tx,
        &mut seqs,
        shop,
        EntityKind::ShopProfile,
        shop,
        &profile,
    )?;
    for (image, bytes) in &catalog.images {
        // The feed's metadata is computed from the bytes served, so a client that checks the
        // hash of what it downloads always agrees with the feed.
        let mut image = image.clone();
        let format = image::guess_format(bytes).ok();
        let mime = match format {
            Some(image::ImageFormat::Png) => "image/png",
            Some(image::ImageFormat::Jpeg) => "image/jpeg",
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "demo image {} is neither PNG nor JPEG",
                    image.id
                )));
            }
        };
        let (width, height) = match (image.width, image.height) {
            (Some(w), Some(h)) => (w, h),
            _ => {
                let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes));
                reader.set_format(format.unwrap_or(image::ImageFormat::Png));
                let (w, h) = reader
                    .into_dimensions()
                    .map_err(|e| StoreError::Corrupt(format!("demo image {}: {e}", image.id)))?;
                (i64::from(w), i64::from(h))
            }
        };
        let sha256 = store::sha256_hex(bytes);
        image.width = Some(width);
        image.height = Some(height);
        image.byte_len = Some(i64::try_from(bytes.len()).unwrap_or(i64::MAX));
        image.mime = Some(mime.to_string());
        image.sha256 = Some(sha256.clone());
        image.local_path = None;
        let media = NewMedia {
            bytes,
            sha256: &sha256,
            mime,
            width,
            height,
        };
        store::put_media(&tx, shop, &image.id, media)?;
        store::put_value(&tx, &mut seqs, shop, EntityKind::Image, &image.id, &image)?;
    }
    for product in &catalog.products {
        store::put_value(
            &tx,
            &mut seqs,
            shop,
            EntityKind::Product,
            &product.id,
            product,
        )?;
    }
    let orders = insert_orders(
        &tx,
        &mut seqs,
        shop,
        seed::demo_orders(cfg, &catalog.products),
    )?;
    tx.commit()?;
    // The seed went to the WAL in one transaction (hundreds of MB for a million orders).
    // Copy it into the database now, at start, rather than stall the first push that
    // triggers an automatic checkpoint, and give the disk space back.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    tracing::info!(
        orders,
        products = catalog.products.len(),
        images = catalog.images.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "seeded the demo shop"
    );
    Ok(true)
}

/// Appends orders (replacing any with the same id) to a shop's feed; returns how many.
pub fn insert_orders(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    shop_id: &str,
    orders: impl IntoIterator<Item = Order>,
) -> Result<u64, StoreError> {
    let mut n = 0u64;
    for order in orders {
        store::put_value(conn, seqs, shop_id, EntityKind::Order, &order.id, &order)?;
        n += 1;
    }
    Ok(n)
}

/// Adds or replaces products, as the marketplace back office would.
///
/// A replaced product gets a version above the one it had (whatever the caller sent), and
/// the fields that differ are recorded as changed by the server: a phone's edit made on the
/// older version then conflicts, which is how tests provoke conflicts.
pub fn upsert_products(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    shop_id: &str,
    products: &[Product],
) -> Result<(), StoreError> {
    for product in products {
        let old: Option<Product> =
            store::get_typed(conn, shop_id, EntityKind::Product, &product.id)?;
        let mut product = product.clone();
        if let Some(old) = &old {
            // Saturating: a stored version at i64::MAX (the dev endpoint accepts it) must
            // not overflow into a panic.
            product.version = product.version.max(old.version.saturating_add(1));
        }
        store::put_value(
            conn,
            seqs,
            shop_id,
            EntityKind::Product,
            &product.id,
            &product,
        )?;
        if let Some(old) = &old {
            let key = EntityKey {
                shop_id,
                kind: EntityKind::Product,
                id: &product.id,
            };
            store::record_changed_fields(
                conn,
                key,
                &serde_json::to_value(old)?,
                &serde_json::to_value(&product)?,
                product.version,
                "",
            )?;
        }
    }
    Ok(())
}
