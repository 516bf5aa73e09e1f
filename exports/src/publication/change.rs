//! The change of an indicator between two waves, with a test of whether it is more than
//! sampling noise.
//!
//! The two waves are independent samples (each wave draws its own telephone numbers), so the
//! variance of the difference of two estimates is the sum of their variances, and each
//! variance is the one its own design gives: the standard error of the indicator table
//! (`erreur_type`), linearised on the wave's own calibration. The test is the two-sided Wald
//! test of a zero difference, `z = (p₂ − p₁) / √(se₁² + se₂²)` against the standard normal,
//! as R `svycontrast` on two independent designs gives. It neglects the covariance a panel
//! would have (there is none between independent samples) and, like every linearised test,
//! relies on the normal approximation, which is why a change is only published for cells that
//! pass the publication rules in both waves.

use serde::Serialize;

/// Level under which a change is called significant (two-sided, 5 %).
pub const SIGNIFICANCE_LEVEL: f64 = 0.05;

/// The change of one indicator cell from the previous wave to the current one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    /// Proportion in the previous wave.
    pub previous: f64,
    /// Current minus previous proportion (in proportion points: 0.05 is 5 points).
    pub difference: f64,
    /// Standard error of the difference, `√(se₁² + se₂²)`.
    pub standard_error: f64,
    /// Wald statistic `difference / standard_error`; `None` when both waves have a zero
    /// variance (then no test is possible).
    pub z: Option<f64>,
    /// Two-sided p-value of the hypothesis of no change; `None` with `z`.
    pub p_value: Option<f64>,
    /// Whether `p_value` is below [`SIGNIFICANCE_LEVEL`].
    pub significant: bool,
}

/// The change from `previous` (proportion, standard error) to `current`.
pub fn change_between(previous: (f64, f64), current: (f64, f64)) -> Change {
    let (p1, se1) = previous;
    let (p2, se2) = current;
    let difference = p2 - p1;
    let standard_error = se1.hypot(se2);
    let z = (standard_error > 0.0).then(|| difference / standard_error);
    let p_value = z.map(|z| erfc(z.abs() / std::f64::consts::SQRT_2));
    Change {
        previous: p1,
        difference,
        standard_error,
        z,
        p_value,
        significant: p_value.is_some_and(|p| p < SIGNIFICANCE_LEVEL),
    }
}

/// The complementary error function, by the Chebyshev-fitted formula of Press et al.
/// (*Numerical Recipes*, 2nd ed., `erfcc`): relative error below 1.2e-7 everywhere, far below
/// what changes a p-value read to three decimals.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let value = t * poly.exp();
    if x >= 0.0 { value } else { 2.0 - value }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand: 30 % (se 2 points) then 25 % (se 1.5 points); the difference is −5 points,
    /// its standard error √(0.02² + 0.015²) = 0.025, z = −2 and the two-sided p-value
    /// 2·Φ(−2) = 0.0455003 (R: `2 * pnorm(-2)`).
    #[test]
    fn a_five_point_fall_with_these_errors_is_significant_at_p_0_0455() {
        let change = change_between((0.30, 0.02), (0.25, 0.015));
        assert!((change.difference + 0.05).abs() < 1e-15);
        assert!((change.standard_error - 0.025).abs() < 1e-15);
        assert!((change.z.unwrap() + 2.0).abs() < 1e-12);
        assert!((change.p_value.unwrap() - 0.045_500_26).abs() < 1e-7);
        assert!(change.significant);
    }

    #[test]
    fn the_same_difference_with_wider_errors_is_not_significant() {
        // se = √(0.03² + 0.04²) = 0.05, z = 1, p = 2·Φ(−1) = 0.3173105.
        let change = change_between((0.20, 0.03), (0.25, 0.04));
        assert!((change.z.unwrap() - 1.0).abs() < 1e-12);
        assert!((change.p_value.unwrap() - 0.317_310_5).abs() < 1e-7);
        assert!(!change.significant);
    }

    #[test]
    fn a_difference_on_the_5_percent_critical_value_has_p_0_05() {
        let change = change_between((0.0, 0.0), (1.959_963_984_540_054 * 0.01, 0.01));
        assert!((change.p_value.unwrap() - 0.05).abs() < 1e-7);
    }

    #[test]
    fn without_variance_in_either_wave_no_test_is_made() {
        let change = change_between((0.0, 0.0), (0.0, 0.0));
        assert_eq!(
            (change.z, change.p_value, change.significant),
            (None, None, false)
        );
    }
}
