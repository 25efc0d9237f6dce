//! The rollups against the raw orders: random histories in several zones, bad input, DST.

use proptest::prelude::*;
use rusqlite::Connection;

use super::*;
use crate::domain::{Channel, LineItem, Order, OrderStatus, ShopProfile, Tier};
use crate::money::Fen;
use crate::protocol::{Change, ChangesPage, EntityKind, Tombstone};
use crate::store::{Store, StoreError, migrations};
use crate::sync::apply::apply_page;
use crate::time::ShopZone;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// 2026-11-03 12:00 UTC: two days after New York's fall-back fold.
const NOW: i64 = 1_793_707_200_000;
const ZONES: [&str; 4] = [
    "Asia/Shanghai",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
];
const RANGES: [&str; 9] = [
    "today",
    "yesterday",
    "7d",
    "30d",
    "90d",
    "month",
    "last-month",
    "2026-10-31..2026-11-02",
    "2025-11-01..2026-11-03",
];

fn shop(zone: &str) -> Change {
    Change::ShopProfile(ShopProfile {
        shop_id: "s".into(),
        name: "茶".into(),
        description: String::new(),
        logo_image_id: None,
        banner_image_id: None,
        time_zone: zone.into(),
        tier: Tier::Basic,
        version: 1,
        updated_ms: 1,
        theme_color: None,
    })
}

fn page(changes: Vec<Change>) -> ChangesPage {
    ChangesPage {
        changes,
        next_cursor: "c".into(),
        has_more: false,
        remaining: None,
    }
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("shop.db")).unwrap();
    (dir, store)
}

/// The rollups' dashboard without its freshness, which the raw check has not.
fn from_rollups(store: &Store, range: &str) -> Result<Dashboard, AnalyticsError> {
    let mut board = dashboard(store, range.parse()?, NOW)?;
    board.freshness = None;
    Ok(board)
}

fn assert_agree(store: &Store) {
    for range in RANGES {
        let fast = from_rollups(store, range).unwrap();
        let slow = recompute(store, range.parse().unwrap(), NOW).unwrap();
        assert_eq!(fast, slow, "range {range}");
    }
}

/// What one generated order looks like before it becomes an `Order`.
#[derive(Clone, Debug)]
struct Spec {
    id: u8,
    created: i64,
    mobile: bool,
    customer: u8,
    status: u8,
    pay_delay: i64,
    refund_delay: i64,
    refund_part: u8,
    coupon: bool,
    lines: Vec<(u8, i64, i64)>,
}

/// Instants that matter: day starts and DST transitions of every zone (± 1 ms), and
/// anything in the last 100 days.
fn instant() -> impl Strategy<Value = i64> {
    let mut edges = Vec::new();
    for zone in ZONES {
        let zone = ShopZone::new(zone).unwrap();
        let today = zone.business_day(NOW).unwrap();
        for back in [0i64, 1, 2, 3, 6, 7, 29, 30, 31, 33, 60, 89, 90] {
            let date = today.checked_sub(jiff::Span::new().days(back)).unwrap();
            let start = zone.day_start_ms(date).unwrap();
            edges.extend([start - 1, start, start + 1]);
        }
        for t in zone
            .time_zone()
            .preceding(jiff::Timestamp::from_millisecond(NOW).unwrap())
            .take(4)
        {
            let ms = t.timestamp().as_millisecond();
            edges.extend([ms - 1, ms, ms + 1, ms + HOUR / 2]);
        }
    }
    prop_oneof![
        proptest::sample::select(edges),
        (NOW - 100 * DAY)..NOW + 2 * HOUR,
        (NOW - 400 * DAY)..NOW,
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0u8..12,
        instant(),
        any::<bool>(),
        0u8..5,
        0u8..6,
        prop_oneof![Just(0i64), 0..3 * DAY],
        prop_oneof![Just(0i64), 0..40 * DAY],
        0u8..4,
        any::<bool>(),
        proptest::collection::vec((0u8..5, 1i64..4, 1i64..50_000), 1..4),
    )
        .prop_map(
            |(
                id,
                created,
                mobile,
                customer,
                status,
                pay_delay,
                refund_delay,
                refund_part,
                coupon,
                lines,
            )| Spec {
                id,
                created,
                mobile,
                customer,
                status,
                pay_delay,
                refund_delay,
                refund_part,
                coupon,
                lines,
            },
        )
}

