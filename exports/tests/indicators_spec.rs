//! Behaviour of weighted indicator estimation and the indicator table, as specifications.

use exports::indicators::{
    DomainLabel, Indicator, IndicatorError, IntervalMethod, Sample, SmallDomainRule, TableOptions,
    VarianceMethod, Z_95, indicator_table, write_table_csv,
};
use proptest::prelude::*;

const METHODS: [VarianceMethod; 2] = [VarianceMethod::Linearization, VarianceMethod::Calibration];

fn bools(values: &[u8]) -> Vec<Option<bool>> {
    values.iter().map(|&v| Some(v == 1)).collect()
}

#[test]
fn linearized_standard_error_follows_the_ratio_formula() {
    // z_i = w_i (y_i − p) / W, Var = n/(n − 1) Σ z² (Σ z = 0).
    let w = [1.0, 2.0, 3.0, 4.0];
    let y = [1, 0, 1, 0];
    let sample = Sample::new(&w).unwrap();
    let estimate = sample
        .estimate(&bools(&y), VarianceMethod::Linearization)
        .unwrap()
        .overall;
    let p = 4.0 / 10.0;
    let squares: f64 = w
        .iter()
        .zip(y)
        .map(|(w, y)| (w * (f64::from(y) - p) / 10.0).powi(2))
        .sum();
    let se = (4.0 / 3.0 * squares).sqrt();
    assert_eq!(estimate.n, 4);
    assert_eq!(estimate.weighted_base, 10.0);
    assert_eq!(estimate.weighted_count, 4.0);
    assert!((estimate.proportion.unwrap() - p).abs() < 1e-15);
    assert!((estimate.standard_error.unwrap() - se).abs() < 1e-15);
    let deff = se * se / (p * (1.0 - p) / 3.0);
    assert!((estimate.design_effect.unwrap() - deff).abs() < 1e-12);
    // p − 1.96 SE < 0: the Wald interval is clipped at 0.
    let ci = estimate.interval(IntervalMethod::Wald).unwrap();
    assert!(p - Z_95 * se < 0.0);
    assert_eq!(ci.lower, 0.0);
    assert!((ci.upper - (p + Z_95 * se)).abs() < 1e-15);
}

fn calibrated_sample<'a>(
    w: &'a [f64],
    domains: &'a [Option<usize>],
    margin: &[usize],
) -> Sample<'a> {
    let base = vec![1.0; w.len()];
    Sample::new(w)
        .unwrap()
        .with_domains(domains, 3)
        .unwrap()
        .with_calibration(&base, &[margin])
        .unwrap()
}

#[test]
fn constant_indicators_have_zero_standard_error_and_point_intervals() {
    let w = [1.0, 2.0, 1.5, 3.0, 1.0];
    let domains = [Some(0), Some(0), Some(1), Some(1), Some(1)];
    let sample = calibrated_sample(&w, &domains, &[0, 1, 0, 1, 1]);
    for (value, p) in [(0, 0.0), (1, 1.0)] {
        for method in METHODS {
            let estimates = sample.estimate(&bools(&[value; 5]), method).unwrap();
            for estimate in std::iter::once(&estimates.overall).chain(&estimates.domains[..2]) {
                assert_eq!(estimate.proportion, Some(p));
                assert_eq!(estimate.standard_error, Some(0.0));
                assert_eq!(estimate.design_effect, None);
                for interval in [IntervalMethod::Wald, IntervalMethod::Logit] {
                    let ci = estimate.interval(interval).unwrap();
                    assert_eq!((ci.lower, ci.upper), (p, p));
                }
            }
        }
    }
}

