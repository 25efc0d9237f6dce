//! QR codes for coupons on the desktop: draw a coupon's text as a PNG, and read it back from
//! a photo or screenshot. (The phone shells scan with their own camera APIs.)
//!
//! Making: the text goes into one alphanumeric-mode segment. A coupon's text (`SKC1:` and
//! Base45) lies entirely in QR's alphanumeric set, which packs 11 bits per 2 characters
//! instead of 16 in byte mode, so the code is about a third smaller and easier to scan.
//! Error correction level Q (25 % of the code words can be lost), as the EU digital COVID
//! certificate recommends for codes shown on screens and paper; a 4-module quiet zone as the
//! standard requires.
//!
//! Reading: pictures are untrusted. The file is read with a size cap and decoded with
//! `image::Limits` (dimensions and allocation), so a huge or hostile picture is a typed error
//! rather than an out-of-memory kill; decoders run under `catch_unwind` so a bug in one
//! becomes an error too. Photos are turned to greyscale and large ones scaled down first
//! (a QR needs only a few pixels per module; detection cost grows with pixel count), then
//! the full size and an inverted copy (dark-mode screens) are tried.

use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use image::{GrayImage, ImageFormat, ImageReader, Limits, Luma};
use qrcode::bits::Bits;
use qrcode::{EcLevel, QrCode, Version};

/// Quiet zone around the code, in modules (ISO/IEC 18004 asks for 4).
pub const QUIET_ZONE_MODULES: u32 = 4;
/// Default size of one module in the PNG, in pixels.
pub const DEFAULT_MODULE_PX: u32 = 8;
/// Largest picture file read, in bytes (a 48-megapixel phone JPEG is about 20 MB).
pub const MAX_FILE_BYTES: u64 = 40 * 1024 * 1024;
/// Largest picture side accepted, in pixels (48-megapixel photos are 8000 x 6000).
pub const MAX_SIDE_PX: u32 = 10_000;
/// Most memory the image decoder may allocate, in bytes.
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
/// Pictures are scaled so their longer side is at most this before the first attempt.
const FIRST_TRY_SIDE_PX: u32 = 1_600;
/// Full-resolution attempts are made only up to this side; larger ones are scaled to it.
const LAST_TRY_SIDE_PX: u32 = 4_000;

/// What went wrong making or reading a QR code; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    /// The text has a character QR's alphanumeric mode cannot hold.
    #[error(
        "the text has {found:?} at position {position}, outside QR's alphanumeric set \
         (0-9, A-Z, space, $ % * + - . / :); coupon texts are upper case, copy it exactly"
    )]
    NotAlphanumeric {
        /// Character index of the first bad character.
        position: usize,
        /// That character.
        found: char,
    },
    /// The text does not fit the largest QR code.
    #[error("the text ({chars} characters) is too long for one QR code")]
    TooLong {
        /// Its length.
        chars: usize,
    },
    /// Asked for a module size of zero or an absurd one.
    #[error("module size {0} px is out of range (1 to 64)")]
    ModuleSize(u32),
    /// The picture file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The PNG could not be written.
    #[error("cannot write {}: {detail}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// The file is bigger than any photo needs to be.
    #[error(
        "{} is larger than {} MB; send a smaller photo or a screenshot",
        path.display(),
        MAX_FILE_BYTES / (1024 * 1024)
    )]
    FileTooLarge {
        /// The file.
        path: PathBuf,
    },
    /// Not a PNG or JPEG.
    #[error("{} is not a PNG or JPEG picture", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The picture's dimensions or decoded size exceed the limits.
    #[error(
        "{} is too large to decode ({detail}); at most {MAX_SIDE_PX} x {MAX_SIDE_PX} pixels",
        path.display()
    )]
    ImageTooLarge {
        /// The file.
        path: PathBuf,
        /// Dimensions or the limit that was hit.
        detail: String,
    },
    /// The picture is damaged or truncated.
    #[error("{} is damaged and cannot be decoded: {detail}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The decoder's words.
        detail: String,
    },
    /// No QR code was seen in the picture.
    #[error(
        "no QR code found in {}; photograph the code flat, in focus, filling a good part \
         of the picture",
        path.display()
    )]
    NotFound {
        /// The file.
        path: PathBuf,
    },
    /// A QR code was seen but its content could not be recovered.
    #[error(
        "a QR code was found in {} but could not be read ({detail}); take a sharper photo \
         without glare",
        path.display()
    )]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the reader said.
        detail: String,
    },
}

