//! Post-stratification: one multiplicative adjustment per category of a single margin.

use super::problem::Constraint;

/// Scales cell weights `w` so that each category of `constraint` reaches its target.
///
/// Post-stratification is one such step; raking (IPF) repeats it over every margin.
pub(crate) fn adjust_to(constraint: &Constraint, w: &mut [f64], totals: &mut Vec<f64>) {
    totals.clear();
    totals.resize(constraint.targets.len(), 0.0);
    for (&category, &weight) in constraint.cell_category.iter().zip(w.iter()) {
        totals[category as usize] += weight;
    }
    for (total, target) in totals.iter_mut().zip(&constraint.targets) {
        // Every kept category has respondents with positive weights, so `total > 0`.
        *total = target / *total;
    }
    for (&category, weight) in constraint.cell_category.iter().zip(w.iter_mut()) {
        *weight *= totals[category as usize];
    }
}
