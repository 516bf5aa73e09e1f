//! The checks a row passes using only the file and the survey's communes; it remembers the
//! numbers and identifiers of the rows it accepted to find duplicates within the file.
//!
//! Checks in order, the first failing one giving the row's reason: cells beyond the header,
//! the phone number, the second number, the commune, the identifier's uniqueness, the numbers'
//! uniqueness. Numbers and identifiers count as taken only once their row is accepted, so a
//! number on a rejected row does not make a later good row a duplicate.

use std::collections::HashMap;

use crate::commune::{CommuneList, CommuneMatch};
use crate::field::Field;
use crate::phone::{Phone, PhoneError, normalize_phone};
use crate::reason::Reason;
use crate::record::Record;
use crate::rejection::Rejection;
use crate::row::Row;

/// Validates the rows of one file, in file order.
#[derive(Debug)]
pub struct Validator<'c> {
    communes: &'c CommuneList,
    /// Accepted numbers (E.164 digits) and their line.
    phones: HashMap<u64, u32>,
    /// Accepted identifiers and their line, when the file has an identifier column.
    ids: HashMap<String, u32>,
}

impl<'c> Validator<'c> {
    /// A validator for one file of a survey whose communes are `communes`.
    pub fn new(communes: &'c CommuneList) -> Self {
        Validator {
            communes,
            phones: HashMap::new(),
            ids: HashMap::new(),
        }
    }

    /// Checks a record: the row to import, or why not.
    pub fn validate(&mut self, record: Record) -> Result<Row, Rejection> {
        let line = record.line;
        let reject = |field, reason, value: &str| Rejection {
            line,
            field,
            reason,
            value: value.to_owned(),
        };
        if let Some(overflow) = &record.overflow {
            let reason = Reason::ExtraCells {
                cells: overflow.cells,
                columns: overflow.columns,
            };
            return Err(reject(None, reason, &overflow.extra));
        }

        let phone = optional_phone(&record.phone)
            .map_err(|error| reject(Some(Field::Phone), error.into(), &record.phone))?;
        let mut second_phone = optional_phone(&record.second_phone).map_err(|error| {
            reject(Some(Field::SecondPhone), error.into(), &record.second_phone)
        })?;
        if phone.is_none() && second_phone.is_none() {
            let reason = PhoneError::Empty.into();
            return Err(reject(Some(Field::Phone), reason, &record.phone));
        }
        if phone.is_some() && phone == second_phone {
            second_phone = None;
        }

        let commune = if record.commune.is_empty() {
            None
        } else {
            let found = match self.communes.find(&record.commune) {
                CommuneMatch::Found(commune) => Ok(commune.clone()),
                CommuneMatch::Unknown => Err(Reason::UnknownCommune),
                CommuneMatch::Ambiguous => Err(Reason::AmbiguousCommune),
                CommuneMatch::OutsideSurvey => Err(Reason::CommuneOutsideSurvey),
            };
            Some(found.map_err(|reason| reject(Some(Field::Commune), reason, &record.commune))?)
        };

        let has_id_column = record.external_id.is_some();
        let external_id = match record.external_id {
            Some(id) if !id.is_empty() => id,
            _ => format!("L{line}"),
        };
        if has_id_column && let Some(&first_line) = self.ids.get(&external_id) {
            let reason = Reason::DuplicateId { first_line };
            return Err(reject(Some(Field::ExternalId), reason, &external_id));
        }
        for (field, number, cell) in [
            (Field::Phone, &phone, &record.phone),
            (Field::SecondPhone, &second_phone, &record.second_phone),
        ] {
            let seen = number.as_ref().and_then(|n| self.phones.get(&phone_key(n)));
            if let Some(&first_line) = seen {
                let reason = Reason::DuplicatePhone { first_line };
                return Err(reject(Some(field), reason, cell));
            }
        }

        if has_id_column {
            self.ids.insert(external_id.clone(), line);
        }
        for number in phone.iter().chain(&second_phone) {
            self.phones.insert(phone_key(number), line);
        }
        Ok(Row {
            line,
            external_id,
            phone,
            second_phone,
            commune,
            preload: record.preload,
        })
    }
}

/// The number of a cell, `None` for an empty one.
fn optional_phone(cell: &str) -> Result<Option<Phone>, PhoneError> {
    match normalize_phone(cell) {
        Ok(phone) => Ok(Some(phone)),
        Err(PhoneError::Empty) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The key of an E.164 number in the table of numbers seen: its digits.
fn phone_key(phone: &Phone) -> u64 {
    phone.e164.trim_start_matches('+').parse().unwrap_or(0)
}
