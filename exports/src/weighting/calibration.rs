//! Deville–Särndal calibration on cells: linear, logit and truncated linear distances (the
//! CALMAR methods), solved by Newton's method on the Lagrange multipliers.
//!
//! Weights are `w = d F(x'λ)` where `x` holds the margin indicators of a cell. The calibration
//! equations `Σ d F(x'λ) x = t` only involve cell totals of `d`, so the Newton system is built
//! on cells and is exactly the row-level one.

use super::diagnostics::worst_error;
use super::linalg::solve_psd;
use super::problem::Problem;
use super::{Bounds, Solution};

/// Halvings of a Newton step before giving up on improving the misfit.
const MAX_HALVINGS: usize = 40;

/// The calibration function `g = F(u)` of a distance.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Distance {
    /// Chi-square distance: `F(u) = 1 + u` (weights may become negative).
    Linear,
    /// Logit distance with bounds `L < 1 < U`:
    /// `F(u) = (L(U−1) + U(1−L)e^{Au}) / ((U−1) + (1−L)e^{Au})`, `A = (U−L)/((1−L)(U−1))`.
    Logit(Bounds),
    /// Truncated chi-square: `F(u) = min(max(1 + u, L), U)`.
    Truncated(Bounds),
}

impl Distance {
    /// `F(u)` and `F'(u)`.
    fn evaluate(self, u: f64) -> (f64, f64) {
        match self {
            Distance::Linear => (1.0 + u, 1.0),
            Distance::Logit(Bounds { lower, upper }) => {
                let a = (upper - lower) / ((1.0 - lower) * (upper - 1.0));
                let e = (a * u).exp();
                if !e.is_finite() {
                    return (upper, 0.0);
                }
                let denominator = (upper - 1.0) + (1.0 - lower) * e;
                let g = (lower * (upper - 1.0) + upper * (1.0 - lower) * e) / denominator;
                // dF/du = A (g − L)(U − g) / (U − L): bell-shaped, 0 at both bounds.
                let derivative = a * (g - lower) * (upper - g) / (upper - lower);
                (g, derivative)
            }
            Distance::Truncated(Bounds { lower, upper }) => {
                let g = 1.0 + u;
                if g <= lower {
                    (lower, 0.0)
                } else if g >= upper {
                    (upper, 0.0)
                } else {
                    (g, 1.0)
                }
            }
        }
    }
}

/// Columns of the design matrix: one per kept category of every margin.
struct Layout {
    offsets: Vec<usize>,
    columns: usize,
}

impl Layout {
    fn new(problem: &Problem) -> Self {
        let mut offsets = Vec::with_capacity(problem.constraints.len());
        let mut columns = 0;
        for constraint in &problem.constraints {
            offsets.push(columns);
            columns += constraint.targets.len();
        }
        Self { offsets, columns }
    }

    /// Column indices of a cell (one per margin).
    fn cell_columns<'a>(
        &'a self,
        problem: &'a Problem,
        cell: usize,
    ) -> impl Iterator<Item = usize> + 'a {
        problem
            .constraints
            .iter()
            .zip(&self.offsets)
            .map(move |(c, offset)| offset + c.cell_category[cell] as usize)
    }
}

/// Cell weights for multipliers `lambda`, with `F'` per cell.
fn weights(
    problem: &Problem,
    layout: &Layout,
    distance: Distance,
    lambda: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let cells = &problem.cells;
    let mut w = Vec::with_capacity(cells.len());
    let mut slope = Vec::with_capacity(cells.len());
    for cell in 0..cells.len() {
        let u: f64 = layout.cell_columns(problem, cell).map(|j| lambda[j]).sum();
        let (g, derivative) = distance.evaluate(u);
        w.push(cells.sum_d[cell] * g);
        slope.push(cells.sum_d[cell] * derivative);
    }
    (w, slope)
}

/// Targets minus achieved totals, per design column.
fn misfit(problem: &Problem, layout: &Layout, w: &[f64]) -> Vec<f64> {
    let mut residual = vec![0.0; layout.columns];
    for (constraint, offset) in problem.constraints.iter().zip(&layout.offsets) {
        for (k, target) in constraint.targets.iter().enumerate() {
            residual[offset + k] = *target;
        }
        for (&category, weight) in constraint.cell_category.iter().zip(w) {
            residual[offset + category as usize] -= weight;
        }
    }
    residual
}

fn squared_norm(values: &[f64]) -> f64 {
    values.iter().map(|v| v * v).sum()
}

/// Calibrates until the largest relative margin error is at most `tolerance`.
pub(crate) fn calibrate(
    problem: &Problem,
    distance: Distance,
    tolerance: f64,
    max_iterations: usize,
) -> Solution {
    let layout = Layout::new(problem);
    let p = layout.columns;
    let mut lambda = vec![0.0; p];
    let (mut w, mut slope) = weights(problem, &layout, distance, &lambda);
    let mut residual = misfit(problem, &layout, &w);
    let mut iterations = 0;
    let mut converged = worst_error(&problem.constraints, &w).relative_error <= tolerance;
    while !converged && iterations < max_iterations {
        let mut jacobian = vec![0.0; p * p];
        for (cell, &s) in slope.iter().enumerate() {
            if s == 0.0 {
                continue;
            }
            for row in layout.cell_columns(problem, cell) {
                for col in layout.cell_columns(problem, cell) {
                    jacobian[row * p + col] += s;
                }
            }
        }
        let step = solve_psd(jacobian, residual.clone());
        let current = squared_norm(&residual);
        let mut factor = 1.0;
        let mut accepted = None;
        for _ in 0..=MAX_HALVINGS {
            let candidate: Vec<f64> = lambda
                .iter()
                .zip(&step)
                .map(|(l, s)| l + factor * s)
                .collect();
            let (cw, cs) = weights(problem, &layout, distance, &candidate);
            let cr = misfit(problem, &layout, &cw);
            let norm = squared_norm(&cr);
            if norm.is_finite() && cw.iter().all(|x| x.is_finite()) && norm < current {
                accepted = Some((candidate, cw, cs, cr));
                break;
            }
            factor /= 2.0;
        }
        iterations += 1;
        match accepted {
            Some((l, cw, cs, cr)) => {
                lambda = l;
                w = cw;
                slope = cs;
                residual = cr;
            }
            // No step improves the fit: the margins cannot be met (typically bounds too tight).
            None => break,
        }
        converged = worst_error(&problem.constraints, &w).relative_error <= tolerance;
    }
    let g = w
        .iter()
        .zip(&problem.cells.sum_d)
        .map(|(w, d)| w / d)
        .collect();
    Solution {
        g,
        iterations,
        converged,
    }
}
