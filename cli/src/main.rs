//! `sellerkit`: the desktop shell of SellerKit, for QA and developers.
//!
//! Every command takes the global flags `--db PATH` and `--json`, before or after the
//! subcommand. Success exits 0; failure exits 1 with a one-line reason on stderr (and, with
//! `--json`, an error object on stdout); a usage error exits 2 (clap); a coupon refused by
//! `sellerkit coupon verify|redeem` exits 3 after printing its verdict.

mod commands;
mod output;
mod qr;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use sellerkit_core::app::{App, AppConfig};
use sellerkit_core::locale::Language;
use sellerkit_core::sync::secrets::FileSecretStore;
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

    /// Language of the messages: `zh-CN` or `en` (any `en*` tag is English, anything else
    /// Simplified Chinese). Default: from LC_ALL, LC_MESSAGES or LANG (`en_US.UTF-8` is
    /// English), else Simplified Chinese.
    #[arg(long, global = true, env = "SELLERKIT_LANG", value_name = "TAG")]
    lang: Option<String>,

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
    /// The store-setup checklist: what is done, what is next; tick and untick manual tasks.
    Checklist(commands::checklist::ChecklistArgs),
    /// Draw the storefront as a phone shows it, to a PNG.
    Preview(commands::storefront::PreviewArgs),
    /// Check listings and the shop for mobile fitness and the marketplace's rules.
    Lint(commands::storefront::LintArgs),
    /// Edit the shop profile or a listing (applied now, synced with the next sync).
    Edit(commands::storefront::EditArgs),
    /// Storefront edits the server did not take: list them, keep the server's value or reapply.
    Conflicts(commands::storefront::ConflictsArgs),
    /// The sales dashboard from the local data: figures against the previous period
    /// (mobile share first), top products, and optionally a PNG chart.
    Dashboard(commands::dashboard::DashboardArgs),
    /// Benchmarks that print figures (ratios against baselines from the same run).
    Bench(commands::bench::BenchArgs),
    /// Run the dev server (the reference backend); `--db` is the server's database here
    /// (default: a temporary one).
    Serve(sellerkit_devserver::cli::ServeArgs),
}

/// What the commands share: where the database is, the clock, the language, how to print.
pub struct Context {
    db: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    language: Language,
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

    /// The seller's language for messages.
    pub fn language(&self) -> Language {
        self.language
    }

    /// How the CLI opens the core service for the database at `db`: the desktop secret
    /// store beside it (`<db>.secrets`), `--now`'s clock, `--lang`, and an extra CA.
    pub fn app_config(
        &self,
        db: &Path,
        create: bool,
        ca_cert: Option<&Path>,
    ) -> anyhow::Result<AppConfig> {
        let mut config = AppConfig::new(db, Arc::new(FileSecretStore::beside_database(db)));
        config.create = create;
        config.clock = self.clock();
        config.language = self.language;
        if let Some(path) = ca_cert {
            let pem = std::fs::read(path).map_err(|e| {
                anyhow::anyhow!(
                    "{}",
                    self.language.pick(
                        format!("无法读取 CA 证书 {}：{e}", path.display()),
                        format!("cannot read the CA certificate {}: {e}", path.display()),
                    )
                )
            })?;
            config.extra_root_ca_pem.push(pem);
        }
        Ok(config)
    }

    /// The core service over `--db`; `create` off for commands that must not create a
    /// database.
    pub fn open_app(&self, create: bool, ca_cert: Option<&Path>) -> anyhow::Result<App> {
        let db = self.db_path()?;
        Ok(App::open(self.app_config(&db, create, ca_cert)?)?)
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
    let language = match cli.lang.as_deref() {
        Some(tag) => Language::from_tag(Some(tag)),
        None => Language::from_env(),
    };
    let out = Output {
        json: cli.json,
        language,
    };
    let clock: Arc<dyn Clock> = match cli.now.as_deref().map(parse_now) {
        None => Arc::new(SystemClock),
        Some(Ok(ms)) => Arc::new(FixedClock::new(ms)),
        Some(Err(e)) => return out.fail(&e),
    };
    let ctx = Context {
        db: cli.db,
        clock,
        language,
        out,
    };
    let result = match cli.command {
        Command::Status => commands::status::run(&ctx),
        Command::Demo(args) => commands::demo::run(&ctx, &args),
        Command::Activate(args) => commands::activate::run(&ctx, &args),
        Command::Sync(args) => commands::sync::run(&ctx, &args),
        Command::Coupon(args) => commands::coupon::run(&ctx, &args),
        Command::Checklist(args) => commands::checklist::run(&ctx, &args),
        Command::Preview(args) => commands::storefront::preview(&ctx, &args),
        Command::Lint(args) => commands::storefront::lint(&ctx, &args),
        Command::Edit(args) => commands::storefront::edit(&ctx, &args),
        Command::Conflicts(args) => commands::storefront::conflicts(&ctx, &args),
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
