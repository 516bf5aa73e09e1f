//! Diagnostics of a run, and the cell-level solvers giving the row-level solution.

use exports::weighting::{Margin, Method, Options, Respondents, weight};
use proptest::prelude::*;

fn two_communes() -> Respondents {
    let mut respondents = Respondents::new(4);
    respondents
        .add_variable("commune", &["a", "a", "b", "b"])
        .unwrap();
    respondents
}

fn grouped_by_commune(method: Method) -> Options {
    Options {
        group_by: Some("commune".to_owned()),
        ..Options::new(method)
    }
}

#[test]
fn kish_design_effect_and_effective_sample_size_follow_their_definitions() {
    let margin = Margin::one_way("commune", [("a", 10.0), ("b", 30.0)]);
    let weighting = weight(
        &two_communes(),
        &[margin],
        &grouped_by_commune(Method::PostStratification),
    )
    .unwrap();
    assert_eq!(weighting.weights, vec![5.0, 5.0, 15.0, 15.0]);
    let summary = &weighting.diagnostics.weights;
    // Σw = 40, Σw² = 500, n = 4.
    assert!((summary.kish_deff - 4.0 * 500.0 / 1600.0).abs() < 1e-12);
    assert!((summary.effective_sample_size - 1600.0 / 500.0).abs() < 1e-12);
    assert_eq!(
        (summary.min, summary.max, summary.max_min_ratio),
        (5.0, 15.0, Some(3.0))
    );
    assert_eq!(weighting.diagnostics.iterations, 1);
    assert!(weighting.diagnostics.converged);
}

#[test]
fn per_group_diagnostics_use_each_respondents_own_weight() {
    let mut respondents = two_communes();
    respondents
        .set_base_weights(vec![1.0, 3.0, 2.0, 2.0])
        .unwrap();
    let margin = Margin::one_way("commune", [("a", 8.0), ("b", 8.0)]);
    let weighting = weight(
        &respondents,
        &[margin],
        &grouped_by_commune(Method::PostStratification),
    )
    .unwrap();
    assert_eq!(weighting.weights, vec![2.0, 6.0, 4.0, 4.0]);
    let groups = weighting.diagnostics.groups.unwrap();
    assert_eq!(groups.variable, "commune");
    let a = &groups.groups[0];
    assert_eq!(
        (a.category.as_str(), a.weights.min, a.weights.max),
        ("a", 2.0, 6.0)
    );
    // n Σw² / (Σw)² = 2 × 40 / 64.
    assert!((a.weights.kish_deff - 1.25).abs() < 1e-12);
    assert!((groups.groups[1].weights.kish_deff - 1.0).abs() < 1e-12);
    // g = w / d is 2 in commune a and b alike.
    assert!(
        weighting
            .diagnostics
            .adjustment
            .iter()
            .all(|q| q.value == 2.0)
    );
}

#[test]
fn diagnostics_serialise_to_json_and_print_a_french_report() {
    let margin = Margin::one_way("commune", [("a", 10.0), ("b", 30.0)]);
    let method = Method::from_name("logit", Some("0.1,20".parse().unwrap())).unwrap();
    let weighting = weight(&two_communes(), &[margin], &grouped_by_commune(method)).unwrap();
    let json = serde_json::to_value(&weighting.diagnostics).unwrap();
    assert_eq!(json["method"]["name"], "logit");
    assert_eq!(json["method"]["bounds"]["upper"], 20.0);
    assert_eq!(json["converged"], true);
    assert_eq!(json["groups"]["groups"][1]["category"], "b");
    assert!(json["max_error"]["relative_error"].as_f64().unwrap() <= 1e-10);
    let text = weighting.diagnostics.to_string();
    assert!(text.contains("méthode logit, bornes [0.1 ; 20]"), "{text}");
    assert!(text.contains("convergence atteinte"), "{text}");
    assert!(text.contains("Par commune :"), "{text}");
}

/// Row-by-row IPF, the textbook algorithm the cell-level solver must reproduce.
fn row_level_ipf(codes: &[Vec<u32>], base: &[f64], targets: &[Vec<f64>]) -> Vec<f64> {
    let mut w = base.to_vec();
    for _ in 0..10_000 {
        for (variable, target) in targets.iter().enumerate() {
            let mut totals = vec![0.0; target.len()];
            for (row, weight) in w.iter().enumerate() {
                totals[codes[variable][row] as usize] += weight;
            }
            for (row, weight) in w.iter_mut().enumerate() {
                let k = codes[variable][row] as usize;
                *weight *= target[k] / totals[k];
            }
        }
    }
    w
}

/// Random respondents with every category present, and margins reachable by construction
/// (totals of the base weights times a random positive factor per respondent).
fn problem() -> impl Strategy<Value = (Vec<Vec<u32>>, Vec<f64>, Vec<Vec<f64>>)> {
    (12usize..80).prop_flat_map(|n| {
        (
            prop::collection::vec((0u32..2, 0u32..3, 0u32..4), n),
            prop::collection::vec(0.5f64..3.0, n),
            prop::collection::vec(0.5f64..2.0, n),
        )
            .prop_map(|(rows, base, factors)| {
                let sizes = [2usize, 3, 4];
                let mut codes = vec![Vec::new(); 3];
                for (i, (a, b, c)) in rows.iter().enumerate() {
                    // The first rows cover every category so that no cell is empty.
                    let forced = [i % 2, i % 3, i % 4].map(|x| x as u32);
                    let row = if i < 4 { forced } else { [*a, *b, *c] };
                    for (column, value) in codes.iter_mut().zip(row) {
                        column.push(value);
                    }
                }
                let targets = codes
                    .iter()
                    .zip(sizes)
                    .map(|(column, size)| {
                        let mut t = vec![0.0; size];
                        for ((code, d), f) in column.iter().zip(&base).zip(&factors) {
                            t[*code as usize] += 10.0 * d * f;
                        }
                        t
                    })
                    .collect();
                (codes, base, targets)
            })
    })
}

