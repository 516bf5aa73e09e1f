//! The weighting hook and the observatory's indicators on a built wave.

#[path = "fixtures/build/common.rs"]
mod common;

use std::collections::BTreeMap;

use common::*;
use exports::build::{
    BuildError, IndicatorsFileError, WeightingSpec, add_weights, evaluate_indicator,
    indicator_table_for_wave, parse_indicators,
};
use exports::dataset::Role;
use exports::indicators::IntervalMethod;
use exports::weighting::io::read_margins;

/// Populations municipales 2023 (in force on 2026-01-01) of Bordeaux and Pessac, from
/// /work/shared/data/bm_populations_legales.csv.
fn populations() -> BTreeMap<String, f64> {
    BTreeMap::from([
        (BORDEAUX.to_owned(), 267_991.0),
        (PESSAC.to_owned(), 67_339.0),
    ])
}

fn indicators_source() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../questionnaires/observatoire.indicators.toml"
    ))
    .unwrap()
}

#[test]
fn weighting_adds_poids_summing_to_the_population_of_each_commune() {
    let q = observatory();
    let mut interviews = six_completed(&q);
    interviews.push(input(&q, "partial", &typical(), Some("FREQ_INTERNET")));
    let mut opts = options("2026-1");
    opts.include_partial = true;
    let mut wave = build(&q, &interviews, &opts);
    let diagnostics = add_weights(&mut wave, &populations(), &WeightingSpec::default()).unwrap();
    assert!(diagnostics.converged);

    let poids = &wave.dataset.variables()[wave.dataset.index_of("POIDS").unwrap()];
    assert_eq!(poids.role, Role::Weight);
    assert_eq!(wave.dataset.variables().last().unwrap().name, "POIDS");
    let weights = numeric(&wave, "POIDS");
    assert!(weights[6].is_nan(), "partial interviews are not weighted");
    let communes = numeric(&wave, "commune_insee");
    let total = |code: f64| -> f64 {
        weights
            .iter()
            .zip(&communes)
            .filter(|(w, c)| **c == code && w.is_finite())
            .map(|(w, _)| w)
            .sum()
    };
    assert!((total(33063.0) - 267_991.0).abs() < 1e-6);
    assert!((total(33318.0) - 67_339.0).abs() < 1e-6);
    assert!((diagnostics.weights.sum - 335_330.0).abs() < 1e-6);
}

