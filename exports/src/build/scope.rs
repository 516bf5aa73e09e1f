//! The types of a questionnaire's variables as expressions see them, to type-check indicator
//! expressions and to know what a computed variable holds.

use std::collections::{BTreeSet, HashMap};

use questionnaire::Questionnaire;
use questionnaire::expr::{Scope, Type, VarType};
use questionnaire::model::QuestionKind;

/// Every question, grid item and computed variable of a questionnaire with its expression type.
/// Preload fields are left out on purpose: published indicators come from answers only.
#[derive(Debug, Clone)]
pub struct QuestionnaireScope {
    types: HashMap<String, VarType>,
}

impl QuestionnaireScope {
    /// Types every variable; computed variables get the type of their expression, checked in
    /// questionnaire order (as the questionnaire checks do).
    pub fn new(questionnaire: &Questionnaire) -> Self {
        let mut scope = Self {
            types: HashMap::new(),
        };
        for question in questionnaire.questions() {
            let codes = || {
                question
                    .kind
                    .options()
                    .iter()
                    .map(|o| o.code)
                    .collect::<BTreeSet<_>>()
            };
            let var_type = match &question.kind {
                QuestionKind::Single { .. } => VarType::Single { codes: codes() },
                QuestionKind::Multiple { .. } => VarType::Multiple { codes: codes() },
                QuestionKind::Integer { min, max } => VarType::Integer {
                    min: min.map(|v| v as f64),
                    max: max.map(|v| v as f64),
                },
                QuestionKind::Scale { min, max, .. } => VarType::Integer {
                    min: Some(*min as f64),
                    max: Some(*max as f64),
                },
                QuestionKind::Decimal { min, max, .. } => VarType::Decimal {
                    min: *min,
                    max: *max,
                },
                QuestionKind::Text { .. } => VarType::Text,
                QuestionKind::Date { .. } => VarType::Date,
                QuestionKind::Grid { items, .. } => {
                    for item in items {
                        scope
                            .types
                            .insert(item.var.clone(), VarType::Single { codes: codes() });
                    }
                    continue;
                }
                QuestionKind::Info => continue,
                QuestionKind::Computed { expr, .. } => match expr.value.check(&scope) {
                    Ok(t) => from_type(t),
                    // The questionnaire was checked when loaded; an unexpected failure leaves
                    // the variable untyped, so expressions using it are reported as errors.
                    Err(_) => continue,
                },
            };
            scope.types.insert(question.var.clone(), var_type);
        }
        scope
    }

    /// The expression type of `var`, if it is a variable of the questionnaire.
    pub fn type_of(&self, var: &str) -> Option<Type> {
        self.types.get(var).map(VarType::expr_type)
    }
}

impl Scope for QuestionnaireScope {
    fn lookup(&self, name: &str) -> Option<VarType> {
        self.types.get(name).cloned()
    }
}

fn from_type(t: Type) -> VarType {
    match t {
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
    }
}
