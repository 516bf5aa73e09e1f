//! The indicators file (`questionnaires/<survey>.indicators.toml`): 0/1 indicators written in
//! the questionnaire's expression language, type-checked against the questionnaire, evaluated
//! on each respondent and tabulated per commune.

use std::collections::{BTreeMap, HashSet};

use questionnaire::Questionnaire;
use questionnaire::expr::{self, Env, Expr, Missing, Type, Value as ExprValue};
use serde::Deserialize;

use super::error::BuildError;
use super::scope::QuestionnaireScope;
use super::wave::BuiltWave;
use crate::indicators::{
    DomainLabel, Indicator, IntervalMethod, Sample, TableOptions, TableRow, VarianceMethod,
    indicator_table,
};

/// Why an indicators file was refused; messages name the indicator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorsFileError {
    /// Not valid TOML or not the expected tables.
    #[error("{0}")]
    Toml(String),
    /// The file is for another questionnaire.
    #[error("le fichier est pour le questionnaire « {file} », pas pour « {questionnaire} »")]
    OtherQuestionnaire {
        /// Id in the file.
        file: String,
        /// Id of the questionnaire given.
        questionnaire: String,
    },
    /// No indicator defined.
    #[error("le fichier ne définit aucun indicateur ([[indicator]])")]
    Empty,
    /// A name is not lowercase letters, digits and `_`, or is used twice.
    #[error("indicateur « {name} » : {reason}")]
    Name {
        /// Name.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// An expression does not parse or type-check.
    #[error("indicateur « {name} », {field} « {source_text} » : {message}")]
    Expression {
        /// Indicator.
        name: String,
        /// `expr` or `when`.
        field: &'static str,
        /// The expression.
        source_text: String,
        /// Parse or type error.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    questionnaire: String,
    #[serde(default)]
    indicator: Vec<RawIndicator>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    name: String,
    label: String,
    expr: String,
    when: Option<String>,
}

/// One indicator, checked against the questionnaire.
#[derive(Debug, Clone)]
pub struct IndicatorDefinition {
    /// Machine name (`sans_equipement`), the `indicateur` column of the table.
    pub name: String,
    /// French label.
    pub label: String,
    /// Condition defining the indicator (true = 1).
    pub expr: Expr,
    /// Who the indicator is computed for: respondents for whom it is not true get no value.
    pub when: Option<Expr>,
    /// Variables `expr` reads; if any is missing for a respondent, so is the indicator.
    inputs: Vec<String>,
}

/// Parses an indicators file and type-checks every expression against `questionnaire`: both
/// `expr` and `when` must be conditions over its variables (preload fields are not allowed).
pub fn parse_indicators(
    source: &str,
    questionnaire: &Questionnaire,
) -> Result<Vec<IndicatorDefinition>, IndicatorsFileError> {
    let raw: RawFile =
        toml::from_str(source).map_err(|e| IndicatorsFileError::Toml(e.to_string()))?;
    if raw.questionnaire != questionnaire.id() {
        return Err(IndicatorsFileError::OtherQuestionnaire {
            file: raw.questionnaire,
            questionnaire: questionnaire.id().to_owned(),
        });
    }
    if raw.indicator.is_empty() {
        return Err(IndicatorsFileError::Empty);
    }
    let scope = QuestionnaireScope::new(questionnaire);
    let mut names = HashSet::new();
    let mut out = Vec::with_capacity(raw.indicator.len());
    for indicator in raw.indicator {
        let name_ok = !indicator.name.is_empty()
            && indicator.name.len() <= 32
            && indicator
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            return Err(IndicatorsFileError::Name {
                name: indicator.name,
                reason: "un nom compte 1 à 32 lettres minuscules non accentuées, chiffres ou « _ »",
            });
        }
        if !names.insert(indicator.name.clone()) {
            return Err(IndicatorsFileError::Name {
                name: indicator.name,
                reason: "défini deux fois",
            });
        }
        let condition = |field: &'static str, source: &str| {
            let error = |message: String| IndicatorsFileError::Expression {
                name: indicator.name.clone(),
                field,
                source_text: source.to_owned(),
                message,
            };
            let parsed = expr::parse(source).map_err(|e| error(e.to_string()))?;
            match parsed.check(&scope).map_err(|e| error(e.to_string()))? {
                Type::Bool => Ok(parsed),
                other => Err(error(format!(
                    "doit être une condition (vrai/faux), or c'est {}",
                    type_name(other)
                ))),
            }
        };
        let expr = condition("expr", &indicator.expr)?;
        let when = indicator
            .when
            .as_deref()
            .map(|w| condition("when", w))
            .transpose()?;
        let mut inputs: Vec<String> = expr.references().into_iter().map(|r| r.name).collect();
        inputs.sort();
        inputs.dedup();
        out.push(IndicatorDefinition {
            name: indicator.name,
            label: indicator.label,
            expr,
            when,
            inputs,
        });
    }
    Ok(out)
}

