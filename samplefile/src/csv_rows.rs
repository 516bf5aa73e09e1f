//! The rows of a decoded CSV text, numbered as a spreadsheet shows them.
//!
//! A spreadsheet shows a blank line as an empty row and a quoted value spanning several lines
//! as one cell, so a row's number is the previous row's plus one plus the blank lines between
//! them (which the csv crate skips).

use crate::file_error::FileError;
use crate::separator::Separator;

/// Reads the rows of a CSV text one at a time, into a reused record.
pub(crate) struct CsvRows<'t> {
    text: &'t str,
    file: &'t str,
    separator: u8,
    reader: csv::Reader<&'t [u8]>,
    record: csv::StringRecord,
    /// Line of the last row read.
    line: u32,
}

impl<'t> CsvRows<'t> {
    pub(crate) fn new(text: &'t str, separator: Separator, file: &'t str) -> Self {
        let reader = csv::ReaderBuilder::new()
            .delimiter(separator.byte())
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        CsvRows {
            text,
            file,
            separator: separator.byte(),
            reader,
            record: csv::StringRecord::new(),
            line: 0,
        }
    }

    /// The next row, blank or not: its line and cells; `None` at the end of the text.
    pub(crate) fn next_row(&mut self) -> Result<Option<(u32, Vec<&str>)>, FileError> {
        let more = self.reader.read_record(&mut self.record);
        // The record's position is where the reader stood before it: blank lines come first.
        let from = self.record.position().map_or(0, |start| {
            usize::try_from(start.byte()).unwrap_or(usize::MAX)
        });
        let line = self
            .line
            .saturating_add(1)
            .saturating_add(blank_lines_at(self.text.as_bytes(), from));
        match more {
            Ok(false) => return Ok(None),
            Ok(true) => self.line = line,
            Err(error) => {
                return Err(FileError::Unreadable {
                    file: self.file.to_owned(),
                    line,
                    detail: error.to_string(),
                });
            }
        }
        // Only a quote left open swallows the rest of the file into the last record.
        let spans_lines = self.record.as_slice().contains(['\n', '\r']);
        let at_end = self.reader.position().byte() as usize >= self.text.len();
        if spans_lines
            && at_end
            && self
                .text
                .get(from..)
                .is_some_and(|rest| ends_in_quotes(rest, self.separator))
        {
            return Err(FileError::UnclosedQuote {
                file: self.file.to_owned(),
                line,
            });
        }
        Ok(Some((line, self.record.iter().collect())))
    }

    /// Bytes read so far and in all.
    pub(crate) fn progress(&self) -> (u64, u64) {
        (self.reader.position().byte(), self.text.len() as u64)
    }
}

/// The blank lines starting at byte `from` of `text`: `\n`, `\r\n` and `\r` each end one, and
/// a `\n` completing the `\r` before `from` ends none.
fn blank_lines_at(text: &[u8], from: usize) -> u32 {
    let rest = text.get(from..).unwrap_or_default();
    let blank = &rest[..rest
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .count()];
    let before = from.checked_sub(1).and_then(|index| text.get(index));
    let completes_previous = before == Some(&b'\r') && blank.first() == Some(&b'\n');
    let mut index = usize::from(completes_previous);
    let mut lines = 0_u32;
    while index < blank.len() {
        index += if blank[index..].starts_with(b"\r\n") {
            2
        } else {
            1
        };
        lines = lines.saturating_add(1);
    }
    lines
}

/// True when `text` ends inside a quoted value, with the csv crate's rules: a quote opens a
/// value only at its start, a doubled quote inside is a quote, anything after the closing quote
/// belongs to the value.
fn ends_in_quotes(text: &str, separator: u8) -> bool {
    let mut bytes = text.bytes().peekable();
    let mut in_quotes = false;
    let mut at_value_start = true;
    while let Some(byte) = bytes.next() {
        if in_quotes {
            if byte == b'"' && bytes.next_if_eq(&b'"').is_none() {
                in_quotes = false;
            }
        } else if byte == b'"' && at_value_start {
            in_quotes = true;
            at_value_start = false;
        } else {
            at_value_start = byte == separator || byte == b'\n' || byte == b'\r';
        }
    }
    in_quotes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_count_whatever_their_ending() {
        assert_eq!(blank_lines_at(b"\n\r\n\rx", 0), 3);
        assert_eq!(blank_lines_at(b"a\r\nx", 2), 0);
        assert_eq!(blank_lines_at(b"a\r\n\r\nx", 2), 1);
        assert_eq!(blank_lines_at(b"a\nx", 2), 0);
        assert_eq!(blank_lines_at(b"a", 5), 0);
    }

    #[test]
    fn a_quote_left_open_is_found() {
        assert!(ends_in_quotes("1;\"Bordeaux\n2;Pessac\n", b';'));
        assert!(!ends_in_quotes("1;\"Bor\ndeaux\";x\n", b';'));
        assert!(!ends_in_quotes("1;\"a\"\"b\"\n", b';'));
        assert!(ends_in_quotes("1;\"a\"\"\n", b';'));
        assert!(!ends_in_quotes("1;O\"Neil\n", b';'));
    }
}
