//! What is reported for one indicator in one domain (or overall).

use serde::Serialize;

use super::interval::{Interval, IntervalMethod, korn_graubard, logit, wald};

/// How the variance of a weighted proportion is linearised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum VarianceMethod {
    /// Weights treated as fixed: with-replacement Taylor linearisation of the ratio estimator
    /// (R `svymean` on `svydesign(ids = ~1, weights = ~w)`).
    Linearization,
    /// Weights treated as the result of calibration to known margins: the influence values are
    /// replaced by their residuals from the base-weighted regression on the margins' dummies
    /// (R `svymean` on a design returned by `calibrate()`). This is the variance that accounts
    /// for the weighting.
    Calibration,
}

/// Weighted proportion of one 0/1 indicator in one domain, with its precision.
///
/// A domain without any respondent having a value has `n = 0` and every optional field
/// `None`: it is reported, not an error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Respondents of the domain with a value (0 or 1) for the indicator.
    pub n: usize,
    /// Sum of their final weights (estimated population the proportion refers to).
    pub weighted_base: f64,
    /// Sum of the final weights of those with value 1 (estimated number of persons).
    pub weighted_count: f64,
    /// `weighted_count / weighted_base`.
    pub proportion: Option<f64>,
    /// Linearised standard error of the proportion.
    pub standard_error: Option<f64>,
    /// Design effect: variance over the variance of a simple random sample with replacement of
    /// the same size, `p(1 − p)/(n − 1)` (R `deff = "replace"`); `None` when n < 2 or p is 0
    /// or 1.
    pub design_effect: Option<f64>,
    /// Effective sample size `p(1 − p) / Var(p)`: the size of a simple random sample that
    /// would give the same precision (R `svyciprop(method = "beta")`'s `n.eff` before its
    /// degrees-of-freedom adjustment; above `n` when calibration gains precision). When p is
    /// 0 or 1 (the variance is then 0) it is `n`, as Korn & Graubard (1998) do (R gives
    /// NaN); infinite when the variance is 0 with 0 < p < 1 (an indicator fixed by the
    /// calibration margins). `None` when n = 0.
    pub effective_n: Option<f64>,
    /// Degrees of freedom of the variance, R `degf()` of the domain's design: the domain's
    /// respondents, with or without a value for the indicator, minus one (one stratum, each
    /// respondent a sampling unit). The logit interval's Student quantile uses it.
    pub degrees_of_freedom: usize,
    /// Degrees of freedom the Korn–Graubard adjustment refers `degrees_of_freedom` to, R
    /// `nrow(design) − 1`: the whole sample's with the calibration variance (a calibrated
    /// domain keeps every respondent, whose residuals all count), the domain's own with fixed
    /// weights (then no adjustment).
    pub reference_degrees_of_freedom: usize,
}

impl Estimate {
    /// The 95 % confidence interval, `None` for a domain without respondents.
    pub fn interval(&self, method: IntervalMethod) -> Option<Interval> {
        let (p, se) = (self.proportion?, self.standard_error?);
        Some(match method {
            IntervalMethod::Wald => wald(p, se),
            IntervalMethod::Logit => logit(p, se, self.degrees_of_freedom),
            IntervalMethod::Beta => korn_graubard(
                p,
                self.effective_n?,
                self.degrees_of_freedom,
                self.reference_degrees_of_freedom,
            ),
        })
    }

    pub(crate) fn empty() -> Self {
        Self {
            n: 0,
            weighted_base: 0.0,
            weighted_count: 0.0,
            proportion: None,
            standard_error: None,
            design_effect: None,
            effective_n: None,
            degrees_of_freedom: 0,
            reference_degrees_of_freedom: 0,
        }
    }
}

/// One indicator estimated overall and in each domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimates {
    /// All respondents (including those without a domain).
    pub overall: Estimate,
    /// One entry per declared domain, indexed by domain number.
    pub domains: Vec<Estimate>,
}
