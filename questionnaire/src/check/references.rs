//! Names used by expressions and fills: they must exist, be defined earlier (a filter may not use
//! its own question, a check may), not sit in the same randomised section or shuffled grid, and
//! expressions must type-check (conditions must be Boolean).

use super::Findings;
use super::catalog::Catalog;
use crate::expr::{Expr, Type};
use crate::fills::{self, Piece};
use crate::model::{Located, QuestionKind, Questionnaire, Text};

/// Where an expression or fill is written, and what it may refer to.
struct Ctx<'a> {
    question: Option<&'a str>,
    /// Only variables with a smaller order may be used (`usize::MAX`: any variable).
    order: usize,
    /// The variable the expression belongs to, and whether it may refer to itself.
    own: Option<&'a str>,
    allow_own: bool,
    section: Option<usize>,
    grid: Option<(usize, usize)>,
    /// "filter", "check", … for messages.
    role: &'static str,
    /// Filters of the question the text belongs to (fills of variables asked under other
    /// filters may show `…`).
    filters: Vec<String>,
}

pub(super) fn check(q: &Questionnaire, catalog: &mut Catalog, findings: &mut Findings<'_>) {
    let mut order = 0;
    for (s, section) in q.sections.iter().enumerate() {
        for (g, question) in section.questions.iter().enumerate() {
            order += 1;
            let var = question.var.as_str();
            let filters: Vec<String> = question
                .filter
                .iter()
                .map(|f| f.source().to_string())
                .collect();
            let ctx = |role, allow_own, order| Ctx {
                question: Some(var),
                order,
                own: Some(var),
                allow_own,
                section: Some(s),
                grid: None,
                role,
                filters: filters.clone(),
            };
            if let Some(f) = &question.filter {
                condition(f, &ctx("filter", false, order), catalog, findings);
            }
            for text in [&question.text, &question.instruction]
                .into_iter()
                .flatten()
            {
                text_fills(text, &ctx("text", false, order), catalog, findings);
            }
            for o in question.kind.options() {
                text_fills(
                    &o.label,
                    &ctx("option label", false, order),
                    catalog,
                    findings,
                );
            }
            for c in &question.checks {
                condition(&c.expr, &ctx("check", true, order), catalog, findings);
                text_fills(
                    &c.message,
                    &ctx("check message", true, order),
                    catalog,
                    findings,
                );
            }
            match &question.kind {
                QuestionKind::Computed { expr, options } => {
                    if let Some(t) = expression(
                        expr,
                        &ctx("computed expression", false, order),
                        catalog,
                        findings,
                    ) {
                        if let (Some(first), false) = (options.first(), t == Type::Number) {
                            findings.error(
                                &first.span,
                                Some(var),
                                format!(
                                    "`options` label the codes of a number, but the expression of `{var}` gives a {t}"
                                ),
                            );
                        }
                        catalog.set_computed_type(var, t);
                    }
                }
                QuestionKind::Grid {
                    items, randomize, ..
                } => {
                    for item in items {
                        order += 1;
                        let ctx = Ctx {
                            question: Some(&item.var),
                            order,
                            own: Some(&item.var),
                            allow_own: false,
                            section: Some(s),
                            grid: randomize.then_some((s, g)),
                            role: "item filter",
                            filters: question
                                .filter
                                .iter()
                                .chain(&item.filter)
                                .map(|f| f.source().to_string())
                                .collect(),
                        };
                        if let Some(f) = &item.filter {
                            condition(f, &ctx, catalog, findings);
                        }
                        text_fills(
                            &item.text,
                            &Ctx {
                                role: "item text",
                                ..ctx
                            },
                            catalog,
                            findings,
                        );
                    }
                }
                _ => {}
            }
        }
    }
    for rule in &q.screen_out {
        let ctx = Ctx {
            question: None,
            order: usize::MAX,
            own: None,
            allow_own: false,
            section: None,
            grid: None,
            role: "screen-out rule",
            filters: Vec::new(),
        };
        condition(&rule.when, &ctx, catalog, findings);
        text_fills(
            &rule.reason,
            &Ctx {
                role: "screen-out reason",
                ..ctx
            },
            catalog,
            findings,
        );
    }
    let closing = &q.closing;
    for text in [&closing.completed, &closing.screened_out, &closing.refusal] {
        let ctx = Ctx {
            question: None,
            order: usize::MAX,
            own: None,
            allow_own: false,
            section: None,
            grid: None,
            role: "closing text",
            filters: Vec::new(),
        };
        text_fills(text, &ctx, catalog, findings);
    }
}

