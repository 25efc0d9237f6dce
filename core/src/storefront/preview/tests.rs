//! Previews drawn with the real font (Debian's fonts-droid-fallback) and real pictures.

use image::{Rgb, RgbImage};

use super::*;
use crate::domain::{ImageRole, ProductStatus};
use crate::money::Fen;

/// Debian's CJK fallback font (`apt-get install fonts-droid-fallback`), which has no Latin, so
/// DejaVu Sans (`fonts-dejavu-core`) goes first for Latin letters and digits.
pub(crate) const TEST_FONTS: [&str; 2] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
];

pub(crate) fn font() -> Font {
    Font::from_files(&TEST_FONTS).expect("install fonts-droid-fallback and fonts-dejavu-core")
}

fn image(id: &str, role: ImageRole, product: Option<&str>, position: i64) -> ProductImage {
    ProductImage {
        id: id.into(),
        product_id: product.map(Into::into),
        role,
        position,
        width: Some(800),
        height: Some(800),
        byte_len: Some(1000),
        mime: Some("image/jpeg".into()),
        sha256: None,
        local_path: Some(format!("{id}.jpg")),
        updated_ms: 0,
    }
}

fn listing(i: usize, with_picture: bool) -> ListingView {
    let id = format!("p{i}");
    ListingView {
        product: Product {
            id: id.clone(),
            title: format!("手工陶瓷马克杯 {i} 号 Handmade mug 350ml 🎁"),
            description: String::new(),
            category: "mugs".into(),
            price: Fen(5900 + i as i64),
            stock: 3,
            status: ProductStatus::Active,
            version: 1,
            updated_ms: 0,
            featured: false,
            mobile_description: String::new(),
            gallery: Vec::new(),
        },
        pictures: if with_picture {
            vec![image(&format!("{id}-0"), ImageRole::Product, Some(&id), 0)]
        } else {
            Vec::new()
        },
        mobile_description: "釉色每只略有不同，可进洗碗机。".into(),
    }
}

/// Pictures are solid colours keyed by id; ids containing "broken" are missing.
struct Solid;

impl PictureSource for Solid {
    fn picture(
        &self,
        image: &ProductImage,
        kind: crate::storefront::media::VariantKind,
    ) -> Option<RgbImage> {
        if image.id.contains("broken") {
            return None;
        }
        let color = match image.role {
            ImageRole::Banner => Rgb([0x20, 0x60, 0xC0]),
            ImageRole::Logo => Rgb([0x10, 0xA0, 0x50]),
            ImageRole::Product => Rgb([0x80, 0x30, 0x90]),
        };
        let (w, h) = match kind {
            crate::storefront::media::VariantKind::Square(s) => (s, s),
            crate::storefront::media::VariantKind::Page => (750, 300),
            crate::storefront::media::VariantKind::Upload => (1600, 640),
            crate::storefront::media::VariantKind::Cover(w, h) => (w, h),
        };
        Some(RgbImage::from_pixel(w, h, color))
    }
}

fn shop() -> ShopView {
    ShopView {
        name: "小林陶器 Kobayashi".into(),
        announcement: "新品上架，满 99 元包邮。每周三、周六发货。".into(),
        theme: [0x1E, 0x88, 0x6B],
        logo: Some(image("logo", ImageRole::Logo, None, 0)),
        banner: Some(image("banner", ImageRole::Banner, None, 0)),
    }
}

fn pixel(p: &Preview, x: u32, y: u32) -> [u8; 3] {
    let i = ((y * p.width + x) * 4) as usize;
    [p.rgba[i], p.rgba[i + 1], p.rgba[i + 2]]
}

fn count(p: &Preview, color: [u8; 3]) -> usize {
    p.rgba.chunks_exact(4).filter(|c| c[..3] == color).count()
}

