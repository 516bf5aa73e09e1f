//! Reading the CSV inputs (legal populations, population structure) from text, keeping line
//! numbers for error messages.

use csv::{ReaderBuilder, StringRecord, Trim};

/// A CSV file that could not be read as a table with the expected columns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// Malformed CSV (wrong number of fields, bad quoting, invalid UTF-8).
    #[error("ligne {line} : {message}")]
    Syntax {
        /// 1-based line.
        line: u64,
        /// What the CSV reader reported.
        message: String,
    },
    /// The header line lacks a required column.
    #[error("ligne 1 : colonne « {column} » absente (colonnes attendues : {expected})")]
    MissingColumn {
        /// The missing column.
        column: String,
        /// Every required column, comma-separated.
        expected: String,
    },
}

/// The rows of a CSV file, with the positions of the required columns.
pub(crate) struct Table {
    columns: Vec<usize>,
    pub rows: Vec<(u64, StringRecord)>,
}

impl Table {
    /// The value of required column number `column` (in the order asked for) in `record`.
    pub fn get<'r>(&self, record: &'r StringRecord, column: usize) -> &'r str {
        self.columns
            .get(column)
            .and_then(|&i| record.get(i))
            .unwrap_or("")
    }
}

/// Reads `text` (comma-separated, one header line, fields trimmed) and locates `required`.
pub(crate) fn read(text: &str, required: &[&str]) -> Result<Table, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = ReaderBuilder::new()
        .trim(Trim::All)
        .from_reader(text.as_bytes());
    let syntax = |e: csv::Error| CsvError::Syntax {
        line: e.position().map_or(1, |p| p.line()),
        message: e.to_string(),
    };
    let headers = reader.headers().map_err(syntax)?.clone();
    let columns = required
        .iter()
        .map(|name| {
            headers
                .iter()
                .position(|h| h == *name)
                .ok_or_else(|| CsvError::MissingColumn {
                    column: (*name).to_owned(),
                    expected: required.join(","),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(syntax)?;
        let line = record.position().map_or(0, |p| p.line());
        rows.push((line, record));
    }
    Ok(Table { columns, rows })
}
