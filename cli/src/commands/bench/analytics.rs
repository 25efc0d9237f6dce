//! `sellerkit bench analytics`: the dashboard from the rollups against the same figures by
//! plain SQL over the raw orders (with good indexes) and by DuckDB over a CSV export, and the
//! cost of keeping the rollups in the sync's transactions, all on the same orders in one run.

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use sellerkit_core::analytics::{self, Dashboard, RangeSpec};
use sellerkit_core::domain::Order;
use sellerkit_core::protocol::{Change, ChangesPage};
use sellerkit_core::store::{Store, StoreError};
use sellerkit_core::sync::apply::{Applied, apply_page, apply_page_without_analytics};
use sellerkit_core::time::ShopZone;
use sellerkit_devserver::seed::{SeedConfig, demo_catalog, demo_orders};

use crate::Context;

const PAGE: usize = 1_000;
const RANGES: [(&str, RangeSpec); 2] = [
    ("30d", RangeSpec::LastDays(30)),
    ("365d", RangeSpec::LastDays(365)),
];

#[derive(Debug, serde::Serialize)]
struct RangeFigures {
    range: &'static str,
    rollups_median_ms: f64,
    raw_sql_median_ms: f64,
    duckdb_median_ms: Option<f64>,
    raw_vs_rollups: f64,
    duckdb_vs_rollups: Option<f64>,
}

