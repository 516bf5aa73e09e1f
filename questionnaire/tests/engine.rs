//! The interview engine, specified step by step on `tests/fixtures/small.toml`.

mod common;

use common::{answer, code, codes, current, preload, raw, small};
use questionnaire::expr::Value;
use questionnaire::{
    Answer, AnswerError, AnswerInput, Interview, QuotaDecision, Record, State, ViewKind,
};
use std::collections::BTreeMap;

/// Answers the opening steps up to the quota point: a woman aged `age`.
fn to_quota_point(i: &Interview<'_>, r: &mut Record, age: &str) {
    answer(i, r, "INTRO", AnswerInput::Continue);
    answer(i, r, "SEXE", code(1));
    answer(i, r, "AGE", raw(age));
}

/// Answers from the quota point to the first grid item, with a smartphone.
fn to_grid(i: &Interview<'_>, r: &mut Record) {
    i.record_quota(r, QuotaDecision::Accepted).unwrap();
    answer(i, r, "SMARTPHONE", code(1));
    answer(i, r, "USAGES", codes(&[1, 3]));
    answer(i, r, "HEURES", raw("2,5"));
}

/// Answers whatever is asked until the end, with plausible answers.
fn finish(i: &Interview<'_>, r: &mut Record) -> State {
    for _ in 0..50 {
        let state = i.state(r);
        let State::Question(view) = &state else {
            return state;
        };
        let input = match view.kind {
            ViewKind::Single => code(view.options[0].code),
            ViewKind::Scale { .. } => raw("7"),
            ViewKind::Date { .. } => raw("15/03/2024"),
            ViewKind::Text { .. } => raw("rien"),
            ViewKind::Info => AnswerInput::Continue,
            _ => raw("1"),
        };
        i.submit(r, &view.var.clone(), input, false).unwrap();
    }
    panic!("no end after 50 steps");
}

fn view(i: &Interview<'_>, r: &Record) -> questionnaire::QuestionView {
    match i.state(r) {
        State::Question(v) => v,
        other => panic!("expected a question, got {other:?}"),
    }
}

#[test]
fn info_step_shows_preload_fills_and_continue_moves_on() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(1);
    let v = view(&i, &r);
    assert_eq!(v.var, "INTRO");
    assert_eq!(v.kind, ViewKind::Info);
    assert_eq!(v.text, "Bonjour Mme Durand, vous habitez Pessac ?");
    assert_eq!((v.number, v.can_go_back), (1, false));
    answer(&i, &mut r, "INTRO", AnswerInput::Continue);
    assert_eq!(r.answers["INTRO"], Answer::Seen);
    assert_eq!(current(&i, &r), "SEXE");
}

#[test]
fn fills_show_option_labels_in_the_interview_language() {
    let (q, p) = (small(), preload());
    let mut r = Record::new(1);
    let fr = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    to_quota_point(&fr, &mut r, "34");
    fr.record_quota(&mut r, QuotaDecision::Accepted).unwrap();
    assert_eq!(
        view(&fr, &r).text,
        "Vous, Une femme, avez-vous un smartphone ?"
    );
    let en = Interview {
        language: "en",
        ..fr
    };
    assert_eq!(view(&en, &r).text, "Do you have a smartphone?");
    assert_eq!(view(&en, &r).options[0].label, "Yes");
    assert_eq!(view(&en, &r).section, "Equipment");
}

#[test]
fn unknown_language_falls_back_to_the_primary_one() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "de",
    };
    assert_eq!(
        view(&i, &Record::new(1)).text,
        "Bonjour Mme Durand, vous habitez Pessac ?"
    );
}

#[test]
fn fill_of_a_dont_know_answer_or_missing_preload_shows_an_ellipsis() {
    let q = small();
    let p = BTreeMap::new();
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(1);
    assert_eq!(view(&i, &r).text, "Bonjour …, vous habitez … ?");
    answer(&i, &mut r, "INTRO", AnswerInput::Continue);
    answer(&i, &mut r, "SEXE", AnswerInput::DontKnow);
    answer(&i, &mut r, "AGE", raw("40"));
    // SEXE is "don't know": the quota cell is complete but holds a missing value.
    i.record_quota(&mut r, QuotaDecision::Accepted).unwrap();
    assert_eq!(view(&i, &r).text, "Vous, …, avez-vous un smartphone ?");
}

