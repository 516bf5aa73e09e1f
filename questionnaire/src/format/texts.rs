//! Texts and expressions as written in the file → model values, with language and syntax
//! findings located in the file.

use super::build::Builder;
use super::raw::RawText;
use crate::expr::{self, Expr};
use crate::model::{Located, Text};
use toml::Spanned;

impl Builder<'_, '_> {
    /// A text in the declared languages (primary first). Unknown languages and a missing primary
    /// text are errors; a missing secondary translation is a warning.
    pub fn text(&mut self, raw: &Spanned<RawText>, question: Option<&str>) -> Text {
        let span = raw.span();
        let primary = self.languages[0].clone();
        let given: Vec<(String, String)> = match raw.get_ref() {
            RawText::Plain(s) => vec![(primary.clone(), s.clone())],
            RawText::Translated(pairs) => pairs.clone(),
        };
        for (lang, _) in &given {
            if !self.languages.contains(lang) {
                self.findings.error(
                    &span,
                    question,
                    format!(
                        "text in language `{lang}`, which is not declared in [survey] languages ({})",
                        self.languages.join(", ")
                    ),
                );
            }
        }
        let mut ordered = Vec::new();
        for lang in &self.languages.clone() {
            match given.iter().find(|(l, _)| l == lang) {
                Some((l, t)) => ordered.push((l.clone(), t.clone())),
                None if *lang == primary => self.findings.error(
                    &span,
                    question,
                    format!("text has no `{primary}` version (the primary language is required)"),
                ),
                None => self.findings.warning(
                    &span,
                    question,
                    format!("text has no `{lang}` translation"),
                ),
            }
        }
        if ordered.is_empty() {
            ordered.push((primary, String::new()));
        }
        Text::new(ordered)
    }

    /// Parses an expression; a syntax error is reported at its place in the file.
    pub fn expr(&mut self, raw: &Spanned<String>, question: Option<&str>) -> Option<Located<Expr>> {
        match expr::parse(raw.get_ref()) {
            Ok(e) => Some(Located::new(e, raw.span())),
            Err(e) => {
                self.findings.error_in_string(
                    &raw.span(),
                    e.column,
                    question,
                    format!("invalid expression `{}`: {}", raw.get_ref(), e.message),
                );
                None
            }
        }
    }
}
