//! One `[[section.question]]` table → a `Question`, rejecting keys that do not fit its type.

use super::build::Builder;
use super::raw::{RawBound, RawOptions, RawQuestion};
use crate::date::Date;
use crate::model::{Check, Choice, GridItem, Located, Question, QuestionKind};
use std::ops::Range;
use toml::Spanned;

const TYPES: &str = "single, multiple, integer, decimal, text, date, scale, grid, info, computed";

impl Builder<'_, '_> {
    /// Builds a question; `None` (with an error) when its `var` or `type` is missing or unknown.
    pub fn question(&mut self, raw: Spanned<RawQuestion>) -> Option<Question> {
        let span = raw.span();
        let raw = raw.into_inner();
        let Some(var) = &raw.var else {
            self.findings.error(&span, None, "question without a `var`");
            return None;
        };
        let name = var.get_ref().clone();
        let q = Some(name.as_str());
        let Some(kind) = &raw.kind else {
            self.findings
                .error(&var.span(), q, format!("question has no `type` ({TYPES})"));
            return None;
        };
        let t = kind.get_ref().as_str();
        if !TYPES.split(", ").any(|k| k == t) {
            self.findings.error(
                &kind.span(),
                q,
                format!("unknown question type `{t}` ({TYPES})"),
            );
            return None;
        }
        self.reject_foreign_keys(&raw, t, &name);
        let kind = self.kind(&raw, t, &name, &var.span())?;
        let text = match &raw.text {
            Some(text) => Some(Located::new(self.text(text, q), text.span())),
            None if t != "computed" => {
                self.findings
                    .error(&var.span(), q, "question has no `text`");
                None
            }
            None => None,
        };
        let answerable = !matches!(t, "info" | "computed");
        let checks = match &raw.checks {
            Some(c) => c
                .get_ref()
                .iter()
                .filter_map(|c| self.check(c, &name))
                .collect(),
            None => Vec::new(),
        };
        Some(Question {
            span: var.span(),
            var: name.clone(),
            kind,
            text,
            instruction: raw
                .instruction
                .as_ref()
                .map(|i| Located::new(self.text(i, q), i.span())),
            label: raw.label.as_ref().map(|l| self.text(l, q)),
            filter: raw.filter.as_ref().and_then(|f| self.expr(f, q)),
            allow_dont_know: answerable && raw.dont_know.as_ref().is_none_or(|d| *d.get_ref()),
            allow_refused: answerable && raw.refused.as_ref().is_none_or(|d| *d.get_ref()),
            checks,
        })
    }

    fn reject_foreign_keys(&mut self, raw: &RawQuestion, t: &str, var: &str) {
        let choice = matches!(t, "single" | "multiple" | "grid");
        let bounded = matches!(t, "integer" | "decimal" | "scale" | "date");
        let answerable = !matches!(t, "info" | "computed");
        let keys: [(&str, Option<Range<usize>>, bool); 16] = [
            (
                "text",
                raw.text.as_ref().map(Spanned::span),
                t != "computed",
            ),
            (
                "instruction",
                raw.instruction.as_ref().map(Spanned::span),
                t != "computed",
            ),
            (
                "options",
                raw.options.as_ref().map(Spanned::span),
                choice || t == "computed",
            ),
            (
                "randomize",
                raw.randomize.as_ref().map(Spanned::span),
                choice,
            ),
            (
                "max_choices",
                raw.max_choices.as_ref().map(Spanned::span),
                t == "multiple",
            ),
            ("min", raw.min.as_ref().map(Spanned::span), bounded),
            ("max", raw.max.as_ref().map(Spanned::span), bounded),
            (
                "decimals",
                raw.decimals.as_ref().map(Spanned::span),
                t == "decimal",
            ),
            (
                "max_length",
                raw.max_length.as_ref().map(Spanned::span),
                t == "text",
            ),
            (
                "min_label",
                raw.min_label.as_ref().map(Spanned::span),
                t == "scale",
            ),
            (
                "max_label",
                raw.max_label.as_ref().map(Spanned::span),
                t == "scale",
            ),
            ("items", raw.items.as_ref().map(Spanned::span), t == "grid"),
            (
                "expr",
                raw.expr.as_ref().map(Spanned::span),
                t == "computed",
            ),
            (
                "dont_know",
                raw.dont_know.as_ref().map(Spanned::span),
                answerable,
            ),
            (
                "refused",
                raw.refused.as_ref().map(Spanned::span),
                answerable,
            ),
            (
                "checks",
                raw.checks.as_ref().map(Spanned::span),
                answerable && t != "grid",
            ),
        ];
        for (key, span, allowed) in keys {
            if let (Some(span), false) = (span, allowed) {
                self.findings.error(
                    &span,
                    Some(var),
                    format!("`{key}` does not apply to a question of type `{t}`"),
                );
            }
        }
    }

