//! The dev server's command line, shared by `sellerkit-devserver` and `sellerkit serve`.
//!
//! Prints, flushed, `listening on <URL>` and one `activation code <shop_id> <tier>: <CODE>`
//! line per code, then serves until SIGTERM or Ctrl-C. Test harnesses wait for the first
//! line.

use std::io::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;

use crate::{SeedConfig, ServerOptions, TlsFiles, start};

/// Options of the dev server: the reference backend of the sync protocol, for tests, the
/// demo and shell developers.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: String,
    /// Seed a demo shop (`shop_demo`), unless the database has it already.
    #[arg(long, value_enum)]
    seed: Option<Seed>,
    /// Orders in the seeded demo shop.
    #[arg(long, default_value_t = SeedConfig::DEFAULT_ORDERS, requires = "seed")]
    orders: u64,
    /// Random seed of the demo data: the same seed gives the same shop.
    #[arg(long, default_value_t = SeedConfig::DEFAULT_RNG_SEED, requires = "seed")]
    seed_rng: u64,
    /// "Now" of the demo data, UTC epoch ms (default: the current time); fixing it makes
    /// the seeded shop byte-identical across runs.
    #[arg(long, requires = "seed")]
    now_ms: Option<i64>,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Sign the shops' coupons with this Ed25519 private key (PKCS#8 PEM), until a key
    /// rotation; without it the server makes a key per shop and keeps it in its database.
    #[arg(long, value_name = "FILE")]
    signing_key: Option<PathBuf>,
}

/// Seeds `--seed` knows.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Seed {
    /// A tea shop with products, pictures and a year of orders.
    Demo,
}

/// Runs the server with `args` until SIGTERM or Ctrl-C.
pub async fn serve(db: Option<PathBuf>, args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    // Held until the end of `run`: the temporary database is deleted when it drops, after
    // the server has stopped.
    let mut _temp_dir = None;
    let db = match db {
        Some(path) => path,
        None => {
            let dir = tempfile::Builder::new()
                .prefix("sellerkit-devserver-")
                .tempdir()?;
            let path = dir.path().join("devserver.db");
            _temp_dir = Some(dir);
            path
        }
    };
    let seed = args.seed.map(|Seed::Demo| SeedConfig {
        orders: args.orders,
        rng_seed: args.seed_rng,
        now_ms: args.now_ms.unwrap_or_else(crate::clock::now_ms),
    });
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        _ => None,
    };
    // Take over SIGTERM and Ctrl-C before announcing readiness: a signal sent right after
    // the "listening on" line (as tests and service managers do) must stop the server
    // gracefully, not hit the default disposition and kill it (exit by signal 15).
    let shutdown = shutdown_signal()?;
    let server = start(ServerOptions {
        db,
        addr: args.addr,
        seed,
        tls,
        signing_key: args.signing_key,
    })
    .await?;

    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {}", server.url())?;
    for code in server.activation_codes() {
        writeln!(
            out,
            "activation code {} {}: {}",
            code.shop_id, code.tier, code.code
        )?;
    }
    out.flush()?;
    drop(out);

    let stop = server.shutdown_handle();
    tokio::spawn(async move {
        shutdown.await;
        stop.shutdown();
    });
    server.join().await?;
    Ok(())
}

/// Registers the handlers of Ctrl-C (SIGINT) and, on Unix, SIGTERM (what `kill` and service
/// managers send) now, and returns a future that completes on the first of them.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // Creating the streams installs the handlers; `ctrl_c()` would only on first poll.
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
