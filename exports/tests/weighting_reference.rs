//! Weights compared with R reference implementations (`survey` 4.1.1, `sampling` 2.9) on the
//! committed fixtures of `tests/fixtures/weighting` (see its README to regenerate them).

use std::collections::HashMap;
use std::fs::File;
use std::path::PathBuf;

use exports::weighting::io::{RunOptions, run};
use exports::weighting::{Bounds, Method, WeightError};

/// `survey` fixtures were produced with a 1e-13 stopping rule: they are exact solutions.
const SURVEY_TOLERANCE: f64 = 1e-9;
/// `sampling::calib` stops raking and logit at a hard-coded max relative margin error of 1e-6
/// (EPS1), so its weights are only that close to the exact solution (it differs from
/// `survey::calibrate` by 1.0e-6 and 1.6e-6 relative on these fixtures).
const SAMPLING_NEWTON_TOLERANCE: f64 = 5e-6;

const BOUNDS: Bounds = Bounds {
    lower: 0.5,
    upper: 2.5,
};

fn fixture(name: &str) -> File {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/weighting")
        .join(name);
    File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn weigh(
    margins: &str,
    method: Method,
    base_weight: bool,
) -> Result<Vec<(String, f64)>, WeightError> {
    let mut options = RunOptions::new(method);
    if base_weight {
        options.base_weight = Some("poids_base".to_owned());
    }
    options.group_by = Some("commune".to_owned());
    run(fixture("respondents.csv"), fixture(margins), &options).map(|(weights, _)| weights)
}

fn reference(name: &str) -> HashMap<String, f64> {
    csv::Reader::from_reader(fixture(name))
        .records()
        .map(|r| {
            let r = r.expect("fixture row");
            (r[0].to_owned(), r[1].parse().expect("fixture weight"))
        })
        .collect()
}

fn assert_matches(weights: &[(String, f64)], reference_file: &str, tolerance: f64) {
    let expected = reference(reference_file);
    assert_eq!(weights.len(), expected.len(), "{reference_file}: row count");
    let worst = weights
        .iter()
        .map(|(id, w)| {
            let e = expected[id];
            ((w - e) / e).abs()
        })
        .fold(0.0, f64::max);
    assert!(
        worst <= tolerance,
        "{reference_file}: largest relative difference {worst:e} > {tolerance:e}"
    );
}

#[test]
fn raking_without_base_weights_matches_survey_rake() {
    let weights = weigh("margins_oneway.csv", Method::Raking, false).unwrap();
    assert_matches(&weights, "survey_rake_oneway.csv", SURVEY_TOLERANCE);
}

#[test]
fn raking_with_base_weights_matches_survey_rake_calibrate_and_sampling_calib() {
    let weights = weigh("margins_oneway.csv", Method::Raking, true).unwrap();
    assert_matches(&weights, "survey_rake_oneway_base.csv", SURVEY_TOLERANCE);
    assert_matches(
        &weights,
        "survey_calibrate_raking_oneway_base.csv",
        SURVEY_TOLERANCE,
    );
    assert_matches(
        &weights,
        "sampling_calib_raking_oneway_base.csv",
        SAMPLING_NEWTON_TOLERANCE,
    );
}

#[test]
fn raking_on_crossed_commune_by_sex_margin_matches_survey_rake_and_calibrate() {
    let weights = weigh("margins_crossed.csv", Method::Raking, true).unwrap();
    assert_matches(&weights, "survey_rake_crossed_base.csv", SURVEY_TOLERANCE);
    assert_matches(
        &weights,
        "survey_calibrate_raking_crossed_base.csv",
        SURVEY_TOLERANCE,
    );
}

#[test]
fn linear_calibration_matches_survey_calibrate_and_sampling_calib() {
    let weights = weigh("margins_oneway.csv", Method::Linear, true).unwrap();
    assert_matches(
        &weights,
        "survey_calibrate_linear_oneway_base.csv",
        SURVEY_TOLERANCE,
    );
    assert_matches(
        &weights,
        "sampling_calib_linear_oneway_base.csv",
        SURVEY_TOLERANCE,
    );
}

#[test]
fn logit_calibration_with_bounds_matches_survey_calibrate_and_sampling_calib() {
    let weights = weigh("margins_oneway.csv", Method::Logit { bounds: BOUNDS }, true).unwrap();
    assert_matches(
        &weights,
        "survey_calibrate_logit_oneway_base.csv",
        SURVEY_TOLERANCE,
    );
    assert_matches(
        &weights,
        "sampling_calib_logit_oneway_base.csv",
        SAMPLING_NEWTON_TOLERANCE,
    );
}

#[test]
fn truncated_linear_calibration_matches_survey_calibrate_with_bounds_and_sampling_calib() {
    let weights = weigh(
        "margins_oneway.csv",
        Method::Truncated { bounds: BOUNDS },
        true,
    )
    .unwrap();
    assert_matches(
        &weights,
        "survey_calibrate_truncated_oneway_base.csv",
        SURVEY_TOLERANCE,
    );
    assert_matches(
        &weights,
        "sampling_calib_truncated_oneway_base.csv",
        SURVEY_TOLERANCE,
    );
}

#[test]
fn poststratification_on_sex_by_age_matches_survey_poststratify() {
    let weights = weigh("margins_poststrat.csv", Method::PostStratification, true).unwrap();
    assert_matches(
        &weights,
        "survey_poststrat_sexe_age_base.csv",
        SURVEY_TOLERANCE,
    );
}

#[test]
fn empty_margin_category_is_rejected_before_iterating_with_a_collapse_suggestion() {
    let error = weigh("margins_emptycell.csv", Method::Raking, true).unwrap_err();
    let WeightError::EmptyCells(cells) = &error else {
        panic!("expected EmptyCells, got {error}");
    };
    assert_eq!(cells.len(), 1);
    assert_eq!(cells[0].margin, "diplome");
    assert_eq!(cells[0].category, "doctorat");
    assert_eq!(cells[0].target, 1500.0);
    assert!(
        cells[0].suggestion.contains("« superieur »"),
        "suggests the neighbouring category: {}",
        cells[0].suggestion
    );
}
