//! Properties over generated questionnaires and answer sequences: `check` never panics, the
//! engine always reaches an end, never asks a question whose filter is false, and going back
//! then forward with the same answers gives the same state.

use proptest::prelude::*;
use questionnaire::expr::{Env, Missing, Value};
use questionnaire::{AnswerInput, Interview, QuotaDecision, Record, State, ViewKind};
use std::collections::BTreeMap;
use std::fmt::Write;

/// One generated question: its type, number of options and an optional filter on an earlier
/// single-choice question (which one, code, equal or different).
#[derive(Debug, Clone)]
struct Spec {
    kind: u8,
    options: i64,
    filter: Option<(usize, i64, bool)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0u8..6,
        2i64..5,
        proptest::option::of((0usize..8, 1i64..5, any::<bool>())),
    )
        .prop_map(|(kind, options, filter)| Spec {
            kind,
            options,
            filter,
        })
}

/// A valid questionnaire: a first section of generated questions, then a randomised section.
fn source(specs: &[Spec], randomised: usize) -> String {
    let mut s = String::from(
        "[survey]\nid = \"gen\"\ntitle = \"G\"\nversion = \"1\"\n\n[closing]\ncompleted = \"Fin.\"\nscreened_out = \"Fin.\"\nrefusal = \"Fin.\"\n\n[[section]]\nid = \"a\"\ntitle = \"A\"\n",
    );
    let mut singles: Vec<(String, i64)> = Vec::new();
    for (n, spec) in specs.iter().enumerate() {
        let var = format!("Q{n}");
        let _ = write!(
            s,
            "\n[[section.question]]\nvar = \"{var}\"\ntext = \"{var} ?\"\n"
        );
        let options = (1..=spec.options)
            .map(|c| format!("{{ code = {c}, label = \"o{c}\" }}"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = match spec.kind {
            0 | 1 => writeln!(s, "type = \"single\"\noptions = [{options}]"),
            2 => writeln!(
                s,
                "type = \"multiple\"\noptions = [{options}]\nrandomize = true"
            ),
            3 => writeln!(s, "type = \"integer\"\nmin = 0\nmax = 10"),
            4 => writeln!(s, "type = \"text\""),
            _ => writeln!(s, "type = \"info\""),
        };
        if let Some((j, code, equal)) = spec.filter
            && !singles.is_empty()
        {
            let (target, n_options) = &singles[j % singles.len()];
            let code = 1 + (code - 1) % n_options;
            let op = if equal { "=" } else { "<>" };
            let _ = writeln!(s, "filter = \"{target} {op} {code}\"");
        }
        if spec.kind <= 1 {
            singles.push((var, spec.options));
        }
    }
    let _ = write!(
        s,
        "\n[[section]]\nid = \"b\"\ntitle = \"B\"\nrandomize = true\n"
    );
    for n in 0..randomised {
        let _ = write!(
            s,
            "\n[[section.question]]\nvar = \"R{n}\"\ntype = \"single\"\ntext = \"R{n} ?\"\noptions = [{{ code = 1, label = \"oui\" }}, {{ code = 2, label = \"non\" }}]\n"
        );
    }
    s
}

/// A valid input for a view, varied by `pick`.
fn valid_input(kind: &ViewKind, options: &[i64], pick: u8, allow_dk: bool) -> AnswerInput {
    if pick.is_multiple_of(7) && allow_dk {
        return AnswerInput::DontKnow;
    }
    let choose = |n: usize| options[pick as usize % n];
    match kind {
        ViewKind::Info => AnswerInput::Continue,
        ViewKind::Single => AnswerInput::Codes {
            codes: vec![choose(options.len())],
            other: BTreeMap::new(),
        },
        ViewKind::Multiple { .. } => AnswerInput::Codes {
            codes: options
                .iter()
                .copied()
                .take(1 + pick as usize % options.len())
                .collect(),
            other: BTreeMap::new(),
        },
        ViewKind::Integer { .. } => AnswerInput::Raw((pick % 11).to_string()),
        _ => AnswerInput::Raw(format!("texte {pick}")),
    }
}

struct Values(BTreeMap<String, Value>);

impl Env for Values {
    fn value(&self, name: &str) -> Value {
        self.0
            .get(name)
            .cloned()
            .unwrap_or(Value::Missing(Missing::NotAsked))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn check_never_panics_on_arbitrary_text(s in "\\PC{0,300}") {
        let _ = questionnaire::check(&s, "x.toml");
    }

    #[test]
    fn check_never_panics_on_arbitrary_bytes(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        let (report, q) = questionnaire::check_bytes(&b, "x.toml");
        prop_assert!(q.is_none() || report.valid);
    }

    #[test]
    fn check_never_panics_on_mutated_questionnaires(
        specs in proptest::collection::vec(spec(), 1..6),
        cut in 0usize..2000,
        insert in "[\\[\\]{}=\"#a-z0-9 \n]{0,6}",
    ) {
        let s = source(&specs, 1);
        let mut at = cut.min(s.len());
        while !s.is_char_boundary(at) { at -= 1; }
        let mutated = format!("{}{}{}", &s[..at], insert, &s[at..]);
        let _ = questionnaire::check(&mutated, "x.toml");
    }

    #[test]
    fn interviews_end_follow_filters_and_replay_identically_after_going_back(
        specs in proptest::collection::vec(spec(), 1..9),
        randomised in 1usize..3,
        picks in proptest::collection::vec(any::<u8>(), 40),
        seed in any::<u64>(),
        back_at in any::<prop::sample::Index>(),
    ) {
        let src = source(&specs, randomised);
        let q = questionnaire::load(&src, "gen.toml").map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
        let preload = BTreeMap::new();
        let i = Interview { questionnaire: &q, preload: &preload, language: "fr" };
        let mut r = Record::new(seed);
        let bound = specs.len() + randomised + 1;
        let mut steps = 0;
        let end = loop {
            let state = i.state(&r);
            let State::Question(view) = state else { break state };
            steps += 1;
            prop_assert!(steps <= bound, "no end after {bound} steps");
            let question = q.question(&view.var).expect("asked variable exists");
            if let Some(filter) = &question.filter {
                prop_assert!(filter.is_true(&Values(i.values(&r))), "{} asked with a false filter", view.var);
            }
            let codes: Vec<i64> = view.options.iter().map(|o| o.code).collect();
            let input = valid_input(&view.kind, &codes, picks[steps % picks.len()], view.allow_dont_know);
            i.submit(&mut r, &view.var, input, false).map_err(|e| TestCaseError::fail(e.to_string()))?;
        };
        prop_assert!(matches!(end, State::Completed { .. }), "ended with {:?}", end);
        // Back to any answered step, then forward with the stored answers: same record, same end.
        let route = i.route(&r);
        let target = route[back_at.index(route.len())].clone();
        let before = r.clone();
        i.back(&mut r, Some(&target)).unwrap();
        while let State::Question(view) = i.state(&r) {
            let current = view.current.clone().expect("revisited steps are prefilled");
            let input = match current {
                questionnaire::Answer::Choice { code, .. } => AnswerInput::Codes { codes: vec![code], other: BTreeMap::new() },
                questionnaire::Answer::Choices { codes, other } => AnswerInput::Codes { codes, other },
                questionnaire::Answer::Integer(n) => AnswerInput::Raw(n.to_string()),
                questionnaire::Answer::Text(t) => AnswerInput::Raw(t),
                questionnaire::Answer::DontKnow => AnswerInput::DontKnow,
                questionnaire::Answer::Refused => AnswerInput::Refused,
                _ => AnswerInput::Continue,
            };
            let removed = i.submit(&mut r, &view.var, input, false).unwrap().removed;
            prop_assert!(removed.is_empty());
        }
        prop_assert_eq!(&r, &before);
        prop_assert_eq!(i.state(&r), end);
        let _ = i.record_quota(&mut r, QuotaDecision::Accepted);
    }
}
