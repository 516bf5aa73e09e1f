//! Publication rules: which cells of the indicator table are precise enough to be published,
//! and, for the others, why not (in French, as the page and the open data say it).

use serde::{Deserialize, Serialize};

use super::french::decimal;
use crate::indicators::TableRow;

/// The thresholds a cell must meet to be published.
///
/// The defaults follow the usual floor for proportions: 30 respondents (the indicator table's
/// own small-domain flag), an effective sample size of 20 (below it a commune's estimate rests
/// on the weights of a handful of respondents: NCHS's data presentation standards for
/// proportions, Parker et al. 2017, suppress below an effective size of 30 and review between
/// 20 and 30; the observatory publishes from 20 with the interval shown) and a 95 % interval no
/// wider than ±15 points, beyond which a rate says little more than its order of magnitude.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublicationRules {
    /// Fewest respondents with a value.
    pub min_n: usize,
    /// Smallest effective sample size (`n_effectif`).
    pub min_effective_n: f64,
    /// Largest half-width of the 95 % interval, as a proportion (0.15 is ±15 points): half of
    /// `ic_haut − ic_bas`, so that asymmetric intervals (Korn–Graubard, logit) count whole.
    pub max_half_width: f64,
}

impl Default for PublicationRules {
    /// n ≥ 30, n effectif ≥ 20, half-width ≤ 0.15.
    fn default() -> Self {
        Self {
            min_n: 30,
            min_effective_n: 20.0,
            max_half_width: 0.15,
        }
    }
}

/// Rules that cannot be applied; messages in French.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RulesError {
    /// The effective size is negative or not a number.
    #[error("le n effectif minimal doit être un nombre positif ou nul (reçu : {0})")]
    EffectiveN(f64),
    /// The half-width is not within (0, 1].
    #[error(
        "la demi-largeur maximale de l'intervalle doit être comprise entre 0 (exclu) et 1 (reçu : {0})"
    )]
    HalfWidth(f64),
}

/// Whether one cell may be published, and why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Whether it meets every rule.
    pub publishable: bool,
    /// Each rule it fails, in French (empty when publishable).
    pub reasons: Vec<String>,
}

impl PublicationRules {
    /// Checks that the thresholds make sense.
    pub fn validate(&self) -> Result<(), RulesError> {
        if !(self.min_effective_n >= 0.0 && self.min_effective_n.is_finite()) {
            return Err(RulesError::EffectiveN(self.min_effective_n));
        }
        if !(self.max_half_width > 0.0 && self.max_half_width <= 1.0) {
            return Err(RulesError::HalfWidth(self.max_half_width));
        }
        Ok(())
    }

    /// Judges one row of the indicator table.
    pub fn assess(&self, row: &TableRow) -> Verdict {
        let mut reasons = Vec::new();
        if row.n == 0 || row.proportion.is_none() {
            reasons.push("aucun répondant".to_owned());
        } else {
            if row.n < self.min_n {
                reasons.push(format!("n = {} < {} répondants", row.n, self.min_n));
            }
            // An infinite effective size (an indicator fixed by the margins) passes.
            if let Some(effective) = row.n_effectif
                && effective < self.min_effective_n
            {
                reasons.push(format!(
                    "n effectif = {} < {}",
                    decimal(effective, 1),
                    decimal(self.min_effective_n, 0)
                ));
            }
            if let (Some(lower), Some(upper)) = (row.ic_bas, row.ic_haut) {
                let half = (upper - lower) / 2.0;
                if half > self.max_half_width {
                    reasons.push(format!(
                        "intervalle trop large (± {} points > {})",
                        decimal(half * 100.0, 1),
                        decimal(self.max_half_width * 100.0, 0)
                    ));
                }
            }
        }
        Verdict {
            publishable: reasons.is_empty(),
            reasons,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A row of the indicator table with these figures.
    pub(crate) fn row(code: &str, n: usize, p: f64, ci: (f64, f64), n_eff: f64) -> TableRow {
        TableRow {
            indicateur: "sans_ordinateur".to_owned(),
            libelle: "Ne possède pas d'ordinateur".to_owned(),
            domaine: format!("Commune {code}"),
            code_domaine: code.to_owned(),
            n,
            proportion: Some(p),
            ic_bas: Some(ci.0),
            ic_haut: Some(ci.1),
            erreur_type: Some((ci.1 - ci.0) / 4.0),
            n_effectif: Some(n_eff),
            methode_ic: "beta",
            effectif_faible: n < 30,
        }
    }

    #[test]
    fn a_large_precise_cell_is_publishable() {
        let verdict =
            PublicationRules::default().assess(&row("33063", 400, 0.2, (0.16, 0.24), 350.0));
        assert_eq!(
            verdict,
            Verdict {
                publishable: true,
                reasons: vec![]
            }
        );
    }

    #[test]
    fn a_tiny_commune_fails_every_rule_and_says_why_in_french() {
        let verdict =
            PublicationRules::default().assess(&row("33004", 3, 0.333, (0.008, 0.906), 3.0));
        assert!(!verdict.publishable);
        assert_eq!(
            verdict.reasons,
            vec![
                "n = 3 < 30 répondants".to_owned(),
                "n effectif = 3,0 < 20".to_owned(),
                "intervalle trop large (± 44,9 points > 15)".to_owned(),
            ]
        );
    }

    #[test]
    fn each_threshold_is_applied_on_its_own() {
        let rules = PublicationRules::default();
        // Enough respondents, but the weights leave an effective size of 12.
        let weighted = rules.assess(&row("33039", 60, 0.3, (0.2, 0.4), 12.0));
        assert_eq!(weighted.reasons, vec!["n effectif = 12,0 < 20".to_owned()]);
        // Everything passes but a ±16-point interval.
        let wide = rules.assess(&row("33039", 60, 0.5, (0.34, 0.66), 40.0));
        assert_eq!(wide.reasons.len(), 1);
        assert!(wide.reasons[0].starts_with("intervalle trop large (± 16,0"));
        // Looser rules publish it.
        let loose = PublicationRules {
            max_half_width: 0.2,
            ..rules
        };
        assert!(
            loose
                .assess(&row("33039", 60, 0.5, (0.34, 0.66), 40.0))
                .publishable
        );
        // An infinite effective size is not a lack of information.
        assert!(
            rules
                .assess(&row("33039", 60, 0.5, (0.45, 0.55), f64::INFINITY))
                .publishable
        );
    }

    #[test]
    fn an_empty_cell_is_withheld_for_want_of_respondents() {
        let mut empty = row("33200", 0, 0.0, (0.0, 0.0), 0.0);
        (
            empty.proportion,
            empty.ic_bas,
            empty.ic_haut,
            empty.n_effectif,
        ) = (None, None, None, None);
        let verdict = PublicationRules::default().assess(&empty);
        assert_eq!(verdict.reasons, vec!["aucun répondant".to_owned()]);
    }

    #[test]
    fn rules_read_from_json_keep_defaults_and_nonsense_is_refused() {
        let rules: PublicationRules = serde_json::from_str(r#"{"min_n": 50}"#).unwrap();
        assert_eq!(
            rules,
            PublicationRules {
                min_n: 50,
                ..PublicationRules::default()
            }
        );
        assert!(rules.validate().is_ok());
        let bad = PublicationRules {
            max_half_width: 0.0,
            ..rules
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("demi-largeur")
        );
        let bad = PublicationRules {
            min_effective_n: f64::NAN,
            ..rules
        };
        assert!(bad.validate().is_err());
    }
}
