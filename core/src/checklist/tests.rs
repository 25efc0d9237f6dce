//! The checklist on a real SQLite store: definitions accepted and refused, states, ticks.

use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::domain::{
    Channel, CouponBook, CouponKind, CouponScope, ImageRole, Order, OrderStatus, Product,
    ProductImage, ProductStatus, ShopProfile,
};
use crate::money::Fen;
use crate::protocol::{Change, ChangesPage};
use crate::time::FixedClock;

fn open() -> (tempfile::TempDir, Arc<Store>, Checklist) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path().join("db")).unwrap());
    let checklist = Checklist::new(Arc::clone(&store), Arc::new(FixedClock::new(1_000)));
    (dir, store, checklist)
}

fn shop(tier: Tier) -> ShopProfile {
    ShopProfile {
        shop_id: "shop_a".into(),
        name: "小王茶铺".into(),
        description: String::new(),
        logo_image_id: None,
        banner_image_id: None,
        time_zone: "Asia/Shanghai".into(),
        tier,
        version: 1,
        updated_ms: 1,
        theme_color: None,
    }
}

fn product(n: u32, title: &str) -> Product {
    Product {
        id: format!("p{n}"),
        title: title.into(),
        description: "明前龙井，产自杭州。".into(),
        category: "tea".into(),
        price: Fen(9_900),
        stock: 5,
        status: ProductStatus::Active,
        version: 1,
        updated_ms: 1,
        featured: false,
        mobile_description: String::new(),
        gallery: Vec::new(),
    }
}

fn image(id: &str, role: ImageRole, product: Option<&str>, w: i64, h: i64) -> ProductImage {
    ProductImage {
        id: id.into(),
        product_id: product.map(Into::into),
        role,
        position: 0,
        width: Some(w),
        height: Some(h),
        byte_len: Some(100_000),
        mime: Some("image/png".into()),
        sha256: None,
        local_path: None,
        updated_ms: 1,
    }
}

fn order(id: &str, channel: Channel) -> Order {
    Order {
        id: id.into(),
        channel,
        status: OrderStatus::Paid,
        customer_id: "c".into(),
        created_ms: 1,
        paid_ms: Some(2),
        refunded_ms: None,
        subtotal: Fen(100),
        discount: Fen::ZERO,
        total: Fen(100),
        refund: Fen::ZERO,
        coupon_id: None,
        lines: vec![],
        updated_ms: 2,
    }
}

fn book() -> CouponBook {
    CouponBook {
        id: "b1".into(),
        title: "满99减10".into(),
        kind: CouponKind::SingleUse,
        value_fen: Some(Fen(1_000)),
        value_bps: None,
        max_uses: None,
        min_spend: Fen(9_900),
        valid_from_ms: 0,
        valid_until_ms: i64::MAX / 2,
        scope: CouponScope::All,
        issued_count: 1,
        version: 1,
        updated_ms: 1,
    }
}

fn status(view: &ChecklistView, id: &str) -> TaskStatus {
    view.task(id)
        .unwrap_or_else(|| panic!("no task {id}"))
        .status
        .clone()
}

/// A small valid document: `a` (manual), `b` depends on `a`, `c` (premium).
fn small_doc(version: i64) -> Value {
    let task = |id: &str, deps: Vec<&str>, tier: &str, rule: Value| {
        json!({
            "id": id, "category": "setup", "min_tier": tier, "depends_on": deps, "minutes": 5,
            "title": {"zh-CN": format!("任务{id}"), "en": format!("Task {id}")},
            "help": {"zh-CN": "这样做。", "en": "Do it so."},
            "rule": rule,
        })
    };
    json!({
        "schema": 1,
        "version": version,
        "tasks": [
            task("a", vec![], "basic", json!({"kind": "manual"})),
            task("b", vec!["a"], "basic", json!({"kind": "manual"})),
            task("c", vec![], "premium", json!({"kind": "first_order"})),
        ]
    })
}

fn delivered(doc: &Value) -> ChecklistDefinition {
    ChecklistDefinition {
        version: doc["version"].as_i64().unwrap_or(0),
        source: DefinitionSource::Server,
        document: doc.to_string(),
        received_ms: 50,
    }
}

