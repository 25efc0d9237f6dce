//! `sellerkit`: the desktop shell of SellerKit, for QA and developers.
//!
//! Every command takes the global flags `--db PATH` and `--json`, before or after the
//! subcommand. Success exits 0; failure exits 1 with a one-line reason on stderr (and, with
//! `--json`, an error object on stdout); a usage error exits 2 (clap); a coupon refused by
//! `sellerkit coupon verify|redeem` exits 3 after printing its verdict.

mod commands;
mod output;
mod qr;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use sellerkit_core::time::{Clock, FixedClock, SystemClock};

use crate::output::Output;

/// SellerKit: a seller's shop in the pocket. Desktop shell for QA and developers.
#[derive(Debug, Parser)]
#[command(name = "sellerkit", version, about, propagate_version = true)]
struct Cli {
    /// Database file [default: the platform data dir, e.g. ~/.local/share/sellerkit/sellerkit.db]
    #[arg(long, global = true, env = "SELLERKIT_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    /// Pretend the current time is this instant (RFC 3339, e.g. 2026-11-11T08:00:00+08:00,
    /// or UTC epoch milliseconds); for reproducible runs.
    #[arg(long, global = true, env = "SELLERKIT_NOW", value_name = "INSTANT")]
    now: Option<String>,

    /// More log output on stderr (-v info, -vv debug); SELLERKIT_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Report what a database holds: schema version, counts, shop, last sync.
    Status,
    /// Run the product end to end: a dev server with a demo shop, activation, sync.
    Demo(commands::demo::DemoArgs),
    /// Register this database as a device of a shop, with an activation code.
    Activate(commands::activate::ActivateArgs),
    /// Push local changes, pull the shop's changes and images from the server.
    Sync(commands::sync::SyncArgs),
    /// The e-coupon wallet: verify, redeem, list redemptions and disputes, QR codes.
    Coupon(commands::coupon::CouponArgs),
    /// The sales dashboard from the local data: figures against the previous period
    /// (mobile share first), top products, and optionally a PNG chart.
    Dashboard(commands::dashboard::DashboardArgs),
    /// Benchmarks that print figures (ratios against baselines from the same run).
    Bench(commands::bench::BenchArgs),
    /// Run the dev server (the reference backend); `--db` is the server's database here
    /// (default: a temporary one).
    Serve(sellerkit_devserver::cli::ServeArgs),
}

/// What the commands share: where the database is, the clock, how to print.
pub struct Context {
    db: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: Output,
}

impl Context {
    /// The database path: `--db`, else the platform data dir.
    pub fn db_path(&self) -> anyhow::Result<PathBuf> {
        if let Some(db) = &self.db {
            return Ok(db.clone());
        }
        let dirs =
            directories::ProjectDirs::from("com", "SellerKit", "sellerkit").ok_or_else(|| {
                anyhow::anyhow!("no home folder to keep the database in; pass --db PATH")
            })?;
        Ok(dirs.data_dir().join("sellerkit.db"))
    }

    /// The injected clock.
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// Now, from the injected clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}

fn parse_now(text: &str) -> anyhow::Result<i64> {
    if let Ok(ms) = text.trim().parse::<i64>() {
        return Ok(ms);
    }
    let ts: jiff::Timestamp = text.trim().parse().map_err(|e| {
        anyhow::anyhow!("--now {text:?} is neither RFC 3339 nor epoch milliseconds: {e}")
    })?;
    Ok(ts.as_millisecond())
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SELLERKIT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let out = Output { json: cli.json };
    let clock: Arc<dyn Clock> = match cli.now.as_deref().map(parse_now) {
        None => Arc::new(SystemClock),
        Some(Ok(ms)) => Arc::new(FixedClock::new(ms)),
        Some(Err(e)) => return out.fail(&e),
    };
    let ctx = Context {
        db: cli.db,
        clock,
        out,
    };
    let result = match cli.command {
        Command::Status => commands::status::run(&ctx),
        Command::Demo(args) => commands::demo::run(&ctx, &args),
        Command::Activate(args) => commands::activate::run(&ctx, &args),
        Command::Sync(args) => commands::sync::run(&ctx, &args),
        Command::Coupon(args) => commands::coupon::run(&ctx, &args),
        Command::Dashboard(args) => commands::dashboard::run(&ctx, &args),
        Command::Bench(args) => commands::bench::run(&ctx, &args),
        Command::Serve(args) => commands::serve::run(&ctx, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The verdict was printed already; only the status says "refused".
        Err(e) if e.is::<output::Refused>() => ExitCode::from(output::EXIT_REFUSED),
        Err(e) => ctx.out.fail(&e),
    }
}
