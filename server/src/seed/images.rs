//! Demo pictures: flat shapes on a gradient, really encoded as PNG or JPEG.
//!
//! Drawing works on whole row spans (`copy_within` doubling), not pixel by pixel, so that
//! 200 pictures are quick even in an unoptimised test build; the large flat regions also make
//! the PNGs small.

use image::ExtendedColorType;
use image::ImageEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};

use super::catalog::Kind;
use super::rng::Rng;

/// An RGB colour.
pub(crate) type Rgb = [u8; 3];

/// How a picture is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// PNG, fast deflate.
    Png,
    /// Baseline JPEG at this quality (1..=100).
    Jpeg(u8),
}

/// What a product picture should look like, including its deliberate defects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PictureSpec {
    pub(crate) kind: Kind,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) format: Format,
    /// Fill the picture with sensor-like noise (a "raw camera photo": huge when encoded).
    pub(crate) noisy: bool,
}

/// An encoded picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Encoded {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) mime: &'static str,
    pub(crate) bytes: Vec<u8>,
}

/// An RGB8 raster with a vertical gradient background.
pub(crate) struct Canvas {
    w: u32,
    h: u32,
    buf: Vec<u8>,
    top: Rgb,
    bottom: Rgb,
}

/// Fills `dst` (a whole number of pixels) with colour `c`, by doubling copies.
fn fill_rgb(dst: &mut [u8], c: Rgb) {
    if dst.len() < 3 {
        return;
    }
    dst[..3].copy_from_slice(&c);
    let mut filled = 3;
    while filled < dst.len() {
        let n = filled.min(dst.len() - filled);
        dst.copy_within(0..n, filled);
        filled += n;
    }
}

fn lerp(a: u8, b: u8, num: i64, den: i64) -> u8 {
    let (a, b) = (i64::from(a), i64::from(b));
    let v = a + (b - a) * num / den.max(1);
    v.clamp(0, 255) as u8
}

fn jitter(c: Rgb, rng: &mut Rng, amount: i64) -> Rgb {
    c.map(|v| (i64::from(v) + rng.range(-amount, amount)).clamp(0, 255) as u8)
}

impl Canvas {
    pub(crate) fn new(w: u32, h: u32, top: Rgb, bottom: Rgb) -> Canvas {
        let mut c = Canvas {
            w,
            h,
            buf: vec![0; w as usize * h as usize * 3],
            top,
            bottom,
        };
        let stride = w as usize * 3;
        for y in 0..h {
            let colour = c.bg(i64::from(y));
            let row = y as usize * stride;
            fill_rgb(&mut c.buf[row..row + stride], colour);
        }
        c
    }

    fn bg(&self, y: i64) -> Rgb {
        let den = i64::from(self.h.max(2) - 1);
        [0, 1, 2].map(|i| lerp(self.top[i], self.bottom[i], y, den))
    }

    /// Pixels `x0..x1` of row `y`, clipped to the canvas.
    fn span(&mut self, y: i64, x0: i64, x1: i64, c: Rgb) {
        if y < 0 || y >= i64::from(self.h) {
            return;
        }
        let (x0, x1) = (x0.max(0), x1.min(i64::from(self.w)));
        if x0 >= x1 {
            return;
        }
        let row = y as usize * self.w as usize * 3;
        fill_rgb(
            &mut self.buf[row + x0 as usize * 3..row + x1 as usize * 3],
            c,
        );
    }

    fn rect(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: Rgb) {
        for y in y0.max(0)..y1.min(i64::from(self.h)) {
            self.span(y, x0, x1, c);
        }
    }

    /// Half-width of an ellipse's row at vertical offset `dy`, or `None` outside it.
    fn half_width(rx: i64, ry: i64, dy: i64) -> Option<i64> {
        if rx <= 0 || ry <= 0 || dy.abs() > ry {
            return None;
        }
        let (rx, ry, dy) = (rx as u64, ry as u64, dy.unsigned_abs());
        Some(((rx * rx * (ry * ry - dy * dy)).isqrt() / ry) as i64)
    }

    fn ellipse(&mut self, cx: i64, cy: i64, rx: i64, ry: i64, c: Rgb) {
        for y in (cy - ry).max(0)..=(cy + ry).min(i64::from(self.h) - 1) {
            if let Some(hw) = Canvas::half_width(rx, ry, y - cy) {
                self.span(y, cx - hw, cx + hw + 1, c);
            }
        }
    }

