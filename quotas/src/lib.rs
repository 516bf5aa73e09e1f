//! Quotas for telephone surveys, with no I/O: quota designs and their TOML file, allocation of
//! targets to communes and cells (largest remainder, exact totals), matching a respondent to
//! cells, the accept / screen-out decision with the capacity rule a database enforces, and the
//! dashboard's forecasts of progress, pace and sample sufficiency ([`forecast`]).
//! See `docs/quotas.md`.

mod csv_input;
mod decision;
mod design;
mod design_file;
pub mod forecast;
mod lag;
mod matching;
mod plan;
mod population;
mod rounding;
mod rule;
mod structure;

pub use csv_input::CsvError;
pub use decision::{
    BlockReason, Blocked, CellStatus, Decision, StratumProgress, decide, progress_by,
    stratum_progress,
};
pub use design::{
    Band, Category, Cell, CellKey, CellKeyError, Design, DesignError, DesignErrorKind,
    DesignErrors, Dimension, Margin,
};
pub use forecast::{CommuneForecast, ForecastInput, SampleAlert, YieldPrior};
pub use lag::{CellState, CommuneNeed, communes_by_need};
pub use matching::MatchError;
pub use plan::{
    AgeVariable, Allocation, CellTarget, CommuneTarget, DesignOptions, Layout, Minimum, Plan,
    PlanError, PlanRequest, allocate, plan, standard_age_bands, standard_sexes,
};
pub use population::{CommunePopulation, PopulationError, parse_populations, population_vintages};
pub use rounding::{RoundingError, largest_remainder};
pub use rule::{Rule, Tolerance, ToleranceError, capacity};
pub use structure::{Structure, StructureError, Weight};
