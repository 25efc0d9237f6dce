//! Variants on disk, under the media folder, with a size cap.
//!
//! Files are `<media_dir>/variants/<key>-<tag>.rgb`: raw RGB pixels after an 8-byte header
//! (width, height, little-endian u32), so a hit is a file read, not a JPEG decode: the preview
//! draws from here on every refresh. When the folder grows past the cap, the
//! least recently used files (by modification time, refreshed on each hit) are removed until
//! it is back under 80% of the cap, so eviction runs rarely rather than on every write.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use image::RgbImage;
use sha2::{Digest, Sha256};

use super::variants::{VariantKind, make_variant};
use super::{DecodeLimits, MediaError, decode};

/// Default cap: 64 MiB of variants is a few thousand thumbnails on a 16 GB phone.
pub const DEFAULT_CAP_BYTES: u64 = 64 * 1024 * 1024;

/// The variant cache of one media folder.
#[derive(Clone, Debug)]
pub struct VariantCache {
    dir: PathBuf,
    cap_bytes: u64,
}

impl VariantCache {
    /// The cache under `media_dir/variants`, holding at most `cap_bytes`.
    pub fn new(media_dir: &Path, cap_bytes: u64) -> Self {
        VariantCache {
            dir: media_dir.join("variants"),
            cap_bytes,
        }
    }

    /// The folder the variants live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_for(&self, key: &str, kind: VariantKind) -> PathBuf {
        // Keys are image ids (server text): hash them so any id is a safe file name.
        let hash = hex::encode(&Sha256::digest(key.as_bytes())[..12]);
        self.dir.join(format!("{hash}-{}.rgb", kind.tag()))
    }

    /// The variant of `source_file` (a picture in the media folder), from the cache or made now.
    ///
    /// `key` names the source (its image id and hash); a changed picture must use a new key.
    pub fn variant(
        &self,
        key: &str,
        source_file: &Path,
        kind: VariantKind,
    ) -> Result<RgbImage, MediaError> {
        let path = self.path_for(key, kind);
        if let Ok(bytes) = std::fs::read(&path)
            && let Some(image) = from_raw(bytes)
        {
            // Refresh the time stamp: it is the recency the eviction goes by.
            let _ = std::fs::File::options()
                .append(true)
                .open(&path)
                .and_then(|f| f.set_modified(SystemTime::now()));
            return Ok(image);
        }
        let bytes = std::fs::read(source_file).map_err(|e| MediaError::io(source_file, e))?;
        let decoded = decode(&bytes, DecodeLimits::default())?;
        let variant = make_variant(&decoded.image, kind)?;
        self.store(&path, &to_raw(&variant.image))?;
        Ok(variant.image)
    }

    fn store(&self, path: &Path, bytes: &[u8]) -> Result<(), MediaError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| MediaError::io(&self.dir, e))?;
        let tmp = path.with_extension("part");
        std::fs::write(&tmp, bytes).map_err(|e| MediaError::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| MediaError::io(path, e))?;
        self.enforce_cap()
    }

    /// Bytes the cache holds now.
    pub fn size_bytes(&self) -> u64 {
        self.entries().iter().map(|(_, len, _)| len).sum()
    }

    fn entries(&self) -> Vec<(PathBuf, u64, SystemTime)> {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        dir.filter_map(Result::ok)
            .filter_map(|e| {
                let meta = e.metadata().ok()?;
                meta.is_file().then(|| {
                    (
                        e.path(),
                        meta.len(),
                        meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    )
                })
            })
            .collect()
    }

    /// Removes least recently used variants while the folder is over its cap.
    pub fn enforce_cap(&self) -> Result<(), MediaError> {
        let mut entries = self.entries();
        let mut total: u64 = entries.iter().map(|(_, len, _)| len).sum();
        if total <= self.cap_bytes {
            return Ok(());
        }
        entries.sort_by_key(|(_, _, modified)| *modified);
        let target = self.cap_bytes / 10 * 8;
        for (path, len, _) in entries {
            if total <= target {
                break;
            }
            std::fs::remove_file(&path).map_err(|e| MediaError::io(&path, e))?;
            total -= len;
        }
        Ok(())
    }
}

/// The cache's file format: width and height (u32 LE), then the RGB rows.
fn to_raw(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + image.as_raw().len());
    out.extend_from_slice(&image.width().to_le_bytes());
    out.extend_from_slice(&image.height().to_le_bytes());
    out.extend_from_slice(image.as_raw());
    out
}

/// Reads a cache file; `None` when it is damaged (then the variant is made again).
fn from_raw(mut bytes: Vec<u8>) -> Option<RgbImage> {
    let header: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
    let w = u32::from_le_bytes(header[..4].try_into().ok()?);
    let h = u32::from_le_bytes(header[4..].try_into().ok()?);
    let expected = (w as usize).checked_mul(h as usize)?.checked_mul(3)?;
    if bytes.len() != 8 + expected {
        return None;
    }
    bytes.drain(..8);
    RgbImage::from_raw(w, h, bytes)
}
