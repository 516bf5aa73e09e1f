//! What changed between two versions of a questionnaire, for survey managers preparing the next
//! wave: questions added, removed or retyped, options, filters, texts, bounds, grid items, the
//! offer of "don't know" / "refused", screening — and whether the two waves can be stacked
//! without mixing different things under one variable.
//!
//! Questions and grid items are matched by exact variable name (as stacked exports match
//! columns); texts are compared in the primary language, ignoring spacing; expressions ignoring
//! spacing outside string literals. Dataset-level differences (variable labels, value labels,
//! storage) are reported by the exports' stack report, not here.

mod normalise;
mod report;

use crate::expr::Expr;
use crate::model::{Choice, GridItem, Question, QuestionKind, Questionnaire, ScreenOut, Section};
use normalise::{collapse_expr, collapse_text, same_expr, same_meaning};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Which questionnaire version a side of the comparison is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionId {
    /// Survey identifier (`[survey] id`).
    pub id: String,
    /// Version text (`[survey] version`).
    pub version: String,
}

/// A question present in only one of the versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionSummary {
    /// Variable name.
    pub var: String,
    /// Type as written in the file (`single`, `grid`…); see [`type_label`] for managers.
    pub kind: &'static str,
    /// Identifier of its section.
    pub section: String,
    /// Title of its section in the primary language.
    pub section_title: String,
}

/// A question whose variable name was kept but whose type changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeChange {
    /// Variable name.
    pub var: String,
    /// Type in the earlier version, as written in the file.
    pub before: &'static str,
    /// Type in the later version.
    pub after: &'static str,
}

/// An option (code and primary-language label).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionSummary {
    /// Code stored and exported.
    pub code: i64,
    /// Label in the primary language.
    pub label: String,
}

/// An option kept under the same code with another label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionRelabel {
    /// Code.
    pub code: i64,
    /// Label before, primary language.
    pub before: String,
    /// Label after.
    pub after: String,
    /// The labels differ by more than case, punctuation and spacing: the code is taken as
    /// re-used with another meaning, which makes the waves not comparable.
    pub new_meaning: bool,
}

/// A flag of an option that can change what is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionFlag {
    /// "Other, specify": choosing the option asks for a text.
    Other,
    /// Cannot be combined with another option (multiple choice).
    Exclusive,
}

/// An option whose `other` or `exclusive` flag changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionFlagChange {
    /// Code.
    pub code: i64,
    /// Label in the later version, primary language.
    pub label: String,
    /// Which flag.
    pub flag: OptionFlag,
    /// Flag before.
    pub before: bool,
    /// Flag after.
    pub after: bool,
}

/// The option changes of one question (single, multiple or grid in both versions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionChanges {
    /// Variable name of the question (for a grid: the grid).
    pub var: String,
    /// Codes only in the later version, in its order.
    pub added: Vec<OptionSummary>,
    /// Codes only in the earlier version, in its order.
    pub removed: Vec<OptionSummary>,
    /// Codes kept with another label.
    pub relabelled: Vec<OptionRelabel>,
    /// Codes whose `other` or `exclusive` flag changed.
    pub flags: Vec<OptionFlagChange>,
}

/// A filter (or a computed variable's expression) written differently, added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpressionChange {
    /// Variable name of the question or grid item.
    pub var: String,
    /// Source before, spacing collapsed; absent: there was none.
    pub before: Option<String>,
    /// Source after; absent: there is none any more.
    pub after: Option<String>,
}

/// A text (question or grid item) reworded, primary language, spacing collapsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextChange {
    /// Variable name of the question or grid item.
    pub var: String,
    /// Text before.
    pub before: String,
    /// Text after.
    pub after: String,
}

/// Inclusive bounds of an integer, decimal or scale question (absent: no bound).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bounds {
    /// Lowest accepted value.
    pub min: Option<f64>,
    /// Highest accepted value.
    pub max: Option<f64>,
}

