use super::*;
use crate::domain::Tier;

pub(crate) fn product(id: &str, title: &str, price: i64) -> Product {
    Product {
        id: id.into(),
        title: title.into(),
        description: String::new(),
        category: "mugs".into(),
        price: Fen(price),
        stock: 5,
        status: ProductStatus::Active,
        version: 1,
        updated_ms: 0,
        featured: false,
        mobile_description: String::new(),
        gallery: Vec::new(),
    }
}

pub(crate) fn picture(product_id: &str, position: i64, w: i64, h: i64, len: i64) -> ProductImage {
    ProductImage {
        id: format!("{product_id}-{position}"),
        product_id: Some(product_id.into()),
        role: ImageRole::Product,
        position,
        width: Some(w),
        height: Some(h),
        byte_len: Some(len),
        mime: Some("image/jpeg".into()),
        sha256: None,
        local_path: None,
        updated_ms: 0,
    }
}

fn codes(findings: &[Finding]) -> Vec<Code> {
    findings.iter().map(|f| f.code).collect()
}

fn good_gallery(id: &str) -> Vec<ProductImage> {
    (0..3).map(|p| picture(id, p, 800, 800, 200_000)).collect()
}

#[test]
fn mobile_ready_image_needs_size_square_and_small_file() {
    assert!(image_is_mobile_ready(&picture(
        "p",
        0,
        800,
        800,
        IMAGE_MAX_BYTES
    )));
    assert!(image_is_mobile_ready(&picture("p", 0, 1600, 1600, 1)));
    assert!(!image_is_mobile_ready(&picture("p", 0, 799, 799, 1)));
    assert!(!image_is_mobile_ready(&picture("p", 0, 800, 801, 1)));
    assert!(!image_is_mobile_ready(&picture(
        "p",
        0,
        800,
        800,
        IMAGE_MAX_BYTES + 1
    )));
    let mut unknown = picture("p", 0, 800, 800, 1);
    unknown.width = None;
    assert!(!image_is_mobile_ready(&unknown));
}

#[test]
fn a_clean_listing_has_no_findings() {
    let p = product("p1", "手工陶瓷马克杯 350ml", 5900);
    assert_eq!(lint_product(&p, &good_gallery("p1")), []);
}

#[test]
fn each_listing_rule_reports_its_field_and_both_languages() {
    let mut p = product("p1", &"茶".repeat(31), 0);
    p.description = "国家级非遗工艺，全网最佳".into();
    let images = vec![picture("p1", 0, 640, 480, 4_000_000)];
    let found = lint_product(&p, &images);
    assert_eq!(
        codes(&found),
        [
            Code::TitleTooLong,
            Code::BannedTerm,
            Code::BannedTerm,
            Code::PriceMissing,
            Code::MainImageTooSmall,
            Code::MainImageNotSquare,
            Code::ImageFileTooLarge,
            Code::GalleryTooFew,
        ]
    );
    let title = &found[0];
    assert_eq!(
        (title.severity, title.field),
        (Severity::Error, Field::Title)
    );
    assert_eq!(title.subject, Subject::Product("p1".into()));
    assert!(
        title.message.zh.contains("31 个字、62 字节"),
        "{}",
        title.message.zh
    );
    assert!(
        title.message.en.contains("31 characters and 62 bytes"),
        "{}",
        title.message.en
    );
    assert!(found[1].message.zh.contains("国家级") && found[2].message.en.contains("最佳"));
    assert_eq!(found[1].field, Field::Description);
    for f in &found {
        assert!(
            !f.fix.zh.is_empty() && f.fix.zh.chars().any(|c| c > '\u{2E80}'),
            "{:?}",
            f.fix
        );
        assert!(
            !f.fix.en.is_empty() && f.fix.en.is_ascii()
                || f.fix.en.contains('×')
                || f.fix.en.contains('"')
        );
    }
}

#[test]
fn gallery_order_decides_the_main_image() {
    // Position 0 is small; the big square at position 1 does not rescue it.
    let images = vec![
        picture("p1", 1, 1000, 1000, 1),
        picture("p1", 0, 500, 500, 1),
        picture("p1", 2, 900, 900, 1),
    ];
    let found = lint_product(&product("p1", "杯子", 100), &images);
    assert_eq!(codes(&found), [Code::MainImageTooSmall]);
    // Other products' pictures are ignored.
    let found = lint_product(&product("p2", "杯子", 100), &images);
    assert_eq!(codes(&found), [Code::MainImageMissing]);
}

