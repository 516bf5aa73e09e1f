//! The fields of a sample row that have a role: the columns a mapping picks and a rejection
//! points at.

use serde::Serialize;

/// A field of the sample file with a role (every other column is a preload field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The phone number (required column).
    Phone,
    /// The optional second phone number.
    SecondPhone,
    /// The commune, as an INSEE code or a name.
    Commune,
    /// The identifier of the row in the manager's file.
    ExternalId,
}

impl Field {
    /// French name, for reports and messages.
    pub fn label(self) -> &'static str {
        match self {
            Field::Phone => "numéro",
            Field::SecondPhone => "2e numéro",
            Field::Commune => "commune",
            Field::ExternalId => "identifiant",
        }
    }
}
