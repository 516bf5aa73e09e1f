//! From the questionnaire's exported variables to dataset columns: storage, labels, declared
//! missing codes, and how each cell is read from an interview's values.

use std::collections::BTreeMap;

use questionnaire::expr::{Missing, Type, Value as ExprValue};
use questionnaire::model::{Question, QuestionKind};
use questionnaire::{Answer, Questionnaire, VariableKind as QKind, VariableSource};

use super::error::BuildError;
use super::scope::QuestionnaireScope;
use crate::dataset::{
    MAX_VALUE_LABEL_BYTES, MAX_VARIABLE_LABEL_BYTES, Measure, Value, Variable, days_from_ymd,
    shorten,
};

/// Decimals shown for computed numbers that are not all whole.
pub(crate) const COMPUTED_DECIMALS: u8 = 4;

/// How a column is stored once every row is known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Storage {
    /// Whole numbers (codes, integers).
    Integer,
    /// Decimals shown with this many digits.
    Decimal(u8),
    /// A computed number: integer when every value of the wave is whole, else decimal.
    AutoNumber,
    /// A calendar date.
    Date,
    /// Text, as wide as the longest value.
    Text,
}

/// Where a cell comes from.
#[derive(Debug, Clone)]
enum Source {
    /// The value of the variable of the same name (answer or computed).
    Value(String),
    /// 0/1: whether `code` is among the codes chosen at `question`.
    Chosen { question: String, code: i64 },
    /// The "other, specify" text of option `code` of `question`.
    Other { question: String, code: i64 },
}

/// One planned column: its dictionary entry (before the data-driven parts) and its source.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub(crate) name: String,
    label: String,
    question_text: Option<String>,
    filter: Option<String>,
    value_labels: Vec<(i32, String)>,
    /// Declared don't know and refused codes.
    missing: Option<(i64, i64)>,
    pub(crate) storage: Storage,
    measure: Measure,
    source: Source,
}

/// Plans the columns of every exported variable of `questionnaire`, in its order.
pub(crate) fn plan(questionnaire: &Questionnaire) -> Result<Vec<Column>, BuildError> {
    let scope = QuestionnaireScope::new(questionnaire);
    let dk = questionnaire.dont_know_code();
    let refused = questionnaire.refused_code();
    let survey = questionnaire.survey();
    let dk_label = survey.dont_know.label.primary().to_owned();
    let refused_label = survey.refused.label.primary().to_owned();
    let mut columns = Vec::new();
    for variable in questionnaire.variables() {
        let question = questionnaire.question(&variable.question);
        let allows_missing = question.is_some_and(|q| q.allow_dont_know || q.allow_refused);
        let mut labels: Vec<(i64, String)> = variable.value_labels.clone();
        let (storage, measure, source, taken): (Storage, Measure, Source, Taken) =
            match (&variable.kind, &variable.source) {
                (QKind::Binary, VariableSource::Chosen { code }) => (
                    Storage::Integer,
                    Measure::Nominal,
                    Source::Chosen {
                        question: variable.question.clone(),
                        code: *code,
                    },
                    Taken::Codes(vec![0, 1]),
                ),
                (QKind::Text { .. }, VariableSource::OtherText { code }) => (
                    Storage::Text,
                    Measure::Nominal,
                    Source::Other {
                        question: variable.question.clone(),
                        code: *code,
                    },
                    Taken::Nothing,
                ),
                (QKind::Single, _) => (
                    Storage::Integer,
                    Measure::Nominal,
                    Source::Value(variable.name.clone()),
                    Taken::Codes(labels.iter().map(|(c, _)| *c).collect()),
                ),
                (QKind::Integer { min, max }, _) => {
                    let scale =
                        question.is_some_and(|q| matches!(q.kind, QuestionKind::Scale { .. }));
                    (
                        Storage::Integer,
                        if scale {
                            Measure::Ordinal
                        } else {
                            Measure::Scale
                        },
                        Source::Value(variable.name.clone()),
                        Taken::Range(min.map(|v| v as f64), max.map(|v| v as f64)),
                    )
                }
                (QKind::Decimal { decimals }, _) => {
                    let (min, max) = match question.map(|q| &q.kind) {
                        Some(QuestionKind::Decimal { min, max, .. }) => (*min, *max),
                        _ => (None, None),
                    };
                    (
                        Storage::Decimal((*decimals).min(16) as u8),
                        Measure::Scale,
                        Source::Value(variable.name.clone()),
                        Taken::Range(min, max),
                    )
                }
                (QKind::Date, _) => (
                    Storage::Date,
                    Measure::Scale,
                    Source::Value(variable.name.clone()),
                    Taken::Nothing,
                ),
                (QKind::Text { .. }, _) => (
                    Storage::Text,
                    Measure::Nominal,
                    Source::Value(variable.name.clone()),
                    Taken::Nothing,
                ),
                (QKind::Computed, _) => {
                    let (storage, measure) = match scope.type_of(&variable.name) {
                        Some(Type::Bool) => {
                            labels = vec![(0, "Non".to_owned()), (1, "Oui".to_owned())];
                            (Storage::Integer, Measure::Nominal)
                        }
                        Some(Type::Number) if labels.is_empty() => {
                            (Storage::AutoNumber, Measure::Scale)
                        }
                        // Codes declared with `options` in the questionnaire: categories.
                        Some(Type::Number) => (Storage::AutoNumber, Measure::Nominal),
                        Some(Type::Date) => (Storage::Date, Measure::Scale),
                        _ => (Storage::Text, Measure::Nominal),
                    };
                    (
                        storage,
                        measure,
                        Source::Value(variable.name.clone()),
                        Taken::Nothing,
                    )
                }
                // Any other pairing does not occur in `Questionnaire::variables`; read the value.
                _ => (
                    Storage::Text,
                    Measure::Nominal,
                    Source::Value(variable.name.clone()),
                    Taken::Nothing,
                ),
            };
        let missing = match taken {
            Taken::Nothing => None,
            _ if !allows_missing || variable.kind == QKind::Computed => None,
            taken => choose_missing_codes(dk, refused, &taken),
        };
        if let Some((d, r)) = missing {
            labels.push((d, dk_label.clone()));
            labels.push((r, refused_label.clone()));
        }
        let value_labels = labels
            .into_iter()
            .map(|(code, label)| {
                let code = i32::try_from(code).map_err(|_| BuildError::CodeOutOfRange {
                    variable: variable.name.clone(),
                    code,
                })?;
                Ok((code, truncate_bytes(&label, MAX_VALUE_LABEL_BYTES)))
            })
            .collect::<Result<Vec<_>, BuildError>>()?;
        columns.push(Column {
            name: variable.name.clone(),
            label: variable_label(
                &grid_item_label(question, &variable).unwrap_or_else(|| variable.label.clone()),
            ),
            question_text: variable.text.clone(),
            filter: variable.filter.clone(),
            value_labels,
            missing,
            storage,
            measure,
            source,
        });
    }
    Ok(columns)
}

