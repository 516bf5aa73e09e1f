//! Helpers shared by the integration tests.
#![allow(dead_code)]

use questionnaire::{AnswerInput, Interview, Questionnaire, Record, State};
use std::collections::BTreeMap;

pub fn small() -> Questionnaire {
    let source = std::fs::read_to_string("tests/fixtures/small.toml").expect("fixture");
    questionnaire::load(&source, "small.toml").expect("fixture is valid")
}

pub fn preload() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("commune_fichier".to_string(), "Pessac".to_string()),
        ("nom_contact".to_string(), "Mme Durand".to_string()),
    ])
}

pub fn code(c: i64) -> AnswerInput {
    AnswerInput::Codes {
        codes: vec![c],
        other: BTreeMap::new(),
    }
}

pub fn codes(c: &[i64]) -> AnswerInput {
    AnswerInput::Codes {
        codes: c.to_vec(),
        other: BTreeMap::new(),
    }
}

pub fn raw(s: &str) -> AnswerInput {
    AnswerInput::Raw(s.to_string())
}

/// The variable of the step being asked (panics if the interview is not at a question).
pub fn current(i: &Interview<'_>, r: &Record) -> String {
    match i.state(r) {
        State::Question(v) => v.var,
        other => panic!("expected a question, got {other:?}"),
    }
}

/// Submits `input` to the current step, which must be `var`.
pub fn answer(i: &Interview<'_>, r: &mut Record, var: &str, input: AnswerInput) -> Vec<String> {
    assert_eq!(current(i, r), var, "current step");
    i.submit(r, var, input, false)
        .unwrap_or_else(|e| panic!("{var}: {e}"))
        .removed
}
