use std::path::Path;

use rusqlite::Connection;

use super::*;
use crate::domain::*;
use crate::money::Fen;

fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sellerkit.db");
    (dir, path)
}

fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

fn shop() -> ShopProfile {
    ShopProfile {
        shop_id: "shop-1".into(),
        name: "小王的茶叶店".into(),
        description: "明前龙井".into(),
        logo_image_id: Some("img-logo".into()),
        banner_image_id: None,
        time_zone: "Asia/Shanghai".into(),
        tier: Tier::Standard,
        version: 3,
        updated_ms: 1_700_000_000_000,
        theme_color: None,
    }
}

fn product(id: &str) -> Product {
    Product {
        id: id.into(),
        title: format!("龙井 {id}"),
        description: String::new(),
        category: "tea".into(),
        price: Fen(12_800),
        stock: 5,
        status: ProductStatus::Active,
        version: 1,
        updated_ms: 1,
        featured: false,
        mobile_description: String::new(),
        gallery: Vec::new(),
    }
}

fn order(id: &str, created_ms: i64) -> Order {
    Order {
        id: id.into(),
        channel: Channel::Mobile,
        status: OrderStatus::Paid,
        customer_id: "c1".into(),
        created_ms,
        paid_ms: Some(created_ms + 1000),
        refunded_ms: None,
        subtotal: Fen(25_600),
        discount: Fen(1_000),
        total: Fen(24_600),
        refund: Fen::ZERO,
        coupon_id: Some("cti-1".into()),
        lines: vec![LineItem {
            product_id: Some("p1".into()),
            title: "龙井".into(),
            quantity: 2,
            unit_price: Fen(12_800),
            total: Fen(25_600),
        }],
        updated_ms: created_ms,
    }
}

#[test]
fn fresh_database_is_at_latest_version_in_wal_mode() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let status = store.status().unwrap();
    assert_eq!(status.schema_version, migrations::LATEST_VERSION);
    assert_eq!(status.counts, TableCounts::default());
    assert_eq!(status.shop, None);
    drop(store);
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let app: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, migrations::APPLICATION_ID);
}

/// Rows that fit the schema as it was at `version`, written with plain SQL as that build did.
fn seed_at_version(conn: &Connection, version: i64) {
    if version >= 1 {
        conn.execute_batch(
            "INSERT INTO shop_profile (id, shop_id, name, tier, updated_ms)
                 VALUES (1, 's1', 'Old shop', 'basic', 1);
             INSERT INTO products (id, title, price_fen, status, updated_ms)
                 VALUES ('p1', 'Old tea', 990, 'active', 1);
             INSERT INTO images (id, product_id, role, updated_ms) VALUES ('i1', 'p1', 'product', 1);
             INSERT INTO orders (id, channel, status, customer_id, created_ms, subtotal_fen,
                 total_fen, updated_ms) VALUES ('o1', 'pc', 'completed', 'c1', 5, 990, 990, 5);
             INSERT INTO order_lines (order_id, line_no, product_id, title, quantity,
                 unit_price_fen, total_fen) VALUES ('o1', 0, 'p1', 'Old tea', 1, 990, 990);",
        )
        .unwrap();
    }
    if version >= 2 {
        conn.execute_batch(
            "INSERT INTO coupon_books (id, title, kind, value_fen, valid_from_ms, valid_until_ms,
                 issued_count, updated_ms) VALUES ('b1', 'Ten off', 'single_use', 1000, 0, 10, 5, 1);
             INSERT INTO signing_keys (kid, public_key, not_before_ms, updated_ms)
                 VALUES ('k1', x'00', 0, 1);
             INSERT INTO redemptions (id, coupon_id, book_id, device_id, order_total_fen,
                 amount_fen, redeemed_ms, origin, state)
                 VALUES ('r1', 'cti', 'b1', 'd1', 5000, 1000, 7, 'local', 'pending');",
        )
        .unwrap();
    }
    if version >= 3 {
        conn.execute_batch(
            "INSERT INTO checklist_state (task_id, manual_done, updated_ms) VALUES ('logo', 1, 1);",
        )
        .unwrap();
    }
    if version >= 4 {
        // A redemption waiting in the outbox when the app was updated: v5 rebuilds the
        // redemptions table, and the pair must come through intact.
        conn.execute_batch(
            "INSERT INTO redemptions (id, coupon_id, book_id, device_id, order_total_fen,
                 amount_fen, redeemed_ms, origin, state)
                 VALUES ('r2', 'cti', 'b1', 'd1', 6000, 1000, 8, 'local', 'confirmed');
             INSERT INTO outbox (kind, entity_id, payload, created_ms)
                 VALUES ('redemption', 'r1', '{}', 7);",
        )
        .unwrap();
    }
}