fn order(s: &Spec) -> Order {
    let lines: Vec<LineItem> = s
        .lines
        .iter()
        .map(|&(p, q, price)| LineItem {
            // Product 4 stands for a line without a product id.
            product_id: (p < 4).then(|| format!("p{p}")),
            title: format!("茶 {p}"),
            quantity: q,
            unit_price: Fen(price),
            total: Fen(q * price),
        })
        .collect();
    let subtotal: i64 = lines.iter().map(|l| l.total.0).sum();
    let discount = if s.coupon { subtotal / 7 } else { 0 };
    let total = subtotal - discount;
    let status = OrderStatus::ALL[usize::from(s.status)];
    let paid_ms = match status {
        OrderStatus::Pending | OrderStatus::Cancelled => None,
        _ => Some(s.created + s.pay_delay),
    };
    // Refunds: whole for refunded orders, sometimes partial on completed ones.
    let refund = match (status, s.refund_part) {
        (OrderStatus::Refunded, 0) => total / 2 + 1,
        (OrderStatus::Refunded, _) => total,
        (OrderStatus::Completed, 3) => total / 3,
        _ => 0,
    };
    let refunded_ms = (refund > 0).then(|| paid_ms.unwrap_or(s.created) + s.refund_delay);
    Order {
        id: format!("o{}", s.id),
        channel: if s.mobile {
            Channel::Mobile
        } else {
            Channel::Pc
        },
        status,
        customer_id: format!("c{}", s.customer),
        created_ms: s.created,
        paid_ms,
        refunded_ms,
        subtotal: Fen(subtotal),
        discount: Fen(discount),
        total: Fen(total),
        refund: Fen(refund),
        coupon_id: s.coupon.then(|| format!("cpn{}", s.id)),
        lines,
        updated_ms: s.created,
    }
}

