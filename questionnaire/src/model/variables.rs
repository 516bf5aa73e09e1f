//! The exported variables of a questionnaire, in questionnaire order, for datasets and codebooks.

use super::{Choice, Question, QuestionKind, Questionnaire, Text};
use serde::Serialize;

/// One column of an export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variable {
    /// Column name (`VAR`, `VAR_<code>`, `VAR_O<code>`, a grid item's var).
    pub name: String,
    /// Short label in the primary language.
    pub label: String,
    /// What the column holds.
    pub kind: VariableKind,
    /// Code → label, for categorical columns (empty otherwise).
    pub value_labels: Vec<(i64, String)>,
    /// The question it comes from.
    pub question: String,
    /// Text of that question (primary language), absent for computed variables.
    pub text: Option<String>,
    /// Source of the filter deciding whether it was asked.
    pub filter: Option<String>,
    /// How the value is derived from the answers.
    pub source: VariableSource,
}

/// The storage type of an exported variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableKind {
    /// A single-choice code (also grid items).
    Single,
    /// 1 when the option was chosen, 0 otherwise (multiple choice).
    Binary,
    /// A whole number (integer, scale).
    Integer { min: Option<i64>, max: Option<i64> },
    /// A decimal number.
    Decimal { decimals: u32 },
    /// Free text (also "other, specify").
    Text { max_length: usize },
    /// A date.
    Date,
    /// A computed variable (number, text, date or boolean as 1/0).
    Computed,
}

/// How an exported variable is read from the interview's values.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableSource {
    /// The answer (or computed value) of the variable of the same name.
    Answer,
    /// Multiple choice: whether `code` is among the codes of `question`.
    Chosen { code: i64 },
    /// The "other, specify" text given with option `code` of `question`.
    OtherText { code: i64 },
}

/// Maximum length of an "other, specify" text.
pub const OTHER_MAX_LENGTH: usize = 200;

impl Questionnaire {
    /// Every exported variable in questionnaire order (info steps excluded).
    pub fn variables(&self) -> Vec<Variable> {
        let mut out = Vec::new();
        for question in self.questions() {
            push_variables(question, &mut out);
        }
        out
    }
}

fn push_variables(question: &Question, out: &mut Vec<Variable>) {
    let text = question.text.as_ref().map(|t| t.primary().to_string());
    let filter = question.filter.as_ref().map(|f| f.source().to_string());
    let label = label_of(
        question.label.as_ref(),
        question.text.as_deref(),
        &question.var,
    );
    let variable = |name: String, label: String, kind, value_labels, source| Variable {
        name,
        label,
        kind,
        value_labels,
        question: question.var.clone(),
        text: text.clone(),
        filter: filter.clone(),
        source,
    };
    match &question.kind {
        QuestionKind::Info => {}
        QuestionKind::Single { options, .. } => {
            out.push(variable(
                question.var.clone(),
                label.clone(),
                VariableKind::Single,
                value_labels(options),
                VariableSource::Answer,
            ));
            push_others(question, options, &label, &variable, out);
        }
        QuestionKind::Multiple { options, .. } => {
            for option in options {
                out.push(variable(
                    format!("{}_{}", question.var, option.code),
                    format!("{label} : {}", option.label.primary()),
                    VariableKind::Binary,
                    vec![(0, "Non".into()), (1, "Oui".into())],
                    VariableSource::Chosen { code: option.code },
                ));
            }
            push_others(question, options, &label, &variable, out);
        }
        QuestionKind::Grid { options, items, .. } => {
            for item in items {
                let item_label = label_of(item.label.as_ref(), Some(&item.text), &item.var);
                let mut v = variable(
                    item.var.clone(),
                    item_label,
                    VariableKind::Single,
                    value_labels(options),
                    VariableSource::Answer,
                );
                v.text = Some(format!(
                    "{} {}",
                    text.clone().unwrap_or_default(),
                    item.text.primary()
                ));
                if let Some(f) = &item.filter {
                    v.filter = Some(match &filter {
                        Some(g) => format!("({g}) and ({})", f.source()),
                        None => f.source().to_string(),
                    });
                }
                out.push(v);
            }
        }
        QuestionKind::Integer { min, max } => out.push(variable(
            question.var.clone(),
            label,
            VariableKind::Integer {
                min: *min,
                max: *max,
            },
            Vec::new(),
            VariableSource::Answer,
        )),
        QuestionKind::Scale {
            min,
            max,
            min_label,
            max_label,
        } => {
            let mut labels = Vec::new();
            if let Some(l) = min_label {
                labels.push((*min, l.primary().to_string()));
            }
            if let Some(l) = max_label {
                labels.push((*max, l.primary().to_string()));
            }
            out.push(variable(
                question.var.clone(),
                label,
                VariableKind::Integer {
                    min: Some(*min),
                    max: Some(*max),
                },
                labels,
                VariableSource::Answer,
            ));
        }
        QuestionKind::Decimal { decimals, .. } => out.push(variable(
            question.var.clone(),
            label,
            VariableKind::Decimal {
                decimals: *decimals,
            },
            Vec::new(),
            VariableSource::Answer,
        )),
        QuestionKind::Text { max_length } => out.push(variable(
            question.var.clone(),
            label,
            VariableKind::Text {
                max_length: *max_length,
            },
            Vec::new(),
            VariableSource::Answer,
        )),
        QuestionKind::Date { .. } => out.push(variable(
            question.var.clone(),
            label,
            VariableKind::Date,
            Vec::new(),
            VariableSource::Answer,
        )),
        QuestionKind::Computed { options, .. } => out.push(variable(
            question.var.clone(),
            label,
            VariableKind::Computed,
            value_labels(options),
            VariableSource::Answer,
        )),
    }
}

type MakeVariable<'a> =
    dyn Fn(String, String, VariableKind, Vec<(i64, String)>, VariableSource) -> Variable + 'a;

fn push_others(
    question: &Question,
    options: &[Choice],
    label: &str,
    variable: &MakeVariable<'_>,
    out: &mut Vec<Variable>,
) {
    for option in options.iter().filter(|o| o.other) {
        out.push(variable(
            other_name(&question.var, option.code),
            format!("{label} : {} (précision)", option.label.primary()),
            VariableKind::Text {
                max_length: OTHER_MAX_LENGTH,
            },
            Vec::new(),
            VariableSource::OtherText { code: option.code },
        ));
    }
}

/// Name of the exported "other, specify" text of option `code` of `var`.
pub(crate) fn other_name(var: &str, code: i64) -> String {
    format!("{var}_O{code}")
}

fn value_labels(options: &[Choice]) -> Vec<(i64, String)> {
    options
        .iter()
        .map(|o| (o.code, o.label.primary().to_string()))
        .collect()
}

/// The explicit label, else the text truncated to 80 characters, else the name.
fn label_of(label: Option<&Text>, text: Option<&Text>, var: &str) -> String {
    if let Some(l) = label {
        return l.primary().to_string();
    }
    match text {
        Some(t) => {
            let t = t.primary().trim();
            if t.chars().count() > 80 {
                let cut: String = t.chars().take(79).collect();
                format!("{cut}…")
            } else {
                t.to_string()
            }
        }
        None => var.to_string(),
    }
}
