//! The storefront through the core service: the configured fonts and media folder are the
//! ones used, and failures carry a stable code and the seller's words in both languages.

use std::path::Path;
use std::sync::Arc;

use image::{Rgb, RgbImage};

use super::*;
use crate::app::{AppConfig, ErrorCode};
use crate::domain::{ImageRole, ProductImage, ProductStatus, Tier};
use crate::locale::Language;
use crate::money::Fen;
use crate::store::StoreError;
use crate::storefront::preview::tests::TEST_FONTS;
use crate::sync::secrets::MemorySecretStore;

fn open(dir: &Path, fonts: &[&str], language: Language) -> App {
    let mut config = AppConfig::new(
        dir.join("db/sellerkit.db"),
        Arc::new(MemorySecretStore::default()),
    );
    // A media folder elsewhere than `media/` beside the database.
    config.media_dir = Some(dir.join("pictures"));
    config.font_paths = fonts.iter().map(PathBuf::from).collect();
    config.language = language;
    App::open(config).unwrap()
}

/// A synced shop as the sync would leave it: profile, one listing with a real picture in
/// the configured media folder.
fn seed(app: &App) {
    std::fs::create_dir_all(app.media_dir()).unwrap();
    RgbImage::from_pixel(800, 800, Rgb([200, 30, 30]))
        .save(app.media_dir().join("img0.png"))
        .unwrap();
    app.store()
        .write(|db| {
            db.shop().put(&ShopProfile {
                shop_id: "shop_a".into(),
                name: "小林陶器".into(),
                description: "全场包邮".into(),
                logo_image_id: None,
                banner_image_id: None,
                time_zone: "Asia/Shanghai".into(),
                tier: Tier::Standard,
                theme_color: None,
                version: 3,
                updated_ms: 0,
            })?;
            db.catalog().put_product(&Product {
                id: "p0".into(),
                title: "全网最好的陶瓷杯".into(),
                description: String::new(),
                category: "mugs".into(),
                price: Fen(5900),
                stock: 1,
                status: ProductStatus::Active,
                featured: false,
                mobile_description: String::new(),
                gallery: Vec::new(),
                version: 7,
                updated_ms: 0,
            })?;
            db.catalog().put_image(&ProductImage {
                id: "img0".into(),
                product_id: Some("p0".into()),
                role: ImageRole::Product,
                position: 0,
                width: Some(800),
                height: Some(800),
                byte_len: Some(1000),
                mime: Some("image/png".into()),
                sha256: Some(format!("{:064}", 0)),
                local_path: Some("img0.png".into()),
                updated_ms: 0,
            })?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
}

#[tokio::test]
async fn the_preview_uses_the_configured_fonts_and_media_folder() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path(), &TEST_FONTS, Language::ZhCn);
    seed(&app);
    for (device, size) in [
        (DeviceProfile::Bundled, (720, 1280)),
        (DeviceProfile::Modern, (1080, 2340)),
    ] {
        let p = app
            .storefront_preview(PreviewPage::Product("p0".into()), device)
            .await
            .unwrap();
        assert_eq!((p.width, p.height), size);
        let decoded = image::load_from_memory(&p.png).unwrap();
        assert_eq!((decoded.width(), decoded.height()), size);
        // The picture of the configured folder is drawn, not a placeholder.
        let red = decoded
            .to_rgb8()
            .pixels()
            .filter(|px| px.0 == [200, 30, 30])
            .count();
        assert!(red > 100 * 100, "{red} red pixels");
    }
    assert!(
        app.media_dir().join("variants").read_dir().unwrap().count() >= 1,
        "variants are cached under the configured media folder"
    );
    let home = app
        .storefront_preview(PreviewPage::Home, DeviceProfile::Bundled)
        .await
        .unwrap();
    assert_eq!((home.width, home.height), (720, 1280));
}

#[tokio::test]
async fn a_preview_without_fonts_or_shop_or_product_says_why_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let bare = open(dir.path(), &[], Language::En);
    seed(&bare);
    let e = bare
        .storefront_preview(PreviewPage::Home, DeviceProfile::Bundled)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e:?}");
    assert!(e.message(Language::En).contains("font"), "{e}");
    assert!(e.message(Language::ZhCn).contains("字体"), "{e}");

    let missing = open(dir.path(), &["/nonexistent/font.ttf"], Language::En);
    let e = missing
        .storefront_preview(PreviewPage::Home, DeviceProfile::Bundled)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Io, "{e:?}");

    let fonts = open(dir.path(), &TEST_FONTS, Language::En);
    let e = fonts
        .storefront_preview(PreviewPage::Product("nope".into()), DeviceProfile::Bundled)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e:?}");
    assert!(e.message(Language::ZhCn).contains("nope"));

    let empty_dir = tempfile::tempdir().unwrap();
    let empty = open(empty_dir.path(), &TEST_FONTS, Language::En);
    let e = empty
        .storefront_preview(PreviewPage::Home, DeviceProfile::Bundled)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotActivated, "{e:?}");
    assert!(e.message(Language::ZhCn).contains("同步"));
}