#[test]
fn every_earlier_schema_version_upgrades_to_latest_keeping_its_rows() {
    for version in 0..migrations::LATEST_VERSION {
        let (_dir, path) = temp_db();
        {
            let mut conn = Connection::open(&path).unwrap();
            migrations::migrate_to(&mut conn, version).unwrap();
            assert_eq!(migrations::current_version(&conn).unwrap(), version);
            seed_at_version(&conn, version);
        }
        let store = Store::open(&path).unwrap_or_else(|e| panic!("v{version}: {e}"));
        let status = store.status().unwrap();
        assert_eq!(
            status.schema_version,
            migrations::LATEST_VERSION,
            "from v{version}"
        );
        let has = |v: i64| i64::from(version >= v);
        assert_eq!(status.counts.products, has(1), "from v{version}");
        assert_eq!(status.counts.order_lines, has(1), "from v{version}");
        assert_eq!(status.counts.checklist_tasks, has(3), "from v{version}");
        assert_eq!(
            status.counts.redemptions,
            has(2) + has(4),
            "from v{version}"
        );
        assert_eq!(status.counts.outbox, has(4), "from v{version}");
        // v5: the wallet's limits start at the defaults, the old rows keep their state and
        // count against the coupon (pending and confirmed), and disputes can be stored.
        store
            .read(|db| -> Result<(), StoreError> {
                assert_eq!(db.coupons().limits()?, WalletLimits::DEFAULT);
                let usage = db.coupons().usage_of("cti")?;
                assert_eq!(usage.uses as i64, has(2) + has(4), "from v{version}");
                if version >= 2 {
                    let r1 = db.coupons().redemption("r1")?.unwrap();
                    assert_eq!(r1.state, RedemptionState::Pending);
                    assert_eq!(db.coupons().unsynced_totals()?.count, 1);
                }
                Ok(())
            })
            .unwrap();
        store
            .write(|db| db.coupons().put_dispute(&dispute("dsp-1", "r9")))
            .unwrap();
        assert_eq!(store.status().unwrap().counts.open_disputes, 1);
        assert_eq!(
            status.shop.map(|s| s.name),
            (version >= 1).then(|| "Old shop".to_string())
        );
        // The upgraded database is usable, not merely labelled.
        store.write(|db| db.sync().set_cursor("c-1")).unwrap();
        let violations: i64 = store
            .read(|db| -> Result<i64, StoreError> {
                Ok(db
                    .conn
                    .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                        r.get(0)
                    })?)
            })
            .unwrap();
        assert_eq!(violations, 0);
    }
}

#[test]
fn closing_the_store_leaves_a_complete_main_file() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store.write(|db| db.shop().put(&shop())).unwrap();
    // A read makes a pooled read-only connection, which must not be the last to close.
    assert!(store.status().unwrap().shop.is_some());
    drop(store);
    assert!(!Path::new(&format!("{}-wal", path.display())).exists());
}

#[test]
fn foreign_sqlite_database_is_refused_untouched() {
    let (_dir, path) = temp_db();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hi');")
            .unwrap();
    }
    let before = file_bytes(&path);
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
    assert!(err.to_string().contains("another application"), "{err}");
    assert_eq!(file_bytes(&path), before);
}