#[test]
fn refused_is_accepted_only_where_allowed() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(1);
    answer(&i, &mut r, "INTRO", AnswerInput::Continue);
    let v = view(&i, &r);
    assert!(v.allow_dont_know && !v.allow_refused);
    let err = i
        .submit(&mut r, "SEXE", AnswerInput::Refused, false)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "« Refus » n'est pas accepté pour cette question."
    );
    answer(&i, &mut r, "SEXE", code(2));
    answer(&i, &mut r, "AGE", AnswerInput::Refused);
    assert_eq!(r.answers["AGE"], Answer::Refused);
}

#[test]
fn invalid_answers_get_french_messages() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(1);
    answer(&i, &mut r, "INTRO", AnswerInput::Continue);
    let msg =
        |r: &mut Record, var: &str, input| i.submit(r, var, input, false).unwrap_err().to_string();
    assert_eq!(
        msg(&mut r, "SEXE", code(7)),
        "Le code 7 ne fait pas partie des réponses possibles."
    );
    assert_eq!(
        msg(&mut r, "SEXE", codes(&[1, 2])),
        "Veuillez choisir une seule réponse."
    );
    answer(&i, &mut r, "SEXE", code(1));
    assert_eq!(
        msg(&mut r, "AGE", raw("130")),
        "La valeur doit être comprise entre 0 et 120."
    );
    assert_eq!(
        msg(&mut r, "AGE", raw("trente")),
        "Veuillez saisir un nombre entier."
    );
    answer(&i, &mut r, "AGE", raw("40"));
    to_grid_prefix(&i, &mut r);
    assert_eq!(
        msg(&mut r, "USAGES", codes(&[1, 2, 3, 4])),
        "3 réponses au maximum."
    );
    assert_eq!(
        msg(&mut r, "USAGES", codes(&[1, 6])),
        "« Rien de tout cela » ne peut pas être combiné avec une autre réponse."
    );
    assert_eq!(
        msg(&mut r, "USAGES", codes(&[5])),
        "Veuillez préciser la réponse « Autre »."
    );
    let with_other = AnswerInput::Codes {
        codes: vec![2, 5],
        other: BTreeMap::from([(5, "GPS".to_string())]),
    };
    answer(&i, &mut r, "USAGES", with_other);
    assert_eq!(
        r.answers["USAGES"],
        Answer::Choices {
            codes: vec![2, 5],
            other: BTreeMap::from([(5, "GPS".to_string())])
        }
    );
    assert_eq!(
        msg(&mut r, "HEURES", raw("2,55")),
        "Une décimale au maximum."
    );
    assert_eq!(
        msg(&mut r, "HEURES", raw("25")),
        "La valeur doit être comprise entre 0 et 24."
    );
    answer(&i, &mut r, "HEURES", raw("2,5"));
    assert_eq!(r.answers["HEURES"], Answer::Decimal(2.5));
}

/// Quota accepted, smartphone yes: USAGES is asked next.
fn to_grid_prefix(i: &Interview<'_>, r: &mut Record) {
    i.record_quota(r, QuotaDecision::Accepted).unwrap();
    answer(i, r, "SMARTPHONE", code(1));
}

#[test]
fn text_and_date_answers_are_validated() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(1);
    to_quota_point(&i, &mut r, "40");
    i.record_quota(&mut r, QuotaDecision::Accepted).unwrap();
    answer(&i, &mut r, "SMARTPHONE", code(2));
    while current(&i, &r) != "NAISSANCE" {
        let v = view(&i, &r);
        let input = if matches!(v.kind, ViewKind::Scale { .. }) {
            raw("5")
        } else {
            code(1)
        };
        i.submit(&mut r, &v.var, input, false).unwrap();
    }
    let msg =
        |r: &mut Record, var: &str, input| i.submit(r, var, input, false).unwrap_err().to_string();
    assert_eq!(
        msg(&mut r, "NAISSANCE", raw("31/02/2024")),
        "Veuillez saisir une date valide (JJ/MM/AAAA)."
    );
    assert_eq!(
        msg(&mut r, "NAISSANCE", raw("1999-12-31")),
        "La date doit être comprise entre le 01/01/2000 et le 31/12/2030."
    );
    answer(&i, &mut r, "NAISSANCE", raw("05/03/2024"));
    assert_eq!(
        r.answers["NAISSANCE"],
        Answer::Date(questionnaire::date::Date::parse("2024-03-05").unwrap())
    );
    assert_eq!(
        msg(&mut r, "COMMENTAIRE", raw("  ")),
        "Veuillez saisir une réponse."
    );
    assert_eq!(
        msg(
            &mut r,
            "COMMENTAIRE",
            raw("une réponse beaucoup trop longue")
        ),
        "La réponse ne doit pas dépasser 20 caractères."
    );
}

