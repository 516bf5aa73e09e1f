//! The small-domain flag: cells whose estimate rests on too few respondents, or on too little
//! information once the weighting is accounted for, to be read on its own.

use serde::Serialize;

use super::estimate::Estimate;

/// When a cell of the indicator table is flagged (`effectif_faible`).
///
/// The defaults, 30 respondents and 30 effective respondents, are the usual publication
/// floor for proportions (NCHS's standard for proportions flags an effective sample size
/// below 30; the observatory's method note recommends flagging communes under 30 effective
/// respondents): below them even the Korn–Graubard interval is wide and a design effect or
/// a standard error rests on a handful of residuals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SmallDomainRule {
    /// Fewest respondents with a value for a cell not to be flagged.
    pub min_n: usize,
    /// Smallest effective sample size (`Estimate::effective_n`) for a cell not to be flagged.
    pub min_effective_n: f64,
}

impl Default for SmallDomainRule {
    /// 30 respondents and 30 effective respondents.
    fn default() -> Self {
        Self {
            min_n: 30,
            min_effective_n: 30.0,
        }
    }
}

impl SmallDomainRule {
    /// Whether `estimate` is flagged: fewer than `min_n` respondents, or an effective sample
    /// size below `min_effective_n`. A domain without respondents is always flagged.
    pub fn flags(&self, estimate: &Estimate) -> bool {
        estimate.n < self.min_n
            || estimate
                .effective_n
                .is_none_or(|effective| effective < self.min_effective_n)
    }
}
