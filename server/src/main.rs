//! `sellerkit-devserver`: runs the dev server (see [`sellerkit_devserver::cli`]).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use sellerkit_devserver::cli::{ServeArgs, serve};

/// The SellerKit dev server: the reference backend of the sync protocol, for tests, the
/// demo and shell developers.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Database file; default: a temporary file deleted on exit.
    #[arg(long)]
    db: Option<PathBuf>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    match serve(args.db, args.serve).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
