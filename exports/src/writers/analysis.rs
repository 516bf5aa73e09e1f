//! The layout of the files meant for analysis tools (`donnees.csv`, `donnees.parquet`): a
//! declared missing code (don't know 98, refused 99) is a null there, so that `mean()` in R,
//! pandas or DuckDB leaves it out without metadata, and the reason moves to a text column
//! `<variable>_nr` right after its variable (« Ne sait pas », « Refus »: the code's value
//! label). The coded files (`donnees-codes.csv`, `.sav`, `.dta`) keep the codes.

use crate::dataset::{Dataset, Variable};

/// Suffix of the reason column of a variable with declared missing codes.
pub const REASON_SUFFIX: &str = "_nr";

/// One column of an analysis file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnalysisColumn {
    /// Variable `index` of the dataset, its declared missing codes as nulls.
    Value(usize),
    /// Why variable `index` is null when it holds a declared missing code, named `name`.
    Reason {
        /// Index of the variable in the dataset.
        index: usize,
        /// Column name (`<variable>_nr`, with more `_` if a variable already has that name).
        name: String,
    },
}

/// Every variable in order, each followed by its reason column when it declares missing
/// codes.
pub fn analysis_columns(dataset: &Dataset) -> Vec<AnalysisColumn> {
    let mut taken: std::collections::HashSet<String> = dataset
        .variables()
        .iter()
        .map(|v| v.name.to_ascii_lowercase())
        .collect();
    let mut columns = Vec::new();
    for (index, variable) in dataset.variables().iter().enumerate() {
        columns.push(AnalysisColumn::Value(index));
        if variable.missing_values.is_empty() {
            continue;
        }
        let mut name = format!("{}{REASON_SUFFIX}", variable.name);
        while !taken.insert(name.to_ascii_lowercase()) {
            name.push('_');
        }
        columns.push(AnalysisColumn::Reason { index, name });
    }
    columns
}

/// The reason written for `value` of `variable`: the label of its declared missing code (its
/// number when unlabelled), `None` for any other value.
pub fn reason(variable: &Variable, value: f64) -> Option<String> {
    if !variable.is_declared_missing(value) {
        return None;
    }
    // Declared missing codes are i32: the cast is exact.
    let code = value as i32;
    Some(
        variable
            .value_labels
            .get(&code)
            .cloned()
            .unwrap_or_else(|| code.to_string()),
    )
}

/// The reason column's label: `<variable label> : raison de la non-réponse`.
pub fn reason_label(variable: &Variable) -> String {
    let what = if variable.label.is_empty() {
        &variable.name
    } else {
        &variable.label
    };
    format!("{what} : raison de la non-réponse (ne sait pas, refus)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{DatasetInfo, Timestamp};

    #[test]
    fn variables_with_declared_missing_codes_get_a_reason_column_with_a_free_name() {
        let info = DatasetInfo {
            name: "t".into(),
            title: "T".into(),
            created: Timestamp::new(2026, 1, 1, 0, 0, 0).unwrap(),
            notes: vec![],
        };
        let q = Variable::integer("q", "Q")
            .with_value_labels([(98, "Ne sait pas")])
            .with_missing_values([98, 99]);
        let dataset = Dataset::new(info, vec![q, Variable::integer("q_nr", "")]).unwrap();
        assert_eq!(
            analysis_columns(&dataset),
            vec![
                AnalysisColumn::Value(0),
                AnalysisColumn::Reason {
                    index: 0,
                    name: "q_nr_".into()
                },
                AnalysisColumn::Value(1),
            ]
        );
        let q = &dataset.variables()[0];
        assert_eq!(reason(q, 98.0).as_deref(), Some("Ne sait pas"));
        assert_eq!(reason(q, 99.0).as_deref(), Some("99"));
        assert_eq!(reason(q, 1.0), None);
    }
}
