//! The outcome code frame of a survey: for each outcome, its French label, whether it ends the
//! case, whether someone was reached, and its AAPOR code (which gives its eligibility and rate
//! group). The default follows the AAPOR *Standard Definitions* as queXS applies them; a survey
//! may relabel, recode, and choose finality where [`Finality::Configurable`] allows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aapor::{AaporCode, Eligibility, RateGroup};
use crate::config_error::{ConfigError, ConfigErrors};
use crate::outcome::{Finality, Outcome};

/// What an outcome means in a survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeSpec {
    /// The label interviewers and managers read.
    pub label: String,
    /// Whether the outcome ends the case.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// Whether a person was reached (a household member, a business…): counts in the
    /// interviewers' contact rate and in "ever contacted".
    pub contact: bool,
    /// The AAPOR disposition code; its eligibility and rate group follow from it.
    pub aapor: AaporCode,
}

impl OutcomeSpec {
    /// What the outcome says of eligibility (from its AAPOR code).
    pub fn eligibility(&self) -> Eligibility {
        self.aapor.eligibility()
    }

    /// The rate group the outcome counts in (from its AAPOR code).
    pub fn group(&self) -> RateGroup {
        self.aapor.group()
    }
}

/// A survey's outcome code frame: one [`OutcomeSpec`] per [`Outcome`], checked (stored as a
/// JSON object keyed by outcome name; reading one checks it the same way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "BTreeMap<Outcome, OutcomeSpec>",
    into = "BTreeMap<Outcome, OutcomeSpec>"
)]
pub struct OutcomeFrame {
    /// In the order of [`Outcome::ALL`].
    specs: Vec<OutcomeSpec>,
}

impl OutcomeFrame {
    /// A frame from one spec per outcome, refused with every problem found: an outcome
    /// missing, an empty label, a finality the outcome does not allow, or an interview code
    /// (1.1) anywhere but on `completed` (`completed` must carry it).
    pub fn new(mut specs: BTreeMap<Outcome, OutcomeSpec>) -> Result<OutcomeFrame, ConfigErrors> {
        let mut errors = ConfigErrors(Vec::new());
        let mut ordered = Vec::with_capacity(Outcome::ALL.len());
        for outcome in Outcome::ALL {
            let Some(spec) = specs.remove(&outcome) else {
                errors.0.push(ConfigError::MissingOutcome(outcome));
                continue;
            };
            check(outcome, &spec, &mut errors.0);
            ordered.push(spec);
        }
        errors.or_ok(OutcomeFrame { specs: ordered })
    }

    /// What `outcome` means in this survey.
    pub fn spec(&self, outcome: Outcome) -> &OutcomeSpec {
        let index = Outcome::ALL
            .iter()
            .position(|o| *o == outcome)
            .unwrap_or_default();
        &self.specs[index]
    }

    /// Each outcome with its spec, in the order of [`Outcome::ALL`].
    pub fn iter(&self) -> impl Iterator<Item = (Outcome, &OutcomeSpec)> {
        Outcome::ALL.into_iter().zip(&self.specs)
    }
}

/// Adds the problems of one outcome's spec to `errors`.
fn check(outcome: Outcome, spec: &OutcomeSpec, errors: &mut Vec<ConfigError>) {
    if spec.label.trim().is_empty() {
        errors.push(ConfigError::EmptyLabel(outcome));
    }
    let fixed = match outcome.finality() {
        Finality::Always => Some(true),
        Finality::Never => Some(false),
        Finality::Configurable => None,
    };
    if let Some(must_be_final) = fixed.filter(|f| *f != spec.is_final) {
        errors.push(ConfigError::FixedFinality {
            outcome,
            must_be_final,
        });
    }
    if (outcome == Outcome::Completed) != (spec.group() == RateGroup::Complete) {
        errors.push(ConfigError::CompleteCode {
            outcome,
            code: spec.aapor.to_string(),
        });
    }
}