/// What [`write_png`] made.
#[derive(Clone, Debug, serde::Serialize)]
pub struct QrPicture {
    /// The PNG file.
    pub path: PathBuf,
    /// QR version (1 to 40).
    pub version: i16,
    /// Modules per side, without the quiet zone.
    pub modules: u32,
    /// Error correction level.
    pub ec_level: &'static str,
    /// Pixels per side of the PNG, quiet zone included.
    pub pixels: u32,
}

/// Builds the QR code of `text` in alphanumeric mode at level Q, the smallest version that
/// holds it.
///
/// # Errors
///
/// [`QrError::NotAlphanumeric`] or [`QrError::TooLong`].
pub fn encode(text: &str) -> Result<QrCode, QrError> {
    if let Some((position, found)) = text.chars().enumerate().find(|(_, c)| !is_alphanumeric(*c)) {
        return Err(QrError::NotAlphanumeric { position, found });
    }
    let chars = text.chars().count();
    for v in 1..=40 {
        if let Some(bits) = alphanumeric_bits(text.as_bytes(), Version::Normal(v), EcLevel::Q) {
            return QrCode::with_bits(bits, EcLevel::Q).map_err(|_| QrError::TooLong { chars });
        }
    }
    Err(QrError::TooLong { chars })
}

/// The bits of one alphanumeric segment in `version`, or `None` when it does not fit.
fn alphanumeric_bits(data: &[u8], version: Version, ec: EcLevel) -> Option<Bits> {
    let mut bits = Bits::new(version);
    bits.push_alphanumeric_data(data).ok()?;
    bits.push_terminator(ec).ok()?;
    Some(bits)
}

/// QR's alphanumeric set, which is also Base45's alphabet.
pub fn is_alphanumeric(c: char) -> bool {
    matches!(c, '0'..='9' | 'A'..='Z' | ' ' | '$' | '%' | '*' | '+' | '-' | '.' | '/' | ':')
}

/// Draws `code` as a greyscale picture: black modules on white, with the quiet zone.
pub fn render(code: &QrCode, module_px: u32) -> GrayImage {
    let modules = code.width() as u32;
    let side = (modules + 2 * QUIET_ZONE_MODULES) * module_px;
    let colors = code.to_colors();
    GrayImage::from_fn(side, side, |x, y| {
        let mx = (x / module_px).checked_sub(QUIET_ZONE_MODULES);
        let my = (y / module_px).checked_sub(QUIET_ZONE_MODULES);
        let dark = match (mx, my) {
            (Some(mx), Some(my)) if mx < modules && my < modules => {
                colors[(my * modules + mx) as usize] == qrcode::Color::Dark
            }
            _ => false,
        };
        Luma([if dark { 0 } else { 255 }])
    })
}

/// Writes the QR code of `text` to `path` as a PNG with `module_px` pixels per module.
///
/// # Errors
///
/// Those of [`encode`], [`QrError::ModuleSize`] and [`QrError::Write`].
pub fn write_png(text: &str, path: &Path, module_px: u32) -> Result<QrPicture, QrError> {
    if !(1..=64).contains(&module_px) {
        return Err(QrError::ModuleSize(module_px));
    }
    let code = encode(text)?;
    let picture = render(&code, module_px);
    picture
        .save_with_format(path, ImageFormat::Png)
        .map_err(|e| QrError::Write {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
    let version = match code.version() {
        Version::Normal(v) | Version::Micro(v) => v,
    };
    Ok(QrPicture {
        path: path.to_path_buf(),
        version,
        modules: code.width() as u32,
        ec_level: "Q",
        pixels: picture.width(),
    })
}

/// Reads every QR code's text in the picture at `path` (PNG or JPEG), best attempt first.
///
/// # Errors
///
/// A [`QrError`] saying whether the file, the picture or the code was the problem.
pub fn read_picture(path: &Path) -> Result<Vec<String>, QrError> {
    let bytes = read_capped(path)?;
    let luma = decode_luma(path, &bytes)?;
    drop(bytes);
    find_codes(path, luma)
}

fn read_capped(path: &Path) -> Result<Vec<u8>, QrError> {
    let read_err = |source| QrError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    // `take` rather than the file's reported length: a pipe or device has none.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(QrError::FileTooLarge {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE_PX);
    limits.max_image_height = Some(MAX_SIDE_PX);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// Decodes the picture to greyscale within the limits.
fn decode_luma(path: &Path, bytes: &[u8]) -> Result<GrayImage, QrError> {
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Png | ImageFormat::Jpeg)) => f,
        _ => {
            return Err(QrError::UnknownFormat {
                path: path.to_path_buf(),
            });
        }
    };
    let reader = || {
        let mut r = ImageReader::with_format(Cursor::new(bytes), format);
        r.limits(limits());
        r
    };
    let image_err = |e: image::ImageError| match e {
        image::ImageError::Limits(l) => QrError::ImageTooLarge {
            path: path.to_path_buf(),
            detail: l.to_string(),
        },
        other => QrError::Corrupt {
            path: path.to_path_buf(),
            detail: other.to_string(),
        },
    };
    let panicked = |what: &str| QrError::Corrupt {
        path: path.to_path_buf(),
        detail: format!("the {what} decoder failed on it"),
    };
    // The header first: it names the dimensions for a clear message before any allocation.
    let (w, h) = catch_unwind(AssertUnwindSafe(|| reader().into_dimensions()))
        .map_err(|_| panicked("picture header"))?
        .map_err(image_err)?;
    if w > MAX_SIDE_PX || h > MAX_SIDE_PX {
        return Err(QrError::ImageTooLarge {
            path: path.to_path_buf(),
            detail: format!("{w} x {h} pixels"),
        });
    }
    let decoded = catch_unwind(AssertUnwindSafe(|| reader().decode()))
        .map_err(|_| panicked("picture"))?
        .map_err(image_err)?;
    Ok(decoded.into_luma8())
}