#[test]
fn hard_check_blocks_and_soft_check_needs_confirmation() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(1);
    answer(&i, &mut r, "INTRO", AnswerInput::Continue);
    answer(&i, &mut r, "SEXE", code(1));
    assert_eq!(
        i.submit(&mut r, "AGE", raw("3"), false),
        Err(AnswerError::HardCheck("Âge improbable.".into()))
    );
    assert_eq!(
        i.submit(&mut r, "AGE", raw("3"), true),
        Err(AnswerError::HardCheck("Âge improbable.".into()))
    );
    assert_eq!(
        i.submit(&mut r, "AGE", raw("105"), false),
        Err(AnswerError::SoftCheck("Plus de 100 ans, vraiment ?".into()))
    );
    assert!(!r.answers.contains_key("AGE"));
    i.submit(&mut r, "AGE", raw("105"), true).unwrap();
    assert_eq!(r.answers["AGE"], Answer::Integer(105));
    assert!(r.confirmed.contains("AGE"));
}

#[test]
fn checks_are_not_applied_to_dont_know() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(1);
    answer(&i, &mut r, "INTRO", AnswerInput::Continue);
    answer(&i, &mut r, "SEXE", code(1));
    answer(&i, &mut r, "AGE", AnswerInput::DontKnow);
}

#[test]
fn screen_out_rule_ends_the_interview_with_its_reason() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(1);
    to_quota_point(&i, &mut r, "12");
    assert_eq!(
        i.state(&r),
        State::ScreenedOut {
            reason: "moins de 15 ans".into(),
            closing: "Merci, nous ne pouvons pas poursuivre.".into()
        }
    );
    assert_eq!(
        i.submit(&mut r, "SMARTPHONE", code(1), false),
        Err(AnswerError::Finished)
    );
}

#[test]
fn quota_point_comes_once_quota_variables_including_computed_ones_have_values() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(1);
    answer(&i, &mut r, "INTRO", AnswerInput::Continue);
    assert_eq!(
        i.record_quota(&mut r, QuotaDecision::Accepted),
        Err(AnswerError::NotCurrent {
            expected: Some("SEXE".into())
        })
    );
    answer(&i, &mut r, "SEXE", code(1));
    answer(&i, &mut r, "AGE", raw("60"));
    let cell = BTreeMap::from([
        (
            "SEXE".to_string(),
            Answer::Choice {
                code: 1,
                other: None,
            },
        ),
        ("AGE_CLASSE".to_string(), Answer::Integer(1)),
    ]);
    assert_eq!(i.state(&r), State::QuotaPoint { cell });
    assert_eq!(
        i.submit(&mut r, "SMARTPHONE", code(1), false),
        Err(AnswerError::NotCurrent { expected: None })
    );
    let mut refused = r.clone();
    i.record_quota(&mut refused, QuotaDecision::Refused)
        .unwrap();
    assert!(matches!(i.state(&refused), State::ScreenedOut { reason, .. } if reason == "quota"));
    i.record_quota(&mut r, QuotaDecision::Accepted).unwrap();
    assert_eq!(current(&i, &r), "SMARTPHONE");
}

#[test]
fn changing_a_quota_variable_after_the_decision_brings_the_quota_point_back() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(1);
    to_quota_point(&i, &mut r, "60");
    i.record_quota(&mut r, QuotaDecision::Accepted).unwrap();
    i.back(&mut r, Some("AGE")).unwrap();
    answer(&i, &mut r, "AGE", raw("30"));
    assert_eq!(r.quota, None);
    assert!(matches!(i.state(&r), State::QuotaPoint { .. }));
}

