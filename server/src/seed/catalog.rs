//! The demo shop's profile, products and pictures.

use sellerkit_core::domain::{ImageRole, Product, ProductImage, ProductStatus, ShopProfile, Tier};
use sellerkit_core::money::Fen;
use sellerkit_core::time::ShopZone;
use sha2::{Digest, Sha256};

use super::images::{self, Encoded, Format, PictureSpec};
use super::rng::{Rng, Stream};
use super::{BANNER_IMAGE_ID, DemoCatalog, LOGO_IMAGE_ID, PRODUCT_COUNT, SHOP_ID, SeedConfig};

const DAY_MS: i64 = 86_400_000;

/// Product category; its slug is what [`Product::category`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Tea,
    Teaware,
    Gift,
    Snack,
}

impl Kind {
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Kind::Tea => "tea",
            Kind::Teaware => "teaware",
            Kind::Gift => "gifts",
            Kind::Snack => "snacks",
        }
    }
}

/// Tea families: their grades and how they are described.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Green,
    Oolong,
    Black,
    Dark,
    White,
    Flower,
}

struct Tea {
    name: &'static str,
    origin: &'static str,
    family: Family,
    /// Typical price of 100 g, in fen.
    per_100g: i64,
    /// Sold pressed (cakes, bricks) rather than loose.
    pressed: bool,
}

const fn tea(
    name: &'static str,
    origin: &'static str,
    family: Family,
    per_100g: i64,
    pressed: bool,
) -> Tea {
    Tea {
        name,
        origin,
        family,
        per_100g,
        pressed,
    }
}

const TEAS: &[Tea] = &[
    tea("西湖龙井", "杭州", Family::Green, 12_800, false),
    tea("洞庭碧螺春", "苏州", Family::Green, 9_800, false),
    tea("黄山毛峰", "黄山", Family::Green, 6_800, false),
    tea("信阳毛尖", "信阳", Family::Green, 5_800, false),
    tea("六安瓜片", "六安", Family::Green, 7_800, false),
    tea("太平猴魁", "黄山", Family::Green, 11_800, false),
    tea("安吉白茶", "安吉", Family::Green, 8_800, false),
    tea("安溪铁观音", "安溪", Family::Oolong, 5_800, false),
    tea("武夷山大红袍", "武夷山", Family::Oolong, 8_800, false),
    tea("武夷岩茶肉桂", "武夷山", Family::Oolong, 9_800, false),
    tea("凤凰单丛鸭屎香", "潮州", Family::Oolong, 6_800, false),
    tea("冻顶乌龙", "南投", Family::Oolong, 7_800, false),
    tea("祁门红茶", "祁门", Family::Black, 5_800, false),
    tea("正山小种", "桐木关", Family::Black, 6_800, false),
    tea("金骏眉", "武夷山", Family::Black, 13_800, false),
    tea("滇红金芽", "凤庆", Family::Black, 4_800, false),
    tea("普洱熟茶", "勐海", Family::Dark, 3_800, true),
    tea("普洱生茶", "易武", Family::Dark, 5_800, true),
    tea("安化黑茶茯砖", "安化", Family::Dark, 2_800, true),
    tea("梧州六堡茶", "梧州", Family::Dark, 4_800, false),
    tea("福鼎白毫银针", "福鼎", Family::White, 15_800, false),
    tea("福鼎白牡丹", "福鼎", Family::White, 6_800, false),
    tea("福鼎老寿眉", "福鼎", Family::White, 3_800, true),
    tea("君山银针", "岳阳", Family::Green, 16_800, false),
    tea("横县茉莉花茶", "横县", Family::Flower, 3_800, false),
    tea("桂花乌龙", "漳平", Family::Flower, 4_800, false),
];

/// (grade, price multiplier in percent) by family.
fn grades(family: Family) -> &'static [(&'static str, i64)] {
    match family {
        Family::Green => &[
            ("明前特级", 170),
            ("明前一级", 130),
            ("雨前一级", 100),
            ("高山云雾", 110),
            ("口粮", 70),
        ],
        Family::Oolong => &[
            ("特级", 150),
            ("一级", 100),
            ("浓香型", 95),
            ("清香型", 95),
            ("老枞", 160),
        ],
        Family::Black => &[("特级", 150), ("一级", 100), ("蜜香型", 110), ("口粮", 70)],
        Family::Dark => &[("古树", 180), ("大树", 120), ("陈年", 140), ("口粮", 70)],
        Family::White => &[("特级", 150), ("一级", 100), ("高山", 120)],
        Family::Flower => &[("特级", 140), ("一级", 100), ("浓香", 95)],
    }
}

