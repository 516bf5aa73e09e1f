//! The rows of the first sheet of an .xlsx workbook, streamed cell by cell with calamine (a
//! sheet of a million rows is never held in memory), each cell turned into the text the
//! manager sees.
//!
//! Numbers stored as numbers keep their digits: `556123456` (what Excel keeps of `0556123456`
//! typed in a number cell) reads as `556123456`, which the phone rules take as a national
//! number without its leading 0, and `33556123456` (what it keeps of `+33556123456`) as a
//! number with its country code. Dates read as `2024-03-01` (`2024-03-01 14:30:00` with a
//! time), durations as their number of days, booleans as `VRAI` / `FAUX`, error cells as their
//! code (`#N/A`).

use std::io::Cursor;
use std::panic::AssertUnwindSafe;

use calamine::{DataRef, Reader, Xlsx, XlsxCellReader, XlsxError};

use crate::file_error::FileError;

/// Columns of an Excel sheet (A to XFD): a cell further right is a broken file, and would make
/// the row buffer huge.
const EXCEL_COLUMNS: u32 = 16_384;

/// An opened workbook and the name of its first sheet.
pub(crate) struct Workbook<'a> {
    xlsx: Xlsx<Cursor<&'a [u8]>>,
    sheet: String,
}

impl<'a> Workbook<'a> {
    pub(crate) fn open(bytes: &'a [u8], file: &str) -> Result<Self, FileError> {
        let xlsx = guarded(|| Xlsx::new(Cursor::new(bytes)))
            .map_err(|error| workbook_error(error, file))?;
        let Some(sheet) = xlsx.sheet_names().into_iter().next() else {
            return Err(FileError::NotAWorkbook {
                file: file.to_owned(),
                detail: "aucune feuille".to_owned(),
            });
        };
        Ok(Workbook { xlsx, sheet })
    }

    /// The first sheet's name.
    pub(crate) fn sheet(&self) -> &str {
        &self.sheet
    }

    /// The first sheet's rows, from the top.
    pub(crate) fn rows<'w>(&'w mut self, file: &'w str) -> Result<XlsxRows<'w, 'a>, FileError> {
        let (xlsx, sheet) = (&mut self.xlsx, &self.sheet);
        let cells = guarded(|| xlsx.worksheet_cells_reader(sheet))
            .map_err(|error| workbook_error(error, file))?;
        let total = u64::from(cells.dimensions().end.0) + 1;
        Ok(XlsxRows {
            cells,
            file,
            pending: None,
            row: Vec::new(),
            sheet_ended: false,
            last_line: 0,
            total,
        })
    }
}

fn workbook_error(failure: Failure, file: &str) -> FileError {
    match failure {
        Failure::Calamine(XlsxError::Password) => FileError::Password {
            file: file.to_owned(),
        },
        failure => FileError::NotAWorkbook {
            file: file.to_owned(),
            detail: failure.detail(),
        },
    }
}

/// A calamine call that failed.
enum Failure {
    /// With an error.
    Calamine(XlsxError),
    /// With a panic, caught.
    Panic,
}

impl Failure {
    /// What went wrong, for the message.
    fn detail(&self) -> String {
        match self {
            Failure::Calamine(error) => error.to_string(),
            Failure::Panic => "contenu incohérent".to_owned(),
        }
    }
}

/// Runs a calamine call on the untrusted bytes of an upload. calamine 0.38 panics on some
/// malformed sheets (an arithmetic overflow on a cell reference with too many letters, in
/// builds with overflow checks), which must not bring the caller down: the panic becomes a
/// failure, after which the caller never uses the reader again (hence the unwind safety
/// assertion).
fn guarded<T>(call: impl FnOnce() -> Result<T, XlsxError>) -> Result<T, Failure> {
    match std::panic::catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result.map_err(Failure::Calamine),
        Err(_) => Err(Failure::Panic),
    }
}

