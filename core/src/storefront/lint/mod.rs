//! Mobile fitness and marketplace rules for listings and the shop profile.
//!
//! Every rule is listed, with its source, in `docs/storefront-rules.md`. The lint is pure: it
//! reads domain values and returns [`Finding`]s, so the storefront screens, the CLI and the
//! checklist's completion rules all ask the same questions and get the same answers.
//!
//! Each finding names its subject (the shop or a product), a stable machine [`Code`], a
//! [`Severity`], the [`Field`] to fix, and a message and a fix hint in zh-CN and English.

mod terms;
mod title;

pub use terms::{BannedTerm, banned_terms};
pub use title::{TITLE_MAX_BYTES, TITLE_MAX_CHARS, TitleLength, title_length, title_within_limits};

use crate::domain::spelled_enum;
use crate::domain::{ImageRole, Product, ProductImage, ProductStatus, ShopProfile};
use crate::money::Fen;

/// Smallest side of a main product image, in pixels (the marketplace's zoom needs 800).
pub const MAIN_IMAGE_MIN_SIDE: i64 = 800;
/// Largest encoded size of a listing picture, in bytes (3 MiB, the marketplace's upload cap).
pub const IMAGE_MAX_BYTES: i64 = 3 * 1024 * 1024;
/// Fewest product pictures a listing should have for the mobile gallery.
pub const GALLERY_MIN: usize = 3;
/// Most product pictures the mobile gallery shows; the rest are never seen.
pub const GALLERY_MAX: usize = 5;
/// Narrowest banner, in pixels: the bundled phone's screen is 720 wide and scales from 750.
pub const BANNER_MIN_WIDTH: i64 = 750;
/// Smallest side of a logo, in pixels.
pub const LOGO_MIN_SIDE: i64 = 200;
/// Most characters in a shop name.
pub const SHOP_NAME_MAX_CHARS: usize = 20;
/// Highest plausible price: 1,000,000 yuan. Above it the seller most likely typed extra zeros.
pub const PRICE_MAX_PLAUSIBLE: Fen = Fen(100_000_000);

spelled_enum! {
    /// How much a finding matters.
    Severity, "lint severity" {
        /// Breaks a marketplace or legal rule: the listing can be refused or fined.
        Error => "error",
        /// Hurts the listing on a phone (blurry, cropped, cut off).
        Warning => "warning",
        /// A suggestion that makes the listing better.
        Info => "info",
    }
}

spelled_enum! {
    /// What a finding is about, for the edit form to focus.
    Field, "lint field" {
        /// Product title.
        Title => "title",
        /// Product description (long or mobile).
        Description => "description",
        /// Product price.
        Price => "price",
        /// The first product picture.
        MainImage => "main_image",
        /// The product's pictures as a whole.
        Gallery => "gallery",
        /// Shop name.
        ShopName => "shop_name",
        /// The shop's announcement under the banner.
        Announcement => "announcement",
        /// Shop logo.
        Logo => "logo",
        /// Shop banner.
        Banner => "banner",
    }
}

spelled_enum! {
    /// Stable identifier of a rule; never translated, never renamed.
    Code, "lint code" {
        /// The title is empty.
        TitleEmpty => "title_empty",
        /// The title has more than 30 characters or 60 bytes.
        TitleTooLong => "title_too_long",
        /// A text uses an advertising-law absolute term.
        BannedTerm => "banned_term",
        /// The price is zero.
        PriceMissing => "price_missing",
        /// The price is implausibly high.
        PriceImplausible => "price_implausible",
        /// No product picture.
        MainImageMissing => "main_image_missing",
        /// The main picture's size is not known yet (not downloaded).
        MainImageUnknown => "main_image_unknown",
        /// The main picture is smaller than 800x800.
        MainImageTooSmall => "main_image_too_small",
        /// The main picture is not square.
        MainImageNotSquare => "main_image_not_square",
        /// A picture file is larger than the upload cap.
        ImageFileTooLarge => "image_file_too_large",
        /// Fewer pictures than the mobile gallery should have.
        GalleryTooFew => "gallery_too_few",
        /// More pictures than the mobile gallery shows.
        GalleryTooMany => "gallery_too_many",
        /// The shop has no name.
        ShopNameEmpty => "shop_name_empty",
        /// The shop name is too long for the phone's header.
        ShopNameTooLong => "shop_name_too_long",
        /// The shop has no logo.
        LogoMissing => "logo_missing",
        /// The logo is too small or not square.
        LogoUnfit => "logo_unfit",
        /// The shop has no banner.
        BannerMissing => "banner_missing",
        /// The banner is too narrow or has the wrong shape.
        BannerUnfit => "banner_unfit",
    }
}

