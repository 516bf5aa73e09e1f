//! Weighted and unweighted frequencies and summary statistics, computed from a dataset for the
//! codebook.

use std::collections::{HashMap, HashSet};

use super::{ColumnRef, Dataset, DatasetError, Measure, Variable, VariableKind};

/// One row of a frequency table.
#[derive(Debug, Clone, PartialEq)]
pub struct Frequency {
    /// The code, or `None` for system-missing.
    pub value: Option<f64>,
    /// Its value label, if any.
    pub label: Option<String>,
    /// True for declared missing codes (don't know, refused) and system-missing.
    pub missing: bool,
    /// Number of rows.
    pub count: u64,
    /// Sum of weights of those rows (when a weight was given).
    pub weighted: Option<f64>,
}

/// Statistics of a quantitative variable over its valid (non-missing) values.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericSummary {
    /// Number of valid values.
    pub valid: u64,
    /// Smallest valid value.
    pub min: Option<f64>,
    /// Largest valid value.
    pub max: Option<f64>,
    /// Unweighted mean.
    pub mean: Option<f64>,
    /// Unweighted standard deviation (n − 1 denominator).
    pub std_dev: Option<f64>,
    /// Weighted mean (when a weight was given and the valid weights sum to more than 0).
    pub weighted_mean: Option<f64>,
    /// Counts of declared missing codes and system-missing values.
    pub missing: Vec<Frequency>,
}

/// Statistics of a string variable.
#[derive(Debug, Clone, PartialEq)]
pub struct TextSummary {
    /// Number of non-empty values.
    pub non_empty: u64,
    /// Number of empty values.
    pub empty: u64,
    /// Number of distinct non-empty values.
    pub distinct: u64,
}

/// What is reported for one variable.
#[derive(Debug, Clone, PartialEq)]
pub enum Summary {
    /// Frequencies of each code (every labelled code is listed, even when absent).
    Categorical(Vec<Frequency>),
    /// Quantitative statistics.
    Numeric(NumericSummary),
    /// String statistics.
    Text(TextSummary),
}

/// The summary of one variable together with the totals percentages are based on.
#[derive(Debug, Clone, PartialEq)]
pub struct VariableSummary {
    /// Variable name.
    pub name: String,
    /// Frequencies or statistics.
    pub summary: Summary,
    /// Number of rows in the dataset.
    pub total: u64,
    /// Sum of all weights (when a weight was given).
    pub total_weight: Option<f64>,
}

/// Summarises every variable. `weight` names the weight variable; `None` uses the dataset's
/// weight role if any. Missing weights count as 0; negative weights are an error.
/// Variables with value labels, or integer variables that are not `Scale`, get frequency
/// tables; other numeric variables get statistics.
pub fn summarize(
    dataset: &Dataset,
    weight: Option<&str>,
) -> Result<Vec<VariableSummary>, DatasetError> {
    let weights = weight_values(dataset, weight)?;
    let total_weight = weights.as_ref().map(|w| w.iter().sum::<f64>());
    Ok(dataset
        .iter_columns()
        .map(|(variable, column)| VariableSummary {
            name: variable.name.clone(),
            summary: match column {
                ColumnRef::Text(values) => Summary::Text(text_summary(values)),
                ColumnRef::Numeric(values) if is_categorical(variable) => {
                    Summary::Categorical(frequencies(variable, values, weights.as_deref(), true))
                }
                ColumnRef::Numeric(values) => {
                    Summary::Numeric(numeric_summary(variable, values, weights.as_deref()))
                }
            },
            total: dataset.row_count() as u64,
            total_weight,
        })
        .collect())
}

fn is_categorical(variable: &Variable) -> bool {
    !variable.value_labels.is_empty()
        || (variable.kind == VariableKind::Integer && variable.measure != Measure::Scale)
}

