//! Survey weighting: post-stratification, raking (IPF) and calibration (linear, logit,
//! truncated linear) of respondents to population margins, with diagnostics.
//!
//! Solvers work on the cells of the cross-classification of the margin variables, then give
//! each respondent `w_i = d_i g_cell(i)` (d = base weight, 1 if none): the result is exactly
//! the row-level one, and a million respondents weight in milliseconds. See `docs/weighting.md`.
//!
//! Non-convergence is an error ([`WeightError::NotConverged`]) that carries the last weights
//! and diagnostics, so unconverged weights are never used by mistake.

mod calibration;
mod cells;
mod diagnostics;
mod error;
pub mod io;
mod linalg;
mod margins;
mod poststrat;
mod problem;
mod raking;
mod respondents;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub use diagnostics::{
    Diagnostics, GroupDiagnostics, GroupSummary, MarginError, Quantile, WeightSummary,
};
pub use error::{EmptyCell, MARGINS_FILE, RESPONDENTS_FILE, WeightError};
pub use margins::{CROSS_SEPARATOR, Margin};
pub use respondents::Respondents;

use calibration::Distance;
use problem::Problem;

/// Default largest relative margin error accepted (also the tolerance on margins' totals).
pub const DEFAULT_TOLERANCE: f64 = 1e-10;
/// Default cap on IPF sweeps.
pub const DEFAULT_RAKING_ITERATIONS: usize = 1000;
/// Default cap on Newton steps.
pub const DEFAULT_NEWTON_ITERATIONS: usize = 100;

/// Bounds `[lower, upper]` on the adjustment factor g = w / d.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bounds {
    /// Smallest allowed g.
    pub lower: f64,
    /// Largest allowed g.
    pub upper: f64,
}

impl FromStr for Bounds {
    type Err = WeightError;

    /// Parses `L,U` (as in `--bounds 0.5,2`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || {
            WeightError::Bounds(format!(
                "les bornes s'écrivent L,U (par exemple 0.5,2), reçu « {text} »"
            ))
        };
        let (lower, upper) = text.split_once(',').ok_or_else(invalid)?;
        let lower = lower.trim().parse().map_err(|_| invalid())?;
        let upper = upper.trim().parse().map_err(|_| invalid())?;
        Ok(Self { lower, upper })
    }
}

/// How weights are computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum Method {
    /// One adjustment per category of a single (possibly crossed) margin.
    PostStratification,
    /// Raking ratio by IPF: `g = exp(x'λ)`, weights stay positive.
    Raking,
    /// Linear (chi-square) calibration, GREG: `g = 1 + x'λ`; weights may be negative.
    Linear,
    /// Logit calibration: g stays strictly within the bounds.
    Logit {
        /// Bounds on g.
        bounds: Bounds,
    },
    /// Truncated linear calibration: `g = 1 + x'λ` clipped to the bounds.
    Truncated {
        /// Bounds on g.
        bounds: Bounds,
    },
}

impl Method {
    /// The names [`Method::from_name`] knows.
    pub const NAMES: [&'static str; 5] = ["poststrat", "raking", "linear", "logit", "truncated"];

    /// The method's name, as [`Method::from_name`] reads it.
    pub fn name(&self) -> &'static str {
        match self {
            Method::PostStratification => "poststrat",
            Method::Raking => "raking",
            Method::Linear => "linear",
            Method::Logit { .. } => "logit",
            Method::Truncated { .. } => "truncated",
        }
    }

    /// Method from its command-line name (`poststrat`, `raking`, `linear`, `logit`,
    /// `truncated`) and optional bounds (required for `logit` and `truncated`, refused
    /// otherwise).
    pub fn from_name(name: &str, bounds: Option<Bounds>) -> Result<Self, WeightError> {
        let method = match (name, bounds) {
            ("poststrat", None) => Method::PostStratification,
            ("raking", None) => Method::Raking,
            ("linear", None) => Method::Linear,
            ("logit", Some(bounds)) => Method::Logit { bounds },
            ("truncated", Some(bounds)) => Method::Truncated { bounds },
            ("logit" | "truncated", None) => {
                return Err(WeightError::Bounds(format!(
                    "la méthode « {name} » demande des bornes L,U sur le rapport g = poids / poids initial (par exemple 0.5,2)"
                )));
            }
            ("poststrat" | "raking" | "linear", Some(_)) => {
                return Err(WeightError::Bounds(format!(
                    "la méthode « {name} » ne prend pas de bornes ; pour borner les poids, utilisez « logit » (calage borné proche du raking) ou « truncated » (calage linéaire borné)"
                )));
            }
            _ => {
                return Err(WeightError::InvalidOption(format!(
                    "méthode de pondération inconnue : « {name} » (attendu : poststrat, raking, linear, logit ou truncated)"
                )));
            }
        };
        method.check_bounds()?;
        Ok(method)
    }

    fn check_bounds(self) -> Result<(), WeightError> {
        let problem = match self {
            Method::Logit {
                bounds: Bounds { lower, upper },
            } => (!(lower.is_finite()
                && upper.is_finite()
                && (0.0..1.0).contains(&lower)
                && 1.0 < upper))
                .then(|| {
                    format!(
                        "les bornes de la méthode logit doivent être finies avec 0 ≤ L < 1 < U, reçu [{lower} ; {upper}]"
                    )
                }),
            Method::Truncated {
                bounds: Bounds { lower, upper },
            } => (!(lower <= 1.0 && 1.0 <= upper && lower < upper)).then(|| {
                format!(
                    "les bornes de la méthode truncated doivent vérifier L ≤ 1 ≤ U et L < U, reçu [{lower} ; {upper}]"
                )
            }),
            _ => None,
        };
        problem.map_or(Ok(()), |message| Err(WeightError::Bounds(message)))
    }

