//! Why a wave could not be built, weighted, tabulated or exported.

use crate::dataset::DatasetError;
use crate::indicators::IndicatorError;
use crate::weighting::WeightError;
use crate::writers::WriteError;

use super::indicators_spec::IndicatorsFileError;

/// An error of [`super::build_wave`], [`super::add_weights`],
/// [`super::indicator_table_for_wave`] or [`super::export_wave`].
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The pseudonymisation secret is too short to be safe.
    #[error("the pseudonymisation secret has {bytes} byte(s); at least {minimum} are required")]
    ShortSecret {
        /// Length given.
        bytes: usize,
        /// Length required.
        minimum: usize,
    },
    /// Two cases share a key, or two keys gave the same pseudonym.
    #[error(
        "respondent id {pseudonym} would be given to two cases ('{first}' and '{second}'): case keys must be unique"
    )]
    DuplicateRespondent {
        /// The pseudonym.
        pseudonym: String,
        /// First case key.
        first: String,
        /// Second case key.
        second: String,
    },
    /// A code does not fit the 32-bit integers of the file formats.
    #[error("variable `{variable}`: code {code} does not fit a 32-bit integer")]
    CodeOutOfRange {
        /// Variable.
        variable: String,
        /// Code.
        code: i64,
    },
    /// The option names a questionnaire variable that does not exist.
    #[error("the commune variable `{0}` is not a variable of the questionnaire")]
    UnknownCommuneVariable(String),
    /// The dataset could not be built (name clash, label too long, bad value…).
    #[error("dataset: {0}")]
    Dataset(#[from] DatasetError),
    /// Some completed respondents have no commune, so the wave cannot be weighted.
    #[error(
        "{count} respondent(s) cannot be weighted because their commune is unknown (e.g. {examples}); record their commune or leave them out of the export"
    )]
    UnknownCommune {
        /// How many.
        count: usize,
        /// Some of their ids.
        examples: String,
    },
    /// A commune of a respondent has no population.
    #[error("commune {code} of respondent {respondent} has no population in the populations given")]
    CommuneWithoutPopulation {
        /// INSEE code.
        code: String,
        /// A respondent living there.
        respondent: String,
    },
    /// A margin names a variable that is not a column of the dataset.
    #[error("margin `{margin}` uses `{variable}`, which is not a column of the dataset")]
    UnknownMarginVariable {
        /// Margin name.
        margin: String,
        /// Variable.
        variable: String,
    },
    /// A respondent has no value for a margin variable.
    #[error("respondent {respondent} has no value for `{variable}`, a weighting margin variable")]
    MissingMarginValue {
        /// Respondent id.
        respondent: String,
        /// Variable.
        variable: String,
    },
    /// There is nobody to weight.
    #[error("no completed interview to weight")]
    NobodyToWeight,
    /// Weighting failed (see the message).
    #[error("weighting: {0}")]
    Weighting(#[from] WeightError),
    /// The indicators file is invalid.
    #[error("indicators file: {0}")]
    IndicatorsFile(#[from] IndicatorsFileError),
    /// Indicator estimation failed.
    #[error("indicators: {0}")]
    Indicators(#[from] IndicatorError),
    /// A file could not be written.
    #[error("writing the export: {0}")]
    Write(#[from] WriteError),
    /// The export directory could not be written.
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
}