    fn kind(
        &mut self,
        raw: &RawQuestion,
        t: &str,
        var: &str,
        at: &Range<usize>,
    ) -> Option<QuestionKind> {
        let randomize = raw.randomize.as_ref().is_some_and(|r| *r.get_ref());
        Some(match t {
            "single" => QuestionKind::Single {
                options: self.options(raw, var, at),
                randomize,
            },
            "multiple" => {
                let options = self.options(raw, var, at);
                let max_choices = raw.max_choices.as_ref().map(|m| {
                    let n = *m.get_ref();
                    if n < 1 || (!options.is_empty() && n > options.len() as i64) {
                        self.findings.error(
                            &m.span(),
                            Some(var),
                            format!("`max_choices` = {n} must be between 1 and the number of options ({})", options.len()),
                        );
                    }
                    n.max(1) as usize
                });
                QuestionKind::Multiple {
                    options,
                    randomize,
                    max_choices,
                }
            }
            "integer" | "scale" => {
                let min = self.integer_bound(raw.min.as_ref(), "min", var);
                let max = self.integer_bound(raw.max.as_ref(), "max", var);
                self.ordered(min, max, raw, var);
                if t == "integer" {
                    QuestionKind::Integer { min, max }
                } else {
                    let (Some(min), Some(max)) = (min, max) else {
                        self.findings
                            .error(at, Some(var), "a scale needs both `min` and `max`");
                        return None;
                    };
                    let q = Some(var);
                    QuestionKind::Scale {
                        min,
                        max,
                        min_label: raw.min_label.as_ref().map(|l| self.text(l, q)),
                        max_label: raw.max_label.as_ref().map(|l| self.text(l, q)),
                    }
                }
            }
            "decimal" => {
                let min = self.decimal_bound(raw.min.as_ref(), "min", var);
                let max = self.decimal_bound(raw.max.as_ref(), "max", var);
                self.ordered(min, max, raw, var);
                let decimals = match &raw.decimals {
                    Some(d) if !(0..=9).contains(d.get_ref()) => {
                        self.findings.error(
                            &d.span(),
                            Some(var),
                            "`decimals` must be between 0 and 9",
                        );
                        2
                    }
                    Some(d) => *d.get_ref() as u32,
                    None => 2,
                };
                QuestionKind::Decimal { min, max, decimals }
            }
            "date" => {
                let min = self.date_bound(raw.min.as_ref(), "min", var);
                let max = self.date_bound(raw.max.as_ref(), "max", var);
                self.ordered(min, max, raw, var);
                QuestionKind::Date { min, max }
            }
            "text" => QuestionKind::Text {
                max_length: match &raw.max_length {
                    Some(m) if *m.get_ref() < 1 => {
                        self.findings.error(
                            &m.span(),
                            Some(var),
                            "`max_length` must be at least 1",
                        );
                        500
                    }
                    Some(m) => *m.get_ref() as usize,
                    None => 500,
                },
            },
            "grid" => {
                let options = self.options(raw, var, at);
                let items = match &raw.items {
                    Some(items) if !items.get_ref().is_empty() => items
                        .get_ref()
                        .iter()
                        .filter_map(|i| self.item(i))
                        .collect(),
                    Some(items) => {
                        self.findings.error(
                            &items.span(),
                            Some(var),
                            "a grid needs at least one item",
                        );
                        Vec::new()
                    }
                    None => {
                        self.findings.error(at, Some(var), "a grid needs `items`");
                        Vec::new()
                    }
                };
                QuestionKind::Grid {
                    options,
                    randomize,
                    items,
                }
            }
            "info" => QuestionKind::Info,
            _ => {
                let Some(e) = &raw.expr else {
                    self.findings
                        .error(at, Some(var), "a computed variable needs an `expr`");
                    return None;
                };
                let options = match &raw.options {
                    Some(_) => self.options(raw, var, at),
                    None => Vec::new(),
                };
                QuestionKind::Computed {
                    expr: self.expr(e, Some(var))?,
                    options,
                }
            }
        })
    }

