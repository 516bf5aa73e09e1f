//! What the observatory publishes from a wave's indicator table: each cell judged against the
//! publication rules (minimum n, minimum effective n, maximum interval half-width), the change
//! since the previous wave with its significance test, the 28-commune choropleth map as a
//! standalone SVG, and the open-data export (CSV, data package and maps) that carries only
//! publishable cells.
//!
//! Everything here starts from the rows of [`crate::indicators::indicator_table`], the very
//! rows written to `indicateurs.csv`: the results page and the open data never recompute an
//! estimate differently from the analysts' export.

mod change;
mod french;
mod indicator_map;
mod map;
mod open_data;
mod results;
mod results_csv;
mod rules;

pub use change::{Change, SIGNIFICANCE_LEVEL, change_between};
pub use french::{decimal, percent};
pub use indicator_map::{Withheld, indicator_map};
pub use map::{ChoroplethMap, MapCell, MapError, choropleth};
pub use open_data::{OPEN_DATA_CSV, OpenData, OpenDataError, map_file_name, write_open_data};
pub use results::{ResultRow, results};
pub use results_csv::write_results_csv;
pub use rules::{PublicationRules, RulesError, Verdict};
