//! Raking by iterative proportional fitting (IPF) on cells.
//!
//! IPF rather than Newton: with one thin cell needing a large factor, Newton-type raking in
//! `survey::calibrate` and `sampling::calib` diverged at n = 1M where IPF converged in a few
//! sweeps (see docs/weighting.md). Both reach the same solution when it exists.

use super::Solution;
use super::diagnostics::worst_error;
use super::poststrat::adjust_to;
use super::problem::Problem;

/// Rakes cell weights until the largest relative margin error is at most `tolerance`.
pub(crate) fn rake(problem: &Problem, tolerance: f64, max_iterations: usize) -> Solution {
    let mut w = problem.cells.sum_d.clone();
    let mut scratch = Vec::new();
    let mut iterations = 0;
    let mut converged = worst_error(&problem.constraints, &w).relative_error <= tolerance;
    while !converged && iterations < max_iterations {
        for constraint in &problem.constraints {
            adjust_to(constraint, &mut w, &mut scratch);
        }
        iterations += 1;
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
