//! The demo wave's quota plan: one hard cell per commune, targets proportional to the 2023
//! legal populations (largest remainder, at least one interview per commune).
//!
//! The populations are embedded ([`crate::services::weighting::LEGAL_POPULATIONS`], vintage
//! 2023: INSEE legal populations in force on 1 January 2026) so that `cati serve --demo` works
//! from the binary alone, wherever it runs.

use questionnaire::Questionnaire;
use quotas::{DesignOptions, Layout, Minimum, PlanRequest};

use super::QuotaError;
use crate::store::Tx;

/// The vintage of the legal populations the demo's quotas and weights are computed on.
pub const VINTAGE: &str = "2023";

/// The questionnaire variable holding the commune's INSEE code.
const COMMUNE_VARIABLE: &str = "COMMUNE";

/// Targets for a demo of `cases` synthetic cases: a quarter of the sample, and at least one per
/// commune.
pub fn demo_total(cases: u32) -> u64 {
    u64::from(cases / 4).max(28)
}

/// The commune-only quota design of the demo wave for `total` interviews.
pub fn design(total: u64) -> Result<quotas::Design, QuotaError> {
    let populations =
        quotas::parse_populations(crate::services::weighting::LEGAL_POPULATIONS, VINTAGE)
            .map_err(|e| QuotaError::Plan(e.to_string()))?;
    let plan = quotas::plan(
        &populations,
        &PlanRequest {
            total,
            minimum: Minimum::Floor(1),
            structure: None,
            layout: Layout::Crossed,
        },
    )
    .map_err(|e| QuotaError::Plan(e.to_string()))?;
    plan.to_design(&DesignOptions {
        id: "demo-communes-2023".to_owned(),
        title: Some("Démonstration : quotas par commune (populations légales 2023)".to_owned()),
        commune_variable: COMMUNE_VARIABLE.to_owned(),
        ..DesignOptions::default()
    })
    .map_err(|e| QuotaError::Plan(e.to_string()))
}

/// Attaches the demo plan to the demo wave when its questionnaire asks the commune at its quota
/// point (the observatory's does, the short fixture does not); true when attached by this call.
pub async fn attach(
    tx: &mut Tx,
    wave_id: i64,
    questionnaire: &Questionnaire,
    cases: u32,
) -> Result<bool, QuotaError> {
    if !questionnaire
        .quota_variables()
        .iter()
        .any(|v| v == COMMUNE_VARIABLE)
    {
        return Ok(false);
    }
    super::attach(tx, wave_id, &design(demo_total(cases))?).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_plan_has_one_cell_per_commune_and_the_exact_total() {
        let design = design(500).expect("demo design");
        let cells: Vec<_> = design.cells().collect();
        assert_eq!(cells.len(), 28);
        assert_eq!(cells.iter().map(|c| c.target).sum::<u64>(), 500);
        assert!(cells.iter().all(|c| c.target >= 1));
        let bordeaux = cells
            .iter()
            .find(|c| c.key.code("commune") == Some(33063))
            .expect("Bordeaux");
        assert!(cells.iter().all(|c| c.target <= bordeaux.target));
    }

    #[test]
    fn demo_total_is_a_quarter_of_the_sample_with_one_per_commune_at_least() {
        assert_eq!(demo_total(40), 28);
        assert_eq!(demo_total(2_000), 500);
    }
}
