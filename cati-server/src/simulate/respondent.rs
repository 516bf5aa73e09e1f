//! Synthetic respondents of the observatory's questionnaire: each draws a profile and answers
//! the questions the interview puts, so that over a wave the key figures come out at the rates
//! the observatory published (`shared/seeds/`): 93 % own a smartphone, 80 % a computer, about
//! 3 % no device at all, 18 % find that digital technology complicates their daily life, about
//! 25 % had difficulty with an online administrative procedure, 75 % help relatives, 50 % know a
//! place of digital mediation and 20 % have been to one. Questions without a published figure
//! get plausible answers drawn evenly. Pure: the randomness comes from the caller's generator.

use rand::Rng;

use crate::services::interview::view::{AnswerRequest, QuestionDto, QuestionKind, Special};

/// Published rates the respondents reproduce, as shares of all respondents.
pub mod rates {
    /// Own a smartphone.
    pub const SMARTPHONE: f64 = 0.93;
    /// Own a computer (laptop or desktop).
    pub const COMPUTER: f64 = 0.80;
    /// Own no device at all.
    pub const NO_DEVICE: f64 = 0.03;
    /// Agree that digital technology complicates their daily activities.
    pub const COMPLICATES: f64 = 0.18;
    /// Had difficulty with an online administrative procedure.
    pub const ADMIN_DIFFICULTY: f64 = 0.25;
    /// Help relatives with digital technology.
    pub const HELP_RELATIVES: f64 = 0.75;
    /// Know at least one place of digital mediation.
    pub const KNOW_PLACE: f64 = 0.50;
    /// Have been to one.
    pub const BEEN_TO_PLACE: f64 = 0.20;
}

/// Shares of the age bands 15–29, 30–44, 45–59, 60–74 and 75+ among residents aged 15 or more,
/// and of women: a simulation assumption (the shared data hold no age or sex structure).
const AGE_BANDS: [(i64, i64, f64); 5] = [
    (15, 29, 0.25),
    (30, 44, 0.25),
    (45, 59, 0.23),
    (60, 74, 0.17),
    (75, 95, 0.10),
];
const WOMEN: f64 = 0.525;

/// One synthetic respondent.
#[derive(Clone, Debug, PartialEq)]
pub struct Respondent {
    /// The commune they live in (INSEE code), when the sample knows it.
    pub commune: Option<i64>,
    /// 1: man, 2: woman (codes of `SEXE`).
    pub sex: i64,
    /// Age in years.
    pub age: i64,
}

impl Respondent {
    /// A respondent of the case's commune, with a drawn sex and age.
    pub fn draw(rng: &mut impl Rng, commune: Option<i64>) -> Respondent {
        let sex = if rng.gen_bool(WOMEN) { 2 } else { 1 };
        let mut pick = rng.gen_range(0.0..1.0);
        let mut age = 40;
        for (from, to, share) in AGE_BANDS {
            if pick < share {
                age = rng.gen_range(from..=to);
                break;
            }
            pick -= share;
        }
        Respondent { commune, sex, age }
    }

    /// The answer to `q`, drawn for this respondent.
    pub fn answer(&self, q: &QuestionDto, rng: &mut impl Rng) -> AnswerRequest {
        let mut request = AnswerRequest::confirmed(&q.var);
        let codes = match q.var.as_str() {
            "CONSENTEMENT" => Some(vec![1]),
            "COMMUNE" => Some(vec![self.commune_answer(q, rng)]),
            "SEXE" => Some(vec![self.sex]),
            "AGE" => {
                request.value = Some(self.age.to_string());
                None
            }
            "EQUIP" => Some(devices(rng)),
            "COMPLIQUE" => Some(vec![weighted(
                rng,
                &[(1, 0.06), (2, 0.12), (3, 0.35), (4, 0.47)],
            )]),
            "DIFFICULTE_ADMIN" => Some(vec![weighted(
                rng,
                &[(1, 0.08), (2, 0.17), (3, 0.60), (4, 0.15)],
            )]),
            "AIDE_PROCHES" => Some(vec![weighted(rng, &[(1, 0.30), (2, 0.45), (3, 0.25)])]),
            "LIEUX_CONNUS" => Some(places(rng)),
            // Among those who know a place: 20 % of everyone have been, 40 % of those asked.
            "LIEUX_FREQUENTE" => Some(vec![weighted(rng, &[(1, 0.2), (2, 0.2), (3, 0.6)])]),
            _ => None,
        };
        if let Some(codes) = codes {
            request.codes = Some(codes);
            return request;
        }
        if request.value.is_some() {
            return request;
        }
        plausible(q, &mut request, rng);
        request
    }