/// Scales `luma` so its longer side is at most `side` (never up).
fn fit(luma: &GrayImage, side: u32) -> Option<GrayImage> {
    let (w, h) = luma.dimensions();
    let long = w.max(h);
    if long <= side {
        return None;
    }
    let scale = f64::from(side) / f64::from(long);
    let nw = ((f64::from(w) * scale).round() as u32).max(1);
    let nh = ((f64::from(h) * scale).round() as u32).max(1);
    Some(image::imageops::resize(
        luma,
        nw,
        nh,
        image::imageops::FilterType::Triangle,
    ))
}

/// Tries the scaled-down picture, then the full one (bounded), then an inverted copy.
fn find_codes(path: &Path, luma: GrayImage) -> Result<Vec<String>, QrError> {
    let mut attempts = Vec::with_capacity(3);
    match fit(&luma, FIRST_TRY_SIDE_PX) {
        None => attempts.push(luma),
        Some(small) => {
            attempts.push(small);
            attempts.push(fit(&luma, LAST_TRY_SIDE_PX).unwrap_or(luma));
        }
    }
    let mut inverted = attempts[0].clone();
    image::imageops::invert(&mut inverted);
    attempts.push(inverted);

    let mut last_failure = None;
    for picture in &attempts {
        match catch_unwind(AssertUnwindSafe(|| scan(picture))) {
            Ok(Scan::Found(texts)) => return Ok(texts),
            Ok(Scan::Unreadable(detail)) => last_failure = Some(detail),
            Ok(Scan::Nothing) => {}
            Err(_) => last_failure = Some("the QR reader failed on it".into()),
        }
    }
    Err(match last_failure {
        Some(detail) => QrError::Unreadable {
            path: path.to_path_buf(),
            detail,
        },
        None => QrError::NotFound {
            path: path.to_path_buf(),
        },
    })
}

enum Scan {
    Found(Vec<String>),
    Unreadable(String),
    Nothing,
}

