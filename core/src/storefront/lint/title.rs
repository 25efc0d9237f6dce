//! Title length as the marketplace counts it.

/// Most characters in a product title.
pub const MAX_TITLE_CHARS: usize = 30;
/// Most bytes in a product title, counting an ASCII character as 1 byte and any other
/// (a CJK character, an emoji) as 2, as the marketplace's GBK-era limit does.
pub const MAX_TITLE_BYTES: usize = 60;

/// The title's length in the marketplace's bytes (ASCII 1, anything else 2).
pub fn title_bytes(title: &str) -> usize {
    title
        .chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum()
}

/// Whether `title` is not blank and within [`MAX_TITLE_CHARS`] and [`MAX_TITLE_BYTES`].
pub fn title_within_limits(title: &str) -> bool {
    !title.trim().is_empty()
        && title.chars().count() <= MAX_TITLE_CHARS
        && title_bytes(title) <= MAX_TITLE_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_and_bytes_are_both_limited() {
        assert!(title_within_limits("西湖龙井 明前特级 250g礼罐"));
        // 30 CJK characters = 60 bytes: the edge.
        assert!(title_within_limits(&"茶".repeat(30)));
        assert!(!title_within_limits(&"茶".repeat(31)));
        // 30 ASCII characters are 30 bytes; 31 are too many characters.
        assert!(title_within_limits(&"a".repeat(30)));
        assert!(!title_within_limits(&"a".repeat(31)));
        assert_eq!(title_bytes("茶a🍵"), 5);
        assert!(!title_within_limits("   "));
    }
}
