//! The interview engine: a pure function from (questionnaire, preload, record) to the state of
//! the interview, and the operations that change the record (submit, back, quota decision).
//!
//! Nothing is cached between calls: every call walks the route from the start (see `walk`), so
//! resuming an interview is just calling `state` on the stored record, and going back and
//! changing an answer can never leave stale state behind.

mod display;
mod error;
mod input;
mod record;
mod view;
mod walk;

pub use error::AnswerError;
pub use input::AnswerInput;
pub use record::{Answer, QuotaDecision, Record};
pub use view::{OptionView, QuestionView, State, ViewKind};

use crate::expr::Value;
use crate::model::Questionnaire;
use serde::Serialize;
use std::collections::BTreeMap;
use view::Renderer;
use walk::{End, Walk};

/// Preload fields of a sample record, as text (parsed by the engine per their declared type).
pub type Preload = BTreeMap<String, String>;

/// One interview in progress: the questionnaire, the respondent's preload, the language shown.
#[derive(Debug, Clone, Copy)]
pub struct Interview<'a> {
    /// The checked questionnaire.
    pub questionnaire: &'a Questionnaire,
    /// The respondent's sample record fields.
    pub preload: &'a Preload,
    /// Language of the texts shown; falls back to the primary language.
    pub language: &'a str,
}

/// The questionnaire's own name for the variable at `place` (borrowed for the questionnaire's
/// lifetime, as the walk's keys are).
fn var_name(q: &Questionnaire, place: crate::model::VarPlace) -> &str {
    walk::step_of(q, place).0
}

/// What a successful `submit` changed besides storing the answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Submitted {
    /// Variables whose answers fell off the route (their filter became false) and were removed.
    pub removed: Vec<String>,
}

impl<'a> Interview<'a> {
    fn walk(
        &self,
        record: &Record,
        stop_at_position: bool,
    ) -> (Walk<'a>, std::collections::HashMap<&'a str, Value>) {
        let preload = walk::preload_values(self.questionnaire, self.preload);
        let w = walk::walk(self.questionnaire, &preload, record, stop_at_position);
        (w, preload)
    }

    /// The current state: the step to ask (with fills resolved and the stored answer when
    /// revisiting), the quota point, or the end.
    pub fn state(&self, record: &Record) -> State {
        let (w, _) = self.walk(record, true);
        self.state_of(record, &w)
    }

    fn state_of(&self, record: &Record, w: &Walk<'a>) -> State {
        let q = self.questionnaire;
        let r = Renderer {
            q,
            language: self.language,
            values: &w.values,
            preload: self.preload,
        };
        match &w.end {
            End::Ask(place, var) => {
                State::Question(view::question(q, record, w.route.len(), &r, *place, var))
            }
            End::QuotaPoint => State::QuotaPoint {
                cell: walk::quota_cell(q, record, w),
            },
            End::ScreenedOut(reason) => State::ScreenedOut {
                reason: reason.map_or_else(|| "quota".to_string(), |t| r.text(t)),
                closing: r.text(&q.closing.screened_out),
            },
            End::Completed => State::Completed {
                closing: r.text(&q.closing.completed),
            },
        }
    }