/// Values a variable can legitimately take, that its missing codes must avoid.
enum Taken {
    /// Not a numeric variable: no declared missing codes.
    Nothing,
    /// These codes.
    Codes(Vec<i64>),
    /// Any number in `[min, max]` (unbounded when `None`).
    Range(Option<f64>, Option<f64>),
}

impl Taken {
    fn contains(&self, code: i64) -> bool {
        match self {
            Taken::Nothing => false,
            Taken::Codes(codes) => codes.contains(&code),
            Taken::Range(min, max) => {
                let c = code as f64;
                min.is_none_or(|m| c >= m) && max.is_none_or(|m| c <= m)
            }
        }
    }
}

/// The survey's don't know / refused codes, or, when a valid answer could take them (an age of
/// 98, an option coded 99), the first of 998/999, 9998/9999… then −98/−99, −998/−999… that
/// no valid answer can take. `None` when every candidate is taken (an unbounded number).
fn choose_missing_codes(dk: i64, refused: i64, taken: &Taken) -> Option<(i64, i64)> {
    let widen = |c: i64| {
        let digits = c.unsigned_abs().checked_ilog10().unwrap_or(0) + 1;
        let step = 9 * 10_i64.pow(digits);
        if c < 0 { c - step } else { c + step }
    };
    let mut candidates = Vec::new();
    for sign in [1, -1] {
        let (mut d, mut r) = (sign * dk.abs(), sign * refused.abs());
        while d.abs() <= i64::from(i32::MAX) && r.abs() <= i64::from(i32::MAX) {
            candidates.push((d, r));
            (d, r) = (widen(d), widen(r));
        }
    }
    candidates
        .into_iter()
        .find(|&(d, r)| d != r && !taken.contains(d) && !taken.contains(r))
}

