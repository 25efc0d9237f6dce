//! Advertising-law absolute terms, matched against a data list with an allow-list.
//!
//! The list is data (`terms.json`, bundled): the legal team can extend it without touching the
//! matcher. Matching rules (also in `docs/storefront-rules.md`):
//! - text is normalised first: full-width ASCII becomes ASCII, ASCII letters are folded to lower
//!   case, and invisible format characters (zero-width space/joiners, soft hyphen, variation
//!   selectors, BOM) are skipped, so `最\u{200B}佳` cannot slip through;
//! - at each position the longest banned term wins (`最佳` is reported, not `最` and `最佳`);
//! - an occurrence lying entirely inside an occurrence of an allow-listed word is ordinary
//!   language, not a claim (`最近` "recently", `第一次` "the first time"), and is not reported.

use std::sync::OnceLock;

/// One banned term found in a text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BannedTerm {
    /// The term as listed in the data file (normalised spelling).
    pub term: String,
    /// The text as written, from the first to the last matched character.
    pub found: String,
    /// Position of the first matched character, counted in Unicode scalar values.
    pub char_index: usize,
}

/// The parsed data file.
#[derive(serde::Deserialize)]
struct TermsFile {
    terms: Vec<String>,
    allow: Vec<String>,
}

/// Terms and allow-list words, normalised, as char vectors (longest first for the terms).
struct TermList {
    terms: Vec<(String, Vec<char>)>,
    allow: Vec<Vec<char>>,
}

/// The bundled list, parsed once.
fn list() -> &'static TermList {
    static LIST: OnceLock<TermList> = OnceLock::new();
    LIST.get_or_init(|| {
        // The file is bundled and checked by a unit test, so a parse failure is a build bug;
        // still, an empty list (no findings) is better than a panic in a seller's phone.
        let file: TermsFile =
            serde_json::from_str(include_str!("terms.json")).unwrap_or(TermsFile {
                terms: Vec::new(),
                allow: Vec::new(),
            });
        let norm = |s: &str| -> Vec<char> { normalise(s).into_iter().map(|(c, _)| c).collect() };
        let mut terms: Vec<(String, Vec<char>)> = file
            .terms
            .iter()
            .map(|t| {
                let chars = norm(t);
                (chars.iter().collect(), chars)
            })
            .filter(|(_, c)| !c.is_empty())
            .collect();
        terms.sort_by_key(|t| std::cmp::Reverse(t.1.len()));
        terms.dedup_by(|a, b| a.1 == b.1);
        let allow = file
            .allow
            .iter()
            .map(|w| norm(w))
            .filter(|c| !c.is_empty())
            .collect();
        TermList { terms, allow }
    })
}

/// Characters that render as nothing and would otherwise split a term.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{180E}')
}

/// Normalised characters of `text`, each with its index among the original chars.
fn normalise(text: &str) -> Vec<(char, usize)> {
    text.chars()
        .enumerate()
        .filter(|(_, c)| !is_invisible(*c))
        .map(|(i, c)| {
            let c = match c {
                // Full-width ASCII forms (Ｎｏ．１) map onto ASCII.
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                '\u{3000}' => ' ',
                _ => c,
            };
            (c.to_ascii_lowercase(), i)
        })
        .collect()
}

/// Whether `needle` occurs in `hay` at `at`.
fn occurs_at(hay: &[(char, usize)], at: usize, needle: &[char]) -> bool {
    hay.len() >= at + needle.len()
        && hay[at..at + needle.len()]
            .iter()
            .zip(needle)
            .all(|((c, _), n)| c == n)
}

/// Whether the span `[start, end)` of `hay` lies inside an allow-listed word.
fn allowed(hay: &[(char, usize)], start: usize, end: usize, allow: &[Vec<char>]) -> bool {
    allow.iter().any(|word| {
        let len = word.len();
        if len < end - start {
            return false;
        }
        // Every placement of the word that covers the span.
        let first = end.saturating_sub(len);
        (first..=start).any(|s| occurs_at(hay, s, word))
    })
}

/// The advertising-law absolute terms in `text`, in reading order.
///
/// Empty when the text is clean. See the module documentation for how matching works.
pub fn banned_terms(text: &str) -> Vec<BannedTerm> {
    let list = list();
    let hay = normalise(text);
    let originals: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut at = 0;
    while at < hay.len() {
        // Cheap prefilter: most characters start no term at all.
        let c = hay[at].0;
        let hit =
            list.terms.iter().filter(|(_, t)| t[0] == c).find(|(_, t)| {
                occurs_at(&hay, at, t) && !allowed(&hay, at, at + t.len(), &list.allow)
            });
        match hit {
            Some((term, chars)) => {
                let first = hay[at].1;
                let last = hay[at + chars.len() - 1].1;
                found.push(BannedTerm {
                    term: term.clone(),
                    found: originals[first..=last].iter().collect(),
                    char_index: first,
                });
                at += chars.len();
            }
            None => at += 1,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        banned_terms(text).into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn the_bundled_list_parses_and_is_not_empty() {
        let file: TermsFile = serde_json::from_str(include_str!("terms.json")).unwrap();
        assert!(file.terms.len() >= 40, "{} terms", file.terms.len());
        assert!(file.terms.iter().any(|t| t == "国家级"));
        assert!(list().terms.len() >= 40);
    }

    #[test]
    fn longest_term_wins_and_each_is_reported_once() {
        assert_eq!(terms("全网最佳手机壳"), ["最佳"]);
        assert_eq!(
            terms("国家级顶级极品万能胶"),
            ["国家级", "顶级", "极品", "万能"]
        );
        assert_eq!(terms("销量第一"), ["销量第一"]);
        assert_eq!(terms("最"), ["最"]);
    }

    #[test]
    fn ordinary_words_containing_a_term_are_allowed() {
        assert!(terms("最近上新 第一次购买送赠品").is_empty());
        assert!(terms("100%纯棉T恤").is_empty());
        // The allow-list covers only its own span: a claim beside it is still found.
        assert_eq!(terms("最近最火"), ["最"]);
        assert_eq!(terms("第一次就是第一"), ["第一"]);
        // `最好` is a claim even though `最` alone could be ordinary.
        assert_eq!(terms("最好的茶"), ["最好"]);
    }

    #[test]
    fn invisible_characters_and_full_width_letters_do_not_hide_a_term() {
        let found = banned_terms("新款最\u{200B}佳耳机");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].term, "最佳");
        assert_eq!(found[0].found, "最\u{200B}佳");
        assert_eq!(found[0].char_index, 2);
        assert_eq!(terms("销量ＮＯ．１"), ["no.1"]);
        assert_eq!(terms("TOP1 best seller"), ["top1"]);
    }

    #[test]
    fn clean_and_hostile_text_answers() {
        assert!(terms("").is_empty());
        assert!(terms("手工陶瓷杯 Handmade mug ☕").is_empty());
        assert!(terms("e\u{301}\u{301}\u{301}").is_empty());
        let long = "好".repeat(100_000) + "极品";
        assert_eq!(terms(&long), ["极品"]);
    }
}