#[test]
fn filter_false_skips_questions_and_grid_items() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(7);
    to_quota_point(&i, &mut r, "40");
    i.record_quota(&mut r, QuotaDecision::Accepted).unwrap();
    answer(&i, &mut r, "SMARTPHONE", code(2));
    let v = view(&i, &r);
    assert!(
        v.var.starts_with("AIS_"),
        "USAGES and HEURES skipped, got {}",
        v.var
    );
    let state = finish(&i, &mut r);
    assert!(matches!(state, State::Completed { .. }));
    let route = i.route(&r);
    for skipped in ["USAGES", "HEURES", "AIS_VISIO"] {
        assert!(!route.contains(&skipped.to_string()), "{skipped} asked");
    }
}

#[test]
fn grid_items_are_asked_one_by_one_with_the_grid_text_as_header() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(3);
    to_quota_point(&i, &mut r, "40");
    to_grid(&i, &mut r);
    let mut seen = Vec::new();
    for _ in 0..3 {
        let v = view(&i, &r);
        assert_eq!(
            v.header.as_deref(),
            Some("Êtes-vous à l'aise pour… (40 ans)")
        );
        assert_eq!(v.kind, ViewKind::Single);
        assert_eq!(
            v.options.iter().map(|o| o.code).collect::<Vec<_>>(),
            vec![1, 2]
        );
        i.submit(&mut r, &v.var, code(1), false).unwrap();
        seen.push(v.var);
    }
    seen.sort();
    assert_eq!(seen, vec!["AIS_DEMARCHE", "AIS_MAIL", "AIS_VISIO"]);
    assert_eq!(current(&i, &r), "SATISF");
}

#[test]
fn randomised_orders_are_reproducible_from_the_seed_and_anchors_stay() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let usages_order = |seed| {
        let mut r = Record::new(seed);
        to_quota_point(&i, &mut r, "40");
        i.record_quota(&mut r, QuotaDecision::Accepted).unwrap();
        answer(&i, &mut r, "SMARTPHONE", code(1));
        view(&i, &r)
            .options
            .iter()
            .map(|o| o.code)
            .collect::<Vec<_>>()
    };
    let first = usages_order(11);
    assert_eq!(first, usages_order(11));
    assert_eq!(&first[4..], &[5, 6], "anchored options keep their place");
    assert!(
        (0..20).any(|s| usages_order(s) != first),
        "the order depends on the seed"
    );
    let opinions_first = |seed| {
        let mut r = Record::new(seed);
        to_quota_point(&i, &mut r, "40");
        to_grid(&i, &mut r);
        while current(&i, &r).starts_with("AIS_") || current(&i, &r) == "SATISF" {
            let v = current(&i, &r);
            let input = if v == "SATISF" { raw("5") } else { code(1) };
            i.submit(&mut r, &v, input, false).unwrap();
        }
        current(&i, &r)
    };
    let firsts: std::collections::BTreeSet<String> = (0..12).map(opinions_first).collect();
    assert_eq!(firsts.len(), 2, "either opinion question may come first");
}

#[test]
fn going_back_shows_the_stored_answer_and_changing_it_prunes_the_route() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(5);
    to_quota_point(&i, &mut r, "40");
    to_grid(&i, &mut r);
    i.back(&mut r, Some("SMARTPHONE")).unwrap();
    let v = view(&i, &r);
    assert_eq!(v.var, "SMARTPHONE");
    assert_eq!(
        v.current,
        Some(Answer::Choice {
            code: 1,
            other: None
        })
    );
    assert_eq!(v.number, 4, "INTRO, SEXE, AGE come before");
    let removed = answer(&i, &mut r, "SMARTPHONE", code(2));
    assert_eq!(removed, vec!["USAGES", "HEURES"]);
    assert!(!r.answers.contains_key("USAGES"));
    assert_eq!(r.position, None);
    assert!(current(&i, &r).starts_with("AIS_"));
}

#[test]
fn resubmitting_a_revisited_step_moves_to_the_next_answered_step_prefilled() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(5);
    to_quota_point(&i, &mut r, "40");
    to_grid(&i, &mut r);
    i.back(&mut r, None).unwrap();
    assert_eq!(current(&i, &r), "HEURES");
    i.back(&mut r, Some("SEXE")).unwrap();
    assert!(view(&i, &r).can_go_back);
    answer(&i, &mut r, "SEXE", code(1));
    assert_eq!(r.position.as_deref(), Some("AGE"));
    assert_eq!(view(&i, &r).current, Some(Answer::Integer(40)));
    assert_eq!(
        i.back(&mut r, Some("COMMENTAIRE")),
        Err(AnswerError::NotOnRoute("COMMENTAIRE".into()))
    );
    assert_eq!(
        i.back(&mut Record::new(5), None),
        Err(AnswerError::NoPreviousStep)
    );
}