/// A text in both of the app's languages; the shell picks one by locale.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Localized {
    /// Simplified Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Localized {
    fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Localized {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text for a language tag as the shells pass it: `en*` is English, anything else zh-CN.
    pub fn pick(&self, language: &str) -> &str {
        if language.to_ascii_lowercase().starts_with("en") {
            &self.en
        } else {
            &self.zh
        }
    }
}

/// What a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    /// The shop profile.
    Shop,
    /// A product, by id.
    Product(String),
}

/// One problem found by the lint.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The shop or the product concerned.
    pub subject: Subject,
    /// Stable rule identifier.
    pub code: Code,
    /// How much it matters.
    pub severity: Severity,
    /// The field to fix.
    pub field: Field,
    /// What is wrong, with the figures.
    pub message: Localized,
    /// What to do about it.
    pub fix: Localized,
}

/// Counts over a set of findings, for the lint summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LintSummary {
    /// Products checked (archived ones are skipped).
    pub products_checked: usize,
    /// Products with no finding at all.
    pub products_clean: usize,
    /// Findings of severity error.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Findings of severity info.
    pub infos: usize,
}

impl LintSummary {
    /// Adds one product's findings.
    pub fn add_product(&mut self, findings: &[Finding]) {
        self.products_checked += 1;
        if findings.is_empty() {
            self.products_clean += 1;
        }
        self.add(findings);
    }

    /// Adds findings without counting a product (the shop's own).
    pub fn add(&mut self, findings: &[Finding]) {
        for f in findings {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
        }
    }
}

/// Whether a picture is fit to be a listing's main image on a phone: at least 800x800, square,
/// and no larger than [`IMAGE_MAX_BYTES`]. A picture whose size is not known yet is not fit:
/// nothing proves it is.
pub fn image_is_mobile_ready(image: &ProductImage) -> bool {
    match (image.width, image.height, image.byte_len) {
        (Some(w), Some(h), Some(len)) => {
            w >= MAIN_IMAGE_MIN_SIDE && w == h && (0..=IMAGE_MAX_BYTES).contains(&len)
        }
        _ => false,
    }
}

/// Builds findings for one subject.
struct Findings {
    subject: Subject,
    out: Vec<Finding>,
}

impl Findings {
    fn push(
        &mut self,
        code: Code,
        severity: Severity,
        field: Field,
        message: Localized,
        fix: Localized,
    ) {
        self.out.push(Finding {
            subject: self.subject.clone(),
            code,
            severity,
            field,
            message,
            fix,
        });
    }

    /// One finding per banned term in `text`.
    fn banned(&mut self, field: Field, text: &str) {
        let (zh_field, en_field) = field_names(field);
        for term in banned_terms(text) {
            self.push(
                Code::BannedTerm,
                Severity::Error,
                field,
                Localized::new(
                    format!("{zh_field}含有广告法禁用的绝对化用语“{}”", term.found),
                    format!("The {en_field} uses \"{}\", an absolute term the Advertising Law forbids", term.found),
                ),
                Localized::new(
                    format!("删除“{}”，改用可以证明的具体描述（材质、规格、销量数字）", term.found),
                    format!("Remove \"{}\" and say something concrete and provable instead (material, size, sales figures)", term.found),
                ),
            );
        }
    }
}

