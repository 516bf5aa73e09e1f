//! The field separator of a CSV file, detected from its header line: a French Excel writes `;`,
//! others `,`, and « Texte Unicode » exports use tabs.

use serde::Serialize;

/// The separator between the cells of a CSV line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Separator {
    /// `,`
    Comma,
    /// `;`
    Semicolon,
    /// A tab.
    Tab,
}

impl Separator {
    /// The byte that separates cells.
    pub fn byte(self) -> u8 {
        match self {
            Separator::Comma => b',',
            Separator::Semicolon => b';',
            Separator::Tab => b'\t',
        }
    }

    /// French name, for reports and messages.
    pub fn label(self) -> &'static str {
        match self {
            Separator::Comma => "virgule",
            Separator::Semicolon => "point-virgule",
            Separator::Tab => "tabulation",
        }
    }

    /// The separator occurring most often outside quotes on the first non-blank line of `text`;
    /// a tie goes to `;`, then tab, then `,` (the French spreadsheet default first); a line
    /// with none (a one-column file) reads with `,`.
    pub(crate) fn detect(text: &str) -> Separator {
        let mut counts = [0_usize; 3]; // ; tab ,
        let mut in_quotes = false;
        let mut line_has_text = false;
        for byte in text.bytes() {
            match byte {
                // A doubled quote inside quotes toggles twice: the state stays right.
                b'"' => in_quotes = !in_quotes,
                b'\n' if !in_quotes => {
                    if line_has_text {
                        break;
                    }
                    counts = [0; 3];
                }
                b';' if !in_quotes => counts[0] += 1,
                b'\t' if !in_quotes => counts[1] += 1,
                b',' if !in_quotes => counts[2] += 1,
                _ => {}
            }
            if !byte.is_ascii_whitespace() {
                line_has_text = true;
            }
        }
        let candidates = [Separator::Semicolon, Separator::Tab, Separator::Comma];
        let best = counts.iter().copied().max().unwrap_or(0);
        if best == 0 {
            return Separator::Comma;
        }
        candidates
            .into_iter()
            .zip(counts)
            .find(|&(_, count)| count == best)
            .map_or(Separator::Comma, |(separator, _)| separator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_frequent_separator_of_the_header_line_wins() {
        assert_eq!(Separator::detect("a;b;c\n1,2;3"), Separator::Semicolon);
        assert_eq!(Separator::detect("a,b,c\n1;2;3;4;5"), Separator::Comma);
        assert_eq!(Separator::detect("a\tb\tc,d\n"), Separator::Tab);
    }

    #[test]
    fn separators_inside_quotes_do_not_count() {
        assert_eq!(Separator::detect("\"a;b;c\",d,e\n"), Separator::Comma);
        assert_eq!(
            Separator::detect("\"x,\"\"y\"\",z\";w\n"),
            Separator::Semicolon
        );
    }

    #[test]
    fn blank_leading_lines_are_skipped_and_ties_prefer_semicolon() {
        assert_eq!(Separator::detect("\n  \r\na,b;c\n"), Separator::Semicolon);
        assert_eq!(
            Separator::detect("telephone\n0556123456\n"),
            Separator::Comma
        );
    }
}
