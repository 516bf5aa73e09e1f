//! Fills in texts: `{NAME}` is replaced by an answer or preload field, `{NAME|text}` likewise
//! but by `text` when the field is empty or the answer missing; `{{` and `}}` are literal braces.

/// A piece of a text with fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// Text shown as is (braces already unescaped when it is a single brace).
    Literal(&'a str),
    /// `{NAME}` or `{NAME|fallback}`, with the 1-based character column of its `{`.
    Fill {
        name: &'a str,
        fallback: Option<&'a str>,
        column: usize,
    },
}

/// A malformed fill, with the 1-based character column of the faulty brace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FillError {
    pub column: usize,
    pub message: String,
}

/// Splits a text into literals and fills. Strict: used by the checks.
pub(crate) fn parse(text: &str) -> Result<Vec<Piece<'_>>, FillError> {
    let mut pieces = Vec::new();
    let mut literal_start = 0;
    let mut iter = text.char_indices().enumerate().peekable();
    while let Some((column0, (i, c))) = iter.next() {
        match c {
            '{' | '}' if text[i + 1..].starts_with(c) => {
                pieces.push(Piece::Literal(&text[literal_start..i + 1]));
                iter.next();
                literal_start = i + 2;
            }
            '{' => {
                let rest = &text[i + 1..];
                let end = rest.find('}').ok_or_else(|| FillError {
                    column: column0 + 1,
                    message: "unclosed fill: write `{{` for a literal brace".into(),
                })?;
                let inside = &rest[..end];
                let (name, fallback) = match inside.split_once('|') {
                    Some((name, fallback)) => (name, Some(fallback)),
                    None => (inside, None),
                };
                if !is_name(name) {
                    return Err(FillError {
                        column: column0 + 1,
                        message: format!(
                            "`{{{inside}}}` is not a fill: a fill is `{{VARIABLE}}` or `{{VARIABLE|text if empty}}`; write `{{{{` for a literal brace"
                        ),
                    });
                }
                pieces.push(Piece::Literal(&text[literal_start..i]));
                pieces.push(Piece::Fill {
                    name,
                    fallback,
                    column: column0 + 1,
                });
                for _ in 0..=inside.chars().count() {
                    iter.next();
                }
                literal_start = i + 2 + end;
            }
            '}' => {
                return Err(FillError {
                    column: column0 + 1,
                    message: "lone `}`: write `}}` for a literal brace".into(),
                });
            }
            _ => {}
        }
    }
    pieces.push(Piece::Literal(&text[literal_start..]));
    pieces.retain(|p| !matches!(p, Piece::Literal("")));
    Ok(pieces)
}

/// Replaces fills with `value(name)`, or when it has none with the fill's fallback, or else
/// `missing`; a malformed text (rejected by the checks anyway) is shown as written.
pub(crate) fn render(text: &str, missing: &str, value: impl Fn(&str) -> Option<String>) -> String {
    if !text.contains(['{', '}']) {
        return text.to_string();
    }
    match parse(text) {
        Ok(pieces) => pieces
            .into_iter()
            .map(|p| match p {
                Piece::Literal(s) => s.to_string(),
                Piece::Fill { name, fallback, .. } => {
                    value(name).unwrap_or_else(|| fallback.unwrap_or(missing).to_owned())
                }
            })
            .collect(),
        Err(_) => text.to_string(),
    }
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::{Piece, parse, render};

    #[test]
    fn fills_and_escaped_braces_are_told_apart() {
        assert_eq!(
            parse("Vous avez {AGE} ans {{sic}}").unwrap(),
            vec![
                Piece::Literal("Vous avez "),
                Piece::Fill {
                    name: "AGE",
                    fallback: None,
                    column: 11
                },
                Piece::Literal(" ans {"),
                Piece::Literal("sic}"),
            ]
        );
        assert_eq!(
            render("{{x}} {A}!", "…", |n| Some(format!("<{n}>"))),
            "{x} <A>!"
        );
    }

    #[test]
    fn an_empty_fill_shows_its_fallback_or_the_missing_mark() {
        let contact = |name: &str| (name == "NOM").then(|| "M. Martin".to_owned());
        let text = "Contact : {NOM|non indiqué}, {AUTRE|non indiqué}, {AUTRE}.";
        assert_eq!(
            render(text, "…", contact),
            "Contact : M. Martin, non indiqué, …."
        );
        assert_eq!(
            parse("{NOM|non indiqué} !").unwrap()[0],
            Piece::Fill {
                name: "NOM",
                fallback: Some("non indiqué"),
                column: 1
            }
        );
        assert_eq!(parse("{NOM|x} !").unwrap()[1], Piece::Literal(" !"));
        assert_eq!(parse("a {1x|y} b").unwrap_err().column, 3);
    }

    #[test]
    fn malformed_fills_are_located() {
        assert_eq!(parse("ab {AGE").unwrap_err().column, 4);
        assert_eq!(parse("a } b").unwrap_err().column, 3);
        assert_eq!(parse("a {1x} b").unwrap_err().column, 3);
    }
}
