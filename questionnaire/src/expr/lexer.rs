//! Splits an expression's source into tokens, each with its 1-based column in characters.

use super::ExprError;
use std::fmt;

/// The reserved words, matched ignoring case (`AND`, `And` and `and` are the same keyword).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keyword {
    And,
    Or,
    Not,
    In,
    If,
    Then,
    Else,
    True,
    False,
}

impl Keyword {
    const ALL: [(Keyword, &'static str); 9] = [
        (Keyword::And, "and"),
        (Keyword::Or, "or"),
        (Keyword::Not, "not"),
        (Keyword::In, "in"),
        (Keyword::If, "if"),
        (Keyword::Then, "then"),
        (Keyword::Else, "else"),
        (Keyword::True, "true"),
        (Keyword::False, "false"),
    ];

    /// The keyword spelled `word`, ignoring case.
    pub(super) fn from_word(word: &str) -> Option<Keyword> {
        Self::ALL
            .iter()
            .find(|(_, text)| text.eq_ignore_ascii_case(word))
            .map(|(keyword, _)| *keyword)
    }

    fn text(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(keyword, _)| *keyword == self)
            .map_or("", |(_, text)| text)
    }
}

/// One lexical unit.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Kw(Keyword),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    DotDot,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Eof,
}

/// How a token is named in error messages ("unexpected `)`").
impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let symbol = match self {
            Tok::Num(value) => return write!(f, "`{}`", super::format_number(*value)),
            Tok::Str(text) => return write!(f, "the string {text:?}"),
            Tok::Ident(name) => return write!(f, "`{name}`"),
            Tok::Kw(keyword) => keyword.text(),
            Tok::Eof => return f.write_str("the end of the expression"),
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::DotDot => "..",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::Eq => "=",
            Tok::Ne => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
        };
        write!(f, "`{symbol}`")
    }
}

/// A token and the column of its first character.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub tok: Tok,
    pub col: u32,
}

fn error(col: usize, message: impl Into<String>) -> ExprError {
    ExprError {
        column: col,
        message: message.into(),
    }
}

/// Tokenises `source`; the last token is always `Eof`, at the column just past the end.
pub(super) fn lex(source: &str) -> Result<Vec<Token>, ExprError> {
    let chars: Vec<char> = source.chars().collect();
    if chars.len() >= u32::MAX as usize {
        return Err(error(1, "expression too long"));
    }
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let next = chars.get(i + 1).copied();
        let tok = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '0'..='9' => {
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit)
                {
                    i += 1;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                let text: String = chars[start..i].iter().collect();
                match text.parse::<f64>() {
                    Ok(value) if value.is_finite() => Tok::Num(value),
                    _ => return Err(error(start + 1, format!("number `{text}` is too large"))),
                }
            }
            'A'..='Z' | 'a'..='z' => {
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                match Keyword::from_word(&word) {
                    Some(keyword) => Tok::Kw(keyword),
                    None => Tok::Ident(word),
                }
            }
            '"' | '\'' => {
                let (text, end) = lex_string(&chars, start)?;
                i = end;
                Tok::Str(text)
            }
            _ => {
                let (tok, width) = match (c, next) {
                    ('(', _) => (Tok::LParen, 1),
                    (')', _) => (Tok::RParen, 1),
                    ('[', _) => (Tok::LBracket, 1),
                    (']', _) => (Tok::RBracket, 1),
                    (',', _) => (Tok::Comma, 1),
                    ('.', Some('.')) => (Tok::DotDot, 2),
                    ('+', _) => (Tok::Plus, 1),
                    ('-', _) => (Tok::Minus, 1),
                    ('*', _) => (Tok::Star, 1),
                    ('/', _) => (Tok::Slash, 1),
                    ('%', _) => (Tok::Percent, 1),
                    ('=', Some('=')) => (Tok::Eq, 2),
                    ('=', _) => (Tok::Eq, 1),
                    ('!', Some('=')) => (Tok::Ne, 2),
                    ('<', Some('=')) => (Tok::Le, 2),
                    ('<', Some('>')) => (Tok::Ne, 2),
                    ('<', _) => (Tok::Lt, 1),
                    ('>', Some('=')) => (Tok::Ge, 2),
                    ('>', _) => (Tok::Gt, 1),
                    _ => return Err(error(start + 1, unexpected_char(c, next))),
                };
                i += width;
                tok
            }
        };
        tokens.push(Token {
            tok,
            col: (start + 1) as u32,
        });
    }
    tokens.push(Token {
        tok: Tok::Eof,
        col: (chars.len() + 1) as u32,
    });
    Ok(tokens)
}

