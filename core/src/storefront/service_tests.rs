//! The storefront service over a real SQLite file and real pictures on disk.

use image::{Rgb, RgbImage};

use super::*;
use crate::domain::{ConflictOutcome, ImageRole, Tier};
use crate::storefront::preview::tests::font;
use crate::time::FixedClock;

struct Shop {
    _dir: tempfile::TempDir,
    store: Store,
    clock: FixedClock,
    media: PathBuf,
}

fn shop() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("s.db")).unwrap();
    // A custom media folder, not `media/` beside the database.
    let media = dir.path().join("elsewhere/pictures");
    std::fs::create_dir_all(&media).unwrap();
    store
        .write(|db| {
            db.shop().put(&ShopProfile {
                shop_id: "shop_a".into(),
                name: "小林陶器".into(),
                description: "全场包邮".into(),
                logo_image_id: None,
                banner_image_id: None,
                time_zone: "Asia/Shanghai".into(),
                tier: Tier::Standard,
                version: 3,
                updated_ms: 0,
            })?;
            for i in 0..3 {
                db.catalog().put_product(&Product {
                    id: format!("p{i}"),
                    title: format!("陶瓷杯 {i}"),
                    description: String::new(),
                    category: "mugs".into(),
                    price: Fen(5900),
                    stock: 1,
                    status: ProductStatus::Active,
                    version: 7,
                    updated_ms: 0,
                })?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    Shop {
        _dir: dir,
        store,
        clock: FixedClock::new(1_000),
        media,
    }
}

#[test]
fn a_product_edit_is_applied_and_queued_with_its_base_version() {
    let s = shop();
    let sf = Storefront::new(&s.store, &s.clock, &s.media);
    let changes = ProductChanges {
        title: Some(" 新标题 ".into()),
        price: Some(Fen(6900)),
        featured: Some(true),
        mobile_description: Some("可进洗碗机".into()),
        ..Default::default()
    };
    let p = sf.edit_product("p1", &changes).unwrap();
    assert_eq!(
        (p.title.as_str(), p.price, p.version),
        ("新标题", Fen(6900), 7)
    );
    let (stored, outbox, settings) = s
        .store
        .read(|db| {
            Ok::<_, StoreError>((
                db.catalog().product("p1")?.unwrap(),
                db.sync().pending(10)?,
                db.storefront().listing("p1")?,
            ))
        })
        .unwrap();
    assert_eq!(stored.title, "新标题");
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (
            outbox[0].kind.as_str(),
            outbox[0].entity_id.as_str(),
            outbox[0].base_version
        ),
        (PRODUCT_EDIT, "p1", Some(7))
    );
    let payload: Value = serde_json::from_str(&outbox[0].payload).unwrap();
    assert_eq!(
        payload,
        serde_json::json!({"title": "新标题", "price": 6900})
    );
    assert_eq!(
        settings,
        ListingSettings {
            featured: true,
            mobile_description: "可进洗碗机".into()
        }
    );

    // A phone-only change queues nothing.
    sf.edit_product(
        "p2",
        &ProductChanges {
            featured: Some(true),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(s.store.read(|db| db.sync().pending_count()).unwrap(), 1);
    // Bad values are refused before anything is written.
    let err = sf
        .edit_product(
            "p1",
            &ProductChanges {
                title: Some("  ".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(
        matches!(err, StorefrontError::Invalid { field: "title", .. }),
        "{err:?}"
    );
    assert!(matches!(
        sf.edit_product("nope", &ProductChanges::default()),
        Err(StorefrontError::NoProduct(_))
    ));
}

#[test]
fn a_shop_edit_is_queued_and_the_theme_colour_checked() {
    let s = shop();
    let sf = Storefront::new(&s.store, &s.clock, &s.media);
    let shop = sf
        .edit_shop(&ShopChanges {
            name: Some("小林陶器 旗舰店".into()),
            announcement: Some("周三发货".into()),
            theme_color: Some("#1e886b".into()),
        })
        .unwrap();
    assert_eq!(
        (shop.name.as_str(), shop.description.as_str()),
        ("小林陶器 旗舰店", "周三发货")
    );
    let outbox = s.store.read(|db| db.sync().pending(10)).unwrap();
    assert_eq!(
        (
            outbox[0].kind.as_str(),
            outbox[0].entity_id.as_str(),
            outbox[0].base_version
        ),
        (SHOP_EDIT, "shop_a", Some(3))
    );
    assert_eq!(
        s.store
            .read(|db| db.storefront().theme_color())
            .unwrap()
            .as_deref(),
        Some("#1E886B")
    );
    let err = sf
        .edit_shop(&ShopChanges {
            theme_color: Some("orange".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(
        matches!(err, StorefrontError::Invalid { field: "theme_color", ref message } if message.zh.contains("orange")),
        "{err:?}"
    );
}

fn conflict_on_p0(s: &Shop) -> i64 {
    let server = Product {
        id: "p0".into(),
        title: "服务器上的标题".into(),
        description: String::new(),
        category: "mugs".into(),
        price: Fen(5900),
        stock: 1,
        status: ProductStatus::Active,
        version: 9,
        updated_ms: 5,
    };
    s.store
        .write(|db| {
            db.sync().record_conflict(&Conflict {
                id: 0,
                mutation_id: 1,
                kind: PRODUCT_EDIT.into(),
                entity_id: "p0".into(),
                outcome: ConflictOutcome::Conflict,
                reason: "title was changed on the server since version 7".into(),
                server_state: Some(serde_json::to_string(&server).unwrap()),
                payload: r#"{"title":"我的标题"}"#.into(),
                created_ms: 10,
                resolved_ms: None,
            })
        })
        .unwrap();
    s.store.read(|db| db.sync().conflicts(false)).unwrap()[0].id
}

#[test]
fn keep_server_takes_the_servers_value_and_closes_the_conflict() {
    let s = shop();
    let sf = Storefront::new(&s.store, &s.clock, &s.media);
    let id = conflict_on_p0(&s);
    assert_eq!(sf.conflicts().unwrap().len(), 1);
    sf.keep_server(id).unwrap();
    let p = s
        .store
        .read(|db| db.catalog().product("p0"))
        .unwrap()
        .unwrap();
    assert_eq!((p.title.as_str(), p.version), ("服务器上的标题", 9));
    assert!(sf.conflicts().unwrap().is_empty());
    assert_eq!(s.store.read(|db| db.sync().pending_count()).unwrap(), 0);
    assert!(matches!(
        sf.keep_server(id),
        Err(StorefrontError::NoConflict(_))
    ));
}

#[test]
fn reapply_queues_the_edit_again_on_the_servers_version() {
    let s = shop();
    let sf = Storefront::new(&s.store, &s.clock, &s.media);
    let id = conflict_on_p0(&s);
    sf.reapply(id).unwrap();
    let p = s
        .store
        .read(|db| db.catalog().product("p0"))
        .unwrap()
        .unwrap();
    assert_eq!((p.title.as_str(), p.version), ("我的标题", 9));
    let outbox = s.store.read(|db| db.sync().pending(10)).unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (outbox[0].base_version, outbox[0].payload.as_str()),
        (Some(9), r#"{"title":"我的标题"}"#)
    );
    assert!(sf.conflicts().unwrap().is_empty());
}

#[test]
fn lint_and_preview_read_the_database_and_the_custom_media_folder() {
    let s = shop();
    let sf = Storefront::new(&s.store, &s.clock, &s.media);
    // p0 has a real, mobile-ready picture in the custom folder; p1 a record whose file is
    // missing; p2 a file that is not a picture.
    let photo = RgbImage::from_fn(800, 800, |x, _| {
        if x < 400 {
            Rgb([200, 30, 30])
        } else {
            Rgb([30, 30, 200])
        }
    });
    photo.save(s.media.join("img0.png")).unwrap();
    std::fs::write(s.media.join("img2.jpg"), b"not a picture").unwrap();
    s.store
        .write(|db| {
            for (i, file) in [
                (0, Some("img0.png")),
                (1, Some("gone.jpg")),
                (2, Some("img2.jpg")),
            ] {
                db.catalog().put_image(&ProductImage {
                    id: format!("img{i}"),
                    product_id: Some(format!("p{i}")),
                    role: ImageRole::Product,
                    position: 0,
                    width: Some(800),
                    height: Some(800),
                    byte_len: Some(1000),
                    mime: Some("image/png".into()),
                    sha256: Some(format!("{i:064}")),
                    local_path: file.map(Into::into),
                    updated_ms: 0,
                })?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    for i in 0..3 {
        sf.edit_product(
            &format!("p{i}"),
            &ProductChanges {
                featured: Some(true),
                ..Default::default()
            },
        )
        .unwrap();
    }
    sf.edit_product(
        "p2",
        &ProductChanges {
            title: Some("全网最佳陶瓷杯".into()),
            ..Default::default()
        },
    )
    .unwrap();

    let report = sf.lint().unwrap();
    assert_eq!(report.summary.products_checked, 3);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.code == lint::Code::BannedTerm
                && f.subject == lint::Subject::Product("p2".into()))
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.code == lint::Code::LogoMissing)
    );

    let font = font();
    let home = sf
        .preview(&PreviewPage::Home, DeviceProfile::Bundled, &font, "zh-CN")
        .unwrap();
    // p0's picture is really drawn: its red half sits in the first card.
    let red = home
        .rgba
        .chunks_exact(4)
        .filter(|c| c[..3] == [200, 30, 30])
        .count();
    assert!(red > 100 * 100, "{red}");
    // The variant landed in the cache under the custom folder.
    assert!(s.media.join("variants").read_dir().unwrap().count() >= 1);
    let page = sf
        .preview(
            &PreviewPage::Product("p1".into()),
            DeviceProfile::Modern,
            &font,
            "en",
        )
        .unwrap();
    assert_eq!((page.width, page.height), (1080, 2340));
    assert!(matches!(
        sf.preview(
            &PreviewPage::Product("zz".into()),
            DeviceProfile::Modern,
            &font,
            "en"
        ),
        Err(StorefrontError::NoProduct(_))
    ));
    assert_eq!(
        "product:p1".parse::<PreviewPage>().unwrap(),
        PreviewPage::Product("p1".into())
    );
    assert!("product:".parse::<PreviewPage>().is_err());
}
