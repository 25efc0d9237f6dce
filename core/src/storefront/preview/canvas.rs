//! An RGBA canvas with the few drawing operations the storefront needs.

use image::{RgbImage, RgbaImage};

/// The picture being drawn, opaque RGBA.
pub struct Canvas {
    /// The pixels.
    pub image: RgbaImage,
}

impl Canvas {
    /// A canvas filled with `color`.
    pub fn new(width: u32, height: u32, color: [u8; 3]) -> Self {
        Canvas {
            image: RgbaImage::from_pixel(
                width,
                height,
                image::Rgba([color[0], color[1], color[2], 255]),
            ),
        }
    }

    /// Fills a rectangle (clipped to the canvas).
    pub fn fill(&mut self, x: i64, y: i64, w: i64, h: i64, color: [u8; 3]) {
        let (cw, ch) = (
            i64::from(self.image.width()),
            i64::from(self.image.height()),
        );
        let (x0, y0, x1, y1) = (x.max(0), y.max(0), (x + w).min(cw), (y + h).min(ch));
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        let px = [color[0], color[1], color[2], 255];
        let raw: &mut [u8] = self.image.as_mut();
        // Whole rows at a time: per-pixel bounds checks cost more than the fill itself.
        for yy in y0..y1 {
            let start = ((yy * cw + x0) * 4) as usize;
            let end = ((yy * cw + x1) * 4) as usize;
            for d in raw[start..end].chunks_exact_mut(4) {
                d.copy_from_slice(&px);
            }
        }
    }

    /// Fills a rectangle with rounded corners of radius `r`: straight parts as plain fills,
    /// only the four corner squares blended for a smooth edge.
    pub fn fill_rounded(&mut self, x: i64, y: i64, w: i64, h: i64, r: i64, color: [u8; 3]) {
        let r = r.min(w / 2).min(h / 2).max(0);
        self.fill(x + r, y, w - 2 * r, h, color);
        self.fill(x, y + r, r, h - 2 * r, color);
        self.fill(x + w - r, y + r, r, h - 2 * r, color);
        for yy in 0..r {
            for xx in 0..r {
                let coverage = circle_coverage(r - xx, r - yy, r);
                self.blend(x + xx, y + yy, color, coverage);
                self.blend(x + w - 1 - xx, y + yy, color, coverage);
                self.blend(x + xx, y + h - 1 - yy, color, coverage);
                self.blend(x + w - 1 - xx, y + h - 1 - yy, color, coverage);
            }
        }
    }

    /// Blends `color` over one pixel with `coverage` in 0..=1 (clipped).
    pub fn blend(&mut self, x: i64, y: i64, color: [u8; 3], coverage: f32) {
        if x < 0
            || y < 0
            || x >= i64::from(self.image.width())
            || y >= i64::from(self.image.height())
        {
            return;
        }
        let a = coverage.clamp(0.0, 1.0);
        if a <= 0.0 {
            return;
        }
        let p = self.image.get_pixel_mut(x as u32, y as u32);
        for c in 0..3 {
            p[c] = (f32::from(p[c]) * (1.0 - a) + f32::from(color[c]) * a + 0.5) as u8;
        }
    }

    /// Copies an RGB picture with its top-left corner at (`x`, `y`) (clipped).
    pub fn blit(&mut self, src: &RgbImage, x: i64, y: i64) {
        let (cw, ch) = (
            i64::from(self.image.width()),
            i64::from(self.image.height()),
        );
        let (sw, sh) = (i64::from(src.width()), i64::from(src.height()));
        let (x0, x1) = (x.max(0), (x + sw).min(cw));
        if x0 >= x1 {
            return;
        }
        let row_len = (x1 - x0) as usize;
        for yy in y.max(0)..(y + sh).min(ch) {
            let sy = (yy - y) as u32;
            let sx = (x0 - x) as usize;
            let src_row = &src.as_raw()[(sy as usize * sw as usize + sx) * 3..][..row_len * 3];
            let start = (yy as usize * cw as usize + x0 as usize) * 4;
            let dst_row = &mut self.image.as_mut()[start..start + row_len * 4];
            for (d, s) in dst_row.chunks_exact_mut(4).zip(src_row.chunks_exact(3)) {
                d[..3].copy_from_slice(s);
                d[3] = 255;
            }
        }
    }

    /// Copies a square RGB picture masked to a circle (for the logo), with a smooth edge.
    pub fn blit_circle(&mut self, src: &RgbImage, x: i64, y: i64) {
        let side = i64::from(src.width().min(src.height()));
        let r = side as f32 / 2.0;
        for sy in 0..side {
            for sx in 0..side {
                let (dx, dy) = (sx as f32 + 0.5 - r, sy as f32 + 0.5 - r);
                let coverage = (r - (dx * dx + dy * dy).sqrt() + 0.5).clamp(0.0, 1.0);
                let p = src.get_pixel(sx as u32, sy as u32).0;
                self.blend(x + sx, y + sy, p, coverage);
            }
        }
    }

    /// A filled circle.
    pub fn fill_circle(&mut self, x: i64, y: i64, side: i64, color: [u8; 3]) {
        let r = side as f32 / 2.0;
        for sy in 0..side {
            for sx in 0..side {
                let (dx, dy) = (sx as f32 + 0.5 - r, sy as f32 + 0.5 - r);
                self.blend(
                    x + sx,
                    y + sy,
                    color,
                    (r - (dx * dx + dy * dy).sqrt() + 0.5).clamp(0.0, 1.0),
                );
            }
        }
    }
}

fn circle_coverage(dx: i64, dy: i64, r: i64) -> f32 {
    let d = ((dx as f32 - 0.5).powi(2) + (dy as f32 - 0.5).powi(2)).sqrt();
    (r as f32 - d + 0.5).clamp(0.0, 1.0)
}
