//! Building the analysts' dataset of a wave from the observatory questionnaire and interviews
//! driven through the real engine.

#[path = "fixtures/build/common.rs"]
mod common;

use common::*;
use exports::build::{BuildError, CaseStatus, build_wave};
use exports::dataset::{ColumnRef, Measure, Role, VariableKind, ascii_name, iso_date};
use questionnaire::AnswerInput;

#[test]
fn columns_are_the_id_then_questionnaire_variables_in_order_then_case_information() {
    let q = observatory();
    let wave = build(&q, &six_completed(&q), &options("2026-1"));
    let names: Vec<&str> = wave
        .dataset
        .variables()
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    let mut expected = vec!["id_repondant".to_owned()];
    expected.extend(q.variables().into_iter().map(|v| v.name));
    expected.extend(
        [
            "commune_insee",
            "cellule_quota",
            "dispo_aapor",
            "dispo_libelle",
            "date_entretien",
            "duree_min",
            "nb_appels",
            "id_enqueteur",
        ]
        .map(String::from),
    );
    assert_eq!(names, expected);
    // A multiple choice is one 0/1 column per option plus its "other" text; a grid, one per item.
    for name in [
        "EQUIP_1",
        "EQUIP_7",
        "EQUIP_O6",
        "DEM_ADMIN",
        "DEM_TRANSPORT",
        "INQ_HARCELEMENT",
        "RECOURS_AIDE_9",
    ] {
        assert!(names.contains(&name), "{name} missing");
    }
    assert!(
        !names.contains(&"EQUIP") && !names.contains(&"INTRO") && !names.contains(&"DEMARCHES")
    );
    assert_eq!(wave.dataset.row_count(), 6);
}

#[test]
fn multiple_choice_gives_zero_one_columns_and_other_texts() {
    let q = observatory();
    let answers = with(vec![("EQUIP", other(&[1, 6], 6, "Montre connectée"))]);
    let wave = build(&q, &[input(&q, "a", &answers, None)], &options("2026-1"));
    for (name, value) in [
        ("EQUIP_1", 1.0),
        ("EQUIP_2", 0.0),
        ("EQUIP_3", 0.0),
        ("EQUIP_6", 1.0),
        ("EQUIP_7", 0.0),
    ] {
        assert_eq!(numeric(&wave, name), vec![value], "{name}");
    }
    assert_eq!(texts(&wave, "EQUIP_O6"), vec!["Montre connectée"]);
    let equip_1 = &wave.dataset.variables()[wave.dataset.index_of("EQUIP_1").unwrap()];
    assert_eq!(
        equip_1.value_labels.get(&1).map(String::as_str),
        Some("Oui")
    );
    assert_eq!(
        equip_1.value_labels.get(&0).map(String::as_str),
        Some("Non")
    );
    assert!(
        equip_1
            .label
            .starts_with("Équipements possédés : Un smartphone")
    );
    // No "other" text asked elsewhere: empty.
    assert_eq!(texts(&wave, "TYPE_CONNEXION_O6"), vec![""]);
}

#[test]
fn dont_know_and_refused_are_declared_missing_codes() {
    let q = observatory();
    let answers = with(vec![
        ("DIFFICULTE_ADMIN", AnswerInput::DontKnow),
        ("RECOURS_AIDE", AnswerInput::Refused),
        ("AGE", AnswerInput::Refused),
    ]);
    let wave = build(&q, &[input(&q, "a", &answers, None)], &options("2026-1"));
    let variable =
        |name: &str| wave.dataset.variables()[wave.dataset.index_of(name).unwrap()].clone();

    assert_eq!(numeric(&wave, "DIFFICULTE_ADMIN"), vec![98.0]);
    let difficulte = variable("DIFFICULTE_ADMIN");
    assert_eq!(difficulte.missing_values, vec![98, 99]);
    assert_eq!(
        difficulte.value_labels.get(&98).map(String::as_str),
        Some("Ne sait pas")
    );
    assert_eq!(
        difficulte.value_labels.get(&99).map(String::as_str),
        Some("Refus")
    );
    assert!(difficulte.is_declared_missing(98.0));

    // A multiple choice answered "refused": the code in every 0/1 column, declared missing.
    for k in 1..=9 {
        let name = format!("RECOURS_AIDE_{k}");
        assert_eq!(numeric(&wave, &name), vec![99.0], "{name}");
        assert_eq!(variable(&name).missing_values, vec![98, 99]);
    }

    // An age of 98 or 99 is a valid answer: the codes move to 998/999.
    assert_eq!(numeric(&wave, "AGE"), vec![999.0]);
    assert_eq!(variable("AGE").missing_values, vec![998, 999]);
    assert_eq!(numeric(&wave, "AGE_TRANCHE"), vec![3.0]);
    // Questions without "don't know" declare nothing.
    assert!(variable("CONSENTEMENT").missing_values.is_empty());
}