fn scan(picture: &GrayImage) -> Scan {
    let (w, h) = picture.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            picture.get_pixel(x as u32, y as u32)[0]
        });
    let mut texts = Vec::new();
    let mut failure = None;
    for grid in prepared.detect_grids() {
        match grid.decode() {
            Ok((_, text)) => texts.push(text),
            Err(e) => failure = Some(e.to_string()),
        }
    }
    match (texts.is_empty(), failure) {
        (false, _) => Scan::Found(texts),
        (true, Some(detail)) => Scan::Unreadable(detail),
        (true, None) => Scan::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::jpeg::JpegEncoder;

    /// A text shaped like a coupon: the prefix and ~260 Base45 characters.
    fn coupon_like_text(seed: u64) -> String {
        const BASE45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut text = String::from("SKC1:");
        for _ in 0..260 {
            text.push(BASE45[rng.usize(..BASE45.len())] as char);
        }
        text
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Rotates `src` by `degrees` about its centre onto a canvas of `bg`, bilinear.
    fn rotate(src: &GrayImage, degrees: f64, bg: u8) -> GrayImage {
        let (w, h) = src.dimensions();
        let (sin, cos) = degrees.to_radians().sin_cos();
        let (cx, cy) = (f64::from(w) / 2.0, f64::from(h) / 2.0);
        GrayImage::from_fn(w, h, |x, y| {
            let dx = f64::from(x) - cx;
            let dy = f64::from(y) - cy;
            let sx = cos * dx + sin * dy + cx;
            let sy = -sin * dx + cos * dy + cy;
            if sx < 0.0 || sy < 0.0 || sx >= f64::from(w - 1) || sy >= f64::from(h - 1) {
                return Luma([bg]);
            }
            let (x0, y0) = (sx.floor() as u32, sy.floor() as u32);
            let (fx, fy) = (sx - sx.floor(), sy - sy.floor());
            let p = |x, y| f64::from(src.get_pixel(x, y)[0]);
            let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
            let bottom = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
            Luma([(top * (1.0 - fy) + bottom * fy).round() as u8])
        })
    }

    /// A photo of a printed code: scaled, turned, low contrast on a grey table, noisy, JPEG.
    fn photo_of(text: &str, canvas: (u32, u32), scale: f64, degrees: f64, seed: u64) -> Vec<u8> {
        let code = render(&encode(text).unwrap(), 8);
        let side = (f64::from(code.width()) * scale) as u32;
        let scaled =
            image::imageops::resize(&code, side, side, image::imageops::FilterType::Triangle);
        // On a sheet of paper with margins wide enough that turning it crops no module.
        let sheet_side = side * 3 / 2;
        let mut sheet = GrayImage::from_pixel(sheet_side, sheet_side, Luma([255]));
        let margin = i64::from((sheet_side - side) / 2);
        image::imageops::overlay(&mut sheet, &scaled, margin, margin);
        let turned = rotate(&sheet, degrees, 120);
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut photo = GrayImage::from_pixel(canvas.0, canvas.1, Luma([120]));
        let (ox, oy) = ((canvas.0 - sheet_side) / 3, (canvas.1 - sheet_side) / 2);
        image::imageops::overlay(&mut photo, &turned, i64::from(ox), i64::from(oy));
        for p in photo.pixels_mut() {
            // Paper is never white nor ink black; a sensor adds noise.
            let v = 40.0 + f64::from(p[0]) * 0.7 + f64::from(rng.i32(-30..=30));
            p[0] = v.clamp(0.0, 255.0) as u8;
        }
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 60)
            .encode_image(&photo)
            .unwrap();
        jpeg
    }

    #[test]
    fn png_round_trip_at_coupon_length() {
        let dir = tempfile::tempdir().unwrap();
        for seed in 0..3 {
            let text = coupon_like_text(seed);
            let path = dir.path().join(format!("c{seed}.png"));
            let made = write_png(&text, &path, DEFAULT_MODULE_PX).unwrap();
            assert_eq!(made.ec_level, "Q");
            assert_eq!(
                made.pixels,
                (made.modules + 2 * QUIET_ZONE_MODULES) * DEFAULT_MODULE_PX
            );
            assert_eq!(read_picture(&path).unwrap(), vec![text]);
        }
    }

    #[test]
    fn alphanumeric_mode_makes_a_smaller_code_than_byte_mode() {
        let text = coupon_like_text(7);
        let code = encode(&text).unwrap();
        let byte_mode = QrCode::with_error_correction_level(
            // Lower case forces byte mode for the comparison.
            text.to_lowercase().as_bytes(),
            EcLevel::Q,
        )
        .unwrap();
        assert!(
            code.width() < byte_mode.width(),
            "alphanumeric {} modules vs byte {}",
            code.width(),
            byte_mode.width()
        );
        assert_eq!(code.error_correction_level(), EcLevel::Q);
    }

    #[test]
    fn text_outside_the_alphanumeric_set_is_refused() {
        match encode("SKC1:abc") {
            Err(QrError::NotAlphanumeric { position, found }) => {
                assert_eq!((position, found), (5, 'a'));
            }
            Err(other) => panic!("expected NotAlphanumeric, got {other:?}"),
            Ok(_) => panic!("lower case was encoded"),
        }
        assert!(matches!(
            encode(&"A".repeat(5_000)),
            Err(QrError::TooLong { chars: 5_000 })
        ));
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            write_png("SKC1:A", &dir.path().join("x.png"), 0),
            Err(QrError::ModuleSize(0))
        ));
    }

    #[test]
    fn reads_a_noisy_turned_jpeg_photo() {
        let dir = tempfile::tempdir().unwrap();
        let text = coupon_like_text(11);
        let jpeg = photo_of(&text, (1_200, 900), 0.9, 17.0, 1);
        let path = write(dir.path(), "photo.jpg", &jpeg);
        assert_eq!(read_picture(&path).unwrap(), vec![text]);
    }

    #[test]
    fn reads_a_small_code_in_a_big_photo_after_scaling_down() {
        let dir = tempfile::tempdir().unwrap();
        let text = coupon_like_text(12);
        // 4000 x 3000, the code about a third of the width: the 1600 px first try sees it.
        let jpeg = photo_of(&text, (4_000, 3_000), 2.2, -8.0, 2);
        let path = write(dir.path(), "big.jpg", &jpeg);
        assert_eq!(read_picture(&path).unwrap(), vec![text]);
    }

    #[test]
    fn reads_a_dark_mode_screenshot() {
        let dir = tempfile::tempdir().unwrap();
        let text = coupon_like_text(13);
        let mut picture = render(&encode(&text).unwrap(), 6);
        image::imageops::invert(&mut picture);
        let path = dir.path().join("dark.png");
        picture.save(&path).unwrap();
        assert_eq!(read_picture(&path).unwrap(), vec![text]);
    }

    #[test]
    fn a_picture_without_a_code_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("blank.png");
        GrayImage::from_pixel(400, 300, Luma([200]))
            .save(&path)
            .unwrap();
        assert!(matches!(read_picture(&path), Err(QrError::NotFound { .. })));
    }

    #[test]
    fn damaged_and_foreign_files_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("ok.png");
        write_png(&coupon_like_text(3), &png, 4).unwrap();
        let bytes = std::fs::read(&png).unwrap();

        // Cut in the middle of the image data.
        let cut = write(dir.path(), "cut.png", &bytes[..bytes.len() / 2]);
        assert!(
            matches!(read_picture(&cut), Err(QrError::Corrupt { .. })),
            "{:?}",
            read_picture(&cut)
        );

        // Garbage after a PNG signature.
        let mut junk = bytes[..8].to_vec();
        junk.extend((0..5_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        let junk = write(dir.path(), "junk.png", &junk);
        assert!(matches!(read_picture(&junk), Err(QrError::Corrupt { .. })));

        let text = write(dir.path(), "note.txt", b"SKC1:NOT A PICTURE");
        assert!(matches!(
            read_picture(&text),
            Err(QrError::UnknownFormat { .. })
        ));
        assert!(matches!(
            read_picture(&dir.path().join("missing.png")),
            Err(QrError::Read { .. })
        ));
    }

    /// A PNG whose header claims `w` x `h`, followed by a token of image data.
    fn png_claiming(w: u32, h: u32, depth: u8, color: u8) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend((data.len() as u32).to_be_bytes());
            let mut crc = flate2::Crc::new();
            crc.update(kind);
            crc.update(data);
            out.extend(kind);
            out.extend(data);
            out.extend(crc.sum().to_be_bytes());
        }
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend(w.to_be_bytes());
        ihdr.extend(h.to_be_bytes());
        ihdr.extend([depth, color, 0, 0, 0]);
        chunk(&mut png, b"IHDR", &ihdr);
        chunk(
            &mut png,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut png, b"IEND", &[]);
        png
    }

    #[test]
    fn gigantic_dimensions_are_refused_before_allocating() {
        let dir = tempfile::tempdir().unwrap();
        // 8-bit RGB over the side limit; 16-bit RGBA within it but over the memory limit.
        for (w, h, depth, color) in [
            (100_000, 100_000, 8, 2),
            (10_001, 10, 8, 2),
            (9_000, 9_000, 16, 6),
        ] {
            let path = write(dir.path(), "huge.png", &png_claiming(w, h, depth, color));
            match read_picture(&path) {
                Err(QrError::ImageTooLarge { detail, .. }) => {
                    assert!(!detail.is_empty());
                }
                other => panic!("{w} x {h}: expected ImageTooLarge, got {other:?}"),
            }
        }
    }

    #[test]
    fn an_oversized_file_is_not_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.png");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        assert!(matches!(
            read_picture(&path),
            Err(QrError::FileTooLarge { .. })
        ));
    }
}
