//! One column of a dataset: its name, labels, storage kind and survey metadata.

use std::collections::BTreeMap;

use super::DatasetError;
use super::names::validate_name;

/// Longest variable label Stata shows (characters): the Stata writer cuts longer labels at a
/// word boundary with `…` (the full label stays in every other format and the codebook).
pub const MAX_VARIABLE_LABEL_CHARS: usize = 80;
/// Longest variable label (bytes): SPSS's documented limit, checked for every variable.
pub const MAX_VARIABLE_LABEL_BYTES: usize = 255;
/// Longest value label (bytes): SPSS's documented limit, the strictest of the formats.
pub const MAX_VALUE_LABEL_BYTES: usize = 120;
/// Widest string (bytes): SPSS's limit.
pub const MAX_TEXT_WIDTH: usize = 32767;
/// Most discrete declared missing values SPSS accepts.
pub const MAX_MISSING_VALUES: usize = 3;

/// How values of a variable are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableKind {
    /// Whole numbers (codes, counts); every value must be an integer.
    Integer,
    /// Real numbers displayed with `decimals` digits after the point.
    Decimal {
        /// Displayed decimals (0..=16); values keep full precision.
        decimals: u8,
    },
    /// A calendar date: whole days since 1970-01-01, written as each format's date type
    /// (SPSS `SDATE10`, Stata `%td`, Parquet `date32`, CSV `YYYY-MM-DD`).
    Date,
    /// UTF-8 text of at most `width` bytes.
    Text {
        /// Maximum byte length (1..=32767).
        width: usize,
    },
}

impl VariableKind {
    /// True for [`VariableKind::Integer`], [`VariableKind::Decimal`] and
    /// [`VariableKind::Date`] (stored as numbers).
    pub fn is_numeric(&self) -> bool {
        !matches!(self, VariableKind::Text { .. })
    }

    /// True for kinds whose values must be whole numbers (integers, dates).
    pub fn is_whole(&self) -> bool {
        matches!(self, VariableKind::Integer | VariableKind::Date)
    }
}

/// Level of measurement, as SPSS records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Unordered categories.
    Nominal,
    /// Ordered categories.
    Ordinal,
    /// Quantities.
    Scale,
}

impl Measure {
    /// English name used in machine-readable metadata (`nominal`, `ordinal`, `scale`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Measure::Nominal => "nominal",
            Measure::Ordinal => "ordinal",
            Measure::Scale => "scale",
        }
    }
}

/// What a variable is for in analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// An ordinary variable.
    #[default]
    Input,
    /// The survey weight (at most one per dataset).
    Weight,
}

/// A variable definition. Build it with [`Variable::integer`], [`Variable::decimal`] or
/// [`Variable::text`] and the `with_*` methods; it is validated by
/// [`crate::dataset::Dataset::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Name (ASCII letter then letters, digits, `_`; at most 32 characters).
    pub name: String,
    /// Variable label (at most 255 bytes; Stata shows the first 80 characters); may be empty.
    pub label: String,
    /// Storage kind.
    pub kind: VariableKind,
    /// Level of measurement.
    pub measure: Measure,
    /// Value labels, code → label (numeric variables only).
    pub value_labels: BTreeMap<i32, String>,
    /// Declared missing codes such as 98 (don't know) and 99 (refused); at most 3.
    pub missing_values: Vec<i32>,
    /// Role in analyses.
    pub role: Role,
    /// Question wording, shown in the codebook.
    pub question: Option<String>,
    /// Filter (who was asked), shown in the codebook.
    pub filter: Option<String>,
}

