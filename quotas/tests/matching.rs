//! Placing a respondent in the cells of crossed and marginal designs.

use quotas::{Design, MatchError};
use std::collections::BTreeMap;

const DIMENSIONS: &str = r#"
[[dimension]]
name = "commune"
variable = "COMMUNE"
categories = [{ code = 33063, label = "Bordeaux" }, { code = 33281, label = "Mérignac" }]

[[dimension]]
name = "sexe"
variable = "SEXE"
categories = [{ code = 1, label = "Homme" }, { code = 2, label = "Femme" }]

[[dimension]]
name = "age"
variable = "AGE"
categories = [
  { code = 1, label = "15-29 ans", min = 15, max = 29 },
  { code = 2, label = "30-74 ans", min = 30, max = 74 },
  { code = 3, label = "75 ans et plus", min = 75 },
]
"#;

fn design(margins: &str, cells: &[Vec<(&str, i64)>]) -> Design {
    let mut source = format!("[design]\nid = \"t\"\nmargins = {margins}\n{DIMENSIONS}");
    for cell in cells {
        let at: Vec<String> = cell.iter().map(|(d, c)| format!("{d} = {c}")).collect();
        source.push_str(&format!(
            "\n[[cell]]\nat = {{ {} }}\ntarget = 10\n",
            at.join(", ")
        ));
    }
    Design::from_toml(&source).expect("valid design")
}

fn crossed() -> Design {
    let mut cells = Vec::new();
    for commune in [33063, 33281] {
        for sexe in [1, 2] {
            for age in [1, 2, 3] {
                cells.push(vec![("commune", commune), ("sexe", sexe), ("age", age)]);
            }
        }
    }
    design(r#"[["commune", "sexe", "age"]]"#, &cells)
}

fn marginal() -> Design {
    let mut cells = Vec::new();
    for commune in [33063, 33281] {
        for sexe in [1, 2] {
            cells.push(vec![("commune", commune), ("sexe", sexe)]);
        }
        for age in [1, 2, 3] {
            cells.push(vec![("commune", commune), ("age", age)]);
        }
    }
    design(r#"[["commune", "sexe"], ["commune", "age"]]"#, &cells)
}

fn values(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

fn keys(design: &Design, pairs: &[(&str, i64)]) -> Result<Vec<String>, MatchError> {
    design
        .match_cells(&values(pairs))
        .map(|cells| cells.iter().map(|c| c.key.to_string()).collect())
}

#[test]
fn crossed_design_places_respondent_in_one_cell_with_age_banded() {
    let found = keys(&crossed(), &[("COMMUNE", 33281), ("SEXE", 2), ("AGE", 29)]);
    assert_eq!(found, Ok(vec!["commune=33281,sexe=2,age=1".to_owned()]));
    let found = keys(&crossed(), &[("COMMUNE", 33063), ("SEXE", 1), ("AGE", 30)]);
    assert_eq!(found, Ok(vec!["commune=33063,sexe=1,age=2".to_owned()]));
}

#[test]
fn open_ended_band_takes_every_older_age() {
    let found = keys(&crossed(), &[("COMMUNE", 33063), ("SEXE", 1), ("AGE", 102)]);
    assert_eq!(found, Ok(vec!["commune=33063,sexe=1,age=3".to_owned()]));
}

#[test]
fn marginal_design_places_respondent_in_one_cell_per_margin() {
    let found = keys(&marginal(), &[("COMMUNE", 33063), ("SEXE", 2), ("AGE", 80)]);
    assert_eq!(
        found,
        Ok(vec![
            "commune=33063,sexe=2".to_owned(),
            "commune=33063,age=3".to_owned()
        ])
    );
}

#[test]
fn extra_values_are_ignored() {
    let found = keys(
        &marginal(),
        &[("COMMUNE", 33063), ("SEXE", 1), ("AGE", 20), ("Q1", 4)],
    );
    assert_eq!(found.map(|k| k.len()), Ok(2));
}

#[test]
fn missing_value_names_the_variable() {
    let error = keys(&crossed(), &[("COMMUNE", 33063), ("AGE", 40)]).expect_err("no SEXE");
    assert_eq!(
        error,
        MatchError::Missing {
            dimension: "sexe".into(),
            variable: "SEXE".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "valeur manquante pour SEXE (quota « sexe »)"
    );
}

#[test]
fn commune_outside_the_design_matches_no_category() {
    // Code 1 is "outside the Métropole" in the questionnaire.
    let error = keys(&crossed(), &[("COMMUNE", 1), ("SEXE", 1), ("AGE", 40)]).expect_err("outside");
    assert_eq!(
        error.to_string(),
        "COMMUNE = 1 ne correspond à aucune catégorie du quota « commune »"
    );
}

#[test]
fn age_below_every_band_matches_no_category() {
    let error =
        keys(&crossed(), &[("COMMUNE", 33063), ("SEXE", 1), ("AGE", 14)]).expect_err("too young");
    assert!(matches!(error, MatchError::NoCategory { value: 14, .. }));
}

#[test]
fn coded_dimension_matches_codes_exactly() {
    let source = crossed().to_toml().replace(
        "categories = [\n  { code = 1, label = \"15-29 ans\", min = 15, max = 29 },\n  { code = 2, label = \"30-74 ans\", min = 30, max = 74 },\n  { code = 3, label = \"75 ans et plus\", min = 75 },\n]",
        "categories = [{ code = 1, label = \"15-29\" }, { code = 2, label = \"30-74\" }, { code = 3, label = \"75+\" }]",
    ).replace("variable = \"AGE\"", "variable = \"AGE_QUOTA\"");
    let design = Design::from_toml(&source).expect("valid coded design");
    let found = keys(
        &design,
        &[("COMMUNE", 33063), ("SEXE", 1), ("AGE_QUOTA", 3)],
    );
    assert_eq!(found, Ok(vec!["commune=33063,sexe=1,age=3".to_owned()]));
    assert!(
        keys(
            &design,
            &[("COMMUNE", 33063), ("SEXE", 1), ("AGE_QUOTA", 40)]
        )
        .is_err()
    );
}
