//! Text from the shell's font file: glyph lookup, line breaking, drawing.
//!
//! The font comes from the shell (`SellerAppConfig.font_path`), never from the system: there is
//! no fontconfig on a phone. Glyphs are laid out one by one with the font's advances and
//! kerning (`ab_glyph`), which is right for Chinese, Latin and digits; scripts that need
//! shaping (Arabic, Indic) are drawn unshaped. Lines break at any character for CJK and at
//! spaces for Latin words that fit, and the last allowed line ends with "…".

use ab_glyph::{Font as _, FontArc, GlyphId, PxScale, ScaleFont as _, point};

use unicode_segmentation::UnicodeSegmentation;

use super::PreviewError;
use super::canvas::Canvas;

/// The fonts to draw with: the first that has a glyph for a character draws it.
///
/// A phone's CJK font usually covers Latin too; Debian's `DroidSansFallbackFull.ttf` covers
/// only CJK, so the desktop passes DejaVu Sans before it. A character no font has is drawn as
/// the first font's "missing glyph" box.
#[derive(Clone)]
pub struct Font {
    faces: Vec<FontArc>,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Font({} faces)", self.faces.len())
    }
}

impl Font {
    /// Parses a TrueType/OpenType font file's bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Font, PreviewError> {
        let font = FontArc::try_from_vec(bytes).map_err(|_| PreviewError::BadFont)?;
        Ok(Font { faces: vec![font] })
    }

    /// Reads and parses one font file.
    pub fn from_file(path: &std::path::Path) -> Result<Font, PreviewError> {
        Font::from_files(&[path])
    }

    /// Reads and parses font files, in the order they are tried for each character.
    pub fn from_files<P: AsRef<std::path::Path>>(paths: &[P]) -> Result<Font, PreviewError> {
        let mut faces = Vec::with_capacity(paths.len());
        for path in paths {
            let path = path.as_ref();
            let bytes = std::fs::read(path).map_err(|e| PreviewError::FontFile {
                path: path.display().to_string(),
                detail: e.to_string(),
            })?;
            faces.push(FontArc::try_from_vec(bytes).map_err(|_| PreviewError::BadFont)?);
        }
        if faces.is_empty() {
            return Err(PreviewError::NoFont);
        }
        Ok(Font { faces })
    }

    /// Reads a font list as the shells configure it: paths separated like `PATH` (`:` on Unix).
    pub fn from_path_list(list: &str) -> Result<Font, PreviewError> {
        let paths: Vec<std::path::PathBuf> = std::env::split_paths(list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        Font::from_files(&paths)
    }

    /// The face that draws `c` and its glyph.
    fn glyph(&self, c: char) -> (&FontArc, GlyphId) {
        for face in &self.faces {
            let id = face.glyph_id(c);
            if id.0 != 0 {
                return (face, id);
            }
        }
        (&self.faces[0], GlyphId(0))
    }

    /// Whether some face has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.glyph(c).1.0 != 0
    }

    /// Width of `text` at `px`, in pixels.
    pub fn width(&self, text: &str, px: f32) -> f32 {
        let scale = PxScale::from(px);
        let mut prev: Option<(usize, GlyphId)> = None;
        let mut w = 0.0;
        for c in text.chars() {
            let (face, id) = self.glyph(c);
            let scaled = face.as_scaled(scale);
            let key = self.face_index(face);
            if let Some((pk, pid)) = prev
                && pk == key
            {
                w += scaled.kern(pid, id);
            }
            w += scaled.h_advance(id);
            prev = Some((key, id));
        }
        w
    }

    fn face_index(&self, face: &FontArc) -> usize {
        self.faces
            .iter()
            .position(|f| std::ptr::eq(f, face))
            .unwrap_or(0)
    }

    /// Breaks `text` into at most `max_lines` lines of at most `max_width` pixels; a text that
    /// does not fit ends with "…". Newlines in the text start new lines.
    pub fn wrap(&self, text: &str, px: f32, max_width: f32, max_lines: usize) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut truncated = false;
        'paragraphs: for para in text.split('\n') {
            let mut line = String::new();
            let mut width = 0.0;
            // Grapheme clusters keep an emoji or a letter with its marks together.
            for g in para.graphemes(true) {
                let gw = self.width(g, px);
                if width + gw > max_width && !line.is_empty() {
                    if lines.len() + 1 == max_lines {
                        truncated = true;
                        lines.push(line);
                        break 'paragraphs;
                    }
                    // Latin: carry the word being typed to the next line when it has a space.
                    let carry = match (
                        g.chars().all(|c| c.is_ascii_alphanumeric()),
                        line.rfind(' '),
                    ) {
                        (true, Some(space)) if space + 1 < line.len() => line.split_off(space + 1),
                        _ => String::new(),
                    };
                    lines.push(std::mem::take(&mut line).trim_end().to_owned());
                    width = self.width(&carry, px);
                    line = carry;
                }
                line.push_str(g);
                width += gw;
            }
            if lines.len() == max_lines {
                truncated = true;
                break;
            }
            lines.push(line);
        }
        if truncated && let Some(last) = lines.last_mut() {
            let ellipsis = self.width("…", px);
            while !last.is_empty() && self.width(last, px) + ellipsis > max_width {
                last.pop();
            }
            last.push('…');
        }
        lines
    }

    /// Draws one line with its top-left corner at (`x`, `y`), in `color`.
    pub fn draw(&self, canvas: &mut Canvas, text: &str, x: f32, y: f32, px: f32, color: [u8; 3]) {
        let scale = PxScale::from(px);
        // One baseline for the line, from the first face, whichever face draws a glyph.
        let baseline = y + self.faces[0].as_scaled(scale).ascent();
        let mut pen = x;
        let mut prev: Option<(usize, GlyphId)> = None;
        for c in text.chars() {
            let (face, id) = self.glyph(c);
            let scaled = face.as_scaled(scale);
            let key = self.face_index(face);
            if let Some((pk, pid)) = prev
                && pk == key
            {
                pen += scaled.kern(pid, id);
            }
            let glyph = id.with_scale_and_position(scale, point(pen, baseline));
            if let Some(outlined) = face.outline_glyph(glyph) {
                let b = outlined.px_bounds();
                outlined.draw(|gx, gy, coverage| {
                    canvas.blend(
                        b.min.x as i64 + i64::from(gx),
                        b.min.y as i64 + i64::from(gy),
                        color,
                        coverage,
                    );
                });
            }
            pen += scaled.h_advance(id);
            prev = Some((key, id));
        }
    }

    /// Height of a line at `px` (ascent - descent + line gap).
    pub fn line_height(&self, px: f32) -> f32 {
        let s = self.faces[0].as_scaled(PxScale::from(px));
        s.ascent() - s.descent() + s.line_gap()
    }
}
