//! Input problems are reported before iterating, with the margin and category at fault.

use exports::weighting::{Bounds, Margin, Method, Options, Respondents, WeightError, weight};

/// Ten respondents: commune a (6) / b (4), sex F / H.
fn sample() -> Respondents {
    let commune = ["a", "a", "a", "a", "a", "a", "b", "b", "b", "b"];
    let sexe = ["F", "H", "F", "H", "F", "H", "F", "H", "F", "F"];
    let mut respondents = Respondents::new(10);
    respondents.add_variable("commune", &commune).unwrap();
    respondents.add_variable("sexe", &sexe).unwrap();
    respondents
}

fn commune(a: f64, b: f64) -> Margin {
    Margin::one_way("commune", [("a", a), ("b", b)])
}

fn sexe(f: f64, h: f64) -> Margin {
    Margin::one_way("sexe", [("F", f), ("H", h)])
}

fn raking() -> Options {
    Options::new(Method::Raking)
}

#[test]
fn margin_on_unknown_variable_names_the_variable_and_lists_the_known_ones() {
    let margins = [
        commune(60.0, 40.0),
        Margin::one_way("age", [("15-29", 100.0)]),
    ];
    let error = weight(&sample(), &margins, &raking()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "la marge « age » utilise la variable « age », qui n'est pas une variable des répondants \
         (variables : commune, sexe)"
    );
}

#[test]
fn respondent_category_missing_from_margins_is_reported_with_its_count() {
    let margins = [Margin::one_way("commune", [("a", 100.0)])];
    let error = weight(&sample(), &margins, &raking()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "la modalité « b » de la marge « commune » compte 4 répondant(s) (par exemple le répondant \
         de rang 6 (compté à partir de 0)) mais n'a pas de cible dans les marges : ajoutez sa cible \
         ou recodez ces répondants"
    );
}

#[test]
fn margins_with_different_totals_report_both_totals() {
    let margins = [commune(60.0, 40.0), sexe(50.0, 45.0)];
    let error = weight(&sample(), &margins, &raking()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "les marges ne concordent pas : « commune » totalise 100 mais « sexe » totalise 95 ; les \
         marges doivent avoir le même total"
    );
}

#[test]
fn crossed_margin_disagreeing_with_a_one_way_subtotal_names_the_category() {
    let crossed = Margin::crossed(
        vec!["commune".into(), "sexe".into()],
        vec![
            (vec!["a".into(), "F".into()], 30.0),
            (vec!["a".into(), "H".into()], 35.0),
            (vec!["b".into(), "F".into()], 20.0),
            (vec!["b".into(), "H".into()], 15.0),
        ],
    );
    let error = weight(&sample(), &[commune(60.0, 40.0), crossed], &raking()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "les marges ne concordent pas : « commune » totalise 60 mais « commune:sexe » totalise 65 \
         pour commune = « a » ; les marges doivent avoir le même total"
    );
}

#[test]
fn empty_crossed_cell_suggests_categories_differing_in_one_variable() {
    let mut respondents = Respondents::new(4);
    respondents
        .add_variable("commune", &["a", "a", "b", "b"])
        .unwrap();
    respondents
        .add_variable("sexe", &["F", "H", "F", "F"])
        .unwrap();
    let crossed = Margin::crossed(
        vec!["commune".into(), "sexe".into()],
        vec![
            (vec!["a".into(), "F".into()], 30.0),
            (vec!["a".into(), "H".into()], 30.0),
            (vec!["b".into(), "F".into()], 20.0),
            (vec!["b".into(), "H".into()], 20.0),
        ],
    );
    let error = weight(&respondents, &[crossed], &raking()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "1 modalité de marge a une cible positive mais aucun répondant (le calage ne peut pas \
         converger) :\n  marge « commune:sexe », modalité « b:H » (cible 20) : regroupez-la avec une \
         modalité qui ne diffère que par une variable (« a:H » (1 répondant), « b:F » (2 \
         répondants)), ou remplacez la marge croisée « commune:sexe » par des marges simples"
    );
}

#[test]
fn empty_one_way_category_suggests_its_neighbours_and_the_smallest_category() {
    let mut respondents = Respondents::new(5);
    respondents
        .add_variable("age", &["15-29", "15-29", "45-59", "45-59", "60+"])
        .unwrap();
    let margin = Margin::one_way(
        "age",
        [
            ("15-29", 30.0),
            ("30-44", 25.0),
            ("45-59", 25.0),
            ("60+", 20.0),
        ],
    );
    let WeightError::EmptyCells(cells) = weight(&respondents, &[margin], &raking()).unwrap_err()
    else {
        panic!("expected an empty cell");
    };
    assert_eq!(
        cells[0].suggestion,
        "regroupez-la avec une modalité voisine dans le fichier (« 15-29 » (2 répondants) ou \
         « 45-59 » (2 répondants)), ou avec la plus petite autre modalité, « 60+ » (1 répondant)"
    );
}

#[test]
fn zero_target_with_respondents_is_rejected() {
    let margins = [commune(100.0, 0.0)];
    let error = weight(&sample(), &margins, &raking()).unwrap_err();
    assert!(matches!(
        error,
        WeightError::ZeroTargetWithRespondents { respondents: 4, .. }
    ));
}

