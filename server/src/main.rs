//! `sellerkit-devserver`: runs the dev server on a loopback address.

use clap::Parser;
use sellerkit_devserver::DevServer;

/// The SellerKit dev server (reference backend for tests, the demo and shell developers).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on; port 0 picks a free port and prints it.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: String,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let run = async {
        let server = DevServer::bind(&args.addr).await?;
        println!("listening on http://{}", server.local_addr()?);
        server
            .serve(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    };
    match run.await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
