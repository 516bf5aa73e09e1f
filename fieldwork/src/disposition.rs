//! A case's final disposition, derived from the outcomes of its calls in the manner of queXS's
//! `end_case` (after McCarty, *Differences in response rates using most recent versus final
//! dispositions in telephone surveys*):
//!
//! 1. a final outcome wins (the latest, should there be several);
//! 2. otherwise, a case that reached its maximum number of calls is **2.30** (*other eligible
//!    non-interview*) when any call found it eligible (an AAPOR code 1.x or 2.x), else **3.90**
//!    (*other, eligibility unknown*) — `fr-telephony.md` §3.1 and `cati-peers.md` §1.2;
//! 3. otherwise (the field closed, refusal conversion failed, or the case is still open) its
//!    most informative outcome: partial interview, then refusal, other eligible, non-contact,
//!    not eligible, unknown other, unknown if household; the latest among equals;
//! 4. a case never called is **3.11** (*not attempted*).
//!
//! queXS files 3.90 under UH; AAPOR's own table puts 3.9 with UO. Only their sum enters the
//! rates, so the choice changes no figure.

use serde::{Deserialize, Serialize};

use crate::aapor::{AaporCode, Eligibility, RateGroup};
use crate::frame::OutcomeFrame;
use crate::outcome::Outcome;

/// The AAPOR disposition of a case, and what it was taken from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disposition {
    /// The AAPOR code.
    pub code: AaporCode,
    /// Where the code comes from.
    pub basis: DispositionBasis,
}

/// Where a disposition's code comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DispositionBasis {
    /// The code of this outcome: a final one, or the most informative.
    Outcome {
        /// The outcome.
        outcome: Outcome,
    },
    /// The case reached its maximum number of calls.
    MaxAttempts {
        /// Whether a call ever found it eligible (2.30) or not (3.90).
        ever_eligible: bool,
    },
    /// The case was never called.
    NotAttempted,
}

impl Disposition {
    /// The French label: the outcome's in the survey's frame, or the rules' own.
    pub fn label<'a>(&self, frame: &'a OutcomeFrame) -> &'a str {
        match self.basis {
            DispositionBasis::Outcome { outcome } => &frame.spec(outcome).label,
            DispositionBasis::MaxAttempts {
                ever_eligible: true,
            } => "Nombre maximal d'appels atteint (éligible)",
            DispositionBasis::MaxAttempts {
                ever_eligible: false,
            } => "Nombre maximal d'appels atteint (éligibilité inconnue)",
            DispositionBasis::NotAttempted => "Jamais appelé",
        }
    }
}

/// The disposition of a case whose calls had these `outcomes` (oldest first), under a cap of
/// `max_attempts` calls; see the module documentation for the rules.
pub fn final_disposition(
    frame: &OutcomeFrame,
    outcomes: &[Outcome],
    max_attempts: u32,
) -> Disposition {
    let from_outcome = |outcome: Outcome| Disposition {
        code: frame.spec(outcome).aapor.clone(),
        basis: DispositionBasis::Outcome { outcome },
    };
    if let Some(last_final) = outcomes.iter().rev().find(|o| frame.spec(**o).is_final) {
        return from_outcome(*last_final);
    }
    let capped = outcomes.len() as u64 >= u64::from(max_attempts);
    if capped && !outcomes.is_empty() {
        let ever_eligible = outcomes
            .iter()
            .any(|o| frame.spec(*o).eligibility() == Eligibility::Eligible);
        let code = if ever_eligible {
            AaporCode::max_attempts_eligible()
        } else {
            AaporCode::max_attempts_unknown()
        };
        return Disposition {
            code,
            basis: DispositionBasis::MaxAttempts { ever_eligible },
        };
    }
    outcomes
        .iter()
        .enumerate()
        .max_by_key(|(i, o)| (informativeness(frame.spec(**o).group()), *i))
        .map_or_else(
            || Disposition {
                code: AaporCode::not_attempted(),
                basis: DispositionBasis::NotAttempted,
            },
            |(_, outcome)| from_outcome(*outcome),
        )
}

/// How much a group says about a case: interviews, then known eligibility, then known
/// ineligibility, then unknown eligibility.
fn informativeness(group: RateGroup) -> u8 {
    match group {
        RateGroup::Complete => 7,
        RateGroup::Partial => 6,
        RateGroup::Refusal => 5,
        RateGroup::Other => 4,
        RateGroup::NonContact => 3,
        RateGroup::NotEligible => 2,
        RateGroup::UnknownOther => 1,
        RateGroup::UnknownHousehold => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Outcome::*;

    fn code(outcomes: &[Outcome]) -> String {
        final_disposition(&OutcomeFrame::default(), outcomes, 8)
            .code
            .to_string()
    }

    #[test]
    fn final_outcome_wins() {
        assert_eq!(code(&[NoAnswer, SoftRefusal, NoAnswer, Completed]), "1.1");
        assert_eq!(code(&[AnsweringMachine, NotInService]), "4.30");
    }

    #[test]
    fn max_attempts_is_2_30_when_ever_eligible() {
        let calls = [
            NoAnswer,
            Busy,
            Appointment,
            NoAnswer,
            NoAnswer,
            Busy,
            NoAnswer,
            NoAnswer,
        ];
        let disposition = final_disposition(&OutcomeFrame::default(), &calls, 8);
        assert_eq!(disposition.code.as_str(), "2.30");
        assert_eq!(
            disposition.label(&OutcomeFrame::default()),
            "Nombre maximal d'appels atteint (éligible)"
        );
    }

    #[test]
    fn max_attempts_is_3_90_when_eligibility_never_known() {
        assert_eq!(code(&[NoAnswer; 8]), "3.90");
        assert_eq!(
            code(&[
                Busy,
                AnsweringMachine,
                NoAnswer,
                NoAnswer,
                NoAnswer,
                NoAnswer,
                NoAnswer,
                NoAnswer
            ]),
            "3.90"
        );
    }

    #[test]
    fn open_case_takes_its_most_informative_outcome() {
        assert_eq!(code(&[NoAnswer, Appointment, NoAnswer]), "2.21");
        assert_eq!(code(&[SoftRefusal, Appointment, NoAnswer]), "2.111");
        assert_eq!(code(&[SoftRefusal, InterviewCallback, NoAnswer]), "1.2");
    }

    #[test]
    fn known_eligibility_outranks_known_ineligibility_which_outranks_unknown() {
        // A survey that calls businesses again (a home business may also be a household).
        let mut specs: std::collections::BTreeMap<_, _> = OutcomeFrame::default().into();
        specs.get_mut(&Business).unwrap().is_final = false;
        let frame = OutcomeFrame::new(specs).unwrap();
        let code = |outcomes: &[Outcome]| final_disposition(&frame, outcomes, 8).code.to_string();
        assert_eq!(code(&[NoAnswer, Business, NoAnswer]), "4.51");
        assert_eq!(code(&[Appointment, Business, NoAnswer]), "2.21");
    }

    #[test]
    fn the_latest_of_equally_informative_outcomes_is_kept() {
        assert_eq!(code(&[Busy, NoAnswer]), "3.13");
        assert_eq!(code(&[NoAnswer, Busy]), "3.12");
    }

    #[test]
    fn case_never_called_is_not_attempted() {
        let disposition = final_disposition(&OutcomeFrame::default(), &[], 8);
        assert_eq!(disposition.code.as_str(), "3.11");
        assert_eq!(disposition.basis, DispositionBasis::NotAttempted);
    }
}
