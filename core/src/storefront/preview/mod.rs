//! The storefront as a phone shows it: the shop's home and a product page, drawn to RGBA and
//! encoded as PNG, for a device profile.
//!
//! Layout is in density-independent points on a 360-point-wide screen (Android's `dp`), scaled
//! to the device: 2x on the bundled 720x1280 phone, 3x on a current 1080x2340 one. Pictures
//! come through a [`PictureSource`] (the variant cache in the app); one that is missing or
//! broken is drawn as a placeholder and never fails the preview. Text is drawn from the font
//! file the shell provides (see [`text`]).

pub mod canvas;
mod pages;
pub mod text;

#[cfg(test)]
pub(crate) mod tests;

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder, RgbImage};

use crate::domain::{Product, ProductImage};
use crate::storefront::media::VariantKind;

pub use pages::{render_home, render_product};
pub use text::Font;

/// Why a preview could not be drawn. Pictures never cause one: they become placeholders.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// No font file was configured; the preview needs one for Chinese text.
    #[error("no font file is configured (SellerAppConfig.font_path / --font)")]
    NoFont,
    /// The font file could not be read.
    #[error("cannot read font file {path}: {detail}")]
    FontFile {
        /// The file.
        path: String,
        /// The OS error.
        detail: String,
    },
    /// The font file is not a TrueType/OpenType font.
    #[error("the font file is not a usable TrueType/OpenType font")]
    BadFont,
    /// PNG encoding failed.
    #[error("could not encode the preview: {detail}")]
    Encode {
        /// The encoder's reason.
        detail: String,
    },
}

/// A phone screen to preview on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeviceProfile {
    /// The phone bundled with the service package: 720x1280.
    Bundled,
    /// A current phone: 1080x2340.
    Modern,
}

impl DeviceProfile {
    /// Every profile.
    pub const ALL: [DeviceProfile; 2] = [DeviceProfile::Bundled, DeviceProfile::Modern];

    /// Screen size in pixels.
    pub fn size(self) -> (u32, u32) {
        match self {
            DeviceProfile::Bundled => (720, 1280),
            DeviceProfile::Modern => (1080, 2340),
        }
    }

    /// Stable name: `bundled` or `modern`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceProfile::Bundled => "bundled",
            DeviceProfile::Modern => "modern",
        }
    }
}

impl std::str::FromStr for DeviceProfile {
    type Err = crate::domain::UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "bundled" => Ok(DeviceProfile::Bundled),
            "modern" => Ok(DeviceProfile::Modern),
            _ => Err(crate::domain::UnknownVariant {
                what: "device profile",
                value: s.to_owned(),
            }),
        }
    }
}

/// Where the preview gets its pictures. `None` means "draw a placeholder".
pub trait PictureSource {
    /// The picture `image` as `kind` (a square of exactly the side asked, or the page variant).
    fn picture(&self, image: &ProductImage, kind: VariantKind) -> Option<RgbImage>;
}

/// A source with no pictures: everything is a placeholder.
pub struct NoPictures;

impl PictureSource for NoPictures {
    fn picture(&self, _: &ProductImage, _: VariantKind) -> Option<RgbImage> {
        None
    }
}

/// The shop as the home page shows it.
#[derive(Clone, Debug)]
pub struct ShopView {
    /// Shop name.
    pub name: String,
    /// Announcement under the banner.
    pub announcement: String,
    /// Theme colour (prices, header, buttons).
    pub theme: [u8; 3],
    /// Logo picture, if set.
    pub logo: Option<ProductImage>,
    /// Banner picture, if set.
    pub banner: Option<ProductImage>,
}

/// A listing as the preview shows it.
#[derive(Clone, Debug)]
pub struct ListingView {
    /// The product.
    pub product: Product,
    /// Its pictures in gallery order (the first is the main picture).
    pub pictures: Vec<ProductImage>,
    /// The short description for the phone.
    pub mobile_description: String,
}

/// A drawn preview.
#[derive(Clone, Debug)]
pub struct Preview {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pixels, RGBA, row by row.
    pub rgba: Vec<u8>,
}

impl Preview {
    /// The preview as PNG bytes, with the fast compression setting: default compression costs
    /// tens of times the time for files a few percent smaller, and the shell shows it at once.
    pub fn png(&self) -> Result<Vec<u8>, PreviewError> {
        encode_png(&self.rgba, self.width, self.height)
    }
}

/// PNG-encodes RGBA pixels with the preview's setting (fast deflate, adaptive filter).
pub fn encode_png(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PreviewError> {
    let mut out = Vec::with_capacity(rgba.len() / 4);
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
        .write_image(rgba, width, height, ExtendedColorType::Rgba8)
        .map_err(|e| PreviewError::Encode {
            detail: e.to_string(),
        })?;
    Ok(out)
}

/// Parses a `#RRGGBB` theme colour.
pub fn parse_color(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// The marketplace's orange, when the seller has not chosen a theme colour.
pub const DEFAULT_THEME: [u8; 3] = [0xFF, 0x50, 0x00];
