//! `[screening]`: quota variables must exist, be single choice, integer or computed, be asked on
//! every route (or the quota point is never reached), and appear once.

use super::Findings;
use super::catalog::Catalog;
use crate::model::{QuestionKind, Questionnaire};
use std::collections::HashSet;

pub(super) fn check(q: &Questionnaire, catalog: &Catalog, findings: &mut Findings<'_>) {
    let mut seen = HashSet::new();
    for (name, span) in q.quota.iter().zip(&q.quota_spans) {
        if !seen.insert(name) {
            findings.error(
                span,
                Some(name),
                format!("quota variable `{name}` is listed twice"),
            );
            continue;
        }
        let Some(place) = q.place(name) else {
            let message = if catalog.preload.contains_key(name) {
                format!(
                    "quota variable `{name}` is a preload field; quotas use questions or computed variables (add a computed variable `= {name}`)"
                )
            } else {
                format!("quota variable `{name}` does not exist")
            };
            findings.error(span, Some(name), message);
            continue;
        };
        let question = &q.sections[place.section].questions[place.question];
        let suitable = place.item.is_some()
            || matches!(
                question.kind,
                QuestionKind::Single { .. }
                    | QuestionKind::Integer { .. }
                    | QuestionKind::Scale { .. }
                    | QuestionKind::Computed { .. }
            );
        if !suitable {
            findings.error(
                span,
                Some(name),
                format!(
                    "quota variable `{name}` is a `{}` question; quota variables must be single choice, integer or computed",
                    question.kind.name()
                ),
            );
            continue;
        }
        if catalog.vars.get(name).is_some_and(|v| !v.reachable) {
            findings.error(
                span,
                Some(name),
                format!("quota variable `{name}` is never asked"),
            );
        } else if question.filter.is_some() {
            findings.warning(
                span,
                Some(name),
                format!("quota variable `{name}` has a filter: respondents who skip it never reach the quota point"),
            );
        }
    }
}
