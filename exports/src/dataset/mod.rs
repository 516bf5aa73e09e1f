//! The labelled dataset handed to every writer: an ordered dictionary of variables (names,
//! labels, value labels, declared missing codes, measure levels, weight role) and the rows,
//! stored column by column.

mod dates;
mod error;
mod names;
mod summary;
mod text;
mod timestamp;
mod variable;

pub use dates::{
    MAX_DATE_DAYS, MIN_DATE_DAYS, SPSS_EPOCH_OFFSET_DAYS, STATA_EPOCH_OFFSET_DAYS, days_from_ymd,
    iso_date, ymd_from_days,
};

pub use error::DatasetError;
pub use names::{MAX_NAME_LEN, validate_name};
pub use summary::{Frequency, NumericSummary, Summary, TextSummary, VariableSummary, summarize};
pub use text::{ascii_name, shorten};
pub use timestamp::Timestamp;
pub use variable::{
    MAX_MISSING_VALUES, MAX_TEXT_WIDTH, MAX_VALUE_LABEL_BYTES, MAX_VARIABLE_LABEL_BYTES,
    MAX_VARIABLE_LABEL_CHARS, Measure, Role, Variable, VariableKind,
};

use std::collections::HashSet;

/// Largest integer magnitude a double holds exactly (2^53).
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// Longest dataset title (bytes), as long as a variable label; writers whose file label is
/// shorter (Stata: 80 characters, SPSS: 64 bytes) cut it at a word boundary with `…`.
pub const MAX_TITLE_BYTES: usize = 255;

/// Describes the dataset as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetInfo {
    /// Machine name (lowercase letters, accented ones included, digits, `-`, `_`, `.`), e.g.
    /// `barometre-2026-démonstration`; [`ascii_name`] gives its form for file and package
    /// names.
    pub name: String,
    /// Human title (at most 255 bytes), written as the file label (cut at a word boundary
    /// where a format's label is shorter).
    pub title: String,
    /// Creation date/time written into file headers (never the current time, so that exports
    /// are reproducible byte for byte).
    pub created: Timestamp,
    /// Free notes (written as SPSS documents and Stata notes).
    pub notes: Vec<String>,
}

/// One cell given to [`Dataset::push_row`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A finite number for a numeric variable.
    Number(f64),
    /// System-missing (not asked, no answer) for a numeric variable; an empty string for a
    /// string variable.
    Missing,
    /// Text for a string variable.
    Text(String),
}

/// Read access to one column.
#[derive(Debug, Clone, Copy)]
pub enum ColumnRef<'a> {
    /// Numeric values; system-missing values are `NaN`.
    Numeric(&'a [f64]),
    /// String values; missing strings are empty.
    Text(&'a [String]),
}

#[derive(Debug, Clone, PartialEq)]
enum Column {
    Numeric(Vec<f64>),
    Text(Vec<String>),
}

/// A validated dictionary plus its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    info: DatasetInfo,
    variables: Vec<Variable>,
    columns: Vec<Column>,
    rows: usize,
}

impl Dataset {
    /// Validates the dictionary (names unique and valid for SPSS and Stata, label lengths,
    /// value labels and missing codes on numeric variables only, at most one numeric weight)
    /// and returns an empty dataset.
    pub fn new(info: DatasetInfo, variables: Vec<Variable>) -> Result<Self, DatasetError> {
        validate_info(&info)?;
        let mut seen = HashSet::new();
        let mut weight: Option<&str> = None;
        for variable in &variables {
            variable.validate()?;
            if !seen.insert(variable.name.to_ascii_lowercase()) {
                return Err(DatasetError::DuplicateName {
                    name: variable.name.clone(),
                });
            }
            if variable.role == Role::Weight {
                if let Some(first) = weight {
                    return Err(DatasetError::SeveralWeights {
                        first: first.to_owned(),
                        second: variable.name.clone(),
                    });
                }
                weight = Some(&variable.name);
            }
        }
        let columns = variables
            .iter()
            .map(|v| match v.kind {
                VariableKind::Text { .. } => Column::Text(Vec::new()),
                _ => Column::Numeric(Vec::new()),
            })
            .collect();
        Ok(Self {
            info,
            variables,
            columns,
            rows: 0,
        })
    }

