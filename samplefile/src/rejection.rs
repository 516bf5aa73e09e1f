//! A rejected row: where, which field, why, and what was written there.

use crate::field::Field;
use crate::reason::Reason;

/// A row of the sample file that is not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// Line in the file as a spreadsheet numbers it (the header is line 1).
    pub line: u32,
    /// The field at fault; `None` when it is the whole line (cells in excess).
    pub field: Option<Field>,
    /// Why.
    pub reason: Reason,
    /// The value at fault as written in the file (for a number refused by the caller's checks,
    /// its E.164 form).
    pub value: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ligne {} : {}", self.line, self.reason)?;
        match self.field {
            _ if self.value.is_empty() => Ok(()),
            Some(field) => write!(f, " ({} : « {} »)", field.label(), self.value),
            None => write!(f, " (« {} »)", self.value),
        }
    }
}