fn weight_values(
    dataset: &Dataset,
    weight: Option<&str>,
) -> Result<Option<Vec<f64>>, DatasetError> {
    let name = match weight {
        Some(name) => name.to_owned(),
        None => match dataset.weight_variable() {
            Some(v) => v.name.clone(),
            None => return Ok(None),
        },
    };
    let index = dataset
        .index_of(&name)
        .ok_or_else(|| DatasetError::UnknownVariable { name: name.clone() })?;
    let Some(ColumnRef::Numeric(values)) = dataset.column(index) else {
        return Err(DatasetError::WeightNotNumeric { variable: name });
    };
    values
        .iter()
        .enumerate()
        .map(|(row, &w)| match w {
            w if w.is_nan() => Ok(0.0),
            w if w < 0.0 => Err(DatasetError::NegativeWeight {
                row,
                variable: name.clone(),
                value: w,
            }),
            w => Ok(w),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Counts per value; with `include_valid` false only missing values are kept.
fn frequencies(
    variable: &Variable,
    values: &[f64],
    weights: Option<&[f64]>,
    include_valid: bool,
) -> Vec<Frequency> {
    let mut counts: HashMap<u64, (u64, f64)> = HashMap::new();
    let mut system_missing = (0u64, 0.0f64);
    for (row, &value) in values.iter().enumerate() {
        let w = weights.map_or(0.0, |w| w[row]);
        if value.is_nan() {
            system_missing.0 += 1;
            system_missing.1 += w;
        } else if include_valid || variable.is_declared_missing(value) {
            // Adding 0.0 turns -0.0 into 0.0 so both count as one code.
            let entry = counts.entry((value + 0.0).to_bits()).or_default();
            entry.0 += 1;
            entry.1 += w;
        }
    }
    let mut codes: Vec<f64> = counts.keys().map(|&bits| f64::from_bits(bits)).collect();
    let listed = variable
        .value_labels
        .keys()
        .filter(|&&code| include_valid || variable.missing_values.contains(&code))
        .chain(&variable.missing_values)
        .map(|&code| f64::from(code));
    codes.extend(listed);
    codes.sort_by(f64::total_cmp);
    codes.dedup();
    let weighted = |w: f64| weights.map(|_| w);
    let mut table: Vec<Frequency> = codes
        .into_iter()
        .map(|code| {
            let (count, w) = counts.get(&code.to_bits()).copied().unwrap_or_default();
            Frequency {
                value: Some(code),
                label: label_of(variable, code),
                missing: variable.is_declared_missing(code),
                count,
                weighted: weighted(w),
            }
        })
        .collect();
    table.push(Frequency {
        value: None,
        label: None,
        missing: true,
        count: system_missing.0,
        weighted: weighted(system_missing.1),
    });
    table
}

fn label_of(variable: &Variable, code: f64) -> Option<String> {
    if code.fract() != 0.0 || code < f64::from(i32::MIN) || code > f64::from(i32::MAX) {
        return None;
    }
    // The range check above makes the conversion exact.
    variable.value_labels.get(&(code as i32)).cloned()
}

fn numeric_summary(variable: &Variable, values: &[f64], weights: Option<&[f64]>) -> NumericSummary {
    let (mut n, mut sum, mut min, mut max) = (0u64, 0.0, f64::INFINITY, f64::NEG_INFINITY);
    let (mut w_sum, mut wx_sum) = (0.0, 0.0);
    for (row, &value) in values.iter().enumerate() {
        if value.is_nan() || variable.is_declared_missing(value) {
            continue;
        }
        n += 1;
        sum += value;
        min = min.min(value);
        max = max.max(value);
        if let Some(w) = weights {
            w_sum += w[row];
            wx_sum += w[row] * value;
        }
    }
    let mean = (n > 0).then(|| sum / n as f64);
    let std_dev = mean.filter(|_| n > 1).map(|m| {
        let ss: f64 = values
            .iter()
            .filter(|v| !v.is_nan() && !variable.is_declared_missing(**v))
            .map(|v| (v - m) * (v - m))
            .sum();
        (ss / (n - 1) as f64).sqrt()
    });
    NumericSummary {
        valid: n,
        min: (n > 0).then_some(min),
        max: (n > 0).then_some(max),
        mean,
        std_dev,
        weighted_mean: (weights.is_some() && w_sum > 0.0).then(|| wx_sum / w_sum),
        missing: frequencies(variable, values, weights, false),
    }
}

fn text_summary(values: &[String]) -> TextSummary {
    let non_empty: Vec<&String> = values.iter().filter(|s| !s.is_empty()).collect();
    let distinct: HashSet<&String> = non_empty.iter().copied().collect();
    TextSummary {
        non_empty: non_empty.len() as u64,
        empty: (values.len() - non_empty.len()) as u64,
        distinct: distinct.len() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{DatasetInfo, Timestamp, Value};

    fn dataset() -> Dataset {
        let info = DatasetInfo {
            name: "t".into(),
            title: String::new(),
            created: Timestamp::new(2026, 1, 1, 0, 0, 0).unwrap(),
            notes: vec![],
        };
        let vars = vec![
            Variable::integer("q", "")
                .with_value_labels([(1, "Oui"), (2, "Non"), (3, "Jamais cité"), (99, "Refus")])
                .with_missing_values([99]),
            Variable::integer("age", "")
                .with_measure(Measure::Scale)
                .with_missing_values([999]),
            Variable::decimal("poids", "", 3).as_weight(),
        ];
        let mut d = Dataset::new(info, vars).unwrap();
        for (q, age, w) in [
            (1.0, 20.0, 2.0),
            (1.0, 40.0, 1.0),
            (2.0, 999.0, 0.5),
            (99.0, 30.0, 0.5),
        ] {
            d.push_row(vec![Value::Number(q), Value::Number(age), Value::Number(w)])
                .unwrap();
        }
        d.push_row(vec![Value::Missing, Value::Missing, Value::Number(1.0)])
            .unwrap();
        d
    }

    #[test]
    fn categorical_frequencies_list_every_labelled_code_with_weights() {
        let s = summarize(&dataset(), None).unwrap();
        let Summary::Categorical(f) = &s[0].summary else {
            panic!("categorical expected")
        };
        let rows: Vec<_> = f
            .iter()
            .map(|f| (f.value, f.count, f.weighted, f.missing))
            .collect();
        assert_eq!(
            rows,
            vec![
                (Some(1.0), 2, Some(3.0), false),
                (Some(2.0), 1, Some(0.5), false),
                (Some(3.0), 0, Some(0.0), false),
                (Some(99.0), 1, Some(0.5), true),
                (None, 1, Some(1.0), true),
            ]
        );
        assert_eq!(s[0].total_weight, Some(5.0));
    }

    #[test]
    fn numeric_statistics_exclude_declared_missing_codes() {
        let s = summarize(&dataset(), Some("poids")).unwrap();
        let Summary::Numeric(n) = &s[1].summary else {
            panic!("numeric expected")
        };
        assert_eq!(n.valid, 3);
        assert_eq!((n.min, n.max, n.mean), (Some(20.0), Some(40.0), Some(30.0)));
        assert_eq!(n.std_dev, Some(10.0));
        // (2*20 + 1*40 + 0.5*30) / 3.5
        assert!((n.weighted_mean.unwrap() - 95.0 / 3.5).abs() < 1e-12);
        assert_eq!(
            n.missing.iter().map(|f| f.count).collect::<Vec<_>>(),
            vec![1, 1]
        );
    }

    #[test]
    fn unknown_weight_variable_is_an_error() {
        assert!(matches!(
            summarize(&dataset(), Some("nope")),
            Err(DatasetError::UnknownVariable { .. })
        ));
    }
}