#[test]
fn korn_graubard_interval_of_a_constant_indicator_is_one_sided_and_not_a_point() {
    // Korn & Graubard's rule where the variance is 0: n_eff = n, so 0 of n gives the
    // Clopper–Pearson [0, 1 − 0.025^(1/n)] (shrunk further by the calibrated adjustment).
    let w = [1.0, 2.0, 1.5, 3.0, 1.0];
    let domains = [Some(0), Some(0), Some(1), Some(1), Some(1)];
    let sample = calibrated_sample(&w, &domains, &[0, 1, 0, 1, 1]);
    for method in METHODS {
        for (value, p) in [(0, 0.0), (1, 1.0)] {
            let estimates = sample.estimate(&bools(&[value; 5]), method).unwrap();
            for estimate in std::iter::once(&estimates.overall).chain(&estimates.domains[..2]) {
                assert_eq!(estimate.effective_n, Some(estimate.n as f64));
                let ci = estimate.interval(IntervalMethod::Beta).unwrap();
                if p == 0.0 {
                    assert!(ci.lower == 0.0 && ci.upper > 0.2, "{ci:?}");
                } else {
                    assert!(ci.upper == 1.0 && ci.lower < 0.8, "{ci:?}");
                }
            }
        }
        let overall = sample.estimate(&bools(&[0; 5]), method).unwrap().overall;
        let upper = overall.interval(IntervalMethod::Beta).unwrap().upper;
        // Overall: 5 respondents, 4 degrees of freedom of 4, no adjustment.
        assert!((upper - (1.0 - 0.025_f64.powf(1.0 / 5.0))).abs() < 1e-14);
    }
}

#[test]
fn degrees_of_freedom_count_the_domains_respondents_with_or_without_a_value() {
    // R: degf() of the domain's design, whose rows are its respondents (the missing ones
    // included); the Korn–Graubard reference is nrow(design) − 1, the whole sample when
    // calibrated.
    let w = [1.0, 2.0, 1.5, 3.0, 1.0, 2.0, 1.0];
    let domains = [Some(0), Some(0), Some(0), Some(1), Some(1), Some(1), None];
    let values = [
        Some(true),
        None,
        Some(false),
        Some(true),
        Some(false),
        Some(true),
        Some(false),
    ];
    let sample = calibrated_sample(&w, &domains, &[0, 1, 0, 1, 1, 0, 1]);
    for (method, reference) in [
        (VarianceMethod::Linearization, 2),
        (VarianceMethod::Calibration, 6),
    ] {
        let estimates = sample.estimate(&values, method).unwrap();
        assert_eq!(estimates.overall.degrees_of_freedom, 6);
        assert_eq!(estimates.overall.reference_degrees_of_freedom, 6);
        let first = &estimates.domains[0];
        assert_eq!((first.n, first.degrees_of_freedom), (2, 2));
        assert_eq!(first.reference_degrees_of_freedom, reference);
    }
}

#[test]
fn the_default_interval_is_korn_graubard() {
    assert_eq!(IntervalMethod::default(), IntervalMethod::Beta);
    assert_eq!(IntervalMethod::default().name(), "beta");
}

#[test]
fn domain_with_one_respondent_has_its_value_and_zero_standard_error() {
    let w = [1.0, 2.0, 1.5, 3.0, 1.0];
    let domains = [Some(0), Some(0), Some(1), Some(1), Some(2)];
    let sample = calibrated_sample(&w, &domains, &[0, 1, 0, 1, 1]);
    for method in METHODS {
        let single = &sample
            .estimate(&bools(&[1, 0, 1, 0, 1]), method)
            .unwrap()
            .domains[2];
        assert_eq!(single.n, 1);
        assert_eq!(single.proportion, Some(1.0));
        assert_eq!(single.standard_error, Some(0.0));
        assert_eq!(single.design_effect, None);
    }
}

#[test]
fn domain_without_respondents_is_reported_empty() {
    let w = [1.0, 2.0, 1.5, 3.0];
    let domains = [Some(0), Some(0), Some(1), None];
    let sample = calibrated_sample(&w, &domains, &[0, 1, 0, 1]);
    for method in METHODS {
        let empty = &sample
            .estimate(&bools(&[1, 0, 1, 0]), method)
            .unwrap()
            .domains[2];
        assert_eq!(empty.n, 0);
        assert_eq!(empty.weighted_base, 0.0);
        assert_eq!(empty.proportion, None);
        assert_eq!(empty.standard_error, None);
        assert_eq!(empty.interval(IntervalMethod::Wald), None);
    }
}