/// How a field is named inside the messages.
fn field_names(field: Field) -> (&'static str, &'static str) {
    match field {
        Field::Title => ("标题", "title"),
        Field::Description => ("描述", "description"),
        Field::Price => ("价格", "price"),
        Field::MainImage => ("主图", "main picture"),
        Field::Gallery => ("商品图片", "product pictures"),
        Field::ShopName => ("店铺名", "shop name"),
        Field::Announcement => ("店铺公告", "announcement"),
        Field::Logo => ("店铺标志", "logo"),
        Field::Banner => ("店铺横幅", "banner"),
    }
}

/// Lints one listing: title, description, price and pictures.
///
/// `images` are the product's pictures in any order (position 0 is the main one); pictures of
/// other products or roles are ignored. Archived products are not shown and get no findings.
pub fn lint_product(product: &Product, images: &[ProductImage]) -> Vec<Finding> {
    if product.status == ProductStatus::Archived {
        return Vec::new();
    }
    let mut f = Findings {
        subject: Subject::Product(product.id.clone()),
        out: Vec::new(),
    };
    lint_title(&mut f, &product.title);
    f.banned(Field::Description, &product.description);
    lint_price(&mut f, product.price);
    let mut own: Vec<&ProductImage> = images
        .iter()
        .filter(|i| {
            i.role == ImageRole::Product && i.product_id.as_deref() == Some(product.id.as_str())
        })
        .collect();
    own.sort_by_key(|i| i.position);
    lint_gallery(&mut f, &own);
    f.out
}

/// Lints a listing's mobile description (the short text shown on the phone's product page).
pub fn lint_mobile_description(product_id: &str, text: &str) -> Vec<Finding> {
    let mut f = Findings {
        subject: Subject::Product(product_id.to_owned()),
        out: Vec::new(),
    };
    f.banned(Field::Description, text);
    f.out
}

fn lint_title(f: &mut Findings, title: &str) {
    if title.trim().is_empty() {
        f.push(
            Code::TitleEmpty,
            Severity::Error,
            Field::Title,
            Localized::new("商品没有标题", "The product has no title"),
            Localized::new(
                "写一个说明商品是什么的标题，例如“手工陶瓷马克杯 350ml”",
                "Write a title that says what it is, e.g. \"Handmade ceramic mug 350ml\"",
            ),
        );
        return;
    }
    let len = title_length(title);
    if len.chars > TITLE_MAX_CHARS || len.bytes > TITLE_MAX_BYTES {
        f.push(
            Code::TitleTooLong,
            Severity::Error,
            Field::Title,
            Localized::new(
                format!("标题有 {} 个字、{} 字节，平台上限是 {TITLE_MAX_CHARS} 个字、{TITLE_MAX_BYTES} 字节（汉字算 2 字节）", len.chars, len.bytes),
                format!("The title has {} characters and {} bytes; the marketplace allows {TITLE_MAX_CHARS} characters and {TITLE_MAX_BYTES} bytes (a Chinese character counts 2)", len.chars, len.bytes),
            ),
            Localized::new("删掉重复的词和符号，把最重要的词放在前面", "Cut repeated words and symbols; put the most important words first"),
        );
    }
    f.banned(Field::Title, title);
}

fn lint_price(f: &mut Findings, price: Fen) {
    if price.0 <= 0 {
        f.push(
            Code::PriceMissing,
            Severity::Error,
            Field::Price,
            Localized::new(
                "价格为 0，买家无法下单",
                "The price is 0; buyers cannot order",
            ),
            Localized::new("填写商品的售价", "Enter the selling price"),
        );
    } else if price > PRICE_MAX_PLAUSIBLE {
        f.push(
            Code::PriceImplausible,
            Severity::Warning,
            Field::Price,
            Localized::new(
                format!("价格 {price} 异常地高"),
                format!("The price {price} is unusually high"),
            ),
            Localized::new("检查是否多输了几个 0", "Check for extra zeros"),
        );
    }
}

