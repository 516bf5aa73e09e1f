//! Diagnostics of a weighting run: convergence, largest margin error, weight dispersion
//! (Kish design effect, effective sample size), adjustment factors, per group.

use std::fmt;

use serde::Serialize;

use super::cells::Cells;
use super::problem::{Constraint, Problem};
use super::{Method, Solution};

/// Quantile levels reported for the adjustment factor g = w / d (as CALMAR and icarus do).
const G_LEVELS: [f64; 9] = [0.0, 0.01, 0.10, 0.25, 0.50, 0.75, 0.90, 0.99, 1.0];

/// The margin category furthest from its target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarginError {
    /// Margin name (`commune` or `commune:sexe`).
    pub margin: String,
    /// Category (`33063` or `33063:F`).
    pub category: String,
    /// Population target.
    pub target: f64,
    /// Sum of the weights of its respondents.
    pub achieved: f64,
    /// `|achieved − target|`, in weighted persons.
    pub absolute_error: f64,
    /// `|achieved − target| / target`.
    pub relative_error: f64,
}

/// Dispersion of a set of weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightSummary {
    /// Respondents.
    pub respondents: u64,
    /// Sum of weights.
    pub sum: f64,
    /// Smallest weight.
    pub min: f64,
    /// Largest weight.
    pub max: f64,
    /// `max / min`, absent when the smallest weight is not positive.
    pub max_min_ratio: Option<f64>,
    /// Kish design effect due to weighting: `n Σw² / (Σw)²`.
    pub kish_deff: f64,
    /// Effective sample size: `(Σw)² / Σw²`.
    pub effective_sample_size: f64,
}

/// One quantile of the adjustment factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quantile {
    /// Level in [0, 1].
    pub level: f64,
    /// Value of g = w / d at that level (over respondents).
    pub value: f64,
}

/// Weight dispersion within one category of the grouping variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSummary {
    /// Category (e.g. a commune code).
    pub category: String,
    /// Its weights.
    pub weights: WeightSummary,
}

/// Per-category diagnostics for a grouping variable (typically the commune).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupDiagnostics {
    /// Grouping variable.
    pub variable: String,
    /// Categories present among respondents, sorted.
    pub groups: Vec<GroupSummary>,
}

/// What an analyst needs to judge a weighting run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostics {
    /// Method used.
    pub method: Method,
    /// Iterations done (IPF sweeps or Newton steps; 1 for post-stratification).
    pub iterations: usize,
    /// Whether every margin is met within `tolerance`.
    pub converged: bool,
    /// Largest relative margin error accepted.
    pub tolerance: f64,
    /// The margin category furthest from its target.
    pub max_error: MarginError,
    /// Dispersion of all weights.
    pub weights: WeightSummary,
    /// Quantiles of g = w / d over respondents (d = 1 without base weights).
    pub adjustment: Vec<Quantile>,
    /// Per-category dispersion of the grouping variable, if one was chosen.
    pub groups: Option<GroupDiagnostics>,
}

/// The margin category with the largest relative error for cell weights `w`.
pub(crate) fn worst_error(constraints: &[Constraint], w: &[f64]) -> MarginError {
    let mut worst = MarginError {
        margin: String::new(),
        category: String::new(),
        target: 0.0,
        achieved: 0.0,
        absolute_error: 0.0,
        relative_error: 0.0,
    };
    let mut totals = Vec::new();
    let mut worst_at: Option<(usize, usize, f64, f64)> = None;
    for (m, constraint) in constraints.iter().enumerate() {
        totals.clear();
        totals.resize(constraint.targets.len(), 0.0);
        for (&category, weight) in constraint.cell_category.iter().zip(w) {
            totals[category as usize] += weight;
        }
        for (k, (achieved, target)) in totals.iter().zip(&constraint.targets).enumerate() {
            let relative = (achieved - target).abs() / target;
            // A NaN total counts as the worst error.
            if worst_at.is_none_or(|(_, _, r, _)| relative.is_nan() || relative > r) {
                worst_at = Some((m, k, relative, *achieved));
            }
        }
    }
    if let Some((m, k, relative, achieved)) = worst_at {
        let constraint = &constraints[m];
        let target = constraint.targets[k];
        worst = MarginError {
            margin: constraint.name.clone(),
            category: constraint.labels[k].clone(),
            target,
            achieved,
            absolute_error: (achieved - target).abs(),
            relative_error: relative,
        };
    }
    worst
}

/// Accumulates weight sums of cells into a summary.
#[derive(Default)]
struct Accumulator {
    respondents: u64,
    sum: f64,
    sum_squares: f64,
    min: f64,
    max: f64,
}

impl Accumulator {
    fn add_cell(&mut self, cells: &Cells, cell: usize, g: f64) {
        let (low, high) = {
            let a = g * cells.min_d[cell];
            let b = g * cells.max_d[cell];
            (a.min(b), a.max(b))
        };
        if self.respondents == 0 {
            self.min = low;
            self.max = high;
        } else {
            self.min = self.min.min(low);
            self.max = self.max.max(high);
        }
        self.respondents += cells.count[cell];
        self.sum += g * cells.sum_d[cell];
        self.sum_squares += g * g * cells.sum_d2[cell];
    }

