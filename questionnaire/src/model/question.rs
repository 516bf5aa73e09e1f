//! Questions, their options, grid items and checks.

use super::{Located, Text};
use crate::date::Date;
use crate::expr::Expr;
use std::ops::Range;

/// One `[[section.question]]`: a step of the interview (or a computed variable).
#[derive(Debug, Clone)]
pub struct Question {
    /// Variable name, unique ignoring case.
    pub var: String,
    /// Type and type-specific settings.
    pub kind: QuestionKind,
    /// What the interviewer reads aloud (absent only for computed variables).
    pub text: Option<Located<Text>>,
    /// A note for the interviewer, not read aloud.
    pub instruction: Option<Located<Text>>,
    /// Short label for exports and the codebook.
    pub label: Option<Text>,
    /// The question is asked only when this is true.
    pub filter: Option<Located<Expr>>,
    /// Whether "don't know" is offered.
    pub allow_dont_know: bool,
    /// Whether "refused" is offered.
    pub allow_refused: bool,
    /// Hard and soft checks on the answer.
    pub checks: Vec<Check>,
    /// Where `var = …` is written in the file.
    pub(crate) span: Range<usize>,
}

/// The type of a question and its settings.
#[derive(Debug, Clone)]
pub enum QuestionKind {
    /// Exactly one option.
    Single {
        options: Vec<Choice>,
        randomize: bool,
    },
    /// One or more options.
    Multiple {
        options: Vec<Choice>,
        randomize: bool,
        max_choices: Option<usize>,
    },
    /// A whole number.
    Integer { min: Option<i64>, max: Option<i64> },
    /// A decimal number with at most `decimals` decimals.
    Decimal {
        min: Option<f64>,
        max: Option<f64>,
        decimals: u32,
    },
    /// Free text.
    Text { max_length: usize },
    /// A calendar date.
    Date {
        min: Option<Date>,
        max: Option<Date>,
    },
    /// A rating scale between two labelled ends.
    Scale {
        min: i64,
        max: i64,
        min_label: Option<Text>,
        max_label: Option<Text>,
    },
    /// Several single-choice items sharing the grid's text and options.
    Grid {
        options: Vec<Choice>,
        randomize: bool,
        items: Vec<GridItem>,
    },
    /// A text shown to the interviewer; stores only that it was read.
    Info,
    /// Not asked: takes the value of `expr` when the route reaches it. `options` (possibly
    /// empty) label the codes of a numeric categorical result (e.g. age bands) for fills and
    /// exports; they are never shown as answers.
    Computed {
        expr: Located<Expr>,
        options: Vec<Choice>,
    },
}

impl QuestionKind {
    /// The type's name as written in the file.
    pub fn name(&self) -> &'static str {
        match self {
            QuestionKind::Single { .. } => "single",
            QuestionKind::Multiple { .. } => "multiple",
            QuestionKind::Integer { .. } => "integer",
            QuestionKind::Decimal { .. } => "decimal",
            QuestionKind::Text { .. } => "text",
            QuestionKind::Date { .. } => "date",
            QuestionKind::Scale { .. } => "scale",
            QuestionKind::Grid { .. } => "grid",
            QuestionKind::Info => "info",
            QuestionKind::Computed { .. } => "computed",
        }
    }

    /// The options of a single, multiple or grid question, or the code labels of a computed
    /// variable (empty otherwise).
    pub fn options(&self) -> &[Choice] {
        match self {
            QuestionKind::Single { options, .. }
            | QuestionKind::Multiple { options, .. }
            | QuestionKind::Grid { options, .. }
            | QuestionKind::Computed { options, .. } => options,
            _ => &[],
        }
    }

    /// Whether options (or grid items) are shuffled per respondent.
    pub fn randomize(&self) -> bool {
        matches!(
            self,
            QuestionKind::Single {
                randomize: true,
                ..
            } | QuestionKind::Multiple {
                randomize: true,
                ..
            } | QuestionKind::Grid {
                randomize: true,
                ..
            }
        )
    }
}

/// An answer option.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The code stored and exported.
    pub code: i64,
    /// What is read or shown.
    pub label: Located<Text>,
    /// "Other, specify": choosing it asks for a text.
    pub other: bool,
    /// Multiple choice only: cannot be combined with another option.
    pub exclusive: bool,
    /// Keeps its place when options are randomised.
    pub anchor: bool,
    /// Where `code = …` is written.
    pub(crate) span: Range<usize>,
}

/// One item of a grid: its own variable, asked with the grid's text as a header.
#[derive(Debug, Clone)]
pub struct GridItem {
    /// Variable name of the item.
    pub var: String,
    /// The item's text.
    pub text: Located<Text>,
    /// Short label for exports (default: the text).
    pub label: Option<Text>,
    /// The item is asked only when this (and the grid's filter) is true.
    pub filter: Option<Located<Expr>>,
    pub(crate) span: Range<usize>,
}

/// A condition the answer must satisfy.
#[derive(Debug, Clone)]
pub struct Check {
    /// Must be true for the answer to be accepted.
    pub expr: Located<Expr>,
    /// Hard checks block; soft checks can be confirmed by the interviewer.
    pub hard: bool,
    /// Shown to the interviewer when the check fails.
    pub message: Located<Text>,
}
