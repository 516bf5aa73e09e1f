//! The weighting hook: calibrates the completed interviews of a wave on the communes'
//! populations (and optional other margins) and adds the `POIDS` weight column.

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::BuildError;
use super::input::CaseStatus;
use super::wave::{BuiltWave, COMMUNE, RESPONDENT};
use crate::dataset::{ColumnRef, Dataset, Value, Variable};
use crate::weighting::{
    DEFAULT_TOLERANCE, Diagnostics, Margin, Method, Options, Respondents, weight,
};

/// Name of the weight column.
pub const WEIGHT: &str = "POIDS";
/// Decimals shown for the weight (values keep full precision).
const WEIGHT_DECIMALS: u8 = 6;

/// How to weight a wave.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightingSpec {
    /// Method (default raking).
    pub method: Method,
    /// Margins besides the communes' populations, on columns of the dataset (e.g. `SEXE`,
    /// `commune_insee:AGE_QUOTA`), as read by [`crate::weighting::io::read_margins`]. They must
    /// total the same as the populations.
    pub margins: Vec<Margin>,
    /// Largest relative margin error accepted.
    pub tolerance: f64,
}

impl Default for WeightingSpec {
    fn default() -> Self {
        Self {
            method: Method::Raking,
            margins: Vec::new(),
            tolerance: DEFAULT_TOLERANCE,
        }
    }
}

/// The weighting applied to a wave: what the manifest records and the calibration variance of
/// the indicators needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppliedWeighting {
    /// Method.
    pub method: Method,
    /// Every margin used, the communes' first: name and `(category, target)` pairs.
    pub margins: Vec<MarginSummary>,
    /// Diagnostics of the run.
    pub diagnostics: Diagnostics,
    /// Rows weighted (the completed interviews), in row order.
    #[serde(skip)]
    pub rows: Vec<usize>,
    /// For each margin, each weighted respondent's category index.
    #[serde(skip)]
    pub categories: Vec<Vec<usize>>,
    /// Weights of the weighted rows.
    #[serde(skip)]
    pub weights: Vec<f64>,
}

/// A margin as recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarginSummary {
    /// `commune_insee` or `commune_insee:SEXE`.
    pub name: String,
    /// Number of categories.
    pub categories: usize,
    /// Sum of the targets.
    pub total: f64,
}