/// A filter, check or rule: references valid and type Boolean.
fn condition(e: &Located<Expr>, ctx: &Ctx<'_>, catalog: &Catalog, findings: &mut Findings<'_>) {
    if let Some(t) = expression(e, ctx, catalog, findings)
        && t != Type::Bool
    {
        findings.error(
            &e.span,
            ctx.question,
            format!(
                "the {} `{}` must be a condition (true or false) but gives a {}",
                ctx.role,
                e.source(),
                type_name(t)
            ),
        );
    }
}

/// Checks references, then types; the type when everything is valid.
fn expression(
    e: &Located<Expr>,
    ctx: &Ctx<'_>,
    catalog: &Catalog,
    findings: &mut Findings<'_>,
) -> Option<Type> {
    let mut ok = true;
    for r in e.references() {
        if let Err(message) = reference(&r.name, ctx, catalog, findings) {
            findings.error_in_string(
                &e.span,
                r.column,
                ctx.question,
                format!("in {} `{}`: {message}", ctx.role, e.source()),
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    match e.check(catalog) {
        Ok(t) => Some(t),
        Err(err) => {
            findings.error_in_string(
                &e.span,
                err.column,
                ctx.question,
                format!(
                    "type error in {} `{}`: {}",
                    ctx.role,
                    e.source(),
                    err.message
                ),
            );
            None
        }
    }
}

/// Whether `name` may be used where `ctx` says; the message explains why not.
fn reference(
    name: &str,
    ctx: &Ctx<'_>,
    catalog: &Catalog,
    findings: &Findings<'_>,
) -> Result<(), String> {
    if catalog.preload.contains_key(name) {
        return Ok(());
    }
    let Some(info) = catalog.vars.get(name) else {
        let lower = name.to_lowercase();
        let near = catalog
            .vars
            .keys()
            .chain(catalog.preload.keys())
            .find(|k| k.to_lowercase() == lower);
        return Err(match near {
            Some(k) => format!(
                "unknown variable `{name}` (did you mean `{k}`? names are case-sensitive in expressions)"
            ),
            None => format!("unknown variable `{name}`"),
        });
    };
    if ctx.own == Some(name) {
        return if ctx.allow_own {
            Ok(())
        } else {
            Err(format!("`{name}` refers to itself"))
        };
    }
    if info.var_type.is_none() && info.what != "computed variable" {
        return Err(format!("`{name}` is a {} and has no value", info.what));
    }
    if ctx.order != usize::MAX && info.order >= ctx.order {
        let line = findings.line(&info.span);
        return Err(format!(
            "`{name}` is asked later (line {line}); a {} may only use earlier questions",
            ctx.role
        ));
    }
    if let Some(s) = ctx.section
        && s == info.section
        && catalog.randomized_sections.get(s).copied().unwrap_or(false)
    {
        return Err(format!(
            "`{name}` is in the same randomised section, so it may be asked after this question"
        ));
    }
    if let (Some((s, g)), Some((is, ig, _))) = (ctx.grid, info.grid)
        && (s, g) == (is, ig)
    {
        return Err(format!(
            "`{name}` is an item of the same randomised grid, so it may be asked after this item"
        ));
    }
    Ok(())
}

/// Fills in every translation of a text.
fn text_fills(text: &Located<Text>, ctx: &Ctx<'_>, catalog: &Catalog, findings: &mut Findings<'_>) {
    // Each name once per text, not once per translation.
    let mut reported = std::collections::HashSet::new();
    for (_, t) in text.translations() {
        match fills::parse(t) {
            Ok(pieces) => {
                for p in pieces {
                    let Piece::Fill { name, column, .. } = p else {
                        continue;
                    };
                    if !reported.insert(name) {
                        continue;
                    }
                    if let Err(message) = reference(name, ctx, catalog, findings) {
                        findings.error_in_string(
                            &text.span,
                            column,
                            ctx.question,
                            format!("in fill `{{{name}}}` of the {}: {message}", ctx.role),
                        );
                    } else if let Some(info) = catalog.vars.get(name)
                        && let Some(f) = info.filters.iter().find(|f| !ctx.filters.contains(f))
                    {
                        findings.warning(
                            &text.span,
                            ctx.question,
                            format!("the fill `{{{name}}}` of the {} shows \"…\" when `{name}` is skipped (its filter is `{f}`)", ctx.role),
                        );
                    }
                }
            }
            Err(e) => findings.error_in_string(
                &text.span,
                e.column,
                ctx.question,
                format!("in the {}: {}", ctx.role, e.message),
            ),
        }
    }
}

fn type_name(t: Type) -> &'static str {
    match t {
        Type::Number => "number",
        Type::Text => "text",
        Type::Date => "date",
        Type::Bool => "condition",
        Type::Codes => "set of codes",
    }
}