impl Variable {
    fn new(name: &str, label: &str, kind: VariableKind, measure: Measure) -> Self {
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            kind,
            measure,
            value_labels: BTreeMap::new(),
            missing_values: Vec::new(),
            role: Role::Input,
            question: None,
            filter: None,
        }
    }

    /// An integer variable, nominal by default (codes of a closed question).
    pub fn integer(name: &str, label: &str) -> Self {
        Self::new(name, label, VariableKind::Integer, Measure::Nominal)
    }

    /// A decimal variable shown with `decimals` digits, scale by default.
    pub fn decimal(name: &str, label: &str, decimals: u8) -> Self {
        Self::new(
            name,
            label,
            VariableKind::Decimal { decimals },
            Measure::Scale,
        )
    }

    /// A date variable (days since 1970-01-01, see [`crate::dataset::days_from_ymd`]), scale.
    pub fn date(name: &str, label: &str) -> Self {
        Self::new(name, label, VariableKind::Date, Measure::Scale)
    }

    /// A string variable of at most `width` bytes, nominal.
    pub fn text(name: &str, label: &str, width: usize) -> Self {
        Self::new(name, label, VariableKind::Text { width }, Measure::Nominal)
    }

    /// Sets the level of measurement.
    pub fn with_measure(mut self, measure: Measure) -> Self {
        self.measure = measure;
        self
    }

    /// Adds value labels (code, label).
    pub fn with_value_labels<S: Into<String>>(
        mut self,
        labels: impl IntoIterator<Item = (i32, S)>,
    ) -> Self {
        self.value_labels
            .extend(labels.into_iter().map(|(code, label)| (code, label.into())));
        self
    }

    /// Declares missing codes (e.g. 98 don't know, 99 refused).
    pub fn with_missing_values(mut self, codes: impl IntoIterator<Item = i32>) -> Self {
        self.missing_values.extend(codes);
        self
    }

    /// Marks the variable as the survey weight.
    pub fn as_weight(mut self) -> Self {
        self.role = Role::Weight;
        self
    }

    /// Sets the question wording shown in the codebook.
    pub fn with_question(mut self, question: &str) -> Self {
        self.question = Some(question.to_owned());
        self
    }

    /// Sets the filter (who was asked) shown in the codebook.
    pub fn with_filter(mut self, filter: &str) -> Self {
        self.filter = Some(filter.to_owned());
        self
    }

    /// True when `value` is one of the declared missing codes.
    pub fn is_declared_missing(&self, value: f64) -> bool {
        self.missing_values.iter().any(|&m| f64::from(m) == value)
    }

    /// Declared missing codes in ascending order, without duplicates.
    pub fn sorted_missing_values(&self) -> Vec<i32> {
        let mut codes = self.missing_values.clone();
        codes.sort_unstable();
        codes.dedup();
        codes
    }

    /// Checks this definition alone (names, labels, kinds); cross-variable rules live in the
    /// dataset.
    pub fn validate(&self) -> Result<(), DatasetError> {
        validate_name(&self.name)?;
        check_label(
            &self.name,
            "variable label",
            &self.label,
            usize::MAX,
            MAX_VARIABLE_LABEL_BYTES,
        )?;
        for label in self.value_labels.values() {
            check_label(
                &self.name,
                "value label",
                label,
                usize::MAX,
                MAX_VALUE_LABEL_BYTES,
            )?;
        }
        match self.kind {
            VariableKind::Text { width } => {
                if width == 0 || width > MAX_TEXT_WIDTH {
                    return Err(DatasetError::InvalidTextWidth {
                        variable: self.name.clone(),
                        width,
                    });
                }
                if !self.value_labels.is_empty() {
                    return Err(DatasetError::ValueLabelsOnText {
                        variable: self.name.clone(),
                    });
                }
                if !self.missing_values.is_empty() {
                    return Err(DatasetError::MissingValuesOnText {
                        variable: self.name.clone(),
                    });
                }
                if self.role == Role::Weight {
                    return Err(DatasetError::WeightNotNumeric {
                        variable: self.name.clone(),
                    });
                }
            }
            VariableKind::Decimal { decimals } if decimals > 16 => {
                return Err(DatasetError::TooManyDecimals {
                    variable: self.name.clone(),
                    decimals,
                });
            }
            _ => {}
        }
        let count = self.sorted_missing_values().len();
        if count > MAX_MISSING_VALUES {
            return Err(DatasetError::TooManyMissingValues {
                variable: self.name.clone(),
                count,
            });
        }
        Ok(())
    }
}

/// Rejects labels over `max_chars` characters or `max_bytes` UTF-8 bytes.
pub(crate) fn check_label(
    owner: &str,
    what: &'static str,
    label: &str,
    max_chars: usize,
    max_bytes: usize,
) -> Result<(), DatasetError> {
    let too_long = |length, limit, unit| {
        Err(DatasetError::LabelTooLong {
            variable: owner.to_owned(),
            what,
            length,
            limit,
            unit,
        })
    };
    if label.len() > max_bytes {
        return too_long(label.len(), max_bytes, "bytes");
    }
    let chars = label.chars().count();
    if chars > max_chars {
        return too_long(chars, max_chars, "characters");
    }
    Ok(())
}
