//! The seller's language: every word SellerKit shows a seller exists in Simplified Chinese
//! and English, and [`Language`] picks which.

/// A language the core has words for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Language {
    /// Simplified Chinese, the default.
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Language {
    /// The language for a BCP 47 tag as the platform gives it (`zh-CN`, `zh-Hans-CN`,
    /// `en-US`, `en_GB`, ...). English for `en*`; Simplified Chinese for everything else,
    /// absent or unknown: the sellers are in China, and a phone set to another language
    /// (Uyghur, Tibetan, ...) is better served by Chinese than by an error.
    pub fn from_tag(tag: Option<&str>) -> Language {
        let primary = tag
            .unwrap_or_default()
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if primary == "en" {
            Language::En
        } else {
            Language::ZhCn
        }
    }

    /// The canonical tag (`zh-CN` or `en`), as the shells report it.
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }

    /// The language of a desktop process from its environment, as POSIX orders it:
    /// `LC_ALL`, then `LC_MESSAGES`, then `LANG` (`en_US.UTF-8` is English). The first one
    /// set and not empty decides; `C`/`POSIX` count as unset (a bare shell says nothing
    /// about the seller).
    pub fn from_env() -> Language {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(value) = std::env::var(var) {
                let value = value.trim();
                if value.is_empty() || value == "C" || value == "POSIX" {
                    continue;
                }
                return Language::from_tag(Some(value));
            }
        }
        Language::default()
    }

    /// Picks the words for this language.
    pub fn pick<T>(self, zh_cn: T, en: T) -> T {
        match self {
            Language::ZhCn => zh_cn,
            Language::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_the_two_languages() {
        for (tag, lang) in [
            (None, Language::ZhCn),
            (Some(""), Language::ZhCn),
            (Some("zh-CN"), Language::ZhCn),
            (Some("zh-Hans-CN"), Language::ZhCn),
            (Some("en"), Language::En),
            (Some(" en-US "), Language::En),
            (Some("EN_gb"), Language::En),
            (Some("ug-CN"), Language::ZhCn),
            (Some("eng"), Language::ZhCn),
        ] {
            assert_eq!(Language::from_tag(tag), lang, "{tag:?}");
        }
        assert_eq!(Language::from_tag(Some("en-US")).tag(), "en");
    }
}
