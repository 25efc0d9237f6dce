//! Absolute terms that China's Advertising Law (article 9) forbids in advertising, which the
//! marketplace applies to titles and descriptions.

/// The terms, from the data file `absolute_terms.txt` (one a line, `#` starts a comment).
pub const ABSOLUTE_TERMS: &str = include_str!("absolute_terms.txt");

/// The terms, parsed once.
fn terms() -> &'static [&'static str] {
    static TERMS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    TERMS.get_or_init(|| {
        ABSOLUTE_TERMS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// The characters some term starts with, sorted for binary search.
fn first_chars() -> &'static [char] {
    static FIRST: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    FIRST.get_or_init(|| {
        let mut v: Vec<char> = terms().iter().filter_map(|t| t.chars().next()).collect();
        v.sort_unstable();
        v.dedup();
        v
    })
}

/// The forbidden terms found in `text`, in list order, each once.
pub fn banned_terms(text: &str) -> Vec<&'static str> {
    terms()
        .iter()
        .copied()
        .filter(|t| text.contains(t))
        .collect()
}

/// Whether `text` holds any forbidden term; stops at the first one.
///
/// One pass over the text: a term can only start at a character that starts some term, so
/// the list is only consulted there (the checklist runs this over every listing). ASCII is
/// skipped at once: every term starts with a Chinese character.
pub fn has_banned_term(text: &str) -> bool {
    let first = first_chars();
    let ascii_first = first.iter().any(char::is_ascii);
    for (i, c) in text.char_indices() {
        if (c.is_ascii() && !ascii_first) || first.binary_search(&c).is_err() {
            continue;
        }
        let rest = &text[i..];
        if terms().iter().any(|t| rest.starts_with(t)) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_absolute_terms() {
        assert_eq!(
            banned_terms("【全网最低价】龙井"),
            vec!["最低价", "全网最低"]
        );
        assert!(banned_terms("明前龙井 250g").is_empty());
        assert!(has_banned_term("国家级非遗 白茶"));
        assert!(has_banned_term("销量第一的红茶"));
        assert!(!has_banned_term("明前龙井 250g"));
        assert!(!has_banned_term(""));
        for &term in terms() {
            assert!(has_banned_term(&format!("茶{term}茶")), "{term}");
            assert_eq!(banned_terms(term).first().copied(), Some(term), "{term}");
        }
    }
}
