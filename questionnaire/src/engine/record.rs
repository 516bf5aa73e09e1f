//! What is persisted about one interview: seed, answers, position, quota decision.

use crate::date::Date;
use crate::expr::{Missing, Value};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Everything persisted about one interview's progress (JSON in the database).
///
/// Soft checks the interviewer confirmed are kept in `confirmed` (by variable) rather than in
/// the answers, so `Answer` stays a plain value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Per-respondent randomisation seed.
    pub seed: u64,
    /// Answers by variable (grid items by item variable).
    pub answers: BTreeMap<String, Answer>,
    /// The step being revisited after `back`; `None` = the first unanswered step.
    pub position: Option<String>,
    /// Set by `record_quota`.
    pub quota: Option<QuotaDecision>,
    /// The quota cell the decision was taken for: changing a quota variable afterwards (going
    /// back) gives another cell, so the decision is dropped and the quota point comes again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_cell: Option<BTreeMap<String, Answer>>,
    /// Variables whose soft-check warnings the interviewer confirmed.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub confirmed: BTreeSet<String>,
}

impl Record {
    /// Starts an interview with its randomisation seed.
    pub fn new(seed: u64) -> Record {
        Record {
            seed,
            answers: BTreeMap::new(),
            position: None,
            quota: None,
            quota_cell: None,
            confirmed: BTreeSet::new(),
        }
    }
}

/// A stored answer. JSON: externally tagged, snake_case (`{"choice": {"code": 2, "other": null}}`,
/// `{"integer": 34}`, `{"date": "2024-05-01"}`, `"seen"`, `"dont_know"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Single choice (and grid items), with the "other, specify" text if the option asks one.
    Choice {
        /// The chosen option's code.
        code: i64,
        /// The "other, specify" text, when the option asks for one.
        other: Option<String>,
    },
    /// Multiple choice, codes in the order chosen, "other" texts by code.
    Choices {
        /// The chosen codes, without duplicates.
        codes: Vec<i64>,
        /// "Other, specify" texts of the chosen options that ask for one.
        other: BTreeMap<i64, String>,
    },
    /// An integer or scale answer.
    Integer(i64),
    /// A decimal answer.
    Decimal(f64),
    /// A text answer (trimmed).
    Text(String),
    /// A date answer.
    Date(#[serde(with = "date_format")] Date),
    /// An `info` step was read.
    Seen,
    /// "Don't know".
    DontKnow,
    /// "Refused".
    Refused,
}

impl Answer {
    /// The value expressions see; `None` for `Seen` (an info step has no value).
    pub fn value(&self) -> Option<Value> {
        Some(match self {
            Answer::Choice { code, .. } => Value::Number(*code as f64),
            Answer::Choices { codes, .. } => Value::Codes(codes.iter().copied().collect()),
            Answer::Integer(i) => Value::Number(*i as f64),
            Answer::Decimal(d) => Value::Number(*d),
            Answer::Text(t) => Value::Text(t.clone()),
            Answer::Date(d) => Value::Date(*d),
            Answer::Seen => return None,
            Answer::DontKnow => Value::Missing(Missing::DontKnow),
            Answer::Refused => Value::Missing(Missing::Refused),
        })
    }

    /// A computed value as an answer (for quota cells and replays); `None` when not computed.
    pub fn from_value(value: &Value) -> Option<Answer> {
        Some(match value {
            Value::Missing(Missing::NotAsked) => return None,
            Value::Missing(Missing::DontKnow) => Answer::DontKnow,
            Value::Missing(Missing::Refused) => Answer::Refused,
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Answer::Integer(*n as i64),
            Value::Number(n) => Answer::Decimal(*n),
            Value::Text(t) => Answer::Text(t.clone()),
            Value::Date(d) => Answer::Date(*d),
            Value::Bool(b) => Answer::Integer(i64::from(*b)),
            Value::Codes(c) => Answer::Choices {
                codes: c.iter().copied().collect(),
                other: BTreeMap::new(),
            },
        })
    }
}

/// The quota service's decision at the quota point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaDecision {
    /// The respondent's cell is open: the interview goes on.
    Accepted,
    /// The cell is full: the interview ends as screened out (reason `"quota"`).
    Refused,
}

/// Dates as `"YYYY-MM-DD"` strings in JSON.
pub(crate) mod date_format {
    use crate::date::Date;
    use serde::{Deserialize, Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(date)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).ok_or_else(|| de::Error::custom(format!("invalid date `{s}` (YYYY-MM-DD)")))
    }

    /// For optional dates in views.
    pub fn serialize_option<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => s.collect_str(d),
            None => s.serialize_none(),
        }
    }
}
