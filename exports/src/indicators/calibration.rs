//! The calibration design matrix and the base-weighted least-squares solver behind the
//! calibration variance.
//!
//! Each margin contributes one dummy column per category (full dummy coding, no separate
//! intercept: any margin's dummies sum to one). The Gram matrix `Σ d_i x_i x_iᵀ` is therefore
//! singular as soon as there are two margins; a Cholesky factorisation with diagonal pivoting
//! keeps a maximal set of linearly independent columns, which spans the same space as R's
//! `model.matrix(~ a + b + ...)` (treatment contrasts) and so gives the same residuals.

use super::error::IndicatorError;

/// A column is kept only if the part of it not explained by the columns already kept has a
/// relative squared norm (1 − R²) above this. Exact dependencies in dummy designs leave
/// ~1e-15; a category of one respondent among a million leaves ~1e-6.
const PIVOT_TOLERANCE: f64 = 1e-9;

/// Respondents' categories on the calibration margins, with the factorised Gram matrix.
#[derive(Debug, Clone)]
pub(crate) struct CalibrationDesign {
    /// Number of margins, i.e. of non-zero entries per design row.
    margins: usize,
    /// Weights before calibration, which weight the regression (as `survey::calibrate`).
    base_weights: Vec<f64>,
    /// Row-major `n × margins` column indices of the dummies equal to one.
    columns: Vec<usize>,
    /// Number of columns of the design matrix (total number of categories).
    dimension: usize,
    solver: GramSolver,
}

impl CalibrationDesign {
    /// Builds the design of `margins` (one category index per respondent each) and factorises
    /// its Gram matrix weighted by `base_weights`.
    pub(crate) fn new(base_weights: &[f64], margins: &[&[usize]]) -> Result<Self, IndicatorError> {
        let n = base_weights.len();
        if margins.is_empty() {
            return Err(IndicatorError::NoMargins);
        }
        if let Some((index, &value)) = base_weights
            .iter()
            .enumerate()
            .find(|&(_, &d)| !(d.is_finite() && d > 0.0))
        {
            return Err(IndicatorError::InvalidBaseWeight { index, value });
        }
        let mut offsets = Vec::with_capacity(margins.len());
        let mut dimension = 0;
        for (position, categories) in margins.iter().enumerate() {
            if categories.len() != n {
                return Err(IndicatorError::LengthMismatch {
                    what: format!("calibration margin {}", position + 1),
                    expected: n,
                    found: categories.len(),
                });
            }
            offsets.push(dimension);
            dimension += categories.iter().max().map_or(0, |&c| c + 1);
        }
        let m = margins.len();
        let mut columns = vec![0; n * m];
        for (j, (categories, offset)) in margins.iter().zip(&offsets).enumerate() {
            for (i, &category) in categories.iter().enumerate() {
                columns[i * m + j] = offset + category;
            }
        }
        let mut gram = vec![0.0; dimension * dimension];
        for (row, &d) in columns.chunks_exact(m).zip(base_weights) {
            add_outer(&mut gram, dimension, row, d);
        }
        Ok(Self {
            margins: m,
            base_weights: base_weights.to_vec(),
            columns,
            dimension,
            solver: GramSolver::factorise(gram, dimension),
        })
    }

    /// Number of columns of the design matrix.
    pub(crate) fn dimension(&self) -> usize {
        self.dimension
    }

    /// Base weight of respondent `i`.
    pub(crate) fn base_weight(&self, i: usize) -> f64 {
        self.base_weights[i]
    }

    /// Columns equal to one in respondent `i`'s design row.
    pub(crate) fn row(&self, i: usize) -> &[usize] {
        &self.columns[i * self.margins..(i + 1) * self.margins]
    }

    /// `x_iᵀ β` for respondent `i`.
    pub(crate) fn fitted(&self, i: usize, beta: &[f64]) -> f64 {
        self.row(i).iter().map(|&c| beta[c]).sum()
    }

    /// Least-squares coefficients: a solution of `(Σ d x xᵀ) β = rhs`, zero on the columns
    /// dropped as linearly dependent.
    pub(crate) fn solve(&self, rhs: &[f64]) -> Vec<f64> {
        self.solver.solve(rhs)
    }
}

/// Adds `weight · x xᵀ` to the `dimension × dimension` matrix, `x` being the 0/1 vector with
/// ones at `row`.
pub(crate) fn add_outer(matrix: &mut [f64], dimension: usize, row: &[usize], weight: f64) {
    for &a in row {
        let line = &mut matrix[a * dimension..(a + 1) * dimension];
        for &b in row {
            line[b] += weight;
        }
    }
}

/// `vᵀ M v` for a `dimension × dimension` matrix.
pub(crate) fn quadratic_form(matrix: &[f64], dimension: usize, v: &[f64]) -> f64 {
    matrix
        .chunks_exact(dimension)
        .zip(v)
        .filter(|&(_, &va)| va != 0.0)
        .map(|(line, &va)| va * line.iter().zip(v).map(|(m, vb)| m * vb).sum::<f64>())
        .sum()
}