/// Applies a page holding one definition, as the sync does.
fn sync_definition(store: &Store, d: ChecklistDefinition) {
    let page = ChangesPage {
        changes: vec![Change::ChecklistDefinition(d)],
        next_cursor: "1".into(),
        has_more: false,
        remaining: None,
    };
    crate::sync::apply::apply_page(store, &page).unwrap();
}

#[test]
fn the_bundled_definition_has_every_required_task_in_both_languages() {
    let def = Definition::bundled();
    assert!(def.tasks.len() >= 15, "{}", def.tasks.len());
    let kinds: Vec<&str> = def.tasks.iter().map(|t| t.rule.kind()).collect();
    for kind in rules::RULE_KINDS {
        assert!(kinds.contains(kind), "no default task uses {kind}");
    }
    // The legal tasks belong to standard and up and name the rule they come from.
    let legal: Vec<&definition::Task> = def
        .tasks
        .iter()
        .filter(|t| t.category == definition::Category::Legal)
        .collect();
    assert!(legal.len() >= 5);
    for t in &legal {
        assert_ne!(t.min_tier, Tier::Basic, "{}", t.id);
        assert!(t.help.zh_cn.contains('《'), "{}: {}", t.id, t.help.zh_cn);
        assert!(t.help.en.contains("Law"), "{}: {}", t.id, t.help.en);
    }
    for (id, law) in [
        ("licence_disclosure", "电子商务法"),
        ("seven_day_returns", "消费者权益保护法"),
        ("fapiao_policy", "发票"),
        ("advertising_terms", "广告法"),
        ("privacy_notice", "个人信息保护法"),
    ] {
        assert!(def.task(id).unwrap().help.zh_cn.contains(law), "{id}");
    }
}

#[test]
fn bad_documents_are_refused_with_their_reason() {
    let base = small_doc(5);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut d = base.clone();
        f(&mut d);
        d.to_string()
    };
    let cases: Vec<(&str, String)> = vec![
        (
            "cycle",
            with(&|d| d["tasks"][0]["depends_on"] = json!(["b"])),
        ),
        (
            "unknown_rule_kind",
            with(&|d| d["tasks"][0]["rule"] = json!({"kind": "moon_phase"})),
        ),
        (
            "unknown_dependency",
            with(&|d| d["tasks"][1]["depends_on"] = json!(["nope"])),
        ),
        ("duplicate_id", with(&|d| d["tasks"][1]["id"] = json!("a"))),
        (
            "missing_translation",
            with(&|d| {
                d["tasks"][1]["help"].as_object_mut().unwrap().remove("en");
            }),
        ),
        (
            "missing_translation",
            with(&|d| d["tasks"][0]["title"]["zh-CN"] = json!("  ")),
        ),
        (
            "dependency_tier",
            with(&|d| d["tasks"][1]["depends_on"] = json!(["c"])),
        ),
        (
            "bad_rule",
            with(&|d| {
                d["tasks"][0]["rule"] =
                    json!({"kind": "titles_within_limits", "min_share_bps": 20000})
            }),
        ),
        ("malformed", "{\"schema\": 1, \"version\": ".into()),
        ("malformed", "[1, 2, 3]".into()),
        ("unsupported_schema", with(&|d| d["schema"] = json!(2))),
        ("bad_version", with(&|d| d["version"] = json!(0))),
        ("task_count", with(&|d| d["tasks"] = json!([]))),
        ("bad_id", with(&|d| d["tasks"][0]["id"] = json!("A b"))),
        (
            "bad_estimate",
            with(&|d| d["tasks"][0]["minutes"] = json!(0)),
        ),
    ];
    for (code, doc) in cases {
        let err = definition::parse(&doc).unwrap_err();
        assert_eq!(err.code(), code, "{err}");
        assert!(!err.to_string().is_empty());
    }
    let cycle = definition::parse(&with(&|d| d["tasks"][0]["depends_on"] = json!(["b"])));
    assert_eq!(
        cycle.unwrap_err(),
        DefinitionError::Cycle(vec!["a".into(), "b".into(), "a".into()])
    );
    // 50 MB: refused by size before any parsing.
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(50 * 1024 * 1024));
    assert_eq!(definition::parse(&huge).unwrap_err().code(), "too_large");
    assert!(definition::parse(&base.to_string()).is_ok());
}

