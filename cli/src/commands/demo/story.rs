//! The demo's story: one line per step on stderr, in the seller's language, quiet with
//! `--json` (stdout is then the report alone).

use sellerkit_core::locale::Language;

/// Tells the demo's steps as they happen.
pub struct Story {
    language: Language,
    quiet: bool,
}

impl Story {
    /// A story in `language`; `quiet` tells nothing.
    pub fn new(language: Language, quiet: bool) -> Story {
        Story { language, quiet }
    }

    /// The language the story and the report are told in.
    pub fn language(&self) -> Language {
        self.language
    }

    /// Tells one step: `zh` or `en` by the seller's language.
    pub fn say(&self, zh: &str, en: &str) {
        if !self.quiet {
            eprintln!("demo: {}", self.language.pick(zh, en));
        }
    }
}
