//! AAPOR outcome rates (*Standard Definitions*, 10th edition; the formulas of AAPOR's Outcome
//! Rate Calculator, as in queXS `functions.aapor.php` and rOpenSci `outcomerate`) from counts
//! of final dispositions.
//!
//! With `A = I + P + R + NC + O` (eligible cases), `U = UH + UO` (unknown eligibility) and `e`
//! the estimated share of `U` that is eligible:
//!
//! ```text
//! RR1 = I / (A + U)        RR2 = (I+P) / (A + U)
//! RR3 = I / (A + e·U)      RR4 = (I+P) / (A + e·U)
//! RR5 = I / A              RR6 = (I+P) / A
//! COOP1 = I / (I+P+R+O)    COOP2 = (I+P) / (I+P+R+O)
//! COOP3 = I / (I+P+R)      COOP4 = (I+P) / (I+P+R)
//! REF1 = R / (A + U)       REF2 = R / (A + e·U)       REF3 = R / A
//! CON1 = (I+P+R+O) / (A + U)   CON2 = (I+P+R+O) / (A + e·U)   CON3 = (I+P+R+O) / A
//! ```
//!
//! A rate whose denominator is zero is `None`, never NaN. AAPOR requires the basis of `e` to be
//! stated; the result carries it.

use serde::{Deserialize, Serialize};

use crate::aapor::RateGroup;

/// Final dispositions counted by rate group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DispositionCounts {
    /// I: complete interviews.
    pub complete: u64,
    /// P: partial interviews.
    pub partial: u64,
    /// R: refusals and break-offs.
    pub refusal: u64,
    /// NC: non-contacts.
    pub non_contact: u64,
    /// O: other eligible non-interviews.
    pub other: u64,
    /// UH: unknown if household.
    pub unknown_household: u64,
    /// UO: unknown, other.
    pub unknown_other: u64,
    /// NE: not eligible.
    pub not_eligible: u64,
}

impl DispositionCounts {
    /// Counts one more disposition of `group`.
    pub fn add(&mut self, group: RateGroup) {
        self.add_cases(group, 1);
    }

    /// Counts `cases` more dispositions of `group` (counters read from a database).
    pub fn add_cases(&mut self, group: RateGroup, cases: u64) {
        let count = match group {
            RateGroup::Complete => &mut self.complete,
            RateGroup::Partial => &mut self.partial,
            RateGroup::Refusal => &mut self.refusal,
            RateGroup::NonContact => &mut self.non_contact,
            RateGroup::Other => &mut self.other,
            RateGroup::UnknownHousehold => &mut self.unknown_household,
            RateGroup::UnknownOther => &mut self.unknown_other,
            RateGroup::NotEligible => &mut self.not_eligible,
        };
        *count += cases;
    }

    /// `A = I + P + R + NC + O`, the known eligible cases.
    pub fn eligible(&self) -> u64 {
        self.complete + self.partial + self.refusal + self.non_contact + self.other
    }

    /// `U = UH + UO`, the cases of unknown eligibility.
    pub fn unknown(&self) -> u64 {
        self.unknown_household + self.unknown_other
    }
}

impl FromIterator<RateGroup> for DispositionCounts {
    fn from_iter<T: IntoIterator<Item = RateGroup>>(groups: T) -> DispositionCounts {
        let mut counts = DispositionCounts::default();
        for group in groups {
            counts.add(group);
        }
        counts
    }
}

/// How `e` is estimated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum EligibilityRate {
    /// The share of eligible cases among those whose eligibility is known:
    /// `(I+P+R+NC+O) / (I+P+R+NC+O+NE)` (AAPOR Outcome Rate Calculator's default).
    Proportional,
    /// A value the manager gives, with its justification (a screening study, a previous wave).
    Given {
        /// The estimate, from 0 to 1.
        e: f64,
        /// Why this value, in the manager's words.
        basis: String,
    },
}

/// The estimate of `e` used, and its basis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EligibilityEstimate {
    /// The estimate; `None` when it cannot be computed (no case of known eligibility).
    pub e: Option<f64>,
    /// How it was obtained.
    pub basis: EligibilityBasis,
}

