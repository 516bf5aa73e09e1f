//! The analysts' dataset of a wave, built from the questionnaire and the interviews the server
//! stores: one row per interview, the questionnaire's variables in order (single choices coded,
//! multiple choices as 0/1 columns, grid items, numbers, texts, dates, "other" texts, computed
//! variables) with don't know / refused as declared missing codes, then the commune, the quota
//! cell, the AAPOR disposition, the interview's date, length and call attempts and a
//! pseudonymous interviewer id. Then, on top of that dataset: the `POIDS` weight
//! ([`add_weights`]), the observatory's indicators ([`indicator_table_for_wave`]), waves
//! stacked with a report of what changed between questionnaire versions ([`stack`]) and the
//! whole export of a wave into a directory ([`export_wave`]). See `docs/exports-dataset.md`.
//!
//! Pure apart from [`export_wave`], which writes files; nothing reads the clock.

mod columns;
mod error;
mod export;
mod indicators_spec;
mod input;
mod pseudonym;
mod scope;
mod stack;
mod wave;
mod weights;

pub use error::BuildError;
pub use export::{
    ExportFormat, ExportRequest, IndicatorsSummary, QuestionnaireSummary, WaveManifest,
    WeightingSummary, export_wave,
};
pub use indicators_spec::{
    IndicatorDefinition, IndicatorsFileError, evaluate_indicator, indicator_table_for_wave,
    parse_indicators,
};
pub use input::{BuildOptions, CaseStatus, Disposition, InterviewInput};
pub use pseudonym::{MIN_SECRET_BYTES, Pseudonymizer};
pub use scope::QuestionnaireScope;
pub use stack::{
    KindChange, LabelChange, StackError, StackReport, Stacked, ValueLabelChange, VersionChanges,
    WAVE_VARIABLE, WaveDataset, stack,
};
pub use wave::{
    BuiltWave, CALLS, CELL, COMMUNE, DATE, DISPOSITION, DISPOSITION_LABEL, DURATION, INTERVIEWER,
    RESPONDENT, build_wave,
};
pub use weights::{AppliedWeighting, WEIGHT, WeightingSpec, add_weights};
