//! Bounded decoding with the EXIF orientation applied and the metadata gone.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use super::MediaError;

/// How large a picture the phone agrees to decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Widest picture, in pixels.
    pub max_width: u32,
    /// Tallest picture, in pixels.
    pub max_height: u32,
    /// Most bytes the decoder may allocate.
    pub max_alloc: u64,
}

impl Default for DecodeLimits {
    /// 8192 px a side and 64 MiB: a 16-megapixel camera photo (4608x3456 RGB, 48 MiB) fits, a
    /// decompression bomb does not, and a 1 GB phone survives it.
    fn default() -> Self {
        DecodeLimits {
            max_width: 8192,
            max_height: 8192,
            max_alloc: 64 * 1024 * 1024,
        }
    }
}

/// A decoded picture, upright, 8 bits per channel, without metadata.
#[derive(Debug)]
pub struct Decoded {
    /// RGB8 when the source has no alpha channel, RGBA8 when it has.
    pub image: DynamicImage,
    /// The container it came in.
    pub format: ImageFormat,
}

/// Decodes `bytes` within `limits`; see [`MediaError`] for the typed refusals.
///
/// Reads PNG, JPEG (including CMYK) and WebP. 16-bit, grey and CMYK sources become 8-bit RGB(A).
pub fn decode(bytes: &[u8], limits: DecodeLimits) -> Result<Decoded, MediaError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| MediaError::Corrupt {
            detail: e.to_string(),
        })?;
    let format = match reader.format() {
        None => return Err(MediaError::NotAnImage),
        Some(f @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)) => f,
        Some(other) => {
            return Err(MediaError::Unsupported {
                format: format!("{other:?}").to_lowercase(),
            });
        }
    };
    let mut reader = reader;
    let mut image_limits = Limits::default();
    image_limits.max_image_width = Some(limits.max_width);
    image_limits.max_image_height = Some(limits.max_height);
    image_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(classify)?;
    let (w, h) = decoder.dimensions();
    // Our own check too: some decoders report dimensions before enforcing the limits.
    let bytes_needed =
        u64::from(w) * u64::from(h) * u64::from(decoder.color_type().bytes_per_pixel());
    if w > limits.max_width || h > limits.max_height || bytes_needed > limits.max_alloc {
        return Err(MediaError::TooLarge {
            detail: format!(
                "{w}x{h} needs {} MiB; the limit is {} MiB and {}x{}",
                bytes_needed >> 20,
                limits.max_alloc >> 20,
                limits.max_width,
                limits.max_height
            ),
        });
    }
    // A damaged EXIF block is not worth losing the picture for: keep it as it is stored.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(classify)?;
    image.apply_orientation(orientation);
    let image = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    Ok(Decoded { image, format })
}

/// Sorts the image crate's errors into ours.
fn classify(e: ImageError) -> MediaError {
    match e {
        ImageError::Limits(l) => MediaError::TooLarge {
            detail: l.to_string(),
        },
        ImageError::Unsupported(u) => MediaError::Unsupported {
            format: u.to_string(),
        },
        ImageError::Decoding(d) => MediaError::Corrupt {
            detail: d.to_string(),
        },
        ImageError::IoError(io) => MediaError::Corrupt {
            detail: io.to_string(),
        },
        other => MediaError::Corrupt {
            detail: other.to_string(),
        },
    }
}