    fn commune_answer(&self, q: &QuestionDto, rng: &mut impl Rng) -> i64 {
        match self.commune {
            Some(code) if q.options.iter().any(|o| o.code == code) => code,
            _ => {
                let ordinary: Vec<i64> = q
                    .options
                    .iter()
                    .filter(|o| !o.other && !o.exclusive && o.code > 1)
                    .map(|o| o.code)
                    .collect();
                ordinary
                    .get(rng.gen_range(0..ordinary.len().max(1)))
                    .copied()
                    .unwrap_or(1)
            }
        }
    }
}

/// Devices owned (`EQUIP`): none at 3 %; otherwise a smartphone, a computer (laptop, desktop or
/// both), a tablet and a basic mobile phone each at their own rate, so that the shares of all
/// respondents match [`rates`].
fn devices(rng: &mut impl Rng) -> Vec<i64> {
    if rng.gen_bool(rates::NO_DEVICE) {
        return vec![7];
    }
    let equipped = 1.0 - rates::NO_DEVICE;
    let mut codes = Vec::new();
    if rng.gen_bool(rates::SMARTPHONE / equipped) {
        codes.push(1);
    }
    if rng.gen_bool(0.15) {
        codes.push(2);
    }
    if rng.gen_bool(rates::COMPUTER / equipped) {
        match weighted(rng, &[(0, 0.55), (1, 0.20), (2, 0.25)]) {
            0 => codes.push(3),
            1 => codes.push(4),
            _ => codes.extend([3, 4]),
        }
    }
    if rng.gen_bool(0.45) {
        codes.push(5);
    }
    if codes.is_empty() {
        // Equipped: at least the basic phone.
        codes.push(2);
    }
    codes.sort_unstable();
    codes
}

/// Places of digital mediation known (`LIEUX_CONNUS`): none for half the respondents, else one
/// to three of the six listed.
fn places(rng: &mut impl Rng) -> Vec<i64> {
    if !rng.gen_bool(rates::KNOW_PLACE) {
        return vec![8];
    }
    let mut codes: Vec<i64> = (1..=6).filter(|_| rng.gen_bool(0.3)).collect();
    if codes.is_empty() {
        codes.push(rng.gen_range(1..=6));
    }
    codes
}

/// A code drawn with the given weights (summing to 1).
fn weighted(rng: &mut impl Rng, choices: &[(i64, f64)]) -> i64 {
    let mut pick = rng.gen_range(0.0..1.0);
    for &(code, share) in choices {
        if pick < share {
            return code;
        }
        pick -= share;
    }
    choices.last().map_or(0, |&(code, _)| code)
}