    fn summary(&self) -> WeightSummary {
        let n = self.respondents as f64;
        WeightSummary {
            respondents: self.respondents,
            sum: self.sum,
            min: self.min,
            max: self.max,
            max_min_ratio: (self.min > 0.0).then(|| self.max / self.min),
            kish_deff: n * self.sum_squares / (self.sum * self.sum),
            effective_sample_size: self.sum * self.sum / self.sum_squares,
        }
    }
}

impl Diagnostics {
    /// Computes diagnostics from cell adjustment factors (exact: weights within a cell are
    /// `g × d`).
    pub(crate) fn compute(
        problem: &Problem,
        method: Method,
        solution: &Solution,
        tolerance: f64,
    ) -> Self {
        let cells = &problem.cells;
        let g = &solution.g;
        let w: Vec<f64> = g.iter().zip(&cells.sum_d).map(|(g, d)| g * d).collect();
        let mut overall = Accumulator::default();
        for (cell, &factor) in g.iter().enumerate() {
            overall.add_cell(cells, cell, factor);
        }
        let groups = problem.grouping.as_ref().map(|grouping| {
            let mut per_group: Vec<Accumulator> = (0..grouping.labels.len())
                .map(|_| Accumulator::default())
                .collect();
            for (cell, &factor) in g.iter().enumerate() {
                let group = cells.codes[grouping.position][cell] as usize;
                per_group[group].add_cell(cells, cell, factor);
            }
            let mut groups: Vec<GroupSummary> = per_group
                .iter()
                .zip(&grouping.labels)
                .filter(|(a, _)| a.respondents > 0)
                .map(|(a, label)| GroupSummary {
                    category: label.clone(),
                    weights: a.summary(),
                })
                .collect();
            groups.sort_by(|a, b| a.category.cmp(&b.category));
            GroupDiagnostics {
                variable: grouping.name.clone(),
                groups,
            }
        });
        Diagnostics {
            method,
            iterations: solution.iterations,
            converged: solution.converged,
            tolerance,
            max_error: worst_error(&problem.constraints, &w),
            weights: overall.summary(),
            adjustment: quantiles(cells, g),
            groups,
        }
    }
}

/// Quantiles of g over respondents (inverse of the empirical distribution function).
fn quantiles(cells: &Cells, g: &[f64]) -> Vec<Quantile> {
    let mut order: Vec<usize> = (0..g.len()).collect();
    order.sort_by(|&a, &b| g[a].total_cmp(&g[b]));
    let n: u64 = cells.count.iter().sum();
    G_LEVELS
        .iter()
        .map(|&level| {
            // Smallest g whose cumulative count reaches ceil(level × n) (at least 1).
            let rank = ((level * n as f64).ceil() as u64).max(1);
            let mut cumulative = 0;
            let value = order
                .iter()
                .find(|&&cell| {
                    cumulative += cells.count[cell];
                    cumulative >= rank
                })
                .map_or(f64::NAN, |&cell| g[cell]);
            Quantile { level, value }
        })
        .collect()
}

/// Formats a number with a narrow no-break space between thousands, as in French.
fn french_number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let (sign, unsigned) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |t| ("-", t));
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let mut grouped = String::new();
    for (i, ch) in integer.chars().enumerate() {
        if i > 0 && (integer.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(ch);
    }
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{fraction}")
    }
}

fn summary_line(s: &WeightSummary) -> String {
    format!(
        "somme {} ; min {} ; max {} ; max/min {} ; effet de plan de Kish {} ; taille efficace {}",
        french_number(s.sum, 1),
        french_number(s.min, 3),
        french_number(s.max, 3),
        s.max_min_ratio
            .map_or_else(|| "—".to_owned(), |r| french_number(r, 2)),
        french_number(s.kish_deff, 3),
        french_number(s.effective_sample_size, 1),
    )
}

/// A French report for analysts.
impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Méthode : {}", self.method)?;
        writeln!(
            f,
            "Répondants : {} ; itérations : {} ; {}",
            french_number(self.weights.respondents as f64, 0),
            self.iterations,
            if self.converged {
                "convergence atteinte".to_owned()
            } else {
                "NON CONVERGÉ : les marges ne sont pas respectées".to_owned()
            }
        )?;
        let e = &self.max_error;
        writeln!(
            f,
            "Écart maximal aux marges : {:.2e} en relatif ({:.2e} personne), marge « {} », modalité « {} » (cible {}, obtenu {}) ; tolérance {:.0e}",
            e.relative_error,
            e.absolute_error,
            e.margin,
            e.category,
            french_number(e.target, 2),
            french_number(e.achieved, 2),
            self.tolerance
        )?;
        writeln!(f, "Poids : {}", summary_line(&self.weights))?;
        let g: Vec<String> = self
            .adjustment
            .iter()
            .map(|q| {
                format!(
                    "{} % : {}",
                    french_number(q.level * 100.0, 0),
                    french_number(q.value, 4)
                )
            })
            .collect();
        writeln!(f, "Rapports g = poids / poids initial : {}", g.join(" ; "))?;
        if let Some(groups) = &self.groups {
            writeln!(f, "Par {} :", groups.variable)?;
            for group in &groups.groups {
                writeln!(
                    f,
                    "  {} ({} répondants) : {}",
                    group.category,
                    group.weights.respondents,
                    summary_line(&group.weights)
                )?;
            }
        }
        Ok(())
    }
}
