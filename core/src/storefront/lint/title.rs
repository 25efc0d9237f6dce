//! Title length as the marketplace counts it: characters and "bytes".
//!
//! The marketplace allows 30 characters and 60 bytes, where a CJK character counts as 2 bytes
//! and an ASCII character as 1 (the GBK-era rule). We count what a buyer perceives as one
//! character, an extended grapheme cluster (UAX #29), so an emoji made of several code points
//! (👨‍👩‍👧, 🇨🇳) or a letter with combining marks (e + ◌́) is one character. A cluster made only of
//! ASCII counts 1 byte; any other cluster (CJK, accented letters, emoji, full-width forms)
//! counts 2, as the marketplace's counter does for every non-ASCII character.

use unicode_segmentation::UnicodeSegmentation;

/// Most characters a title may have.
pub const TITLE_MAX_CHARS: usize = 30;
/// Most marketplace bytes a title may have (CJK = 2, ASCII = 1).
pub const TITLE_MAX_BYTES: usize = 60;

/// A title's length in the marketplace's two measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TitleLength {
    /// User-perceived characters (extended grapheme clusters).
    pub chars: usize,
    /// Marketplace bytes: 1 per ASCII-only character, 2 per any other.
    pub bytes: usize,
}

/// Measures `title` as the marketplace does (see the module documentation).
pub fn title_length(title: &str) -> TitleLength {
    let mut len = TitleLength { chars: 0, bytes: 0 };
    for cluster in title.graphemes(true) {
        len.chars += 1;
        len.bytes += if cluster.is_ascii() { 1 } else { 2 };
    }
    len
}

/// Whether `title` fits the marketplace limits: at most 30 characters and 60 bytes.
pub fn title_within_limits(title: &str) -> bool {
    let len = title_length(title);
    len.chars <= TITLE_MAX_CHARS && len.bytes <= TITLE_MAX_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_counts_two_bytes_and_ascii_one() {
        assert_eq!(
            title_length("手工陶瓷杯"),
            TitleLength {
                chars: 5,
                bytes: 10
            }
        );
        assert_eq!(
            title_length("Mug 350ml"),
            TitleLength { chars: 9, bytes: 9 }
        );
        assert_eq!(title_length(""), TitleLength { chars: 0, bytes: 0 });
    }

    #[test]
    fn thirty_cjk_fit_and_thirty_one_do_not() {
        assert!(title_within_limits(&"茶".repeat(30)));
        assert!(!title_within_limits(&"茶".repeat(31)));
        // 30 characters but 61 bytes is impossible; 60 ASCII is 60 chars: too many characters.
        assert!(!title_within_limits(&"a".repeat(31)));
        assert!(title_within_limits(&"a".repeat(30)));
    }

    #[test]
    fn mixed_scripts_sum_both_widths() {
        // 20 CJK (40 bytes) + 10 ASCII (10 bytes) = 30 chars, 50 bytes: fits.
        let t = "茶".repeat(20) + "0123456789";
        assert_eq!(
            title_length(&t),
            TitleLength {
                chars: 30,
                bytes: 50
            }
        );
        assert!(title_within_limits(&t));
        // Cyrillic and Korean are non-ASCII: 2 bytes each.
        assert_eq!(title_length("Чай 차"), TitleLength { chars: 5, bytes: 9 });
    }

    #[test]
    fn emoji_sequences_are_one_character_of_two_bytes() {
        assert_eq!(title_length("👨‍👩‍👧"), TitleLength { chars: 1, bytes: 2 });
        assert_eq!(title_length("🇨🇳茶"), TitleLength { chars: 2, bytes: 4 });
        assert_eq!(
            title_length("☕\u{FE0F}"),
            TitleLength { chars: 1, bytes: 2 }
        );
        // 30 family emoji are 30 characters (fits) even though they are 540 UTF-8 bytes.
        assert!(title_within_limits(&"👨‍👩‍👧".repeat(30)));
        assert!(!title_within_limits(&"👨‍👩‍👧".repeat(31)));
    }

    #[test]
    fn combining_marks_stay_with_their_letter() {
        // e + combining acute: one character, non-ASCII so 2 bytes (like precomposed é).
        assert_eq!(title_length("e\u{301}"), TitleLength { chars: 1, bytes: 2 });
        assert_eq!(title_length("é"), TitleLength { chars: 1, bytes: 2 });
        // A stack of 50 marks is still one character: it cannot inflate the count.
        let zalgo = format!("a{}", "\u{300}".repeat(50));
        assert_eq!(title_length(&zalgo), TitleLength { chars: 1, bytes: 2 });
    }
}
