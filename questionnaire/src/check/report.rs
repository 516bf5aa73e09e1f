//! Findings of the static checks and the report `cati questionnaire check` prints.

use serde::Serialize;
use std::fmt;

/// A finding of the static checks, located in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The file name given to `check`.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters, when a precise place is known.
    pub column: Option<usize>,
    /// The question (variable) concerned, if any.
    pub question: Option<String>,
    /// What is wrong, for the author.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(c) = self.column {
            write!(f, ":{c}")?;
        }
        if let Some(q) = &self.question {
            write!(f, " [{q}]")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The result of `check`: `{"valid", "questions", "variables", "errors", "warnings"}` in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// No errors (warnings allowed).
    pub valid: bool,
    /// Number of steps asked to respondents: questions of every answerable type, each grid item
    /// counting as one question; `info` steps and computed variables are not counted.
    pub questions: usize,
    /// Number of exported variables (`Questionnaire::variables().len()`).
    pub variables: usize,
    /// Findings that make the questionnaire unusable.
    pub errors: Vec<Finding>,
    /// Findings an author should look at before fieldwork.
    pub warnings: Vec<Finding>,
}
