//! The report as `cati sample import --json` prints it:
//! `{"imported": N, "rejected": [{"line": L, "reason": "…"}, …], "by_reason": {…}}`, with the
//! details a program may want besides (codes, fields, values, counts by commune and line type).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::field::Field;
use crate::phone::LineType;
use crate::report::{CommuneCount, Report};

/// The serialisable shape of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JsonReport<'r> {
    /// Rows inserted, as the caller counted them.
    pub imported: u64,
    /// Rows that passed every check (the caller may insert fewer).
    pub accepted: u64,
    /// Rejected rows, in line order.
    pub rejected: Vec<JsonRejection<'r>>,
    /// Rejected rows by reason code.
    pub by_reason: BTreeMap<&'static str, u64>,
    /// Accepted rows by commune.
    pub by_commune: Vec<&'r CommuneCount>,
    /// Accepted rows without a commune.
    pub without_commune: u64,
    /// Accepted numbers by line type.
    pub by_line_type: BTreeMap<LineType, u64>,
}

/// A rejected row in the JSON report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JsonRejection<'r> {
    /// Line in the file.
    pub line: u32,
    /// French reason, with its details.
    pub reason: String,
    /// The reason's code.
    pub code: &'static str,
    /// The field at fault (`null` for the whole line).
    pub field: Option<Field>,
    /// The value at fault.
    pub value: &'r str,
}

impl Report {
    /// The report as JSON shows it; `imported` is the number of rows the caller inserted.
    pub fn to_json(&self, imported: u64) -> JsonReport<'_> {
        JsonReport {
            imported,
            accepted: self.accepted(),
            rejected: self
                .rejected()
                .iter()
                .map(|rejection| JsonRejection {
                    line: rejection.line,
                    reason: rejection.reason.to_string(),
                    code: rejection.reason.code(),
                    field: rejection.field,
                    value: &rejection.value,
                })
                .collect(),
            by_reason: self
                .by_reason()
                .map(|count| (count.code, count.count))
                .collect(),
            by_commune: self.by_commune().collect(),
            without_commune: self.without_commune(),
            by_line_type: self.by_line_type().collect(),
        }
    }
}
