//! A questionnaire file's bytes into `questionnaire::check_bytes`; when it is accepted, a short
//! interview through the engine and a diff against itself, so that what the parser lets through
//! is also exercised.
#![no_main]

use libfuzzer_sys::fuzz_target;
use questionnaire::{
    AnswerInput, Interview, Preload, QuotaDecision, Record, State, ViewKind, check_bytes, diff,
};
use std::collections::BTreeMap;

/// At most this many steps of the interview, whatever the questionnaire.
const MAX_STEPS: usize = 64;

fuzz_target!(|data: &[u8]| {
    let (report, questionnaire) = check_bytes(data, "fuzz.toml");
    assert_eq!(questionnaire.is_some(), report.valid);
    assert_eq!(
        report.valid,
        report.errors.is_empty(),
        "refused without a reason"
    );
    let lines = data.split(|&b| b == b'\n').count() + 1;
    for finding in report.errors.iter().chain(&report.warnings) {
        assert!(
            (1..=lines).contains(&finding.line),
            "{finding} ({lines} lines)"
        );
        assert!(!finding.message.is_empty());
        let _ = finding.to_string();
    }
    let Some(q) = questionnaire else { return };
    assert!(
        diff(&q, &q).is_empty(),
        "a questionnaire differs from itself"
    );
    let preload = Preload::new();
    let interview = Interview {
        questionnaire: &q,
        preload: &preload,
        language: "fr",
    };
    let mut record = Record::new(u64::from(data.len() as u32));
    for step in 0..MAX_STEPS {
        match interview.state(&record) {
            State::Question(view) => {
                let input = match &view.kind {
                    ViewKind::Info => AnswerInput::Continue,
                    ViewKind::Single | ViewKind::Multiple { .. } => match view.options.first() {
                        Some(option) => AnswerInput::Codes {
                            codes: vec![option.code],
                            other: BTreeMap::from([(option.code, "autre".to_owned())]),
                        },
                        None => AnswerInput::DontKnow,
                    },
                    ViewKind::Integer { min, .. } => AnswerInput::Raw(min.unwrap_or(1).to_string()),
                    ViewKind::Scale { min, .. } => AnswerInput::Raw(min.to_string()),
                    ViewKind::Decimal { min, .. } => {
                        AnswerInput::Raw(min.unwrap_or(1.5).to_string())
                    }
                    ViewKind::Date { .. } => AnswerInput::Raw("2026-03-02".to_owned()),
                    ViewKind::Text { .. } => AnswerInput::Raw("texte".to_owned()),
                };
                let submitted = interview.submit(&mut record, &view.var, input, true);
                if submitted.is_err() {
                    let fallback = if view.allow_dont_know {
                        AnswerInput::DontKnow
                    } else if view.allow_refused {
                        AnswerInput::Refused
                    } else {
                        break;
                    };
                    if interview
                        .submit(&mut record, &view.var, fallback, true)
                        .is_err()
                    {
                        break;
                    }
                }
                if step == 3 {
                    let _ = interview.back(&mut record, None);
                }
            }
            State::QuotaPoint { .. } => {
                if interview
                    .record_quota(&mut record, QuotaDecision::Accepted)
                    .is_err()
                {
                    break;
                }
            }
            State::ScreenedOut { .. } | State::Completed { .. } => break,
        }
    }
    let _ = interview.route(&record);
    let _ = interview.values(&record);
});
