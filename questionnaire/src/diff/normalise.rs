//! Spacing-insensitive comparison of texts and expressions, and the collapsed forms shown, so
//! that reflowing a line in the file is not reported as a change.

/// Runs of whitespace as one space, trimmed.
pub(super) fn collapse_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An expression with runs of whitespace outside string literals as one space, trimmed.
pub(super) fn collapse_expr(source: &str) -> String {
    pieces(source).join(" ")
}

/// Whether two expressions differ only by spacing outside string literals: a space is kept
/// only between two word characters (`not answered(X)`), where it separates tokens.
pub(super) fn same_expr(a: &str, b: &str) -> bool {
    compact(a) == compact(b)
}

/// Whether two option labels differ only by case, punctuation and spacing (« Oui. » and
/// « oui »): anything else is taken as another meaning.
pub(super) fn same_meaning(a: &str, b: &str) -> bool {
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    key(a) == key(b)
}

fn compact(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for piece in pieces(source) {
        let joins_words = out.chars().next_back().is_some_and(is_word)
            && piece.chars().next().is_some_and(is_word);
        if joins_words {
            out.push(' ');
        }
        out.push_str(piece);
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The source split at whitespace outside string literals (quoted with `"` or `'`, `\`
/// escaping the next character, as the expression lexer reads them).
fn pieces(source: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (at, c) in source.char_indices() {
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                pieces.push(&source[s..at]);
            }
            continue;
        }
        start.get_or_insert(at);
        if c == '"' || c == '\'' {
            quote = Some(c);
        }
    }
    if let Some(s) = start {
        pieces.push(&source[s..]);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_around_operators_and_line_breaks_is_not_a_difference() {
        assert!(same_expr("AGE>=18", "AGE >= 18"));
        assert!(same_expr(
            "if AGE >= 75 then 5\n    else 1",
            "if AGE>=75 then 5 else 1"
        ));
        assert!(same_expr("X in [1..4]", "X in [ 1 .. 4 ]"));
    }

    #[test]
    fn spacing_between_words_and_inside_strings_is_kept() {
        assert!(!same_expr("not answered(X)", "notanswered(X)"));
        assert!(!same_expr("NOM = 'a b'", "NOM = 'a  b'"));
        assert!(!same_expr("NOM = \"a \\\" b\"", "NOM = \"a \\\"b\""));
        assert_eq!(collapse_expr("  NOM  =   'a   b' "), "NOM = 'a   b'");
    }

    #[test]
    fn labels_differing_by_case_punctuation_or_spacing_keep_their_meaning() {
        assert!(same_meaning("Oui.", "oui"));
        assert!(same_meaning("Bac+2", "Bac + 2"));
        assert!(!same_meaning("Oui", "Non"));
        assert!(!same_meaning("Un ordinateur", "Un ordinateur fixe"));
    }
}
