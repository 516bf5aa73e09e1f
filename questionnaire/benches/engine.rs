//! `cargo bench -p questionnaire`: time to load and check a questionnaire, and time of one
//! engine step (state + submit) in the middle of an interview. Prints median and p99.
//!
//! Uses `../questionnaires/observatoire.toml` when it exists and is valid, else the test fixture
//! `tests/fixtures/small.toml` (the output says which).

use questionnaire::{AnswerInput, Interview, Preload, QuotaDecision, Record, State, ViewKind};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() {
    let (name, source) = questionnaire_source();
    let samples = time(200, || {
        black_box(questionnaire::check(black_box(&source), "bench.toml"));
    });
    print("load + check", &name, &samples);

    let q = questionnaire::load(&source, &name).expect("valid questionnaire");
    let preload: Preload = q
        .preload_fields()
        .iter()
        .map(|f| (f.name.clone(), "Pessac".to_string()))
        .collect();
    let i = Interview {
        questionnaire: &q,
        preload: &preload,
        language: "fr",
    };
    let mut record = Record::new(42);
    let answered = advance(&i, &mut record, 20);
    let State::Question(view) = i.state(&record) else {
        println!("engine step: the interview ended after {answered} steps; nothing to time");
        return;
    };
    let input = input_for(&view);
    let var = view.var.clone();
    let samples = time(5000, || {
        let state = i.state(black_box(&record));
        black_box(&state);
        let submitted = i.submit(&mut record, &var, input.clone(), true);
        assert!(black_box(submitted).is_ok());
        // Undo, so every sample times the same step.
        record.answers.remove(&var);
        record.position = None;
    });
    print(
        &format!(
            "engine step (state + submit) at step {} ({var})",
            answered + 1
        ),
        &name,
        &samples,
    );
}

fn questionnaire_source() -> (String, String) {
    let path = "../questionnaires/observatoire.toml";
    if let Ok(source) = std::fs::read_to_string(path)
        && questionnaire::check(&source, path).0.valid
    {
        return (path.to_string(), source);
    }
    let fallback = "tests/fixtures/small.toml";
    let source = std::fs::read_to_string(fallback).expect("fixture");
    (
        format!("{fallback} (observatoire.toml absent or invalid)"),
        source,
    )
}

/// Answers up to `steps` steps with plausible answers (quota accepted); returns how many.
fn advance(i: &Interview<'_>, r: &mut Record, steps: usize) -> usize {
    let mut done = 0;
    while done < steps {
        match i.state(r) {
            State::QuotaPoint { .. } => i
                .record_quota(r, QuotaDecision::Accepted)
                .expect("quota point"),
            State::Question(view) => {
                let ok = i.submit(r, &view.var, input_for(&view), true).is_ok()
                    || i.submit(r, &view.var, AnswerInput::DontKnow, true).is_ok();
                assert!(ok, "cannot answer {}", view.var);
                done += 1;
            }
            _ => break,
        }
    }
    done
}

fn input_for(view: &questionnaire::QuestionView) -> AnswerInput {
    let first = || AnswerInput::Codes {
        codes: view.options.first().map(|o| o.code).into_iter().collect(),
        other: BTreeMap::new(),
    };
    let clamp =
        |v: i64, min: Option<i64>, max: Option<i64>| v.max(min.unwrap_or(v)).min(max.unwrap_or(v));
    match &view.kind {
        ViewKind::Single | ViewKind::Multiple { .. } => first(),
        ViewKind::Integer { min, max } => AnswerInput::Raw(clamp(40, *min, *max).to_string()),
        ViewKind::Scale { min, .. } => AnswerInput::Raw(min.to_string()),
        ViewKind::Decimal { min, .. } => AnswerInput::Raw(min.unwrap_or(1.0).to_string()),
        ViewKind::Date { min, .. } => {
            AnswerInput::Raw(min.map_or("2024-01-01".to_string(), |d| d.to_string()))
        }
        ViewKind::Text { .. } => AnswerInput::Raw("réponse".into()),
        ViewKind::Info => AnswerInput::Continue,
    }
}

fn time(n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    for _ in 0..n / 10 {
        f();
    }
    let mut samples: Vec<Duration> = (0..n)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    samples.sort_unstable();
    samples
}

fn print(what: &str, file: &str, samples: &[Duration]) {
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what} [{file}]: median {:.1} µs, p99 {:.1} µs ({} samples)",
        at(0.5).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        samples.len()
    );
}
