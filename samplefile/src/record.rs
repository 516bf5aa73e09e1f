//! A row of a sample file as read, before validation: the text of each field's cell.

use crate::columns::Columns;
use crate::field::Field;

/// A non-blank row of a sample file, its cells trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Line as a spreadsheet numbers it (the header is line 1; blank lines count).
    pub line: u32,
    /// The phone number's cell.
    pub phone: String,
    /// The second phone number's cell (empty when the file has no such column).
    pub second_phone: String,
    /// The commune's cell (empty when the file has no such column).
    pub commune: String,
    /// The identifier's cell; `None` when the file has no identifier column.
    pub external_id: Option<String>,
    /// The preload fields' cells, in the order of [`Columns::preload`].
    pub preload: Vec<String>,
    /// Non-empty cells beyond the header's columns, when there are some.
    pub overflow: Option<Overflow>,
}

/// Non-empty cells to the right of the last header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overflow {
    /// Cells on the line, up to the last non-empty one.
    pub cells: usize,
    /// Columns of the header.
    pub columns: usize,
    /// The cells in excess, non-empty ones joined with ` | `.
    pub extra: String,
}

impl Record {
    /// The record of a row's cells, or `None` when every cell is blank (a blank line or a row
    /// of separators is skipped, not rejected).
    pub(crate) fn from_cells(columns: &Columns, line: u32, cells: &[&str]) -> Option<Record> {
        if cells.iter().all(|cell| cell.trim().is_empty()) {
            return None;
        }
        let cell = |index: Option<usize>| {
            index
                .and_then(|index| cells.get(index))
                .map_or(String::new(), |cell| cell.trim().to_owned())
        };
        let width = columns.headers().len();
        let overflow = cells
            .iter()
            .rposition(|cell| !cell.trim().is_empty())
            .filter(|&last| last >= width)
            .map(|last| Overflow {
                cells: last + 1,
                columns: width,
                extra: cells[width..=last]
                    .iter()
                    .map(|cell| cell.trim())
                    .filter(|cell| !cell.is_empty())
                    .collect::<Vec<_>>()
                    .join(" | "),
            });
        Some(Record {
            line,
            phone: cell(columns.index(Field::Phone)),
            second_phone: cell(columns.index(Field::SecondPhone)),
            commune: cell(columns.index(Field::Commune)),
            external_id: columns
                .index(Field::ExternalId)
                .map(|index| cell(Some(index))),
            preload: columns
                .preload()
                .iter()
                .map(|field| cell(Some(field.index)))
                .collect(),
            overflow,
        })
    }
}