#[derive(Clone, Debug)]
enum Step {
    Put(Spec),
    Delete(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => spec().prop_map(Step::Put),
        1 => (0u8..12).prop_map(Step::Delete),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Orders arrive, change (paid, refunded later, lines edited), are deleted, in pages of
    /// any size, in any of several zones (one switch of zone on the way): every figure of
    /// every range from the rollups equals the raw recomputation.
    #[test]
    fn rollups_agree_with_the_raw_orders(
        zone in 0usize..ZONES.len(),
        later_zone in proptest::option::of(0usize..ZONES.len()),
        steps in proptest::collection::vec(step(), 1..40),
        cuts in proptest::collection::vec(1usize..8, 1..10),
    ) {
        let (_dir, store) = open();
        apply_page(&store, &page(vec![shop(ZONES[zone])])).unwrap();
        let changes: Vec<Change> = steps
            .iter()
            .map(|s| match s {
                Step::Put(spec) => Change::Order(order(spec)),
                Step::Delete(id) => Change::Deleted(Tombstone {
                    kind: EntityKind::Order,
                    id: format!("o{id}"),
                }),
            })
            .collect();
        let mut rest = &changes[..];
        let mut cut = cuts.iter().cycle();
        while !rest.is_empty() {
            let n = (*cut.next().unwrap()).min(rest.len());
            apply_page(&store, &page(rest[..n].to_vec())).unwrap();
            rest = &rest[n..];
        }
        assert_agree(&store);
        if let Some(z) = later_zone {
            apply_page(&store, &page(vec![shop(ZONES[z])])).unwrap();
            assert_agree(&store);
        }
    }
}

fn simple(id: &str, paid_ms: i64, total: i64) -> Order {
    Order {
        id: id.into(),
        channel: Channel::Mobile,
        status: OrderStatus::Paid,
        customer_id: "c".into(),
        created_ms: paid_ms,
        paid_ms: Some(paid_ms),
        refunded_ms: None,
        subtotal: Fen(total),
        discount: Fen::ZERO,
        total: Fen(total),
        refund: Fen::ZERO,
        coupon_id: None,
        lines: vec![LineItem {
            product_id: Some("p".into()),
            title: "t".into(),
            quantity: 1,
            unit_price: Fen(total),
            total: Fen(total),
        }],
        updated_ms: paid_ms,
    }
}

#[test]
fn an_empty_shop_has_zero_figures_and_no_averages_or_shares() {
    let (_dir, store) = open();
    for range in RANGES {
        let board = from_rollups(&store, range).unwrap();
        assert_eq!(board.figures.orders, 0);
        assert_eq!(board.figures.net_sales, Fen(0));
        assert_eq!(board.figures.average_order_value, None);
        assert_eq!(board.figures.mobile_share_of_orders, None);
        assert!(board.top_by_net_sales.is_empty());
        assert_eq!(board.heatmap.len(), 7 * 24);
        assert!(
            board
                .table
                .iter()
                .all(|r| r.change.is_none_or(|c| c.relative.is_none()))
        );
    }
    let board = dashboard(&store, "30d".parse().unwrap(), NOW).unwrap();
    let fresh = board.freshness.unwrap();
    assert_eq!((fresh.last_sync_ms, fresh.pending_changes), (None, 0));
}

#[test]
fn bad_ranges_are_typed_errors() {
    let (_dir, store) = open();
    let back = dashboard(&store, "2026-03-10..2026-03-01".parse().unwrap(), NOW);
    assert!(matches!(back, Err(AnalyticsError::EndBeforeStart { .. })));
    let twenty = dashboard(&store, "2006-01-01..2025-12-31".parse().unwrap(), NOW);
    assert!(matches!(twenty, Err(AnalyticsError::RangeTooLong { .. })));
    assert!(matches!(
        "forever".parse::<RangeSpec>(),
        Err(AnalyticsError::UnknownRange(_))
    ));
    let e = AnalyticsError::RangeTooLong {
        days: 7305,
        max: 1100,
    };
    assert!(e.message_zh().contains("7305"));
}

#[test]
fn an_unknown_zone_is_refused_by_the_sync_and_reported_by_the_dashboard() {
    let (_dir, store) = open();
    let err = apply_page(&store, &page(vec![shop("Mars/Olympus_Mons")])).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::InvalidInput {
                what: "shop profile",
                ..
            }
        ),
        "{err}"
    );
    // A profile stored by an older build with a zone this one does not know.
    apply_page(&store, &page(vec![shop("Asia/Shanghai")])).unwrap();
    store
        .write(|db| -> Result<(), StoreError> {
            db.conn().execute(
                "UPDATE shop_profile SET time_zone = 'Mars/Olympus_Mons'",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    let err = dashboard(&store, "7d".parse().unwrap(), NOW).unwrap_err();
    assert!(
        matches!(
            err,
            AnalyticsError::Time(crate::time::TimeError::UnknownZone { .. })
        ),
        "{err}"
    );
    assert!(err.message_zh().contains("时区"));
}

#[test]
fn a_damaged_feed_is_refused_and_the_rollups_stay_untouched() {
    let (_dir, store) = open();
    apply_page(
        &store,
        &page(vec![Change::Order(simple("good", NOW - HOUR, 1_000))]),
    )
    .unwrap();
    let before = from_rollups(&store, "30d").unwrap();
    let mut zero = simple("zero", NOW - HOUR, 1_000);
    zero.total = Fen(0);
    zero.discount = Fen(1_000);
    let mut negative = simple("neg", NOW - HOUR, 1_000);
    negative.total = Fen(-5);
    negative.subtotal = Fen(-5);
    let mut over_refund = simple("over", NOW - HOUR, 1_000);
    over_refund.refund = Fen(2_000);
    over_refund.refunded_ms = Some(NOW);
    for bad in [zero, negative, over_refund] {
        let p = page(vec![
            Change::Order(simple("fine", NOW - 2 * HOUR, 500)),
            Change::Order(bad),
        ]);
        let err = apply_page(&store, &p).unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidInput { what: "order", .. }),
            "{err}"
        );
        assert_eq!(from_rollups(&store, "30d").unwrap(), before);
    }
    assert_eq!(before.figures.orders, 1);
    assert_agree(&store);
}

