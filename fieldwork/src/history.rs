//! What the rules know of a case: the calls made on it, oldest first, and whether it is
//! closed. Everything else the rules need (attempts today, slots tried, ever eligible, a
//! pending or missed appointment) is derived from these, so it cannot disagree with them.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::appointment::Appointment;
use crate::decision::Closure;
use crate::outcome::Outcome;

/// One call made on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// When the number was dialled; its slot follows from it.
    pub at: Timestamp,
    /// What came of it.
    pub outcome: Outcome,
    /// The appointment it booked; required exactly when the outcome books one
    /// ([`Outcome::books_appointment`]).
    pub appointment: Option<Appointment>,
}

/// A case as the rules see it before a new call is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CaseHistory {
    /// The calls made so far, oldest first.
    pub attempts: Vec<Attempt>,
    /// How the case was closed, once it is final; a closed case stays closed.
    pub closed: Option<Closure>,
}