#[test]
fn random_bytes_and_text_files_are_refused_untouched() {
    let (dir, _) = temp_db();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("text.db", b"hello, this is not a database\n".to_vec()),
        ("short.db", b"SQLite".to_vec()),
        (
            "noise.db",
            (0..8192u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
                .collect(),
        ),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::NotADatabase { .. }),
            "{name}: {err}"
        );
        assert_eq!(file_bytes(&path), bytes, "{name} was modified");
        assert!(!dir.path().join(format!("{name}-wal")).exists());
    }
}

#[test]
fn damaged_database_gives_a_typed_error_and_is_not_modified() {
    let (_dir, path) = temp_db();
    {
        let store = Store::open(&path).unwrap();
        store
            .write(|db| {
                for i in 0..200 {
                    db.catalog().put_product(&product(&format!("p{i:04}")))?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }
    // Scribble over every page after the first: the header still says SQLite.
    let mut bytes = file_bytes(&path);
    let page = 4096;
    assert!(bytes.len() > 2 * page);
    for b in &mut bytes[page..] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let outcome = Store::open(&path).and_then(|s| s.status());
    let err = outcome.unwrap_err();
    assert!(err.is_unusable_file(), "{err:?}");
    assert_eq!(file_bytes(&path), bytes);
}

#[test]
fn truncated_database_gives_a_typed_error_and_is_not_modified() {
    let (_dir, path) = temp_db();
    {
        let store = Store::open(&path).unwrap();
        store
            .write(|db| {
                for i in 0..300 {
                    db.orders().put(&order(&format!("o{i:04}"), i))?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }
    let bytes = file_bytes(&path);
    let cut = bytes[..bytes.len() / 3].to_vec();
    std::fs::write(&path, &cut).unwrap();
    let err = Store::open(&path).and_then(|s| s.status()).unwrap_err();
    assert!(err.is_unusable_file(), "{err:?}");
    assert_eq!(file_bytes(&path), cut);
}

#[test]
fn newer_schema_is_refused_untouched() {
    let (_dir, path) = temp_db();
    drop(Store::open(&path).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = file_bytes(&path);
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("update the app"));
    assert_eq!(file_bytes(&path), before);
}

#[test]
fn folder_and_missing_file() {
    let (dir, path) = temp_db();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
    let err = Store::open_with(
        &path,
        &OpenOptions {
            create: false,
            ..OpenOptions::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, StoreError::Missing { .. }), "{err}");
    assert!(!path.exists());
}

#[test]
fn a_failed_write_rolls_back_everything_it_did() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let result = store.write(|db| {
        db.catalog().put_product(&product("p1"))?;
        db.shop().put(&shop())?;
        Err::<(), _>(StoreError::InvalidInput {
            what: "test",
            detail: "abort".into(),
        })
    });
    assert!(result.is_err());
    let status = store.status().unwrap();
    assert_eq!(status.counts.products, 0);
    assert_eq!(status.shop, None);
}

#[test]
fn disk_full_is_reported_and_loses_nothing_committed() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store.write(|db| db.shop().put(&shop())).unwrap();
    // Cap the file at its current size: the next big write hits SQLITE_FULL like a full disk.
    store
        .write(|db| -> Result<(), StoreError> {
            let pages: i64 = db.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
            db.conn.query_row(
                &format!("PRAGMA max_page_count = {}", pages + 2),
                [],
                |_| Ok(()),
            )?;
            Ok(())
        })
        .unwrap();
    let err = store
        .write(|db| {
            for i in 0..2_000 {
                db.orders().put(&order(&format!("big-{i:05}"), i))?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::DiskFull { .. }), "{err:?}");
    assert!(err.to_string().contains("nothing was lost"));
    let status = store.status().unwrap();
    assert_eq!(status.counts.orders, 0);
    assert_eq!(status.shop, Some(shop()));
}

#[test]
fn repositories_round_trip() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let book = CouponBook {
        id: "b1".into(),
        title: "满100减10".into(),
        kind: CouponKind::StoredValue,
        value_fen: Some(Fen(5_000)),
        value_bps: None,
        max_uses: None,
        min_spend: Fen(10_000),
        valid_from_ms: 10,
        valid_until_ms: 20,
        scope: CouponScope::Categories(vec!["tea".into()]),
        issued_count: 100,
        version: 1,
        updated_ms: 1,
    };
    let key = SigningKey {
        kid: "k1".into(),
        algorithm: "EdDSA".into(),
        public_key: vec![7; 32],
        not_before_ms: 0,
        not_after_ms: Some(99),
        updated_ms: 1,
    };
    let redemption = Redemption {
        id: uuid::Uuid::now_v7().to_string(),
        coupon_id: "cti-1".into(),
        book_id: "b1".into(),
        device_id: "dev".into(),
        order_total: Fen(20_000),
        amount: Fen(1_000),
        redeemed_ms: 15,
        origin: RedemptionOrigin::Local,
        state: RedemptionState::Pending,
    };
    let image = ProductImage {
        id: "i1".into(),
        product_id: Some("p1".into()),
        role: ImageRole::Product,
        position: 0,
        width: Some(800),
        height: Some(800),
        byte_len: Some(12_345),
        mime: Some("image/jpeg".into()),
        sha256: None,
        local_path: None,
        updated_ms: 1,
    };
    store
        .write(|db| {
            db.shop().put(&shop())?;
            db.catalog().put_product(&product("p1"))?;
            db.catalog().put_image(&image)?;
            db.orders().put(&order("o1", 1_000))?;
            db.coupons().put_book(&book)?;
            db.coupons().put_key(&key)?;
            db.coupons().put_revocation(&Revocation {
                id: "rv1".into(),
                target: RevocationTarget::Coupon,
                target_id: "cti-9".into(),
                revoked_ms: 3,
                reason: "lost".into(),
            })?;
            db.coupons().insert_redemption(&redemption)?;
            db.checklist().put_definition(&ChecklistDefinition {
                version: 1,
                source: DefinitionSource::Bundled,
                document: r#"{"tasks":[]}"#.into(),
                received_ms: 1,
            })?;
            db.checklist().put_task(&TaskState {
                task_id: "logo".into(),
                manual_done: true,
                completed_ms: Some(2),
                updated_ms: 2,
            })?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    store
        .read(|db| {
            assert_eq!(db.shop().get()?, Some(shop()));
            assert_eq!(db.catalog().product("p1")?, Some(product("p1")));
            assert_eq!(db.catalog().images_of("p1")?, vec![image.clone()]);
            assert_eq!(db.orders().get("o1")?, Some(order("o1", 1_000)));
            assert_eq!(db.coupons().book("b1")?, Some(book.clone()));
            assert_eq!(db.coupons().key("k1")?, Some(key.clone()));
            assert!(
                db.coupons()
                    .revocation_of(RevocationTarget::Coupon, "cti-9")?
                    .is_some()
            );
            assert!(
                db.coupons()
                    .revocation_of(RevocationTarget::Coupon, "cti-1")?
                    .is_none()
            );
            assert_eq!(
                db.coupons().redemptions_of("cti-1")?,
                vec![redemption.clone()]
            );
            assert_eq!(db.checklist().latest_definition()?.unwrap().version, 1);
            assert!(db.checklist().tasks()?[0].manual_done);
            Ok::<_, StoreError>(())
        })
        .unwrap();
    // The same redemption id twice is refused: it is the idempotency key.
    assert!(
        store
            .write(|db| db.coupons().insert_redemption(&redemption))
            .is_err()
    );
    // Deleting the product removes its images.
    store.write(|db| db.catalog().delete_product("p1")).unwrap();
    assert_eq!(store.status().unwrap().counts.images, 0);
}

/// Every integer column is a 64-bit SQLite integer and an `i64` in Rust, on 32-bit phones too
/// (armv7, where `usize` is 32 bits): values past `u32::MAX` come back unchanged.
#[test]
fn values_wider_than_32_bits_round_trip() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let year_2200_ms = 7_258_118_400_000;
    let wide = Product {
        price: Fen(i64::MAX),
        stock: i64::MIN,
        version: i64::from(u32::MAX) + 1,
        updated_ms: year_2200_ms,
        ..product("p-wide")
    };
    let image = ProductImage {
        id: "i-wide".into(),
        product_id: Some("p-wide".into()),
        role: ImageRole::Product,
        position: i64::from(u32::MAX) * 3,
        width: Some(i64::from(i32::MAX) + 1),
        height: Some(1),
        byte_len: Some(5_000_000_000),
        mime: None,
        sha256: None,
        local_path: None,
        updated_ms: year_2200_ms,
    };
    let mut big_order = order("o-wide", year_2200_ms);
    big_order.lines[0].quantity = i64::from(u32::MAX) + 7;
    big_order.total = Fen(-(i64::from(u32::MAX) * 1000));
    store
        .write(|db| {
            db.catalog().put_product(&wide)?;
            db.catalog().put_image(&image)?;
            db.orders().put(&big_order)
        })
        .unwrap();
    store
        .read(|db| {
            assert_eq!(db.catalog().product("p-wide")?, Some(wide.clone()));
            assert_eq!(db.catalog().images_of("p-wide")?, vec![image.clone()]);
            assert_eq!(db.orders().get("o-wide")?, Some(big_order.clone()));
            Ok::<_, StoreError>(())
        })
        .unwrap();
}

#[test]
fn reads_cannot_write() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let err = store.read(|db| db.shop().put(&shop())).unwrap_err();
    assert!(matches!(err, StoreError::Sqlite { .. }), "{err:?}");
}

#[test]
fn order_scan_is_bounded_by_time_and_ordered() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store
        .write(|db| {
            for (id, t) in [("a", 30), ("b", 10), ("c", 20), ("d", 40)] {
                db.orders().put(&order(id, t))?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let mut seen = Vec::new();
    store
        .read(|db| {
            db.orders()
                .for_each_created_between(10, 40, |o| seen.push(o.id))
        })
        .unwrap();
    assert_eq!(seen, ["b", "c", "a"]);
}

#[test]
fn outbox_ids_are_monotonic_and_never_reused() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let m = |entity: &'static str| NewMutation {
        kind: "checklist_tick",
        entity_id: entity,
        base_version: None,
        payload: r#"{"done":true}"#,
        created_ms: 1,
    };
    let (a, b) = store
        .write(|db| Ok::<_, StoreError>((db.sync().enqueue(&m("x"))?, db.sync().enqueue(&m("y"))?)))
        .unwrap();
    assert!(b > a);
    store
        .write(|db| {
            db.sync().remove(a)?;
            db.sync().remove(b)
        })
        .unwrap();
    let c = store.write(|db| db.sync().enqueue(&m("z"))).unwrap();
    assert!(c > b, "id {c} reused after {b}");
    let pending = store.read(|db| db.sync().pending(10)).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].entity_id, "z");
    // Ids survive a reopen.
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.read(|db| db.sync().last_mutation_id()).unwrap(), c);
    // Invalid JSON never enters the outbox.
    let bad = NewMutation {
        payload: "{not json",
        ..m("w")
    };
    assert!(store.write(|db| db.sync().enqueue(&bad)).is_err());
}

#[test]
fn conflicts_are_kept_until_resolved_and_sync_state_moves() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let conflict = Conflict {
        id: 0,
        mutation_id: 7,
        kind: "redemption".into(),
        entity_id: "r1".into(),
        outcome: ConflictOutcome::Conflict,
        reason: "already redeemed on another device".into(),
        server_state: Some(r#"{"redeemed_by":"dev-2"}"#.into()),
        payload: "{}".into(),
        created_ms: 5,
        resolved_ms: None,
    };
    store
        .write(|db| {
            db.sync().record_conflict(&conflict)?;
            db.sync().record_conflict(&conflict)?;
            db.sync().set_device("dev-1", "https://example.test")?;
            db.sync().set_cursor("42")?;
            db.sync().note_sync_end(100, None)
        })
        .unwrap();
    let open = store.read(|db| db.sync().conflicts(false)).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].reason, conflict.reason);
    store
        .write(|db| db.sync().resolve_conflict(open[0].id, 9))
        .unwrap();
    assert!(
        store
            .read(|db| db.sync().conflicts(false))
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.read(|db| db.sync().conflicts(true)).unwrap().len(), 1);
    store
        .write(|db| db.sync().note_sync_end(200, Some("offline")))
        .unwrap();
    let state = store.read(|db| db.sync().state()).unwrap();
    assert_eq!(state.cursor.as_deref(), Some("42"));
    assert_eq!(state.last_success_ms, Some(100));
    assert_eq!(state.last_attempt_ms, Some(200));
    assert_eq!(state.last_error.as_deref(), Some("offline"));
    assert_eq!(state.device_id.as_deref(), Some("dev-1"));
}

