//! `sellerkit serve`: the dev server, as `sellerkit-devserver` runs it.

use sellerkit_devserver::cli::{ServeArgs, serve};

use crate::Context;

pub fn run(ctx: &Context, args: ServeArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // Only an explicit --db names the server's database; the phone's default location
    // must never be taken over by a server.
    runtime
        .block_on(serve(ctx.db.clone(), args))
        .map_err(|e| anyhow::anyhow!("{e}"))
}