/// An answer drawn evenly among what the question allows: an ordinary option (one to three for
/// a multiple choice), a number within bounds, a short text; now and then « ne sait pas ».
fn plausible(q: &QuestionDto, request: &mut AnswerRequest, rng: &mut impl Rng) {
    if q.allow_dont_know && q.kind != QuestionKind::Info && rng.gen_bool(0.02) {
        request.special = Some(Special::DontKnow);
        return;
    }
    let bound = |text: &Option<String>, default: i64| {
        text.as_deref()
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(default, |v| v as i64)
    };
    match q.kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            let ordinary: Vec<i64> = q
                .options
                .iter()
                .filter(|o| !o.other && !o.exclusive)
                .map(|o| o.code)
                .collect();
            if ordinary.is_empty() {
                request.codes = Some(q.options.first().map(|o| vec![o.code]).unwrap_or_default());
                return;
            }
            let mut codes = vec![ordinary[rng.gen_range(0..ordinary.len())]];
            if q.kind == QuestionKind::Multiple {
                let most = q.max_choices.unwrap_or(3).min(3);
                for _ in 1..rng.gen_range(1..=most.max(1)) {
                    let code = ordinary[rng.gen_range(0..ordinary.len())];
                    if !codes.contains(&code) {
                        codes.push(code);
                    }
                }
                codes.sort_unstable();
            }
            request.codes = Some(codes);
        }
        QuestionKind::Scale => {
            let (min, max) = (bound(&q.min, 0), bound(&q.max, 10));
            request.value = Some(rng.gen_range(min..=max.max(min)).to_string());
        }
        QuestionKind::Integer | QuestionKind::Decimal => {
            let (min, max) = (bound(&q.min, 0), bound(&q.max, 10));
            // Household sizes and counts: small numbers, within the bounds.
            let max = max.min(min + 5).max(min);
            request.value = Some(rng.gen_range(min..=max).to_string());
        }
        QuestionKind::Text => request.value = Some("réponse simulée".to_owned()),
        QuestionKind::Date => request.value = Some("01/01/2000".to_owned()),
        QuestionKind::Info => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn question(var: &str, kind: QuestionKind, codes: &[i64]) -> QuestionDto {
        serde_json::from_value(serde_json::json!({
            "var": var,
            "kind": kind,
            "section": "s",
            "text": "?",
            "options": codes.iter().map(|c| serde_json::json!({
                "code": c, "label": c.to_string(), "other": false, "exclusive": false,
            })).collect::<Vec<_>>(),
            "allow_dont_know": true,
            "allow_refused": true,
            "number": 1,
            "total": 1,
            "can_go_back": false,
        }))
        .unwrap()
    }

    /// Over 20,000 respondents, a share is within 1.5 points of its rate (the sampling error
    /// at this size is about 0.3 point).
    fn close(observed: f64, rate: f64) -> bool {
        (observed - rate).abs() < 0.015
    }

    #[test]
    fn respondents_reproduce_the_published_figures_within_sampling_error() {
        let mut rng = StdRng::seed_from_u64(7);
        let equip = question("EQUIP", QuestionKind::Multiple, &[1, 2, 3, 4, 5, 6, 7]);
        let accord = question("COMPLIQUE", QuestionKind::Single, &[1, 2, 3, 4]);
        let admin = question("DIFFICULTE_ADMIN", QuestionKind::Single, &[1, 2, 3, 4]);
        let help = question("AIDE_PROCHES", QuestionKind::Single, &[1, 2, 3]);
        let places = question(
            "LIEUX_CONNUS",
            QuestionKind::Multiple,
            &[1, 2, 3, 4, 5, 6, 7, 8],
        );
        let mut counts = [0usize; 8];
        let n = 20_000;
        for _ in 0..n {
            let r = Respondent::draw(&mut rng, Some(33063));
            let codes = |q: &QuestionDto, rng: &mut StdRng| r.answer(q, rng).codes.unwrap();
            let devices = codes(&equip, &mut rng);
            counts[0] += usize::from(devices.contains(&1));
            counts[1] += usize::from(devices.contains(&3) || devices.contains(&4));
            counts[2] += usize::from(devices == [7]);
            counts[3] += usize::from(codes(&accord, &mut rng)[0] <= 2);
            counts[4] += usize::from(codes(&admin, &mut rng)[0] <= 2);
            counts[5] += usize::from(codes(&help, &mut rng)[0] <= 2);
            let knows = codes(&places, &mut rng) != [8];
            counts[6] += usize::from(knows);
            if knows {
                let been = question("LIEUX_FREQUENTE", QuestionKind::Single, &[1, 2, 3]);
                counts[7] += usize::from(codes(&been, &mut rng)[0] <= 2);
            }
        }
        let share = |i: usize| counts[i] as f64 / f64::from(n);
        assert!(
            close(share(0), rates::SMARTPHONE),
            "smartphone {}",
            share(0)
        );
        assert!(close(share(1), rates::COMPUTER), "computer {}", share(1));
        assert!(close(share(2), rates::NO_DEVICE), "no device {}", share(2));
        assert!(
            close(share(3), rates::COMPLICATES),
            "complicates {}",
            share(3)
        );
        assert!(
            close(share(4), rates::ADMIN_DIFFICULTY),
            "admin {}",
            share(4)
        );
        assert!(close(share(5), rates::HELP_RELATIVES), "help {}", share(5));
        assert!(close(share(6), rates::KNOW_PLACE), "know {}", share(6));
        assert!(close(share(7), rates::BEEN_TO_PLACE), "been {}", share(7));
    }

    #[test]
    fn a_respondent_answers_within_the_question_and_lives_in_the_case_commune() {
        let mut rng = StdRng::seed_from_u64(1);
        let r = Respondent::draw(&mut rng, Some(33063));
        assert!((15..=95).contains(&r.age));
        let commune = question("COMMUNE", QuestionKind::Single, &[1, 33063, 33318]);
        assert_eq!(r.answer(&commune, &mut rng).codes, Some(vec![33063]));
        let elsewhere = Respondent::draw(&mut rng, Some(75056));
        let code = elsewhere.answer(&commune, &mut rng).codes.unwrap()[0];
        assert!(
            code == 33063 || code == 33318,
            "an ordinary commune, not outside: {code}"
        );
        let mut scale = question("CAPACITE", QuestionKind::Scale, &[]);
        scale.min = Some("0".to_owned());
        scale.max = Some("10".to_owned());
        for _ in 0..200 {
            let answer = r.answer(&scale, &mut rng);
            if let Some(value) = answer.value {
                assert!((0..=10).contains(&value.parse::<i64>().unwrap()));
            } else {
                assert_eq!(answer.special, Some(Special::DontKnow));
            }
        }
    }
}