struct Values<'a>(&'a BTreeMap<String, ExprValue>);

impl Env for Values<'_> {
    fn value(&self, name: &str) -> ExprValue {
        self.0
            .get(name)
            .cloned()
            .unwrap_or(ExprValue::Missing(Missing::NotAsked))
    }
}

/// The indicator for one respondent's values: `None` when outside `when`, when a variable the
/// expression reads is missing (not asked, don't know, refused), or when it evaluates to missing.
pub fn evaluate_indicator(
    indicator: &IndicatorDefinition,
    values: &BTreeMap<String, ExprValue>,
) -> Option<bool> {
    let env = Values(values);
    if let Some(when) = &indicator.when
        && !when.is_true(&env)
    {
        return None;
    }
    let missing_input = indicator
        .inputs
        .iter()
        .any(|name| matches!(values.get(name), None | Some(ExprValue::Missing(_))));
    if missing_input {
        return None;
    }
    match indicator.expr.eval(&env) {
        ExprValue::Bool(b) => Some(b),
        _ => None,
    }
}

/// The indicator table of a wave, per commune (domains: `options.communes` of the build, in
/// code order; labels: their names). Weighted waves use the `POIDS` weights and the calibration
/// variance on the weighting margins; unweighted ones weight completed interviews equally with
/// the linearised variance. Only completed interviews count.
pub fn indicator_table_for_wave(
    wave: &BuiltWave,
    indicators: &[IndicatorDefinition],
    interval: IntervalMethod,
) -> Result<Vec<TableRow>, BuildError> {
    let (rows, weights): (Vec<usize>, Vec<f64>) = match &wave.weighting {
        Some(w) => (w.rows.clone(), w.weights.clone()),
        None => {
            let rows: Vec<usize> = (0..wave.statuses.len())
                .filter(|&r| wave.statuses[r] == super::input::CaseStatus::Completed)
                .collect();
            let weights = vec![1.0; rows.len()];
            (rows, weights)
        }
    };
    let communes = &wave.options.communes;
    let domain_of: BTreeMap<&str, usize> = communes
        .iter()
        .enumerate()
        .map(|(i, (code, _))| (code.as_str(), i))
        .collect();
    let domains: Vec<Option<usize>> = rows
        .iter()
        .map(|&r| {
            wave.communes[r]
                .as_deref()
                .and_then(|c| domain_of.get(c).copied())
        })
        .collect();
    let labels: Vec<DomainLabel> = communes
        .iter()
        .map(|(code, name)| DomainLabel {
            code: code.clone(),
            label: name.clone(),
        })
        .collect();
    let mut sample = Sample::new(&weights)?;
    if !communes.is_empty() {
        sample = sample.with_domains(&domains, communes.len())?;
    }
    let base = vec![1.0; rows.len()];
    let variance = match &wave.weighting {
        Some(w) => {
            let margins: Vec<&[usize]> = w.categories.iter().map(Vec::as_slice).collect();
            sample = sample.with_calibration(&base, &margins)?;
            VarianceMethod::Calibration
        }
        None => VarianceMethod::Linearization,
    };
    let values: Vec<Vec<Option<bool>>> = indicators
        .iter()
        .map(|indicator| {
            rows.iter()
                .map(|&r| evaluate_indicator(indicator, &wave.values[r]))
                .collect()
        })
        .collect();
    let table: Vec<Indicator<'_>> = indicators
        .iter()
        .zip(&values)
        .map(|(indicator, values)| Indicator {
            name: indicator.name.clone(),
            label: indicator.label.clone(),
            values,
        })
        .collect();
    Ok(indicator_table(
        &sample,
        &labels,
        &table,
        &TableOptions::new(variance, interval),
    )?)
}

/// An expression's type in French, for messages.
fn type_name(kind: Type) -> &'static str {
    match kind {
        Type::Number => "un nombre",
        Type::Text => "un texte",
        Type::Date => "une date",
        Type::Bool => "une condition",
        Type::Codes => "un ensemble de codes (réponse à choix multiple)",
    }
}