/// Bounds changed on a question that has bounds in both versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RangeChange {
    /// Variable name.
    pub var: String,
    /// Bounds before.
    pub before: Bounds,
    /// Bounds after.
    pub after: Bounds,
}

/// A grid item (its own variable) with its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemSummary {
    /// Variable name of the item.
    pub var: String,
    /// Text in the primary language.
    pub text: String,
}

/// The item changes of a question that is a grid in both versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GridItemChanges {
    /// Variable name of the grid.
    pub var: String,
    /// Items only in the later version, in its order.
    pub added: Vec<ItemSummary>,
    /// Items only in the earlier version, in its order.
    pub removed: Vec<ItemSummary>,
    /// Items kept with another text.
    pub relabelled: Vec<TextChange>,
}

/// Which non-substantive answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingAnswer {
    /// "Don't know".
    DontKnow,
    /// "Refused".
    Refused,
}

/// "Don't know" or "refused" offered in one version and not in the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingOfferChange {
    /// Variable name.
    pub var: String,
    /// Which answer.
    pub answer: MissingAnswer,
    /// Offered before.
    pub before: bool,
    /// Offered after.
    pub after: bool,
}

/// A screen-out rule: its condition (spacing collapsed) and reason (primary language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScreenOutRule {
    /// Condition.
    pub when: String,
    /// Reason recorded with the interview.
    pub reason: String,
}

/// A screen-out rule kept (same condition) with another reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonChange {
    /// Condition, as in the later version.
    pub when: String,
    /// Reason before.
    pub before: String,
    /// Reason after.
    pub after: String,
}

/// What changed in `[screening]`: quota variables (as a set) and screen-out rules (matched by
/// condition).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScreeningChanges {
    /// Quota variables only in the later version.
    pub quota_added: Vec<String>,
    /// Quota variables only in the earlier version.
    pub quota_removed: Vec<String>,
    /// Rules whose condition is only in the later version.
    pub rules_added: Vec<ScreenOutRule>,
    /// Rules whose condition is only in the earlier version.
    pub rules_removed: Vec<ScreenOutRule>,
    /// Rules kept with another reason.
    pub reasons_changed: Vec<ReasonChange>,
}

impl ScreeningChanges {
    fn is_empty(&self) -> bool {
        self.quota_added.is_empty()
            && self.quota_removed.is_empty()
            && self.rules_added.is_empty()
            && self.rules_removed.is_empty()
            && self.reasons_changed.is_empty()
    }
}

/// The questionnaire-level difference between two versions. Lists follow the later version's
/// order; removed things follow the earlier version's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionDiff {
    /// The earlier version.
    pub from: VersionId,
    /// The later version.
    pub to: VersionId,
    /// Questions only in the later version.
    pub added: Vec<QuestionSummary>,
    /// Questions only in the earlier version.
    pub removed: Vec<QuestionSummary>,
    /// Questions that kept their variable name but changed type.
    pub retyped: Vec<TypeChange>,
    /// Option changes, per question that has options in both versions.
    pub options: Vec<OptionChanges>,
    /// Filters of questions and grid items changed, added or removed.
    pub filters: Vec<ExpressionChange>,
    /// Expressions of computed variables changed.
    pub computations: Vec<ExpressionChange>,
    /// Question texts reworded.
    pub texts: Vec<TextChange>,
    /// Bounds of integer, decimal and scale questions changed.
    pub ranges: Vec<RangeChange>,
    /// Grid items added, removed or reworded, per grid.
    pub grid_items: Vec<GridItemChanges>,
    /// "Don't know" / "refused" switched on or off.
    pub missing_offers: Vec<MissingOfferChange>,
    /// Quota variables and screen-out rules.
    pub screening: ScreeningChanges,
}