#[test]
fn respondents_without_a_domain_count_only_overall() {
    let w = [1.0, 2.0, 1.5, 3.0];
    let domains = [Some(0), Some(0), Some(1), None];
    let sample = Sample::new(&w).unwrap().with_domains(&domains, 2).unwrap();
    let estimates = sample
        .estimate(&bools(&[1, 0, 1, 1]), VarianceMethod::Linearization)
        .unwrap();
    assert_eq!(estimates.overall.n, 4);
    assert_eq!(estimates.domains[0].n + estimates.domains[1].n, 3);
}

#[test]
fn missing_values_are_excluded_from_n_and_proportion() {
    let w = [1.0, 2.0, 1.5, 3.0, 2.5, 1.0];
    let with_missing = [Some(true), None, Some(false), Some(true), None, Some(false)];
    let sample = Sample::new(&w).unwrap();
    let estimate = sample
        .estimate(&with_missing, VarianceMethod::Linearization)
        .unwrap()
        .overall;
    assert_eq!(estimate.n, 4);
    assert_eq!(estimate.weighted_base, 6.5);
    assert!((estimate.proportion.unwrap() - 4.0 / 6.5).abs() < 1e-15);
    // Respondents without a value stay sampling units with zero influence (as `svymean(...,
    // na.rm = TRUE)`): the variance is the subset's, rescaled from n = 4 to n = 6 units.
    let kept = [1.0, 1.5, 3.0, 1.0];
    let subset = Sample::new(&kept).unwrap();
    let reference = subset
        .estimate(&bools(&[1, 0, 1, 0]), VarianceMethod::Linearization)
        .unwrap()
        .overall;
    let rescale = ((6.0_f64 / 5.0) / (4.0 / 3.0)).sqrt();
    let expected = reference.standard_error.unwrap() * rescale;
    assert!((estimate.standard_error.unwrap() - expected).abs() < 1e-15);
}

#[test]
fn non_positive_or_non_finite_weights_are_rejected() {
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let w = [1.0, bad, 2.0];
        match Sample::new(&w) {
            Err(IndicatorError::InvalidWeight { index: 1, .. }) => {}
            other => panic!("weight {bad}: expected InvalidWeight, got {other:?}"),
        }
    }
    let error = Sample::new(&[1.0, 0.0]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the weight of respondent 1 is 0: weights must be finite and > 0"
    );
}

#[test]
fn non_positive_base_weights_are_rejected() {
    let w = [1.0, 2.0, 3.0];
    let result = Sample::new(&w)
        .unwrap()
        .with_calibration(&[1.0, 1.0, -2.0], &[&[0, 1, 1]]);
    assert!(matches!(
        result,
        Err(IndicatorError::InvalidBaseWeight { index: 2, .. })
    ));
}

#[test]
fn inputs_of_the_wrong_length_are_rejected() {
    let w = [1.0, 2.0, 3.0];
    let sample = Sample::new(&w).unwrap();
    let error = sample
        .estimate(&bools(&[1, 0]), VarianceMethod::Linearization)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "indicator has 2 values for 3 respondents"
    );
    assert!(matches!(
        Sample::new(&w)
            .unwrap()
            .with_calibration(&[1.0; 3], &[&[0, 1]]),
        Err(IndicatorError::LengthMismatch { .. })
    ));
    assert!(matches!(
        Sample::new(&w).unwrap().with_domains(&[Some(0)], 1),
        Err(IndicatorError::LengthMismatch { .. })
    ));
}

#[test]
fn domain_numbers_beyond_the_declared_count_are_rejected() {
    let w = [1.0, 2.0, 3.0];
    let result = Sample::new(&w)
        .unwrap()
        .with_domains(&[Some(0), Some(2), None], 2);
    assert!(matches!(
        result,
        Err(IndicatorError::DomainOutOfRange {
            index: 1,
            domain: 2,
            count: 2
        })
    ));
}

#[test]
fn too_few_respondents_are_rejected() {
    assert!(matches!(
        Sample::new(&[1.0]),
        Err(IndicatorError::TooFewRespondents(1))
    ));
}

