//! 95 % confidence intervals for a proportion: Wald, logit and Korn–Graubard (beta), computed
//! as R `survey` computes them from the estimate, its standard error, its effective sample
//! size and its degrees of freedom.

use serde::Serialize;

use super::distribution::{beta_quantile, student_t_quantile};

/// `qnorm(0.975)`: the normal quantile R's `confint()` uses for a 95 % interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// One minus the confidence level.
const ALPHA: f64 = 0.05;

/// Above this adjusted effective sample size the beta quantiles equal the normal ones to
/// better than 1e-10, and are taken as such: only a variance that is zero up to rounding (an
/// indicator that is a calibration category) gets there, and the beta quantiles' continued
/// fractions would need `√n` terms.
const NORMAL_BEYOND: f64 = 1e10;

/// How the 95 % interval is built from the proportion p and its standard error.
///
/// The default is [`IntervalMethod::Beta`]: communes of a few respondents and rare
/// indicators are the observatory's everyday case, and it is the interval that keeps its
/// coverage there (`docs/indicators.md`, "Which interval").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum IntervalMethod {
    /// `p ± z·SE`, clipped to [0, 1] (R `confint(svymean(...))`, then clipped). Falls below 0
    /// or collapses to a point in small domains and for rare indicators.
    Wald,
    /// Symmetric on the log-odds scale, `expit(logit(p) ± t·SE / (p(1 − p)))` with the
    /// Student quantile on the domain's degrees of freedom: always inside (0, 1) and
    /// asymmetric near 0 or 1 (R `svyciprop(method = "logit")`, its default). The point p when
    /// p is 0 or 1.
    Logit,
    /// Korn–Graubard: the Clopper–Pearson (exact binomial) interval for the effective sample
    /// size, adjusted for the degrees of freedom (R `svyciprop(method = "beta")`). Never a
    /// point: `[0, u]` with u > 0 when p = 0.
    #[default]
    Beta,
}

impl IntervalMethod {
    /// Name written in the table's `methode_ic` column: R `svyciprop`'s name of the method
    /// (`wald` for `confint(svymean(...))`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Wald => "wald",
            Self::Logit => "logit",
            Self::Beta => "beta",
        }
    }
}

/// A closed interval `[lower, upper]` within [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// `p ± z·SE` clipped to [0, 1].
pub(crate) fn wald(p: f64, se: f64) -> Interval {
    Interval {
        lower: (p - Z_95 * se).clamp(0.0, 1.0),
        upper: (p + Z_95 * se).clamp(0.0, 1.0),
    }
}

/// The logit interval with a Student quantile on `df` degrees of freedom.
///
/// When p is 0 or 1 the interval is the single point p: the log-odds are infinite and the
/// sample carries no information on their spread (R's `svyglm` fit drifts towards the point,
/// within 1e-9). With 0 degrees of freedom (impossible when 0 < p < 1, which needs two
/// respondents) the quantile is infinite and the interval [0, 1].
pub(crate) fn logit(p: f64, se: f64, df: usize) -> Interval {
    if p <= 0.0 || p >= 1.0 {
        return Interval { lower: p, upper: p };
    }
    let quantile = if df == 0 {
        f64::INFINITY
    } else {
        student_t_quantile(1.0 - ALPHA / 2.0, df as f64)
    };
    let centre = (p / (1.0 - p)).ln();
    let half = quantile * se / (p * (1.0 - p));
    Interval {
        lower: expit(centre - half),
        upper: expit(centre + half),
    }
}