#[test]
fn edits_lint_and_conflicts_go_through_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path(), &TEST_FONTS, Language::ZhCn);
    seed(&app);
    let report = app.storefront_lint().unwrap();
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.code.as_str() == "banned_term"),
        "{report:?}"
    );
    let p = app
        .edit_product(
            "p0",
            &ProductChanges {
                title: Some("手工陶瓷杯".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(p.title, "手工陶瓷杯");
    assert_eq!(app.store().status().unwrap().counts.outbox, 1);
    assert!(
        !app.storefront_lint()
            .unwrap()
            .findings
            .iter()
            .any(|f| f.code.as_str() == "banned_term")
    );
    let shop = app
        .edit_shop(&ShopChanges {
            announcement: Some("新品上架".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(shop.description, "新品上架");
    assert_eq!(app.store().status().unwrap().counts.outbox, 2);

    // A refused value writes nothing and reads in the seller's language.
    let e = app
        .edit_product(
            "p0",
            &ProductChanges {
                title: Some("  ".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.message(Language::ZhCn).contains("标题"), "{e}");
    assert!(e.message(Language::En).contains("title"), "{e}");
    assert_eq!(app.store().status().unwrap().counts.outbox, 2);

    assert!(app.storefront_conflicts().unwrap().is_empty());
    let e = app.keep_server(42).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let e = app.reapply(42).unwrap_err();
    assert!(e.message(Language::En).contains("#42"), "{e}");
}

#[test]
fn the_reads_go_through_the_app_and_an_unknown_listing_reads_like_an_unknown_edit() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path(), &[], Language::ZhCn);
    assert_eq!(
        app.storefront_shop().unwrap(),
        None,
        "no shop before the first sync"
    );
    seed(&app);

    let edited = app
        .edit_product(
            "p0",
            &ProductChanges {
                price: Some(Fen(6900)),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(app.storefront_listing("p0").unwrap(), edited);
    assert_eq!(app.storefront_listings(None, 10).unwrap(), vec![edited]);
    assert!(app.storefront_listings(Some("p0"), 10).unwrap().is_empty());
    let shop = app
        .edit_shop(&ShopChanges {
            name: Some("小林陶器 旗舰店".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(app.storefront_shop().unwrap(), Some(shop));

    let read = app.storefront_listing("nope").unwrap_err();
    let edit = app
        .edit_product("nope", &ProductChanges::default())
        .unwrap_err();
    assert_eq!(read.code(), ErrorCode::InvalidInput, "{read:?}");
    assert_eq!(read.code(), edit.code());
    for language in [Language::ZhCn, Language::En] {
        assert_eq!(read.message(language), edit.message(language));
        assert!(read.message(language).contains("nope"), "{read}");
    }
    assert!(read.message(Language::ZhCn).contains("找不到商品"));
    assert!(read.message(Language::En).contains("not on this phone"));

    let e = app.storefront_listings(None, 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e:?}");
}

#[test]
fn a_conflict_lists_each_field_with_both_values() {
    use crate::domain::ConflictOutcome;
    let c = Conflict {
        id: 1,
        mutation_id: 1,
        kind: "product_edit".into(),
        entity_id: "p0".into(),
        outcome: ConflictOutcome::Conflict,
        reason: "stale".into(),
        server_state: Some(r#"{"title": "服务器标题", "price": 6900, "status": "draft"}"#.into()),
        payload: r#"{"title": "我的标题", "price": 5900, "status": "active"}"#.into(),
        created_ms: 0,
        resolved_ms: None,
    };
    let fields = conflict_fields(&c);
    let get = |f: &str| fields.iter().find(|x| x.field == f).cloned().unwrap();
    assert_eq!(get("title").yours, "我的标题");
    assert_eq!(get("title").server.as_deref(), Some("服务器标题"));
    assert_eq!(get("price").yours, "¥59.00");
    assert_eq!(get("published").server.as_deref(), Some("false"));
    let broken = Conflict {
        payload: "not json".into(),
        server_state: Some("[1".into()),
        ..c
    };
    assert!(conflict_fields(&broken).is_empty());
}

#[tokio::test]
async fn the_fonts_are_read_once_and_a_failed_font_is_tried_again() {
    let dir = tempfile::tempdir().unwrap();
    let fonts = dir.path().join("fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    let copies: Vec<PathBuf> = (0..TEST_FONTS.len())
        .map(|i| fonts.join(format!("{i}.ttf")))
        .collect();
    let names: Vec<&str> = copies.iter().map(|p| p.to_str().unwrap()).collect();
    let app = open(dir.path(), &names, Language::En);
    seed(&app);
    // Not there yet: the preview fails, and nothing is kept.
    let e = app
        .storefront_preview(PreviewPage::Home, DeviceProfile::Bundled)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Io, "{e:?}");
    // The shell puts the files in place: the next preview reads them.
    for (src, dst) in TEST_FONTS.iter().zip(&copies) {
        std::fs::copy(src, dst).unwrap();
    }
    let first = app
        .storefront_preview(PreviewPage::Home, DeviceProfile::Bundled)
        .await
        .unwrap();
    // Kept in memory: gone from the disk, the fonts still draw the same picture.
    std::fs::remove_dir_all(&fonts).unwrap();
    let again = app
        .storefront_preview(PreviewPage::Home, DeviceProfile::Bundled)
        .await
        .unwrap();
    assert_eq!(first.png, again.png);
}
