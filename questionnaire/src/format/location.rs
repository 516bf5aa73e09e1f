//! Byte offsets in the source file → 1-based lines and columns, including positions inside
//! TOML strings (so an expression error points at the faulty character in the file).

use std::ops::Range;

/// Line starts of a source file, for offset → (line, column) conversions.
pub(crate) struct SourceMap<'a> {
    source: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> SourceMap<'a> {
    pub fn new(source: &'a str) -> SourceMap<'a> {
        let line_starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceMap {
            source,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .source
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }

    /// Byte offset in the file of the 1-based `column` (in characters of the decoded string)
    /// inside the TOML string written at `span`. Escapes count as one decoded character.
    pub fn offset_in_string(&self, span: &Range<usize>, column: usize) -> usize {
        let Some(raw) = self.source.get(span.clone()) else {
            return span.start;
        };
        let (open, basic) = if raw.starts_with("\"\"\"") {
            (3, true)
        } else if raw.starts_with("'''") {
            (3, false)
        } else if raw.starts_with('"') {
            (1, true)
        } else if raw.starts_with('\'') {
            (1, false)
        } else {
            return span.start;
        };
        let mut start = open;
        // A newline right after an opening triple quote is not part of the string.
        if open == 3 {
            if raw[start..].starts_with("\r\n") {
                start += 2;
            } else if raw[start..].starts_with('\n') {
                start += 1;
            }
        }
        let mut chars = raw[start..].char_indices().peekable();
        let mut decoded = 1;
        while let Some((i, c)) = chars.next() {
            if decoded >= column {
                return span.start + start + i;
            }
            if basic && c == '\\' {
                let extra = match chars.peek().map(|&(_, e)| e) {
                    Some('u') => 5,
                    Some('U') => 9,
                    Some(_) => 1,
                    None => 0,
                };
                for _ in 0..extra {
                    chars.next();
                }
            }
            decoded += 1;
        }
        span.end.saturating_sub(open)
    }
}

#[cfg(test)]
mod tests {
    use super::SourceMap;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let map = SourceMap::new("ab\né = \"x\"\n");
        assert_eq!(map.position(0), (1, 1));
        assert_eq!(map.position(3), (2, 1));
        assert_eq!(map.position(5), (2, 2));
    }

    #[test]
    fn column_inside_a_string_maps_to_the_file() {
        let src = "filter = \"AGE > \\\"x\\\" or B\"";
        let map = SourceMap::new(src);
        let span = 9..src.len();
        // Column 1 is the first character after the quote.
        assert_eq!(map.offset_in_string(&span, 1), 10);
        // Column 11 ("o" of "or") comes after two escapes that take two bytes each.
        assert_eq!(&src[map.offset_in_string(&span, 11)..][..2], "or");
    }
}
