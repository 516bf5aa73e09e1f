//! What the API and the pages show of an interview: plain serialisable views built from the
//! engine's state.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use questionnaire::{Answer, QuestionView, Questionnaire, State, ViewKind, model};

/// An interview as the workstation sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InterviewView {
    /// Interview identifier.
    pub interview_id: Uuid,
    /// Case identifier.
    pub case_id: Uuid,
    /// Where the interview stands.
    pub status: crate::store::interviews::InterviewStatus,
    /// Where the interview stands.
    pub step: Step,
    /// Steps answered so far, in route order.
    pub route: Vec<String>,
    /// The language the questions are read in (a code such as `fr`).
    pub language: String,
    /// The questionnaire's languages, primary first: with more than one, the interviewer may
    /// switch the interview from one to another at any question.
    pub languages: Vec<LanguageChoice>,
}

/// One language of a questionnaire, as the workstation offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct LanguageChoice {
    /// Its code in the questionnaire (`fr`, `en`…).
    pub code: String,
    /// Its name in itself (« Français », « English »), as the respondent would recognise it;
    /// the code when the ISO 639 table does not know it.
    pub name: String,
}

impl LanguageChoice {
    /// The choice for a questionnaire's language code.
    pub fn of(code: &str) -> LanguageChoice {
        let name = isolang::Language::from_639_1(code)
            .or_else(|| isolang::Language::from_639_3(code))
            .and_then(|l| l.to_autonym())
            .map_or_else(|| code.to_owned(), capitalised);
        LanguageChoice {
            code: code.to_owned(),
            name,
        }
    }
}

/// « français » → « Français »: a name shown on a button.
fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Where an interview stands.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Step {
    /// A question to ask.
    Question(Box<QuestionDto>),
    /// Finished: the closing text to read.
    Completed {
        /// Closing text.
        closing: String,
    },
    /// Screened out: why, and the closing text to read.
    ScreenedOut {
        /// Reason.
        reason: String,
        /// Closing text.
        closing: String,
    },
    /// Ended by the interviewer (broken off, or postponed to an appointment).
    Ended,
}

/// One question, fills resolved. (Deserialize: clients written in Rust, such as the login
/// benchmark, read it back.)
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct QuestionDto {
    /// Variable to answer.
    pub var: String,
    /// `single`, `multiple`, `integer`, `decimal`, `text`, `date`, `scale` or `info`.
    pub kind: QuestionKind,
    /// Lower bound (integer, decimal, scale; a date as text).
    pub min: Option<String>,
    /// Upper bound.
    pub max: Option<String>,
    /// Maximum number of choices (multiple).
    pub max_choices: Option<usize>,
    /// Maximum text length.
    pub max_length: Option<usize>,
    /// Scale end labels.
    pub min_label: Option<String>,
    /// Scale end labels.
    pub max_label: Option<String>,
    /// Section title.
    pub section: String,
    /// Grid text when the question is a grid item.
    pub header: Option<String>,
    /// Text to read.
    pub text: String,
    /// Note for the interviewer.
    pub instruction: Option<String>,
    /// Options in the respondent's order.
    pub options: Vec<OptionDto>,
    /// "Don't know" allowed.
    pub allow_dont_know: bool,
    /// "Refused" allowed.
    pub allow_refused: bool,
    /// The stored answer when revisiting (the engine's JSON form).
    pub current: Option<serde_json::Value>,
    /// The codes of the stored answer (choice questions), for the page's form.
    #[serde(skip, default)]
    pub current_codes: Vec<i64>,
    /// The stored answer as typed in a text field (numbers, texts, dates), for the page's form.
    #[serde(skip, default)]
    pub current_value: Option<String>,
    /// 1-based position on the route.
    pub number: usize,
    /// Questions on the longest route: every question and grid item of the questionnaire (a
    /// filter may end the interview sooner). A fixed total, so that progress never jumps back.
    #[serde(default)]
    pub total: usize,
    /// A grid item's place in its grid.
    #[serde(default)]
    pub grid_item: Option<GridPlace>,
    /// Whether "back" is possible.
    pub can_go_back: bool,
}

/// Which item of its grid a question is, in the respondent's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GridPlace {
    /// 1-based.
    pub item: usize,
    /// Items in the grid.
    pub of: usize,
}