impl Column {
    /// The cell of this column for one interview: `values` from the engine (answers and
    /// computed variables on the route), `answers` the stored answers (for "other" texts).
    pub(crate) fn cell(
        &self,
        values: &BTreeMap<String, ExprValue>,
        answers: &BTreeMap<String, Answer>,
    ) -> Value {
        let missing_code = |why: &Missing| match (why, self.missing) {
            (Missing::DontKnow, Some((dk, _))) => Value::Number(dk as f64),
            (Missing::Refused, Some((_, refused))) => Value::Number(refused as f64),
            _ => Value::Missing,
        };
        match &self.source {
            Source::Value(var) => match values.get(var) {
                None => Value::Missing,
                Some(ExprValue::Missing(why)) => missing_code(why),
                Some(ExprValue::Number(n)) if self.storage == Storage::Text => {
                    Value::Text(crate::writers::format_number(*n))
                }
                Some(ExprValue::Number(n)) => Value::Number(*n),
                Some(ExprValue::Bool(b)) => Value::Number(f64::from(u8::from(*b))),
                Some(ExprValue::Text(t)) => text(t),
                Some(ExprValue::Date(d)) if self.storage == Storage::Date => {
                    days_from_ymd(d.year, d.month, d.day)
                        .map_or(Value::Missing, |days| Value::Number(days as f64))
                }
                Some(ExprValue::Date(d)) => Value::Text(d.to_string()),
                Some(ExprValue::Codes(codes)) => text(
                    &codes
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
            },
            Source::Chosen { question, code } => match values.get(question) {
                Some(ExprValue::Codes(codes)) => {
                    Value::Number(if codes.contains(code) { 1.0 } else { 0.0 })
                }
                Some(ExprValue::Missing(why)) => missing_code(why),
                _ => Value::Missing,
            },
            Source::Other { question, code } => {
                if !values.contains_key(question) {
                    return Value::Missing;
                }
                match answers.get(question) {
                    Some(Answer::Choice {
                        code: chosen,
                        other: Some(t),
                    }) if chosen == code => text(t),
                    Some(Answer::Choices { other, .. }) => {
                        other.get(code).map_or(Value::Missing, |t| text(t))
                    }
                    _ => Value::Missing,
                }
            }
        }
    }

    /// The dictionary entry, now that the column's cells are known.
    pub(crate) fn variable(&self, cells: &[Value]) -> Variable {
        let variable = match self.storage {
            Storage::Integer => Variable::integer(&self.name, &self.label),
            Storage::Decimal(decimals) => Variable::decimal(&self.name, &self.label, decimals),
            Storage::AutoNumber => {
                let whole = cells
                    .iter()
                    .all(|c| !matches!(c, Value::Number(n) if n.fract() != 0.0));
                if whole {
                    Variable::integer(&self.name, &self.label)
                } else {
                    Variable::decimal(&self.name, &self.label, COMPUTED_DECIMALS)
                }
            }
            Storage::Date => Variable::date(&self.name, &self.label),
            Storage::Text => Variable::text(&self.name, &self.label, text_width(cells)),
        };
        let mut variable = variable
            .with_measure(self.measure)
            .with_value_labels(self.value_labels.iter().cloned());
        if let Some((dk, refused)) = self.missing {
            variable = variable.with_missing_values([dk as i32, refused as i32]);
        }
        if let Some(text) = &self.question_text {
            variable = variable.with_question(text);
        }
        if let Some(filter) = &self.filter {
            variable = variable.with_filter(filter);
        }
        variable
    }
}

/// A text cell (empty texts are system-missing).
pub(crate) fn text(t: &str) -> Value {
    if t.is_empty() {
        Value::Missing
    } else {
        Value::Text(t.replace('\0', ""))
    }
}

/// Width of a text column: its longest value in bytes, at least 1.
pub(crate) fn text_width(cells: &[Value]) -> usize {
    cells
        .iter()
        .map(|c| match c {
            Value::Text(t) => t.len(),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
        .max(1)
}

/// A variable label within SPSS's 255 bytes, cut at a word boundary with `…` (the Stata
/// writer shortens it further to 80 characters the same way).
pub(crate) fn variable_label(label: &str) -> String {
    shorten(label, usize::MAX, MAX_VARIABLE_LABEL_BYTES)
}

/// The label of a grid item says what the grid asks: `<grid label> : <item label or text>`
/// (e.g. `Inquiétudes liées à internet : … le vol de vos données personnelles…`). `None` for
/// any other variable.
fn grid_item_label(
    question: Option<&Question>,
    variable: &questionnaire::Variable,
) -> Option<String> {
    let question = question?;
    let QuestionKind::Grid { items, .. } = &question.kind else {
        return None;
    };
    let item = items.iter().find(|i| i.var == variable.name)?;
    let stem = match (&question.label, &question.text) {
        (Some(label), _) => label.primary().to_owned(),
        (None, Some(text)) => text.primary().to_owned(),
        (None, None) => question.var.clone(),
    };
    let item = item
        .label
        .as_ref()
        .map_or_else(|| item.text.primary(), |l| l.primary());
    Some(format!("{} : {}", stem.trim(), item.trim()))
}

/// `text` cut to at most `max` bytes on a character boundary.
pub(crate) fn truncate_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_codes_move_away_from_valid_answers() {
        let age = Taken::Range(Some(0.0), Some(120.0));
        assert_eq!(choose_missing_codes(98, 99, &age), Some((998, 999)));
        let scale = Taken::Range(Some(0.0), Some(10.0));
        assert_eq!(choose_missing_codes(98, 99, &scale), Some((98, 99)));
        let unbounded_above = Taken::Range(Some(0.0), None);
        assert_eq!(
            choose_missing_codes(98, 99, &unbounded_above),
            Some((-98, -99))
        );
        assert_eq!(
            choose_missing_codes(98, 99, &Taken::Range(None, None)),
            None
        );
        assert_eq!(
            choose_missing_codes(98, 99, &Taken::Codes(vec![1, 2, 99])),
            Some((998, 999))
        );
    }

    #[test]
    fn long_labels_are_cut_to_spss_bytes_with_an_ellipsis() {
        let label = variable_label(&"é".repeat(200));
        assert!(label.len() <= MAX_VARIABLE_LABEL_BYTES);
        assert!(label.ends_with('…'));
        let words = variable_label(&"mot ".repeat(100));
        assert!(words.ends_with("mot…"), "{words}");
    }
}