const TEA_TAGS: &[&str] = &["新茶上市", "送礼自饮", "茶农直销", "口粮茶", "办公室囤货"];

struct Ware {
    item: &'static str,
    variants: &'static [&'static str],
    specs: &'static [&'static str],
    price: (i64, i64),
}

const WARES: &[Ware] = &[
    Ware {
        item: "宜兴紫砂壶",
        variants: &["西施壶", "石瓢壶", "仿古壶", "掇球壶"],
        specs: &["原矿朱泥 180ml", "原矿紫泥 220ml", "段泥 260ml"],
        price: (28_800, 128_800),
    },
    Ware {
        item: "景德镇青花瓷盖碗",
        variants: &["单只", "三才碗"],
        specs: &["150ml", "180ml"],
        price: (3_900, 16_800),
    },
    Ware {
        item: "高硼硅玻璃公道杯",
        variants: &["加厚", "带茶滤"],
        specs: &["300ml", "450ml"],
        price: (2_900, 6_800),
    },
    Ware {
        item: "汝窑开片品茗杯",
        variants: &["天青", "月白", "粉青"],
        specs: &["4只装", "6只装"],
        price: (4_800, 19_800),
    },
    Ware {
        item: "实木茶盘",
        variants: &["乌金石", "竹制", "胡桃木"],
        specs: &["排水式 60cm", "储水式 45cm"],
        price: (9_800, 59_800),
    },
    Ware {
        item: "功夫茶具套装",
        variants: &["家用", "办公室"],
        specs: &["1壶4杯", "1壶6杯 含茶盘"],
        price: (12_800, 39_800),
    },
    Ware {
        item: "手工铸铁壶",
        variants: &["日式", "素面"],
        specs: &["1.2L", "0.8L"],
        price: (19_800, 68_800),
    },
    Ware {
        item: "茶道六君子",
        variants: &["黑檀木", "竹制"],
        specs: &["6件套"],
        price: (2_900, 9_800),
    },
    Ware {
        item: "建阳建盏",
        variants: &["兔毫", "油滴", "鹧鸪斑"],
        specs: &["主人杯", "斗笠盏"],
        price: (6_800, 58_800),
    },
    Ware {
        item: "便携旅行茶具",
        variants: &["快客杯", "收纳包款"],
        specs: &["1壶2杯", "1壶3杯"],
        price: (3_900, 12_800),
    },
    Ware {
        item: "电陶炉煮茶器",
        variants: &["静音", "家用"],
        specs: &["1200W"],
        price: (19_800, 49_800),
    },
    Ware {
        item: "粗陶密封茶叶罐",
        variants: &["大号", "中号", "小号"],
        specs: &["500g容量", "250g容量"],
        price: (1_900, 6_800),
    },
];

const WARE_TAGS: &[&str] = &["手工", "家用", "送礼", "泡茶神器", "功夫茶具"];

const OCCASIONS: &[&str] = &[
    "中秋",
    "春节年货",
    "端午",
    "商务",
    "教师节",
    "父亲节",
    "新年",
    "员工福利",
];
const GIFT_CONTENTS: &[&str] = &[
    "龙井碧螺春双拼",
    "红茶三拼",
    "白茶饼",
    "大红袍铁观音组合",
    "普洱茶饼",
    "茶叶茶具",
];
const GIFT_SPECS: &[&str] = &[
    "4罐装 500g",
    "双罐 250g",
    "8小罐 320g",
    "1饼 357g",
    "茶具+2罐",
];
const GIFT_TAGS: &[&str] = &["送长辈", "送客户", "含手提袋", "高档大气"];

const SNACKS: &[(&str, &str)] = &[
    ("绿豆糕", "480g 约24枚"),
    ("桂花糕", "400g"),
    ("凤梨酥", "礼盒10枚"),
    ("蛋黄酥", "6枚装"),
    ("牛轧糖", "500g"),
    ("抹茶曲奇", "200g"),
    ("芒果干", "250g"),
    ("九制话梅", "200g"),
    ("原味开心果", "500g"),
    ("琥珀核桃仁", "300g"),
    ("茶香瓜子", "500g"),
    ("红枣夹核桃", "400g"),
    ("山楂条", "300g"),
    ("酥心糖", "500g"),
];
const SNACK_FLAVOURS: &[&str] = &["原味", "低糖", "茶香", "桂花味", "抹茶味"];
const SNACK_TAGS: &[&str] = &["茶点零食", "下午茶点心", "办公室零食", "独立小包装"];