#[test]
fn a_newer_definition_by_sync_replaces_the_current_one_and_bad_ones_keep_it() {
    let (_dir, store, checklist) = open();
    let bundled = Definition::bundled().version;
    assert_eq!(checklist.view().unwrap().source, DefinitionSource::Bundled);

    let newer = small_doc(bundled + 1);
    sync_definition(&store, delivered(&newer));
    let view = checklist.view().unwrap();
    assert_eq!(view.version, bundled + 1);
    assert_eq!(view.source, DefinitionSource::Server);
    assert_eq!(view.tasks.len(), 3);
    // The same document again (a page applied twice) changes nothing and refuses nothing.
    sync_definition(&store, delivered(&newer));
    assert!(checklist.refusals().unwrap().is_empty());

    // Each bad document: refused, recorded with its reason, the current one kept, and the
    // page (and its cursor) still applied.
    let mut cycle = small_doc(bundled + 2);
    cycle["tasks"][0]["depends_on"] = json!(["b"]);
    let mut unknown_kind = small_doc(bundled + 2);
    unknown_kind["tasks"][2]["rule"] = json!({"kind": "moon_phase"});
    let mut unknown_dep = small_doc(bundled + 2);
    unknown_dep["tasks"][1]["depends_on"] = json!(["zzz"]);
    let mut dup = small_doc(bundled + 2);
    dup["tasks"][2]["id"] = json!("b");
    let mut untranslated = small_doc(bundled + 2);
    untranslated["tasks"][0]["title"]
        .as_object_mut()
        .unwrap()
        .remove("zh-CN");
    let older = small_doc(bundled);
    let huge = ChecklistDefinition {
        version: bundled + 2,
        source: DefinitionSource::Server,
        document: format!(
            "{{\"schema\":1,\"version\":{},\"tasks\":[],\"pad\":\"{}\"}}",
            bundled + 2,
            "x".repeat(50 * 1024 * 1024)
        ),
        received_ms: 50,
    };
    let mut mislabelled = delivered(&small_doc(bundled + 2));
    mislabelled.version = bundled + 3;
    let bad = vec![
        ("cycle", delivered(&cycle)),
        ("unknown_rule_kind", delivered(&unknown_kind)),
        ("unknown_dependency", delivered(&unknown_dep)),
        ("duplicate_id", delivered(&dup)),
        ("missing_translation", delivered(&untranslated)),
        ("not_newer", delivered(&older)),
        ("not_newer", delivered(&newer_with_other_text(&newer))),
        ("too_large", huge),
        ("bad_version", mislabelled),
    ];
    for (i, (code, d)) in bad.into_iter().enumerate() {
        let cursor_before = store.status().unwrap().sync.cursor;
        let page = ChangesPage {
            changes: vec![Change::ChecklistDefinition(d)],
            next_cursor: format!("c{i}"),
            has_more: false,
            remaining: None,
        };
        crate::sync::apply::apply_page(&store, &page).unwrap();
        assert_ne!(store.status().unwrap().sync.cursor, cursor_before);
        let view = checklist.view().unwrap();
        assert_eq!(view.version, bundled + 1, "{code}");
        assert_eq!(view.tasks.len(), 3, "{code}");
        let refusals = checklist.refusals().unwrap();
        assert_eq!(refusals[0].code, code, "{:?}", refusals[0]);
        assert!(!refusals[0].reason.is_empty());
    }
    // The stored documents are still only the accepted one.
    let stored = store.read(|db| db.checklist().definitions()).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].version, bundled + 1);
}

/// The same version with another text: not newer, so refused.
fn newer_with_other_text(doc: &Value) -> Value {
    let mut d = doc.clone();
    d["tasks"][0]["title"]["en"] = json!("Changed");
    d
}