#[test]
fn titles_with_emoji_marks_and_mixed_scripts() {
    let found = lint_product(
        &product("p", "🎁 Café 陶瓷杯 e\u{301}", 100),
        &good_gallery("p"),
    );
    assert_eq!(found, []);
    let found = lint_product(&product("p", &"👨‍👩‍👧".repeat(31), 100), &good_gallery("p"));
    assert_eq!(codes(&found), [Code::TitleTooLong]);
    let found = lint_product(&product("p", "   ", 100), &good_gallery("p"));
    assert_eq!(codes(&found), [Code::TitleEmpty]);
    let found = lint_product(&product("p", "Top1 超值 最近上新", 100), &good_gallery("p"));
    assert_eq!(codes(&found), [Code::BannedTerm]);
}

#[test]
fn archived_products_are_not_linted_and_prices_are_checked() {
    let mut p = product("p", "", 0);
    p.status = ProductStatus::Archived;
    assert_eq!(lint_product(&p, &[]), []);
    let found = lint_product(
        &product("p", "杯", PRICE_MAX_PLAUSIBLE.0 + 1),
        &good_gallery("p"),
    );
    assert_eq!(codes(&found), [Code::PriceImplausible]);
    assert_eq!(found[0].severity, Severity::Warning);
}

fn shop(name: &str) -> ShopProfile {
    ShopProfile {
        shop_id: "s".into(),
        name: name.into(),
        description: String::new(),
        logo_image_id: Some("logo".into()),
        banner_image_id: Some("banner".into()),
        time_zone: "Asia/Shanghai".into(),
        tier: Tier::Basic,
        version: 1,
        updated_ms: 0,
        theme_color: None,
    }
}

fn shop_image(id: &str, role: ImageRole, w: i64, h: i64) -> ProductImage {
    ProductImage {
        id: id.into(),
        product_id: None,
        role,
        ..picture("x", 0, w, h, 1000)
    }
}

#[test]
fn shop_rules() {
    let ok = [
        shop_image("logo", ImageRole::Logo, 400, 400),
        shop_image("banner", ImageRole::Banner, 750, 300),
    ];
    assert_eq!(
        lint_shop(&shop("小林陶器"), "新品上架，满 99 包邮", &ok),
        []
    );

    let bad = [
        shop_image("logo", ImageRole::Logo, 400, 300),
        shop_image("banner", ImageRole::Banner, 750, 750),
    ];
    let found = lint_shop(&shop(&"店".repeat(21)), "全国第一", &bad);
    assert_eq!(
        codes(&found),
        [
            Code::ShopNameTooLong,
            Code::BannedTerm,
            Code::LogoUnfit,
            Code::BannerUnfit
        ]
    );
    assert_eq!(found[1].field, Field::Announcement);
    assert!(found.iter().all(|f| f.subject == Subject::Shop));

    let mut empty = shop(" ");
    empty.logo_image_id = None;
    empty.banner_image_id = Some("gone".into());
    let found = lint_shop(&empty, "", &[]);
    assert_eq!(
        codes(&found),
        [Code::ShopNameEmpty, Code::LogoMissing, Code::BannerMissing]
    );
}

#[test]
fn summary_counts_by_severity_and_clean_products() {
    let mut summary = LintSummary::default();
    summary.add_product(&lint_product(&product("a", "杯", 100), &good_gallery("a")));
    summary.add_product(&lint_product(&product("b", "最佳杯", 0), &[]));
    assert_eq!(
        summary,
        LintSummary {
            products_checked: 2,
            products_clean: 1,
            errors: 3,
            warnings: 0,
            infos: 0
        }
    );
}

#[test]
fn localized_pick_follows_the_shell_language_tag() {
    let t = Localized::new("中", "en");
    assert_eq!(t.pick("en-GB"), "en");
    assert_eq!(t.pick("zh-Hans-CN"), "中");
    assert_eq!(t.pick(""), "中");
}