/// Weights the completed interviews of `wave` on `populations` (INSEE code → population) and
/// `spec.margins`, adds the `POIDS` column (weight role; system-missing for partial and
/// screened-out rows) and returns the diagnostics. Respondents whose commune is unknown, or
/// whose commune has no population, are an error: they cannot be weighted.
pub fn add_weights(
    wave: &mut BuiltWave,
    populations: &BTreeMap<String, f64>,
    spec: &WeightingSpec,
) -> Result<Diagnostics, BuildError> {
    let ids = wave.respondent_ids();
    let rows: Vec<usize> = (0..wave.statuses.len())
        .filter(|&r| wave.statuses[r] == CaseStatus::Completed)
        .collect();
    if rows.is_empty() {
        return Err(BuildError::NobodyToWeight);
    }
    let unknown: Vec<&str> = rows
        .iter()
        .filter(|&&r| wave.communes[r].is_none())
        .map(|&r| ids[r].as_str())
        .collect();
    if !unknown.is_empty() {
        return Err(BuildError::UnknownCommune {
            count: unknown.len(),
            examples: unknown
                .iter()
                .take(5)
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let communes: Vec<String> = rows
        .iter()
        .map(|&r| wave.communes[r].clone().unwrap_or_default())
        .collect();
    if let Some((i, code)) = communes
        .iter()
        .enumerate()
        .find(|(_, c)| !populations.contains_key(*c))
    {
        return Err(BuildError::CommuneWithoutPopulation {
            code: code.clone(),
            respondent: ids[rows[i]].clone(),
        });
    }

    let commune_margin = Margin::one_way(COMMUNE, populations.iter().map(|(c, p)| (c.clone(), *p)));
    let margins: Vec<Margin> = std::iter::once(commune_margin)
        .chain(spec.margins.iter().cloned())
        .collect();
    let mut respondents = Respondents::new(rows.len());
    respondents.set_ids(rows.iter().map(|&r| ids[r].clone()).collect())?;
    respondents.add_variable(COMMUNE, &communes)?;
    let mut columns: BTreeMap<String, Vec<String>> = BTreeMap::new();
    columns.insert(COMMUNE.to_owned(), communes);
    for margin in &spec.margins {
        for variable in margin.variables() {
            if columns.contains_key(variable) {
                continue;
            }
            let values = category_values(&wave.dataset, &rows, &ids, &margin.name(), variable)?;
            respondents.add_variable(variable, &values)?;
            columns.insert(variable.clone(), values);
        }
    }
    let options = Options {
        group_by: Some(COMMUNE.to_owned()),
        tolerance: spec.tolerance,
        ..Options::new(spec.method)
    };
    let weighting = weight(&respondents, &margins, &options)?;

    let categories = margins
        .iter()
        .map(|margin| margin_categories(margin, &columns, rows.len()))
        .collect();
    let mut column = vec![Value::Missing; wave.statuses.len()];
    for (&r, &w) in rows.iter().zip(&weighting.weights) {
        column[r] = Value::Number(w);
    }
    wave.dataset = with_column(
        &wave.dataset,
        Variable::decimal(WEIGHT, "Poids de redressement", WEIGHT_DECIMALS).as_weight(),
        column,
    )?;
    wave.weighting = Some(AppliedWeighting {
        method: spec.method,
        margins: margins
            .iter()
            .map(|m| MarginSummary {
                name: m.name(),
                categories: m.targets().len(),
                total: m.total(),
            })
            .collect(),
        diagnostics: weighting.diagnostics.clone(),
        rows,
        categories,
        weights: weighting.weights,
    });
    Ok(weighting.diagnostics)
}

/// The weighted respondents' categories of `variable` as text (codes without decimals).
fn category_values(
    dataset: &Dataset,
    rows: &[usize],
    ids: &[String],
    margin: &str,
    variable: &str,
) -> Result<Vec<String>, BuildError> {
    let column = dataset
        .index_of(variable)
        .filter(|_| variable != RESPONDENT)
        .and_then(|i| dataset.column(i))
        .ok_or_else(|| BuildError::UnknownMarginVariable {
            margin: margin.to_owned(),
            variable: variable.to_owned(),
        })?;
    rows.iter()
        .map(|&r| {
            let value = match column {
                ColumnRef::Numeric(v) if v[r].is_finite() => {
                    Some(crate::writers::format_number(v[r]))
                }
                ColumnRef::Text(v) if !v[r].is_empty() => Some(v[r].clone()),
                _ => None,
            };
            value.ok_or_else(|| BuildError::MissingMarginValue {
                respondent: ids[r].clone(),
                variable: variable.to_owned(),
            })
        })
        .collect()
}

/// Each respondent's category index in `margin` (its targets' order); weighting has already
/// checked that every respondent's category has a target.
fn margin_categories(
    margin: &Margin,
    columns: &BTreeMap<String, Vec<String>>,
    n: usize,
) -> Vec<usize> {
    let index: BTreeMap<&[String], usize> = margin
        .targets()
        .iter()
        .enumerate()
        .map(|(i, (category, _))| (category.as_slice(), i))
        .collect();
    (0..n)
        .map(|r| {
            let key: Vec<String> = margin
                .variables()
                .iter()
                .map(|v| columns.get(v).map(|c| c[r].clone()).unwrap_or_default())
                .collect();
            index.get(key.as_slice()).copied().unwrap_or(0)
        })
        .collect()
}

/// A copy of `dataset` with `variable` appended (replacing a column of the same name).
pub(crate) fn with_column(
    dataset: &Dataset,
    variable: Variable,
    values: Vec<Value>,
) -> Result<Dataset, BuildError> {
    let keep: Vec<usize> = (0..dataset.variables().len())
        .filter(|&i| {
            !dataset.variables()[i]
                .name
                .eq_ignore_ascii_case(&variable.name)
        })
        .collect();
    let mut variables: Vec<Variable> = keep
        .iter()
        .map(|&i| dataset.variables()[i].clone())
        .collect();
    variables.push(variable);
    let mut out = Dataset::new(dataset.info().clone(), variables)?;
    let columns: Vec<ColumnRef<'_>> = keep.iter().filter_map(|&i| dataset.column(i)).collect();
    for (row, value) in values.into_iter().enumerate() {
        let mut cells: Vec<Value> = columns.iter().map(|c| cell(*c, row)).collect();
        cells.push(value);
        out.push_row(cells)?;
    }
    Ok(out)
}

/// One cell of a stored column as a row value.
pub(crate) fn cell(column: ColumnRef<'_>, row: usize) -> Value {
    match column {
        ColumnRef::Numeric(v) if v[row].is_nan() => Value::Missing,
        ColumnRef::Numeric(v) => Value::Number(v[row]),
        ColumnRef::Text(v) if v[row].is_empty() => Value::Missing,
        ColumnRef::Text(v) => Value::Text(v[row].clone()),
    }
}
