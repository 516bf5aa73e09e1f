//! A validated row, ready to become a case of the wave.

use crate::columns::{Columns, PreloadField};
use crate::commune::Commune;
use crate::field::Field;
use crate::phone::Phone;

/// A row that passed the file's checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Line in the file (the header is line 1).
    pub line: u32,
    /// The identifier from the file, or `L` and the line (`L12`) when the file has no
    /// identifier column or the cell is empty.
    pub external_id: String,
    /// The number of the phone column, unless that cell is empty.
    pub phone: Option<Phone>,
    /// The number of the second phone column, when given and different from the first.
    pub second_phone: Option<Phone>,
    /// The commune, when the cell is not empty (an empty one is asked at screening).
    pub commune: Option<Commune>,
    /// The preload fields' values, in the order of [`Columns::preload`] (empty for an empty
    /// cell).
    pub preload: Vec<String>,
}

impl Row {
    /// The numbers in dialling order (at least one), with the field each comes from.
    pub fn phones(&self) -> impl Iterator<Item = (Field, &Phone)> {
        [
            (Field::Phone, self.phone.as_ref()),
            (Field::SecondPhone, self.second_phone.as_ref()),
        ]
        .into_iter()
        .filter_map(|(field, phone)| phone.map(|phone| (field, phone)))
    }

    /// The non-empty preload values with their field, for the columns of the file the row comes
    /// from.
    pub fn preload_values<'r>(
        &'r self,
        columns: &'r Columns,
    ) -> impl Iterator<Item = (&'r PreloadField, &'r str)> {
        columns
            .preload()
            .iter()
            .zip(&self.preload)
            .filter(|(_, value)| !value.is_empty())
            .map(|(field, value)| (field, value.as_str()))
    }
}