/// One option of a choice question.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OptionDto {
    /// Code.
    pub code: i64,
    /// Label.
    pub label: String,
    /// Asks for an "other, specify" text.
    pub other: bool,
    /// Cannot be combined with other options.
    pub exclusive: bool,
}

/// An answer sent by the workstation. Exactly one of `codes`, `value`, `special` is given,
/// or none to continue past an information screen.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// The variable being answered (must be the current step).
    pub var: String,
    /// Chosen option codes (single: exactly one).
    #[serde(default)]
    pub codes: Option<Vec<i64>>,
    /// "Other, specify" texts by option code.
    #[serde(default)]
    pub other: Option<std::collections::BTreeMap<i64, String>>,
    /// A typed value (number, text, date).
    #[serde(default)]
    pub value: Option<String>,
    /// `dont_know` or `refused`.
    #[serde(default)]
    pub special: Option<Special>,
    /// Accepts a soft-check warning.
    #[serde(default)]
    pub confirm: bool,
}

impl AnswerRequest {
    /// An answer to `var` with nothing chosen yet, soft checks confirmed: what a script fills
    /// in (the benchmarks, the simulator).
    pub fn confirmed(var: &str) -> AnswerRequest {
        AnswerRequest {
            var: var.to_owned(),
            codes: None,
            other: None,
            value: None,
            special: None,
            confirm: true,
        }
    }
}

/// A missing-value answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Special {
    /// Ne sait pas.
    DontKnow,
    /// Refus.
    Refused,
}

/// What kind of answer a question takes (how the screen asks it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One option.
    Single,
    /// Several options.
    Multiple,
    /// A whole number.
    Integer,
    /// A number with decimals.
    Decimal,
    /// Free text.
    Text,
    /// A date.
    Date,
    /// A point on a scale.
    Scale,
    /// A text to read, no answer.
    Info,
}

impl QuestionKind {
    /// The name used in pages (`data-kind`) and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::Integer => "integer",
            QuestionKind::Decimal => "decimal",
            QuestionKind::Text => "text",
            QuestionKind::Date => "date",
            QuestionKind::Scale => "scale",
            QuestionKind::Info => "info",
        }
    }
}

impl QuestionDto {
    /// Builds the view of the engine's question.
    pub fn from_view(q: &QuestionView) -> QuestionDto {
        let mut dto = QuestionDto {
            var: q.var.clone(),
            kind: QuestionKind::Info,
            min: None,
            max: None,
            max_choices: None,
            max_length: None,
            min_label: None,
            max_label: None,
            section: q.section.clone(),
            header: q.header.clone(),
            text: q.text.clone(),
            instruction: q.instruction.clone(),
            options: q
                .options
                .iter()
                .map(|o| OptionDto {
                    code: o.code,
                    label: o.label.clone(),
                    other: o.other,
                    exclusive: o.exclusive,
                })
                .collect(),
            allow_dont_know: q.allow_dont_know,
            allow_refused: q.allow_refused,
            current: q
                .current
                .as_ref()
                .and_then(|a| serde_json::to_value(a).ok()),
            current_codes: match &q.current {
                Some(Answer::Choice { code, .. }) => vec![*code],
                Some(Answer::Choices { codes, .. }) => codes.clone(),
                _ => Vec::new(),
            },
            current_value: match &q.current {
                Some(Answer::Integer(n)) => Some(n.to_string()),
                Some(Answer::Decimal(x)) => Some(x.to_string()),
                Some(Answer::Text(text)) => Some(text.clone()),
                Some(Answer::Date(date)) => Some(date.to_string()),
                _ => None,
            },
            number: q.number,
            total: q.number,
            grid_item: None,
            can_go_back: q.can_go_back,
        };
        let text = |v: &dyn std::fmt::Display| Some(v.to_string());
        match &q.kind {
            ViewKind::Single => dto.kind = QuestionKind::Single,
            ViewKind::Multiple { max_choices } => {
                dto.kind = QuestionKind::Multiple;
                dto.max_choices = *max_choices;
            }
            ViewKind::Integer { min, max } => {
                dto.kind = QuestionKind::Integer;
                dto.min = min.as_ref().and_then(|v| text(v));
                dto.max = max.as_ref().and_then(|v| text(v));
            }
            ViewKind::Decimal { min, max, .. } => {
                dto.kind = QuestionKind::Decimal;
                dto.min = min.as_ref().and_then(|v| text(v));
                dto.max = max.as_ref().and_then(|v| text(v));
            }
            ViewKind::Text { max_length } => {
                dto.kind = QuestionKind::Text;
                dto.max_length = Some(*max_length);
            }
            ViewKind::Date { min, max } => {
                dto.kind = QuestionKind::Date;
                dto.min = min.as_ref().and_then(|v| text(v));
                dto.max = max.as_ref().and_then(|v| text(v));
            }
            ViewKind::Scale {
                min,
                max,
                min_label,
                max_label,
            } => {
                dto.kind = QuestionKind::Scale;
                dto.min = text(min);
                dto.max = text(max);
                dto.min_label = min_label.clone();
                dto.max_label = max_label.clone();
            }
            ViewKind::Info => dto.kind = QuestionKind::Info,
        }
        dto
    }
}

