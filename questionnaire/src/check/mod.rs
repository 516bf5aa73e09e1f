//! Static checks: everything an author should fix before fieldwork, each finding located in the
//! file. `format` reports what it sees while reading the file (syntax, keys, bounds, texts);
//! these checks look at the whole questionnaire (names, options, references, reachability,
//! screening).

mod catalog;
mod findings;
mod names;
mod options;
mod reachability;
mod references;
mod report;
mod screening;

pub(crate) use findings::Findings;
pub use report::{Finding, Report};

use crate::model::{QuestionKind, Questionnaire};
use catalog::Catalog;

/// Runs every check on a built questionnaire.
pub(crate) fn run(q: &Questionnaire, findings: &mut Findings<'_>) {
    names::check(q, findings);
    options::check(q, findings);
    let mut catalog = Catalog::new(q);
    references::check(q, &mut catalog, findings);
    reachability::check(q, &mut catalog, findings);
    screening::check(q, &catalog, findings);
    if q.sections.iter().any(|s| !s.questions.is_empty()) && asked_questions(q) == 0 {
        findings.error_at_start(
            "the questionnaire asks no question (only info steps or computed variables)",
        );
    }
}

/// Steps asked to respondents: answerable questions, each grid item counting as one.
pub(crate) fn asked_questions(q: &Questionnaire) -> usize {
    q.questions()
        .map(|question| match &question.kind {
            QuestionKind::Grid { items, .. } => items.len(),
            QuestionKind::Info | QuestionKind::Computed { .. } => 0,
            _ => 1,
        })
        .sum()
}