#[test]
fn submitting_another_step_than_the_current_one_is_refused() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(1);
    assert_eq!(
        i.submit(&mut r, "AGE", raw("40"), false),
        Err(AnswerError::NotCurrent {
            expected: Some("INTRO".into())
        })
    );
}

#[test]
fn completing_reads_the_closing_text_with_fills() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(9);
    to_quota_point(&i, &mut r, "40");
    to_grid(&i, &mut r);
    assert_eq!(
        finish(&i, &mut r),
        State::Completed {
            closing: "Merci Mme Durand !".into()
        }
    );
    assert_eq!(
        i.submit(&mut r, "COMMENTAIRE", raw("x"), false),
        Err(AnswerError::Finished)
    );
    let values = i.values(&r);
    assert_eq!(values["AGE_CLASSE"], Value::Bool(false));
    assert_eq!(values["HEURES"], Value::Number(2.5));
    assert!(!values.contains_key("INTRO"), "info steps have no value");
}

#[test]
fn an_interview_resumes_from_its_json_record() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(u64::MAX);
    to_quota_point(&i, &mut r, "40");
    to_grid(&i, &mut r);
    let item = current(&i, &r);
    i.submit(&mut r, &item, AnswerInput::DontKnow, false)
        .unwrap();
    i.back(&mut r, Some("USAGES")).unwrap();
    let json = serde_json::to_string(&r).unwrap();
    let resumed: Record = serde_json::from_str(&json).unwrap();
    assert_eq!(resumed, r);
    assert_eq!(i.state(&resumed), i.state(&r));
    let answer: Answer = serde_json::from_str(r#"{"date": "2024-02-29"}"#).unwrap();
    assert_eq!(
        serde_json::to_string(&answer).unwrap(),
        r#"{"date":"2024-02-29"}"#
    );
    assert!(serde_json::from_str::<Answer>(r#"{"date": "2023-02-29"}"#).is_err());
}

#[test]
fn a_confirmed_soft_warning_is_not_asked_again_when_the_same_answer_is_resubmitted() {
    let (q, p) = (small(), preload());
    let i = Interview {
        questionnaire: &q,
        preload: &p,
        language: "fr",
    };
    let mut r = Record::new(1);
    answer(&i, &mut r, "INTRO", AnswerInput::Continue);
    answer(&i, &mut r, "SEXE", code(1));
    i.submit(&mut r, "AGE", raw("105"), true).unwrap();
    i.back(&mut r, Some("AGE")).unwrap();
    i.submit(&mut r, "AGE", raw("105"), false).unwrap();
    i.back(&mut r, Some("AGE")).unwrap();
    assert!(matches!(
        i.submit(&mut r, "AGE", raw("104"), false),
        Err(AnswerError::SoftCheck(_))
    ));
}

#[test]
fn exported_variables_follow_the_questionnaire_with_generated_names() {
    let q = small();
    let names: Vec<String> = q.variables().into_iter().map(|v| v.name).collect();
    assert_eq!(
        names,
        [
            "SEXE",
            "AGE",
            "AGE_CLASSE",
            "SMARTPHONE",
            "USAGES_1",
            "USAGES_2",
            "USAGES_3",
            "USAGES_4",
            "USAGES_5",
            "USAGES_6",
            "USAGES_O5",
            "HEURES",
            "AIS_MAIL",
            "AIS_VISIO",
            "AIS_DEMARCHE",
            "SATISF",
            "OP_A",
            "OP_B",
            "NAISSANCE",
            "COMMENTAIRE",
        ]
    );
    let visio = q
        .variables()
        .into_iter()
        .find(|v| v.name == "AIS_VISIO")
        .unwrap();
    assert_eq!(visio.question, "AISANCE");
    assert_eq!(visio.filter.as_deref(), Some("SMARTPHONE = 1"));
    assert_eq!(
        visio.value_labels,
        vec![(1, "Oui".to_string()), (2, "Non".to_string())]
    );
    let (report, _) = questionnaire::check(
        &std::fs::read_to_string("tests/fixtures/small.toml").unwrap(),
        "small.toml",
    );
    assert_eq!((report.questions, report.variables), (13, names.len()));
}
