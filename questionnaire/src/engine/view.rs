//! What the interviewer's screen shows: the current state, with texts in the interview's
//! language, fills resolved and options in the respondent's order.

use super::display;
use super::record::{Answer, Record, date_format};
use crate::date::Date;
use crate::expr::Value;
use crate::fills;
use crate::model::{Located, QuestionKind, Questionnaire, Text, VarPlace};
use crate::random;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Where the interview stands.
// One state is built per call and moved to the caller: boxing the view would only add an
// allocation, and the API names the variant `Question(QuestionView)`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// A step to ask.
    Question(QuestionView),
    /// All quota variables answered: ask the quota service, then call `record_quota`.
    QuotaPoint { cell: BTreeMap<String, Answer> },
    /// Ended by a screen-out rule (its reason) or a refused quota (reason `"quota"`).
    ScreenedOut { reason: String, closing: String },
    /// Every step on the route is answered.
    Completed { closing: String },
}

/// One step as shown to the interviewer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionView {
    /// The variable the answer is stored under (a grid item's own variable).
    pub var: String,
    /// How to ask and what to accept.
    pub kind: ViewKind,
    /// Section title.
    pub section: String,
    /// A grid's text when `var` is one of its items.
    pub header: Option<String>,
    /// Fills resolved, in the interview's language.
    pub text: String,
    /// Note for the interviewer.
    pub instruction: Option<String>,
    /// In the respondent's order.
    pub options: Vec<OptionView>,
    /// Whether "don't know" may be offered.
    pub allow_dont_know: bool,
    /// Whether "refused" may be offered.
    pub allow_refused: bool,
    /// The stored answer when revisiting.
    pub current: Option<Answer>,
    /// 1-based position on the route so far.
    pub number: usize,
    /// Whether an earlier step exists to go back to.
    pub can_go_back: bool,
}

/// The input a step expects.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ViewKind {
    /// One option (also grid items).
    Single,
    /// One or more options, at most `max_choices`.
    Multiple { max_choices: Option<usize> },
    /// A whole number within the bounds.
    Integer { min: Option<i64>, max: Option<i64> },
    /// A decimal number within the bounds, at most `decimals` decimals.
    Decimal {
        min: Option<f64>,
        max: Option<f64>,
        decimals: u32,
    },
    /// Free text of at most `max_length` characters.
    Text { max_length: usize },
    /// A date within the bounds.
    Date {
        #[serde(serialize_with = "date_format::serialize_option")]
        min: Option<Date>,
        #[serde(serialize_with = "date_format::serialize_option")]
        max: Option<Date>,
    },
    /// A point of a scale, with the texts of its ends.
    Scale {
        min: i64,
        max: i64,
        min_label: Option<String>,
        max_label: Option<String>,
    },
    /// A text to read; submit `Continue`.
    Info,
}

/// An option as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionView {
    /// The code stored.
    pub code: i64,
    /// The label in the interview's language, fills resolved.
    pub label: String,
    /// Asks for an "other, specify" text.
    pub other: bool,
    /// Cannot be combined with another option.
    pub exclusive: bool,
}

/// Renders texts with fills for one interview.
pub(super) struct Renderer<'w, 'a> {
    pub q: &'a Questionnaire,
    pub language: &'w str,
    pub values: &'w HashMap<&'a str, Value>,
    pub preload: &'w BTreeMap<String, String>,
}

impl Renderer<'_, '_> {
    /// `text` in the interview's language with `{NAME}` replaced.
    pub fn text(&self, text: &Text) -> String {
        fills::render(text.get(self.language), display::MISSING, |name| {
            self.fill(name)
        })
    }

