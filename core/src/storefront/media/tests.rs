//! Bad input, orientation and variants, with real encoded pictures.

use std::io::Write;

use image::DynamicImage;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage};

use super::*;

/// A 40x20 picture: a red square in the top-left corner on white.
fn marked() -> RgbImage {
    RgbImage::from_fn(40, 20, |x, y| {
        if x < 10 && y < 10 {
            Rgb([255, 0, 0])
        } else {
            Rgb([255, 255, 255])
        }
    })
}

fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

fn jpeg(img: &RgbImage, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, 95);
    if let Some(exif) = exif {
        enc.set_exif_metadata(exif).unwrap();
    }
    enc.write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        ExtendedColorType::Rgb8,
    )
    .unwrap();
    out
}

fn webp(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

/// A little-endian TIFF block with one tag: Orientation (0x0112) = `o`.
fn exif_orientation(o: u16) -> Vec<u8> {
    let mut t = b"II*\0\x08\0\0\0".to_vec();
    t.extend_from_slice(&1u16.to_le_bytes()); // one entry
    t.extend_from_slice(&0x0112u16.to_le_bytes());
    t.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    t.extend_from_slice(&1u32.to_le_bytes());
    t.extend_from_slice(&o.to_le_bytes());
    t.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // padding + no next IFD
    t
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

/// A PNG whose header declares `w`x`h` RGBA and whose IDAT is `idat`.
pub(crate) fn png_declaring(w: u32, h: u32, idat: &[u8]) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn decode_default(bytes: &[u8]) -> Result<Decoded, MediaError> {
    decode(bytes, DecodeLimits::default())
}

#[test]
fn good_pictures_of_each_format_decode_upright() {
    for bytes in [png(&marked()), jpeg(&marked(), None), webp(&marked())] {
        let d = decode_default(&bytes).unwrap();
        assert_eq!((d.image.width(), d.image.height()), (40, 20));
        let rgb = d.image.to_rgb8();
        assert!(
            rgb.get_pixel(2, 2)[0] > 200 && rgb.get_pixel(2, 2)[1] < 60,
            "{:?}",
            rgb.get_pixel(2, 2)
        );
        assert!(rgb.get_pixel(35, 15)[1] > 200);
    }
}

/// Where the red mark lands for each EXIF orientation once the picture is upright.
#[test]
fn every_exif_orientation_is_applied() {
    // (orientation, upright size, a pixel inside the mark once upright)
    let cases = [
        (1, (40, 20), (2, 2)),
        (2, (40, 20), (37, 2)),
        (3, (40, 20), (37, 17)),
        (4, (40, 20), (2, 17)),
        (5, (20, 40), (2, 2)),
        (6, (20, 40), (17, 2)),
        (7, (20, 40), (17, 37)),
        (8, (20, 40), (2, 37)),
    ];
    for (o, size, (mx, my)) in cases {
        let d = decode_default(&jpeg(&marked(), Some(exif_orientation(o)))).unwrap();
        let rgb = d.image.to_rgb8();
        assert_eq!(rgb.dimensions(), size, "orientation {o}");
        let p = rgb.get_pixel(mx, my);
        assert!(
            p[0] > 200 && p[1] < 80,
            "orientation {o}: {p:?} at ({mx},{my})"
        );
        // The mark is in exactly one corner.
        let white = rgb.get_pixel(size.0 - 1 - mx, size.1 - 1 - my);
        assert!(white[1] > 200, "orientation {o}: opposite corner {white:?}");
    }
}

#[test]
fn variants_drop_metadata_and_have_the_mobile_sizes() {
    let photo = RgbImage::from_fn(1600, 1200, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let d = decode_default(&jpeg(&photo, Some(exif_orientation(6)))).unwrap();
    assert_eq!((d.image.width(), d.image.height()), (1200, 1600));
    let page = make_variant(&d.image, VariantKind::Page).unwrap();
    assert_eq!(page.image.dimensions(), (750, 1000));
    let thumb = make_variant(&d.image, VariantKind::Square(360)).unwrap();
    assert_eq!(thumb.image.dimensions(), (360, 360));
    let bytes = encode_jpeg(&page.image).unwrap();
    // No EXIF (APP1 "Exif") segment survives, and the result decodes as upright 750x1000.
    assert!(!bytes.windows(4).any(|w| w == b"Exif"));
    let again = decode_default(&bytes).unwrap();
    assert_eq!((again.image.width(), again.image.height()), (750, 1000));
    // A small picture is never enlarged.
    let small = make_variant(
        &decode_default(&png(&marked())).unwrap().image,
        VariantKind::Page,
    )
    .unwrap();
    assert_eq!(small.image.dimensions(), (40, 20));
}

#[test]
fn the_uploaded_photo_keeps_up_to_1600_px_so_it_passes_the_main_picture_rule() {
    let camera = RgbImage::from_fn(4000, 3000, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 9])
    });
    let up = make_variant(&DynamicImage::ImageRgb8(camera), VariantKind::Upload).unwrap();
    assert_eq!(up.image.dimensions(), (1600, 1200));
    let portrait = RgbImage::from_pixel(900, 2000, Rgb([1, 2, 3]));
    let up = make_variant(&DynamicImage::ImageRgb8(portrait), VariantKind::Upload).unwrap();
    assert_eq!(up.image.dimensions(), (720, 1600));
    // Already small enough: kept as it is, never enlarged.
    let square = RgbImage::from_pixel(1000, 1000, Rgb([1, 2, 3]));
    let up = make_variant(&DynamicImage::ImageRgb8(square), VariantKind::Upload).unwrap();
    assert_eq!(up.image.dimensions(), (1000, 1000));
}