/// Compares two versions of a questionnaire: `old` is the earlier one (the last wave's).
pub fn diff(old: &Questionnaire, new: &Questionnaire) -> VersionDiff {
    let mut diff = VersionDiff {
        from: version_id(old),
        to: version_id(new),
        added: Vec::new(),
        removed: Vec::new(),
        retyped: Vec::new(),
        options: Vec::new(),
        filters: Vec::new(),
        computations: Vec::new(),
        texts: Vec::new(),
        ranges: Vec::new(),
        grid_items: Vec::new(),
        missing_offers: Vec::new(),
        screening: screening(old, new),
    };
    let earlier: HashMap<&str, &Question> = old.questions().map(|q| (q.var.as_str(), q)).collect();
    for (section, question) in with_sections(new) {
        match earlier.get(question.var.as_str()) {
            Some(before) => diff.compare(before, question),
            None => diff.added.push(summary(section, question)),
        }
    }
    let later: HashSet<&str> = new.questions().map(|q| q.var.as_str()).collect();
    diff.removed = with_sections(old)
        .filter(|(_, q)| !later.contains(q.var.as_str()))
        .map(|(section, q)| summary(section, q))
        .collect();
    diff
}

/// The French name of a question type as written in the file (`single` → « choix unique »),
/// for pages showing a [`VersionDiff`] read from JSON.
pub fn type_label(kind: &str) -> &'static str {
    match kind {
        "single" => "choix unique",
        "multiple" => "choix multiples",
        "integer" => "nombre entier",
        "decimal" => "nombre décimal",
        "text" => "texte",
        "date" => "date",
        "scale" => "échelle",
        "grid" => "grille",
        "info" => "information",
        "computed" => "calculée",
        _ => "type inconnu",
    }
}

impl VersionDiff {
    /// Whether the two versions ask the same things the same way (as far as this diff looks).
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.retyped.is_empty()
            && self.options.is_empty()
            && self.filters.is_empty()
            && self.computations.is_empty()
            && self.texts.is_empty()
            && self.ranges.is_empty()
            && self.grid_items.is_empty()
            && self.missing_offers.is_empty()
            && self.screening.is_empty()
    }

    /// Whether the waves can be stacked without mixing different things under one variable.
    ///
    /// The rule: not comparable as soon as a question kept its variable name but changed type,
    /// or a question kept in both versions no longer offers one of its codes, or offers a code
    /// with a label that differs by more than case, punctuation and spacing (the code is
    /// re-used with another meaning). Everything else — questions added or removed, new codes,
    /// reworded texts, filters, bounds, grid items added or removed, screening — is reported
    /// but leaves the waves comparable: a variable keeps meaning the same thing, even if it is
    /// asked of other people or with other words, which the manager judges from the report.
    pub fn comparable(&self) -> bool {
        self.retyped.is_empty()
            && self
                .options
                .iter()
                .all(|o| o.removed.is_empty() && !o.relabelled.iter().any(|r| r.new_meaning))
    }

    fn compare(&mut self, before: &Question, after: &Question) {
        let var = &after.var;
        if before.kind.name() != after.kind.name() {
            self.retyped.push(TypeChange {
                var: var.clone(),
                before: before.kind.name(),
                after: after.kind.name(),
            });
        }
        if let Some(changes) = option_changes(var, before.kind.options(), after.kind.options()) {
            self.options.push(changes);
        }
        if let Some(change) =
            expression_change(var, before.filter.as_deref(), after.filter.as_deref())
        {
            self.filters.push(change);
        }
        if let (QuestionKind::Computed { expr: a, .. }, QuestionKind::Computed { expr: b, .. }) =
            (&before.kind, &after.kind)
            && let Some(change) = expression_change(var, Some(&a.value), Some(&b.value))
        {
            self.computations.push(change);
        }
        if let (Some(a), Some(b)) = (&before.text, &after.text)
            && let Some(change) = text_change(var, a.primary(), b.primary())
        {
            self.texts.push(change);
        }
        if let (Some(a), Some(b)) = (bounds(&before.kind), bounds(&after.kind))
            && a != b
        {
            self.ranges.push(RangeChange {
                var: var.clone(),
                before: a,
                after: b,
            });
        }
        if let (QuestionKind::Grid { items: a, .. }, QuestionKind::Grid { items: b, .. }) =
            (&before.kind, &after.kind)
        {
            self.compare_items(var, a, b);
        }
        if answerable(&before.kind) && answerable(&after.kind) {
            let offers = [
                (
                    MissingAnswer::DontKnow,
                    before.allow_dont_know,
                    after.allow_dont_know,
                ),
                (
                    MissingAnswer::Refused,
                    before.allow_refused,
                    after.allow_refused,
                ),
            ];
            for (answer, before, after) in offers {
                if before != after {
                    self.missing_offers.push(MissingOfferChange {
                        var: var.clone(),
                        answer,
                        before,
                        after,
                    });
                }
            }
        }
    }

    /// Items are matched by variable; their filters go with the questions' filters.
    fn compare_items(&mut self, grid: &str, before: &[GridItem], after: &[GridItem]) {
        let earlier: HashMap<&str, &GridItem> =
            before.iter().map(|i| (i.var.as_str(), i)).collect();
        let later: HashSet<&str> = after.iter().map(|i| i.var.as_str()).collect();
        let item = |i: &GridItem| ItemSummary {
            var: i.var.clone(),
            text: collapse_text(i.text.primary()),
        };
        let mut changes = GridItemChanges {
            var: grid.to_string(),
            added: Vec::new(),
            removed: before
                .iter()
                .filter(|i| !later.contains(i.var.as_str()))
                .map(item)
                .collect(),
            relabelled: Vec::new(),
        };
        for b in after {
            let Some(a) = earlier.get(b.var.as_str()) else {
                changes.added.push(item(b));
                continue;
            };
            if let Some(change) = text_change(&b.var, a.text.primary(), b.text.primary()) {
                changes.relabelled.push(change);
            }
            if let Some(change) =
                expression_change(&b.var, a.filter.as_deref(), b.filter.as_deref())
            {
                self.filters.push(change);
            }
        }
        if !(changes.added.is_empty()
            && changes.removed.is_empty()
            && changes.relabelled.is_empty())
        {
            self.grid_items.push(changes);
        }
    }
}

