//! The import report: rows accepted (by commune and line type) and rows rejected (each with its
//! line and reason, and counted by reason), including the rows the caller rejects after its own
//! checks against the database.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::field::Field;
use crate::phone::LineType;
use crate::reason::Reason;
use crate::rejection::Rejection;
use crate::row::Row;

/// A check only the caller can make (it needs the database), whose rejections the report counts
/// like its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallerCheck {
    /// The number is already in the wave.
    AlreadyInWave,
    /// The number is on the survey's do-not-call list.
    DoNotCall,
}

impl CallerCheck {
    /// The reason of the rows this check rejects.
    pub fn reason(self) -> Reason {
        match self {
            CallerCheck::AlreadyInWave => Reason::AlreadyInWave,
            CallerCheck::DoNotCall => Reason::DoNotCall,
        }
    }
}

/// Rejected rows of one reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    /// The reason's code ([`Reason::code`]).
    pub code: &'static str,
    /// Its French label ([`Reason::label`]).
    pub label: &'static str,
    /// Rows.
    pub count: u64,
}

/// Accepted rows of one commune.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommuneCount {
    /// INSEE code.
    pub code: String,
    /// Official name.
    pub name: String,
    /// Rows.
    pub count: u64,
}

/// What an import did with each row of a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    accepted: u64,
    rejected: Vec<Rejection>,
    by_reason: BTreeMap<&'static str, ReasonCount>,
    by_commune: BTreeMap<String, CommuneCount>,
    without_commune: u64,
    by_line_type: BTreeMap<LineType, u64>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Self {
        Report::default()
    }

    /// Counts a row that is imported; call it once the caller's checks
    /// ([`Report::reject_if`]) are done, for each row kept.
    pub fn accept(&mut self, row: &Row) {
        self.accepted += 1;
        match &row.commune {
            Some(commune) => match self.by_commune.get_mut(&commune.code) {
                Some(counted) => counted.count += 1,
                None => {
                    let count = CommuneCount {
                        code: commune.code.clone(),
                        name: commune.name.clone(),
                        count: 1,
                    };
                    self.by_commune.insert(commune.code.clone(), count);
                }
            },
            None => self.without_commune += 1,
        }
        for (_, phone) in row.phones() {
            *self.by_line_type.entry(phone.line_type).or_default() += 1;
        }
    }

    /// Records a rejected row; the list stays in line order.
    pub fn reject(&mut self, rejection: Rejection) {
        let reason = rejection.reason;
        self.by_reason
            .entry(reason.code())
            .or_insert_with(|| ReasonCount {
                code: reason.code(),
                label: reason.label(),
                count: 0,
            })
            .count += 1;
        let at = self.rejected.partition_point(|r| r.line <= rejection.line);
        self.rejected.insert(at, rejection);
    }

    /// Removes from `rows` those with a number for which `is_hit` (given the E.164 form) holds,
    /// and records them as rejected for `check`'s reason: the hook for the checks against the
    /// database (numbers already in the wave, the do-not-call list).
    pub fn reject_if(
        &mut self,
        rows: &mut Vec<Row>,
        check: CallerCheck,
        mut is_hit: impl FnMut(&str) -> bool,
    ) {
        rows.retain(|row| {
            let hit: Option<(Field, &str)> = row
                .phones()
                .find(|(_, phone)| is_hit(&phone.e164))
                .map(|(field, phone)| (field, phone.e164.as_str()));
            match hit {
                Some((field, e164)) => {
                    self.reject(Rejection {
                        line: row.line,
                        field: Some(field),
                        reason: check.reason(),
                        value: e164.to_owned(),
                    });
                    false
                }
                None => true,
            }
        });
    }

    /// Rows accepted.
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// Rows rejected, in line order.
    pub fn rejected(&self) -> &[Rejection] {
        &self.rejected
    }

    /// Rejected rows by reason, in the order of the reasons' codes.
    pub fn by_reason(&self) -> impl Iterator<Item = &ReasonCount> {
        self.by_reason.values()
    }

    /// Accepted rows by commune, in INSEE code order.
    pub fn by_commune(&self) -> impl Iterator<Item = &CommuneCount> {
        self.by_commune.values()
    }

    /// Accepted rows without a commune (asked at screening).
    pub fn without_commune(&self) -> u64 {
        self.without_commune
    }

    /// Accepted numbers (a row may have two) by line type.
    pub fn by_line_type(&self) -> impl Iterator<Item = (LineType, u64)> {
        self.by_line_type
            .iter()
            .map(|(&line_type, &count)| (line_type, count))
    }
}