#[test]
fn unknown_enum_spelling_in_a_row_is_a_typed_error() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store
        .write(|db| -> Result<(), StoreError> {
            db.conn.execute_batch(
                "INSERT INTO conflicts (mutation_id, kind, entity_id, outcome, reason, payload,
                     created_ms) VALUES (1, 'k', 'e', 'rejected', 'r', '{}', 1);
                 PRAGMA ignore_check_constraints = 1;
                 UPDATE conflicts SET outcome = 'weird';
                 PRAGMA ignore_check_constraints = 0;",
            )?;
            Ok(())
        })
        .unwrap();
    let err = store.read(|db| db.sync().conflicts(true)).unwrap_err();
    assert!(matches!(err, StoreError::InvalidData { .. }), "{err:?}");
    assert!(err.to_string().contains("weird"), "{err}");
}

fn dispute(id: &str, refused: &str) -> Dispute {
    Dispute {
        id: id.into(),
        coupon_id: "cti-1".into(),
        book_id: "b1".into(),
        kind: DisputeKind::DoubleUse,
        accepted: vec![DisputedUse {
            redemption_id: "r-first".into(),
            device_id: "dev-a".into(),
            amount: Fen(1_000),
            redeemed_ms: 10,
        }],
        refused: RefusedRedemption {
            redemption_id: refused.into(),
            device_id: "dev-b".into(),
            amount: Fen(1_000),
            order_total: Fen(5_000),
            redeemed_ms: 12,
        },
        detected_ms: 20,
        message: "already redeemed on another device".into(),
        resolved_ms: None,
    }
}