#[test]
fn truncated_and_corrupt_files_are_typed_errors() {
    for (name, bytes) in [
        ("png", png(&marked())),
        ("jpeg", jpeg(&marked(), None)),
        ("webp", webp(&marked())),
    ] {
        let truncated = &bytes[..bytes.len() / 2];
        let err = decode_default(truncated).unwrap_err();
        assert!(
            matches!(err, MediaError::Corrupt { .. }),
            "{name} truncated: {err:?}"
        );
        let mut corrupt = bytes.clone();
        let len = corrupt.len();
        for b in &mut corrupt[20..len - 4] {
            *b ^= 0x5A;
        }
        match decode_default(&corrupt) {
            // Some JPEG scrambles still decode to (garbage) pixels; that is fine, no panic.
            Ok(d) => assert_eq!(
                name,
                "jpeg",
                "{name} corrupt decoded to {:?}",
                (d.image.width(), d.image.height())
            ),
            Err(e) => assert!(
                matches!(
                    e,
                    MediaError::Corrupt { .. }
                        | MediaError::NotAnImage
                        | MediaError::Unsupported { .. }
                ),
                "{name}: {e:?}"
            ),
        }
    }
    // GIF is not read at all (no GIF codec ships); a damaged one is the same typed answer.
    let err = decode_default(b"GIF89a\x10\x00\x10\x00\x80\x00\x00garbage").unwrap_err();
    assert!(
        matches!(err, MediaError::Unsupported { ref format } if format == "gif"),
        "{err:?}"
    );
    assert!(err.to_string().contains("gif"));
}

#[test]
fn a_text_file_named_jpg_is_not_an_image() {
    assert!(matches!(
        decode_default(b"hello, this is a shopping list\n"),
        Err(MediaError::NotAnImage)
    ));
    assert!(matches!(decode_default(b""), Err(MediaError::NotAnImage)));
}