#[test]
fn other_margins_come_from_a_weighting_margins_file() {
    let q = observatory();
    let mut wave = build(&q, &six_completed(&q), &options("2026-1"));
    // Synthetic split by sex, not real figures; it totals the two communes' population.
    let margins =
        read_margins("variable,category,target_total\nSEXE,1,160000\nSEXE,2,175330\n".as_bytes())
            .unwrap();
    let spec = WeightingSpec {
        margins,
        ..WeightingSpec::default()
    };
    add_weights(&mut wave, &populations(), &spec).unwrap();
    let weights = numeric(&wave, "POIDS");
    let sexes = numeric(&wave, "SEXE");
    let men: f64 = weights
        .iter()
        .zip(&sexes)
        .filter(|(_, s)| **s == 1.0)
        .map(|(w, _)| w)
        .sum();
    assert!((men - 160_000.0).abs() < 1e-4, "{men}");
    let applied = wave.weighting.as_ref().unwrap();
    assert_eq!(
        applied
            .margins
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["commune_insee", "SEXE"]
    );

    let unknown =
        read_margins("variable,category,target_total\nGENRE,1,335330\n".as_bytes()).unwrap();
    let error = add_weights(
        &mut wave,
        &populations(),
        &WeightingSpec {
            margins: unknown,
            ..WeightingSpec::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(error, BuildError::UnknownMarginVariable { .. }),
        "{error}"
    );
}

#[test]
fn respondents_without_a_commune_cannot_be_weighted() {
    let q = observatory();
    let mut opts = options("2026-1");
    opts.commune_variable = None;
    let mut wave = build(&q, &six_completed(&q), &opts);
    let error = add_weights(&mut wave, &populations(), &WeightingSpec::default()).unwrap_err();
    assert!(matches!(error, BuildError::UnknownCommune { count: 6, .. }));
    assert!(
        error
            .to_string()
            .starts_with("6 répondant(s) sans commune connue ne peuvent pas être pondérés"),
        "{error}"
    );

    let mut wave = build(&q, &six_completed(&q), &options("2026-1"));
    let only_bordeaux = BTreeMap::from([(BORDEAUX.to_owned(), 267_991.0)]);
    let error = add_weights(&mut wave, &only_bordeaux, &WeightingSpec::default()).unwrap_err();
    assert!(
        matches!(error, BuildError::CommuneWithoutPopulation { ref code, .. } if code == PESSAC)
    );
}

#[test]
fn the_indicators_file_type_checks_against_the_questionnaire() {
    let q = observatory();
    let indicators = parse_indicators(&indicators_source(), &q).unwrap();
    assert!((6..=10).contains(&indicators.len()));
    assert_eq!(indicators[0].name, "sans_equipement");
    assert!(indicators.iter().all(|i| !i.label.is_empty()));
}

#[test]
fn invalid_indicators_are_refused_with_the_indicator_named() {
    let q = observatory();
    let file = |body: &str| format!("questionnaire = \"obs-inegalites-numeriques\"\n{body}");
    let unknown_code =
        file("[[indicator]]\nname = \"x\"\nlabel = \"X\"\nexpr = \"has(EQUIP, 9)\"\n");
    let error = parse_indicators(&unknown_code, &q).unwrap_err();
    assert!(matches!(error, IndicatorsFileError::Expression { ref name, .. } if name == "x"));
    assert!(
        error.to_string().contains("9 is not an option of `EQUIP`"),
        "{error}"
    );
    let number = file("[[indicator]]\nname = \"age\"\nlabel = \"Âge\"\nexpr = \"AGE + 1\"\n");
    assert!(
        parse_indicators(&number, &q)
            .unwrap_err()
            .to_string()
            .contains("doit être une condition (vrai/faux), or c'est un nombre")
    );
    let personal =
        file("[[indicator]]\nname = \"p\"\nlabel = \"P\"\nexpr = \"nom_contact = 'x'\"\n");
    assert!(
        parse_indicators(&personal, &q)
            .unwrap_err()
            .to_string()
            .contains("unknown variable")
    );
    let other =
        "questionnaire = \"autre\"\n[[indicator]]\nname = \"x\"\nlabel = \"X\"\nexpr = \"true\"\n";
    assert!(matches!(
        parse_indicators(other, &q),
        Err(IndicatorsFileError::OtherQuestionnaire { .. })
    ));
    let twice = file(
        "[[indicator]]\nname = \"x\"\nlabel = \"X\"\nexpr = \"AIDANT\"\n[[indicator]]\nname = \"x\"\nlabel = \"X\"\nexpr = \"AIDANT\"\n",
    );
    assert!(matches!(
        parse_indicators(&twice, &q),
        Err(IndicatorsFileError::Name { .. })
    ));
}

#[test]
fn an_indicator_whose_inputs_are_missing_has_no_value() {
    let q = observatory();
    let indicators = parse_indicators(&indicators_source(), &q).unwrap();
    let find = |name: &str| indicators.iter().find(|i| i.name == name).unwrap();
    let answers = with(vec![
        ("DIFFICULTE_ADMIN", questionnaire::AnswerInput::DontKnow),
        ("DEM_ADMIN", code(5)),
    ]);
    let wave = build(
        &q,
        &[
            input(&q, "a", &answers, None),
            input(&q, "b", &typical(), None),
        ],
        &options("2026-1"),
    );
    assert_eq!(
        evaluate_indicator(find("difficulte_demarches"), &wave.values[0]),
        None
    );
    assert_eq!(
        evaluate_indicator(find("difficulte_demarches"), &wave.values[1]),
        Some(false)
    );
    // Outside `when` (not concerned): no value.
    assert_eq!(
        evaluate_indicator(find("demarches_non_autonome"), &wave.values[0]),
        None
    );
    assert_eq!(
        evaluate_indicator(find("demarches_non_autonome"), &wave.values[1]),
        Some(false)
    );
    assert_eq!(
        evaluate_indicator(find("sans_equipement"), &wave.values[1]),
        Some(false)
    );
    assert_eq!(
        evaluate_indicator(find("aidant_numerique"), &wave.values[1]),
        Some(true)
    );
}

#[test]
fn the_indicator_table_uses_the_weights_and_the_communes() {
    let q = observatory();
    let indicators = parse_indicators(&indicators_source(), &q).unwrap();
    let mut wave = build(&q, &six_completed(&q), &options("2026-1"));
    add_weights(&mut wave, &populations(), &WeightingSpec::default()).unwrap();
    let rows = indicator_table_for_wave(&wave, &indicators, IntervalMethod::Wald).unwrap();
    assert_eq!(rows.len(), indicators.len() * 3);
    assert_eq!(
        (rows[0].indicateur.as_str(), rows[0].domaine.as_str()),
        ("sans_equipement", "Ensemble")
    );
    assert_eq!(
        (rows[1].code_domaine.as_str(), rows[1].domaine.as_str()),
        (BORDEAUX, "Bordeaux")
    );
    assert_eq!(rows[2].domaine, "Pessac");
    // Only the 67-year-old man of Bordeaux has no device: his weight over the population.
    let weights = numeric(&wave, "POIDS");
    let expected = weights[1] / 335_330.0;
    assert!((rows[0].proportion.unwrap() - expected).abs() < 1e-12);
    assert!(
        (rows[1].proportion.unwrap() - 1.0 / 3.0).abs() < 1e-12,
        "equal weights within a commune"
    );
    assert_eq!(rows[2].proportion, Some(0.0));
    assert_eq!(rows[0].n, 6);
}