#[test]
fn zero_target_without_respondents_is_ignored() {
    let margin = Margin::one_way("commune", [("a", 60.0), ("b", 40.0), ("c", 0.0)]);
    let weighting = weight(&sample(), &[margin], &raking()).unwrap();
    assert!((weighting.weights[0] - 10.0).abs() < 1e-12);
}

#[test]
fn logit_without_bounds_and_raking_with_bounds_are_refused() {
    assert!(matches!(
        Method::from_name("logit", None),
        Err(WeightError::Bounds(_))
    ));
    let bounds = "0.5,2".parse::<Bounds>().ok();
    assert!(matches!(
        Method::from_name("raking", bounds),
        Err(WeightError::Bounds(_))
    ));
    assert!(matches!(
        Method::from_name("logit", "2,3".parse().ok()),
        Err(WeightError::Bounds(_))
    ));
    assert!(matches!(
        Method::from_name("ipf", None),
        Err(WeightError::InvalidOption(_))
    ));
    assert!("0.5".parse::<Bounds>().is_err());
}

#[test]
fn bounds_that_a_category_cannot_meet_are_rejected_before_iterating() {
    // Commune a: g = 1 on average; commune b: 4 respondents for a target of 40, g = 10.
    let method = Method::from_name("truncated", Some("0.5,2".parse().unwrap())).unwrap();
    let error = weight(&sample(), &[commune(6.0, 40.0)], &Options::new(method)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "les bornes [0.5 ; 2] ne peuvent pas être respectées : la modalité « b » de la marge \
         « commune » demande un ajustement moyen de 10.0000 (cible / somme des poids initiaux de \
         ses répondants) ; élargissez les bornes ou regroupez cette modalité"
    );
}

#[test]
fn poststratification_needs_exactly_one_margin() {
    let margins = [commune(60.0, 40.0), sexe(50.0, 50.0)];
    let error = weight(
        &sample(),
        &margins,
        &Options::new(Method::PostStratification),
    )
    .unwrap_err();
    assert!(matches!(error, WeightError::PostStratificationMargins(2)));
}

#[test]
fn invalid_base_weight_names_the_respondent() {
    let mut respondents = sample();
    respondents
        .set_ids((1..=10).map(|i| format!("r{i}")).collect())
        .unwrap();
    let mut weights = vec![1.0; 10];
    weights[3] = 0.0;
    let error = respondents.set_base_weights(weights).unwrap_err();
    assert_eq!(
        error.to_string(),
        "le poids initial du répondant « r4 » vaut 0 : les poids initiaux doivent être des nombres \
         finis strictement positifs"
    );
}

#[test]
fn duplicate_category_in_a_margin_is_rejected() {
    let margin = Margin::one_way("commune", [("a", 60.0), ("a", 40.0)]);
    let error = weight(&sample(), &[margin], &raking()).unwrap_err();
    assert!(matches!(error, WeightError::DuplicateCategory { .. }));
}

#[test]
fn non_convergence_is_an_error_carrying_the_last_weights_and_the_worst_margin() {
    let options = Options {
        max_iterations: Some(1),
        ..raking()
    };
    let margins = [commune(50.0, 50.0), sexe(70.0, 30.0)];
    let error = weight(&sample(), &margins, &options).unwrap_err();
    let WeightError::NotConverged {
        iterations,
        margin,
        partial,
        relative_error,
        ..
    } = error
    else {
        panic!("expected NotConverged");
    };
    assert_eq!(iterations, 1);
    assert_eq!(margin, "commune");
    assert!(relative_error > 1e-3);
    assert!(!partial.diagnostics.converged);
    assert_eq!(partial.weights.len(), 10);
}

#[test]
fn infeasible_logit_bounds_end_as_not_converged() {
    // Every category alone is reachable within [0.9, 1.2] (ratios 1, 1, 1.09, 0.91), but
    // g(a,c) would need to lie in [0.98, 1.01] for x and in [1.08, 1.11] for y.
    let mut respondents = Respondents::new(4);
    respondents
        .add_variable("x", &["a", "a", "b", "b"])
        .unwrap();
    respondents
        .add_variable("y", &["c", "d", "c", "d"])
        .unwrap();
    respondents
        .set_base_weights(vec![10.0, 1.0, 1.0, 10.0])
        .unwrap();
    let margins = [
        Margin::one_way("x", [("a", 11.0), ("b", 11.0)]),
        Margin::one_way("y", [("c", 12.0), ("d", 10.0)]),
    ];
    let method = Method::from_name("logit", Some("0.9,1.2".parse().unwrap())).unwrap();
    let error = weight(&respondents, &margins, &Options::new(method)).unwrap_err();
    assert!(matches!(error, WeightError::NotConverged { .. }), "{error}");
}

#[test]
fn coded_variable_with_a_code_outside_its_categories_is_rejected() {
    let mut respondents = Respondents::new(2);
    let error = respondents
        .add_coded_variable("sexe", vec!["F".into(), "H".into()], vec![0, 2])
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "la variable « sexe » a le code 2 mais seulement 2 modalité(s), codées à partir de 0"
    );
}
