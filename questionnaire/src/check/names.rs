//! Variable names: pattern, length, uniqueness ignoring case (including the names generated for
//! multiple-choice options and "other" texts, grid items and preload fields), section ids.

use super::Findings;
use crate::model::{QuestionKind, Questionnaire, other_name};
use std::collections::HashMap;
use std::ops::Range;

/// Longest variable name accepted (SPSS and Stata limits leave room for 32).
const MAX_NAME: usize = 32;

pub(super) fn check(q: &Questionnaire, findings: &mut Findings<'_>) {
    // Lower-cased name → (description, span) of its first definition.
    let mut seen: HashMap<String, (String, Range<usize>)> = HashMap::new();
    let mut define = |findings: &mut Findings<'_>,
                      name: &str,
                      what: String,
                      span: &Range<usize>,
                      question: &str| {
        match seen.get(&name.to_lowercase()) {
            Some((first, first_span)) => {
                let line = line_of(findings, first_span);
                findings.error(
                    span,
                    Some(question),
                    format!("duplicate variable name `{name}` ({what}): already used by {first} on line {line} (names are compared ignoring case)"),
                );
            }
            None => {
                seen.insert(name.to_lowercase(), (what, span.clone()));
            }
        }
    };
    for field in &q.preload {
        valid_name(findings, &field.name, &field.span, &field.name);
        define(
            findings,
            &field.name,
            format!("preload field `{}`", field.name),
            &field.span,
            &field.name,
        );
    }
    for question in q.questions() {
        let var = &question.var;
        valid_name(findings, var, &question.span, var);
        define(
            findings,
            var,
            format!("question `{var}`"),
            &question.span,
            var,
        );
        let options = question.kind.options();
        if let QuestionKind::Multiple { .. } = question.kind {
            for o in options {
                let name = format!("{var}_{}", o.code);
                define(
                    findings,
                    &name,
                    format!("the variable generated for option {} of `{var}`", o.code),
                    &o.span,
                    var,
                );
            }
        }
        if !matches!(question.kind, QuestionKind::Grid { .. }) {
            for o in options.iter().filter(|o| o.other) {
                let name = other_name(var, o.code);
                define(
                    findings,
                    &name,
                    format!(
                        "the variable generated for the \"other\" text of option {} of `{var}`",
                        o.code
                    ),
                    &o.span,
                    var,
                );
            }
        }
        if let QuestionKind::Grid { items, .. } = &question.kind {
            for item in items {
                valid_name(findings, &item.var, &item.span, &item.var);
                define(
                    findings,
                    &item.var,
                    format!("item of grid `{var}`"),
                    &item.span,
                    &item.var,
                );
            }
        }
    }
    let mut sections: HashMap<&str, &Range<usize>> = HashMap::new();
    for section in &q.sections {
        if let Some(first) = sections.insert(&section.id, &section.span) {
            let line = line_of(findings, first);
            findings.error(
                &section.span,
                None,
                format!(
                    "duplicate section id `{}` (first on line {line})",
                    section.id
                ),
            );
        }
    }
}

fn valid_name(findings: &mut Findings<'_>, name: &str, span: &Range<usize>, question: &str) {
    let mut chars = name.chars();
    let pattern = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !pattern {
        findings.error(
            span,
            Some(question),
            format!("invalid variable name `{name}`: a letter, then letters, digits or '_' (no accents or spaces)"),
        );
    } else if name.len() > MAX_NAME {
        findings.error(
            span,
            Some(question),
            format!(
                "variable name `{name}` is {} characters long; at most {MAX_NAME}",
                name.len()
            ),
        );
    }
}

fn line_of(findings: &Findings<'_>, span: &Range<usize>) -> usize {
    findings.line(span)
}
