//! File writers for a [`crate::dataset::Dataset`]: CSV (three flavours), SPSS `.sav`, Stata
//! `.dta` (release 118), Parquet, codebooks (Markdown, HTML), a Frictionless data package
//! descriptor and a checksum manifest; [`bundle::write_bundle`] writes them all. Every writer
//! is deterministic: the same dataset gives the same bytes (the only date written is
//! [`crate::dataset::DatasetInfo::created`]).

pub mod analysis;
pub mod bundle;
pub mod codebook;
pub mod csv;
pub mod datapackage;
pub mod dta;
pub mod manifest;
pub mod parquet;
pub mod sav;

use crate::dataset::DatasetError;

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output could not be written.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The dataset does not fit a limit of the target format.
    #[error("{format} cannot hold this dataset: {reason}")]
    FormatLimit {
        /// Target format.
        format: &'static str,
        /// What exceeds the limit.
        reason: String,
    },
    /// The Parquet/Arrow library refused the data.
    #[error("Parquet error: {0}")]
    Parquet(String),
    /// JSON serialisation failed.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// Summaries for the codebook could not be computed.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
}

impl From<::parquet::errors::ParquetError> for WriteError {
    fn from(e: ::parquet::errors::ParquetError) -> Self {
        WriteError::Parquet(e.to_string())
    }
}

impl From<arrow_schema::ArrowError> for WriteError {
    fn from(e: arrow_schema::ArrowError) -> Self {
        WriteError::Parquet(e.to_string())
    }
}

/// Formats a number with the shortest decimal representation that reads back to the same
/// `f64` (never in exponent notation), e.g. `3`, `0.125`, `1234.5678`.
pub(crate) fn format_number(value: f64) -> String {
    format!("{}", value + 0.0)
}

/// Truncates `text` to at most `max_bytes` bytes without splitting a UTF-8 character.
pub(crate) fn truncate_utf8(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