    /// An elliptic ring: the outer ellipse in `c`, its inside back to the background.
    fn ring(&mut self, cx: i64, cy: i64, rx: i64, ry: i64, thickness: i64, c: Rgb) {
        self.ellipse(cx, cy, rx, ry, c);
        let (irx, iry) = (rx - thickness, ry - thickness);
        for y in (cy - iry).max(0)..=(cy + iry).min(i64::from(self.h) - 1) {
            if let Some(hw) = Canvas::half_width(irx, iry, y - cy) {
                let bg = self.bg(y);
                self.span(y, cx - hw, cx + hw + 1, bg);
            }
        }
    }

    /// XORs noise into every byte, eight bytes per draw; `mask` bounds its amplitude.
    fn noise(&mut self, rng: &mut Rng, mask: u8) {
        let mask = u64::from_ne_bytes([mask; 8]);
        let mut chunks = self.buf.chunks_exact_mut(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let v = u64::from_ne_bytes(word) ^ (rng.next_u64() & mask);
            chunk.copy_from_slice(&v.to_ne_bytes());
        }
    }

    pub(crate) fn encode(&self, format: Format) -> Encoded {
        let mut bytes = Vec::new();
        let (mime, result) = match format {
            Format::Png => (
                "image/png",
                PngEncoder::new_with_quality(&mut bytes, CompressionType::Default, FilterType::Up)
                    .write_image(&self.buf, self.w, self.h, ExtendedColorType::Rgb8),
            ),
            Format::Jpeg(q) => (
                "image/jpeg",
                JpegEncoder::new_with_quality(&mut bytes, q.clamp(1, 100)).write_image(
                    &self.buf,
                    self.w,
                    self.h,
                    ExtendedColorType::Rgb8,
                ),
            ),
        };
        // Encoding a well-formed in-memory RGB8 buffer into a Vec has no failure mode (the
        // sizes are ours and small); a failure would be a bug in this module.
        if let Err(e) = result {
            panic!("encoding a {}x{} demo picture failed: {e}", self.w, self.h);
        }
        Encoded {
            width: self.w,
            height: self.h,
            mime,
            bytes,
        }
    }
}

/// A product's main picture: a category shape over a gradient, a colour band at the bottom.
pub(crate) fn product_picture(spec: PictureSpec, rng: &mut Rng) -> Encoded {
    let (w, h) = (i64::from(spec.width), i64::from(spec.height));
    let (top, bottom, band, shapes): (Rgb, Rgb, Rgb, &[Rgb]) = match spec.kind {
        Kind::Tea => (
            [246, 242, 226],
            [212, 230, 198],
            [56, 142, 60],
            &[[46, 125, 50], [85, 139, 47], [27, 94, 32], [104, 159, 56]],
        ),
        Kind::Teaware => (
            [242, 236, 228],
            [222, 204, 188],
            [121, 85, 72],
            &[[121, 72, 52], [30, 80, 140], [66, 66, 66], [150, 108, 70]],
        ),
        Kind::Gift => (
            [255, 241, 232],
            [248, 213, 198],
            [211, 47, 47],
            &[[198, 40, 40], [183, 28, 28], [136, 14, 79], [173, 20, 87]],
        ),
        Kind::Snack => (
            [255, 248, 226],
            [255, 222, 176],
            [239, 108, 0],
            &[
                [214, 160, 90],
                [188, 130, 70],
                [230, 190, 120],
                [160, 100, 55],
            ],
        ),
    };
    let top = jitter(top, rng, 8);
    let bottom = jitter(bottom, rng, 8);
    let main = jitter(*rng.pick(shapes), rng, 12);
    let dark = main.map(|v| v / 2);
    let mut c = Canvas::new(spec.width, spec.height, top, bottom);

    let band_h = h / 10;
    let s = w.min(h - band_h);
    let (cx, cy) = (w / 2 + rng.range(-s / 20, s / 20), (h - band_h) / 2);
    let r = s * rng.range(30, 38) / 100;
    match spec.kind {
        Kind::Tea => {
            // A leaf: an upright ellipse with a central vein and a stem.
            c.ellipse(cx, cy, r * 55 / 100, r, main);
            c.rect(
                cx - s / 120 - 1,
                cy - r * 85 / 100,
                cx + s / 120 + 1,
                cy + r,
                dark,
            );
            c.rect(
                cx - s / 60 - 1,
                cy + r,
                cx + s / 60 + 1,
                cy + r + r / 4,
                dark,
            );
        }
        Kind::Teaware => {
            // A teapot: body, lid, knob, spout and handle.
            let body_y = cy + r / 6;
            c.ring(
                cx + r,
                body_y,
                r * 45 / 100,
                r * 50 / 100,
                (s / 30).max(2),
                dark,
            );
            c.rect(
                cx - r * 150 / 100,
                body_y - r / 3,
                cx - r / 2,
                body_y - r / 6,
                main,
            );
            c.ellipse(cx, body_y, r, r * 75 / 100, main);
            c.ellipse(cx, body_y - r * 72 / 100, r * 45 / 100, r / 8, dark);
            c.ellipse(cx, body_y - r * 86 / 100, r / 10, r / 10, dark);
        }
        Kind::Gift => {
            // A wrapped box with a ribbon and a bow.
            let gold = [255, 193, 7];
            let (half, top_y) = (r, cy - r * 60 / 100);
            c.rect(cx - half, top_y, cx + half, cy + r, main);
            c.rect(cx - r / 10, top_y, cx + r / 10, cy + r, gold);
            c.rect(
                cx - half,
                cy + r / 5 - r / 10,
                cx + half,
                cy + r / 5 + r / 10,
                gold,
            );
            c.ellipse(cx - r / 4, top_y - r / 8, r / 4, r / 7, gold);
            c.ellipse(cx + r / 4, top_y - r / 8, r / 4, r / 7, gold);
        }
        Kind::Snack => {
            // A mooncake-like round pastry with a stamped centre.
            c.ellipse(cx, cy, r, r, main);
            c.ellipse(cx, cy, r * 70 / 100, r * 70 / 100, dark);
            c.ellipse(cx, cy, r * 60 / 100, r * 60 / 100, main);
            c.ellipse(cx, cy, r / 5, r / 5, dark);
        }
    }
    c.rect(0, h - band_h, w, h, band);
    if spec.noisy {
        c.noise(rng, 0x07);
    }
    c.encode(spec.format)
}

