//! exports (being built).
pub mod dataset;
pub mod indicators;
pub mod weighting;
pub mod writers;
