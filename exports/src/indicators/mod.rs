//! Published indicators: weighted proportions of 0/1 indicators, overall and per domain
//! (commune), with linearised standard errors, design effects, effective sample sizes and 95 %
//! intervals (Wald, logit and Korn–Graubard, as R `svyciprop`), and the per-commune indicator
//! table analysts download, which flags cells resting on too few respondents.
//!
//! Two variance methods ([`VarianceMethod`]): weights treated as fixed, or — the one that
//! accounts for the weighting — the calibration (residual) linearisation R `survey` applies
//! to designs from `calibrate()`. Domains are estimated as `svyby` does. Results match R
//! `survey` (see `docs/indicators.md` and the fixtures in `tests/fixtures/indicators`).
//!
//! ```
//! use exports::indicators::{IntervalMethod, Sample, VarianceMethod};
//!
//! let weights = [1.0, 2.0, 1.0, 3.0];
//! let communes = [Some(0), Some(0), Some(1), Some(1)];
//! let sample = Sample::new(&weights)?.with_domains(&communes, 2)?;
//! let no_device = [Some(true), Some(false), None, Some(false)];
//! let estimates = sample.estimate(&no_device, VarianceMethod::Linearization)?;
//! assert_eq!(estimates.overall.n, 3);
//! assert!((estimates.overall.proportion.unwrap() - 1.0 / 6.0).abs() < 1e-15);
//! let ci = estimates.domains[0].interval(IntervalMethod::Wald).unwrap();
//! assert!(ci.lower == 0.0 && ci.upper > 1.0 / 3.0);
//! # Ok::<(), exports::indicators::IndicatorError>(())
//! ```

mod calibration;
mod distribution;
mod error;
mod estimate;
mod interval;
mod sample;
mod small_domain;
mod table;
mod variance;

pub use error::IndicatorError;
pub use estimate::{Estimate, Estimates, VarianceMethod};
pub use interval::{Interval, IntervalMethod, Z_95};
pub use sample::Sample;
pub use small_domain::SmallDomainRule;
pub use table::{
    DECIMALS, DomainLabel, Indicator, TABLE_COLUMNS, TableOptions, TableRow, indicator_table,
    table_figure, table_record, write_table_csv,
};