/// How `e` was obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum EligibilityBasis {
    /// Proportional allocation: `eligible / known`.
    Proportional {
        /// `I+P+R+NC+O`.
        eligible: u64,
        /// `I+P+R+NC+O+NE`.
        known: u64,
    },
    /// Given by the manager.
    Given {
        /// The justification.
        basis: String,
    },
}

impl EligibilityBasis {
    /// The statement of the basis AAPOR requires, in French.
    pub fn describe(&self) -> String {
        match self {
            EligibilityBasis::Proportional { eligible, known } => format!(
                "e estimé par la part des cas éligibles parmi les cas d'éligibilité connue : \
                 (I+P+R+NC+O) / (I+P+R+NC+O+NE) = {eligible} / {known}"
            ),
            EligibilityBasis::Given { basis } => format!("e fixé par le responsable : {basis}"),
        }
    }
}

/// The AAPOR outcome rates of a set of cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeRates {
    /// The counts they come from.
    pub counts: DispositionCounts,
    /// The eligibility estimate used by RR3, RR4, REF2 and CON2.
    pub eligibility: EligibilityEstimate,
    /// Response rate 1: completes over all eligible and unknown cases.
    pub rr1: Option<f64>,
    /// Response rate 2: completes and partials over all eligible and unknown cases.
    pub rr2: Option<f64>,
    /// Response rate 3: completes, unknown cases weighted by `e`.
    pub rr3: Option<f64>,
    /// Response rate 4: completes and partials, unknown cases weighted by `e`.
    pub rr4: Option<f64>,
    /// Response rate 5: completes over eligible cases.
    pub rr5: Option<f64>,
    /// Response rate 6: completes and partials over eligible cases.
    pub rr6: Option<f64>,
    /// Cooperation rate 1: completes over contacted eligible cases.
    pub coop1: Option<f64>,
    /// Cooperation rate 2: completes and partials over contacted eligible cases.
    pub coop2: Option<f64>,
    /// Cooperation rate 3: completes over interviews and refusals.
    pub coop3: Option<f64>,
    /// Cooperation rate 4: completes and partials over interviews and refusals.
    pub coop4: Option<f64>,
    /// Refusal rate 1.
    pub ref1: Option<f64>,
    /// Refusal rate 2, unknown cases weighted by `e`.
    pub ref2: Option<f64>,
    /// Refusal rate 3, over eligible cases.
    pub ref3: Option<f64>,
    /// Contact rate 1.
    pub con1: Option<f64>,
    /// Contact rate 2, unknown cases weighted by `e`.
    pub con2: Option<f64>,
    /// Contact rate 3, over eligible cases.
    pub con3: Option<f64>,
}

/// Why rates could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RatesError {
    /// A given `e` outside 0–1.
    #[error("e doit être un nombre entre 0 et 1 (reçu {0})")]
    EligibilityOutOfRange(f64),
}

/// The AAPOR outcome rates of `counts`, with `e` estimated as `rate` says.
pub fn outcome_rates(
    counts: &DispositionCounts,
    rate: &EligibilityRate,
) -> Result<OutcomeRates, RatesError> {
    let eligibility = match rate {
        EligibilityRate::Proportional => {
            let eligible = counts.eligible();
            let known = eligible + counts.not_eligible;
            EligibilityEstimate {
                e: ratio(eligible as f64, Some(known as f64)),
                basis: EligibilityBasis::Proportional { eligible, known },
            }
        }
        EligibilityRate::Given { e, basis } => {
            if !(0.0..=1.0).contains(e) {
                return Err(RatesError::EligibilityOutOfRange(*e));
            }
            EligibilityEstimate {
                e: Some(*e),
                basis: EligibilityBasis::Given {
                    basis: basis.clone(),
                },
            }
        }
    };

    let i = counts.complete as f64;
    let p = counts.partial as f64;
    let r = counts.refusal as f64;
    let o = counts.other as f64;
    let a = counts.eligible() as f64;
    let u = counts.unknown() as f64;
    let all = Some(a + u);
    // Without unknown cases e does not matter, so the rates exist even when e does not.
    let weighted = if counts.unknown() == 0 {
        Some(a)
    } else {
        eligibility.e.map(|e| a + e * u)
    };
    let eligible = Some(a);
    let contacted = i + p + r + o;
    Ok(OutcomeRates {
        counts: *counts,
        rr1: ratio(i, all),
        rr2: ratio(i + p, all),
        rr3: ratio(i, weighted),
        rr4: ratio(i + p, weighted),
        rr5: ratio(i, eligible),
        rr6: ratio(i + p, eligible),
        coop1: ratio(i, Some(contacted)),
        coop2: ratio(i + p, Some(contacted)),
        coop3: ratio(i, Some(i + p + r)),
        coop4: ratio(i + p, Some(i + p + r)),
        ref1: ratio(r, all),
        ref2: ratio(r, weighted),
        ref3: ratio(r, eligible),
        con1: ratio(contacted, all),
        con2: ratio(contacted, weighted),
        con3: ratio(contacted, eligible),
        eligibility,
    })
}