fn version_id(q: &Questionnaire) -> VersionId {
    VersionId {
        id: q.id().to_string(),
        version: q.version().to_string(),
    }
}

fn with_sections(q: &Questionnaire) -> impl Iterator<Item = (&Section, &Question)> {
    q.sections()
        .iter()
        .flat_map(|s| s.questions.iter().map(move |q| (s, q)))
}

fn summary(section: &Section, question: &Question) -> QuestionSummary {
    QuestionSummary {
        var: question.var.clone(),
        kind: question.kind.name(),
        section: section.id.clone(),
        section_title: section.title.primary().to_string(),
    }
}

/// Options are compared when both versions have some (single, multiple, grid, in any pair).
fn option_changes(var: &str, before: &[Choice], after: &[Choice]) -> Option<OptionChanges> {
    if before.is_empty() || after.is_empty() {
        return None;
    }
    let option = |c: &Choice| OptionSummary {
        code: c.code,
        label: collapse_text(c.label.primary()),
    };
    let earlier: HashMap<i64, &Choice> = before.iter().map(|c| (c.code, c)).collect();
    let later: HashSet<i64> = after.iter().map(|c| c.code).collect();
    let mut changes = OptionChanges {
        var: var.to_string(),
        added: Vec::new(),
        removed: before
            .iter()
            .filter(|c| !later.contains(&c.code))
            .map(option)
            .collect(),
        relabelled: Vec::new(),
        flags: Vec::new(),
    };
    for b in after {
        let Some(a) = earlier.get(&b.code) else {
            changes.added.push(option(b));
            continue;
        };
        let (was, is) = (
            collapse_text(a.label.primary()),
            collapse_text(b.label.primary()),
        );
        if was != is {
            changes.relabelled.push(OptionRelabel {
                code: b.code,
                new_meaning: !same_meaning(&was, &is),
                before: was,
                after: is.clone(),
            });
        }
        let flags = [
            (OptionFlag::Other, a.other, b.other),
            (OptionFlag::Exclusive, a.exclusive, b.exclusive),
        ];
        for (flag, before, after) in flags {
            if before != after {
                changes.flags.push(OptionFlagChange {
                    code: b.code,
                    label: is.clone(),
                    flag,
                    before,
                    after,
                });
            }
        }
    }
    let unchanged = changes.added.is_empty()
        && changes.removed.is_empty()
        && changes.relabelled.is_empty()
        && changes.flags.is_empty();
    (!unchanged).then_some(changes)
}