#[test]
fn states_follow_the_local_data_tier_and_ticks() {
    let (_dir, store, checklist) = open();
    // No shop synced yet: basic tier, nothing done but nothing fails either.
    let view = checklist.view().unwrap();
    assert_eq!(view.tier, Tier::Basic);
    assert_eq!(view.done, 0);
    assert_eq!(status(&view, "shop_name"), TaskStatus::Ready);
    assert_eq!(view.next.as_deref(), Some("shop_name"));
    assert_eq!(
        status(&view, "licence_disclosure"),
        TaskStatus::NotInTier {
            tier: Tier::Standard
        }
    );
    assert_eq!(
        status(&view, "shop_logo"),
        TaskStatus::Locked {
            waiting_on: vec!["shop_name".into()]
        }
    );

    // A standard shop with a name, a small logo, a good banner, 10 products (one with a
    // long title, one with a banned term, two with small pictures) and one PC order.
    store
        .write(|db| -> Result<(), StoreError> {
            let mut s = shop(Tier::Standard);
            s.logo_image_id = Some("logo".into());
            s.banner_image_id = Some("banner".into());
            db.shop().put(&s)?;
            db.catalog()
                .put_image(&image("logo", ImageRole::Logo, None, 100, 100))?;
            db.catalog()
                .put_image(&image("banner", ImageRole::Banner, None, 1200, 400))?;
            for n in 0..10 {
                let title = match n {
                    0 => "茶".repeat(31),
                    1 => "销量第一 龙井".to_owned(),
                    _ => format!("龙井 {n}号 250g"),
                };
                db.catalog().put_product(&product(n, &title))?;
                let side = if n < 2 { 400 } else { 800 };
                db.catalog().put_image(&image(
                    &format!("i{n}"),
                    ImageRole::Product,
                    Some(&format!("p{n}")),
                    side,
                    side,
                ))?;
            }
            db.orders().put(&order("o1", Channel::Pc))
        })
        .unwrap();
    let view = checklist.view().unwrap();
    assert_eq!(view.tier, Tier::Standard);
    assert_eq!(status(&view, "shop_name"), TaskStatus::Done);
    assert_eq!(
        status(&view, "shop_logo"),
        TaskStatus::Ready,
        "100x100 is too small"
    );
    assert_eq!(status(&view, "shop_banner"), TaskStatus::Done);
    assert_eq!(status(&view, "shop_announcement"), TaskStatus::Ready);
    assert_eq!(status(&view, "publish_products"), TaskStatus::Done);
    let images = view.task("mobile_main_images").unwrap();
    assert_eq!(images.status, TaskStatus::Ready, "8 of 10 < 90%");
    assert_eq!(
        images.count,
        Some(rules::Count {
            current: 8,
            target: 9
        })
    );
    assert_eq!(status(&view, "mobile_titles"), TaskStatus::Ready);
    assert_eq!(status(&view, "advertising_terms"), TaskStatus::Ready);
    assert_eq!(status(&view, "first_order"), TaskStatus::Done);
    assert_eq!(status(&view, "first_coupon_book"), TaskStatus::Ready);
    assert_eq!(
        status(&view, "first_mobile_order"),
        TaskStatus::Locked {
            waiting_on: vec!["mobile_main_images".into()]
        }
    );
    assert_eq!(status(&view, "licence_disclosure"), TaskStatus::Ready);
    assert_eq!(
        status(&view, "complaint_channel"),
        TaskStatus::NotInTier {
            tier: Tier::Premium
        }
    );
    let done_before = view.done;

    // Fix the data: every auto task above turns done on the next read.
    store
        .write(|db| -> Result<(), StoreError> {
            let mut s = shop(Tier::Standard);
            s.logo_image_id = Some("logo".into());
            s.banner_image_id = Some("banner".into());
            s.description = "杭州茶农直供，48小时发货。".into();
            db.shop().put(&s)?;
            db.catalog()
                .put_image(&image("logo", ImageRole::Logo, None, 512, 512))?;
            db.catalog().put_product(&product(0, "龙井 0号"))?;
            db.catalog().put_product(&product(1, "龙井 1号"))?;
            db.catalog()
                .put_image(&image("i0", ImageRole::Product, Some("p0"), 800, 800))?;
            db.coupons().put_book(&book())?;
            db.orders().put(&order("o2", Channel::Mobile))
        })
        .unwrap();
    let view = checklist.view().unwrap();
    for id in [
        "shop_logo",
        "shop_announcement",
        "mobile_main_images",
        "mobile_titles",
        "advertising_terms",
        "first_coupon_book",
        "first_mobile_order",
    ] {
        assert_eq!(status(&view, id), TaskStatus::Done, "{id}");
    }
    assert_eq!(view.done, done_before + 7);
    assert_eq!(
        view.progress_bps,
        view.done * 10_000 / view.total,
        "{view:?}"
    );
    // A banned term in the announcement undoes the advertising task.
    store
        .write(|db| {
            let mut s = shop(Tier::Standard);
            s.description = "全网最低价".into();
            db.shop().put(&s)
        })
        .unwrap();
    assert_eq!(
        status(&checklist.view().unwrap(), "advertising_terms"),
        TaskStatus::Ready
    );
}