fn lint_gallery(f: &mut Findings, images: &[&ProductImage]) {
    let Some(main) = images.first() else {
        f.push(
            Code::MainImageMissing,
            Severity::Error,
            Field::MainImage,
            Localized::new("商品没有图片", "The product has no picture"),
            Localized::new(
                "上传一张至少 800×800 的正方形主图",
                "Upload a square main picture of at least 800×800",
            ),
        );
        return;
    };
    match (main.width, main.height) {
        (Some(w), Some(h)) => {
            if w < MAIN_IMAGE_MIN_SIDE || h < MAIN_IMAGE_MIN_SIDE {
                f.push(
                    Code::MainImageTooSmall,
                    Severity::Warning,
                    Field::MainImage,
                    Localized::new(
                        format!("主图只有 {w}×{h}，手机放大时会模糊"),
                        format!(
                            "The main picture is only {w}×{h}; it blurs when buyers zoom on a phone"
                        ),
                    ),
                    Localized::new(
                        format!("换一张至少 {MAIN_IMAGE_MIN_SIDE}×{MAIN_IMAGE_MIN_SIDE} 的图片"),
                        format!(
                            "Use a picture of at least {MAIN_IMAGE_MIN_SIDE}×{MAIN_IMAGE_MIN_SIDE}"
                        ),
                    ),
                );
            }
            if w != h {
                f.push(
                    Code::MainImageNotSquare,
                    Severity::Warning,
                    Field::MainImage,
                    Localized::new(
                        format!("主图是 {w}×{h}，不是正方形，手机上会被裁掉"),
                        format!("The main picture is {w}×{h}, not square; phones crop it"),
                    ),
                    Localized::new(
                        "把主图裁成 1:1 正方形，商品放在中间",
                        "Crop the main picture to a 1:1 square with the product in the middle",
                    ),
                );
            }
        }
        _ => f.push(
            Code::MainImageUnknown,
            Severity::Info,
            Field::MainImage,
            Localized::new(
                "主图还没下载，无法检查尺寸",
                "The main picture is not downloaded yet; its size cannot be checked",
            ),
            Localized::new("同步后再检查", "Sync, then check again"),
        ),
    }
    for image in images {
        if let Some(len) = image.byte_len.filter(|len| *len > IMAGE_MAX_BYTES) {
            let field = if image.position == main.position {
                Field::MainImage
            } else {
                Field::Gallery
            };
            f.push(
                Code::ImageFileTooLarge,
                Severity::Error,
                field,
                Localized::new(
                    format!(
                        "第 {} 张图片有 {:.1} MB，超过 3 MB 上限",
                        image.position + 1,
                        len as f64 / 1_048_576.0
                    ),
                    format!(
                        "Picture {} is {:.1} MB, over the 3 MB limit",
                        image.position + 1,
                        len as f64 / 1_048_576.0
                    ),
                ),
                Localized::new(
                    "重新上传：应用会把图片压缩到手机尺寸",
                    "Upload it again: the app shrinks pictures to phone size",
                ),
            );
        }
    }
    if images.len() < GALLERY_MIN {
        f.push(
            Code::GalleryTooFew,
            Severity::Info,
            Field::Gallery,
            Localized::new(
                format!("只有 {} 张图片，买家看不到细节", images.len()),
                format!(
                    "Only {} picture(s); buyers cannot see details",
                    images.len()
                ),
            ),
            Localized::new(
                format!("至少放 {GALLERY_MIN} 张：正面、细节、使用场景"),
                format!("Add at least {GALLERY_MIN}: front, detail, in use"),
            ),
        );
    } else if images.len() > GALLERY_MAX {
        f.push(
            Code::GalleryTooMany,
            Severity::Info,
            Field::Gallery,
            Localized::new(
                format!(
                    "有 {} 张图片，手机上只显示前 {GALLERY_MAX} 张",
                    images.len()
                ),
                format!(
                    "{} pictures; phones show only the first {GALLERY_MAX}",
                    images.len()
                ),
            ),
            Localized::new(
                "把最好的图片排在前面",
                "Move the best pictures to the front",
            ),
        );
    }
}

