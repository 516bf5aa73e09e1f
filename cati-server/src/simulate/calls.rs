//! What happens when a simulated interviewer dials: the call outcome drawn at the rates of a
//! French general-population telephone survey (`shared/research/fr-telephony.md`: no answer
//! about half the time, answering machines, busy lines, refusals soft and hard, appointments),
//! and what a reached respondent does during the interview (breaks off, asks to be called
//! back). Pure: the randomness comes from the caller's generator.

use fieldwork::Outcome;
use rand::Rng;

/// What a dial gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dial {
    /// An outcome recorded on the case screen, without an interview.
    Outcome(Outcome),
    /// Someone answers and the interview starts (or resumes).
    Interview,
}

/// Shares of each dial result on a fresh number.
const FRESH: [(Dial, f64); 9] = [
    (Dial::Outcome(Outcome::NoAnswer), 0.45),
    (Dial::Outcome(Outcome::AnsweringMachine), 0.12),
    (Dial::Outcome(Outcome::Busy), 0.04),
    (Dial::Outcome(Outcome::NotInService), 0.04),
    (Dial::Outcome(Outcome::SoftRefusal), 0.07),
    (Dial::Outcome(Outcome::Refusal), 0.03),
    (Dial::Outcome(Outcome::Appointment), 0.05),
    (Dial::Outcome(Outcome::Business), 0.01),
    (Dial::Interview, 0.19),
];

/// Shares when the respondent expects the call (an appointment comes up, an interrupted
/// interview resumes): most appointments are kept, some are missed (nobody answers).
const EXPECTED: [(Dial, f64); 3] = [
    (Dial::Interview, 0.75),
    (Dial::Outcome(Outcome::NoAnswer), 0.20),
    (Dial::Outcome(Outcome::Refusal), 0.05),
];

/// The result of dialling a case; `expected` when an appointment or an interrupted interview
/// brings the call.
pub fn dial(rng: &mut impl Rng, expected: bool) -> Dial {
    let table: &[(Dial, f64)] = if expected { &EXPECTED } else { &FRESH };
    let mut pick = rng.gen_range(0.0..1.0);
    for &(dial, share) in table {
        if pick < share {
            return dial;
        }
        pick -= share;
    }
    table[0].0
}

/// What a respondent does at a question of a running interview.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum During {
    /// Answers.
    Answers,
    /// Asks to be called back later (the interview resumes at the appointment).
    CallsBack,
    /// Stops for good.
    BreaksOff,
}

/// Per question: 0.1 % ask to be called back, 0.05 % break off (over some 40 questions, about
/// 4 % and 2 % of interviews).
pub fn during(rng: &mut impl Rng) -> During {
    let pick = rng.gen_range(0.0..1.0);
    if pick < 0.001 {
        During::CallsBack
    } else if pick < 0.0015 {
        During::BreaksOff
    } else {
        During::Answers
    }
}

/// Minutes of interviewer time a call takes: dialling and ringing, or the interview's length.
pub fn minutes(dial: Dial) -> u32 {
    match dial {
        Dial::Outcome(Outcome::NoAnswer | Outcome::Busy | Outcome::NotInService) => 1,
        Dial::Outcome(_) => 2,
        Dial::Interview => 15,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn shares_sum_to_one() {
        for table in [&FRESH[..], &EXPECTED[..]] {
            let sum: f64 = table.iter().map(|(_, s)| s).sum();
            assert!((sum - 1.0).abs() < 1e-12, "{sum}");
        }
    }

    #[test]
    fn no_answer_comes_about_half_the_time_and_expected_calls_mostly_reach_the_person() {
        let mut rng = StdRng::seed_from_u64(3);
        let n = 20_000;
        let fresh_no_answer = (0..n)
            .filter(|_| dial(&mut rng, false) == Dial::Outcome(Outcome::NoAnswer))
            .count();
        let kept = (0..n)
            .filter(|_| dial(&mut rng, true) == Dial::Interview)
            .count();
        assert!((fresh_no_answer as f64 / f64::from(n) - 0.45).abs() < 0.015);
        assert!((kept as f64 / f64::from(n) - 0.75).abs() < 0.015);
    }
}