#[test]
fn calibration_variance_needs_the_calibration_design() {
    let w = [1.0, 2.0, 3.0];
    let sample = Sample::new(&w).unwrap();
    let result = sample.estimate(&bools(&[1, 0, 1]), VarianceMethod::Calibration);
    assert!(matches!(
        result,
        Err(IndicatorError::MissingCalibrationDesign)
    ));
    let no_margins = Sample::new(&w).unwrap().with_calibration(&[1.0; 3], &[]);
    assert!(matches!(no_margins, Err(IndicatorError::NoMargins)));
}

#[test]
fn indicator_determined_by_a_calibration_margin_has_zero_calibrated_variance() {
    // Calibrated to the margin, the weighted share of its category is known exactly.
    let w = [1.0, 2.0, 1.5, 3.0, 2.0, 1.0];
    let margin = [0, 1, 0, 1, 1, 0];
    let sample = Sample::new(&w)
        .unwrap()
        .with_calibration(&[1.0, 1.2, 0.8, 2.0, 1.0, 1.0], &[&margin])
        .unwrap();
    let values = bools(&margin.map(|c| c as u8));
    let calibrated = sample
        .estimate(&values, VarianceMethod::Calibration)
        .unwrap()
        .overall;
    let fixed = sample
        .estimate(&values, VarianceMethod::Linearization)
        .unwrap()
        .overall;
    assert!(calibrated.standard_error.unwrap() < 1e-15);
    assert!(fixed.standard_error.unwrap() > 0.1);
    // Known without error: every interval is the point p, up to rounding.
    let p = calibrated.proportion.unwrap();
    for method in [
        IntervalMethod::Wald,
        IntervalMethod::Logit,
        IntervalMethod::Beta,
    ] {
        let ci = calibrated.interval(method).unwrap();
        assert!(
            ci.lower <= p && p <= ci.upper && ci.upper - ci.lower < 1e-9,
            "{ci:?}"
        );
    }
}

fn table_sample<'a>(w: &'a [f64], communes: &'a [Option<usize>]) -> Sample<'a> {
    Sample::new(w).unwrap().with_domains(communes, 3).unwrap()
}

fn labels() -> Vec<DomainLabel> {
    [
        ("33281", "Mérignac"),
        ("33063", "Bordeaux"),
        ("33119", "Carbon-Blanc"),
    ]
    .iter()
    .map(|(code, label)| DomainLabel {
        code: (*code).to_owned(),
        label: (*label).to_owned(),
    })
    .collect()
}

#[test]
fn table_lists_overall_then_domains_in_code_order_and_writes_fixed_decimals() {
    let w = [1.0, 2.0, 1.0, 1.0];
    let communes = [Some(0), Some(0), Some(1), Some(1)];
    let sample = table_sample(&w, &communes);
    let no_device = bools(&[1, 0, 0, 1]);
    let indicators = [Indicator {
        name: "sans_equipement".to_owned(),
        label: "Aucun équipement, ni ordinateur ni smartphone".to_owned(),
        values: &no_device,
    }];
    let options = TableOptions::new(VarianceMethod::Linearization, IntervalMethod::Wald);
    let rows = indicator_table(&sample, &labels(), &indicators, &options).unwrap();
    let codes: Vec<&str> = rows.iter().map(|r| r.code_domaine.as_str()).collect();
    assert_eq!(codes, ["ensemble", "33063", "33119", "33281"]);
    let mut out = Vec::new();
    write_table_csv(&rows, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "indicateur,libelle,domaine,code_domaine,n,proportion,ic_bas,ic_haut,erreur_type,\
         n_effectif,methode_ic,effectif_faible"
    );
    // Overall: p = 2/5; domain 33281 (number 0): p = 1/3; 33063 (number 1): p = 1/2;
    // Carbon-Blanc: no respondent, empty figures.
    assert!(lines[1].starts_with(
        "sans_equipement,\"Aucun équipement, ni ordinateur ni smartphone\",Ensemble,ensemble,4,0.400000,"
    ));
    assert!(lines[2].contains(",Bordeaux,33063,2,0.500000,"));
    assert!(lines[3].ends_with(",Carbon-Blanc,33119,0,,,,,,wald,1"));
    assert!(lines[4].contains(",Mérignac,33281,2,0.333333,"));
    assert_eq!(lines[5], "");
    assert_eq!(lines.len(), 6);
    for line in &lines[1..5] {
        let fields: Vec<&str> = line.rsplit(',').collect();
        assert_eq!(&fields[..2], ["1", "wald"], "{line}");
        for figure in fields[2..7].iter().filter(|f| !f.is_empty()) {
            assert_eq!(figure.split('.').nth(1).map(str::len), Some(6), "{line}");
        }
    }
}

