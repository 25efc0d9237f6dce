//! `sellerkit coupon qr` and `sellerkit coupon scan`.

use std::path::Path;

use crate::Context;
use crate::qr::{read_picture, write_png};

/// `coupon qr CODE --out FILE.png`.
pub fn make(ctx: &Context, code: &str, out: &Path, module_px: u32) -> anyhow::Result<()> {
    let picture = write_png(code.trim(), out, module_px)?;
    let language = ctx.language();
    ctx.out.print(&picture, |p| {
        language.pick(
            format!(
                "已写入 {}：二维码版本 {}（{} x {} 模块，纠错等级 {}），{} x {} 像素\n",
                p.path.display(),
                p.version,
                p.modules,
                p.modules,
                p.ec_level,
                p.pixels,
                p.pixels
            ),
            format!(
                "wrote {}: QR version {} ({} x {} modules, error correction {}), {} x {} pixels\n",
                p.path.display(),
                p.version,
                p.modules,
                p.modules,
                p.ec_level,
                p.pixels,
                p.pixels
            ),
        )
    });
    Ok(())
}

#[derive(serde::Serialize)]
struct Scanned<'a> {
    image: &'a Path,
    texts: Vec<String>,
}

/// `coupon scan FILE`.
pub fn scan(ctx: &Context, image: &Path) -> anyhow::Result<()> {
    let texts = read_picture(image)?;
    ctx.out.print(&Scanned { image, texts }, |s| {
        let mut text = String::new();
        for t in &s.texts {
            text.push_str(t);
            text.push('\n');
        }
        text
    });
    Ok(())
}
