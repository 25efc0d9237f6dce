//! The seller's language for the words SellerKit itself produces (coupon refusals).

/// A language the core has words for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Language {
    /// Simplified Chinese, the default.
    ZhCn,
    /// English.
    En,
}

impl Language {
    /// The language for a BCP 47 tag as the platform gives it (`zh-CN`, `zh-Hans-CN`,
    /// `en-US`, `en_GB`, ...). English for `en*`; Simplified Chinese for everything else,
    /// absent or unknown: the sellers are in China, and a phone set to another language
    /// (Uyghur, Tibetan, ...) is better served by Chinese than by an error.
    pub(crate) fn from_tag(tag: Option<&str>) -> Language {
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

    /// The canonical tag, as `SellerApp.config()` reports it.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
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
