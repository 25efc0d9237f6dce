//! `sellerkit coupon …`: the e-coupon wallet from the desktop: QR codes for now.

pub mod qr;

use std::path::PathBuf;

use crate::Context;

/// Options of `sellerkit coupon`.
#[derive(Debug, clap::Args)]
pub struct CouponArgs {
    #[command(subcommand)]
    what: CouponCommand,
}

#[derive(Debug, clap::Subcommand)]
enum CouponCommand {
    /// Draw a coupon's text as a QR code PNG (alphanumeric mode, error correction Q).
    Qr {
        /// The coupon text, `SKC1:…`.
        code: String,
        /// PNG file to write.
        #[arg(long, value_name = "FILE.png")]
        out: PathBuf,
        /// Pixels per QR module.
        #[arg(long, default_value_t = crate::qr::DEFAULT_MODULE_PX)]
        module_px: u32,
    },
    /// Read the QR code(s) in a photo or screenshot (PNG or JPEG) and print their text.
    Scan {
        /// The picture.
        image: PathBuf,
    },
}

pub fn run(ctx: &Context, args: &CouponArgs) -> anyhow::Result<()> {
    match &args.what {
        CouponCommand::Qr {
            code,
            out,
            module_px,
        } => qr::make(ctx, code, out, *module_px),
        CouponCommand::Scan { image } => qr::scan(ctx, image),
    }
}