#[test]
fn a_png_declaring_100000_by_100000_is_refused_before_allocating() {
    let bytes = png_declaring(
        100_000,
        100_000,
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    let err = decode_default(&bytes).unwrap_err();
    assert!(matches!(err, MediaError::TooLarge { .. }), "{err:?}");
}

#[test]
fn a_decompression_bomb_is_refused_by_the_allocation_limit() {
    // 4500x4500 RGBA (81 MB of pixels, under the 8192 side limit) from ~80 KB of zlib zeros.
    let (w, h) = (4500u32, 4500u32);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let row = vec![0u8; 1 + 4 * w as usize];
    for _ in 0..h {
        z.write_all(&row).unwrap();
    }
    let idat = z.finish().unwrap();
    assert!(idat.len() < 1 << 20, "bomb is {} bytes", idat.len());
    let err = decode_default(&png_declaring(w, h, &idat)).unwrap_err();
    assert!(matches!(err, MediaError::TooLarge { .. }), "{err:?}");
    // The same file within a generous limit does decode: the refusal is the limit's doing.
    let roomy = DecodeLimits {
        max_alloc: 200 << 20,
        ..DecodeLimits::default()
    };
    assert!(decode(&png_declaring(w, h, &idat), roomy).is_ok());
}

#[test]
fn cmyk_jpeg_and_16_bit_png_become_8_bit_rgb() {
    let d = decode_default(include_bytes!("fixtures/cmyk.jpg")).unwrap();
    let rgb = d.image.as_rgb8().expect("rgb8");
    assert_eq!(rgb.dimensions(), (48, 32));
    let (left, right) = (rgb.get_pixel(5, 16), rgb.get_pixel(42, 16));
    assert!(left[0] > 180 && left[2] < 90, "left half is red: {left:?}");
    assert!(
        right[2] > 180 && right[0] < 90,
        "right half is blue: {right:?}"
    );

    let wide: image::ImageBuffer<Rgb<u16>, Vec<u16>> =
        image::ImageBuffer::from_fn(30, 20, |x, _| Rgb([x as u16 * 2000, 65535, 0]));
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(
            bytemuck_u16(wide.as_raw()).as_slice(),
            30,
            20,
            ExtendedColorType::Rgb16,
        )
        .unwrap();
    let d = decode_default(&bytes).unwrap();
    let rgb = d.image.as_rgb8().expect("rgb8");
    assert_eq!(rgb.get_pixel(0, 0).0, [0, 255, 0]);
    assert_eq!(rgb.get_pixel(29, 0)[0], ((29 * 2000 + 128) / 257) as u8);
}

/// PNG wants 16-bit samples as native-endian bytes in `write_image`.
fn bytemuck_u16(samples: &[u16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_ne_bytes()).collect()
}

#[test]
fn media_files_resolve_inside_the_media_folder() {
    let dir = std::path::Path::new("/data/shop/pics");
    assert_eq!(media_file(dir, "img_1.jpg").unwrap(), dir.join("img_1.jpg"));
    assert_eq!(
        media_file(dir, "media/img_1.jpg").unwrap(),
        dir.join("img_1.jpg")
    );
    assert_eq!(
        media_file(dir, "../../etc/passwd").unwrap(),
        dir.join("passwd")
    );
    assert_eq!(media_file(dir, ".."), None);
}

#[test]
fn the_cache_serves_hits_and_stays_under_its_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("p.jpg");
    let photo = RgbImage::from_fn(900, 900, |x, y| {
        Rgb([
            (x * 7 % 256) as u8,
            (y * 3 % 256) as u8,
            ((x ^ y) % 256) as u8,
        ])
    });
    std::fs::write(&src, jpeg(&photo, None)).unwrap();
    let cache = VariantCache::new(tmp.path(), 1 << 30);
    let first = cache
        .variant("img-1", &src, VariantKind::Square(200))
        .unwrap();
    assert_eq!(first.dimensions(), (200, 200));
    // A hit does not need the source any more.
    std::fs::remove_file(&src).unwrap();
    let hit = cache
        .variant("img-1", &src, VariantKind::Square(200))
        .unwrap();
    assert_eq!(hit.dimensions(), (200, 200));
    assert!(matches!(
        cache.variant("img-2", &src, VariantKind::Square(200)),
        Err(MediaError::Io { .. })
    ));

    // A small cap: after many variants the folder is back under it.
    std::fs::write(&src, jpeg(&photo, None)).unwrap();
    let one = cache.size_bytes();
    let small = VariantCache::new(tmp.path(), one * 3);
    for i in 0..8 {
        small
            .variant(&format!("k{i}"), &src, VariantKind::Square(200))
            .unwrap();
    }
    assert!(
        small.size_bytes() <= one * 3,
        "{} > {}",
        small.size_bytes(),
        one * 3
    );
    assert!(small.size_bytes() >= one, "eviction removed everything");
}