    /// Appends one row (one value per variable, in dictionary order) after checking every
    /// value against its variable; on error the dataset is left unchanged.
    pub fn push_row(&mut self, row: Vec<Value>) -> Result<(), DatasetError> {
        if row.len() != self.variables.len() {
            return Err(DatasetError::RowLength {
                row: self.rows,
                expected: self.variables.len(),
                found: row.len(),
            });
        }
        for (variable, value) in self.variables.iter().zip(&row) {
            check_value(self.rows, variable, value)?;
        }
        for (column, value) in self.columns.iter_mut().zip(row) {
            match (column, value) {
                (Column::Numeric(values), Value::Number(n)) => values.push(n),
                (Column::Numeric(values), _) => values.push(f64::NAN),
                (Column::Text(values), Value::Text(s)) => values.push(s),
                (Column::Text(values), _) => values.push(String::new()),
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Dataset-level information.
    pub fn info(&self) -> &DatasetInfo {
        &self.info
    }

    /// The dictionary, in column order.
    pub fn variables(&self) -> &[Variable] {
        &self.variables
    }

    /// Number of rows.
    pub fn row_count(&self) -> usize {
        self.rows
    }

    /// The values of variable `index`, or `None` when out of range.
    pub fn column(&self, index: usize) -> Option<ColumnRef<'_>> {
        self.columns.get(index).map(|c| match c {
            Column::Numeric(v) => ColumnRef::Numeric(v),
            Column::Text(v) => ColumnRef::Text(v),
        })
    }

    /// Index of the variable called `name` (exact match).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.variables.iter().position(|v| v.name == name)
    }

    /// The variable with the weight role, if any.
    pub fn weight_variable(&self) -> Option<&Variable> {
        self.variables.iter().find(|v| v.role == Role::Weight)
    }

    /// Iterates over (variable, column) pairs in dictionary order.
    pub fn iter_columns(&self) -> impl Iterator<Item = (&Variable, ColumnRef<'_>)> {
        self.variables
            .iter()
            .zip(&self.columns)
            .map(|(v, c)| match c {
                Column::Numeric(values) => (v, ColumnRef::Numeric(values.as_slice())),
                Column::Text(values) => (v, ColumnRef::Text(values.as_slice())),
            })
    }
}

fn validate_info(info: &DatasetInfo) -> Result<(), DatasetError> {
    let name_ok = !info.name.is_empty()
        && info.name.chars().count() <= 100
        && info.name.chars().all(|c| {
            (c.is_alphabetic() && !c.is_uppercase()) || c.is_ascii_digit() || "-_.".contains(c)
        });
    if !name_ok {
        return Err(DatasetError::InvalidInfo {
            reason: format!(
                "name `{}` must be 1 to 100 lowercase letters, digits, `-`, `_` or `.`",
                info.name
            ),
        });
    }
    variable::check_label(
        &info.name,
        "dataset title",
        &info.title,
        usize::MAX,
        MAX_TITLE_BYTES,
    )
}

fn check_value(row: usize, variable: &Variable, value: &Value) -> Result<(), DatasetError> {
    let name = || variable.name.clone();
    match (&variable.kind, value) {
        (_, Value::Missing) => Ok(()),
        (VariableKind::Text { width }, Value::Text(text)) => {
            if text.len() > *width {
                Err(DatasetError::TextTooWide {
                    row,
                    variable: name(),
                    width: *width,
                    bytes: text.len(),
                })
            } else if text.contains('\0') {
                Err(DatasetError::NulInText {
                    row,
                    variable: name(),
                })
            } else {
                Ok(())
            }
        }
        (VariableKind::Text { .. }, Value::Number(_)) => Err(DatasetError::KindMismatch {
            row,
            variable: name(),
            expected: "string",
        }),
        (_, Value::Text(_)) => Err(DatasetError::KindMismatch {
            row,
            variable: name(),
            expected: "numeric",
        }),
        (kind, Value::Number(n)) => {
            if !n.is_finite() {
                Err(DatasetError::NotFinite {
                    row,
                    variable: name(),
                })
            } else if kind.is_whole() && n.fract() != 0.0 {
                Err(DatasetError::NotInteger {
                    row,
                    variable: name(),
                    value: *n,
                })
            } else if (kind.is_whole() && n.abs() > MAX_EXACT_INTEGER)
                || (*kind == VariableKind::Date
                    && !(MIN_DATE_DAYS as f64..=MAX_DATE_DAYS as f64).contains(n))
            {
                Err(DatasetError::IntegerOutOfRange {
                    row,
                    variable: name(),
                    value: *n,
                })
            } else {
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> DatasetInfo {
        DatasetInfo {
            name: "test".into(),
            title: "Test".into(),
            created: Timestamp::new(2026, 11, 23, 8, 0, 0).unwrap(),
            notes: vec![],
        }
    }

    #[test]
    fn duplicate_names_are_rejected_case_insensitively() {
        let err = Dataset::new(
            info(),
            vec![Variable::integer("q1", ""), Variable::integer("Q1", "")],
        )
        .unwrap_err();
        assert_eq!(err, DatasetError::DuplicateName { name: "Q1".into() });
    }

    #[test]
    fn value_labels_on_a_string_variable_are_rejected() {
        let v = Variable::text("nom", "", 10).with_value_labels([(1, "x")]);
        assert!(matches!(
            Dataset::new(info(), vec![v]),
            Err(DatasetError::ValueLabelsOnText { .. })
        ));
    }

    #[test]
    fn more_than_three_missing_codes_are_rejected() {
        let v = Variable::integer("q", "").with_missing_values([96, 97, 98, 99]);
        assert!(matches!(
            Dataset::new(info(), vec![v]),
            Err(DatasetError::TooManyMissingValues { count: 4, .. })
        ));
    }

    #[test]
    fn two_weights_are_rejected() {
        let vars = vec![
            Variable::decimal("w1", "", 4).as_weight(),
            Variable::decimal("w2", "", 4).as_weight(),
        ];
        assert!(matches!(
            Dataset::new(info(), vars),
            Err(DatasetError::SeveralWeights { .. })
        ));
    }

    #[test]
    fn rows_are_checked_against_the_dictionary() {
        let mut d = Dataset::new(
            info(),
            vec![Variable::integer("q", ""), Variable::text("t", "", 3)],
        )
        .unwrap();
        assert!(matches!(
            d.push_row(vec![Value::Number(1.0)]),
            Err(DatasetError::RowLength {
                expected: 2,
                found: 1,
                ..
            })
        ));
        assert!(matches!(
            d.push_row(vec![Value::Number(1.5), Value::Missing]),
            Err(DatasetError::NotInteger { .. })
        ));
        assert!(matches!(
            d.push_row(vec![Value::Number(1.0), Value::Text("été".into())]),
            Err(DatasetError::TextTooWide { bytes: 5, .. })
        ));
        assert!(matches!(
            d.push_row(vec![Value::Text("1".into()), Value::Missing]),
            Err(DatasetError::KindMismatch { .. })
        ));
        assert!(matches!(
            d.push_row(vec![Value::Number(f64::NAN), Value::Missing]),
            Err(DatasetError::NotFinite { .. })
        ));
        assert!(matches!(
            d.push_row(vec![Value::Number(1e300), Value::Missing]),
            Err(DatasetError::IntegerOutOfRange { .. })
        ));
        assert_eq!(d.row_count(), 0);
        d.push_row(vec![Value::Missing, Value::Text("été".into())])
            .unwrap_err();
        d.push_row(vec![Value::Missing, Value::Text("oui".into())])
            .unwrap();
        assert_eq!(d.row_count(), 1);
        assert!(matches!(d.column(0), Some(ColumnRef::Numeric(v)) if v[0].is_nan()));
    }

    #[test]
    fn labels_longer_than_spss_accepts_are_rejected_and_longer_than_stata_accepted() {
        let for_spss_only = "é".repeat(100);
        Dataset::new(info(), vec![Variable::integer("q", &for_spss_only)]).unwrap();
        let too_long = "é".repeat(128);
        assert!(matches!(
            Dataset::new(info(), vec![Variable::integer("q", &too_long)]),
            Err(DatasetError::LabelTooLong { length: 256, .. })
        ));
    }

    #[test]
    fn dataset_names_keep_accents_but_not_capitals_or_spaces() {
        let named = |name: &str| DatasetInfo {
            name: name.into(),
            ..info()
        };
        Dataset::new(named("obs-démonstration"), vec![]).unwrap();
        for bad in ["Obs", "obs démonstration", "obs/x", ""] {
            assert!(
                matches!(
                    Dataset::new(named(bad), vec![]),
                    Err(DatasetError::InvalidInfo { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn date_cells_are_whole_days() {
        let mut d = Dataset::new(info(), vec![Variable::date("jour", "Jour")]).unwrap();
        assert!(matches!(
            d.push_row(vec![Value::Number(0.5)]),
            Err(DatasetError::NotInteger { .. })
        ));
        d.push_row(vec![Value::Number(20_514.0)]).unwrap();
    }
}