/// Advertising-law terms the marketplace forbids in titles; each is used at least once.
const SUPERLATIVES: &[&str] = &[
    "【全网最低价】",
    "国家级非遗",
    "顶级",
    "极品",
    "销量第一",
    "最正宗",
    "唯一指定",
    "史上最好喝",
];

/// Keyword stuffing that pushes a title past 60 characters / 120 bytes.
const STUFFING: &str = "爆款热卖 浓香型口粮茶 送礼自饮两相宜 办公室家用 茶农直销 正品保证 \
                        假一赔十 顺丰包邮 限时特惠 买二送一";

/// Product numbers (1-based) whose pictures are huge noisy camera shots (JPEG quality 100,
/// over 1 MiB).
const HUGE_PICTURES: &[u32] = &[58, 144];

/// Whether product number `n` (1-based) has a title with a forbidden superlative.
pub(crate) fn has_superlative_title(n: u32) -> bool {
    n % 23 == 5
}

/// Whether product number `n` (1-based) has an over-long title.
pub(crate) fn has_long_title(n: u32) -> bool {
    n % 27 == 11
}

/// A shop-like price: ¥x9.90 below ¥100, ¥xx8 from ¥100.
fn nice_price(fen: i64) -> Fen {
    let yuan = (fen / 100).max(1);
    if yuan < 100 {
        let tens = ((yuan + 5) / 10).max(1);
        Fen(tens * 1_000 - 10)
    } else {
        Fen(((yuan + 9) / 10 * 10 - 2) * 100)
    }
}

struct Draft {
    kind: Kind,
    title: String,
    description: String,
    price: Fen,
}

fn tea_product(rng: &mut Rng, year: i16) -> Draft {
    let t = rng.pick(TEAS);
    let (grade, mult) = *rng.pick(grades(t.family));
    let (grams, pack): (i64, &str) = if t.pressed {
        *rng.pick(&[(100, "小饼"), (200, "沱茶"), (357, "茶饼"), (1_000, "茶砖")])
    } else {
        *rng.pick(&[
            (50, "尝鲜装"),
            (100, "罐装"),
            (125, "铁罐"),
            (250, "礼罐"),
            (500, "袋装"),
        ])
    };
    let harvest = match t.family {
        Family::Dark => year - rng.range(2, 8) as i16,
        Family::White => year - rng.range(0, 5) as i16,
        _ => year,
    };
    let mut title = format!(
        "{} {}年{} {}产区 {}g{}",
        t.name, harvest, grade, t.origin, grams, pack
    );
    if rng.chance_bps(5_000) {
        let tag = *rng.pick(TEA_TAGS);
        title.push(' ');
        title.push_str(tag);
    }
    let (water, steep) = match t.family {
        Family::Green | Family::Flower => (85, 20),
        Family::White => (90, 30),
        Family::Black => (90, 15),
        Family::Oolong | Family::Dark => (100, 10),
    };
    let description = format!(
        "{}，产自{}，{}年{}原料，{}g{}。冲泡建议：{}℃水温，盖碗投茶5克，首泡{}秒出汤。\
         密封、避光、防潮保存。",
        t.name, t.origin, harvest, grade, grams, pack, water, steep
    );
    let price = nice_price(t.per_100g * grams / 100 * mult / 100 + rng.range(0, 2_000));
    Draft {
        kind: Kind::Tea,
        title,
        description,
        price,
    }
}

fn ware_product(rng: &mut Rng) -> Draft {
    let w = rng.pick(WARES);
    let variant = rng.pick(w.variants);
    let spec = rng.pick(w.specs);
    let tag = rng.pick(WARE_TAGS);
    Draft {
        kind: Kind::Teaware,
        title: format!("{} {} {} {}", w.item, variant, spec, tag),
        description: format!(
            "{}（{}，{}）。每件出厂前逐一检查，破损包赔。首次使用前请用沸水烫洗。",
            w.item, variant, spec
        ),
        price: nice_price(rng.range(w.price.0, w.price.1)),
    }
}