impl Default for OutcomeFrame {
    /// The French frame: AAPOR codes as in queXS and the server's former outcome list.
    fn default() -> OutcomeFrame {
        let spec = |label: &str, is_final, contact, code, group| OutcomeSpec {
            label: label.to_owned(),
            is_final,
            contact,
            aapor: AaporCode::known(code, group),
        };
        use RateGroup::*;
        let specs = Outcome::ALL
            .into_iter()
            .map(|outcome| match outcome {
                Outcome::NoAnswer => spec("Pas de réponse", false, false, "3.13", UnknownHousehold),
                Outcome::Busy => spec("Occupé", false, false, "3.12", UnknownHousehold),
                Outcome::AnsweringMachine => {
                    spec("Répondeur", false, false, "3.14", UnknownHousehold)
                }
                // AAPOR has no appointment code; a respondent never available in the end is 2.21.
                Outcome::Appointment => spec("Rendez-vous", false, true, "2.21", NonContact),
                Outcome::SoftRefusal => spec(
                    "Refus temporaire (à recontacter)",
                    false,
                    true,
                    "2.111",
                    Refusal,
                ),
                Outcome::Refusal => spec(
                    "Refus définitif (ne plus appeler)",
                    true,
                    true,
                    "2.111",
                    Refusal,
                ),
                Outcome::DoNotCall => spec(
                    "Refus : ne plus m'appeler (liste d'opposition)",
                    true,
                    true,
                    "2.111",
                    Refusal,
                ),
                Outcome::NotInService => spec(
                    "Faux numéro / numéro non attribué",
                    true,
                    false,
                    "4.30",
                    NotEligible,
                ),
                Outcome::Business => {
                    spec("Entreprise, pas un ménage", true, true, "4.51", NotEligible)
                }
                Outcome::Fax => spec("Fax ou ligne de données", true, false, "4.20", NotEligible),
                Outcome::Language => spec("Barrière de la langue", true, true, "2.331", Other),
                Outcome::Unable => spec(
                    "Personne dans l'incapacité de répondre",
                    true,
                    true,
                    "2.32",
                    Other,
                ),
                Outcome::Completed => spec("Entretien complet", true, true, "1.1", Complete),
                Outcome::InterviewCallback => spec(
                    "Entretien partiel, à reprendre",
                    false,
                    true,
                    "1.2",
                    Partial,
                ),
                Outcome::BrokenOff => spec("Entretien interrompu", true, true, "2.12", Refusal),
                Outcome::ScreenedOut => spec(
                    "Hors cible (pas de répondant éligible)",
                    true,
                    true,
                    "4.70",
                    NotEligible,
                ),
                Outcome::QuotaFull => spec("Quota atteint", true, true, "4.80", NotEligible),
            })
            .collect();
        OutcomeFrame { specs }
    }
}

impl TryFrom<BTreeMap<Outcome, OutcomeSpec>> for OutcomeFrame {
    type Error = ConfigErrors;

    fn try_from(specs: BTreeMap<Outcome, OutcomeSpec>) -> Result<OutcomeFrame, ConfigErrors> {
        OutcomeFrame::new(specs)
    }
}

impl From<OutcomeFrame> for BTreeMap<Outcome, OutcomeSpec> {
    fn from(frame: OutcomeFrame) -> BTreeMap<Outcome, OutcomeSpec> {
        Outcome::ALL.into_iter().zip(frame.specs).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_specs() -> BTreeMap<Outcome, OutcomeSpec> {
        OutcomeFrame::default().into()
    }

    #[test]
    fn default_frame_passes_its_own_checks() {
        let frame = OutcomeFrame::default();
        assert_eq!(OutcomeFrame::new(default_specs()), Ok(frame.clone()));
        for (outcome, spec) in frame.iter() {
            assert_eq!(
                AaporCode::new(spec.aapor.as_str()).map(|c| c.group()),
                Ok(spec.group()),
                "{outcome}"
            );
        }
    }

    #[test]
    fn default_frame_keeps_the_server_codes() {
        let frame = OutcomeFrame::default();
        let code = |o| frame.spec(o).aapor.as_str().to_owned();
        assert_eq!(code(Outcome::NoAnswer), "3.13");
        assert_eq!(code(Outcome::Refusal), "2.111");
        assert_eq!(code(Outcome::QuotaFull), "4.80");
        assert_eq!(frame.spec(Outcome::Busy).label, "Occupé");
        assert!(frame.spec(Outcome::Refusal).is_final);
        assert!(!frame.spec(Outcome::SoftRefusal).is_final);
    }

    #[test]
    fn frame_round_trips_through_json() {
        let frame = OutcomeFrame::default();
        let json = serde_json::to_string(&frame).unwrap();
        assert!(json.contains(r#""no_answer":{"label":"Pas de réponse","final":false"#));
        assert_eq!(serde_json::from_str::<OutcomeFrame>(&json).unwrap(), frame);
    }

    #[test]
    fn survey_may_make_a_language_barrier_callable_again() {
        let mut specs = default_specs();
        specs.get_mut(&Outcome::Language).unwrap().is_final = false;
        let frame = OutcomeFrame::new(specs).expect("language finality is configurable");
        assert!(!frame.spec(Outcome::Language).is_final);
    }

    #[test]
    fn frame_problems_are_all_reported_in_french() {
        let mut specs = default_specs();
        specs.remove(&Outcome::Fax);
        specs.get_mut(&Outcome::Busy).unwrap().label = " ".to_owned();
        specs.get_mut(&Outcome::NoAnswer).unwrap().is_final = true;
        specs.get_mut(&Outcome::Refusal).unwrap().aapor = AaporCode::new("1.1").unwrap();
        let errors = OutcomeFrame::new(specs).unwrap_err();
        assert_eq!(
            errors.0,
            vec![
                ConfigError::FixedFinality {
                    outcome: Outcome::NoAnswer,
                    must_be_final: false
                },
                ConfigError::EmptyLabel(Outcome::Busy),
                ConfigError::CompleteCode {
                    outcome: Outcome::Refusal,
                    code: "1.1".to_owned()
                },
                ConfigError::MissingOutcome(Outcome::Fax),
            ]
        );
        assert_eq!(
            errors.0[0].to_string(),
            "l'issue « no_answer » est toujours non finale"
        );
    }
}