/// Reads a string literal opened at `start`; returns its text and the index after the closing
/// quote. Backslash escapes the quote character and itself, nothing else.
fn lex_string(chars: &[char], start: usize) -> Result<(String, usize), ExprError> {
    let quote = chars[start];
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(error(start + 1, "unclosed string: add the closing quote")),
            Some(&c) if c == quote => return Ok((text, i + 1)),
            Some('\\') => match chars.get(i + 1) {
                Some(&escaped @ ('\\' | '"' | '\'')) => {
                    text.push(escaped);
                    i += 2;
                }
                Some(&other) => {
                    return Err(error(
                        i + 1,
                        format!(
                            "unknown escape `\\{other}` in string: only \\\", \\' and \\\\ are allowed"
                        ),
                    ));
                }
                None => return Err(error(start + 1, "unclosed string: add the closing quote")),
            },
            Some(&c) => {
                text.push(c);
                i += 1;
            }
        }
    }
}

/// The message for a character that starts no token, with a hint for habits from other
/// languages.
fn unexpected_char(c: char, next: Option<char>) -> String {
    match (c, next) {
        ('&', _) => "unexpected character `&`: write `and`".into(),
        ('|', _) => "unexpected character `|`: write `or`".into(),
        ('!', _) => "unexpected character `!`: write `not` or `!=`".into(),
        ('.', _) => "unexpected character `.`: write decimals with a leading digit (0.5)".into(),
        _ => format!("unexpected character `{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::{Keyword, Tok, lex};

    fn toks(source: &str) -> Vec<(Tok, u32)> {
        lex(source)
            .expect("lexes")
            .into_iter()
            .map(|token| (token.tok, token.col))
            .collect()
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(
            toks("\"é\" = NOM"),
            vec![
                (Tok::Str("é".into()), 1),
                (Tok::Eq, 5),
                (Tok::Ident("NOM".into()), 7),
                (Tok::Eof, 10),
            ]
        );
    }

    #[test]
    fn range_dots_are_not_a_decimal_point() {
        assert_eq!(
            toks("5..7 1.5"),
            vec![
                (Tok::Num(5.0), 1),
                (Tok::DotDot, 2),
                (Tok::Num(7.0), 4),
                (Tok::Num(1.5), 6),
                (Tok::Eof, 9),
            ]
        );
    }

    #[test]
    fn keywords_ignore_case_and_names_keep_it() {
        assert_eq!(
            toks("AND Or not Age"),
            vec![
                (Tok::Kw(Keyword::And), 1),
                (Tok::Kw(Keyword::Or), 5),
                (Tok::Kw(Keyword::Not), 8),
                (Tok::Ident("Age".into()), 12),
                (Tok::Eof, 15),
            ]
        );
    }

    #[test]
    fn strings_take_either_quote_and_escape_it() {
        assert_eq!(toks(r#"'l\'été'"#)[0].0, Tok::Str("l'été".into()));
        assert_eq!(toks(r#""a \"b\" \\""#)[0].0, Tok::Str(r#"a "b" \"#.into()));
    }

    #[test]
    fn all_comparison_spellings_are_recognised() {
        let ops: Vec<Tok> = toks("= == != <> < <= > >=")
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(
            ops,
            vec![
                Tok::Eq,
                Tok::Eq,
                Tok::Ne,
                Tok::Ne,
                Tok::Lt,
                Tok::Le,
                Tok::Gt,
                Tok::Ge,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn bad_characters_are_located_with_a_hint() {
        let err = lex("A && B").unwrap_err();
        assert_eq!(err.column, 3);
        assert!(err.message.contains("write `and`"), "{}", err.message);
        let err = lex("AGE > .5").unwrap_err();
        assert_eq!(err.column, 7);
        let err = lex("X = 'abc").unwrap_err();
        assert_eq!(
            (err.column, err.message.as_str()),
            (5, "unclosed string: add the closing quote")
        );
        let err = lex(r#"X = "a\n""#).unwrap_err();
        assert_eq!(err.column, 7);
    }

    #[test]
    fn huge_numbers_are_rejected() {
        let err = lex(&"9".repeat(400)).unwrap_err();
        assert_eq!(err.column, 1);
        assert!(err.message.contains("too large"));
    }
}