    /// Inline options or a named list (marked used).
    fn options(&mut self, raw: &RawQuestion, var: &str, at: &Range<usize>) -> Vec<Choice> {
        let Some(options) = &raw.options else {
            self.findings
                .error(at, Some(var), "question has no `options`");
            return Vec::new();
        };
        match options.get_ref() {
            RawOptions::List(name) => match self.lists.get_mut(name) {
                Some(list) => {
                    list.used = true;
                    list.options.clone()
                }
                None => {
                    let mut known: Vec<&str> = self.lists.keys().map(String::as_str).collect();
                    known.sort_unstable();
                    let known = if known.is_empty() {
                        "no [lists] are defined".to_string()
                    } else {
                        format!("lists: {}", known.join(", "))
                    };
                    self.findings.error(
                        &options.span(),
                        Some(var),
                        format!("unknown list `{name}` ({known})"),
                    );
                    Vec::new()
                }
            },
            RawOptions::Inline(list) => {
                if list.is_empty() {
                    self.findings
                        .error(&options.span(), Some(var), "empty option list");
                }
                list.iter()
                    .map(|o| self.choice(o.clone(), Some(var)))
                    .collect()
            }
        }
    }

    fn item(&mut self, raw: &Spanned<super::raw::RawItem>) -> Option<GridItem> {
        let r = raw.get_ref();
        let var = r.var.get_ref().clone();
        let q = Some(var.as_str());
        Some(GridItem {
            text: Located::new(self.text(&r.text, q), r.text.span()),
            label: r.label.as_ref().map(|l| self.text(l, q)),
            filter: r.filter.as_ref().and_then(|f| self.expr(f, q)),
            span: r.var.span(),
            var,
        })
    }

    fn check(&mut self, raw: &Spanned<super::raw::RawCheck>, var: &str) -> Option<Check> {
        let r = raw.get_ref();
        let q = Some(var);
        let (source, hard) = match (&r.hard, &r.soft) {
            (Some(h), None) => (h, true),
            (None, Some(s)) => (s, false),
            _ => {
                self.findings.error(
                    &raw.span(),
                    q,
                    "a check needs exactly one of `hard` or `soft`",
                );
                return None;
            }
        };
        let Some(message) = &r.message else {
            self.findings.error(
                &raw.span(),
                q,
                "a check needs a `message` for the interviewer",
            );
            return None;
        };
        Some(Check {
            expr: self.expr(source, q)?,
            hard,
            message: Located::new(self.text(message, q), message.span()),
        })
    }

    fn integer_bound(
        &mut self,
        b: Option<&Spanned<RawBound>>,
        key: &str,
        var: &str,
    ) -> Option<i64> {
        match b?.get_ref() {
            RawBound::Integer(i) => Some(*i),
            _ => {
                self.findings.error(
                    &b?.span(),
                    Some(var),
                    format!("`{key}` must be a whole number"),
                );
                None
            }
        }
    }

    fn decimal_bound(
        &mut self,
        b: Option<&Spanned<RawBound>>,
        key: &str,
        var: &str,
    ) -> Option<f64> {
        match b?.get_ref() {
            RawBound::Integer(i) => Some(*i as f64),
            RawBound::Decimal(d) => Some(*d),
            RawBound::Text(_) => {
                self.findings
                    .error(&b?.span(), Some(var), format!("`{key}` must be a number"));
                None
            }
        }
    }

    fn date_bound(&mut self, b: Option<&Spanned<RawBound>>, key: &str, var: &str) -> Option<Date> {
        let parsed = match b?.get_ref() {
            RawBound::Text(s) => Date::parse(s),
            _ => None,
        };
        if parsed.is_none() {
            self.findings.error(
                &b?.span(),
                Some(var),
                format!("`{key}` must be a date written \"YYYY-MM-DD\""),
            );
        }
        parsed
    }

    fn ordered<T: PartialOrd + std::fmt::Display>(
        &mut self,
        min: Option<T>,
        max: Option<T>,
        raw: &RawQuestion,
        var: &str,
    ) {
        if let (Some(min), Some(max), Some(at)) = (min, max, raw.min.as_ref())
            && min > max
        {
            self.findings.error(
                &at.span(),
                Some(var),
                format!("`min` ({min}) is greater than `max` ({max})"),
            );
        }
    }
}