    /// Validates and stores the answer to the current step `var`. `confirm` accepts soft-check
    /// warnings. Then recomputes the route: answers that fell off it are removed (and returned),
    /// and the next step becomes the position if it was already answered (shown prefilled),
    /// otherwise the position is cleared (next = first unanswered step).
    ///
    /// Hard checks are reported before soft ones; the messages of all failing soft checks are
    /// given together. An unchanged answer resubmitted at a revisited step keeps its earlier
    /// confirmation. Checks are not evaluated on "don't know" and "refused" (no value to check).
    pub fn submit(
        &self,
        record: &mut Record,
        var: &str,
        input: AnswerInput,
        confirm: bool,
    ) -> Result<Submitted, AnswerError> {
        let q = self.questionnaire;
        let (w, preload) = self.walk(record, true);
        let place = match w.end {
            End::Ask(place, current) if current == var => place,
            End::Ask(_, current) => {
                return Err(AnswerError::NotCurrent {
                    expected: Some(current.to_string()),
                });
            }
            End::QuotaPoint => return Err(AnswerError::NotCurrent { expected: None }),
            End::ScreenedOut(_) | End::Completed => return Err(AnswerError::Finished),
        };
        let question = &q.sections[place.section].questions[place.question];
        let answer = input::validate(
            &question.kind,
            place.item.is_some(),
            question.allow_dont_know,
            question.allow_refused,
            input,
        )?;
        let mut confirmed = false;
        if let Some(value) = answer.value().filter(|v| !matches!(v, Value::Missing(_))) {
            let env = walk::Values {
                values: &w.values,
                preload: &preload,
                candidate: Some((var, &value)),
            };
            let failed: Vec<&crate::model::Check> = question
                .checks
                .iter()
                .filter(|c| !c.expr.is_true(&env))
                .collect();
            if !failed.is_empty() {
                // Messages may fill in the answer being checked.
                let mut values = w.values.clone();
                values.insert(var_name(q, place), value.clone());
                let r = Renderer {
                    q,
                    language: self.language,
                    values: &values,
                    preload: self.preload,
                };
                if let Some(hard) = failed.iter().find(|c| c.hard) {
                    return Err(AnswerError::HardCheck(r.text(&hard.message)));
                }
                // An unchanged answer whose warnings were confirmed before (the interviewer
                // is going through revisited steps) stays confirmed.
                let reconfirmed =
                    record.confirmed.contains(var) && record.answers.get(var) == Some(&answer);
                if !confirm && !reconfirmed {
                    let messages: Vec<String> = failed.iter().map(|c| r.text(&c.message)).collect();
                    return Err(AnswerError::SoftCheck(messages.join(" ")));
                }
                confirmed = true;
            }
        }
        drop(w);
        record.answers.insert(var.to_string(), answer);
        if confirmed {
            record.confirmed.insert(var.to_string());
        } else {
            record.confirmed.remove(var);
        }
        let after = walk::walk(q, &preload, record, false);
        let removed: Vec<String> = after.off_route.iter().map(|v| v.to_string()).collect();
        for v in &removed {
            record.answers.remove(v);
            record.confirmed.remove(v);
        }
        record.position = after
            .route
            .iter()
            .position(|v| *v == var)
            .and_then(|i| after.route.get(i + 1))
            .map(|v| v.to_string());
        if record.quota.is_some()
            && record.quota_cell.as_ref() != Some(&walk::quota_cell(q, record, &after))
        {
            record.quota = None;
            record.quota_cell = None;
        }
        Ok(Submitted { removed })
    }

    /// Goes back to `to` (a step answered on the route) or, with `None`, to the step before the
    /// current one. The step is then shown with its stored answer. Allowed from the end too
    /// (completed or screened out), so an interviewer can correct an answer before leaving.
    pub fn back(&self, record: &mut Record, to: Option<&str>) -> Result<(), AnswerError> {
        let target = match to {
            None => {
                let (w, _) = self.walk(record, true);
                w.route
                    .last()
                    .map(|v| v.to_string())
                    .ok_or(AnswerError::NoPreviousStep)?
            }
            Some(to) => {
                let (w, _) = self.walk(record, false);
                let current = matches!(w.end, End::Ask(_, v) if v == to);
                if !current && !w.route.contains(&to) {
                    return Err(AnswerError::NotOnRoute(to.to_string()));
                }
                to.to_string()
            }
        };
        record.position = Some(target);
        Ok(())
    }

    /// Records the quota service's decision at the quota point.
    pub fn record_quota(
        &self,
        record: &mut Record,
        decision: QuotaDecision,
    ) -> Result<(), AnswerError> {
        let (w, _) = self.walk(record, true);
        match w.end {
            End::QuotaPoint => {
                record.quota_cell = Some(walk::quota_cell(self.questionnaire, record, &w));
                record.quota = Some(decision);
                Ok(())
            }
            End::Ask(_, var) => Err(AnswerError::NotCurrent {
                expected: Some(var.to_string()),
            }),
            End::ScreenedOut(_) | End::Completed => Err(AnswerError::Finished),
        }
    }

    /// The steps answered so far, in route order (for a "history" panel and back navigation),
    /// including those after a revisited position.
    pub fn route(&self, record: &Record) -> Vec<String> {
        let (w, _) = self.walk(record, false);
        w.route.into_iter().map(str::to_string).collect()
    }

    /// Answers plus computed variables on the route, by variable name, for storage and export
    /// (info steps have no value; answers that fell off the route are not included).
    pub fn values(&self, record: &Record) -> BTreeMap<String, Value> {
        let (w, _) = self.walk(record, false);
        w.values
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    }
}
