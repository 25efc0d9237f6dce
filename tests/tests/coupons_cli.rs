//! The CLI's coupon commands end to end: the real `sellerkit` binary, real pictures, and
//! (for the wallet) the real dev server on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Output;

use sellerkit_e2e::{sellerkit, stdout_json};

/// Exit status of a command refused for a business reason (`sellerkit coupon …`).
const EXIT_REFUSED: i32 = 3;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: Output) -> Output {
    assert!(
        o.status.success(),
        "exit {:?}: {}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    o
}

/// A text shaped like a coupon (prefix and Base45 alphabet), for the QR tests that need no
/// wallet.
fn coupon_shaped_text() -> String {
    const BASE45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut text = String::from("SKC1:");
    let mut x: u32 = 12_345;
    for _ in 0..240 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        text.push(BASE45[(x >> 16) as usize % BASE45.len()] as char);
    }
    text
}

fn qr(text: &str, out: &Path) -> serde_json::Value {
    stdout_json(&ok(sellerkit(&[
        "coupon",
        "qr",
        text,
        "--out",
        out.to_str().unwrap(),
        "--json",
    ])))
}

fn scan(image: &Path) -> Output {
    sellerkit(&["coupon", "scan", image.to_str().unwrap(), "--json"])
}

/// The QR PNG photographed: smaller, turned a little, on a grey table, with noise, as JPEG.
fn photograph(png: &Path, out: &Path) -> PathBuf {
    let code = image::open(png).unwrap().into_luma8();
    let side = code.width() * 3 / 4;
    let small = image::imageops::resize(&code, side, side, image::imageops::FilterType::Triangle);
    let turned = image::imageops::rotate90(&small);
    let mut photo = image::GrayImage::from_pixel(side * 2, side * 3 / 2, image::Luma([110]));
    image::imageops::overlay(
        &mut photo,
        &turned,
        i64::from(side / 2),
        i64::from(side / 4),
    );
    let mut x: u32 = 7;
    for p in photo.pixels_mut() {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (x >> 24) as i32 % 41 - 20;
        p[0] = (30 + i32::from(p[0]) * 3 / 4 + noise).clamp(0, 255) as u8;
    }
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 65)
        .encode_image(&photo)
        .unwrap();
    std::fs::write(out, jpeg).unwrap();
    out.to_path_buf()
}

#[test]
fn qr_png_and_a_jpeg_photo_of_it_read_back_to_the_same_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = coupon_shaped_text();
    let png = dir.path().join("coupon.png");
    let made = qr(&text, &png);
    assert_eq!(made["ec_level"], "Q", "{made}");
    assert!(made["version"].as_i64().unwrap() <= 12, "{made}");
    let (w, h) = image::image_dimensions(&png).unwrap();
    assert_eq!(
        (w, h),
        (
            made["pixels"].as_u64().unwrap() as u32,
            made["pixels"].as_u64().unwrap() as u32
        )
    );

    let read = stdout_json(&ok(scan(&png)));
    assert_eq!(read["texts"], serde_json::json!([text]));

    let photo = photograph(&png, &dir.path().join("photo.jpg"));
    let read = stdout_json(&ok(scan(&photo)));
    assert_eq!(read["texts"], serde_json::json!([text]));

    // Human output is the text itself.
    let o = ok(sellerkit(&["coupon", "scan", photo.to_str().unwrap()]));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), text);
}

#[test]
fn qr_refuses_text_a_coupon_cannot_hold() {
    let dir = tempfile::tempdir().unwrap();
    let o = sellerkit(&[
        "coupon",
        "qr",
        "skc1:lower case",
        "--out",
        dir.path().join("x.png").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let body = stdout_json(&o);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("alphanumeric"),
        "{body}"
    );
    assert!(!dir.path().join("x.png").exists());
}

#[test]
fn damaged_and_huge_pictures_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("coupon.png");
    qr(&coupon_shaped_text(), &png);
    let bytes = std::fs::read(&png).unwrap();
    let cut = dir.path().join("cut.png");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let o = scan(&cut);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("damaged"), "{}", stderr(&o));

    // A PNG header claiming 60000 x 60000 pixels: refused from the header alone.
    let mut huge = bytes[..8].to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(60_000u32.to_be_bytes());
    ihdr.extend(60_000u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    huge.extend(13u32.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(b"IHDR");
    crc.update(&ihdr);
    huge.extend(b"IHDR");
    huge.extend(&ihdr);
    huge.extend(crc.sum().to_be_bytes());
    let huge_path = dir.path().join("huge.png");
    std::fs::write(&huge_path, huge).unwrap();
    let o = scan(&huge_path);
    assert_eq!(o.status.code(), Some(1));
    let body = stdout_json(&o);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too large"),
        "{body}"
    );

    let blank = dir.path().join("blank.png");
    image::GrayImage::from_pixel(300, 300, image::Luma([255]))
        .save(&blank)
        .unwrap();
    let o = scan(&blank);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no QR code found"), "{}", stderr(&o));
    let _ = EXIT_REFUSED;
}