fn gift_product(rng: &mut Rng) -> Draft {
    let occasion = rng.pick(OCCASIONS);
    let contents = rng.pick(GIFT_CONTENTS);
    let spec = rng.pick(GIFT_SPECS);
    let tag = rng.pick(GIFT_TAGS);
    Draft {
        kind: Kind::Gift,
        title: format!("{occasion}茶叶礼盒 {contents} {spec} {tag}"),
        description: format!(
            "{occasion}送礼之选：{contents}，{spec}。礼盒含手提袋与贺卡，可代写祝福语。"
        ),
        price: nice_price(rng.range(19_800, 99_800)),
    }
}

fn snack_product(rng: &mut Rng) -> Draft {
    let (name, spec) = *rng.pick(SNACKS);
    let flavour = rng.pick(SNACK_FLAVOURS);
    let tag = rng.pick(SNACK_TAGS);
    Draft {
        kind: Kind::Snack,
        title: format!("{flavour}{name} {spec} {tag}"),
        description: format!(
            "{flavour}{name}，{spec}，配茶刚刚好。保质期180天，开封后请尽快食用。"
        ),
        price: nice_price(rng.range(990, 5_990)),
    }
}

fn draft_of(kind: Kind, rng: &mut Rng, year: i16) -> Draft {
    match kind {
        Kind::Tea => tea_product(rng, year),
        Kind::Teaware => ware_product(rng),
        Kind::Gift => gift_product(rng),
        Kind::Snack => snack_product(rng),
    }
}

/// The category of product number `n` (1-based): the first four cover every category.
fn kind_of(n: u32, rng: &mut Rng) -> Kind {
    match n {
        1 => Kind::Tea,
        2 => Kind::Teaware,
        3 => Kind::Gift,
        4 => Kind::Snack,
        _ => match rng.below(100) {
            0..50 => Kind::Tea,
            50..72 => Kind::Teaware,
            72..85 => Kind::Gift,
            _ => Kind::Snack,
        },
    }
}

/// The id of product number `n` (1-based).
pub(crate) fn product_id(n: u32) -> String {
    format!("p_{n:04}")
}

fn picture_spec(n: u32, kind: Kind) -> PictureSpec {
    let (width, height, format, noisy) = if HUGE_PICTURES.contains(&n) {
        (1_024, 1_024, Format::Jpeg(100), true)
    } else {
        match (n % 10, n % 50) {
            (3, _) => (400, 400, Format::Png, false),
            (7, _) => (800, 600, Format::Png, false),
            (_, 5) => (800, 800, Format::Jpeg(72), false),
            _ => (800, 800, Format::Png, false),
        }
    };
    PictureSpec {
        kind,
        width,
        height,
        format,
        noisy,
    }
}

fn image_record(
    id: String,
    product_id: Option<String>,
    role: ImageRole,
    encoded: &Encoded,
    updated_ms: i64,
) -> ProductImage {
    ProductImage {
        id,
        product_id,
        role,
        position: 0,
        width: Some(i64::from(encoded.width)),
        height: Some(i64::from(encoded.height)),
        byte_len: Some(encoded.bytes.len() as i64),
        mime: Some(encoded.mime.to_owned()),
        sha256: Some(hex::encode(Sha256::digest(&encoded.bytes))),
        local_path: None,
        updated_ms,
    }
}