    fn bounds(self) -> Option<Bounds> {
        match self {
            Method::Logit { bounds } | Method::Truncated { bounds } => Some(bounds),
            _ => None,
        }
    }
}

/// French name of the method, for the analyst report.
impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::PostStratification => write!(f, "post-stratification"),
            Method::Raking => write!(f, "calage sur marges, méthode raking ratio (IPF)"),
            Method::Linear => write!(f, "calage sur marges, méthode linéaire"),
            Method::Logit { bounds } => {
                write!(
                    f,
                    "calage sur marges, méthode logit, bornes [{} ; {}]",
                    bounds.lower, bounds.upper
                )
            }
            Method::Truncated { bounds } => write!(
                f,
                "calage sur marges, méthode linéaire tronquée, bornes [{} ; {}]",
                bounds.lower, bounds.upper
            ),
        }
    }
}

/// Settings of a weighting run.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Method.
    pub method: Method,
    /// Largest relative margin error accepted, and tolerance on margins' totals.
    pub tolerance: f64,
    /// Cap on iterations; `None` for the method's default.
    pub max_iterations: Option<usize>,
    /// Variable for per-category diagnostics (e.g. `commune`).
    pub group_by: Option<String>,
}

impl Options {
    /// Default settings for a method.
    pub fn new(method: Method) -> Self {
        Self {
            method,
            tolerance: DEFAULT_TOLERANCE,
            max_iterations: None,
            group_by: None,
        }
    }
}

/// Weights, in respondent order, and their diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct Weighting {
    /// One weight per respondent.
    pub weights: Vec<f64>,
    /// How the run went.
    pub diagnostics: Diagnostics,
}

/// Cell adjustment factors found by a solver.
pub(crate) struct Solution {
    pub(crate) g: Vec<f64>,
    pub(crate) iterations: usize,
    pub(crate) converged: bool,
}

/// Weights `respondents` to `margins`.
///
/// Every input problem (unknown variable, empty cell, category without target, totals that
/// disagree, infeasible bounds) is reported before iterating; non-convergence is
/// [`WeightError::NotConverged`] with the last weights attached.
pub fn weight(
    respondents: &Respondents,
    margins: &[Margin],
    options: &Options,
) -> Result<Weighting, WeightError> {
    let method = options.method;
    method.check_bounds()?;
    if !(options.tolerance > 0.0 && options.tolerance < 1.0) {
        return Err(WeightError::InvalidOption(format!(
            "la tolérance doit être strictement comprise entre 0 et 1, reçu {}",
            options.tolerance
        )));
    }
    if method == Method::PostStratification && margins.len() != 1 {
        return Err(WeightError::PostStratificationMargins(margins.len()));
    }
    let problem = Problem::prepare(
        respondents,
        margins,
        options.group_by.as_deref(),
        options.tolerance,
    )?;
    if let Some(bounds) = method.bounds() {
        check_feasible(&problem, bounds)?;
    }
    let solution = match method {
        Method::PostStratification => {
            let mut w = problem.cells.sum_d.clone();
            poststrat::adjust_to(&problem.constraints[0], &mut w, &mut Vec::new());
            let g = w
                .iter()
                .zip(&problem.cells.sum_d)
                .map(|(w, d)| w / d)
                .collect();
            Solution {
                g,
                iterations: 1,
                converged: true,
            }
        }
        Method::Raking => raking::rake(
            &problem,
            options.tolerance,
            options.max_iterations.unwrap_or(DEFAULT_RAKING_ITERATIONS),
        ),
        Method::Linear | Method::Logit { .. } | Method::Truncated { .. } => {
            let distance = match method {
                Method::Logit { bounds } => Distance::Logit(bounds),
                Method::Truncated { bounds } => Distance::Truncated(bounds),
                _ => Distance::Linear,
            };
            calibration::calibrate(
                &problem,
                distance,
                options.tolerance,
                options.max_iterations.unwrap_or(DEFAULT_NEWTON_ITERATIONS),
            )
        }
    };
    let mut diagnostics = Diagnostics::compute(&problem, method, &solution, options.tolerance);
    // Post-stratification is exact by construction; report convergence from the actual fit.
    diagnostics.converged = diagnostics.max_error.relative_error <= options.tolerance;
    let weighting = Weighting {
        weights: problem.cells.expand(respondents, &solution.g),
        diagnostics,
    };
    if weighting.diagnostics.converged {
        return Ok(weighting);
    }
    let e = weighting.diagnostics.max_error.clone();
    Err(WeightError::NotConverged {
        iterations: weighting.diagnostics.iterations,
        margin: e.margin,
        category: e.category,
        absolute_error: e.absolute_error,
        relative_error: e.relative_error,
        partial: Box::new(weighting),
    })
}

/// A category whose target divided by its base-weight total lies outside the bounds cannot be
/// met with every g inside them.
fn check_feasible(problem: &Problem, bounds: Bounds) -> Result<(), WeightError> {
    for constraint in &problem.constraints {
        let mut base = vec![0.0; constraint.targets.len()];
        for (&category, d) in constraint.cell_category.iter().zip(&problem.cells.sum_d) {
            base[category as usize] += d;
        }
        for ((label, target), base) in constraint.labels.iter().zip(&constraint.targets).zip(&base)
        {
            let ratio = target / base;
            if ratio < bounds.lower || ratio > bounds.upper {
                return Err(WeightError::InfeasibleBounds {
                    margin: constraint.name.clone(),
                    category: label.clone(),
                    ratio,
                    lower: bounds.lower,
                    upper: bounds.upper,
                });
            }
        }
    }
    Ok(())
}
