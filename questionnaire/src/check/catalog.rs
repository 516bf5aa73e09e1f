//! What the checks know about every name: where it is defined, its type for expressions and
//! whether it can be reached. Also the `Scope` given to `Expr::check`.

use crate::expr::{Scope, Type, VarType};
use crate::model::{PreloadType, Question, QuestionKind, Questionnaire};
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

/// A variable as the reference checks see it.
pub(crate) struct VarInfo {
    /// Position in questionnaire order (grid items numbered after their grid).
    pub order: usize,
    pub section: usize,
    /// The grid it is an item of (section, question) and whether its items are shuffled.
    pub grid: Option<(usize, usize, bool)>,
    /// `None` for info steps and grids themselves (no value to refer to).
    pub var_type: Option<VarType>,
    pub what: &'static str,
    pub reachable: bool,
    pub span: Range<usize>,
    /// Filter sources deciding whether it is asked (a grid's and its item's).
    pub filters: Vec<String>,
}

/// Every variable and preload field of a questionnaire.
pub(crate) struct Catalog {
    pub vars: HashMap<String, VarInfo>,
    pub preload: HashMap<String, VarType>,
    pub randomized_sections: Vec<bool>,
}

impl Catalog {
    pub fn new(q: &Questionnaire) -> Catalog {
        let mut vars = HashMap::new();
        let mut order = 0;
        for (s, section) in q.sections.iter().enumerate() {
            for (g, question) in section.questions.iter().enumerate() {
                let (var_type, what) = question_type(question);
                order += 1;
                vars.entry(question.var.clone()).or_insert(VarInfo {
                    order,
                    section: s,
                    grid: None,
                    var_type,
                    what,
                    reachable: true,
                    span: question.span.clone(),
                    filters: question
                        .filter
                        .iter()
                        .map(|f| f.source().to_string())
                        .collect(),
                });
                if let QuestionKind::Grid {
                    options,
                    randomize,
                    items,
                } = &question.kind
                {
                    for item in items {
                        order += 1;
                        vars.entry(item.var.clone()).or_insert(VarInfo {
                            order,
                            section: s,
                            grid: Some((s, g, *randomize)),
                            var_type: Some(VarType::Single {
                                codes: options.iter().map(|o| o.code).collect(),
                            }),
                            what: "grid item",
                            reachable: true,
                            span: item.span.clone(),
                            filters: question
                                .filter
                                .iter()
                                .chain(&item.filter)
                                .map(|f| f.source().to_string())
                                .collect(),
                        });
                    }
                }
            }
        }
        let preload = q
            .preload
            .iter()
            .map(|f| {
                let t = match f.kind {
                    PreloadType::Text => VarType::Text,
                    PreloadType::Integer => VarType::Integer {
                        min: None,
                        max: None,
                    },
                    PreloadType::Decimal => VarType::Decimal {
                        min: None,
                        max: None,
                    },
                    PreloadType::Date => VarType::Date,
                };
                (f.name.clone(), t)
            })
            .collect();
        Catalog {
            vars,
            preload,
            randomized_sections: q.sections.iter().map(|s| s.randomize).collect(),
        }
    }

    /// Records the type of a computed variable once its expression is checked.
    pub fn set_computed_type(&mut self, var: &str, t: Type) {
        if let Some(info) = self.vars.get_mut(var) {
            info.var_type = Some(match t {
                Type::Number => VarType::Decimal {
                    min: None,
                    max: None,
                },
                Type::Text => VarType::Text,
                Type::Date => VarType::Date,
                Type::Bool => VarType::Bool,
                Type::Codes => VarType::Multiple {
                    codes: BTreeSet::new(),
                },
            });
        }
    }
}

impl Scope for Catalog {
    fn lookup(&self, name: &str) -> Option<VarType> {
        self.preload
            .get(name)
            .cloned()
            .or_else(|| self.vars.get(name).and_then(|v| v.var_type.clone()))
    }
}

fn question_type(question: &Question) -> (Option<VarType>, &'static str) {
    let codes = || question.kind.options().iter().map(|o| o.code).collect();
    let t = match &question.kind {
        QuestionKind::Single { .. } => Some(VarType::Single { codes: codes() }),
        QuestionKind::Multiple { .. } => Some(VarType::Multiple { codes: codes() }),
        QuestionKind::Integer { min, max } => Some(VarType::Integer {
            min: min.map(|v| v as f64),
            max: max.map(|v| v as f64),
        }),
        QuestionKind::Scale { min, max, .. } => Some(VarType::Integer {
            min: Some(*min as f64),
            max: Some(*max as f64),
        }),
        QuestionKind::Decimal { min, max, .. } => Some(VarType::Decimal {
            min: *min,
            max: *max,
        }),
        QuestionKind::Text { .. } => Some(VarType::Text),
        QuestionKind::Date { .. } => Some(VarType::Date),
        // Typed once its expression is checked (see `set_computed_type`).
        QuestionKind::Computed { .. } => None,
        QuestionKind::Grid { .. } | QuestionKind::Info => None,
    };
    let what = match &question.kind {
        QuestionKind::Grid { .. } => "grid",
        QuestionKind::Info => "info step",
        QuestionKind::Computed { .. } => "computed variable",
        _ => "question",
    };
    (t, what)
}
