//! Linearised variance of weighted proportions, overall and per domain, in two passes over
//! the respondents (O(n · m²) for m calibration margins, whatever the number of domains).
//!
//! For a domain (or overall) with final weights w, indicator y and membership δ (in the domain
//! and y observed), the proportion is p = Σ δ w y / W with W = Σ δ w and the influence value
//! of respondent i is z_i = w_i a_i / W with a_i = δ_i (y_i − p). The calibration method
//! replaces a_i by its residual a_i − x_iᵀβ, β = (Σ d x xᵀ)⁻¹ Σ d x a (d = base weights, x =
//! margin dummies); this is nonzero outside the domain too. The variance is
//! n/(n − 1) Σ (z_i − z̄)² over all n respondents (with-replacement, one stratum).
//!
//! Outside the domain z_i = −w_i x_iᵀβ / W, so Σ z² there is a quadratic form in β of
//! `Σ w² x xᵀ`, accumulated per domain in the first pass; only respondents inside the domain
//! are visited again.

use super::calibration::{CalibrationDesign, add_outer, quadratic_form};
use super::estimate::{Estimate, Estimates};
use super::sample::Sample;

/// Weighted sums over the respondents of one group having a value.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    n: usize,
    weight: f64,
    weight_y: f64,
}

impl Totals {
    fn add(&mut self, other: &Self) {
        self.n += other.n;
        self.weight += other.weight;
        self.weight_y += other.weight_y;
    }

    fn proportion(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.weight_y / self.weight
        }
    }
}

/// Design-matrix moments of one group of respondents (k = number of design columns).
#[derive(Debug, Clone)]
struct Moments {
    /// Σ d x y.
    base_y: Vec<f64>,
    /// Σ d x.
    base: Vec<f64>,
    /// Σ w x.
    weight: Vec<f64>,
    /// Σ w² x xᵀ, row-major k × k.
    squares: Vec<f64>,
}

impl Moments {
    fn new(k: usize) -> Self {
        Self {
            base_y: vec![0.0; k],
            base: vec![0.0; k],
            weight: vec![0.0; k],
            squares: vec![0.0; k * k],
        }
    }

    fn add_respondent(&mut self, row: &[usize], d: f64, w: f64, y: f64) {
        for &c in row {
            self.base_y[c] += d * y;
            self.base[c] += d;
            self.weight[c] += w;
        }
        add_outer(&mut self.squares, self.base.len(), row, w * w);
    }