/// Reads the rows of a sheet one at a time, gathering its cells in stream order.
pub(crate) struct XlsxRows<'w, 'a> {
    cells: XlsxCellReader<'w, Cursor<&'a [u8]>>,
    file: &'w str,
    /// The first cell of the next row (row, column, text), read while looking for the end of
    /// the current one.
    pending: Option<(u32, u32, String)>,
    row: Vec<String>,
    /// The reader met the end of the sheet's data (reading on is an error in calamine).
    sheet_ended: bool,
    last_line: u32,
    total: u64,
}

impl XlsxRows<'_, '_> {
    /// The next row with a non-empty cell: its line and cells; `None` at the end of the sheet.
    pub(crate) fn next_row(&mut self) -> Result<Option<(u32, Vec<&str>)>, FileError> {
        self.row.clear();
        let mut current: Option<u32> = None;
        loop {
            let (row, column, text) = match self.pending.take() {
                Some(pending) => pending,
                None if self.sheet_ended => break,
                None => match guarded(|| self.cells.next_cell()) {
                    Ok(Some(cell)) => {
                        let (row, column) = cell.get_position();
                        (row, column, cell_text(cell.get_value()))
                    }
                    Ok(None) => {
                        self.sheet_ended = true;
                        break;
                    }
                    Err(failure) => {
                        self.sheet_ended = true;
                        return Err(FileError::Unreadable {
                            file: self.file.to_owned(),
                            line: self.last_line.saturating_add(1),
                            detail: failure.detail(),
                        });
                    }
                },
            };
            if text.is_empty() {
                continue;
            }
            match current {
                Some(current) if current != row => {
                    self.pending = Some((row, column, text));
                    break;
                }
                _ => current = Some(row),
            }
            if column >= EXCEL_COLUMNS {
                return Err(FileError::Unreadable {
                    file: self.file.to_owned(),
                    line: row.saturating_add(1),
                    detail: "cellule au-delà de la dernière colonne d'Excel".to_owned(),
                });
            }
            let column = column as usize;
            if self.row.len() <= column {
                self.row.resize(column + 1, String::new());
            }
            self.row[column] = text;
        }
        Ok(current.map(|row| {
            self.last_line = row.saturating_add(1);
            (
                self.last_line,
                self.row.iter().map(String::as_str).collect(),
            )
        }))
    }

    /// Rows read so far and in all (as the sheet declares its dimensions).
    pub(crate) fn progress(&self) -> (u64, u64) {
        let done = u64::from(self.last_line);
        (done, self.total.max(done))
    }
}

/// The text a spreadsheet shows for a cell, numbers without a useless `.0`.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => {
            text.trim().to_owned()
        }
        DataRef::SharedString(text) => text.trim().to_owned(),
        DataRef::Int(number) => number.to_string(),
        DataRef::Float(number) => float_text(*number),
        DataRef::Bool(true) => "VRAI".to_owned(),
        DataRef::Bool(false) => "FAUX".to_owned(),
        DataRef::Error(error) => error.to_string(),
        DataRef::DateTime(date) if date.is_datetime() => {
            let (year, month, day, hour, minute, second, _) = date.to_ymd_hms_milli();
            if (hour, minute, second) == (0, 0, 0) {
                format!("{year:04}-{month:02}-{day:02}")
            } else {
                format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}")
            }
        }
        DataRef::DateTime(duration) => float_text(duration.as_f64()),
    }
}

/// A number as text: whole numbers without a fractional part (`556123456`, not
/// `556123456.0`), others in their shortest exact form.
fn float_text(number: f64) -> String {
    // Below 2^53 a whole f64 converts to i64 exactly.
    if number.fract() == 0.0 && number.abs() < 9_007_199_254_740_992.0 {
        (number as i64).to_string()
    } else {
        number.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_lose_their_fraction_only() {
        assert_eq!(float_text(556123456.0), "556123456");
        assert_eq!(float_text(33556123456.0), "33556123456");
        assert_eq!(float_text(2.5), "2.5");
        assert_eq!(float_text(-3.0), "-3");
        assert_eq!(float_text(1e300), 1e300.to_string());
    }
}