/// Pivoted Cholesky factor of a Jacobi-scaled symmetric positive semi-definite matrix.
#[derive(Debug, Clone)]
struct GramSolver {
    dimension: usize,
    /// `sqrt(A_aa)` per column (the Jacobi scaling).
    scale: Vec<f64>,
    /// Kept columns, in pivot order.
    kept: Vec<usize>,
    /// Lower-triangular factor of the scaled matrix restricted to `kept`, row-major
    /// `kept.len() × kept.len()`.
    factor: Vec<f64>,
}

impl GramSolver {
    fn factorise(mut gram: Vec<f64>, dimension: usize) -> Self {
        let scale: Vec<f64> = (0..dimension)
            .map(|a| gram[a * dimension + a].sqrt())
            .collect();
        for a in 0..dimension {
            for b in 0..dimension {
                let s = scale[a] * scale[b];
                gram[a * dimension + b] = if s > 0.0 {
                    gram[a * dimension + b] / s
                } else {
                    0.0
                };
            }
        }
        // Outer-product Cholesky with complete (diagonal) pivoting; `lower[a * dimension + j]`
        // is the factor's entry for original column `a` at pivot step `j`.
        let mut order: Vec<usize> = (0..dimension).collect();
        let mut lower = vec![0.0; dimension * dimension];
        let mut rank = 0;
        while rank < dimension {
            let (position, pivot) = (rank..dimension)
                .map(|p| (p, gram[order[p] * dimension + order[p]]))
                .fold((rank, f64::NEG_INFINITY), |best, candidate| {
                    if candidate.1 > best.1 {
                        candidate
                    } else {
                        best
                    }
                });
            if pivot <= PIVOT_TOLERANCE {
                break;
            }
            order.swap(rank, position);
            let p = order[rank];
            let root = pivot.sqrt();
            lower[p * dimension + rank] = root;
            for &a in &order[rank + 1..] {
                lower[a * dimension + rank] = gram[a * dimension + p] / root;
            }
            for (offset, &a) in order[rank + 1..].iter().enumerate() {
                let la = lower[a * dimension + rank];
                for &b in &order[rank + 1..rank + 2 + offset] {
                    let update = la * lower[b * dimension + rank];
                    gram[a * dimension + b] -= update;
                    if a != b {
                        gram[b * dimension + a] -= update;
                    }
                }
            }
            rank += 1;
        }
        let kept = order[..rank].to_vec();
        let mut factor = vec![0.0; rank * rank];
        for (i, &a) in kept.iter().enumerate() {
            factor[i * rank..i * rank + i + 1]
                .copy_from_slice(&lower[a * dimension..a * dimension + i + 1]);
        }
        Self {
            dimension,
            scale,
            kept,
            factor,
        }
    }

    fn solve(&self, rhs: &[f64]) -> Vec<f64> {
        let r = self.kept.len();
        // Scaled system: S z = D⁻¹ rhs with β = D⁻¹ z, S = L Lᵀ on the kept columns.
        let mut z: Vec<f64> = self.kept.iter().map(|&a| rhs[a] / self.scale[a]).collect();
        for i in 0..r {
            let row = &self.factor[i * r..i * r + i];
            let partial: f64 = row.iter().zip(&z[..i]).map(|(l, v)| l * v).sum();
            z[i] = (z[i] - partial) / self.factor[i * r + i];
        }
        for i in (0..r).rev() {
            let partial: f64 = (i + 1..r).map(|h| self.factor[h * r + i] * z[h]).sum();
            z[i] = (z[i] - partial) / self.factor[i * r + i];
        }
        let mut beta = vec![0.0; self.dimension];
        for (&a, value) in self.kept.iter().zip(z) {
            beta[a] = value / self.scale[a];
        }
        beta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solver_reproduces_cell_means_for_one_margin() {
        // One margin: the least-squares fit is the base-weighted mean per category.
        let design = CalibrationDesign::new(&[1.0, 3.0, 2.0], &[&[0, 0, 1]]).unwrap();
        let rhs = [1.0 * 4.0 + 3.0 * 8.0, 2.0 * 5.0];
        let beta = design.solve(&rhs);
        assert!((beta[0] - 7.0).abs() < 1e-12);
        assert!((beta[1] - 5.0).abs() < 1e-12);
    }

    #[test]
    fn solver_handles_aliased_margins() {
        // Two identical margins: the Gram matrix has rank 2 of 4; the fit is unchanged.
        let cats: &[usize] = &[0, 1, 1, 0];
        let d = [1.0, 1.0, 2.0, 1.0];
        let design = CalibrationDesign::new(&d, &[cats, cats]).unwrap();
        let y = [1.0, 2.0, 4.0, 3.0];
        let mut rhs = vec![0.0; design.dimension()];
        for i in 0..4 {
            for &c in design.row(i) {
                rhs[c] += d[i] * y[i];
            }
        }
        let beta = design.solve(&rhs);
        assert!((design.fitted(0, &beta) - 2.0).abs() < 1e-12);
        assert!((design.fitted(1, &beta) - 10.0 / 3.0).abs() < 1e-12);
    }
}
