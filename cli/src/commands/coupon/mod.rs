//! `sellerkit coupon …`: the e-coupon wallet from the desktop.
//!
//! `verify` and `redeem` print a verdict: with `--json` an object whose `reason` is a stable
//! code (`ok`, `bad_signature`, `expired`, …); a refused coupon exits with status 3
//! ([`crate::output::EXIT_REFUSED`]). Every rule lives in the core's wallet; this module
//! reads the coupon (text or picture), calls it and prints.

pub mod qr;
pub mod records;
pub mod verdict;

use anyhow::bail;
use sellerkit_core::app::App;
use sellerkit_core::locale::Language;
use sellerkit_core::money::Fen;
use std::path::{Path, PathBuf};

use crate::Context;

/// Options of `sellerkit coupon`.
#[derive(Debug, clap::Args)]
pub struct CouponArgs {
    #[command(subcommand)]
    what: CouponCommand,
}

/// Where the coupon comes from: its text, or a picture of its QR code.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct CouponSource {
    /// The coupon text, `SKC1:…` (quote it: Base45 has spaces and `$`, `%`, `*`).
    code: Option<String>,
    /// A photo or screenshot (PNG or JPEG) of the coupon's QR code.
    #[arg(long, value_name = "FILE")]
    image: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
enum CouponCommand {
    /// Check a coupon offline: genuine, valid, unspent, and what it takes off the order.
    /// Writes nothing. Exits 3 if it must be refused.
    Verify {
        #[command(flatten)]
        source: CouponSource,
        /// Order total, in fen (12050) or in yuan with the sign (¥120.50): to check the
        /// minimum spend and work out the discount.
        #[arg(long, value_name = "FEN", value_parser = parse_money)]
        total: Option<Fen>,
        /// A product of the order (repeat for several), to check a limited scope.
        #[arg(long = "product", value_name = "ID")]
        products: Vec<String>,
    },
    /// Redeem a coupon for an order: checks it as `verify` does and records the
    /// redemption for the next sync, in one transaction. Exits 3 if refused.
    Redeem {
        #[command(flatten)]
        source: CouponSource,
        /// Order total, in fen (12050) or in yuan with the sign (¥120.50).
        #[arg(long, value_name = "FEN", value_parser = parse_money)]
        total: Fen,
        /// For a stored-value coupon, how much of its balance to spend (default: as much
        /// as the balance and the total allow).
        #[arg(long, value_name = "FEN", value_parser = parse_money)]
        amount: Option<Fen>,
        /// A product of the order (repeat for several), to check a limited scope.
        #[arg(long = "product", value_name = "ID")]
        products: Vec<String>,
    },
    /// Redemptions known on this device (its own and those synced from others), newest
    /// first, with their state: pending, confirmed, disputed or rejected.
    List {
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Coupons the server caught being redeemed twice (or overspent) across devices.
    Disputes {
        /// Also those already dealt with.
        #[arg(long)]
        all: bool,
        /// Mark this dispute as dealt with on this device.
        #[arg(long, value_name = "ID")]
        resolve: Option<String>,
    },
    /// Show this device's offline limits and what waits to sync; set them with the flags.
    Limits {
        /// Most redemptions waiting for the server.
        #[arg(long, value_name = "N")]
        count: Option<u32>,
        /// Most value waiting for the server, in fen or ¥ yuan.
        #[arg(long, value_name = "FEN", value_parser = parse_money)]
        value: Option<Fen>,
        /// Redeeming stops this many hours after the last successful sync.
        #[arg(long, value_name = "H")]
        hours: Option<u32>,
    },
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
        CouponCommand::Verify {
            source,
            total,
            products,
        } => verdict::verify(ctx, &source.text(ctx.language())?, *total, products),
        CouponCommand::Redeem {
            source,
            total,
            amount,
            products,
        } => verdict::redeem(
            ctx,
            &source.text(ctx.language())?,
            *total,
            *amount,
            products,
        ),
        CouponCommand::List { limit } => records::list(ctx, *limit),
        CouponCommand::Disputes { all, resolve } => {
            records::disputes(ctx, *all, resolve.as_deref())
        }
        CouponCommand::Limits {
            count,
            value,
            hours,
        } => records::limits(ctx, *count, *value, *hours),
        CouponCommand::Qr {
            code,
            out,
            module_px,
        } => qr::make(ctx, code, out, *module_px),
        CouponCommand::Scan { image } => qr::scan(ctx, image),
    }
}

impl CouponSource {
    /// The coupon text, read from the picture if one was given.
    fn text(&self, language: Language) -> anyhow::Result<String> {
        match (&self.code, &self.image) {
            (Some(code), _) => Ok(code.clone()),
            (None, Some(image)) => text_from_picture(image, language),
            (None, None) => bail!(
                "{}",
                language.pick(
                    "请给出券的文字或 --image FILE",
                    "give the coupon text or --image FILE"
                )
            ),
        }
    }
}

/// The coupon in a picture: the QR whose text has the coupon prefix, else the only one.
fn text_from_picture(image: &Path, language: Language) -> anyhow::Result<String> {
    let texts = crate::qr::read_picture(image)?;
    let prefix = sellerkit_core::coupons::code::PREFIX;
    if let Some(text) = texts.iter().find(|t| t.starts_with(prefix)) {
        return Ok(text.clone());
    }
    match texts.as_slice() {
        // Not a coupon; the wallet says so in its own words (malformed).
        [only] => Ok(only.clone()),
        _ => bail!(
            "{}",
            language.pick(
                format!(
                    "{} 里有 {} 个二维码，没有一个是优惠券",
                    image.display(),
                    texts.len()
                ),
                format!(
                    "{} holds {} QR codes and none is a coupon",
                    image.display(),
                    texts.len()
                ),
            )
        ),
    }
}

/// The core service over the database of `--db` (which must exist), with `--now`'s clock.
fn open_wallet(ctx: &Context) -> anyhow::Result<App> {
    ctx.open_app(false, None)
}

/// Money as QA types it: a bare integer is fen (as on the wire and in `--json`), an amount
/// with `¥`/`￥` is yuan (`¥120.50`, `¥1,200`). A decimal point without the sign is refused,
/// since `120.50` could be read either way.
pub fn parse_money(text: &str) -> Result<Fen, String> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<i64>()
            .map(Fen)
            .map_err(|_| format!("{t} fen is too large"));
    }
    if t.contains(['¥', '￥']) {
        return match Fen::parse(t) {
            Ok(fen) if fen.0 < 0 => Err(format!("{t}: an amount cannot be negative")),
            Ok(fen) => Ok(fen),
            Err(e) => Err(e.to_string()),
        };
    }
    Err(format!(
        "{t:?}: write fen as a whole number (12050) or yuan with the sign (¥120.50)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_fen_unless_it_carries_the_yuan_sign() {
        assert_eq!(parse_money("12050"), Ok(Fen(12_050)));
        assert_eq!(parse_money(" 0 "), Ok(Fen(0)));
        assert_eq!(parse_money("¥120.50"), Ok(Fen(12_050)));
        assert_eq!(parse_money("￥1,200"), Ok(Fen(120_000)));
        assert!(parse_money("120.50").is_err());
        assert!(parse_money("-5").is_err());
        assert!(parse_money("").is_err());
        assert!(parse_money("99999999999999999999").is_err());
        assert!(parse_money("¥1.234").is_err());
        assert!(parse_money("-¥5").is_err());
    }
}
