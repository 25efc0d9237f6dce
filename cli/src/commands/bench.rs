//! `sellerkit bench sync`: the sync's speed and memory, against the local dev server, with
//! the machine's own limits measured in the same run as the reference.
//!
//! Figures are ratios against baselines from the same process, since machines are noisy.

pub mod analytics;
pub mod checklist;
pub mod coupons;
pub mod storefront;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, bail};
use sellerkit_core::app::{App, AppConfig, SyncRun};
use sellerkit_core::store::Store;
use sellerkit_core::sync::progress::NoProgress;
use sellerkit_core::sync::secrets::FileSecretStore;
use sellerkit_core::time::SystemClock;
use sellerkit_devserver::seed::{SeedConfig, demo_catalog, demo_orders};
use sellerkit_devserver::{ServerOptions, start};
use tokio_util::sync::CancellationToken;

use crate::Context;

/// Options of `sellerkit bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: BenchWhat,
}

#[derive(Debug, clap::Subcommand)]
enum BenchWhat {
    /// Initial sync of N orders from the local dev server vs. raw SQLite inserts of the
    /// same rows; peak memory of `sellerkit sync` at two shop sizes; bytes per order.
    Sync {
        /// Orders in the shop for the speed run.
        #[arg(long, default_value_t = 1_000_000)]
        orders: u64,
        /// Shop sizes for the memory runs (a separate `sellerkit sync` process each).
        #[arg(long, value_delimiter = ',', default_values_t = [100_000u64, 1_000_000])]
        memory_orders: Vec<u64>,
        /// Changes per pull page.
        #[arg(long, default_value_t = sellerkit_core::protocol::DEFAULT_PAGE_LIMIT)]
        page_limit: u32,
        /// Keep the work folder here instead of a temporary one.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
    /// The dashboard from the rollups vs. plain SQL over the raw orders vs. DuckDB over a
    /// CSV export; the sync's apply rate with and without rollups; the bare load.
    Analytics {
        /// Orders in the demo shop.
        #[arg(long, default_value_t = 1_000_000)]
        orders: u64,
        /// Runs per measurement (medians are reported).
        #[arg(long, default_value_t = 15)]
        runs: usize,
        /// Python with the `duckdb` package (`scripts/setup` puts one in `.cache/python`).
        #[arg(long, default_value = "python3")]
        python: String,
        /// Keep the work folder here instead of a temporary one.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
    /// Storefront: home preview at both screen sizes from cached thumbnails vs a bare PNG
    /// encode of the same canvas; a 4000x3000 photo to its variants vs bare fast_image_resize;
    /// the lint of 5,000 products; peak memory of a `sellerkit preview` process.
    Storefront {
        /// Repetitions of each timed step (the median is reported).
        #[arg(long, default_value_t = 9)]
        runs: usize,
        /// Keep the work folder here instead of a temporary one.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
    /// Coupon verification and redemption: raw Ed25519 verification of the same messages
    /// (reference) vs. `coupon verify` vs. verify + redeem with its durable transaction.
    Coupons {
        /// Coupons to issue, verify and redeem.
        #[arg(long, default_value_t = 2_000)]
        count: usize,
        /// Keep the work folder here instead of a temporary one.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
    /// The store-setup checklist evaluated whole on a big shop vs. reading the same
    /// listings with no rule applied.
    Checklist {
        /// Products in the shop.
        #[arg(long, default_value_t = 5_000)]
        products: u64,
        /// Orders in the shop.
        #[arg(long, default_value_t = 1_000_000)]
        orders: u64,
        /// Evaluations measured.
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Keep the work folder here instead of a temporary one.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, serde::Serialize)]
struct SyncBench {
    orders: u64,
    page_limit: u32,
    raw_insert_orders_per_s: f64,
    sync_orders_per_s: f64,
    sync_vs_raw: f64,
    wire_bytes_per_order: f64,
    seed_seconds: f64,
    memory: Vec<MemoryRun>,
    memory_growth: Option<f64>,
}

#[derive(Debug, serde::Serialize)]
struct MemoryRun {
    orders: u64,
    peak_rss_mb: f64,
    sync_seconds: f64,
}

pub fn run(ctx: &Context, args: &BenchArgs) -> anyhow::Result<()> {
    match &args.what {
        BenchWhat::Sync {
            orders,
            memory_orders,
            page_limit,
            dir,
        } => bench_sync(ctx, *orders, memory_orders, *page_limit, dir.as_deref()),
        BenchWhat::Coupons { count, dir } => bench_coupons(ctx, *count, dir.as_deref()),
        BenchWhat::Analytics {
            orders,
            runs,
            python,
            dir,
        } => {
            let (_temp, dir) = bench_dir(dir.as_deref())?;
            analytics::run(ctx, *orders, (*runs).max(1), &dir, python)
        }
        BenchWhat::Checklist {
            products,
            orders,
            runs,
            dir,
        } => {
            anyhow::ensure!(*runs > 0, "--runs must be at least 1");
            let (_temp, dir) = bench_dir(dir.as_deref())?;
            checklist::run(ctx, &dir, *products, *orders, *runs)
        }
        BenchWhat::Storefront { runs, dir } => {
            let (_temp, dir) = bench_dir(dir.as_deref())?;
            storefront::run(ctx, *runs, &dir)
        }
    }
}

/// The folder a benchmark writes in: `dir` (created if needed), else a temporary folder that
/// lives as long as the returned guard.
fn bench_dir(dir: Option<&Path>) -> anyhow::Result<(Option<tempfile::TempDir>, PathBuf)> {
    match dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            Ok((None, d.to_path_buf()))
        }
        None => {
            let temp = tempfile::Builder::new()
                .prefix("sellerkit-bench-")
                .tempdir()?;
            let path = temp.path().to_path_buf();
            Ok((Some(temp), path))
        }
    }
}

/// The runtime the benchmarks run the in-process dev server and the sync on.
fn bench_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn bench_coupons(ctx: &Context, count: usize, dir: Option<&Path>) -> anyhow::Result<()> {
    let (_temp, dir) = bench_dir(dir)?;
    let runtime = bench_runtime()?;
    if !ctx.out.json {
        eprintln!("bench: dev server, activation and sync of a fresh phone database");
    }
    let (fixture, server) = coupons::prepare(&runtime, &dir, ctx.now_ms())?;
    // The server is not needed while measuring; stop it so it takes no CPU.
    runtime.block_on(server.shutdown())?;
    coupons::run(ctx, count, fixture)
}

fn bench_sync(
    ctx: &Context,
    orders: u64,
    memory_orders: &[u64],
    page_limit: u32,
    dir: Option<&Path>,
) -> anyhow::Result<()> {
    let (_temp, dir) = bench_dir(dir)?;
    let runtime = bench_runtime()?;
    let now_ms = ctx.now_ms();
    let progress = |msg: &str| {
        if !ctx.out.json {
            eprintln!("bench: {msg}");
        }
    };

    // 1. The reference: plain INSERTs of the very rows the sync will bring, in transactions
    //    of one page each, into the same schema.
    progress(&format!("raw SQLite inserts of {orders} orders"));
    let cfg = SeedConfig {
        orders,
        rng_seed: SeedConfig::DEFAULT_RNG_SEED,
        now_ms,
    };
    let catalog = demo_catalog(&cfg);
    let raw = Store::open(dir.join("raw.db"))?;
    let mut generated = demo_orders(&cfg, &catalog.products);
    let mut insert_time = std::time::Duration::ZERO;
    loop {
        let page: Vec<_> = generated.by_ref().take(page_limit as usize).collect();
        if page.is_empty() {
            break;
        }
        let started = Instant::now();
        raw.write(|db| db.orders().insert_raw(&page))?;
        insert_time += started.elapsed();
    }
    drop(raw);
    let raw_rate = orders as f64 / insert_time.as_secs_f64();

    // 2. The dev server with the same shop (seeding is not timed).
    progress("seeding the dev server");
    let seed_started = Instant::now();
    let server_db = dir.join("server.db");
    let server = runtime.block_on(start(ServerOptions {
        seed: Some(cfg),
        ..ServerOptions::new(&server_db)
    }))?;
    let seed_seconds = seed_started.elapsed().as_secs_f64();
    let code = server
        .activation_codes()
        .into_iter()
        .find(|c| c.shop_id == "shop_demo")
        .context("the seeded server has no demo shop")?
        .code;
    let url = server.url().to_string();

    // 3. The initial sync, in process.
    progress(&format!("initial sync of {orders} orders"));
    let phone_db = dir.join("phone.db");
    let report = runtime.block_on(async {
        let mut config = AppConfig::new(
            &phone_db,
            Arc::new(FileSecretStore::beside_database(&phone_db)),
        );
        config.clock = Arc::new(SystemClock);
        config.device_name = "bench".into();
        let app = App::open(config)?;
        let run = SyncRun {
            download_media: false,
            page_limit: Some(page_limit),
        };
        let cancel = CancellationToken::new();
        app.activate(&url, &code, &cancel).await?;
        anyhow::Ok(app.sync(&run, &NoProgress, &cancel).await?)
    })?;
    let pulled_orders = report.pulled.get("order").copied().unwrap_or(0);
    if pulled_orders != orders {
        bail!("the sync pulled {pulled_orders} orders, expected {orders}");
    }
    let sync_rate = orders as f64 / (report.duration_ms.max(1) as f64 / 1000.0);

    // 4. Peak memory of the real `sellerkit sync` process at two shop sizes.
    let mut memory = Vec::new();
    for &size in memory_orders {
        progress(&format!(
            "peak memory of `sellerkit sync` for {size} orders"
        ));
        memory.push(memory_run(&runtime, &dir, size, now_ms, page_limit)?);
    }
    let memory_growth = match (memory.first(), memory.last()) {
        (Some(a), Some(b)) if memory.len() > 1 => Some(b.peak_rss_mb / a.peak_rss_mb - 1.0),
        _ => None,
    };
    runtime.block_on(server.shutdown())?;

    let bench = SyncBench {
        orders,
        page_limit,
        raw_insert_orders_per_s: raw_rate,
        sync_orders_per_s: sync_rate,
        sync_vs_raw: sync_rate / raw_rate,
        wire_bytes_per_order: report.wire_bytes as f64 / orders as f64,
        seed_seconds,
        memory,
        memory_growth,
    };
    ctx.out.print(&bench, |b| {
        let mut text = format!(
            "sync benchmark: {} orders, pages of {}\n\
             raw SQLite inserts (same rows, same schema): {:>10.0} orders/s   (reference)\n\
             initial sync from the dev server:           {:>10.0} orders/s   = {:.2} x raw (goal >= 0.33)\n\
             bytes on the wire per order (gzip):         {:>10.1}\n",
            b.orders,
            b.page_limit,
            b.raw_insert_orders_per_s,
            b.sync_orders_per_s,
            b.sync_vs_raw,
            b.wire_bytes_per_order
        );
        for m in &b.memory {
            text.push_str(&format!(
                "peak RSS of `sellerkit sync`, {:>8} orders: {:>6.1} MB (goal <= 48 MB; sync took {:.1} s)\n",
                m.orders, m.peak_rss_mb, m.sync_seconds
            ));
        }
        if let Some(g) = b.memory_growth {
            text.push_str(&format!(
                "memory growth from the smallest to the largest shop: {:+.1}% (goal within 10%)\n",
                g * 100.0
            ));
        }
        text
    });
    Ok(())
}

/// Seeds a server with `orders`, activates a fresh database and runs `sellerkit sync` as a
/// child process, which reports its own peak RSS.
fn memory_run(
    runtime: &tokio::runtime::Runtime,
    dir: &Path,
    orders: u64,
    now_ms: i64,
    page_limit: u32,
) -> anyhow::Result<MemoryRun> {
    let run_dir = dir.join(format!("memory-{orders}"));
    std::fs::create_dir_all(&run_dir)?;
    let server = runtime.block_on(start(ServerOptions {
        seed: Some(SeedConfig {
            orders,
            rng_seed: SeedConfig::DEFAULT_RNG_SEED,
            now_ms,
        }),
        ..ServerOptions::new(run_dir.join("server.db"))
    }))?;
    let code = server
        .activation_codes()
        .into_iter()
        .find(|c| c.shop_id == "shop_demo")
        .context("no demo shop")?
        .code;
    let phone_db = run_dir.join("phone.db");
    let exe = std::env::current_exe()?;
    let db_arg = phone_db.to_str().context("non-UTF-8 path")?;
    let activate = std::process::Command::new(&exe)
        .args([
            "--db",
            db_arg,
            "activate",
            "--server",
            server.url(),
            "--code",
            &code,
        ])
        .output()?;
    if !activate.status.success() {
        bail!(
            "activate failed: {}",
            String::from_utf8_lossy(&activate.stderr)
        );
    }
    // The server keeps running on this process's runtime while the child syncs.
    let page = page_limit.to_string();
    let sync = std::process::Command::new(&exe)
        .args([
            "--db",
            db_arg,
            "sync",
            "--json",
            "--no-media",
            "--page-limit",
            &page,
        ])
        .output()?;
    if !sync.status.success() {
        bail!("sync failed: {}", String::from_utf8_lossy(&sync.stderr));
    }
    let report: serde_json::Value = serde_json::from_slice(&sync.stdout)?;
    let peak_kb = report["peak_rss_kb"]
        .as_u64()
        .context("`sellerkit sync` reported no peak_rss_kb (not Linux?)")?;
    runtime.block_on(server.shutdown())?;
    let _ = std::fs::remove_dir_all(&run_dir);
    Ok(MemoryRun {
        orders,
        peak_rss_mb: peak_kb as f64 / 1024.0,
        sync_seconds: report["duration_ms"].as_f64().unwrap_or(0.0) / 1000.0,
    })
}
