//! Errors raised while building or validating a [`crate::dataset::Dataset`].

/// Why a dictionary, a row or a summary request was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DatasetError {
    /// A variable name breaks the SPSS/Stata naming rules.
    #[error("invalid variable name `{name}`: {reason}")]
    InvalidName {
        /// The offending name.
        name: String,
        /// What rule it breaks.
        reason: &'static str,
    },
    /// Two variables share a name (compared case-insensitively, as SPSS does).
    #[error("duplicate variable name `{name}`")]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
    /// A label is longer than every target format accepts.
    #[error("{what} of `{variable}` is too long ({length} {unit}, at most {limit})")]
    LabelTooLong {
        /// Variable concerned (or the dataset name for the dataset title).
        variable: String,
        /// Which label: "variable label", "value label", "dataset title".
        what: &'static str,
        /// Measured length.
        length: usize,
        /// Allowed length.
        limit: usize,
        /// "characters" or "bytes".
        unit: &'static str,
    },
    /// Value labels are only supported on numeric variables.
    #[error(
        "variable `{variable}` is a string: value labels are only allowed on numeric variables"
    )]
    ValueLabelsOnText {
        /// The string variable.
        variable: String,
    },
    /// Declared missing values are only supported on numeric variables.
    #[error(
        "variable `{variable}` is a string: declared missing values are only allowed on numeric variables"
    )]
    MissingValuesOnText {
        /// The string variable.
        variable: String,
    },
    /// SPSS accepts at most three discrete missing values.
    #[error("variable `{variable}` declares {count} missing values, at most 3 are allowed")]
    TooManyMissingValues {
        /// Variable concerned.
        variable: String,
        /// Number declared.
        count: usize,
    },
    /// A string width outside 1..=32767 bytes.
    #[error("variable `{variable}` has string width {width}, it must be between 1 and 32767 bytes")]
    InvalidTextWidth {
        /// Variable concerned.
        variable: String,
        /// Declared width.
        width: usize,
    },
    /// More than 16 decimals cannot be displayed by SPSS or Stata.
    #[error("variable `{variable}` declares {decimals} decimals, at most 16 are allowed")]
    TooManyDecimals {
        /// Variable concerned.
        variable: String,
        /// Declared decimals.
        decimals: u8,
    },
    /// The weight role was given to a string variable.
    #[error("weight variable `{variable}` must be numeric")]
    WeightNotNumeric {
        /// Variable concerned.
        variable: String,
    },
    /// More than one variable has the weight role.
    #[error("several variables have the weight role: `{first}` and `{second}`")]
    SeveralWeights {
        /// First weight variable.
        first: String,
        /// Second weight variable.
        second: String,
    },
    /// A dataset title or name is not acceptable.
    #[error("invalid dataset information: {reason}")]
    InvalidInfo {
        /// What is wrong.
        reason: String,
    },
    /// A creation date/time that does not exist.
    #[error("invalid timestamp {value}")]
    InvalidTimestamp {
        /// The rejected value, as given.
        value: String,
    },
    /// A row does not have one value per variable.
    #[error("row {row} has {found} values, expected {expected}")]
    RowLength {
        /// Zero-based row index.
        row: usize,
        /// Number of variables.
        expected: usize,
        /// Number of values given.
        found: usize,
    },
    /// A value of the wrong kind (text for a numeric variable or the reverse).
    #[error("row {row}, variable `{variable}`: expected a {expected} value")]
    KindMismatch {
        /// Zero-based row index.
        row: usize,
        /// Variable concerned.
        variable: String,
        /// "numeric" or "string".
        expected: &'static str,
    },
    /// A non-integer value for an integer variable.
    #[error("row {row}, variable `{variable}`: {value} is not an integer")]
    NotInteger {
        /// Zero-based row index.
        row: usize,
        /// Variable concerned.
        variable: String,
        /// The value.
        value: f64,
    },
    /// An integer beyond ±2^53, where doubles stop representing every integer.
    #[error("row {row}, variable `{variable}`: {value} is outside ±2^53")]
    IntegerOutOfRange {
        /// Zero-based row index.
        row: usize,
        /// Variable concerned.
        variable: String,
        /// The value.
        value: f64,
    },
    /// NaN or infinity: use [`crate::dataset::Value::Missing`] instead.
    #[error("row {row}, variable `{variable}`: value is not finite (use Value::Missing)")]
    NotFinite {
        /// Zero-based row index.
        row: usize,
        /// Variable concerned.
        variable: String,
    },
    /// A string value longer than the variable's declared width.
    #[error("row {row}, variable `{variable}`: {bytes} bytes exceed the declared width {width}")]
    TextTooWide {
        /// Zero-based row index.
        row: usize,
        /// Variable concerned.
        variable: String,
        /// Declared width in bytes.
        width: usize,
        /// Byte length of the value.
        bytes: usize,
    },
    /// A NUL character cannot be stored in Stata or SPSS strings.
    #[error("row {row}, variable `{variable}`: strings must not contain NUL characters")]
    NulInText {
        /// Zero-based row index.
        row: usize,
        /// Variable concerned.
        variable: String,
    },
    /// The named variable does not exist.
    #[error("unknown variable `{name}`")]
    UnknownVariable {
        /// The name looked up.
        name: String,
    },
    /// A weight that is negative.
    #[error("row {row}: weight {value} of `{variable}` is negative")]
    NegativeWeight {
        /// Zero-based row index.
        row: usize,
        /// Weight variable.
        variable: String,
        /// The value.
        value: f64,
    },
}