/// The shop logo: a tea leaf in a cream disc on dark green (square).
pub(crate) fn logo(size: u32) -> Encoded {
    let s = i64::from(size);
    let mut c = Canvas::new(size, size, [27, 94, 32], [46, 125, 50]);
    let (cx, cy) = (s / 2, s / 2);
    c.ellipse(cx, cy, s * 40 / 100, s * 40 / 100, [250, 245, 230]);
    c.ellipse(cx, cy - s / 40, s * 15 / 100, s * 27 / 100, [56, 142, 60]);
    c.rect(
        cx - s / 160 - 1,
        cy - s / 4,
        cx + s / 160 + 1,
        cy + s * 30 / 100,
        [27, 94, 32],
    );
    c.encode(Format::Png)
}

/// The shop banner: tea field rows, a teapot and a cup (wide).
pub(crate) fn banner(w: u32, h: u32) -> Encoded {
    let (wi, hi) = (i64::from(w), i64::from(h));
    let mut c = Canvas::new(w, h, [232, 245, 233], [190, 225, 190]);
    for k in 0..4 {
        let y = hi * (55 + k * 10) / 100;
        c.rect(0, y, wi, y + hi / 40, [129, 199, 132]);
    }
    let r = hi / 4;
    c.ring(
        wi / 4 + r,
        hi / 2,
        r * 45 / 100,
        r / 2,
        (hi / 60).max(2),
        [78, 52, 46],
    );
    c.rect(
        wi / 4 - r * 3 / 2,
        hi / 2 - r / 3,
        wi / 4 - r / 2,
        hi / 2 - r / 6,
        [121, 72, 52],
    );
    c.ellipse(wi / 4, hi / 2, r, r * 75 / 100, [121, 72, 52]);
    c.ellipse(
        wi / 4,
        hi / 2 - r * 72 / 100,
        r * 45 / 100,
        r / 8,
        [78, 52, 46],
    );
    c.rect(
        wi * 60 / 100,
        hi * 40 / 100,
        wi * 68 / 100,
        hi * 62 / 100,
        [250, 250, 250],
    );
    c.ellipse(
        wi * 64 / 100,
        hi * 40 / 100,
        wi * 4 / 100,
        hi / 30,
        [120, 160, 60],
    );
    c.ellipse(wi * 82 / 100, hi * 40 / 100, hi / 8, hi / 4, [46, 125, 50]);
    c.rect(0, hi * 92 / 100, wi, hi, [46, 125, 50]);
    c.encode(Format::Png)
}