#[test]
fn ticks_are_written_with_their_outbox_entry_and_refusals_write_nothing() {
    let (_dir, store, checklist) = open();
    store.write(|db| db.shop().put(&shop(Tier::Basic))).unwrap();
    let outbox = || store.read(|db| db.sync().pending(100)).unwrap();

    let ticked = checklist.tick("payment_setup").unwrap();
    assert!(ticked.done);
    let entries = outbox();
    assert_eq!(entries.len(), 1);
    assert_eq!(Some(entries[0].mutation_id), ticked.mutation_id);
    assert_eq!(entries[0].kind, TICK_KIND);
    assert_eq!(entries[0].entity_id, "payment_setup");
    assert_eq!(
        serde_json::from_str::<Value>(&entries[0].payload).unwrap(),
        json!({"done": true})
    );
    let view = checklist.view().unwrap();
    assert_eq!(status(&view, "payment_setup"), TaskStatus::Done);
    assert_eq!(view.task("payment_setup").unwrap().ticked_ms, Some(1_000));
    // Ticking again writes nothing more.
    assert_eq!(checklist.tick("payment_setup").unwrap().mutation_id, None);
    assert_eq!(outbox().len(), 1);

    // Refusals: typed, and nothing written.
    let tasks_before = store.read(|db| db.checklist().tasks()).unwrap();
    let err = checklist.tick("shop_logo").unwrap_err();
    assert!(
        matches!(
            err,
            ChecklistError::Automatic {
                rule: "shop_image",
                ..
            }
        ),
        "{err}"
    );
    let err = checklist.tick("licence_disclosure").unwrap_err();
    assert!(
        matches!(
            err,
            ChecklistError::NotInTier {
                tier: Tier::Standard,
                shop_tier: Tier::Basic,
                ..
            }
        ),
        "{err}"
    );
    let err = checklist.untick("licence_disclosure").unwrap_err();
    assert_eq!(err.code(), "not_in_tier");
    let err = checklist.tick("no_such_task").unwrap_err();
    assert!(matches!(err, ChecklistError::UnknownTask(_)), "{err}");
    assert!(err.message_zh().contains("no_such_task"));
    assert_eq!(outbox().len(), 1);
    assert_eq!(
        store.read(|db| db.checklist().tasks()).unwrap(),
        tasks_before
    );

    // A locked manual task: a definition where `b` waits on `a`.
    sync_definition(
        &store,
        delivered(&small_doc(Definition::bundled().version + 1)),
    );
    let err = checklist.tick("b").unwrap_err();
    match &err {
        ChecklistError::Locked { waiting_on, .. } => assert_eq!(waiting_on, &["a".to_owned()]),
        other => panic!("{other}"),
    }
    assert_eq!(err.code(), "locked");
    assert_eq!(outbox().len(), 1);
    checklist.tick("a").unwrap();
    checklist.tick("b").unwrap();
    let untick = checklist.untick("a").unwrap();
    assert!(!untick.done);
    assert_eq!(outbox().len(), 4);
    let view = checklist.view().unwrap();
    assert_eq!(status(&view, "a"), TaskStatus::Ready);
    // `b` stays ticked: done wins over its unticked dependency, and may be unticked.
    assert_eq!(status(&view, "b"), TaskStatus::Done);
    checklist.untick("b").unwrap();
    assert_eq!(
        status(&checklist.view().unwrap(), "b"),
        TaskStatus::Locked {
            waiting_on: vec!["a".into()]
        }
    );
}

#[test]
fn the_mobile_order_rule_reads_an_index_not_the_orders() {
    let (_dir, store, _) = open();
    let plan = store
        .read(|db| -> Result<String, StoreError> {
            db.checklist()
                .query_plan(crate::store::CHECKLIST_ORDER_QUERIES[1])
        })
        .unwrap();
    assert!(plan.contains("orders_mobile"), "{plan}");
    assert!(
        !plan.contains("SCAN orders\n") && !plan.ends_with("SCAN orders"),
        "{plan}"
    );
}