fn local_redemption(id: &str, coupon: &str, amount: i64, state: RedemptionState) -> Redemption {
    Redemption {
        id: id.into(),
        coupon_id: coupon.into(),
        book_id: "b1".into(),
        device_id: "dev-a".into(),
        order_total: Fen(10_000),
        amount: Fen(amount),
        redeemed_ms: 5,
        origin: RedemptionOrigin::Local,
        state,
    }
}

#[test]
fn a_local_redemption_and_its_outbox_entry_are_written_together() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let red = local_redemption("r1", "cti-1", 500, RedemptionState::Pending);
    let mutation_id = store
        .write(|db| db.coupons().record_local_redemption(&red, r#"{"x":1}"#))
        .unwrap();
    let pending = store.read(|db| db.sync().pending(10)).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].mutation_id, mutation_id);
    assert_eq!(pending[0].kind, crate::protocol::REDEMPTION_KIND);
    assert_eq!(pending[0].entity_id, "r1");
    // A failure after the redemption (here: invalid JSON for the outbox) leaves neither.
    let second = local_redemption("r2", "cti-1", 500, RedemptionState::Pending);
    assert!(
        store
            .write(|db| db.coupons().record_local_redemption(&second, "{broken"))
            .is_err()
    );
    assert_eq!(
        store.read(|db| db.coupons().redemption("r2")).unwrap(),
        None
    );
    assert_eq!(store.status().unwrap().counts.outbox, 1);
}

