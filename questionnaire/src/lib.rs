//! The questionnaire: its model, its TOML file format, the expression language, static checks
//! and the interview engine. Pure: no I/O, no async, no database.
//!
//! # How the pieces fit
//!
//! A questionnaire is written by hand as one TOML file (`docs/questionnaire-format.md`).
//! [`check()`] reads it in two passes. `format` deserialises the TOML into raw tables that keep the
//! byte span of every value (`toml::Spanned`), rejects unknown keys and keys that do not fit a
//! question's type, parses every expression with [`expr::parse`], and builds the [`model`].
//! `check` then looks at the whole questionnaire: names (unique ignoring case, including the
//! names exports generate such as `VAR_1` and `VAR_O5`), options, references from filters,
//! checks, computed variables, fills and screen-out rules (unknown, later, same randomised
//! block), types (via [`expr::Expr::check`]), unreachable questions and screening. Every finding
//! names the file, the line and column and the question, so an author can fix it without
//! guessing. Bad input — not TOML, not UTF-8 ([`check_bytes`]), empty — gives an error finding,
//! never a panic.
//!
//! The [`engine`] runs interviews. It keeps no state of its own: the interview is a [`Record`]
//! (seed, answers, position, quota decision, all serialisable), and every call walks the route
//! from the first step, evaluating filters, computed variables, screen-out rules and the quota
//! point. That makes it deterministic and makes resuming trivial (call [`Interview::state`] on a
//! stored record); going back and changing an answer recomputes the route and removes the
//! answers that fell off it. Randomised orders come from [`random`] (SplitMix64 + Fisher–Yates
//! keyed by the seed and the variable), so they are reproducible in any later version.
//!
//! [`replay()`] plays a scripted path through the engine, for authors testing routes
//! (`cati questionnaire try`).

pub mod check;
pub mod date;
pub mod diff;
pub mod engine;
pub mod expr;
mod fills;
mod format;
pub mod model;
pub mod random;
pub mod replay;

pub use check::{Finding, Report};
pub use diff::{VersionDiff, diff};
pub use engine::{
    Answer, AnswerError, AnswerInput, Interview, OptionView, Preload, QuestionView, QuotaDecision,
    Record, State, Submitted, ViewKind,
};
pub use model::{Questionnaire, Variable, VariableKind, VariableSource};
pub use replay::{ReplayError, ReplayOutcome, Script, ScriptStep, replay};

/// Parses and checks a questionnaire; the questionnaire is returned when there is no error.
pub fn check(source: &str, file_name: &str) -> (Report, Option<Questionnaire>) {
    let mut findings = check::Findings::new(source, file_name);
    let questionnaire = format::build(source, &mut findings);
    if let Some(q) = &questionnaire {
        check::run(q, &mut findings);
    }
    let mut errors = std::mem::take(&mut findings.errors);
    let mut warnings = std::mem::take(&mut findings.warnings);
    errors.sort_by_key(|f| (f.line, f.column));
    warnings.sort_by_key(|f| (f.line, f.column));
    let valid = errors.is_empty() && questionnaire.is_some();
    let report = Report {
        valid,
        questions: questionnaire.as_ref().map_or(0, check::asked_questions),
        variables: questionnaire.as_ref().map_or(0, |q| q.variables().len()),
        errors,
        warnings,
    };
    (report, questionnaire.filter(|_| valid))
}

/// Like [`check()`], from the file's bytes: a file that is not UTF-8 gives an error finding at the
/// line of the first invalid byte.
pub fn check_bytes(bytes: &[u8], file_name: &str) -> (Report, Option<Questionnaire>) {
    match std::str::from_utf8(bytes) {
        Ok(source) => check(source.strip_prefix('\u{feff}').unwrap_or(source), file_name),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let finding = Finding {
                file: file_name.to_string(),
                line,
                column: None,
                question: None,
                message: format!(
                    "the file is not valid UTF-8 (invalid byte at offset {}): save it as UTF-8",
                    e.valid_up_to()
                ),
            };
            let report = Report {
                valid: false,
                questions: 0,
                variables: 0,
                errors: vec![finding],
                warnings: Vec::new(),
            };
            (report, None)
        }
    }
}

/// Why a questionnaire could not be loaded: its error findings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} error(s) in the questionnaire, first: {}", .errors.len(), .errors.first().map(ToString::to_string).unwrap_or_default())]
pub struct LoadError {
    /// Every error finding (warnings are dropped).
    pub errors: Vec<Finding>,
}

/// Parses and checks; `Err` carries the error findings (warnings are dropped).
pub fn load(source: &str, file_name: &str) -> Result<Questionnaire, LoadError> {
    match check(source, file_name) {
        (_, Some(q)) => Ok(q),
        (report, None) => Err(LoadError {
            errors: report.errors,
        }),
    }
}