    /// The text of a fill: an answer's label or value, or a preload field; `None` when there is
    /// none (no answer, don't know or refused, an empty field).
    fn fill(&self, name: &str) -> Option<String> {
        if let Some(v) = self.values.get(name) {
            let options = self.q.place(name).map(|p| {
                let question = &self.q.sections[p.section].questions[p.question];
                question.kind.options()
            });
            let label = |code: i64| {
                options
                    .and_then(|o| o.iter().find(|o| o.code == code))
                    .map_or_else(|| code.to_string(), |o| self.text(&o.label))
            };
            return match v {
                Value::Missing(_) => None,
                Value::Number(n) if options.is_some_and(|o| !o.is_empty()) => {
                    Some(label(*n as i64))
                }
                Value::Codes(codes) if options.is_some_and(|o| !o.is_empty()) => Some(
                    codes
                        .iter()
                        .map(|&c| label(c))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                v => Some(display::value(v, self.language)),
            };
        }
        if self.q.preload.iter().any(|f| f.name == name) {
            return match self.preload.get(name) {
                Some(s) if !s.trim().is_empty() => Some(s.clone()),
                _ => None,
            };
        }
        None
    }

    /// Options in the respondent's order (anchored ones in place when randomised).
    pub fn options(
        &self,
        choices: &[crate::model::Choice],
        randomize: bool,
        seed: u64,
        var: &str,
    ) -> Vec<OptionView> {
        let order: Vec<usize> = if randomize {
            let anchored: Vec<bool> = choices.iter().map(|c| c.anchor).collect();
            random::order(seed, var, &anchored)
        } else {
            (0..choices.len()).collect()
        };
        order
            .into_iter()
            .map(|i| {
                let c = &choices[i];
                OptionView {
                    code: c.code,
                    label: self.text(&c.label),
                    other: c.other,
                    exclusive: c.exclusive,
                }
            })
            .collect()
    }
}

/// The view of the step at `place`, after `answered` steps on the route.
pub(super) fn question(
    q: &Questionnaire,
    record: &Record,
    answered: usize,
    r: &Renderer<'_, '_>,
    place: VarPlace,
    var: &str,
) -> QuestionView {
    let section = &q.sections[place.section];
    let question = &section.questions[place.question];
    let text_of = |t: &Option<Located<Text>>| t.as_ref().map(|t| r.text(t));
    let (header, text) = match (&question.kind, place.item) {
        (QuestionKind::Grid { items, .. }, Some(i)) => {
            (text_of(&question.text), r.text(&items[i].text))
        }
        _ => (None, text_of(&question.text).unwrap_or_default()),
    };
    let kind = match &question.kind {
        QuestionKind::Single { .. } | QuestionKind::Grid { .. } => ViewKind::Single,
        QuestionKind::Multiple { max_choices, .. } => ViewKind::Multiple {
            max_choices: *max_choices,
        },
        QuestionKind::Integer { min, max } => ViewKind::Integer {
            min: *min,
            max: *max,
        },
        QuestionKind::Decimal { min, max, decimals } => ViewKind::Decimal {
            min: *min,
            max: *max,
            decimals: *decimals,
        },
        QuestionKind::Text { max_length } => ViewKind::Text {
            max_length: *max_length,
        },
        QuestionKind::Date { min, max } => ViewKind::Date {
            min: *min,
            max: *max,
        },
        QuestionKind::Scale {
            min,
            max,
            min_label,
            max_label,
        } => ViewKind::Scale {
            min: *min,
            max: *max,
            min_label: min_label.as_ref().map(|t| r.text(t)),
            max_label: max_label.as_ref().map(|t| r.text(t)),
        },
        QuestionKind::Info | QuestionKind::Computed { .. } => ViewKind::Info,
    };
    // A grid's `randomize` shuffles its items (see `walk::steps`), not its options.
    let shuffle_options =
        !matches!(question.kind, QuestionKind::Grid { .. }) && question.kind.randomize();
    QuestionView {
        var: var.to_string(),
        kind,
        section: r.text(&section.title),
        header,
        text,
        instruction: text_of(&question.instruction),
        options: r.options(question.kind.options(), shuffle_options, record.seed, var),
        allow_dont_know: question.allow_dont_know,
        allow_refused: question.allow_refused,
        current: record.answers.get(var).cloned(),
        number: answered + 1,
        can_go_back: answered > 0,
    }
}
