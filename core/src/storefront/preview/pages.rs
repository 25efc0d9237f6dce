//! The two pages: the shop's home and a product page.

use image::RgbImage;

use super::canvas::Canvas;
use super::text::Font;
use super::{DeviceProfile, ListingView, PictureSource, Preview, ShopView};
use crate::domain::ProductImage;
use crate::storefront::media::VariantKind;
use crate::storefront::media::variants::resize_rgb;

const BACKGROUND: [u8; 3] = [0xF4, 0xF4, 0xF4];
const WHITE: [u8; 3] = [0xFF, 0xFF, 0xFF];
const INK: [u8; 3] = [0x22, 0x22, 0x22];
const GREY: [u8; 3] = [0x88, 0x88, 0x88];
const PLACEHOLDER: [u8; 3] = [0xDD, 0xDD, 0xDD];
const PLACEHOLDER_MARK: [u8; 3] = [0xBB, 0xBB, 0xBB];

/// Layout state: the device's scale and the language of the labels.
struct Page<'a> {
    canvas: Canvas,
    font: &'a Font,
    pictures: &'a dyn PictureSource,
    /// Pixels per layout point.
    s: f32,
    zh: bool,
}

impl Page<'_> {
    fn px(&self, points: f32) -> i64 {
        (points * self.s).round() as i64
    }

    fn label(&self, zh: &'static str, en: &'static str) -> &'static str {
        if self.zh { zh } else { en }
    }

    /// Draws wrapped text; returns the height used, in pixels.
    // Position, size, box and colour read best as plain arguments at the call sites.
    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        text: &str,
        x: f32,
        y: i64,
        size: f32,
        max_w: f32,
        lines: usize,
        color: [u8; 3],
    ) -> i64 {
        let px = size * self.s;
        let lh = self.font.line_height(px);
        let wrapped = self.font.wrap(text, px, max_w * self.s, lines);
        for (i, line) in wrapped.iter().enumerate() {
            self.font.draw(
                &mut self.canvas,
                line,
                x * self.s,
                y as f32 + i as f32 * lh,
                px,
                color,
            );
        }
        (wrapped.len() as f32 * lh).ceil() as i64
    }

    fn centred(&mut self, text: &str, cx: i64, y: i64, size: f32, color: [u8; 3]) {
        let px = size * self.s;
        let w = self.font.width(text, px);
        self.font.draw(
            &mut self.canvas,
            text,
            cx as f32 - w / 2.0,
            y as f32,
            px,
            color,
        );
    }

    /// A picture filling `w`x`h` pixels at (`x`, `y`), or a placeholder.
    fn picture(&mut self, image: Option<&ProductImage>, x: i64, y: i64, w: i64, h: i64) {
        let kind = if w == h {
            VariantKind::Square(w as u32)
        } else {
            VariantKind::Page
        };
        let pic = image
            .and_then(|i| self.pictures.picture(i, kind))
            .and_then(|p| fill(&p, w as u32, h as u32));
        match pic {
            Some(p) => self.canvas.blit(&p, x, y),
            None => self.placeholder(x, y, w, h),
        }
    }

    /// Grey box with a simple "mountain and sun" mark, as apps show a picture that is not there.
    fn placeholder(&mut self, x: i64, y: i64, w: i64, h: i64) {
        self.canvas.fill(x, y, w, h, PLACEHOLDER);
        let m = w.min(h) / 3;
        let (cx, cy) = (x + w / 2, y + h / 2);
        for row in 0..m / 2 {
            let half = row;
            self.canvas.fill(
                cx - half,
                cy - m / 4 + row,
                2 * half + 1,
                1,
                PLACEHOLDER_MARK,
            );
        }
        self.canvas
            .fill_circle(cx + m / 4, cy - m / 2, (m / 4).max(1), PLACEHOLDER_MARK);
    }

    fn finish(self) -> Preview {
        let (width, height) = self.canvas.image.dimensions();
        Preview {
            width,
            height,
            rgba: self.canvas.image.into_raw(),
        }
    }
}

/// Scales and centre-crops `src` to exactly `w`x`h`; `None` if that is impossible.
fn fill(src: &RgbImage, w: u32, h: u32) -> Option<RgbImage> {
    if src.dimensions() == (w, h) {
        return Some(src.clone());
    }
    let (sw, sh) = (f64::from(src.width()), f64::from(src.height()));
    if sw < 1.0 || sh < 1.0 || w == 0 || h == 0 {
        return None;
    }
    let target = f64::from(w) / f64::from(h);
    let (cw, ch) = if sw / sh > target {
        (sh * target, sh)
    } else {
        (sw, sw / target)
    };
    let cropped = crop_rect(src, (sw - cw) / 2.0, (sh - ch) / 2.0, cw, ch);
    resize_rgb(&cropped, w, h, None).ok()
}