#[test]
fn usage_counts_pending_and_confirmed_but_not_refused_redemptions() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store
        .write(|db| {
            let c = db.coupons();
            c.insert_redemption(&local_redemption(
                "a",
                "cti-1",
                100,
                RedemptionState::Pending,
            ))?;
            c.insert_redemption(&local_redemption(
                "b",
                "cti-1",
                200,
                RedemptionState::Confirmed,
            ))?;
            c.insert_redemption(&local_redemption(
                "c",
                "cti-1",
                400,
                RedemptionState::Disputed,
            ))?;
            c.insert_redemption(&local_redemption(
                "d",
                "cti-1",
                800,
                RedemptionState::Rejected,
            ))?;
            c.insert_redemption(&local_redemption(
                "e",
                "cti-2",
                1600,
                RedemptionState::Pending,
            ))?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    store
        .read(|db| -> Result<(), StoreError> {
            let usage = db.coupons().usage_of("cti-1")?;
            assert_eq!(
                usage,
                CouponUsage {
                    uses: 2,
                    spent: Fen(300)
                }
            );
            assert_eq!(db.coupons().usage_of("nope")?, CouponUsage::default());
            let unsynced = db.coupons().unsynced_totals()?;
            assert_eq!(
                unsynced,
                UnsyncedTotals {
                    count: 2,
                    value: Fen(1_700)
                }
            );
            Ok(())
        })
        .unwrap();
    // Only a pending redemption becomes disputed.
    assert!(store.write(|db| db.coupons().mark_disputed("a")).unwrap());
    assert!(!store.write(|db| db.coupons().mark_disputed("b")).unwrap());
    assert!(!store.write(|db| db.coupons().mark_disputed("zzz")).unwrap());
}

#[test]
fn disputes_upsert_keep_a_local_resolution_and_list_newest_first() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let mut older = dispute("d1", "r1");
    older.detected_ms = 5;
    let newer = dispute("d2", "r2");
    store
        .write(|db| {
            db.coupons().put_dispute(&older)?;
            db.coupons().put_dispute(&newer)
        })
        .unwrap();
    let listed = store.read(|db| db.coupons().disputes(false)).unwrap();
    assert_eq!(listed, vec![newer.clone(), older.clone()]);
    assert!(
        store
            .write(|db| db.coupons().resolve_dispute("d1", 99))
            .unwrap()
    );
    assert!(
        !store
            .write(|db| db.coupons().resolve_dispute("d1", 100))
            .unwrap()
    );
    // The server sends d1 again (unresolved there): the seller's dismissal stays.
    store.write(|db| db.coupons().put_dispute(&older)).unwrap();
    let d1 = store
        .read(|db| db.coupons().dispute("d1"))
        .unwrap()
        .unwrap();
    assert_eq!(d1.resolved_ms, Some(99));
    assert_eq!(
        store.read(|db| db.coupons().disputes(false)).unwrap(),
        vec![newer]
    );
    assert_eq!(
        store.read(|db| db.coupons().disputes(true)).unwrap().len(),
        2
    );
    assert!(store.write(|db| db.coupons().delete_dispute("d1")).unwrap());
    assert_eq!(store.status().unwrap().counts.open_disputes, 1);
}