#[test]
fn the_fold_and_gap_days_of_new_york_keep_every_order() {
    let (_dir, store) = open();
    let zone = ShopZone::new("America/New_York").unwrap();
    // 2026-11-01: 01:00-02:00 happens twice. 2026-03-08: 02:00-03:00 does not exist.
    let fold_day: jiff::civil::Date = "2026-11-01".parse().unwrap();
    let (fs, fe) = zone.day_bounds_ms(fold_day).unwrap();
    assert_eq!(fe - fs, 25 * HOUR);
    let gap_day: jiff::civil::Date = "2026-03-08".parse().unwrap();
    let (gs, ge) = zone.day_bounds_ms(gap_day).unwrap();
    assert_eq!(ge - gs, 23 * HOUR);
    let orders = vec![
        shop("America/New_York"),
        Change::Order(simple("first-one-am", fs + HOUR + 60_000, 100)),
        Change::Order(simple("second-one-am", fs + 2 * HOUR + 60_000, 200)),
        Change::Order(simple("last-minute", fe - 1, 400)),
        Change::Order(simple("after-the-gap", gs + 2 * HOUR, 800)),
    ];
    apply_page(&store, &page(orders)).unwrap();
    let fold = from_rollups(&store, "2026-11-01..2026-11-01").unwrap();
    assert_eq!(fold.series.grain, Grain::Hour);
    assert_eq!(fold.series.current.len(), 24);
    assert_eq!(fold.series.current[1].orders, 2, "both 1 a.m. hours");
    assert_eq!(fold.series.current[23].orders, 1);
    assert_eq!(fold.figures.net_sales, Fen(700));
    let gap = from_rollups(&store, "2026-03-08..2026-03-08").unwrap();
    assert_eq!(gap.series.current[2].orders, 0, "2 a.m. does not exist");
    assert_eq!(gap.series.current[3].orders, 1);
    for range in [
        "2026-11-01..2026-11-01",
        "2026-03-08..2026-03-08",
        "2026-02-01..2026-12-01",
    ] {
        let slow = recompute(&store, range.parse().unwrap(), NOW).unwrap();
        assert_eq!(from_rollups(&store, range).unwrap(), slow, "{range}");
    }
}