    fn add(&mut self, other: &Moments) {
        for (a, b) in [
            (&mut self.base_y, &other.base_y),
            (&mut self.base, &other.base),
            (&mut self.weight, &other.weight),
            (&mut self.squares, &other.squares),
        ] {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
    }
}

/// Sums of the in-domain linearised values w (a − xᵀβ), and of their squares.
#[derive(Debug, Clone, Copy, Default)]
struct Inside {
    sum: f64,
    squares: f64,
}

/// Estimates `values` overall and per domain; `calibration` selects the calibration variance.
pub(crate) fn estimate(
    sample: &Sample<'_>,
    values: &[Option<bool>],
    calibration: Option<&CalibrationDesign>,
) -> Estimates {
    let domains = sample.domain_count;
    // Groups: one per domain, then respondents without a domain. Targets: overall (0), then
    // domain g (1 + g).
    let group_of = |i: usize| sample.domains.and_then(|d| d[i]).unwrap_or(domains);
    let mut totals = vec![Totals::default(); domains + 1];
    // Respondents per group, with a value or not: the domains' degrees of freedom.
    let mut units = vec![0; domains + 1];
    for (i, (&w, value)) in sample.weights.iter().zip(values).enumerate() {
        units[group_of(i)] += 1;
        if let Some(y) = value {
            let t = &mut totals[group_of(i)];
            t.n += 1;
            t.weight += w;
            t.weight_y += w * f64::from(u8::from(*y));
        }
    }
    let mut targets = Vec::with_capacity(domains + 1);
    targets.push(Totals::default());
    totals.iter().for_each(|t| targets[0].add(t));
    targets.extend_from_slice(&totals[..domains]);
    let proportions: Vec<f64> = targets.iter().map(Totals::proportion).collect();
    let fit = calibration.map(|design| Fit::new(design, sample, values, &targets, &group_of));

    // Linearised values of the respondents inside each target.
    let mut inside = vec![Inside::default(); domains + 1];
    for (i, (&w, value)) in sample.weights.iter().zip(values).enumerate() {
        let Some(y) = value else { continue };
        let y = f64::from(u8::from(*y));
        let g = group_of(i);
        for target in std::iter::once(0).chain((g < domains).then_some(1 + g)) {
            let fitted = match (&fit, calibration) {
                (Some(fit), Some(design)) => design.fitted(i, &fit.coefficients[target]),
                _ => 0.0,
            };
            let z = w * (y - proportions[target] - fitted);
            inside[target].sum += z;
            inside[target].squares += z * z;
        }
    }
    let n = sample.weights.len();
    let mut estimates = targets.iter().enumerate().map(|(target, totals)| {
        let outside = fit
            .as_ref()
            .map_or_else(Inside::default, |f| f.outside[target]);
        let units = if target == 0 { n } else { units[target - 1] };
        let freedom = Freedom {
            domain: units.saturating_sub(1),
            reference: if fit.is_some() {
                n - 1
            } else {
                units.saturating_sub(1)
            },
        };
        finish(n, totals, inside[target], outside, freedom)
    });
    Estimates {
        overall: estimates.next().unwrap_or_else(Estimate::empty),
        domains: estimates.collect(),
    }
}

/// The calibration part of the variance: per target, the coefficients of the regression of
/// its a = δ (y − p) on the margins, and the sums of linearised values outside the target.
struct Fit {
    coefficients: Vec<Vec<f64>>,
    outside: Vec<Inside>,
}

impl Fit {
    fn new(
        design: &CalibrationDesign,
        sample: &Sample<'_>,
        values: &[Option<bool>],
        targets: &[Totals],
        group_of: &dyn Fn(usize) -> usize,
    ) -> Self {
        let k = design.dimension();
        let domains = sample.domain_count;
        let mut groups = vec![Moments::new(k); domains + 1];
        let mut missing = Moments::new(k);
        for (i, (&w, value)) in sample.weights.iter().zip(values).enumerate() {
            let (moments, y) = match value {
                Some(y) => (&mut groups[group_of(i)], f64::from(u8::from(*y))),
                None => (&mut missing, 0.0),
            };
            moments.add_respondent(design.row(i), design.base_weight(i), w, y);
        }
        let mut observed = Moments::new(k);
        groups.iter().for_each(|m| observed.add(m));
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let coefficients: Vec<Vec<f64>> = std::iter::once(&observed)
            .chain(&groups[..domains])
            .zip(targets)
            .map(|(m, t)| {
                let p = t.proportion();
                let rhs: Vec<f64> = m
                    .base_y
                    .iter()
                    .zip(&m.base)
                    .map(|(by, b)| by - p * b)
                    .collect();
                design.solve(&rhs)
            })
            .collect();
        let outside = coefficients
            .iter()
            .enumerate()
            .map(|(target, beta)| {
                let mut outside = Inside {
                    sum: -dot(&missing.weight, beta),
                    squares: quadratic_form(&missing.squares, k, beta),
                };
                if target > 0 {
                    // Respondents with a value in other groups: all observed minus this
                    // domain's (the difference of two sums of squares, kept ≥ 0).
                    let domain = &groups[target - 1];
                    outside.sum -= dot(&observed.weight, beta) - dot(&domain.weight, beta);
                    outside.squares += (quadratic_form(&observed.squares, k, beta)
                        - quadratic_form(&domain.squares, k, beta))
                    .max(0.0);
                }
                outside
            })
            .collect();
        Self {
            coefficients,
            outside,
        }
    }
}

/// Degrees of freedom of a domain's variance and those the Korn–Graubard adjustment refers
/// them to (see [`Estimate`]).
#[derive(Debug, Clone, Copy)]
struct Freedom {
    domain: usize,
    reference: usize,
}

/// Turns the sums of linearised values inside and outside a domain into its estimate.
fn finish(
    n: usize,
    totals: &Totals,
    inside: Inside,
    outside: Inside,
    freedom: Freedom,
) -> Estimate {
    if totals.n == 0 {
        return Estimate::empty();
    }
    let p = totals.proportion();
    let scale = totals.weight;
    let sum = (inside.sum + outside.sum) / scale;
    let squares = (inside.squares + outside.squares) / (scale * scale);
    let count = n as f64;
    let variance = (count / (count - 1.0) * (squares - sum * sum / count)).max(0.0);
    let design_effect = (totals.n >= 2 && p > 0.0 && p < 1.0)
        .then(|| variance / (p * (1.0 - p) / (totals.n as f64 - 1.0)));
    let effective_n = if variance > 0.0 {
        p * (1.0 - p) / variance
    } else if p > 0.0 && p < 1.0 {
        // Fixed by the calibration margins: known without error.
        f64::INFINITY
    } else {
        totals.n as f64
    };
    Estimate {
        n: totals.n,
        weighted_base: totals.weight,
        weighted_count: totals.weight_y,
        proportion: Some(p),
        standard_error: Some(variance.sqrt()),
        design_effect,
        effective_n: Some(effective_n),
        degrees_of_freedom: freedom.domain,
        reference_degrees_of_freedom: freedom.reference,
    }
}