#[derive(Debug, serde::Serialize)]
struct AnalyticsBench {
    orders: u64,
    runs: usize,
    bare_load_orders_per_s: f64,
    apply_with_rollups_orders_per_s: f64,
    apply_without_rollups_orders_per_s: f64,
    rollup_cost: f64,
    with_rollups_vs_bare: f64,
    ranges: Vec<RangeFigures>,
    duckdb: Option<String>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn timed<T>(f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<(T, f64)> {
    let t = Instant::now();
    let v = f()?;
    Ok((v, t.elapsed().as_secs_f64() * 1000.0))
}

/// Runs the benchmark on `orders` demo orders in `dir`; `python` runs the DuckDB script.
pub fn run(
    ctx: &Context,
    orders: u64,
    runs: usize,
    dir: &Path,
    python: &str,
) -> anyhow::Result<()> {
    let say = |m: &str| {
        if !ctx.out.json {
            eprintln!("bench: {m}");
        }
    };
    let now_ms = ctx.now_ms();
    let cfg = SeedConfig {
        orders,
        rng_seed: SeedConfig::DEFAULT_RNG_SEED,
        now_ms,
    };
    let catalog = demo_catalog(&cfg);

    // 1. The machine's limit: the same orders into minimal integer-keyed tables, one transaction.
    say(&format!(
        "bare load of {orders} orders into integer-keyed tables"
    ));
    let bare_path = dir.join("bare.db");
    let _ = std::fs::remove_file(&bare_path);
    let mut bare = rusqlite::Connection::open(&bare_path)?;
    bare.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE o (id INTEGER PRIMARY KEY, mobile INT, status INT, customer INT, paid_ms INT,
             refunded_ms INT, subtotal INT, discount INT, total INT, refund INT, coupon INT);
         CREATE TABLE l (order_id INT, line_no INT, product INT, quantity INT, total INT,
             PRIMARY KEY (order_id, line_no)) WITHOUT ROWID;",
    )?;
    let mut bare_time = Duration::ZERO;
    {
        let tx = bare.transaction()?;
        {
            let mut o_stmt =
                tx.prepare("INSERT INTO o VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")?;
            let mut l_stmt = tx.prepare("INSERT INTO l VALUES (?1, ?2, ?3, ?4, ?5)")?;
            let mut generated = demo_orders(&cfg, &catalog.products);
            let mut n: i64 = 0;
            loop {
                let page: Vec<Order> = generated.by_ref().take(PAGE).collect();
                if page.is_empty() {
                    break;
                }
                let t = Instant::now();
                for o in &page {
                    n += 1;
                    o_stmt.execute(rusqlite::params![
                        n,
                        o.channel.as_str().len() as i64,
                        o.status.as_str().len() as i64,
                        o.customer_id.len() as i64,
                        o.paid_ms,
                        o.refunded_ms,
                        o.subtotal.0,
                        o.discount.0,
                        o.total.0,
                        o.refund.0,
                        o.coupon_id.is_some()
                    ])?;
                    for (i, l) in o.lines.iter().enumerate() {
                        l_stmt.execute(rusqlite::params![
                            n,
                            i as i64,
                            l.title.len() as i64,
                            l.quantity,
                            l.total.0
                        ])?;
                    }
                }
                bare_time += t.elapsed();
            }
        }
        let t = Instant::now();
        tx.commit()?;
        bare_time += t.elapsed();
    }
    drop(bare);
    let bare_rate = orders as f64 / bare_time.as_secs_f64();

    // 2. The sync's apply of the same pages, with and without the rollups (no network). The
    // two stores take each page in turn, alternating which goes first, so a busy moment of
    // the machine slows both alike: the ratio is what the rollups cost, not the noise.
    say("applying the orders as synced pages, with and without rollups, interleaved");
    let open = |name: &str| -> anyhow::Result<Store> {
        let path = dir.join(name);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        Ok(Store::open(&path)?)
    };
    let plain = open("phone-without-rollups.db")?;
    let store = open("phone.db")?;
    let profile = ChangesPage {
        changes: std::iter::once(Change::ShopProfile(catalog.profile.clone()))
            .chain(catalog.products.iter().cloned().map(Change::Product))
            .collect(),
        next_cursor: "0".into(),
        has_more: true,
        remaining: None,
    };
    apply_page(&store, &profile)?;
    apply_page_without_analytics(&plain, &profile)?;
    let (mut with_time, mut without_time) = (Duration::ZERO, Duration::ZERO);
    let mut generated = demo_orders(&cfg, &catalog.products);
    for cursor in 1u64.. {
        let changes: Vec<Change> = generated.by_ref().take(PAGE).map(Change::Order).collect();
        if changes.is_empty() {
            break;
        }
        let page = ChangesPage {
            changes,
            next_cursor: cursor.to_string(),
            has_more: true,
            remaining: None,
        };
        type Apply = fn(&Store, &ChangesPage) -> Result<Applied, StoreError>;
        let timed = |apply: Apply, store: &Store, spent: &mut Duration| -> anyhow::Result<()> {
            let t = Instant::now();
            apply(store, &page)?;
            *spent += t.elapsed();
            Ok(())
        };
        if cursor % 2 == 0 {
            timed(apply_page, &store, &mut with_time)?;
            timed(apply_page_without_analytics, &plain, &mut without_time)?;
        } else {
            timed(apply_page_without_analytics, &plain, &mut without_time)?;
            timed(apply_page, &store, &mut with_time)?;
        }
    }
    drop(plain);
    let with_rate = orders as f64 / with_time.as_secs_f64();
    let without_rate = orders as f64 / without_time.as_secs_f64();
    say(&format!(
        "apply: {without_rate:.0} orders/s without rollups, {with_rate:.0} with (cost {:.1}%)",
        (1.0 - with_rate / without_rate) * 100.0
    ));

    // 3. The dashboards from the rollups.
    let mut rollup_ms = Vec::new();
    let mut boards: Vec<Dashboard> = Vec::new();
    for (name, spec) in RANGES {
        say(&format!("{name} dashboard from the rollups, {runs} runs"));
        let mut times = Vec::new();
        let mut board = None;
        for _ in 0..runs {
            let (b, ms) = timed(|| Ok(analytics::dashboard(&store, spec, now_ms)?))?;
            times.push(ms);
            board = Some(b);
        }
        rollup_ms.push(median(times));
        boards.push(board.context("no run")?);
    }

    // 4. The same by plain SQL over the raw orders, with indexes for its scans.
    say("indexing the raw orders for the SQL path");
    {
        let conn = rusqlite::Connection::open(dir.join("phone.db"))?;
        conn.execute_batch(
            "CREATE INDEX IF NOT EXISTS bench_orders_paid ON orders (paid_ms);
             CREATE INDEX IF NOT EXISTS bench_orders_refunded ON orders (refunded_ms) WHERE refund_fen > 0;
             CREATE INDEX IF NOT EXISTS bench_orders_customer ON orders (customer_id, paid_ms);
             ANALYZE;",
        )?;
    }
    let raw_runs = runs.clamp(1, 5);
    let mut raw_ms = Vec::new();
    for ((name, spec), fast) in RANGES.iter().zip(&boards) {
        say(&format!(
            "{name} dashboard by plain SQL over the raw orders, {raw_runs} runs"
        ));
        let mut times = Vec::new();
        for _ in 0..raw_runs {
            let (slow, ms) = timed(|| Ok(analytics::recompute(&store, *spec, now_ms)?))?;
            times.push(ms);
            let mut fast = fast.clone();
            fast.freshness = None;
            if slow != fast {
                bail!(
                    "the {name} dashboard from the rollups differs from the raw SQL recomputation"
                );
            }
        }
        raw_ms.push(median(times));
    }

    // 5. DuckDB over a CSV export of the same orders.
    say("exporting the orders as CSV for DuckDB");
    let zone = ShopZone::default();
    export_csv(&store, dir, &zone, now_ms)?;
    say(&format!(
        "DuckDB ({python} scripts/bench-analytics-duckdb.py), {runs} runs"
    ));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/bench-analytics-duckdb.py");
    let out = std::process::Command::new(python)
        .arg(&script)
        .arg(dir)
        .arg(runs.to_string())
        .output()
        .with_context(|| format!("cannot run {python}"))?;
    let (duck, duck_version) = if out.status.success() {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        for ((name, _), board) in RANGES.iter().zip(&boards) {
            let d = &v[*name];
            if d["orders"] != board.figures.orders
                || d["net_sales"] != board.figures.net_sales.0
                || d["customers"] != board.figures.customers
            {
                bail!("DuckDB's {name} figures differ from the phone's: {d}");
            }
        }
        let ms: Vec<Option<f64>> = RANGES
            .iter()
            .map(|(n, _)| v[*n]["median_ms"].as_f64())
            .collect();
        (ms, v["duckdb"].as_str().map(str::to_owned))
    } else {
        say(&format!(
            "DuckDB skipped: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
        (vec![None; RANGES.len()], None)
    };

    let ranges = RANGES
        .iter()
        .enumerate()
        .map(|(i, (name, _))| RangeFigures {
            range: name,
            rollups_median_ms: rollup_ms[i],
            raw_sql_median_ms: raw_ms[i],
            duckdb_median_ms: duck[i],
            raw_vs_rollups: raw_ms[i] / rollup_ms[i],
            duckdb_vs_rollups: duck[i].map(|d| d / rollup_ms[i]),
        })
        .collect();
    let bench = AnalyticsBench {
        orders,
        runs,
        bare_load_orders_per_s: bare_rate,
        apply_with_rollups_orders_per_s: with_rate,
        apply_without_rollups_orders_per_s: without_rate,
        rollup_cost: 1.0 - with_rate / without_rate,
        with_rollups_vs_bare: with_rate / bare_rate,
        ranges,
        duckdb: duck_version,
    };
    ctx.out.print(&bench, |b| {
        let mut t = format!(
            "analytics benchmark: {} orders (demo shop), medians of {} runs (raw SQL: up to 5)\n\
             bare load, integer-keyed tables, one transaction: {:>9.0} orders/s   (the machine's limit)\n\
             sync apply without rollups:                       {:>9.0} orders/s\n\
             sync apply with rollups:                          {:>9.0} orders/s   = {:.2} x bare; rollups cost {:.1}% (goal <= 20%)\n",
            b.orders,
            b.runs,
            b.bare_load_orders_per_s,
            b.apply_without_rollups_orders_per_s,
            b.apply_with_rollups_orders_per_s,
            b.with_rollups_vs_bare,
            b.rollup_cost * 100.0,
        );
        for r in &b.ranges {
            t.push_str(&format!(
                "{:>4} dashboard: rollups {:>8.1} ms | raw SQL {:>8.1} ms ({:.1} x) | DuckDB {} \n",
                r.range,
                r.rollups_median_ms,
                r.raw_sql_median_ms,
                r.raw_vs_rollups,
                match (r.duckdb_median_ms, r.duckdb_vs_rollups) {
                    (Some(d), Some(x)) => format!("{d:>8.1} ms ({x:.1} x)"),
                    _ => "n/a".to_owned(),
                }
            ));
        }
        if let Some(v) = &b.duckdb {
            t.push_str(&format!("DuckDB {v}; figures cross-checked: rollups = raw SQL (every field) = DuckDB (orders, net sales, customers)\n"));
        }
        t
    });
    Ok(())
}

/// Writes orders.csv, lines.csv, buckets.csv and ranges.csv for the DuckDB script.
fn export_csv(store: &Store, dir: &Path, zone: &ShopZone, now_ms: i64) -> anyhow::Result<()> {
    let mut orders = std::io::BufWriter::new(std::fs::File::create(dir.join("orders.csv"))?);
    let mut lines = std::io::BufWriter::new(std::fs::File::create(dir.join("lines.csv"))?);
    writeln!(
        orders,
        "id,channel,status,customer_id,paid_ms,refunded_ms,subtotal,discount,total,refund,coupon,units"
    )?;
    writeln!(lines, "order_id,key,quantity,total")?;
    let mut failure = None;
    store.read(|db| {
        db.orders().for_each_with_lines(|o| {
            let units: i64 = o.lines.iter().map(|l| l.quantity).sum();
            let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            let r = writeln!(
                orders,
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                o.id,
                o.channel.as_str(),
                o.status.as_str(),
                o.customer_id,
                opt(o.paid_ms),
                opt(o.refunded_ms),
                o.subtotal.0,
                o.discount.0,
                o.total.0,
                o.refund.0,
                o.coupon_id.is_some(),
                units
            );
            if let Err(e) = r {
                failure = Some(e);
            }
            for l in &o.lines {
                let key = analytics::dashboard::product_key(l.product_id.as_deref(), &l.title)
                    .replace([',', '"'], " ");
                if let Err(e) = writeln!(lines, "{},\"{}\",{},{}", o.id, key, l.quantity, l.total.0)
                {
                    failure = Some(e);
                }
            }
        })
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    orders.flush()?;
    lines.flush()?;
    let mut buckets = std::io::BufWriter::new(std::fs::File::create(dir.join("buckets.csv"))?);
    let mut ranges = std::io::BufWriter::new(std::fs::File::create(dir.join("ranges.csv"))?);
    writeln!(buckets, "name,period,kind,key,weekday,hour,start_ms,end_ms")?;
    writeln!(ranges, "name,period,start_ms,end_ms")?;
    let today = zone.business_day(now_ms)?;
    for (name, spec) in RANGES {
        let cur = spec.resolve(today)?;
        for (period, range) in [("cur", cur), ("prev", cur.previous()?)] {
            let (s, e) = range.numbers();
            writeln!(
                ranges,
                "{name},{period},{},{}",
                zone.day_start_ms(range.start)?,
                zone.day_start_ms(range.end)?
            )?;
            for d in s..e {
                let date = analytics::range::day_date(d)?;
                let (ds, de) = zone.day_bounds_ms(date)?;
                writeln!(
                    buckets,
                    "{name},{period},day,{d},{},0,{ds},{de}",
                    analytics::range::weekday(d)
                )?;
                if period == "cur" {
                    // Hours of Asia/Shanghai (no DST): 24 equal hours.
                    for h in 0..24i64 {
                        let hs = ds + h * 3_600_000;
                        let he = if h == 23 { de } else { hs + 3_600_000 };
                        writeln!(
                            buckets,
                            "{name},cur,hour,{d},{},{h},{hs},{he}",
                            analytics::range::weekday(d)
                        )?;
                    }
                }
            }
        }
    }
    buckets.flush()?;
    ranges.flush()?;
    Ok(())
}
