//! A sample file opened from its bytes: its format, its columns, and an iterator over its rows
//! that reads one row at a time (a file of a million rows never becomes a million records at
//! once).

use std::borrow::Cow;

use crate::columns::Columns;
use crate::csv_rows::CsvRows;
use crate::encoding::decode;
use crate::file_error::FileError;
use crate::format::{Format, Kind};
use crate::mapping::Mapping;
use crate::record::Record;
use crate::separator::Separator;
use crate::xlsx_rows::{Workbook, XlsxRows};

/// A survey manager's phone list, opened: CSV text or an .xlsx workbook, its header read and its
/// columns resolved.
pub struct SampleFile<'a> {
    name: String,
    format: Format,
    columns: Columns,
    header_line: u32,
    source: Source<'a>,
}

enum Source<'a> {
    Csv {
        text: Cow<'a, str>,
        separator: Separator,
    },
    // Boxed: a workbook is far larger than a CSV text's handle.
    Xlsx(Box<Workbook<'a>>),
}

impl<'a> SampleFile<'a> {
    /// Opens a file from its bytes and name (the name decides nothing when the bytes tell, and
    /// is quoted in every message), reads its header row (the first non-blank one) and resolves
    /// its columns with `mapping`.
    pub fn open(bytes: &'a [u8], file_name: &str, mapping: &Mapping) -> Result<Self, FileError> {
        let empty = || FileError::Empty {
            file: file_name.to_owned(),
        };
        if bytes.is_empty() {
            return Err(empty());
        }
        let (mut source, format) = match Kind::detect(bytes, file_name)? {
            Kind::Csv => {
                let (text, encoding) =
                    decode(bytes).map_err(|undecodable| FileError::Undecodable {
                        file: file_name.to_owned(),
                        line: undecodable.line,
                        encoding: undecodable.encoding,
                    })?;
                let separator = Separator::detect(&text);
                (
                    Source::Csv { text, separator },
                    Format::Csv {
                        encoding,
                        separator,
                    },
                )
            }
            Kind::Xlsx => {
                let workbook = Workbook::open(bytes, file_name)?;
                let format = Format::Xlsx {
                    sheet: workbook.sheet().to_owned(),
                };
                (Source::Xlsx(Box::new(workbook)), format)
            }
        };
        let (header_line, headers) = {
            let mut rows = RowSource::new(&mut source, file_name)?;
            loop {
                match rows.next_row()? {
                    Some((line, cells)) if cells.iter().any(|cell| !cell.trim().is_empty()) => {
                        break (line, cells.iter().map(|cell| (*cell).to_owned()).collect());
                    }
                    Some(_) => {}
                    None => return Err(empty()),
                }
            }
        };
        let columns = Columns::resolve(headers, mapping, file_name, header_line)?;
        Ok(SampleFile {
            name: file_name.to_owned(),
            format,
            columns,
            header_line,
            source,
        })
    }

    /// The file name given to [`SampleFile::open`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How the file is read (encoding and separator, or sheet).
    pub fn format(&self) -> &Format {
        &self.format
    }

    /// The columns: headers, the column of each field, the preload fields.
    pub fn columns(&self) -> &Columns {
        &self.columns
    }

    /// The line of the header row (1 unless blank lines come first).
    pub fn header_line(&self) -> u32 {
        self.header_line
    }

    /// The rows after the header, one at a time; blank rows are skipped. After an error (a
    /// quote never closed, a broken sheet) the iterator ends.
    pub fn records(&mut self) -> Result<Records<'_, 'a>, FileError> {
        let SampleFile {
            name,
            columns,
            header_line,
            source,
            ..
        } = self;
        Ok(Records {
            rows: RowSource::new(source, name)?,
            columns,
            header_line: *header_line,
            ended: false,
        })
    }
}

/// The rows of a sample file, read one at a time: see [`SampleFile::records`].
pub struct Records<'f, 'a> {
    rows: RowSource<'f, 'a>,
    columns: &'f Columns,
    header_line: u32,
    ended: bool,
}

/// How far the reading has gone, for a progress bar: bytes of a CSV file, rows of a sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Read so far.
    pub done: u64,
    /// In all (for a sheet, the rows its dimensions declare).
    pub total: u64,
}

impl Records<'_, '_> {
    /// How far the reading has gone.
    pub fn progress(&self) -> Progress {
        let (done, total) = match &self.rows {
            RowSource::Csv(rows) => rows.progress(),
            RowSource::Xlsx(rows) => rows.progress(),
        };
        Progress { done, total }
    }
}

impl Iterator for Records<'_, '_> {
    type Item = Result<Record, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.ended {
            match self.rows.next_row() {
                Ok(Some((line, _))) if line <= self.header_line => {}
                Ok(Some((line, cells))) => {
                    if let Some(record) = Record::from_cells(self.columns, line, &cells) {
                        return Some(Ok(record));
                    }
                }
                Ok(None) => self.ended = true,
                Err(error) => {
                    self.ended = true;
                    return Some(Err(error));
                }
            }
        }
        None
    }
}

/// The rows of either format, as lines and cell texts.
enum RowSource<'f, 'a> {
    Csv(CsvRows<'f>),
    // Boxed: a sheet reader is far larger than a CSV reader.
    Xlsx(Box<XlsxRows<'f, 'a>>),
}

impl<'f, 'a> RowSource<'f, 'a> {
    fn new(source: &'f mut Source<'a>, file: &'f str) -> Result<Self, FileError> {
        Ok(match source {
            Source::Csv { text, separator } => RowSource::Csv(CsvRows::new(text, *separator, file)),
            Source::Xlsx(workbook) => RowSource::Xlsx(Box::new(workbook.rows(file)?)),
        })
    }

    fn next_row(&mut self) -> Result<Option<(u32, Vec<&str>)>, FileError> {
        match self {
            RowSource::Csv(rows) => rows.next_row(),
            RowSource::Xlsx(rows) => rows.next_row(),
        }
    }
}