#[test]
fn small_domain_flag_marks_fewer_than_thirty_respondents_or_effective_respondents() {
    // Domain 0: 29 respondents, equal weights. Domain 1: 31, equal weights: n_eff =
    // 31 · (N − 1)/N ≥ 30. Domain 2: 60, six of them weighing 8 and the others 1: design
    // effect ≈ 2.5, n_eff ≈ 24.
    let mut w = vec![1.0; 60];
    w.extend((60..120).map(|i| if i % 10 == 0 { 8.0 } else { 1.0 }));
    let communes: Vec<Option<usize>> = (0..120)
        .map(|i| {
            Some(if i < 29 {
                0
            } else if i < 60 {
                1
            } else {
                2
            })
        })
        .collect();
    let values: Vec<Option<bool>> = (0..120).map(|i| Some(i % 4 < 2)).collect();
    let sample = table_sample(&w, &communes);
    let indicators = [Indicator {
        name: "aide_proches".to_owned(),
        label: "Aide ses proches".to_owned(),
        values: &values,
    }];
    let mut options = TableOptions::new(VarianceMethod::Linearization, IntervalMethod::Beta);
    let rows = indicator_table(&sample, &labels(), &indicators, &options).unwrap();
    // Rows: overall, 33063 (domain 1), 33119 (domain 2), 33281 (domain 0).
    let seen: Vec<(usize, bool)> = rows.iter().map(|r| (r.n, r.effectif_faible)).collect();
    assert_eq!(seen, [(120, false), (31, false), (60, true), (29, true)]);
    let effective: Vec<f64> = rows.iter().map(|r| r.n_effectif.unwrap()).collect();
    assert!(effective[1] >= 30.0 && effective[1] < 31.0, "{effective:?}");
    assert!(effective[2] < 30.0, "{effective:?}");
    assert!(rows.iter().all(|r| r.methode_ic == "beta"));

    // The thresholds are parameters.
    options.small_domain = SmallDomainRule {
        min_n: 20,
        min_effective_n: 10.0,
    };
    let rows = indicator_table(&sample, &labels(), &indicators, &options).unwrap();
    assert!(rows.iter().all(|r| !r.effectif_faible));
    assert_eq!(SmallDomainRule::default().min_n, 30);
    assert_eq!(SmallDomainRule::default().min_effective_n, 30.0);
}

#[test]
fn table_rejects_mismatched_or_duplicate_domain_labels() {
    let w = [1.0, 2.0, 1.0, 1.0];
    let communes = [Some(0), Some(0), Some(1), Some(1)];
    let sample = table_sample(&w, &communes);
    let options = TableOptions::new(VarianceMethod::Linearization, IntervalMethod::Logit);
    let short = &labels()[..2];
    assert!(matches!(
        indicator_table(&sample, short, &[], &options),
        Err(IndicatorError::DomainLabelCount {
            labels: 2,
            domains: 3
        })
    ));
    let mut duplicated = labels();
    duplicated[2].code = "33063".to_owned();
    assert!(matches!(
        indicator_table(&sample, &duplicated, &[], &options),
        Err(IndicatorError::DuplicateDomainCode(code)) if code == "33063"
    ));
}

#[test]
fn table_rejects_duplicate_indicator_names() {
    let w = [1.0, 2.0, 1.0, 1.0];
    let communes = [Some(0), Some(0), Some(1), Some(1)];
    let sample = table_sample(&w, &communes);
    let values = bools(&[1, 0, 0, 1]);
    let indicator = Indicator {
        name: "aide_proches".to_owned(),
        label: "Aide ses proches".to_owned(),
        values: &values,
    };
    let options = TableOptions::new(VarianceMethod::Linearization, IntervalMethod::Wald);
    let result = indicator_table(
        &sample,
        &labels(),
        &[indicator.clone(), indicator],
        &options,
    );
    assert!(matches!(result, Err(IndicatorError::DuplicateIndicator(_))));
}

