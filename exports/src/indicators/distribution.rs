//! Quantiles of Student's t and of the beta distribution, which the logit and Korn–Graubard
//! intervals need.
//!
//! Both come from the regularised incomplete beta function `I_x(a, b)`, evaluated by its
//! continued fraction with `ln B(a, b)` computed as R's `lbeta` does (Stirling series for large
//! arguments, so that a domain of a million respondents loses no precision to cancellation),
//! and inverted by safeguarded Halley steps. They agree with R's `qt` and `qbeta` to 1e-13
//! relative on the shapes the intervals use, 2e-12 for Student's t beyond 100,000 degrees of
//! freedom (unit tests below): far below what moves a published bound.

/// `ln √(2π)`.
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Continued-fraction terms beyond which `I_x(a, b)` is given up as converged; the fraction
/// needs about `√max(a, b)` terms, and shapes are kept below 1e10 by the callers.
const MAX_TERMS: usize = 1_000_000;

/// Stirling's correction `ln Γ(x) − ((x − ½) ln x − x + ln √(2π))` for x ≥ 10: the asymptotic
/// series to the x⁻¹⁵ term, whose next term is below 1e-17 at x = 10.
fn stirling_correction(x: f64) -> f64 {
    const TERMS: [f64; 8] = [
        1.0 / 12.0,
        -1.0 / 360.0,
        1.0 / 1260.0,
        -1.0 / 1680.0,
        1.0 / 1188.0,
        -691.0 / 360_360.0,
        1.0 / 156.0,
        -3617.0 / 122_400.0,
    ];
    let inverse_square = 1.0 / (x * x);
    TERMS
        .iter()
        .rev()
        .fold(0.0, |sum, term| sum * inverse_square + term)
        / x
}

/// `ln Γ(x)` for x > 0: Stirling's series from 10 upwards, the recurrence `Γ(x + 1) = x Γ(x)`
/// below.
fn ln_gamma(x: f64) -> f64 {
    let mut shifted = x;
    let mut product = 1.0;
    while shifted < 10.0 {
        product *= shifted;
        shifted += 1.0;
    }
    (shifted - 0.5) * shifted.ln() - shifted + LN_SQRT_2PI + stirling_correction(shifted)
        - product.ln()
}

/// `ln B(a, b)` for a, b > 0, arranged as R's `lbeta` so that large arguments do not cancel.
fn ln_beta(a: f64, b: f64) -> f64 {
    let (p, q) = (a.min(b), a.max(b));
    let sum = p + q;
    if p >= 10.0 {
        let correction = stirling_correction(p) + stirling_correction(q) - stirling_correction(sum);
        -0.5 * q.ln()
            + LN_SQRT_2PI
            + correction
            + (p - 0.5) * (p / sum).ln()
            + q * (-p / sum).ln_1p()
    } else if q >= 10.0 {
        let correction = stirling_correction(q) - stirling_correction(sum);
        ln_gamma(p) + correction + p - p * sum.ln() + (q - 0.5) * (-p / sum).ln_1p()
    } else {
        ln_gamma(p) + ln_gamma(q) - ln_gamma(sum)
    }
}

/// The continued fraction of `I_x(a, b)` (modified Lentz), which converges quickly for
/// `x < (a + 1) / (a + b + 2)`.
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
    let mut fraction = d;
    for m in 1..=MAX_TERMS {
        let m = m as f64;
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        fraction *= d * c;
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        let step = d * c;
        fraction *= step;
        if (step - 1.0).abs() <= f64::EPSILON {
            break;
        }
    }
    fraction
}

/// The regularised incomplete beta function `I_x(a, b)`, the beta distribution function.
fn incomplete_beta(a: f64, b: f64, x: f64, ln_beta_ab: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (a * x.ln() + b * (-x).ln_1p() - ln_beta_ab).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// Quantile `prob` (in (0, 1)) of the beta distribution with shapes `a, b ≥ 0`, both below
/// 1e10. A zero shape is R's limit: `a = 0` is the point mass at 0, `b = 0` at 1.
pub(crate) fn beta_quantile(prob: f64, a: f64, b: f64) -> f64 {
    if a == 0.0 {
        return 0.0;
    }
    if b == 0.0 {
        return 1.0;
    }
    let ln_beta_ab = ln_beta(a, b);
    let mut x = initial_beta_quantile(prob, a, b);
    let (mut low, mut high) = (0.0_f64, 1.0_f64);
    let mut previous_error = f64::INFINITY;
    for _ in 0..1000 {
        let error = incomplete_beta(a, b, x, ln_beta_ab) - prob;
        if error == 0.0 {
            break;
        }
        if error < 0.0 {
            low = x;
        } else {
            high = x;
        }
        let density = ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_beta_ab).exp();
        let newton = error / density;
        // Halley's correction, bounded as in Numerical Recipes' invbetai.
        let curvature = newton * ((a - 1.0) / x - (b - 1.0) / (1.0 - x));
        let step = newton / (1.0 - 0.5 * curvature.min(1.0));
        // Converged when the step is at rounding level, or when the error stops falling once
        // below 1e-9: I_x is then at its rounding floor (1e-13 to 1e-12) and the last step is
        // the best estimate of the remaining distance.
        let stalled = error.abs() > 0.5 * previous_error;
        if step.is_finite()
            && (step.abs() <= 4.0 * f64::EPSILON * x || (stalled && error.abs() <= 1e-9))
        {
            x = (x - step).clamp(low, high);
            break;
        }
        // Bisect when the step leaves the bracket, or when the error stalls far from the root
        // (deep in a tail, where the density underflows and Halley's steps crawl).
        let next = x - step;
        x = if next > low && next < high && !stalled {
            next
        } else {
            0.5 * (low + high)
        };
        previous_error = error.abs();
        if high - low <= 4.0 * f64::EPSILON * x {
            break;
        }
    }
    x
}