/// Encodes the pictures of `specs` on a few threads; the result does not depend on how many.
fn render_all(specs: &[PictureSpec], seed: u64) -> Vec<Encoded> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 8);
    let render = |i: usize| {
        let mut rng = Rng::derive(seed, Stream::Image, i as u64);
        images::product_picture(specs[i], &mut rng)
    };
    if threads == 1 {
        return (0..specs.len()).map(render).collect();
    }
    let mut out: Vec<Option<Encoded>> = vec![None; specs.len()];
    std::thread::scope(|scope| {
        let render = &render;
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t..specs.len())
                        .step_by(threads)
                        .map(|i| (i, render(i)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for worker in workers {
            match worker.join() {
                Ok(done) => {
                    for (i, encoded) in done {
                        out[i] = Some(encoded);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    out.into_iter()
        .enumerate()
        .map(|(i, e)| e.unwrap_or_else(|| render(i)))
        .collect()
}

/// The products and the pictures they should get (not yet drawn).
pub(crate) fn products(cfg: &SeedConfig) -> (Vec<Product>, Vec<PictureSpec>) {
    let zone = ShopZone::default();
    let now = cfg.now_ms;
    // This year's spring harvest is on sale from April.
    let year = zone.business_day(now).map_or(2026, |d| {
        if d.month() >= 4 {
            d.year()
        } else {
            d.year() - 1
        }
    });

    let mut products = Vec::with_capacity(PRODUCT_COUNT as usize);
    let mut specs = Vec::with_capacity(PRODUCT_COUNT as usize);
    let mut superlatives = SUPERLATIVES.iter().cycle();
    let mut titles = std::collections::HashSet::new();
    for n in 1..=PRODUCT_COUNT {
        let mut rng = Rng::derive(cfg.rng_seed, Stream::Catalog, u64::from(n));
        let kind = kind_of(n, &mut rng);
        // Titles are unique, as a seller's would be: draw again on a clash.
        let mut draft = draft_of(kind, &mut rng, year);
        for _ in 0..20 {
            if !titles.contains(&draft.title) {
                break;
            }
            draft = draft_of(kind, &mut rng, year);
        }
        if titles.contains(&draft.title) {
            draft.title = format!("{} {n}号款", draft.title);
        }
        titles.insert(draft.title.clone());
        if has_superlative_title(n)
            && let Some(word) = superlatives.next()
        {
            draft.title = format!("{word} {}", draft.title);
        }
        if has_long_title(n) {
            draft.title = format!("{} {STUFFING}", draft.title);
        }
        let status = if n % 37 == 19 {
            ProductStatus::Draft
        } else if n % 31 == 29 {
            ProductStatus::Archived
        } else {
            ProductStatus::Active
        };
        let stock = if rng.chance_bps(600) {
            0
        } else {
            rng.range(3, 500)
        };
        // Listed at some point over the last year, edited since for some.
        let updated_ms = now
            .saturating_sub(rng.range(DAY_MS, 300 * DAY_MS))
            .saturating_sub(rng.range(0, DAY_MS));
        products.push(Product {
            id: product_id(n),
            title: draft.title,
            description: draft.description,
            category: draft.kind.slug().to_owned(),
            price: draft.price,
            stock,
            status,
            version: rng.range(1, 3),
            updated_ms,
            featured: false,
            mobile_description: String::new(),
            gallery: Vec::new(),
        });
        specs.push(picture_spec(n, draft.kind));
    }
    (products, specs)
}

pub(crate) fn build(cfg: &SeedConfig) -> DemoCatalog {
    let zone = ShopZone::default();
    let now = cfg.now_ms;
    let (products, specs) = products(cfg);
    let profile_updated = now.saturating_sub(30 * DAY_MS);
    let mut images_out = Vec::with_capacity(products.len() + 2);
    let logo = images::logo(512);
    images_out.push((
        image_record(
            LOGO_IMAGE_ID.to_owned(),
            None,
            ImageRole::Logo,
            &logo,
            profile_updated,
        ),
        logo.bytes,
    ));
    let banner = images::banner(1200, 400);
    images_out.push((
        image_record(
            BANNER_IMAGE_ID.to_owned(),
            None,
            ImageRole::Banner,
            &banner,
            profile_updated,
        ),
        banner.bytes,
    ));
    for (product, encoded) in products.iter().zip(render_all(&specs, cfg.rng_seed)) {
        let record = image_record(
            super::product_image_id(&product.id),
            Some(product.id.clone()),
            ImageRole::Product,
            &encoded,
            product.updated_ms,
        );
        images_out.push((record, encoded.bytes));
    }

    let profile = ShopProfile {
        shop_id: SHOP_ID.to_owned(),
        name: "小王的茶叶店".to_owned(),
        description: "杭州龙井村茶农直供：明前龙井、福鼎白茶、武夷岩茶与宜兴紫砂茶具。\
                      每一款茶都由小王亲自试喝挑选，支持7天无理由退换。"
            .to_owned(),
        logo_image_id: Some(LOGO_IMAGE_ID.to_owned()),
        banner_image_id: Some(BANNER_IMAGE_ID.to_owned()),
        time_zone: zone.name().to_owned(),
        tier: Tier::Standard,
        version: 1,
        updated_ms: profile_updated,
        theme_color: None,
    };
    DemoCatalog {
        profile,
        images: images_out,
        products,
    }
}