fn crop_rect(src: &RgbImage, left: f64, top: f64, w: f64, h: f64) -> RgbImage {
    image::imageops::crop_imm(
        src,
        left as u32,
        top as u32,
        (w as u32).max(1),
        (h as u32).max(1),
    )
    .to_image()
}

fn new_page<'a>(
    device: DeviceProfile,
    font: &'a Font,
    pictures: &'a dyn PictureSource,
    language: &str,
) -> Page<'a> {
    let (w, h) = device.size();
    Page {
        canvas: Canvas::new(w, h, BACKGROUND),
        font,
        pictures,
        s: w as f32 / 360.0,
        zh: !language.to_ascii_lowercase().starts_with("en"),
    }
}

/// Renders the shop's home: header, banner, logo, name, announcement and a two-column grid of
/// `featured` listings with their prices. Only what fits on the screen is drawn, so a shop of
/// 5,000 products costs the same as one of 10.
pub fn render_home(
    shop: &ShopView,
    featured: &[ListingView],
    device: DeviceProfile,
    font: &Font,
    pictures: &dyn PictureSource,
    language: &str,
) -> Preview {
    let mut p = new_page(device, font, pictures, language);
    let width = i64::from(device.size().0);
    let height = i64::from(device.size().1);
    // Header bar in the theme colour.
    let header = p.px(48.0);
    p.canvas.fill(0, 0, width, header, shop.theme);
    let title = if shop.name.trim().is_empty() {
        p.label("我的店铺", "My shop")
    } else {
        shop.name.as_str()
    };
    let t = p
        .font
        .wrap(title, 17.0 * p.s, 300.0 * p.s, 1)
        .pop()
        .unwrap_or_default();
    p.centred(&t, width / 2, p.px(14.0), 17.0, WHITE);

    // Banner at 5:2 across the screen.
    let banner_h = width * 2 / 5;
    p.picture(shop.banner.as_ref(), 0, header, width, banner_h);
    let mut y = header + banner_h;

    // Logo overlapping the banner's bottom edge, on a white ring.
    let logo = p.px(64.0);
    let ring = p.px(3.0);
    let (lx, ly) = (p.px(16.0), y - p.px(24.0));
    p.canvas.fill(0, y, width, p.px(56.0), WHITE);
    p.canvas
        .fill_circle(lx - ring, ly - ring, logo + 2 * ring, WHITE);
    let logo_pic = shop
        .logo
        .as_ref()
        .and_then(|i| p.pictures.picture(i, VariantKind::Square(logo as u32)))
        .and_then(|l| fill(&l, logo as u32, logo as u32));
    match logo_pic {
        Some(l) => p.canvas.blit_circle(&l, lx, ly),
        None => {
            p.canvas.fill_circle(lx, ly, logo, PLACEHOLDER);
            let initial: String = title.chars().take(1).collect();
            p.centred(
                &initial,
                lx + logo / 2,
                ly + logo / 2 - p.px(14.0),
                24.0,
                GREY,
            );
        }
    }
    p.text(title, 92.0, y + p.px(6.0), 18.0, 252.0, 1, INK);
    y += p.px(56.0);

    // Announcement.
    if !shop.announcement.trim().is_empty() {
        let lines = p
            .font
            .wrap(&shop.announcement, 13.0 * p.s, 328.0 * p.s, 2)
            .len() as f32;
        let band = (lines * p.font.line_height(13.0 * p.s)) as i64 + p.px(12.0);
        p.canvas.fill(0, y, width, band, WHITE);
        p.text(
            &shop.announcement,
            16.0,
            y + p.px(2.0),
            13.0,
            328.0,
            2,
            GREY,
        );
        y += band;
    }

    // "Featured" heading with a bar in the theme colour.
    y += p.px(8.0);
    p.canvas
        .fill(p.px(12.0), y + p.px(3.0), p.px(4.0), p.px(16.0), shop.theme);
    p.text(
        p.label("精选商品", "Featured"),
        22.0,
        y,
        16.0,
        300.0,
        1,
        INK,
    );
    y += p.px(30.0);

    let tab_h = p.px(56.0);
    let bottom = height - tab_h;
    if featured.is_empty() {
        p.centred(
            p.label("还没有精选商品", "No featured products yet"),
            width / 2,
            y + p.px(40.0),
            14.0,
            GREY,
        );
    }
    // Two columns: 8 pt margins and gap, 168 pt cards.
    let (gap, card_w) = (p.px(8.0), (width - 3 * p.px(8.0)) / 2);
    let title_px = 13.0 * p.s;
    let card_h = card_w + p.px(8.0) + (2.0 * p.font.line_height(title_px)) as i64 + p.px(30.0);
    for (i, listing) in featured.iter().enumerate() {
        let (col, row) = ((i % 2) as i64, (i / 2) as i64);
        let (cx, cy) = (gap + col * (card_w + gap), y + row * (card_h + gap));
        if cy >= bottom {
            break;
        }
        p.canvas
            .fill_rounded(cx, cy, card_w, card_h, p.px(8.0), WHITE);
        p.picture(listing.pictures.first(), cx, cy, card_w, card_w);
        let ty = cy + card_w + p.px(6.0);
        let tx = (cx + p.px(8.0)) as f32 / p.s;
        p.text(
            &listing.product.title,
            tx,
            ty,
            13.0,
            card_w as f32 / p.s - 16.0,
            2,
            INK,
        );
        let py = ty + (2.0 * p.font.line_height(title_px)) as i64 + p.px(4.0);
        let price = listing.product.price.to_string();
        p.text(
            &price,
            tx,
            py,
            16.0,
            card_w as f32 / p.s - 16.0,
            1,
            shop.theme,
        );
    }

    // Tab bar.
    p.canvas.fill(0, bottom, width, tab_h, WHITE);
    p.canvas
        .fill(0, bottom, width, p.px(1.0).max(1), PLACEHOLDER);
    let tabs = [
        p.label("首页", "Home"),
        p.label("全部商品", "All items"),
        p.label("联系卖家", "Chat"),
    ];
    for (i, tab) in tabs.iter().enumerate() {
        let color = if i == 0 { shop.theme } else { GREY };
        p.centred(
            tab,
            width * (2 * i as i64 + 1) / 6,
            bottom + p.px(18.0),
            13.0,
            color,
        );
    }
    p.finish()
}

