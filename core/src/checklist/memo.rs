//! Remembered lint verdicts on texts, so re-evaluating the checklist does not re-run the
//! lint's text rules over thousands of unchanged titles and descriptions.
//!
//! The lint's text checks are pure functions of the text (they normalise it, allocate, walk
//! graphemes: tens of microseconds a listing), and the checklist is evaluated on every read.
//! A verdict is kept under a 64-bit hash of the text (and which check it is), so a changed
//! text is simply a new key; the judgement itself stays the lint's.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use crate::storefront::lint;

/// Verdicts kept before the memo starts over (about 2 MB at most).
const MAX_ENTRIES: usize = 100_000;

/// Which text check a verdict is for.
#[derive(Clone, Copy, Hash)]
enum Check {
    TitleWithinLimits,
    NoBannedTerm,
}

static VERDICTS: Mutex<Option<HashMap<u64, bool>>> = Mutex::new(None);

/// The memo, locked once for a whole pass over the listings.
pub(crate) struct Verdicts<'m> {
    map: std::sync::MutexGuard<'m, Option<HashMap<u64, bool>>>,
}

impl Verdicts<'static> {
    /// Locks the process-wide memo.
    pub(crate) fn lock() -> Verdicts<'static> {
        let mut map = VERDICTS.lock().unwrap_or_else(|p| p.into_inner());
        if map.as_ref().is_none_or(|m| m.len() > MAX_ENTRIES) {
            *map = Some(HashMap::new());
        }
        Verdicts { map }
    }
}

impl Verdicts<'_> {
    fn get(&mut self, check: Check, text: &str, judge: impl FnOnce(&str) -> bool) -> bool {
        let mut h = DefaultHasher::new();
        check.hash(&mut h);
        text.hash(&mut h);
        let key = h.finish();
        let map = self.map.get_or_insert_with(HashMap::new);
        *map.entry(key).or_insert_with(|| judge(text))
    }

    /// The lint's `title_within_limits`.
    pub(crate) fn title_within_limits(&mut self, title: &str) -> bool {
        self.get(Check::TitleWithinLimits, title, lint::title_within_limits)
    }

    /// Whether the lint's `banned_terms` finds nothing in `text`.
    pub(crate) fn no_banned_term(&mut self, text: &str) -> bool {
        self.get(Check::NoBannedTerm, text, |t| {
            lint::banned_terms(t).is_empty()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_the_lints_and_follow_the_text() {
        let mut v = Verdicts::lock();
        for text in [
            "龙井 250g",
            "销量第一 龙井",
            "最好的茶",
            &"茶".repeat(31),
            "",
        ] {
            assert_eq!(
                v.title_within_limits(text),
                lint::title_within_limits(text),
                "{text}"
            );
            assert_eq!(
                v.no_banned_term(text),
                lint::banned_terms(text).is_empty(),
                "{text}"
            );
            // Asked again: the same answer from the memo.
            assert_eq!(
                v.no_banned_term(text),
                lint::banned_terms(text).is_empty(),
                "{text}"
            );
        }
        assert!(v.no_banned_term("明前龙井"));
        assert!(!v.no_banned_term("明前龙井 国家级"));
    }
}