#[test]
fn questions_off_the_route_are_system_missing() {
    let q = observatory();
    let answers = with(vec![("INTERNET_DOMICILE", code(2)), ("EQUIP", codes(&[3]))]);
    let wave = build(&q, &[input(&q, "a", &answers, None)], &options("2026-1"));
    assert!(numeric(&wave, "TYPE_CONNEXION")[0].is_nan());
    assert!(
        numeric(&wave, "DATA_MOBILE")[0].is_nan(),
        "no smartphone: not asked"
    );
    assert!(
        numeric(&wave, "AGE_TRANCHE")[0].is_nan(),
        "age given: band not asked"
    );
    assert_eq!(texts(&wave, "RENONCEMENT_QUOI"), vec![""]);
    for k in 1..=7 {
        assert!(numeric(&wave, &format!("LIEUX_ATTENTES_{k}"))[0].is_nan());
    }
}

#[test]
fn computed_variables_are_exported_with_their_type() {
    let q = observatory();
    let wave = build(&q, &six_completed(&q), &options("2026-1"));
    assert_eq!(
        numeric(&wave, "AGE_QUOTA"),
        vec![2.0, 4.0, 1.0, 3.0, 2.0, 5.0]
    );
    assert_eq!(
        numeric(&wave, "NB_EQUIP"),
        vec![2.0, 0.0, 2.0, 2.0, 2.0, 2.0]
    );
    assert_eq!(
        numeric(&wave, "ORDINATEUR"),
        vec![1.0, 0.0, 1.0, 1.0, 1.0, 1.0]
    );
    assert_eq!(
        numeric(&wave, "CONNAIT_LIEU"),
        vec![1.0, 1.0, 1.0, 0.0, 1.0, 1.0]
    );
    let variable =
        |name: &str| wave.dataset.variables()[wave.dataset.index_of(name).unwrap()].clone();
    assert_eq!(variable("AGE_QUOTA").kind, VariableKind::Integer);
    assert_eq!(
        variable("ORDINATEUR")
            .value_labels
            .get(&1)
            .map(String::as_str),
        Some("Oui")
    );
    assert_eq!(numeric(&wave, "DIPLOME_AGREGE")[0], 5.0);
}

#[test]
fn computed_codes_declared_with_options_are_labelled_categories() {
    let q = observatory();
    let wave = build(&q, &six_completed(&q), &options("2026-1"));
    let variable =
        |name: &str| wave.dataset.variables()[wave.dataset.index_of(name).unwrap()].clone();
    let age = variable("AGE_QUOTA");
    assert_eq!(age.measure, Measure::Nominal);
    assert_eq!(age.value_labels.len(), 5);
    assert_eq!(age.value_labels[&5], "75 ans ou plus");
    let diploma = variable("DIPLOME_AGREGE");
    assert_eq!(diploma.measure, Measure::Nominal);
    assert_eq!(diploma.value_labels[&6], "Bac + 5 ou plus");
    assert_eq!(
        variable("NB_EQUIP").measure,
        Measure::Scale,
        "no options: a quantity"
    );
    assert!(variable("NB_EQUIP").value_labels.is_empty());
}

#[test]
fn grid_items_are_labelled_with_the_grid_stem_and_the_whole_item() {
    let q = observatory();
    let wave = build(&q, &six_completed(&q), &options("2026-1"));
    let label = |name: &str| {
        wave.dataset.variables()[wave.dataset.index_of(name).unwrap()]
            .label
            .clone()
    };
    assert_eq!(
        label("INQ_DONNEES"),
        "Inquiétudes liées à internet : … le vol de vos données personnelles ou de vos mots de passe ?"
    );
    assert!(label("DEM_ADMIN").starts_with("Autonomie dans les activités en ligne : Faire une"));
}

#[test]
fn dataset_names_and_titles_keep_their_accents() {
    let q = observatory();
    let wave = build(&q, &six_completed(&q), &options("Démonstration"));
    let info = wave.dataset.info();
    assert_eq!(info.name, "obs-inegalites-numeriques-démonstration");
    assert_eq!(
        info.title,
        "Observatoire des inégalités numériques de Bordeaux Métropole, vague Démonstration"
    );
    assert_eq!(
        ascii_name(&info.name),
        "obs-inegalites-numeriques-demonstration"
    );
}

#[test]
fn personal_preload_fields_and_phone_numbers_never_reach_the_dataset() {
    let q = observatory();
    let mut opts = options("2026-1");
    opts.include_preload = true;
    let wave = build(&q, &six_completed(&q), &opts);
    let names: Vec<&str> = wave
        .dataset
        .variables()
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert!(
        names.contains(&"commune_fichier"),
        "non-personal preload exported on request"
    );
    assert!(!names.contains(&"nom_contact"));
    for (variable, column) in wave.dataset.iter_columns() {
        if let ColumnRef::Text(values) = column {
            assert!(
                values.iter().all(|v| !v.contains("Dupont")),
                "{} leaks the contact",
                variable.name
            );
        }
    }
    let default = build(&q, &six_completed(&q), &options("2026-1"));
    assert!(default.dataset.index_of("commune_fichier").is_none());
    // A field the questionnaire leaves public, flagged personal when the sample was loaded.
    opts.personal_preload = vec!["commune_fichier".to_owned()];
    let flagged = build(&q, &six_completed(&q), &opts);
    assert!(flagged.dataset.index_of("commune_fichier").is_none());
}