/// `numerator / denominator`, or `None` when the denominator is missing or zero.
fn ratio(numerator: f64, denominator: Option<f64>) -> Option<f64> {
    denominator.filter(|d| *d > 0.0).map(|d| numerator / d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts a rate equals a fraction written as the hand computation.
    fn assert_rate(rate: Option<f64>, numerator: f64, denominator: f64) {
        let expected = numerator / denominator;
        let got = rate.expect("a rate");
        assert!(
            (got - expected).abs() < 1e-12,
            "{got} ≠ {numerator}/{denominator}"
        );
    }

    /// I = 400, P = 50, R = 300, NC = 150, O = 50, UH = 200, UO = 50, NE = 300.
    fn counts() -> DispositionCounts {
        DispositionCounts {
            complete: 400,
            partial: 50,
            refusal: 300,
            non_contact: 150,
            other: 50,
            unknown_household: 200,
            unknown_other: 50,
            not_eligible: 300,
        }
    }

    #[test]
    fn rates_equal_the_hand_computed_values_with_proportional_e() {
        let rates = outcome_rates(&counts(), &EligibilityRate::Proportional).unwrap();
        // A = 400+50+300+150+50 = 950; U = 200+50 = 250; known = 950+300 = 1250.
        // e = 950/1250 = 0.76 (< 1); A+U = 1200; A+e·U = 950 + 0.76×250 = 950 + 190 = 1140.
        assert_rate(rates.eligibility.e, 950.0, 1250.0);
        assert_eq!(
            rates.eligibility.basis,
            EligibilityBasis::Proportional {
                eligible: 950,
                known: 1250
            }
        );
        assert_rate(rates.rr1, 400.0, 1200.0); // 0.3333
        assert_rate(rates.rr2, 450.0, 1200.0); // 0.375
        assert_rate(rates.rr3, 400.0, 1140.0); // 0.3509
        assert_rate(rates.rr4, 450.0, 1140.0); // 0.3947
        assert_rate(rates.rr5, 400.0, 950.0); // 0.4211
        assert_rate(rates.rr6, 450.0, 950.0); // 0.4737
        // I+P+R+O = 400+50+300+50 = 800; I+P+R = 750.
        assert_rate(rates.coop1, 400.0, 800.0); // 0.5
        assert_rate(rates.coop2, 450.0, 800.0); // 0.5625
        assert_rate(rates.coop3, 400.0, 750.0); // 0.5333
        assert_rate(rates.coop4, 450.0, 750.0); // 0.6
        assert_rate(rates.ref1, 300.0, 1200.0); // 0.25
        assert_rate(rates.ref2, 300.0, 1140.0); // 0.2632
        assert_rate(rates.ref3, 300.0, 950.0); // 0.3158
        assert_rate(rates.con1, 800.0, 1200.0); // 0.6667
        assert_rate(rates.con2, 800.0, 1140.0); // 0.7018
        assert_rate(rates.con3, 800.0, 950.0); // 0.8421
    }

    #[test]
    fn rates_with_a_given_e_state_its_basis() {
        // I = 100, R = 50, NC = 25, O = 25, UH = 100: A = 200, U = 100, e = 0.5 given.
        let counts = DispositionCounts {
            complete: 100,
            refusal: 50,
            non_contact: 25,
            other: 25,
            unknown_household: 100,
            ..DispositionCounts::default()
        };
        let rate = EligibilityRate::Given {
            e: 0.5,
            basis: "enquête de filtrage de la vague 1".to_owned(),
        };
        let rates = outcome_rates(&counts, &rate).unwrap();
        // A+U = 300; A+e·U = 200 + 0.5×100 = 250.
        assert_rate(rates.rr1, 100.0, 300.0);
        assert_rate(rates.rr3, 100.0, 250.0); // 0.4
        assert_rate(rates.rr5, 100.0, 200.0); // 0.5
        assert_rate(rates.ref2, 50.0, 250.0); // 0.2
        assert_rate(rates.con2, 175.0, 250.0); // (100+50+25)/250 = 0.7
        assert_eq!(
            rates.eligibility.basis.describe(),
            "e fixé par le responsable : enquête de filtrage de la vague 1"
        );
    }

    #[test]
    fn unknown_eligibility_only_leaves_e_and_its_rates_undefined() {
        // UH = 10 and nothing known: e = 0/0; RR1 = 0/10 = 0; RR3 needs e; RR5 = 0/0.
        let counts = DispositionCounts {
            unknown_household: 10,
            ..DispositionCounts::default()
        };
        let rates = outcome_rates(&counts, &EligibilityRate::Proportional).unwrap();
        assert_eq!(rates.eligibility.e, None);
        assert_eq!(rates.rr1, Some(0.0));
        assert_eq!(rates.rr3, None);
        assert_eq!(rates.rr5, None);
        assert_eq!(rates.coop1, None);
    }

    #[test]
    fn without_unknown_cases_e_does_not_matter() {
        // I = 3, R = 1, NE = 0, U = 0: e = 4/4 = 1, A + e·U = A = 4.
        let counts = DispositionCounts {
            complete: 3,
            refusal: 1,
            ..DispositionCounts::default()
        };
        let rates = outcome_rates(&counts, &EligibilityRate::Proportional).unwrap();
        assert_rate(rates.eligibility.e, 4.0, 4.0);
        assert_rate(rates.rr3, 3.0, 4.0);
        assert_eq!(rates.rr1, rates.rr5);
    }

    #[test]
    fn empty_counts_give_no_rate_and_no_nan() {
        let rates = outcome_rates(
            &DispositionCounts::default(),
            &EligibilityRate::Proportional,
        )
        .unwrap();
        let all = [
            rates.rr1,
            rates.rr2,
            rates.rr3,
            rates.rr4,
            rates.rr5,
            rates.rr6,
            rates.coop1,
            rates.coop2,
            rates.coop3,
            rates.coop4,
            rates.ref1,
            rates.ref2,
            rates.ref3,
            rates.con1,
            rates.con2,
            rates.con3,
            rates.eligibility.e,
        ];
        assert!(all.iter().all(Option::is_none));
    }

    #[test]
    fn given_e_outside_zero_one_is_refused() {
        for e in [-0.1, 1.5, f64::NAN] {
            let rate = EligibilityRate::Given {
                e,
                basis: String::new(),
            };
            let error = outcome_rates(&counts(), &rate).unwrap_err();
            assert!(
                error
                    .to_string()
                    .starts_with("e doit être un nombre entre 0 et 1")
            );
        }
    }

    #[test]
    fn counts_come_from_disposition_codes() {
        let codes = [
            "1.1", "1.1", "2.111", "2.30", "3.13", "3.90", "4.80", "2.21",
        ];
        let counts: DispositionCounts = codes
            .iter()
            .map(|c| crate::aapor::AaporCode::new(c).unwrap().group())
            .collect();
        assert_eq!(
            counts,
            DispositionCounts {
                complete: 2,
                partial: 0,
                refusal: 1,
                non_contact: 1,
                other: 1,
                unknown_household: 1,
                unknown_other: 1,
                not_eligible: 1,
            }
        );
    }
}
