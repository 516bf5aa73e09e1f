//! CSV writers (RFC 4180 quoting, UTF-8, CRLF line ends, a header row of variable names).
//!
//! Two dialects: `Machine` (`,` separator, `.` decimal point, no BOM) for R, Python, DuckDB
//! and open-data portals; `ExcelFr` (`;` separator, decimal comma, UTF-8 BOM) so that a
//! French-locale spreadsheet opens the file correctly with a double click. Either can carry
//! codes (the default) or value labels in place of labelled codes.
//!
//! Files meant for spreadsheets (`excel_fr`, `labelled`) neutralise formulas: a text cell that
//! begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that an open
//! answer such as `=HYPERLINK(…)` is shown, never run (OWASP's CSV injection advice). The
//! machine file keeps the exact text.

use std::io::Write;

use super::analysis::{AnalysisColumn, analysis_columns, reason};
use super::{WriteError, format_number};
use crate::dataset::{ColumnRef, Dataset, Variable, VariableKind, iso_date};

/// Separator, decimal mark and byte-order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvDialect {
    /// `,` separator, `.` decimal point, no BOM.
    #[default]
    Machine,
    /// `;` separator, `,` decimal mark, UTF-8 BOM.
    ExcelFr,
}

impl CsvDialect {
    /// Field separator.
    pub fn delimiter(self) -> u8 {
        match self {
            CsvDialect::Machine => b',',
            CsvDialect::ExcelFr => b';',
        }
    }

    /// Decimal mark.
    pub fn decimal_mark(self) -> char {
        match self {
            CsvDialect::Machine => '.',
            CsvDialect::ExcelFr => ',',
        }
    }
}

/// Options of [`write_csv`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CsvOptions {
    /// Separator and decimal mark.
    pub dialect: CsvDialect,
    /// Write value labels instead of the labelled codes (unlabelled values stay numbers).
    pub labelled: bool,
    /// Prefix text cells that a spreadsheet would read as a formula with `'`.
    pub neutralise_formulas: bool,
    /// Write declared missing codes as empty cells and their reason in a `<variable>_nr`
    /// column (see [`super::analysis`]).
    pub missing_as_empty: bool,
}

impl CsvOptions {
    /// Codes, `,` and `.` (`donnees-codes.csv`).
    pub fn machine() -> Self {
        Self::default()
    }

    /// `,` and `.`, don't know / refused as empty cells with their reason in `<variable>_nr`
    /// (`donnees.csv`, for R, pandas, DuckDB).
    pub fn analysis() -> Self {
        Self {
            missing_as_empty: true,
            ..Self::default()
        }
    }

    /// Codes, `;`, decimal comma, BOM.
    pub fn excel_fr() -> Self {
        Self {
            dialect: CsvDialect::ExcelFr,
            labelled: false,
            neutralise_formulas: true,
            missing_as_empty: false,
        }
    }

    /// Value labels, `,` and `.`.
    pub fn labelled() -> Self {
        Self {
            dialect: CsvDialect::Machine,
            labelled: true,
            neutralise_formulas: true,
            missing_as_empty: false,
        }
    }
}

/// Writes `dataset` as CSV to `out`. System-missing values and empty strings are empty cells;
/// declared missing codes (98, 99…) are written like any code, or as empty cells with their
/// reason column with `missing_as_empty`; dates as `YYYY-MM-DD`.
pub fn write_csv<W: Write>(
    dataset: &Dataset,
    options: &CsvOptions,
    out: W,
) -> Result<(), WriteError> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    if options.dialect == CsvDialect::ExcelFr {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let delimiter = options.dialect.delimiter();
    let text = |line: &mut String, value: &str| {
        if options.neutralise_formulas && reads_as_formula(value) {
            push_field(line, &format!("'{value}"), delimiter);
        } else {
            push_field(line, value, delimiter);
        }
    };
    let data: Vec<(&Variable, ColumnRef<'_>)> = dataset.iter_columns().collect();
    let layout = if options.missing_as_empty {
        analysis_columns(dataset)
    } else {
        (0..data.len()).map(AnalysisColumn::Value).collect()
    };
    let mut line = String::new();
    for (i, column) in layout.iter().enumerate() {
        if i > 0 {
            line.push(char::from(delimiter));
        }
        let name = match column {
            AnalysisColumn::Value(index) => &data[*index].0.name,
            AnalysisColumn::Reason { name, .. } => name,
        };
        push_field(&mut line, name, delimiter);
    }
    line.push_str("\r\n");
    out.write_all(line.as_bytes())?;
    for row in 0..dataset.row_count() {
        line.clear();
        for (i, planned) in layout.iter().enumerate() {
            if i > 0 {
                line.push(char::from(delimiter));
            }
            let (index, is_reason) = match planned {
                AnalysisColumn::Value(index) => (*index, false),
                AnalysisColumn::Reason { index, .. } => (*index, true),
            };
            let (variable, column) = &data[index];
            match column {
                ColumnRef::Numeric(values) if is_reason => {
                    if let Some(why) = reason(variable, values[row]) {
                        text(&mut line, &why);
                    }
                }
                ColumnRef::Text(values) => text(&mut line, &values[row]),
                ColumnRef::Numeric(values) => {
                    let value = values[row];
                    if value.is_nan()
                        || (options.missing_as_empty && variable.is_declared_missing(value))
                    {
                        continue;
                    }
                    if variable.kind == VariableKind::Date {
                        line.push_str(&iso_date(value));
                        continue;
                    }
                    let label = options
                        .labelled
                        .then(|| label_of(variable, value))
                        .flatten();
                    match label {
                        Some(label) => text(&mut line, label),
                        None => {
                            let number = format_number(value);
                            match options.dialect.decimal_mark() {
                                '.' => line.push_str(&number),
                                mark => line.push_str(&number.replace('.', &mark.to_string())),
                            }
                        }
                    }
                }
            }
        }
        line.push_str("\r\n");
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

fn label_of(variable: &Variable, value: f64) -> Option<&str> {
    if value.fract() != 0.0 || value.abs() > f64::from(i32::MAX) {
        return None;
    }
    // Integral and within i32 range: the cast is exact.
    variable
        .value_labels
        .get(&(value as i32))
        .map(String::as_str)
}

/// Whether a spreadsheet would take `text` for a formula (or a command, for a leading tab or
/// carriage return in some of them).
pub fn reads_as_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Appends `text`, quoted when it holds the delimiter, a quote or a line break (RFC 4180).
fn push_field(line: &mut String, text: &str, delimiter: u8) {
    let needs_quotes = text
        .bytes()
        .any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r');
    if needs_quotes {
        line.push('"');
        line.push_str(&text.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_recognised_and_numbers_are_not_text() {
        for formula in ["=2+3", "+33", "-x", "@SUM(A1)", "\tcmd", "\rcmd"] {
            assert!(reads_as_formula(formula), "{formula:?}");
        }
        for plain in ["", "oui", "2=2", " =1", "'=1"] {
            assert!(!reads_as_formula(plain), "{plain:?}");
        }
    }

    #[test]
    fn fields_with_separators_quotes_or_newlines_are_quoted() {
        let mut line = String::new();
        push_field(&mut line, "a,b", b',');
        push_field(&mut line, "dit \"oui\"", b',');
        push_field(&mut line, "a;b", b',');
        assert_eq!(line, "\"a,b\"\"dit \"\"oui\"\"\"a;b");
    }
}