#[test]
fn respondent_and_interviewer_ids_are_stable_and_depend_on_the_secret() {
    let q = observatory();
    let interviews = six_completed(&q);
    let first = build(&q, &interviews, &options("2026-1"));
    let again = build(&q, &interviews, &options("2026-1"));
    let other = build_wave(
        &q,
        &interviews,
        &options("2026-1"),
        b"another-secret-of-the-survey",
    )
    .unwrap();
    let ids = texts(&first, "id_repondant");
    assert_eq!(ids, texts(&again, "id_repondant"));
    assert!(ids.iter().all(|id| id.len() == 15 && id.starts_with('R')));
    assert!(
        ids.iter()
            .zip(texts(&other, "id_repondant"))
            .all(|(a, b)| *a != b)
    );
    let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), 6);
    assert!(ids.iter().all(|id| !id.contains("case")));
    let interviewers = texts(&first, "id_enqueteur");
    assert!(
        interviewers
            .iter()
            .all(|i| i == &interviewers[0] && i.starts_with('E') && !i.contains("marie"))
    );
    assert_ne!(interviewers[0], texts(&other, "id_enqueteur")[0]);

    assert!(matches!(
        build_wave(&q, &interviews, &options("2026-1"), b"short"),
        Err(BuildError::ShortSecret { .. })
    ));
    let mut twice = interviews.clone();
    twice.push(interviews[0].clone());
    assert!(matches!(
        build_wave(&q, &twice, &options("2026-1"), SECRET),
        Err(BuildError::DuplicateRespondent { .. })
    ));
}

#[test]
fn partial_and_screened_out_interviews_are_included_only_on_request() {
    let q = observatory();
    let mut interviews = six_completed(&q);
    interviews.push(input(&q, "partial", &typical(), Some("FREQ_INTERNET")));
    interviews.push(input(
        &q,
        "refuses",
        &with(vec![("CONSENTEMENT", code(2))]),
        None,
    ));
    assert_eq!(interviews[6].status, CaseStatus::Partial);
    assert_eq!(interviews[7].status, CaseStatus::ScreenedOut);

    let default = build(&q, &interviews, &options("2026-1"));
    assert_eq!(default.dataset.row_count(), 6);

    let mut opts = options("2026-1");
    opts.include_partial = true;
    let with_partial = build(&q, &interviews, &opts);
    assert_eq!(with_partial.dataset.row_count(), 7);
    assert_eq!(numeric(&with_partial, "INTERNET_DOMICILE")[6], 1.0);
    assert!(
        numeric(&with_partial, "FREQ_INTERNET")[6].is_nan(),
        "not reached yet"
    );
    assert_eq!(texts(&with_partial, "dispo_aapor")[6], "1.2");

    opts.include_screened_out = true;
    let everyone = build(&q, &interviews, &opts);
    assert_eq!(everyone.dataset.row_count(), 8);
    assert_eq!(numeric(&everyone, "CONSENTEMENT")[7], 2.0);
    assert!(numeric(&everyone, "COMMUNE")[7].is_nan());
    assert!(numeric(&everyone, "commune_insee")[7].is_nan());
    assert_eq!(everyone.statuses[7], CaseStatus::ScreenedOut);
}

#[test]
fn case_information_follows_the_questionnaire_variables() {
    let q = observatory();
    let mut interviews = six_completed(&q);
    interviews[0].duration_seconds = Some(754);
    let wave = build(&q, &interviews, &options("2026-1"));
    assert_eq!(
        numeric(&wave, "commune_insee"),
        vec![33063.0, 33063.0, 33318.0, 33318.0, 33063.0, 33318.0]
    );
    let commune = &wave.dataset.variables()[wave.dataset.index_of("commune_insee").unwrap()];
    assert_eq!(
        commune.value_labels.get(&33318).map(String::as_str),
        Some("Pessac")
    );
    assert_eq!(texts(&wave, "cellule_quota")[0], "33063|2|3");
    assert_eq!(texts(&wave, "dispo_aapor")[0], "1.1");
    assert_eq!(texts(&wave, "dispo_libelle")[0], "Entretien complet");
    let date = &wave.dataset.variables()[wave.dataset.index_of("date_entretien").unwrap()];
    assert_eq!(date.kind, VariableKind::Date);
    assert_eq!(iso_date(numeric(&wave, "date_entretien")[0]), "2026-11-20");
    assert_eq!(numeric(&wave, "duree_min")[..2], [12.6, 12.5]);
    assert_eq!(numeric(&wave, "nb_appels")[0], 3.0);
    assert!(
        wave.dataset
            .variables()
            .iter()
            .all(|v| v.role == Role::Input),
        "no weight before weighting"
    );
    assert!(wave.dataset.info().title.contains("vague 2026-1"));
}
