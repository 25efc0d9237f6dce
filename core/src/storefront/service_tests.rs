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
                theme_color: None,
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
                    featured: false,
                    mobile_description: String::new(),
                    gallery: Vec::new(),
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
    // Every field syncs, the phone's presentation ones included.
    assert_eq!(
        payload,
        serde_json::json!({"title": "新标题", "price": 6900, "featured": true,
                           "mobile_description": "可进洗碗机"})
    );
    assert_eq!(
        settings,
        crate::store::ListingSettings {
            featured: true,
            mobile_description: "可进洗碗机".into()
        }
    );
    assert!(stored.featured);

    // A featured flag alone is queued too.
    sf.edit_product(
        "p2",
        &ProductChanges {
            featured: Some(true),
            ..Default::default()
        },
    )
    .unwrap();
    let outbox = s.store.read(|db| db.sync().pending(10)).unwrap();
    assert_eq!(outbox.len(), 2);
    assert_eq!(outbox[1].payload, r#"{"featured":true}"#);
    // No change at all queues nothing.
    sf.edit_product("p2", &ProductChanges::default()).unwrap();
    assert_eq!(s.store.read(|db| db.sync().pending_count()).unwrap(), 2);
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
    let payload: Value = serde_json::from_str(&outbox[0].payload).unwrap();
    assert_eq!(
        payload,
        serde_json::json!({"name": "小林陶器 旗舰店", "description": "周三发货",
                           "theme_color": "#1E886B"})
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

#[test]
fn the_reads_give_what_an_edit_form_starts_from() {
    let s = shop();
    let sf = Storefront::new(&s.store, &s.clock, &s.media);
    let edited = sf
        .edit_product(
            "p1",
            &ProductChanges {
                title: Some("手工杯".into()),
                published: Some(false),
                mobile_description: Some("可进洗碗机".into()),
                ..Default::default()
            },
        )
        .unwrap();
    // The unsynced edit is what the form shows.
    assert_eq!(sf.listing("p1").unwrap(), edited);
    assert_eq!(sf.listing("p1").unwrap().status, ProductStatus::Draft);
    assert!(matches!(
        sf.listing("nope"),
        Err(StorefrontError::NoProduct(id)) if id == "nope"
    ));

    let shop = sf
        .edit_shop(&ShopChanges {
            theme_color: Some("#1e886b".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(sf.shop().unwrap(), Some(shop));
    let empty = Store::open(s._dir.path().join("empty.db")).unwrap();
    let bare = Storefront::new(&empty, &s.clock, &s.media);
    assert_eq!(bare.shop().unwrap(), None);
    assert!(bare.listings(None, 10).unwrap().is_empty());
}

#[test]
fn a_form_that_sends_every_field_queues_only_the_changed_ones() {
    let s = shop();
    let sf = Storefront::new(&s.store, &s.clock, &s.media);
    let p = sf.listing("p2").unwrap();
    let same = ProductChanges {
        title: Some(format!(" {} ", p.title)),
        price: Some(p.price),
        description: Some(p.description.clone()),
        published: Some(true),
        featured: Some(p.featured),
        mobile_description: Some(p.mobile_description.clone()),
    };
    assert_eq!(sf.edit_product("p2", &same).unwrap(), p, "nothing changes");
    let shop = sf.shop().unwrap().unwrap();
    let same_shop = ShopChanges {
        name: Some(shop.name.clone()),
        announcement: Some(shop.description.clone()),
        theme_color: None,
    };
    assert_eq!(sf.edit_shop(&same_shop).unwrap(), shop);
    assert!(outbox(&s).is_empty(), "an unchanged form queues nothing");

    sf.edit_product(
        "p2",
        &ProductChanges {
            price: Some(Fen(100)),
            ..same
        },
    )
    .unwrap();
    sf.edit_shop(&ShopChanges {
        theme_color: Some("#0a7f5a".into()),
        ..same_shop.clone()
    })
    .unwrap();
    sf.edit_shop(&ShopChanges {
        theme_color: Some("#0A7F5A".into()),
        ..same_shop
    })
    .unwrap();
    let queued = outbox(&s);
    let payloads: Vec<Value> = queued
        .iter()
        .map(|m| serde_json::from_str(&m.payload).unwrap())
        .collect();
    assert_eq!(
        payloads,
        vec![
            serde_json::json!({"price": 100}),
            serde_json::json!({"theme_color": "#0A7F5A"})
        ],
        "only the changed field, once"
    );
}

#[test]
fn the_listings_page_by_id_without_gaps_or_repeats_and_the_page_is_capped() {
    let s = shop();
    s.store
        .write(|db| {
            // Ids that sort differently as numbers and as text, and a draft and an archived
            // listing: every status is listed.
            for i in 3..=MAX_LISTINGS_PAGE + 3 {
                let mut p = db.catalog().product("p0")?.unwrap();
                p.id = format!("p{i}");
                p.status = match i % 3 {
                    0 => ProductStatus::Draft,
                    1 => ProductStatus::Archived,
                    _ => ProductStatus::Active,
                };
                db.catalog().put_product(&p)?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let total = MAX_LISTINGS_PAGE as usize + 4;
    let sf = Storefront::new(&s.store, &s.clock, &s.media);

    let mut ids: Vec<String> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = sf.listings(after.as_deref(), 7).unwrap();
        assert!(page.len() <= 7);
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        ids.extend(page.into_iter().map(|p| p.id));
    }
    let mut expected: Vec<String> = (0..total).map(|i| format!("p{i}")).collect();
    expected.sort();
    assert_eq!(ids, expected, "every listing once, in id order");

    // Asking for more than the cap gives a capped page; the rest follows it.
    let first = sf.listings(None, u32::MAX).unwrap();
    assert_eq!(first.len(), MAX_LISTINGS_PAGE as usize);
    let rest = sf
        .listings(Some(&first.last().unwrap().id), u32::MAX)
        .unwrap();
    assert_eq!(first.len() + rest.len(), total);
    assert!(
        sf.listings(Some(&rest.last().unwrap().id), 10)
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        sf.listings(None, 0),
        Err(StorefrontError::Invalid { field: "limit", .. })
    ));
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
        featured: false,
        mobile_description: String::new(),
        gallery: Vec::new(),
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

/// Writes a `w`x`h` two-colour PNG (left half red) to `path`.
fn photo_file(path: &Path, w: u32, h: u32) {
    RgbImage::from_fn(w, h, |x, _| {
        if x < w / 2 {
            Rgb([200, 30, 30])
        } else {
            Rgb([30, 30, 200])
        }
    })
    .save(path)
    .unwrap();
}

fn outbox(s: &Shop) -> Vec<crate::domain::OutboxEntry> {
    s.store.read(|db| db.sync().pending(100)).unwrap()
}

#[test]
fn an_added_photo_becomes_a_jpeg_of_at_most_1600_px_in_the_configured_media_folder_and_queues_nothing()
 {
    let s = shop();
    let sf = Storefront::new(&s.store, &s.clock, &s.media);
    let picked = s._dir.path().join("camera.png");
    photo_file(&picked, 2000, 2000);
    let id = sf.add_photo(&picked).unwrap();
    assert!(id.starts_with("img-"), "{id}");
    let photo = s
        .store
        .read(|db| db.storefront().photo(&id))
        .unwrap()
        .unwrap();
    assert_eq!((photo.width, photo.height), (1600, 1600));
    assert_eq!(photo.mime, "image/jpeg");
    // The file is in the configured folder, under the recorded name, with the recorded hash.
    let bytes = std::fs::read(s.media.join(&photo.file)).unwrap();
    assert_eq!(hex::encode(Sha256::digest(&bytes)), photo.sha256);
    assert_eq!(bytes.len() as i64, photo.byte_len);
    assert_eq!(sf.pending_photos().unwrap(), 1);
    // Not placed yet: nothing to upload.
    assert!(outbox(&s).is_empty());
}

#[test]
fn placing_a_photo_queues_its_upload_before_the_edit_that_uses_it() {
    let s = shop();
    let sf = Storefront::new(&s.store, &s.clock, &s.media);
    let picked = s._dir.path().join("camera.png");
    photo_file(&picked, 1000, 800);
    let a = sf.add_photo(&picked).unwrap();
    let b = sf.add_photo(&picked).unwrap();
    let p = sf.set_main_image("p1", &a).unwrap();
    assert_eq!(p.gallery, vec![a.clone()]);
    let p = sf.set_main_image("p1", &b).unwrap();
    assert_eq!(p.gallery, vec![b.clone(), a.clone()]);
    let queued = outbox(&s);
    let kinds: Vec<(&str, &str)> = queued
        .iter()
        .map(|e| (e.kind.as_str(), e.entity_id.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (MEDIA_UPLOAD_KIND, a.as_str()),
            (PRODUCT_EDIT, "p1"),
            (MEDIA_UPLOAD_KIND, b.as_str()),
            (PRODUCT_EDIT, "p1"),
        ]
    );
    let upload: MediaUploadPayload = serde_json::from_str(&queued[2].payload).unwrap();
    assert_eq!(
        (upload.role, upload.product_id.as_deref(), upload.position),
        (ImageRole::Product, Some("p1"), 0)
    );
    assert!(s.media.join(&upload.file).is_file());
    let edit: Value = serde_json::from_str(&queued[3].payload).unwrap();
    assert_eq!(edit, serde_json::json!({ "gallery": [b, a] }));
    assert_eq!(queued[3].base_version, Some(7));
    // The local pictures follow the order: b is the main picture, its file is local.
    let images = s.store.read(|db| db.catalog().images_of("p1")).unwrap();
    assert_eq!(
        images.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        [b.as_str(), a.as_str()]
    );
    assert_eq!(images[0].local_path.as_deref(), Some(upload.file.as_str()));
    // Reordering uploads nothing again; a placed photo cannot be placed elsewhere.
    sf.set_gallery("p1", std::slice::from_ref(&a)).unwrap();
    let queued = outbox(&s);
    assert_eq!(queued.len(), 5);
    assert_eq!(queued[4].payload, format!(r#"{{"gallery":["{a}","{b}"]}}"#));
    assert!(matches!(
        sf.set_main_image("p2", &a),
        Err(StorefrontError::NoPhoto(_))
    ));
    assert!(matches!(
        sf.set_gallery("p1", &[a.clone(), a.clone()]),
        Err(StorefrontError::Invalid {
            field: "gallery",
            ..
        })
    ));
    assert_eq!(sf.pending_photos().unwrap(), 0);
}

#[test]
fn logo_and_banner_photos_are_uploaded_then_set_on_the_profile() {
    let s = shop();
    let sf = Storefront::new(&s.store, &s.clock, &s.media);
    let picked = s._dir.path().join("logo.png");
    photo_file(&picked, 400, 400);
    let logo = sf.add_photo(&picked).unwrap();
    let banner = sf.add_photo(&picked).unwrap();
    let shop = sf.set_logo(&logo).unwrap();
    assert_eq!(shop.logo_image_id.as_deref(), Some(logo.as_str()));
    let shop = sf.set_banner(&banner).unwrap();
    assert_eq!(shop.banner_image_id.as_deref(), Some(banner.as_str()));
    let queued = outbox(&s);
    assert_eq!(queued.len(), 4);
    assert_eq!(
        (queued[0].kind.as_str(), queued[1].kind.as_str()),
        (MEDIA_UPLOAD_KIND, SHOP_EDIT)
    );
    assert_eq!(
        queued[3].payload,
        format!(r#"{{"banner_image_id":"{banner}"}}"#)
    );
    // The logo image cannot become the banner.
    assert!(matches!(
        sf.set_banner(&logo),
        Err(StorefrontError::NoPhoto(_))
    ));
}

#[test]
fn a_corrupt_or_gigantic_photo_is_refused_and_nothing_is_stored_or_queued() {
    let s = shop();
    let sf = Storefront::new(&s.store, &s.clock, &s.media);
    let dir = s._dir.path();
    let text = dir.join("notes.jpg");
    std::fs::write(&text, b"this is not a picture at all").unwrap();
    let truncated = dir.join("cut.png");
    photo_file(&truncated, 300, 300);
    let bytes = std::fs::read(&truncated).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let giant = dir.join("giant.png");
    std::fs::write(
        &giant,
        crate::storefront::media::tests::png_declaring(
            100_000,
            100_000,
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        ),
    )
    .unwrap();
    let missing = dir.join("nowhere.png");
    for (path, expect) in [
        (&text, "not a picture"),
        (&truncated, "damaged"),
        (&giant, "too large"),
        (&missing, "nowhere.png"),
    ] {
        let err = sf.add_photo(path).unwrap_err();
        assert!(matches!(err, StorefrontError::Photo(_)), "{err:?}");
        assert!(err.to_string().contains(expect), "{path:?}: {err}");
    }
    assert_eq!(sf.pending_photos().unwrap(), 0);
    assert!(outbox(&s).is_empty());
    assert_eq!(std::fs::read_dir(&s.media).unwrap().count(), 0);
}

#[test]
fn a_main_picture_added_on_the_phone_passes_the_main_picture_size_rule() {
    let s = shop();
    let sf = Storefront::new(&s.store, &s.clock, &s.media);
    let picked = s._dir.path().join("camera.png");
    photo_file(&picked, 3000, 3000);
    let id = sf.add_photo(&picked).unwrap();
    sf.set_main_image("p1", &id).unwrap();
    let report = sf.lint().unwrap();
    let too_small: Vec<_> = report
        .findings
        .iter()
        .filter(|f| {
            f.subject == lint::Subject::Product("p1".into())
                && f.code == lint::Code::MainImageTooSmall
        })
        .collect();
    assert!(too_small.is_empty(), "{too_small:?}");
}
