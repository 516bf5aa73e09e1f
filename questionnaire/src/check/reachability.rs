//! Questions that can never be asked: a filter that can never be true given the domains of the
//! variables it uses, or one that only uses questions that are never asked themselves.

use super::Findings;
use super::catalog::Catalog;
use crate::expr::Expr;
use crate::model::{Located, QuestionKind, Questionnaire};

pub(super) fn check(q: &Questionnaire, catalog: &mut Catalog, findings: &mut Findings<'_>) {
    for question in q.questions() {
        let var = question.var.as_str();
        let reachable = question
            .filter
            .as_ref()
            .is_none_or(|f| filter_reachable(f, var, catalog, findings));
        mark(catalog, var, reachable);
        if let QuestionKind::Grid { items, .. } = &question.kind {
            for item in items {
                let item_reachable = reachable
                    && item
                        .filter
                        .as_ref()
                        .is_none_or(|f| filter_reachable(f, &item.var, catalog, findings));
                mark(catalog, &item.var, item_reachable);
            }
        }
    }
    for rule in &q.screen_out {
        if !rule.when.can_be_true(catalog) {
            findings.warning(
                &rule.when.span,
                None,
                format!("screen-out rule `{}` can never apply", rule.when.source()),
            );
        }
    }
}

fn mark(catalog: &mut Catalog, var: &str, reachable: bool) {
    if let Some(info) = catalog.vars.get_mut(var) {
        info.reachable = reachable;
    }
}

fn filter_reachable(
    f: &Located<Expr>,
    var: &str,
    catalog: &Catalog,
    findings: &mut Findings<'_>,
) -> bool {
    if !f.can_be_true(catalog) {
        findings.error(
            &f.span,
            Some(var),
            format!(
                "`{var}` can never be asked: its filter `{}` is never true",
                f.source()
            ),
        );
        return false;
    }
    let refs = f.references();
    let dead: Vec<&str> = refs
        .iter()
        .filter_map(|r| catalog.vars.get(&r.name).map(|info| (r, info)))
        .filter(|(_, info)| !info.reachable)
        .map(|(r, _)| r.name.as_str())
        .collect();
    if !refs.is_empty() && dead.len() == refs.len() {
        findings.warning(
            &f.span,
            Some(var),
            format!(
                "`{var}` is probably never asked: its filter only uses questions that are never asked ({})",
                dead.join(", ")
            ),
        );
        return false;
    }
    true
}
