//! Replaying a scripted path through the engine (`cati questionnaire try FILE --answers FILE`):
//! authors check routes, filters and screen-outs without a telephone. The script format is
//! documented in docs/questionnaire-format.md, "Replaying a scripted path".

use crate::engine::{
    Answer, AnswerError, AnswerInput, Interview, Preload, QuotaDecision, Record, State,
};
use crate::model::{QuestionKind, Questionnaire};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A scripted path: a JSON array of steps, played in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Script {
    /// The steps, in order.
    pub steps: Vec<ScriptStep>,
}

/// One step of a script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum ScriptStep {
    /// Answer the current step `var`: `{"var": "AGE", "answer": 34}`; no `answer` on an info
    /// step; `confirm` accepts soft-check warnings.
    Answer {
        /// The step answered (must be the current one).
        var: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        /// The answer; absent for an info step.
        answer: Option<ScriptAnswer>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        /// "Other, specify" texts.
        other: Option<ScriptOther>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        /// Accept soft-check warnings.
        confirm: bool,
    },
    /// Go back to a step (`{"back": "AGE"}`), or to the previous one (`{"back": null}`).
    Back { back: Option<String> },
    /// Record the quota decision at the quota point: `{"quota": "accepted"}` or `"refused"`.
    Quota { quota: QuotaDecision },
}

/// An answer in a script, interpreted by the type of the step it answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ScriptAnswer {
    /// A code (single choice, grid item) or a whole number.
    Integer(i64),
    /// A decimal number.
    Decimal(f64),
    /// Codes of a multiple choice.
    Codes(Vec<i64>),
    /// Text, date, decimal written with a comma; `"dk"` and `"refused"` are don't know / refused.
    Text(String),
}

/// "Other, specify" texts: one text for a single choice, or texts by code (`{"5": "…"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ScriptOther {
    /// The text for the single chosen option.
    One(String),
    /// Texts by code (JSON object keys are strings).
    ByCode(BTreeMap<String, String>),
}

/// Where a replay ended and what it stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayOutcome {
    /// The state after the last step (next question, quota point, screened out, completed).
    pub state: State,
    /// Answers on the route, by variable.
    pub answers: BTreeMap<String, Answer>,
    /// Computed variables' values.
    pub computed: BTreeMap<String, Answer>,
    /// Answered steps in route order.
    pub route: Vec<String>,
    /// Answers removed because they fell off the route, in the order it happened.
    pub removed: Vec<String>,
}

/// A step of the script the engine rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("step {step} ({action}): {error}")]
pub struct ReplayError {
    /// 1-based index of the step in the script.
    pub step: usize,
    /// The step, summarised (`answer AGE`, `back to AGE`, `quota accepted`).
    pub action: String,
    /// Why the engine rejected it (French message).
    pub error: AnswerError,
}

/// Replays `script` from a new interview seeded `seed`, in the primary language; stops at the
/// first step the engine rejects.
pub fn replay(
    q: &Questionnaire,
    preload: &Preload,
    seed: u64,
    script: &Script,
) -> Result<ReplayOutcome, ReplayError> {
    let interview = Interview {
        questionnaire: q,
        preload,
        language: q.primary_language(),
    };
    let mut record = Record::new(seed);
    let mut removed = Vec::new();
    for (i, step) in script.steps.iter().enumerate() {
        let fail = |action: String| {
            move |error| ReplayError {
                step: i + 1,
                action,
                error,
            }
        };
        match step {
            ScriptStep::Answer {
                var,
                answer,
                other,
                confirm,
            } => {
                let input = to_input(q, var, answer.as_ref(), other.as_ref());
                let submitted = interview
                    .submit(&mut record, var, input, *confirm)
                    .map_err(fail(format!("answer {var}")))?;
                removed.extend(submitted.removed);
            }
            ScriptStep::Back { back } => {
                interview
                    .back(&mut record, back.as_deref())
                    .map_err(fail(match back {
                        Some(b) => format!("back to {b}"),
                        None => "back".to_string(),
                    }))?
            }
            ScriptStep::Quota { quota } => interview
                .record_quota(&mut record, *quota)
                .map_err(fail(format!("quota {quota:?}").to_lowercase()))?,
        }
    }
    let route = interview.route(&record);
    let computed = interview
        .values(&record)
        .into_iter()
        .filter(|(var, _)| {
            q.question(var)
                .is_some_and(|question| matches!(question.kind, QuestionKind::Computed { .. }))
        })
        .filter_map(|(var, v)| Answer::from_value(&v).map(|a| (var, a)))
        .collect();
    let answers = route
        .iter()
        .filter_map(|v| record.answers.get(v).map(|a| (v.clone(), a.clone())))
        .collect();
    Ok(ReplayOutcome {
        state: interview.state(&record),
        answers,
        computed,
        route,
        removed,
    })
}

/// The engine input for a script answer, by the type of the step.
fn to_input(
    q: &Questionnaire,
    var: &str,
    answer: Option<&ScriptAnswer>,
    other: Option<&ScriptOther>,
) -> AnswerInput {
    let choice = q.question(var).is_some_and(|question| {
        matches!(
            question.kind,
            QuestionKind::Single { .. } | QuestionKind::Multiple { .. } | QuestionKind::Grid { .. }
        )
    });
    let others = |codes: &[i64]| -> BTreeMap<i64, String> {
        match other {
            Some(ScriptOther::One(t)) => {
                codes.first().map(|&c| (c, t.clone())).into_iter().collect()
            }
            Some(ScriptOther::ByCode(m)) => m
                .iter()
                .filter_map(|(c, t)| c.trim().parse().ok().map(|c| (c, t.clone())))
                .collect(),
            None => BTreeMap::new(),
        }
    };
    match answer {
        None => AnswerInput::Continue,
        Some(ScriptAnswer::Text(t)) if t == "dk" => AnswerInput::DontKnow,
        Some(ScriptAnswer::Text(t)) if t == "refused" => AnswerInput::Refused,
        Some(ScriptAnswer::Integer(n)) if choice => AnswerInput::Codes {
            codes: vec![*n],
            other: others(&[*n]),
        },
        Some(ScriptAnswer::Codes(codes)) => AnswerInput::Codes {
            codes: codes.clone(),
            other: others(codes),
        },
        Some(ScriptAnswer::Integer(n)) => AnswerInput::Raw(n.to_string()),
        Some(ScriptAnswer::Decimal(d)) => AnswerInput::Raw(d.to_string()),
        Some(ScriptAnswer::Text(t)) => AnswerInput::Raw(t.clone()),
    }
}
