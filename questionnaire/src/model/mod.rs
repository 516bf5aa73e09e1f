//! The questionnaire as the engine and the checks see it, built from the file by `format`.

mod question;
mod text;
mod variables;

pub use question::{Check, Choice, GridItem, Question, QuestionKind};
pub use text::Text;
pub(crate) use variables::other_name;
pub use variables::{OTHER_MAX_LENGTH, Variable, VariableKind, VariableSource};

use crate::expr::Expr;
use serde::Serialize;
use std::collections::HashMap;
use std::ops::{Deref, Range};

/// A value with the place in the file it was written (for findings).
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Byte range of the value in the source file.
    pub(crate) span: Range<usize>,
}

impl<T> Located<T> {
    pub(crate) fn new(value: T, span: Range<usize>) -> Located<T> {
        Located { value, span }
    }
}

impl<T> Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// A checked questionnaire, ready for interviews and exports.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    pub(crate) survey: Survey,
    pub(crate) preload: Vec<PreloadField>,
    pub(crate) sections: Vec<Section>,
    pub(crate) quota: Vec<String>,
    pub(crate) quota_spans: Vec<Range<usize>>,
    pub(crate) screen_out: Vec<ScreenOut>,
    /// Variable → the screen-out rules using it, so the engine re-evaluates only those.
    pub(crate) screen_out_triggers: HashMap<String, Vec<usize>>,
    pub(crate) closing: Closing,
    /// Variable name → where its question is; built once so the engine looks up in O(1).
    pub(crate) index: HashMap<String, VarPlace>,
}

/// Where a variable is defined: section, question and, for grid items, the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VarPlace {
    pub section: usize,
    pub question: usize,
    pub item: Option<usize>,
}

/// The `[survey]` table.
#[derive(Debug, Clone)]
pub struct Survey {
    /// Stable identifier.
    pub id: String,
    /// Title shown to managers.
    pub title: Text,
    /// Free version text; a wave pins one.
    pub version: String,
    /// Language codes, primary first.
    pub languages: Vec<String>,
    /// Survey-wide "don't know" code and label.
    pub dont_know: MissingCode,
    /// Survey-wide "refused" code and label.
    pub refused: MissingCode,
}

/// The export code and label of "don't know" or "refused".
#[derive(Debug, Clone)]
pub struct MissingCode {
    /// Code used in exports.
    pub code: i64,
    /// Label shown and exported as a value label.
    pub label: Text,
}

/// A field of the sample record.
#[derive(Debug, Clone, Serialize)]
pub struct PreloadField {
    /// Name used in expressions and fills.
    pub name: String,
    /// Declared type; the engine parses the record's text accordingly.
    pub kind: PreloadType,
    /// Personal data never leaves cati (exports skip it).
    pub personal: bool,
    /// Optional description.
    pub label: Option<String>,
    #[serde(skip)]
    pub(crate) span: Range<usize>,
}

/// The type of a preload field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PreloadType {
    /// Any text.
    Text,
    /// A whole number.
    Integer,
    /// A number, comma or point.
    Decimal,
    /// A date `YYYY-MM-DD`.
    Date,
}

/// A `[[section]]`.
#[derive(Debug, Clone)]
pub struct Section {
    /// Identifier (also the randomisation key of the section).
    pub id: String,
    /// Title shown above its questions.
    pub title: Text,
    /// Questions asked in a per-respondent shuffled order.
    pub randomize: bool,
    /// Questions in file order.
    pub questions: Vec<Question>,
    pub(crate) span: Range<usize>,
}

/// An eligibility rule of `[screening]`.
#[derive(Debug, Clone)]
pub struct ScreenOut {
    /// The respondent is screened out as soon as this is true.
    pub when: Located<Expr>,
    /// Why, recorded with the interview.
    pub reason: Located<Text>,
}

/// The texts read at the end of an interview.
#[derive(Debug, Clone)]
pub struct Closing {
    /// After a completed interview.
    pub completed: Located<Text>,
    /// After a screen-out (rule or refused quota).
    pub screened_out: Located<Text>,
    /// When the respondent refuses the interview.
    pub refusal: Located<Text>,
}

impl Questionnaire {
    /// Stable identifier of the survey.
    pub fn id(&self) -> &str {
        &self.survey.id
    }

    /// Title in the primary language.
    pub fn title(&self) -> &str {
        self.survey.title.primary()
    }

    /// Version text.
    pub fn version(&self) -> &str {
        &self.survey.version
    }

    /// Language codes, primary first.
    pub fn languages(&self) -> &[String] {
        &self.survey.languages
    }

    /// The primary language.
    pub fn primary_language(&self) -> &str {
        self.survey.languages.first().map_or("fr", String::as_str)
    }

    /// The `[survey]` table.
    pub fn survey(&self) -> &Survey {
        &self.survey
    }

    /// Export code of "don't know".
    pub fn dont_know_code(&self) -> i64 {
        self.survey.dont_know.code
    }

    /// Export code of "refused".
    pub fn refused_code(&self) -> i64 {
        self.survey.refused.code
    }

    /// Fields of the sample record.
    pub fn preload_fields(&self) -> &[PreloadField] {
        &self.preload
    }

    /// Variables defining the respondent's quota cell.
    pub fn quota_variables(&self) -> &[String] {
        &self.quota
    }

    /// Screen-out rules in file order.
    pub fn screen_out_rules(&self) -> &[ScreenOut] {
        &self.screen_out
    }

    /// Closing texts.
    pub fn closing(&self) -> &Closing {
        &self.closing
    }

    /// Sections in file order.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The question defining `var` (for a grid item: the grid).
    pub fn question(&self, var: &str) -> Option<&Question> {
        self.index
            .get(var)
            .map(|p| &self.sections[p.section].questions[p.question])
    }

    /// Whether `var` is a question, grid item or computed variable of this questionnaire.
    pub fn has_variable(&self, var: &str) -> bool {
        self.index.contains_key(var)
    }

    pub(crate) fn place(&self, var: &str) -> Option<VarPlace> {
        self.index.get(var).copied()
    }

    /// All questions in file order.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }
}
