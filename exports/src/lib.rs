//! Exports: what analysts take out of cati. Pure apart from writing files.
//!
//! - [`build`]: the analysts' dataset of a wave built from interviews and the questionnaire
//!   (pseudonymous ids, declared missing codes), waves stacked with a difference report, the
//!   `POIDS` weight, the observatory's indicators and the whole export of a wave.
//! - [`dataset`]: the labelled dataset every writer receives — variables in questionnaire order
//!   with labels, value labels, declared missing values (don't know / refused) and measure
//!   levels, rows stored column by column.
//! - [`weighting`]: calibration of respondents to population margins (post-stratification,
//!   raking, linear, logit and truncated calibration) with diagnostics, solved on the cells of
//!   the cross-classification so that a million respondents rake in milliseconds.
//! - [`indicators`]: weighted proportions with confidence intervals that account for the
//!   calibration, overall and per commune.
//! - [`publication`]: what the observatory publishes from the indicator table: publication
//!   rules, the change since the previous wave with its test, the communes' choropleth map
//!   (SVG) and the open-data export of the publishable cells.
//! - [`writers`]: CSV (and its French spreadsheet variant), SPSS `.sav`, Stata `.dta` 118,
//!   Parquet, codebook, Frictionless data package and a checksummed manifest, each
//!   reproducible byte for byte.

pub mod build;
pub mod dataset;
pub mod indicators;
pub mod publication;
pub mod weighting;
pub mod writers;