#[test]
fn wallet_limits_persist_and_refuse_nonsense() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.read(|db| db.coupons().limits()).unwrap(),
        WalletLimits::default()
    );
    let tight = WalletLimits {
        max_unsynced_count: 3,
        max_unsynced_value: Fen(5_000),
        max_offline_hours: 1,
    };
    store
        .write(|db| db.coupons().set_limits(&tight, 7))
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.read(|db| db.coupons().limits()).unwrap(), tight);
    let negative = WalletLimits {
        max_unsynced_value: Fen(-1),
        ..tight
    };
    assert!(
        store
            .write(|db| db.coupons().set_limits(&negative, 8))
            .is_err()
    );
}

#[test]
fn verification_reads_use_indexes() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let plans = store
        .read(|db| -> Result<Vec<String>, StoreError> {
            let mut plans = Vec::new();
            // The very statements the repository runs (not copies), with typical values.
            let queries: [(&str, &[&str]); 3] = [
                (super::coupons::USAGE_OF_SQL, &["c"]),
                (super::coupons::UNSYNCED_TOTALS_SQL, &[]),
                (
                    super::coupons::FIRST_REVOKED_SQL,
                    &["coupon", "c", "book", "b", "key", "k"],
                ),
            ];
            for (sql, values) in queries {
                let mut stmt = db.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let rows = stmt.query_map(rusqlite::params_from_iter(values), |r| {
                    r.get::<_, String>(3)
                })?;
                plans.push(rows.collect::<Result<Vec<_>, _>>()?.join("; "));
            }
            Ok(plans)
        })
        .unwrap();
    // Every step goes through an index (scanning the partial index of pending rows is
    // fine: it holds only those); a bare table scan would be linear in the history.
    for plan in plans {
        assert!(plan.contains("INDEX"), "{plan}");
        for step in plan.split("; ") {
            assert!(
                !step.starts_with("SCAN") || step.contains("USING"),
                "{plan}"
            );
        }
    }
}