/// The Korn–Graubard interval for `effective_n` respondents whose variance has `df` degrees of
/// freedom, referred to `reference_df` (R: `n.eff · (qt(α/2, nrow(design) − 1) / qt(α/2,
/// degf(design)))²`, then `qbeta(α/2, n p, n (1 − p) + 1)` and `qbeta(1 − α/2, n p + 1,
/// n (1 − p))`). With 0 degrees of freedom the adjustment's limit, 0, is taken (the interval
/// is then [0, 1]) unless `reference_df` is 0 too (no adjustment).
pub(crate) fn korn_graubard(p: f64, effective_n: f64, df: usize, reference_df: usize) -> Interval {
    let ratio = if df == reference_df {
        1.0
    } else if df == 0 {
        0.0
    } else {
        student_t_quantile(ALPHA / 2.0, reference_df as f64)
            / student_t_quantile(ALPHA / 2.0, df as f64)
    };
    let n = effective_n * ratio * ratio;
    if n > NORMAL_BEYOND {
        return wald(p, (p * (1.0 - p) / n).sqrt());
    }
    Interval {
        lower: beta_quantile(ALPHA / 2.0, n * p, n * (1.0 - p) + 1.0),
        upper: beta_quantile(1.0 - ALPHA / 2.0, n * p + 1.0, n * (1.0 - p)),
    }
}

fn expit(eta: f64) -> f64 {
    1.0 / (1.0 + (-eta).exp())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn wald_interval_is_clipped_to_unit_range() {
        let ci = wald(0.02, 0.05);
        assert_eq!(ci.lower, 0.0);
        assert!((ci.upper - (0.02 + Z_95 * 0.05)).abs() < 1e-15);
    }

    #[test]
    fn logit_interval_stays_inside_unit_range_and_is_asymmetric() {
        let ci = logit(0.02, 0.05, 100);
        assert!(ci.lower > 0.0 && ci.upper < 1.0);
        assert!(0.02 - ci.lower < ci.upper - 0.02);
    }

    #[test]
    fn logit_interval_of_a_constant_indicator_is_the_point() {
        let ci = logit(1.0, 0.0, 10);
        assert_eq!((ci.lower, ci.upper), (1.0, 1.0));
    }

    #[test]
    fn korn_graubard_interval_without_adjustment_is_clopper_pearson() {
        // R: binom.test(2, 5)$conf.int = 0.0527449505263, 0.8533672003653 (Clopper–Pearson).
        let ci = korn_graubard(0.4, 5.0, 4, 4);
        assert!((ci.lower - 0.052_744_950_526_3).abs() < 1e-12, "{ci:?}");
        assert!((ci.upper - 0.853_367_200_365_3).abs() < 1e-12, "{ci:?}");
    }

    #[test]
    fn korn_graubard_interval_of_a_zero_proportion_starts_at_zero_and_is_not_a_point() {
        // Clopper–Pearson for 0 of 10: [0, 1 − 0.025^(1/10)].
        let ci = korn_graubard(0.0, 10.0, 9, 9);
        assert_eq!(ci.lower, 0.0);
        assert!((ci.upper - (1.0 - 0.025_f64.powf(0.1))).abs() < 1e-14);
    }

    #[test]
    fn korn_graubard_interval_without_degrees_of_freedom_is_the_unit_interval() {
        let ci = korn_graubard(1.0, 1.0, 0, 599);
        assert_eq!((ci.lower, ci.upper), (0.0, 1.0));
    }

    #[test]
    fn korn_graubard_interval_for_a_huge_effective_size_is_the_normal_one() {
        let ci = korn_graubard(0.3, 1e14, 599, 599);
        let se = (0.3_f64 * 0.7 / 1e14).sqrt();
        assert!((ci.lower - (0.3 - Z_95 * se)).abs() < 1e-15);
        assert!(ci.upper > 0.3 && ci.upper - 0.3 < 1e-6);
    }

    proptest! {
        #[test]
        fn korn_graubard_interval_contains_p_and_the_adjustment_only_widens_it(
            p in 0.0f64..=1.0,
            effective_n in 1.0f64..5000.0,
            df in 1usize..400,
            extra in 0usize..2000,
        ) {
            let unadjusted = korn_graubard(p, effective_n, df, df);
            let adjusted = korn_graubard(p, effective_n, df, df + extra);
            for ci in [unadjusted, adjusted] {
                prop_assert!(0.0 <= ci.lower && ci.lower <= p && p <= ci.upper && ci.upper <= 1.0,
                    "{:?} for p = {}", ci, p);
            }
            prop_assert!(adjusted.lower <= unadjusted.lower + 1e-12);
            prop_assert!(adjusted.upper >= unadjusted.upper - 1e-12);
        }
    }
}
