//! Texts in several languages, the first being the questionnaire's primary language.

use serde::Serialize;

/// A text in one or more languages; the first entry is the primary language.
///
/// Lookups fall back to the primary language, so a view is never empty because a secondary
/// translation is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text {
    translations: Vec<(String, String)>,
}

impl Text {
    /// Builds a text from `(language, string)` pairs, primary language first.
    pub fn new(translations: Vec<(String, String)>) -> Text {
        Text { translations }
    }

    /// A text in the primary language only.
    pub fn plain(primary: &str, text: impl Into<String>) -> Text {
        Text {
            translations: vec![(primary.to_string(), text.into())],
        }
    }

    /// The text in the primary language.
    pub fn primary(&self) -> &str {
        self.translations.first().map_or("", |(_, t)| t.as_str())
    }

    /// The text in `language`, or in the primary language when it has no translation.
    pub fn get(&self, language: &str) -> &str {
        self.translations
            .iter()
            .find(|(l, _)| l == language)
            .map_or_else(|| self.primary(), |(_, t)| t.as_str())
    }

    /// Whether a translation exists for `language`.
    pub fn has(&self, language: &str) -> bool {
        self.translations.iter().any(|(l, _)| l == language)
    }

    /// All `(language, text)` pairs.
    pub fn translations(&self) -> &[(String, String)] {
        &self.translations
    }
}