#[test]
fn v9_moves_the_phone_only_storefront_settings_onto_the_synced_rows_and_queues_them() {
    let (_dir, path) = temp_db();
    {
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrate_to(&mut conn, 8).unwrap();
        conn.execute_batch(
            "INSERT INTO shop_profile (id, shop_id, name, tier, version, updated_ms)
                 VALUES (1, 'shop_a', '小林', 'basic', 4, 1);
             INSERT INTO products (id, title, price_fen, status, version, updated_ms)
                 VALUES ('p1', 'a', 100, 'active', 6, 1), ('p2', 'b', 100, 'active', 2, 1),
                        ('p3', 'c', 100, 'active', 1, 1);
             INSERT INTO storefront_listings (product_id, featured, mobile_description, updated_ms)
                 VALUES ('p1', 1, '', 50), ('p2', 0, '手洗', 60), ('p3', 0, '', 70);
             INSERT INTO storefront_style (id, theme_color, updated_ms) VALUES (1, '#1E886B', 80);",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    store
        .read(|db| -> Result<(), StoreError> {
            let p1 = db.catalog().product("p1")?.unwrap();
            let p2 = db.catalog().product("p2")?.unwrap();
            assert!(p1.featured && !p2.featured);
            assert_eq!(p2.mobile_description, "手洗");
            assert_eq!(db.storefront().featured_ids(10)?, vec!["p1".to_string()]);
            assert_eq!(
                db.shop().get()?.unwrap().theme_color.as_deref(),
                Some("#1E886B")
            );
            // What the seller set before is pushed on the next sync, on the versions seen;
            // p3's defaults queue nothing.
            let queued: Vec<(String, String, Option<i64>, String)> = db
                .sync()
                .pending(10)?
                .into_iter()
                .map(|e| (e.kind, e.entity_id, e.base_version, e.payload))
                .collect();
            assert_eq!(
                queued,
                [
                    (
                        "product_edit".into(),
                        "p1".into(),
                        Some(6),
                        r#"{"featured":true,"mobile_description":""}"#.into()
                    ),
                    (
                        "product_edit".into(),
                        "p2".into(),
                        Some(2),
                        r#"{"featured":false,"mobile_description":"手洗"}"#.into()
                    ),
                    (
                        "shop_edit".into(),
                        "shop_a".into(),
                        Some(4),
                        r##"{"theme_color":"#1E886B"}"##.into()
                    ),
                ]
            );
            Ok(())
        })
        .unwrap();
}

/// A refetchable write commits without waiting for the disk, and every other write waits
/// again afterwards, also when the refetchable one failed.
#[test]
fn a_refetchable_write_relaxes_durability_for_itself_only() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let level = |db: &Db<'_>| -> Result<i64, StoreError> {
        Ok(db.conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?)
    };
    // 1 = NORMAL, 2 = FULL.
    assert_eq!(store.write_refetchable(|db| level(db)).unwrap(), 1);
    assert_eq!(store.write(|db| level(db)).unwrap(), 2);
    let failed: Result<(), StoreError> = store.write_refetchable(|db| {
        db.shop().put(&shop())?;
        Err(StoreError::InvalidInput {
            what: "test",
            detail: "refused".into(),
        })
    });
    assert!(failed.is_err());
    assert_eq!(store.write(|db| level(db)).unwrap(), 2);
    // The failed transaction was rolled back.
    assert!(store.read(|db| db.shop().get()).unwrap().is_none());
}