proptest! {
    #[test]
    fn calibration_variance_ignores_category_coding_and_redundant_margins(
        rows in prop::collection::vec((0usize..3, 0usize..2, 0.5f64..4.0, 0.5f64..2.0, any::<Option<bool>>(), 0usize..3), 8..40)
    ) {
        let a: Vec<usize> = rows.iter().map(|r| r.0).collect();
        let b: Vec<usize> = rows.iter().map(|r| r.1).collect();
        let w: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let d: Vec<f64> = rows.iter().map(|r| r.3).collect();
        let y: Vec<Option<bool>> = rows.iter().map(|r| r.4).collect();
        let domains: Vec<Option<usize>> = rows.iter().map(|r| Some(r.5)).collect();
        // Same margins with categories renumbered, plus a duplicate of the first margin.
        let a_renamed: Vec<usize> = a.iter().map(|c| 2 - c).collect();
        let b_renamed: Vec<usize> = b.iter().map(|c| 1 - c).collect();
        let reference = Sample::new(&w).unwrap().with_domains(&domains, 3).unwrap()
            .with_calibration(&d, &[&a, &b]).unwrap();
        let recoded = Sample::new(&w).unwrap().with_domains(&domains, 3).unwrap()
            .with_calibration(&d, &[&b_renamed, &a_renamed, &a]).unwrap();
        let first = reference.estimate(&y, VarianceMethod::Calibration).unwrap();
        let second = recoded.estimate(&y, VarianceMethod::Calibration).unwrap();
        for (p, q) in std::iter::once((&first.overall, &second.overall))
            .chain(first.domains.iter().zip(&second.domains))
        {
            prop_assert_eq!(p.n, q.n);
            if let (Some(s), Some(t)) = (p.standard_error, q.standard_error) {
                // Relative 1e-9, or rounding noise for an indicator the margins determine.
                prop_assert!((s - t).abs() <= 1e-9 * s.max(t) + 1e-15, "{} vs {}", s, t);
            }
        }
    }
}

proptest! {
    #[test]
    fn intervals_stay_in_the_unit_range_and_contain_the_proportion(
        rows in prop::collection::vec((0usize..2, 0.5f64..4.0, any::<Option<bool>>(), 0usize..4), 4..60),
        calibrated in any::<bool>(),
    ) {
        let margin: Vec<usize> = rows.iter().map(|r| r.0).collect();
        let w: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let y: Vec<Option<bool>> = rows.iter().map(|r| r.2).collect();
        let domains: Vec<Option<usize>> = rows.iter().map(|r| Some(r.3)).collect();
        let sample = Sample::new(&w).unwrap().with_domains(&domains, 4).unwrap()
            .with_calibration(&vec![1.0; w.len()], &[&margin]).unwrap();
        let method = if calibrated { VarianceMethod::Calibration } else { VarianceMethod::Linearization };
        let estimates = sample.estimate(&y, method).unwrap();
        for estimate in std::iter::once(&estimates.overall).chain(&estimates.domains) {
            let Some(p) = estimate.proportion else { continue };
            for interval in [IntervalMethod::Wald, IntervalMethod::Logit, IntervalMethod::Beta] {
                let ci = estimate.interval(interval).unwrap();
                prop_assert!(0.0 <= ci.lower && ci.upper <= 1.0, "{:?} {:?}", interval, ci);
                prop_assert!(ci.lower <= p + 1e-12 && p <= ci.upper + 1e-12, "{:?} {:?} p = {}", interval, ci, p);
            }
            // Korn–Graubard is never a point where the sample cannot rule values out.
            let beta = estimate.interval(IntervalMethod::Beta).unwrap();
            if p == 0.0 || p == 1.0 {
                prop_assert!(beta.upper - beta.lower > 0.0);
            }
        }
    }
}
