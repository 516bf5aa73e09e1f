//! The respondents an indicator is estimated on: final weights, domains, calibration design.

use super::calibration::CalibrationDesign;
use super::error::IndicatorError;
use super::estimate::{Estimates, VarianceMethod};
use super::variance;

/// Validated respondents' weights, with optional domains and calibration design.
///
/// Built once per weighted data set, then used for every indicator; all inputs are plain
/// slices with one entry per respondent.
#[derive(Debug, Clone)]
pub struct Sample<'a> {
    pub(crate) weights: &'a [f64],
    pub(crate) domains: Option<&'a [Option<usize>]>,
    pub(crate) domain_count: usize,
    pub(crate) calibration: Option<CalibrationDesign>,
}

impl<'a> Sample<'a> {
    /// Respondents with final `weights` (all finite and > 0; at least two respondents).
    pub fn new(weights: &'a [f64]) -> Result<Self, IndicatorError> {
        if weights.len() < 2 {
            return Err(IndicatorError::TooFewRespondents(weights.len()));
        }
        if let Some((index, &value)) = weights
            .iter()
            .enumerate()
            .find(|&(_, &w)| !(w.is_finite() && w > 0.0))
        {
            return Err(IndicatorError::InvalidWeight { index, value });
        }
        Ok(Self {
            weights,
            domains: None,
            domain_count: 0,
            calibration: None,
        })
    }

    /// Adds the domain variable: `domains[i]` is respondent i's domain number (below `count`),
    /// `None` if unknown (then it only counts overall). Domains are numbered by the caller,
    /// e.g. communes by their position in the list of communes.
    pub fn with_domains(
        mut self,
        domains: &'a [Option<usize>],
        count: usize,
    ) -> Result<Self, IndicatorError> {
        self.check_length("domains", domains.len())?;
        if let Some((index, domain)) = domains
            .iter()
            .enumerate()
            .find_map(|(i, d)| d.filter(|&d| d >= count).map(|d| (i, d)))
        {
            return Err(IndicatorError::DomainOutOfRange {
                index,
                domain,
                count,
            });
        }
        self.domains = Some(domains);
        self.domain_count = count;
        Ok(self)
    }

    /// Adds the calibration design the weights were computed with: the `base_weights` before
    /// calibration (all 1 if there were none) and, per calibration margin, each respondent's
    /// category index (0, 1, ...). Needed by [`VarianceMethod::Calibration`].
    pub fn with_calibration(
        mut self,
        base_weights: &[f64],
        margins: &[&[usize]],
    ) -> Result<Self, IndicatorError> {
        self.check_length("base weights", base_weights.len())?;
        self.calibration = Some(CalibrationDesign::new(base_weights, margins)?);
        Ok(self)
    }

    /// Number of respondents.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Always false: a sample has at least two respondents.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Number of declared domains (0 without a domain variable).
    pub fn domain_count(&self) -> usize {
        self.domain_count
    }

    /// Estimates the weighted proportion of `values` (`None` = missing, excluded) overall and
    /// in each domain, with the standard error given by `method`.
    pub fn estimate(
        &self,
        values: &[Option<bool>],
        method: VarianceMethod,
    ) -> Result<Estimates, IndicatorError> {
        self.check_length("indicator", values.len())?;
        let calibration = match method {
            VarianceMethod::Linearization => None,
            VarianceMethod::Calibration => Some(
                self.calibration
                    .as_ref()
                    .ok_or(IndicatorError::MissingCalibrationDesign)?,
            ),
        };
        Ok(variance::estimate(self, values, calibration))
    }

    fn check_length(&self, what: &str, found: usize) -> Result<(), IndicatorError> {
        if found == self.weights.len() {
            Ok(())
        } else {
            Err(IndicatorError::LengthMismatch {
                what: what.to_owned(),
                expected: self.weights.len(),
                found,
            })
        }
    }
}