/// Writes the PNG for a person to look at (target/storefront-previews/NAME.png).
fn keep(name: &str, png: &[u8]) {
    let dir = std::env::temp_dir().join("sellerkit-storefront-previews");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

#[test]
fn home_has_banner_logo_grid_and_prices_on_both_devices() {
    let font = font();
    let featured: Vec<ListingView> = (0..6).map(|i| listing(i, i != 1)).collect();
    for device in DeviceProfile::ALL {
        let p = render_home(&shop(), &featured, device, &font, &Solid, "zh-CN");
        let png = p.png().unwrap();
        keep(&format!("home-{}", device.as_str()), &png);
        let (w, h) = device.size();
        assert_eq!(
            (p.width, p.height, p.rgba.len()),
            (w, h, (w * h * 4) as usize)
        );
        let s = w / 360;
        // Header in the theme colour, banner below it.
        assert_eq!(pixel(&p, 2, 2), [0x1E, 0x88, 0x6B]);
        assert_eq!(pixel(&p, w - 5, 48 * s + 10), [0x20, 0x60, 0xC0]);
        // The logo is drawn (green), the product pictures are (purple), the missing one is a
        // placeholder (grey), and prices are in the theme colour.
        assert!(count(&p, [0x10, 0xA0, 0x50]) > 1000 * (s * s) as usize);
        let purple = count(&p, [0x80, 0x30, 0x90]);
        assert!(
            purple > (150 * s * 150 * s) as usize,
            "{purple} on {device:?}"
        );
        assert!(count(&p, [0xDD, 0xDD, 0xDD]) > (100 * s * 100 * s) as usize);
        let back = image::load_from_memory(&png).unwrap();
        assert_eq!((back.width(), back.height()), (w, h));
    }
}

#[test]
fn chinese_text_is_drawn_from_the_font() {
    let font = font();
    assert!(font.covers('陶') && font.covers('¥') && font.covers('a'));
    let cjk_only = Font::from_file(std::path::Path::new(TEST_FONTS[1])).unwrap();
    assert!(cjk_only.covers('陶') && !cjk_only.covers('a'));
    let mut view = shop();
    view.announcement.clear();
    let with_name = render_home(&view, &[], DeviceProfile::Bundled, &font, &Solid, "zh-CN");
    view.name = String::new();
    let nameless = render_home(&view, &[], DeviceProfile::Bundled, &font, &Solid, "zh-CN");
    // The name is drawn beside the logo: the two pictures differ there, in dark ink.
    let region = |p: &Preview| {
        (184..700)
            .flat_map(|x| (400..460).map(move |y| (x, y)))
            .filter(|&(x, y)| pixel(p, x, y)[0] < 0x80)
            .count()
    };
    assert!(region(&with_name) > 300, "{}", region(&with_name));
    assert!(region(&with_name) != region(&nameless));
}

#[test]
fn product_page_shows_picture_price_title_and_buy_bar() {
    let font = font();
    let mut l = listing(3, true);
    l.pictures
        .push(image("p3-1", ImageRole::Product, Some("p3"), 1));
    l.pictures
        .push(image("p3-broken", ImageRole::Product, Some("p3"), 2));
    for device in DeviceProfile::ALL {
        let p = render_product(&shop(), &l, device, &font, &Solid, "en");
        let (w, h) = device.size();
        assert_eq!(pixel(&p, w / 2, w / 4), [0x80, 0x30, 0x90]);
        assert_eq!(pixel(&p, w - 2, h - 2), [0xFF, 0xFF, 0xFF]);
        assert!(
            count(&p, [0x1E, 0x88, 0x6B]) > 1000,
            "buy button and price in the theme colour"
        );
        assert!(
            count(&p, [0xDD, 0xDD, 0xDD]) > 1000,
            "the broken gallery picture is a placeholder"
        );
        keep(&format!("product-{}", device.as_str()), &p.png().unwrap());
    }
}

#[test]
fn an_empty_shop_and_a_shop_of_5000_products_both_answer() {
    let font = font();
    let empty = ShopView {
        name: String::new(),
        announcement: String::new(),
        theme: DEFAULT_THEME,
        logo: None,
        banner: None,
    };
    let p = render_home(
        &empty,
        &[],
        DeviceProfile::Bundled,
        &font,
        &NoPictures,
        "zh-CN",
    );
    assert_eq!(pixel(&p, 2, 2), DEFAULT_THEME);
    assert!(
        count(&p, [0xDD, 0xDD, 0xDD]) > 720 * 200,
        "banner placeholder"
    );
    let many: Vec<ListingView> = (0..5000).map(|i| listing(i, true)).collect();
    let p = render_home(
        &shop(),
        &many,
        DeviceProfile::Bundled,
        &font,
        &Solid,
        "zh-CN",
    );
    assert_eq!(p.rgba.len(), 720 * 1280 * 4);
}

#[test]
fn a_broken_font_is_a_typed_error() {
    assert!(matches!(
        Font::from_bytes(b"not a font".to_vec()),
        Err(PreviewError::BadFont)
    ));
    assert!(matches!(
        Font::from_file(std::path::Path::new("/nonexistent.ttf")),
        Err(PreviewError::FontFile { .. })
    ));
}

#[test]
fn long_titles_wrap_and_end_with_an_ellipsis() {
    let font = font();
    let lines = font.wrap(&"陶".repeat(100), 26.0, 300.0, 2);
    assert_eq!(lines.len(), 2);
    assert!(lines[1].ends_with('…'));
    assert!(lines.iter().all(|l| font.width(l, 26.0) <= 300.0));
    assert_eq!(font.wrap("短", 26.0, 300.0, 2), ["短"]);
    let latin = font.wrap("Handmade ceramic mug with a glaze", 26.0, 200.0, 5);
    assert!(latin.iter().all(|l| !l.starts_with(' ')), "{latin:?}");
    assert!(
        latin.len() > 1 && latin[0].ends_with(|c: char| c.is_alphabetic()),
        "{latin:?}"
    );
    assert_eq!(parse_color("#1E886B"), Some([0x1E, 0x88, 0x6B]));
    assert_eq!(parse_color("1E886B"), None);
    assert_eq!(parse_color("#12345é"), None);
}
