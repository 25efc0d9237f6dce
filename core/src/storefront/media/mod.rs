//! Pictures for the phone: bounded decoding, mobile variants, and an on-disk cache.
//!
//! - [`decode`]: every picture from the network or the camera goes through [`decode::decode`],
//!   which enforces [`image::Limits`] (dimensions and allocation) before pixels are allocated,
//!   applies the EXIF orientation and drops all metadata (nothing of the original file but its
//!   pixels survives: no GPS position leaves the phone in an upload).
//! - [`variants`]: the mobile variants (a 750 px wide JPEG for the product page, square
//!   thumbnails for grids), resized with `fast_image_resize`.
//! - [`cache`]: variants on disk under the media folder, with a size cap.
//!
//! Where downloaded pictures live: `ProductImage::local_path` is a file name inside the media
//! folder (`SellerAppConfig.media_dir`, `media/` beside the database by default), resolved with
//! [`media_file`]. Older databases recorded `media/<name>`; [`media_file`] reads both.

pub mod cache;
pub mod decode;
pub mod variants;

#[cfg(test)]
pub(crate) mod tests;

use std::path::{Path, PathBuf};

pub use cache::VariantCache;
pub use decode::{DecodeLimits, Decoded, decode};
pub use variants::{Variant, VariantKind, encode_jpeg, make_variant};

/// Why a picture could not be used. Each is a plain, typed answer; none is a panic or an OOM.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The bytes are not a picture of any known kind (a text file named `.jpg`, say).
    #[error("not a picture")]
    NotAnImage,
    /// A picture format this app does not read (GIF, TIFF, ...).
    #[error("unsupported picture format: {format}")]
    Unsupported {
        /// The format's name.
        format: String,
    },
    /// Wider or taller than the limits, or too many pixels to hold in memory.
    #[error("picture too large: {detail}")]
    TooLarge {
        /// What exceeded which limit.
        detail: String,
    },
    /// Truncated or corrupt data.
    #[error("picture is damaged: {detail}")]
    Corrupt {
        /// The decoder's reason.
        detail: String,
    },
    /// Encoding or resizing failed (should not happen with valid pixels).
    #[error("could not convert picture: {detail}")]
    Convert {
        /// The reason.
        detail: String,
    },
    /// The cache or media folder could not be read or written.
    #[error("{path}: {detail}")]
    Io {
        /// The file or folder.
        path: String,
        /// The OS error.
        detail: String,
    },
}

impl MediaError {
    pub(crate) fn io(path: &Path, e: std::io::Error) -> Self {
        MediaError::Io {
            path: path.display().to_string(),
            detail: e.to_string(),
        }
    }
}

/// The file of a downloaded picture: `local_path` (a file name) inside `media_dir`.
///
/// Only the last component of `local_path` is used, so a legacy `media/<name>` record and a
/// hostile `../../x` both stay inside the media folder.
pub fn media_file(media_dir: &Path, local_path: &str) -> Option<PathBuf> {
    let name = Path::new(local_path).file_name()?;
    Some(media_dir.join(name))
}