/// Lints the shop profile: name, announcement, logo and banner.
///
/// `images` may hold any pictures; the logo and banner are found by the profile's image ids.
/// `announcement` is the text shown under the banner.
pub fn lint_shop(shop: &ShopProfile, announcement: &str, images: &[ProductImage]) -> Vec<Finding> {
    let mut f = Findings {
        subject: Subject::Shop,
        out: Vec::new(),
    };
    let name = shop.name.trim();
    if name.is_empty() {
        f.push(
            Code::ShopNameEmpty,
            Severity::Error,
            Field::ShopName,
            Localized::new("店铺没有名字", "The shop has no name"),
            Localized::new("填写店铺名", "Enter the shop's name"),
        );
    } else {
        let chars = title_length(name).chars;
        if chars > SHOP_NAME_MAX_CHARS {
            f.push(
                Code::ShopNameTooLong,
                Severity::Warning,
                Field::ShopName,
                Localized::new(format!("店铺名有 {chars} 个字，手机顶部只能显示 {SHOP_NAME_MAX_CHARS} 个"), format!("The shop name has {chars} characters; the phone header shows {SHOP_NAME_MAX_CHARS}")),
                Localized::new("用简短好记的名字", "Use a short, memorable name"),
            );
        }
        f.banned(Field::ShopName, name);
    }
    f.banned(Field::Announcement, announcement);
    let find = |id: &Option<String>| {
        id.as_deref()
            .and_then(|id| images.iter().find(|i| i.id == id))
    };
    match find(&shop.logo_image_id) {
        None => f.push(
            Code::LogoMissing,
            Severity::Warning,
            Field::Logo,
            Localized::new("店铺没有标志", "The shop has no logo"),
            Localized::new(
                format!("上传一张至少 {LOGO_MIN_SIDE}×{LOGO_MIN_SIDE} 的正方形标志"),
                format!("Upload a square logo of at least {LOGO_MIN_SIDE}×{LOGO_MIN_SIDE}"),
            ),
        ),
        Some(logo) => {
            if let (Some(w), Some(h)) = (logo.width, logo.height)
                && (w != h || w < LOGO_MIN_SIDE)
            {
                f.push(
                    Code::LogoUnfit,
                    Severity::Warning,
                    Field::Logo,
                    Localized::new(
                        format!("标志是 {w}×{h}，手机上显示为圆形，需要正方形"),
                        format!(
                            "The logo is {w}×{h}; phones show it in a circle and need a square"
                        ),
                    ),
                    Localized::new(
                        format!("换一张至少 {LOGO_MIN_SIDE}×{LOGO_MIN_SIDE} 的正方形标志"),
                        format!("Use a square logo of at least {LOGO_MIN_SIDE}×{LOGO_MIN_SIDE}"),
                    ),
                );
            }
        }
    }
    match find(&shop.banner_image_id) {
        None => f.push(
            Code::BannerMissing,
            Severity::Info,
            Field::Banner,
            Localized::new("店铺没有横幅", "The shop has no banner"),
            Localized::new(
                "上传一张 750×300 左右的横幅，展示主推商品",
                "Upload a banner of about 750×300 showing your best product",
            ),
        ),
        Some(banner) => {
            // The phone shows the banner at 5:2; between 2:1 and 3:1 it crops acceptably.
            if let (Some(w), Some(h)) = (banner.width, banner.height)
                && (w < BANNER_MIN_WIDTH || w < 2 * h || w > 3 * h)
            {
                f.push(
                    Code::BannerUnfit,
                    Severity::Warning,
                    Field::Banner,
                    Localized::new(format!("横幅是 {w}×{h}；手机需要至少 {BANNER_MIN_WIDTH} 宽、宽高比在 2:1 到 3:1 之间"), format!("The banner is {w}×{h}; phones need at least {BANNER_MIN_WIDTH} wide and a 2:1 to 3:1 shape")),
                    Localized::new("换一张 750×300 左右的横幅", "Use a banner of about 750×300"),
                );
            }
        }
    }
    f.out
}

#[cfg(test)]
mod tests;