/// Renders a product page: the main picture with its position in the gallery, the price, the
/// title, the mobile description, the other pictures, and the buy bar.
pub fn render_product(
    shop: &ShopView,
    listing: &ListingView,
    device: DeviceProfile,
    font: &Font,
    pictures: &dyn PictureSource,
    language: &str,
) -> Preview {
    let mut p = new_page(device, font, pictures, language);
    let width = i64::from(device.size().0);
    let height = i64::from(device.size().1);
    p.picture(listing.pictures.first(), 0, 0, width, width);
    let count = listing.pictures.len().max(1);
    let pill = format!("1/{count}");
    let (pw, ph) = (p.px(44.0), p.px(22.0));
    p.canvas.fill_rounded(
        width - pw - p.px(12.0),
        width - ph - p.px(12.0),
        pw,
        ph,
        ph / 2,
        [0x55, 0x55, 0x55],
    );
    p.centred(
        &pill,
        width - pw / 2 - p.px(12.0),
        width - ph - p.px(9.0),
        12.0,
        WHITE,
    );

    let mut y = width;
    p.canvas.fill(0, y, width, p.px(56.0), WHITE);
    let price = listing.product.price.to_string();
    p.text(&price, 16.0, y + p.px(10.0), 26.0, 328.0, 1, shop.theme);
    y += p.px(56.0);
    p.canvas.fill(0, y, width, height - y, WHITE);
    y += p.text(&listing.product.title, 16.0, y, 16.0, 328.0, 3, INK) + p.px(10.0);
    if !listing.mobile_description.trim().is_empty() {
        y += p.text(&listing.mobile_description, 16.0, y, 14.0, 328.0, 6, GREY) + p.px(12.0);
    }
    // The rest of the gallery as small squares.
    let side = p.px(64.0);
    for (i, pic) in listing.pictures.iter().skip(1).take(4).enumerate() {
        p.picture(
            Some(pic),
            p.px(16.0) + i as i64 * (side + p.px(8.0)),
            y,
            side,
            side,
        );
    }

    // Buy bar.
    let bar = p.px(56.0);
    let top = height - bar;
    p.canvas.fill(0, top, width, bar, WHITE);
    p.canvas.fill(0, top, width, p.px(1.0).max(1), PLACEHOLDER);
    let shop_label = p.label("店铺", "Shop");
    p.centred(shop_label, p.px(36.0), top + p.px(18.0), 13.0, GREY);
    let (bw, bh) = (p.px(128.0), p.px(40.0));
    let cart = [0xFF, 0xA2, 0x00];
    p.canvas
        .fill_rounded(p.px(72.0), top + p.px(8.0), bw, bh, bh / 2, cart);
    p.centred(
        p.label("加入购物车", "Add to cart"),
        p.px(72.0) + bw / 2,
        top + p.px(17.0),
        15.0,
        WHITE,
    );
    p.canvas.fill_rounded(
        p.px(72.0) + bw + p.px(8.0),
        top + p.px(8.0),
        bw,
        bh,
        bh / 2,
        shop.theme,
    );
    p.centred(
        p.label("立即购买", "Buy now"),
        p.px(72.0) + bw + p.px(8.0) + bw / 2,
        top + p.px(17.0),
        15.0,
        WHITE,
    );
    p.finish()
}
