//! Errors raised while estimating indicators or building the indicator table.

use thiserror::Error;

/// Why an indicator could not be estimated or its table written.
///
/// Every variant describes bad input found before any computation, except
/// [`IndicatorError::Csv`] (the output could not be written).
#[derive(Debug, Error)]
pub enum IndicatorError {
    /// Fewer than two respondents: a variance needs at least two sampling units.
    #[error("at least 2 respondents are needed to estimate a variance, got {0}")]
    TooFewRespondents(usize),
    /// A final weight is zero, negative, infinite or NaN.
    #[error("the weight of respondent {index} is {value}: weights must be finite and > 0")]
    InvalidWeight {
        /// Position of the respondent (0-based).
        index: usize,
        /// The offending weight.
        value: f64,
    },
    /// A base (design) weight is zero, negative, infinite or NaN.
    #[error(
        "the base weight of respondent {index} is {value}: base weights must be finite and > 0"
    )]
    InvalidBaseWeight {
        /// Position of the respondent (0-based).
        index: usize,
        /// The offending base weight.
        value: f64,
    },
    /// An input column does not have one value per respondent.
    #[error("{what} has {found} values for {expected} respondents")]
    LengthMismatch {
        /// Which input (`indicator`, `domains`, `margin 2`, ...).
        what: String,
        /// Number of respondents (length of the weights).
        expected: usize,
        /// Length received.
        found: usize,
    },
    /// A respondent's domain index is not below the declared number of domains.
    #[error("respondent {index} is in domain {domain}, but only {count} domains are declared")]
    DomainOutOfRange {
        /// Position of the respondent (0-based).
        index: usize,
        /// Its domain index.
        domain: usize,
        /// Declared number of domains.
        count: usize,
    },
    /// A calibration design was given without any margin.
    #[error("a calibration design needs at least one margin")]
    NoMargins,
    /// The calibration variance was requested on a sample without a calibration design.
    #[error(
        "the calibration variance needs the calibration design (margins and base weights) \
         used to compute the weights"
    )]
    MissingCalibrationDesign,
    /// The domain labels given to the table builder do not match the sample's domains.
    #[error("{labels} domain labels for a sample with {domains} domains")]
    DomainLabelCount {
        /// Number of labels given.
        labels: usize,
        /// Number of domains declared on the sample.
        domains: usize,
    },
    /// Two domains share a code.
    #[error("domain code '{0}' is used twice")]
    DuplicateDomainCode(String),
    /// Two indicators share a name.
    #[error("indicator name '{0}' is used twice")]
    DuplicateIndicator(String),
    /// The table could not be written.
    #[error("could not write the indicator table: {0}")]
    Csv(#[from] csv::Error),
}