/// Starting point for [`beta_quantile`]: Numerical Recipes' `invbetai` guesses (a normal
/// approximation when both shapes are ≥ 1, the two tail power laws otherwise).
fn initial_beta_quantile(prob: f64, a: f64, b: f64) -> f64 {
    let x = if a >= 1.0 && b >= 1.0 {
        let tail = prob.min(1.0 - prob);
        let t = (-2.0 * tail.ln()).sqrt();
        let mut z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t;
        if prob < 0.5 {
            z = -z;
        }
        let al = (z * z - 3.0) / 6.0;
        let h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0));
        let w = z * (al + h).sqrt() / h
            - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * (al + 5.0 / 6.0 - 2.0 / (3.0 * h));
        a / (a + b * (2.0 * w).exp())
    } else {
        let t = (a * (a / (a + b)).ln()).exp() / a;
        let u = (b * (b / (a + b)).ln()).exp() / b;
        let w = t + u;
        if prob < t / w {
            (a * w * prob).powf(1.0 / a)
        } else {
            1.0 - (b * w * (1.0 - prob)).powf(1.0 / b)
        }
    };
    if x > 0.0 && x < 1.0 { x } else { 0.5 }
}

/// Quantile `prob` (in (0, 1)) of Student's t distribution with `df ≥ 1` degrees of freedom.
///
/// With `y = t² / (df + t²)`, `P(|T| ≤ t) = I_y(½, df/2)`: y is solved for directly, so that
/// large df keep their precision (`1 − y` would lose it).
pub(crate) fn student_t_quantile(prob: f64, df: f64) -> f64 {
    let tail = prob.min(1.0 - prob);
    let y = beta_quantile(1.0 - 2.0 * tail, 0.5, 0.5 * df);
    let t = (df * y / (1.0 - y)).sqrt();
    if prob < 0.5 { -t } else { t }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn assert_relative(ours: f64, r: f64, tolerance: f64) {
        assert!(
            (ours - r).abs() <= tolerance * r.abs(),
            "ours {ours:e}, R {r:e}, relative difference {:e}",
            ((ours - r) / r).abs()
        );
    }

    #[test]
    fn student_t_quantiles_equal_r_qt() {
        // R 4.2.2: sprintf("%.17g", qt(0.025, df)).
        for (df, r) in [
            (1.0, -12.706204736174707),
            (2.0, -4.302652729749464),
            (4.0, -2.7764451051977943),
            (16.0, -2.119905299221255),
            (599.0, -1.9639322489452782),
            (1_000_000.0, -1.9599663568141066),
        ] {
            // Large df lose a little: the continued fraction is taken in 1 − y, whose rounding
            // (1e-16) is relative to y ≈ 4/df.
            assert_relative(student_t_quantile(0.025, df), r, 2e-12);
            assert_relative(student_t_quantile(0.975, df), -r, 2e-12);
        }
    }

    #[test]
    fn beta_quantiles_equal_r_qbeta() {
        // R 4.2.2: sprintf("%.17g", qbeta(prob, a, b)).
        for (prob, a, b, r) in [
            (0.025, 1.0, 3.0, 0.008403758659612636),
            (0.975, 4.0, 1.0, 0.9936905367902902),
            (0.025, 0.35, 12.5, 1.563579171276035e-06),
            (0.975, 2.5, 0.4, 0.9999669226675387),
            (0.025, 150.5, 420.25, 0.2283743439121141),
            (0.975, 40000.0, 960000.0, 0.04038494329790765),
        ] {
            assert_relative(beta_quantile(prob, a, b), r, 1e-13);
        }
    }

    #[test]
    fn zero_shapes_are_point_masses() {
        assert_eq!(beta_quantile(0.025, 0.0, 4.0), 0.0);
        assert_eq!(beta_quantile(0.975, 4.0, 0.0), 1.0);
    }

    proptest! {
        #[test]
        fn beta_quantile_inverts_the_distribution_function(
            a in 0.01f64..100_000.0,
            b in 0.01f64..100_000.0,
            prob in prop::sample::select(vec![0.025, 0.05, 0.5, 0.95, 0.975]),
        ) {
            let q = beta_quantile(prob, a, b);
            prop_assert!((0.0..=1.0).contains(&q));
            // Near 1, one step of x (1.1e-16) can move I_x by 1e-12 when b is tiny.
            let back = incomplete_beta(a, b, q, ln_beta(a, b));
            prop_assert!((back - prob).abs() <= 1e-10, "I({}) = {} for {}", q, back, prob);
        }

        #[test]
        fn student_t_quantile_falls_towards_the_normal_one_as_df_grows(df in 1u32..200_000) {
            let t = student_t_quantile(0.975, f64::from(df));
            let next = student_t_quantile(0.975, f64::from(df) + 1.0);
            prop_assert!(next < t && t > 1.959_963_984_540_054, "t({}) = {}, t({}) = {}", df, t, df + 1, next);
        }
    }
}