impl QuestionDto {
    /// Places the question in `questionnaire` for the progress shown: the total of questions
    /// (see [`QuestionDto::total`]) and, for a grid item, its place among the grid's items on
    /// `route` (the steps answered so far).
    pub fn locate(&mut self, questionnaire: &Questionnaire, route: &[String]) {
        self.total = questions_in(questionnaire).max(self.number);
        self.grid_item = grid_place(questionnaire, &self.var, route);
    }
}

/// The questions of the longest route: every asked question, a grid counting its items.
fn questions_in(questionnaire: &Questionnaire) -> usize {
    questionnaire
        .questions()
        .map(|q| match &q.kind {
            model::QuestionKind::Grid { items, .. } => items.len(),
            model::QuestionKind::Computed { .. } => 0,
            _ => 1,
        })
        .sum()
}

/// Which item of its grid `var` is, counting the grid's items answered before it on `route`
/// (the respondent's order, shuffled in a randomised grid); `None` outside a grid.
fn grid_place(questionnaire: &Questionnaire, var: &str, route: &[String]) -> Option<GridPlace> {
    let model::QuestionKind::Grid { items, .. } = &questionnaire.question(var)?.kind else {
        return None;
    };
    let before = route
        .iter()
        .position(|step| step == var)
        .map_or(route, |at| &route[..at]);
    let answered = before
        .iter()
        .filter(|step| items.iter().any(|item| &item.var == *step))
        .count();
    Some(GridPlace {
        item: answered + 1,
        of: items.len(),
    })
}

impl Step {
    /// The step of an engine state (the quota point never reaches views: it is settled first).
    pub fn from_state(state: &State) -> Step {
        match state {
            State::Question(q) => Step::Question(Box::new(QuestionDto::from_view(q))),
            State::Completed { closing } => Step::Completed {
                closing: closing.clone(),
            },
            State::ScreenedOut { reason, closing } => Step::ScreenedOut {
                reason: reason.clone(),
                closing: closing.clone(),
            },
            State::QuotaPoint { .. } => Step::Ended,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observatory() -> Questionnaire {
        let source = include_str!("../../../../questionnaires/observatoire.toml");
        questionnaire::load(source, "observatoire.toml").expect("the observatory questionnaire")
    }

    fn route(vars: &[&str]) -> Vec<String> {
        vars.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn the_total_counts_asked_questions_and_grid_items_but_not_computed_variables() {
        let q = observatory();
        let asked = q
            .questions()
            .filter(|q| !matches!(q.kind, model::QuestionKind::Computed { .. }))
            .count();
        // Two grids: DEMARCHES of eight items, INQUIETUDES of five.
        assert_eq!(questions_in(&q), asked - 2 + 8 + 5);
    }

    #[test]
    fn a_grid_item_is_placed_after_the_items_answered_before_it() {
        let q = observatory();
        let answered = route(&["INTRO", "DEM_SANTE", "DEM_ADMIN"]);
        assert_eq!(
            grid_place(&q, "DEM_BANQUE", &answered),
            Some(GridPlace { item: 3, of: 8 })
        );
        // Revisited: its place is where it stands on the route.
        assert_eq!(
            grid_place(&q, "DEM_SANTE", &answered),
            Some(GridPlace { item: 1, of: 8 })
        );
        assert_eq!(grid_place(&q, "AGE", &answered), None);
    }
}
