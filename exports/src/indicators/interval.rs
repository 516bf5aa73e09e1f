//! 95 % confidence intervals for a proportion from its estimate and standard error.

use serde::Serialize;

/// `qnorm(0.975)`: the normal quantile R's `confint()` uses for a 95 % interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// How the 95 % interval is built from the proportion p and its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum IntervalMethod {
    /// `p ± z·SE`, clipped to [0, 1] (R `confint(svymean(...))`, then clipped).
    Wald,
    /// Symmetric on the log-odds scale, `expit(logit(p) ± z·SE / (p(1 − p)))`: always inside
    /// (0, 1) and asymmetric near 0 or 1 (R `svyciprop(method = "xlogit", df = Inf)`).
    Logit,
}

/// A closed interval `[lower, upper]` within [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// The 95 % interval for proportion `p` with standard error `se`.
///
/// When p is 0 or 1 the logit interval is the single point p: the sample carries no
/// information on the spread of the log-odds (R returns NaN there); the Wald interval is then
/// also the point p, as the linearised SE of a constant indicator is 0.
pub fn interval(p: f64, se: f64, method: IntervalMethod) -> Interval {
    match method {
        IntervalMethod::Wald => Interval {
            lower: (p - Z_95 * se).clamp(0.0, 1.0),
            upper: (p + Z_95 * se).clamp(0.0, 1.0),
        },
        IntervalMethod::Logit => {
            if p <= 0.0 || p >= 1.0 {
                return Interval { lower: p, upper: p };
            }
            let centre = (p / (1.0 - p)).ln();
            let half = Z_95 * se / (p * (1.0 - p));
            Interval {
                lower: expit(centre - half),
                upper: expit(centre + half),
            }
        }
    }
}

fn expit(eta: f64) -> f64 {
    1.0 / (1.0 + (-eta).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wald_interval_is_clipped_to_unit_range() {
        let ci = interval(0.02, 0.05, IntervalMethod::Wald);
        assert_eq!(ci.lower, 0.0);
        assert!((ci.upper - (0.02 + Z_95 * 0.05)).abs() < 1e-15);
    }

    #[test]
    fn logit_interval_stays_inside_unit_range_and_is_asymmetric() {
        let ci = interval(0.02, 0.05, IntervalMethod::Logit);
        assert!(ci.lower > 0.0 && ci.upper < 1.0);
        assert!(0.02 - ci.lower < ci.upper - 0.02);
    }

    #[test]
    fn logit_interval_of_a_constant_indicator_is_the_point() {
        let ci = interval(1.0, 0.0, IntervalMethod::Logit);
        assert_eq!((ci.lower, ci.upper), (1.0, 1.0));
    }
}
