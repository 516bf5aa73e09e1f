//! The CSV entry point of `cati weight`: file formats, line numbers in errors, output.

use exports::weighting::io::{RunOptions, read_margins, run, write_weights};
use exports::weighting::{Method, WeightError};

const MARGINS: &str = "variable,category,target_total\n\
                       commune:sexe,a:F,30\ncommune:sexe,a:H,30\n\
                       commune:sexe,b:F,20\ncommune:sexe,b:H,20\n";

fn raking() -> RunOptions {
    RunOptions::new(Method::Raking)
}

#[test]
fn crossed_margin_rows_give_id_weight_pairs_in_file_order() {
    let respondents = "id,commune,sexe,autre\n\
                       r1,a,F,x\nr2,a,H,y\nr3,a,H,z\nr4,b,F,x\nr5,b,H,x\n";
    let (weights, diagnostics) =
        run(respondents.as_bytes(), MARGINS.as_bytes(), &raking()).unwrap();
    let expected = [
        ("r1", 30.0),
        ("r2", 15.0),
        ("r3", 15.0),
        ("r4", 20.0),
        ("r5", 20.0),
    ];
    for ((id, w), (eid, ew)) in weights.iter().zip(expected) {
        assert_eq!(id, eid);
        assert!((w - ew).abs() < 1e-9, "{id}: {w}");
    }
    assert!(diagnostics.converged);
}

#[test]
fn base_weight_column_is_used_as_design_weight() {
    let respondents = "id,commune,sexe,pb\nr1,a,F,1\nr2,a,H,1\nr3,a,H,3\nr4,b,F,2\nr5,b,H,2\n";
    let options = RunOptions {
        base_weight: Some("pb".to_owned()),
        ..raking()
    };
    let (weights, _) = run(respondents.as_bytes(), MARGINS.as_bytes(), &options).unwrap();
    // a:H has base weights 1 and 3 for a target of 30.
    assert!((weights[1].1 - 7.5).abs() < 1e-9);
    assert!((weights[2].1 - 22.5).abs() < 1e-9);
}

#[test]
fn semicolon_files_weigh_as_their_comma_twins() {
    let respondents = "id,commune,sexe,pb\nr1,a,F,1\nr2,a,H,1.5\nr3,a,H,3\nr4,b,F,2\nr5,b,H,2\n";
    let options = RunOptions {
        base_weight: Some("pb".to_owned()),
        ..raking()
    };
    let (expected, _) = run(respondents.as_bytes(), MARGINS.as_bytes(), &options).unwrap();
    let semicolons = |text: &str| text.replace(',', ";").replace("1.5", "1,5");
    let (weights, _) = run(
        semicolons(respondents).as_bytes(),
        semicolons(MARGINS).as_bytes(),
        &options,
    )
    .unwrap();
    assert_eq!(weights, expected);
}

#[test]
fn a_margins_error_names_the_file_and_line_in_french() {
    let margins = "variable;category;target_total\nsexe;F;30\nsexe;H;-2\n";
    let error = read_margins(margins.as_bytes()).unwrap_err();
    assert!(matches!(
        error,
        WeightError::Csv {
            file: exports::weighting::MARGINS_FILE,
            line: 3,
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "fichier des marges, ligne 3 : la cible target_total vaut -2 : elle doit être finie, \
         positive ou nulle"
    );
}

#[test]
fn duplicate_respondent_id_names_both_lines() {
    let respondents = "id,commune,sexe\nr1,a,F\nr2,a,H\nr1,b,F\n";
    let error = run(respondents.as_bytes(), MARGINS.as_bytes(), &raking()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "fichier des répondants, ligne 4 : identifiant « r1 » déjà utilisé ligne 2"
    );
}

#[test]
fn empty_weighting_value_names_its_line_and_variable() {
    let respondents = "id,commune,sexe\nr1,a,F\nr2,,H\n";
    let error = run(respondents.as_bytes(), MARGINS.as_bytes(), &raking()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "fichier des répondants, ligne 3 : valeur vide pour la variable de pondération « commune » \
         (répondant « r2 »)"
    );
}

#[test]
fn row_with_missing_fields_names_its_line() {
    let respondents = "id,commune,sexe\nr1,a,F\nr2,a\n";
    let error = run(respondents.as_bytes(), MARGINS.as_bytes(), &raking()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "fichier des répondants, ligne 3 : la ligne a 2 champ(s) alors que l'en-tête en a 3"
    );
}

#[test]
fn crossed_category_with_wrong_number_of_parts_names_its_line() {
    let margins = "variable,category,target_total\ncommune:sexe,a:F,30\ncommune:sexe,a,30\n";
    let error = read_margins(margins.as_bytes()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "fichier des marges, ligne 3 : la modalité « a » a 1 partie(s) mais la marge \
         « commune:sexe » croise 2 variable(s) : écrivez une partie par variable, séparées par « : »"
    );
}

#[test]
fn repeated_margin_category_names_both_lines() {
    let margins = "variable,category,target_total\nsexe,F,30\nsexe,H,30\nsexe,F,1\n";
    let error = read_margins(margins.as_bytes()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "fichier des marges, ligne 4 : la modalité « F » de la marge « sexe » est déjà donnée ligne 2"
    );
}

#[test]
fn respondent_category_absent_from_margins_names_an_example_respondent() {
    let respondents = "id,commune,sexe\nr1,a,F\nr2,a,H\nr3,b,F\nr4,b,H\nr5,c,H\n";
    let error = run(respondents.as_bytes(), MARGINS.as_bytes(), &raking()).unwrap_err();
    assert!(matches!(error, WeightError::CategoryWithoutTarget { .. }));
    assert_eq!(
        error.to_string(),
        "la modalité « c:H » de la marge « commune:sexe » compte 1 répondant(s) (par exemple le \
         répondant « r5 ») mais n'a pas de cible dans les marges : ajoutez sa cible ou recodez ces \
         répondants"
    );
}

#[test]
fn weights_are_written_as_id_weight_with_full_precision() {
    let mut out = Vec::new();
    write_weights(
        &mut out,
        &[("r1".to_owned(), 0.1 + 0.2), ("r,2".to_owned(), 12.0)],
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "id,weight\nr1,0.30000000000000004\n\"r,2\",12\n"
    );
}