fn expression_change(
    var: &str,
    before: Option<&Expr>,
    after: Option<&Expr>,
) -> Option<ExpressionChange> {
    let same = match (before, after) {
        (Some(a), Some(b)) => same_expr(a.source(), b.source()),
        (a, b) => a.is_none() && b.is_none(),
    };
    (!same).then(|| ExpressionChange {
        var: var.to_string(),
        before: before.map(|e| collapse_expr(e.source())),
        after: after.map(|e| collapse_expr(e.source())),
    })
}

fn text_change(var: &str, before: &str, after: &str) -> Option<TextChange> {
    let (before, after) = (collapse_text(before), collapse_text(after));
    (before != after).then(|| TextChange {
        var: var.to_string(),
        before,
        after,
    })
}

/// Integer, decimal and scale questions have bounds; dates are left out (not numbers).
fn bounds(kind: &QuestionKind) -> Option<Bounds> {
    // Bounds written in a questionnaire are far below 2^53, so the conversion is exact.
    let whole = |v: Option<i64>| v.map(|v| v as f64);
    match kind {
        QuestionKind::Integer { min, max } => Some(Bounds {
            min: whole(*min),
            max: whole(*max),
        }),
        QuestionKind::Decimal { min, max, .. } => Some(Bounds {
            min: *min,
            max: *max,
        }),
        QuestionKind::Scale { min, max, .. } => Some(Bounds {
            min: whole(Some(*min)),
            max: whole(Some(*max)),
        }),
        _ => None,
    }
}

fn answerable(kind: &QuestionKind) -> bool {
    !matches!(kind, QuestionKind::Info | QuestionKind::Computed { .. })
}

fn screening(old: &Questionnaire, new: &Questionnaire) -> ScreeningChanges {
    let not_in = |list: &[String], other: &[String]| -> Vec<String> {
        list.iter()
            .filter(|v| !other.contains(v))
            .cloned()
            .collect()
    };
    let rule = |r: &ScreenOut| ScreenOutRule {
        when: collapse_expr(r.when.source()),
        reason: collapse_text(r.reason.primary()),
    };
    let (before, after) = (old.screen_out_rules(), new.screen_out_rules());
    let find = |rules: &[ScreenOut], source: &str| {
        rules
            .iter()
            .find(|r| same_expr(r.when.source(), source))
            .map(rule)
    };
    let mut changes = ScreeningChanges {
        quota_added: not_in(new.quota_variables(), old.quota_variables()),
        quota_removed: not_in(old.quota_variables(), new.quota_variables()),
        rules_removed: before
            .iter()
            .filter(|r| find(after, r.when.source()).is_none())
            .map(rule)
            .collect(),
        ..ScreeningChanges::default()
    };
    for r in after {
        let later = rule(r);
        match find(before, r.when.source()) {
            None => changes.rules_added.push(later),
            Some(earlier) if earlier.reason != later.reason => {
                changes.reasons_changed.push(ReasonChange {
                    when: later.when,
                    before: earlier.reason,
                    after: later.reason,
                });
            }
            Some(_) => {}
        }
    }
    changes
}
