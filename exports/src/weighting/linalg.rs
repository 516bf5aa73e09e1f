//! Solving the small symmetric positive semi-definite Newton systems of calibration.
//!
//! Margins are redundant by construction (each one-way margin sums to the total, `commune`
//! is implied by `commune:sexe`), so the system is singular. R uses `MASS::ginv`; here a
//! symmetric elimination with diagonal pivoting stops at the numerical rank and sets the
//! remaining unknowns to zero. Any solution of the (consistent) system gives the same
//! weights, because the weights depend on the multipliers only through `x'λ`.

/// Pivots below this fraction of the largest diagonal entry count as zero.
const RANK_TOLERANCE: f64 = 1e-11;

/// Solves `a x = b` for a symmetric positive semi-definite `a` (row-major, `n × n`).
pub(crate) fn solve_psd(mut a: Vec<f64>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    let mut order: Vec<usize> = (0..n).collect();
    let scale = (0..n).map(|i| a[i * n + i]).fold(0.0_f64, f64::max);
    let mut rank = 0;
    while rank < n {
        let k = rank;
        let pivot = (k..n)
            .max_by(|&i, &j| a[i * n + i].total_cmp(&a[j * n + j]))
            .unwrap_or(k);
        let value = a[pivot * n + pivot];
        if value.is_nan() || value <= RANK_TOLERANCE * scale {
            break;
        }
        if pivot != k {
            for col in 0..n {
                a.swap(k * n + col, pivot * n + col);
            }
            for row in 0..n {
                a.swap(row * n + k, row * n + pivot);
            }
            b.swap(k, pivot);
            order.swap(k, pivot);
        }
        let diagonal = a[k * n + k];
        for row in k + 1..n {
            let factor = a[row * n + k] / diagonal;
            if factor != 0.0 {
                for col in k..n {
                    a[row * n + col] -= factor * a[k * n + col];
                }
                b[row] -= factor * b[k];
            }
        }
        rank += 1;
    }
    let mut x = vec![0.0; n];
    for k in (0..rank).rev() {
        let tail: f64 = (k + 1..rank).map(|col| a[k * n + col] * x[col]).sum();
        x[k] = (b[k] - tail) / a[k * n + k];
    }
    let mut solution = vec![0.0; n];
    for (position, &variable) in order.iter().enumerate() {
        solution[variable] = x[position];
    }
    solution
}

#[cfg(test)]
mod tests {
    use super::solve_psd;

    #[test]
    fn singular_consistent_system_gets_an_exact_solution() {
        // Columns: total, a, b with total = a + b (a redundant margin).
        let a = vec![3.0, 1.0, 2.0, 1.0, 1.0, 0.0, 2.0, 0.0, 2.0];
        let x = solve_psd(a.clone(), vec![5.0, 1.0, 4.0]);
        for row in 0..3 {
            let value: f64 = (0..3).map(|col| a[row * 3 + col] * x[col]).sum();
            assert!((value - [5.0, 1.0, 4.0][row]).abs() < 1e-12);
        }
    }
}