#[test]
fn refunds_count_on_their_own_day_and_a_changed_order_moves_its_contribution() {
    let (_dir, store) = open();
    let zone = ShopZone::default();
    let today = zone.business_day(NOW).unwrap();
    let today_start = zone.day_start_ms(today).unwrap();
    let paid = today_start - 3 * DAY + HOUR;
    let o = simple("o1", paid, 10_000);
    apply_page(&store, &page(vec![Change::Order(o.clone())])).unwrap();
    let mut refunded = o.clone();
    refunded.status = OrderStatus::Refunded;
    refunded.refund = Fen(4_000);
    refunded.refunded_ms = Some(today_start + HOUR);
    apply_page(&store, &page(vec![Change::Order(refunded)])).unwrap();
    let today_board = from_rollups(&store, "today").unwrap();
    assert_eq!(today_board.figures.orders, 0);
    assert_eq!(today_board.figures.refunds, Fen(4_000));
    assert_eq!(today_board.figures.net_sales, Fen(-4_000));
    assert_eq!(today_board.figures.mobile_share_of_net_sales, None);
    let week = from_rollups(&store, "7d").unwrap();
    assert_eq!(week.figures.net_sales, Fen(6_000));
    assert_eq!(week.top_by_net_sales[0].net_sales, Fen(6_000));
    // Deleted: nothing left anywhere.
    apply_page(
        &store,
        &page(vec![Change::Deleted(Tombstone {
            kind: EntityKind::Order,
            id: "o1".into(),
        })]),
    )
    .unwrap();
    let empty = from_rollups(&store, "7d").unwrap();
    assert_eq!(
        empty.figures,
        Figures::from_sums(&Default::default()).unwrap()
    );
    let rows: i64 = store
        .read(|db| -> Result<i64, StoreError> {
            Ok(db.conn().query_row(
                "SELECT (SELECT count(*) FROM analytics_day) + (SELECT count(*) FROM analytics_hour)
                   + (SELECT count(*) FROM analytics_product_day)
                   + (SELECT count(*) FROM analytics_customer)
                   + (SELECT count(*) FROM analytics_day_customers)",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(rows, 0);
}

#[test]
fn a_database_upgraded_with_orders_gets_its_rollups_built_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        // v7: the last schema before the analytics rollups (0008).
        migrations::migrate_to(&mut conn, 7).unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO orders (id, channel, status, customer_id, created_ms, paid_ms,
                 subtotal_fen, discount_fen, total_fen, updated_ms)
             VALUES ('old1', 'mobile', 'completed', 'c1', {t}, {t}, 900, 0, 900, {t}),
                    ('old2', 'pc', 'paid', 'c2', {t}, {t}, 300, 0, 300, {t});
             INSERT INTO order_lines VALUES ('old1', 0, 'p1', 'tea', 3, 300, 900);",
            t = NOW - HOUR
        ))
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let board = from_rollups(&store, "today").unwrap();
    assert_eq!(board.figures.orders, 2);
    assert_eq!(board.figures.units, 3);
    assert_eq!(
        board.figures.mobile_share_of_net_sales,
        Some(crate::money::Bps(7_500))
    );
    assert_agree(&store);
}

/// New and returning customers for every range with ends around a day edge (the edge of the
/// 64-day blocks of schema 10), while orders on both sides of the edge come and go: first
/// days are lost and found again.
#[test]
fn customers_agree_with_the_raw_orders_around_a_day_edge_as_orders_come_and_go() {
    let (_dir, store) = open();
    let zone = ShopZone::default();
    apply_page(&store, &page(vec![shop(zone.name())])).unwrap();
    let today = super::range::day_number(zone.business_day(NOW).unwrap());
    // The last day of the block before today's block: bit 63.
    let edge = today.div_euclid(64) * 64 - 1;
    let at = |day: i32| {
        let date = super::range::day_date(day).unwrap();
        zone.day_start_ms(date).unwrap() + 10 * HOUR
    };
    let order = |id: &str, customer: &str, day: i32| {
        let mut o = simple(id, at(day), 1_000);
        o.customer_id = customer.into();
        o
    };
    let history = vec![
        order("a1", "a", edge),
        order("a2", "a", edge + 1),
        order("b1", "b", edge - 64),
        order("b2", "b", edge),
        order("c1", "c", edge + 1),
        order("c2", "c", edge + 1),
        order("d1", "d", edge - 1),
        order("d2", "d", edge + 2),
    ];
    let check = |store: &Store| {
        store
            .read(|db| -> Result<(), AnalyticsError> {
                let stored = super::stored::Rollups::new(db.conn());
                let raw = super::recompute::RawOrders::new(db.conn(), zone.clone());
                for s in edge - 66..edge + 4 {
                    for e in s..edge + 5 {
                        let (fast, slow) = (stored.sums((s, e))?, raw.sums((s, e))?);
                        assert_eq!(fast, slow, "days {s}..{e}");
                    }
                }
                Ok(())
            })
            .unwrap()
    };
    use super::dashboard::Source as _;
    apply_page(
        &store,
        &page(history.into_iter().map(Change::Order).collect()),
    )
    .unwrap();
    check(&store);
    // The first day of `b` goes, then the only order of `a` on the edge, and one of `c`'s two.
    for id in ["b1", "a1", "c1"] {
        apply_page(
            &store,
            &page(vec![Change::Deleted(Tombstone {
                kind: EntityKind::Order,
                id: id.into(),
            })]),
        )
        .unwrap();
        check(&store);
    }
    // `b` buys again before its (new) first day: its first day moves back.
    apply_page(
        &store,
        &page(vec![Change::Order(order("b3", "b", edge - 3))]),
    )
    .unwrap();
    check(&store);
    // `d` loses its first day (the next is found on a later list), then its last: forgotten.
    let gone = |id: &str| {
        Change::Deleted(Tombstone {
            kind: EntityKind::Order,
            id: id.into(),
        })
    };
    for id in ["d1", "d2"] {
        apply_page(&store, &page(vec![gone(id)])).unwrap();
        check(&store);
    }
    let first_days: i64 = store
        .read(|db| -> Result<i64, StoreError> {
            Ok(db.conn().query_row(
                "SELECT count(*) FROM analytics_customer WHERE customer_id = 'd'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(first_days, 0);
    // One page takes `b`'s first day and adds a later one, and moves `c` to another day.
    apply_page(
        &store,
        &page(vec![
            gone("b3"),
            Change::Order(order("b4", "b", edge + 3)),
            Change::Order(order("c2", "c", edge - 2)),
        ]),
    )
    .unwrap();
    check(&store);
}

/// The rollup tables' rows, table by table, sorted.
fn rollup_rows(store: &Store) -> Vec<(String, Vec<String>)> {
    store
        .read(|db| -> Result<_, StoreError> {
            let mut out = Vec::new();
            for table in [
                "analytics_day",
                "analytics_hour",
                "analytics_product_day",
                "analytics_product_month",
                "analytics_day_customers",
                "analytics_customer",
            ] {
                let mut stmt = db.conn().prepare(&format!("SELECT * FROM {table}"))?;
                let n = stmt.column_count();
                let mut rows = stmt
                    .query_map([], |r| {
                        (0..n)
                            .map(|i| {
                                r.get::<_, rusqlite::types::Value>(i)
                                    .map(|v| format!("{v:?}"))
                            })
                            .collect::<Result<Vec<_>, _>>()
                            .map(|v| v.join(","))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                rows.sort();
                out.push((table.to_owned(), rows));
            }
            Ok(out)
        })
        .unwrap()
}

/// A v9 database (customer rollups by customer and day) with synced orders is upgraded: the
/// migration drops the old customer table and the core rebuilds every rollup from the raw
/// orders, to exactly the rows the sync writes page by page.
#[test]
fn the_v10_upgrade_rebuilds_the_rollups_as_the_sync_writes_them() {
    let zone = ShopZone::new("America/New_York").unwrap();
    let orders: Vec<Order> = (0..40)
        .map(|i| {
            let mut o = simple(
                &format!("o{i}"),
                NOW - i64::from(i) * 7 * HOUR,
                1_000 + i64::from(i),
            );
            o.customer_id = format!("c{}", i % 6);
            o.channel = if i % 3 == 0 {
                Channel::Pc
            } else {
                Channel::Mobile
            };
            o
        })
        .collect();

    let (_dir, synced) = open();
    apply_page(&synced, &page(vec![shop(zone.name())])).unwrap();
    for chunk in orders.chunks(7) {
        apply_page(
            &synced,
            &page(chunk.iter().cloned().map(Change::Order).collect()),
        )
        .unwrap();
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v9.db");
    {
        // The same shop synced under schema 9: rollups marked built, with stale rows that a
        // rebuild must replace, and the customers in the old layout.
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrate_to(&mut conn, 9).unwrap();
        conn.execute("ATTACH ?1 AS src", [synced.path().to_str().unwrap()])
            .unwrap();
        conn.execute_batch(
            "INSERT INTO shop_profile SELECT * FROM src.shop_profile;
             INSERT INTO orders SELECT * FROM src.orders;
             INSERT INTO order_lines SELECT * FROM src.order_lines;
             UPDATE analytics_state SET zone = 'America/New_York' WHERE id = 1;
             INSERT INTO analytics_day VALUES (1, 1, 0, 5, 5, 500, 0, 0);
             INSERT INTO analytics_customer_day VALUES ('c1', 1, 5);
             INSERT INTO analytics_customer VALUES ('c1', 1);
             DETACH src;",
        )
        .unwrap();
    }
    let upgraded = Store::open(&path).unwrap();
    assert_eq!(
        upgraded.status().unwrap().schema_version,
        migrations::LATEST_VERSION
    );
    from_rollups(&upgraded, "today").unwrap();
    assert_eq!(rollup_rows(&upgraded), rollup_rows(&synced));
    assert_agree(&upgraded);
}

/// A page with more rows per rollup table than one multi-row statement takes (64): every
/// chunk size is used and every row arrives.
#[test]
fn a_large_page_is_written_in_chunks_and_nothing_is_lost() {
    let (_dir, store) = open();
    apply_page(&store, &page(vec![shop("Asia/Shanghai")])).unwrap();
    let orders: Vec<Change> = (0..203)
        .map(|i| {
            let mut o = simple(
                &format!("o{i}"),
                NOW - i64::from(i) * 5 * HOUR,
                100 + i64::from(i),
            );
            o.customer_id = format!("c{i}");
            o.lines[0].product_id = Some(format!("p{}", i % 131));
            Change::Order(o)
        })
        .collect();
    apply_page(&store, &page(orders)).unwrap();
    let (customers, listed) = store
        .read(|db| -> Result<(i64, usize), StoreError> {
            let customers =
                db.conn()
                    .query_row("SELECT count(*) FROM analytics_customer", [], |r| r.get(0))?;
            let mut stmt = db
                .conn()
                .prepare("SELECT customers FROM analytics_day_customers")?;
            let lists: Vec<Vec<u8>> = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let listed = lists
                .iter()
                .map(|l| super::day_customers::entries(l).count())
                .sum();
            Ok((customers, listed))
        })
        .unwrap();
    // 203 customers with one paid order each: 203 first days, 203 entries on the day lists.
    assert_eq!((customers, listed), (203, 203));
    assert_agree(&store);
}

/// A synced page that moves the shop to another zone (with an order in the same page)
/// rebuilds every rollup in the new zone, in that page's transaction.
#[test]
fn a_page_that_changes_the_shops_zone_rebuilds_the_rollups_in_it() {
    let (_dir, store) = open();
    apply_page(&store, &page(vec![shop("Asia/Shanghai")])).unwrap();
    // Late evening in New York is the next day in Shanghai: the day rows must move.
    let orders: Vec<Change> = (0..30)
        .map(|i| {
            Change::Order(simple(
                &format!("o{i}"),
                NOW - i64::from(i) * 11 * HOUR,
                500,
            ))
        })
        .collect();
    apply_page(&store, &page(orders)).unwrap();
    assert_agree(&store);
    apply_page(
        &store,
        &page(vec![
            shop("America/New_York"),
            Change::Order(simple("late", NOW - 2 * HOUR, 700)),
        ]),
    )
    .unwrap();
    let built = store
        .read(|db| super::rollup::built_zone(db.conn()))
        .unwrap();
    assert_eq!(built.as_deref(), Some("America/New_York"));
    assert_agree(&store);
}