fn build(codes: &[Vec<u32>], base: &[f64], targets: &[Vec<f64>]) -> (Respondents, Vec<Margin>) {
    let names = ["x", "y", "z"];
    let mut respondents = Respondents::new(base.len());
    let mut margins = Vec::new();
    for ((name, column), target) in names.iter().zip(codes).zip(targets) {
        let labels: Vec<String> = (0..target.len()).map(|k| format!("k{k}")).collect();
        respondents
            .add_coded_variable(name, labels.clone(), column.clone())
            .unwrap();
        margins.push(Margin::one_way(
            name,
            labels.into_iter().zip(target.iter().copied()),
        ));
    }
    respondents.set_base_weights(base.to_vec()).unwrap();
    (respondents, margins)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn cell_level_raking_equals_row_level_ipf((codes, base, targets) in problem()) {
        let (respondents, margins) = build(&codes, &base, &targets);
        let weighting = weight(&respondents, &margins, &Options::new(Method::Raking)).unwrap();
        let expected = row_level_ipf(&codes, &base, &targets);
        for (w, e) in weighting.weights.iter().zip(&expected) {
            prop_assert!(((w - e) / e).abs() < 1e-8, "{} vs {}", w, e);
        }
    }

    #[test]
    fn every_method_meets_every_margin((codes, base, targets) in problem()) {
        let (respondents, margins) = build(&codes, &base, &targets);
        // Targets are base totals times factors in [5, 20], so g in [1, 40] is feasible.
        let bounds = Some("0.5,60".parse().unwrap());
        for method in [
            Method::Raking,
            Method::Linear,
            Method::from_name("logit", bounds).unwrap(),
            Method::from_name("truncated", bounds).unwrap(),
        ] {
            let weighting = weight(&respondents, &margins, &Options::new(method)).unwrap();
            for (v, target) in targets.iter().enumerate() {
                let mut totals = vec![0.0; target.len()];
                for (row, w) in weighting.weights.iter().enumerate() {
                    totals[codes[v][row] as usize] += w;
                }
                for (t, expected) in totals.iter().zip(target) {
                    prop_assert!(((t - expected) / expected).abs() < 1e-9, "{:?}: {} vs {}", method, t, expected);
                }
            }
        }
    }
}

#[test]
fn grouping_by_a_variable_outside_the_margins_leaves_weights_unchanged() {
    let mut respondents = two_communes();
    respondents
        .add_variable("mode", &["fixe", "mobile", "mobile", "fixe"])
        .unwrap();
    let margin = [Margin::one_way("commune", [("a", 10.0), ("b", 30.0)])];
    let plain = weight(
        &respondents,
        &margin,
        &Options::new(Method::PostStratification),
    )
    .unwrap();
    let options = Options {
        group_by: Some("mode".to_owned()),
        ..Options::new(Method::PostStratification)
    };
    let grouped = weight(&respondents, &margin, &options).unwrap();
    assert_eq!(plain.weights, grouped.weights);
    let groups = grouped.diagnostics.groups.unwrap().groups;
    assert_eq!(groups[0].category, "fixe");
    assert_eq!((groups[0].weights.min, groups[0].weights.max), (5.0, 15.0));
}

#[test]
fn raking_over_millions_of_possible_cells_uses_only_occupied_ones() {
    // 4 variables × 50 categories: 6.25 million possible cells, 200 respondents. Targets are
    // totals of known weights `1 + i mod 7`, so a solution exists.
    let n = 200;
    let known: Vec<f64> = (0..n).map(|i| 1.0 + (i % 7) as f64).collect();
    let mut respondents = Respondents::new(n);
    let mut margins = Vec::new();
    for (v, (name, step)) in [("a", 1), ("b", 3), ("c", 7), ("e", 9)]
        .into_iter()
        .enumerate()
    {
        let codes: Vec<usize> = (0..n).map(|i| (i * step + v) % 50).collect();
        let values: Vec<String> = codes.iter().map(|k| format!("k{k}")).collect();
        respondents.add_variable(name, &values).unwrap();
        let mut targets = vec![0.0; 50];
        for (k, w) in codes.iter().zip(&known) {
            targets[*k] += w;
        }
        margins.push(Margin::one_way(
            name,
            targets
                .into_iter()
                .enumerate()
                .map(|(k, t)| (format!("k{k}"), t)),
        ));
    }
    let weighting = weight(&respondents, &margins, &Options::new(Method::Raking)).unwrap();
    assert!(weighting.diagnostics.max_error.relative_error <= 1e-10);
    let total: f64 = weighting.weights.iter().sum();
    assert!((total - known.iter().sum::<f64>()).abs() < 1e-6);
}
