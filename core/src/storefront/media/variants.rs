//! Mobile variants of a picture: the picture uploaded to the marketplace, a 750 px wide page
//! picture and square thumbnails.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ExtendedColorType, ImageEncoder, RgbImage};

use super::MediaError;

/// Width of the product-page picture: the marketplace's mobile page is laid out at 750.
pub const PAGE_WIDTH: u32 = 750;
/// Longest side of an uploaded photo. The marketplace's main picture must be at least
/// 800x800 (`storefront-rules.md`); 1600 keeps zoom sharp on a 1080 px wide phone while a
/// camera's 4000x3000 becomes a few hundred KB.
pub const UPLOAD_LONG_SIDE: u32 = 1600;
/// JPEG quality of the variants: visually clean on a phone, about a tenth of a camera file.
pub const JPEG_QUALITY: u8 = 82;

/// Which variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VariantKind {
    /// The photo as uploaded: at most [`UPLOAD_LONG_SIDE`] on its long side, aspect kept,
    /// never enlarged.
    Upload,
    /// 750 px wide (or narrower if the source is), aspect kept.
    Page,
    /// A square of `side` pixels, cropped from the centre.
    Square(u32),
    /// Exactly `w`x`h`, cropped from the centre to that shape (banners).
    Cover(u32, u32),
}

impl VariantKind {
    /// File-name part, stable across versions (the cache uses it).
    pub fn tag(self) -> String {
        match self {
            VariantKind::Upload => format!("up{UPLOAD_LONG_SIDE}"),
            VariantKind::Page => "page".into(),
            VariantKind::Square(side) => format!("sq{side}"),
            VariantKind::Cover(w, h) => format!("cv{w}x{h}"),
        }
    }
}

/// One resized picture, as RGB pixels.
#[derive(Debug)]
pub struct Variant {
    /// Which variant.
    pub kind: VariantKind,
    /// The pixels.
    pub image: RgbImage,
}

/// Makes one variant of a decoded picture. Transparent pixels are laid on white first, as the
/// storefront shows them.
pub fn make_variant(source: &DynamicImage, kind: VariantKind) -> Result<Variant, MediaError> {
    let rgb_owned;
    let rgb: &RgbImage = match source {
        DynamicImage::ImageRgb8(rgb) => rgb,
        other => {
            rgb_owned = flatten_on_white(other);
            &rgb_owned
        }
    };
    let (w, h) = rgb.dimensions();
    if w == 0 || h == 0 {
        return Err(MediaError::Convert {
            detail: "empty picture".into(),
        });
    }
    let (dw, dh, crop) = match kind {
        VariantKind::Upload => {
            let long = w.max(h);
            if long <= UPLOAD_LONG_SIDE {
                return Ok(Variant {
                    kind,
                    image: rgb.clone(),
                });
            }
            let scale = |side: u32| {
                ((u64::from(side) * u64::from(UPLOAD_LONG_SIDE)).div_ceil(u64::from(long))).max(1)
                    as u32
            };
            (scale(w), scale(h), None)
        }
        VariantKind::Page => {
            let dw = w.min(PAGE_WIDTH);
            let dh = ((u64::from(h) * u64::from(dw)).div_ceil(u64::from(w))).max(1) as u32;
            (dw, dh, None)
        }
        VariantKind::Square(side) => {
            let s = w.min(h);
            let side = side.min(s).max(1);
            (
                side,
                side,
                Some((
                    f64::from(w - s) / 2.0,
                    f64::from(h - s) / 2.0,
                    f64::from(s),
                    f64::from(s),
                )),
            )
        }
        VariantKind::Cover(cw, ch) => {
            let (cw, ch) = (cw.max(1), ch.max(1));
            let target = f64::from(cw) / f64::from(ch);
            let (sw, sh) = (f64::from(w), f64::from(h));
            let (kw, kh) = if sw / sh > target {
                (sh * target, sh)
            } else {
                (sw, sw / target)
            };
            (cw, ch, Some(((sw - kw) / 2.0, (sh - kh) / 2.0, kw, kh)))
        }
    };
    let image = resize_rgb(rgb, dw, dh, crop)?;
    Ok(Variant { kind, image })
}

/// Resizes RGB pixels with `fast_image_resize` (bilinear convolution: sharp enough for a phone,
/// twice as fast as Lanczos on ARM), cropping first when asked.
pub fn resize_rgb(
    src: &RgbImage,
    dw: u32,
    dh: u32,
    crop: Option<(f64, f64, f64, f64)>,
) -> Result<RgbImage, MediaError> {
    let convert = |e: &dyn std::fmt::Display| MediaError::Convert {
        detail: e.to_string(),
    };
    let (w, h) = src.dimensions();
    let src_view = ImageRef::new(w, h, src.as_raw(), PixelType::U8x3).map_err(|e| convert(&e))?;
    let mut dst = Image::new(dw, dh, PixelType::U8x3);
    let mut options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    if let Some((left, top, width, height)) = crop {
        options = options.crop(left, top, width, height);
    }
    Resizer::new()
        .resize(&src_view, &mut dst, &options)
        .map_err(|e| convert(&e))?;
    RgbImage::from_raw(dw, dh, dst.into_vec())
        .ok_or_else(|| convert(&"resized buffer has the wrong size"))
}

/// Lays RGBA (or any other layout) on white, as a storefront shows a transparent picture.
fn flatten_on_white(image: &DynamicImage) -> RgbImage {
    let rgba = image.to_rgba8();
    let mut out = RgbImage::new(rgba.width(), rgba.height());
    for (o, p) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(p[3]);
        for c in 0..3 {
            o[c] = ((u16::from(p[c]) * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    out
}

/// Encodes RGB pixels as a baseline JPEG without any metadata.
pub fn encode_jpeg(image: &RgbImage) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::with_capacity(image.as_raw().len() / 8);
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .map_err(|e| MediaError::Convert {
            detail: e.to_string(),
        })?;
    Ok(out)
}
