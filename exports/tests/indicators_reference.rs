//! Indicators match R `survey` 4.1.1 on the fixtures of `tests/fixtures/indicators`
//! (see its README): `svymean`/`svyby` estimates, SEs, design effects and `svyciprop` logit
//! intervals, for the plain-weights design and for the calibrated (raked) design; and the
//! indicator table written from R's figures.

use std::collections::BTreeMap;
use std::path::Path;

use exports::indicators::{
    DomainLabel, Estimate, Estimates, Indicator, IntervalMethod, Sample, TableOptions,
    VarianceMethod, indicator_table, write_table_csv,
};

const COMMUNES: [&str; 5] = ["A", "B", "C", "D", "E"];

struct Data {
    w0: Vec<f64>,
    w: Vec<f64>,
    commune: Vec<Option<usize>>,
    margins: Vec<Vec<usize>>,
    indicators: BTreeMap<String, Vec<Option<bool>>>,
}

fn fixture(name: &str) -> csv::Reader<std::fs::File> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/indicators")
        .join(name);
    csv::Reader::from_path(path).expect("fixture exists")
}

/// Category index of `value` among the sorted distinct values of a column.
fn categories(column: &[String]) -> Vec<usize> {
    let mut levels: Vec<&String> = column.iter().collect();
    levels.sort();
    levels.dedup();
    column
        .iter()
        .map(|v| levels.binary_search(&v).unwrap())
        .collect()
}

fn load() -> Data {
    let mut reader = fixture("data.csv");
    let (mut w0, mut w, mut communes, mut sexe, mut age) = (vec![], vec![], vec![], vec![], vec![]);
    let mut indicators: BTreeMap<String, Vec<Option<bool>>> = BTreeMap::new();
    for record in reader.deserialize::<BTreeMap<String, String>>() {
        let record = record.unwrap();
        w0.push(record["w0"].parse::<f64>().unwrap());
        w.push(record["w"].parse::<f64>().unwrap());
        communes.push(record["commune"].clone());
        sexe.push(record["sexe"].clone());
        age.push(record["age"].clone());
        for name in ["y1", "y2"] {
            let value = match record[name].as_str() {
                "" => None,
                "0" => Some(false),
                "1" => Some(true),
                other => panic!("bad value {other}"),
            };
            indicators.entry(name.to_owned()).or_default().push(value);
        }
    }
    let commune = communes
        .iter()
        .map(|c| COMMUNES.iter().position(|k| k == c))
        .collect();
    let margins = vec![categories(&communes), categories(&sexe), categories(&age)];
    Data {
        w0,
        w,
        commune,
        margins,
        indicators,
    }
}

fn assert_close(what: &str, ours: f64, theirs: f64, relative: f64) {
    let tolerance = relative * theirs.abs().max(1e-300);
    assert!(
        (ours - theirs).abs() <= tolerance,
        "{what}: ours {ours:e}, R {theirs:e}, diff {:e}",
        (ours - theirs).abs()
    );
}

fn compare(
    design: &str,
    indicator: &str,
    domain: &str,
    ours: &Estimate,
    row: &BTreeMap<String, String>,
) {
    let what = |field: &str| format!("{design} {indicator} domain '{domain}' {field}");
    let r = |field: &str| row[field].parse::<f64>().unwrap();
    let p = ours.proportion.unwrap();
    assert!(
        (p - r("mean")).abs() <= 1e-9,
        "{}: {p} vs {}",
        what("mean"),
        r("mean")
    );
    assert_close(&what("se"), ours.standard_error.unwrap(), r("se"), 1e-6);
    assert_close(&what("deff"), ours.design_effect.unwrap(), r("deff"), 1e-6);
    let ci = ours.interval(IntervalMethod::Logit).unwrap();
    assert!(
        (ci.lower - r("logit_low")).abs() <= 1e-9,
        "{}",
        what("logit_low")
    );
    assert!(
        (ci.upper - r("logit_high")).abs() <= 1e-9,
        "{}",
        what("logit_high")
    );
}

fn check_design(design: &str, method: VarianceMethod, unit_base_weights: bool) {
    let data = load();
    let margins: Vec<&[usize]> = data.margins.iter().map(Vec::as_slice).collect();
    let base = if unit_base_weights {
        vec![1.0; data.w0.len()]
    } else {
        data.w0.clone()
    };
    let sample = Sample::new(&data.w)
        .unwrap()
        .with_domains(&data.commune, COMMUNES.len())
        .unwrap()
        .with_calibration(&base, &margins)
        .unwrap();
    let mut results: BTreeMap<String, Estimates> = BTreeMap::new();
    for (name, values) in &data.indicators {
        results.insert(name.clone(), sample.estimate(values, method).unwrap());
    }
    let mut compared = 0;
    for row in fixture("estimates.csv").deserialize::<BTreeMap<String, String>>() {
        let row = row.unwrap();
        if row["design"] != design {
            continue;
        }
        let estimates = &results[&row["indicator"]];
        let domain = row["domain"].as_str();
        let ours = match COMMUNES.iter().position(|&c| c == domain) {
            Some(j) => &estimates.domains[j],
            None => &estimates.overall,
        };
        compare(design, &row["indicator"], domain, ours, &row);
        compared += 1;
    }
    assert_eq!(compared, 12, "2 indicators × (overall + 5 communes)");
}

#[test]
fn linearization_matches_svymean_and_svyby_on_plain_weights() {
    check_design("plain", VarianceMethod::Linearization, false);
}

#[test]
fn calibration_variance_matches_svymean_and_svyby_on_calibrated_design() {
    check_design("calibrated", VarianceMethod::Calibration, false);
}

#[test]
fn calibration_variance_with_unit_base_weights_matches_raked_design() {
    // rake() projects on the margins without the base weights.
    check_design("raked", VarianceMethod::Calibration, true);
}

#[test]
fn indicator_table_matches_the_table_written_from_r_figures() {
    let data = load();
    let margins: Vec<&[usize]> = data.margins.iter().map(Vec::as_slice).collect();
    let sample = Sample::new(&data.w)
        .unwrap()
        .with_domains(&data.commune, COMMUNES.len())
        .unwrap()
        .with_calibration(&data.w0, &margins)
        .unwrap();
    // Labels given in reverse code order: rows must still come out in code order.
    let domains: Vec<DomainLabel> = COMMUNES
        .iter()
        .map(|code| DomainLabel {
            code: (*code).to_owned(),
            label: format!("Commune {code}"),
        })
        .collect();
    let reversed: Vec<DomainLabel> = domains.iter().rev().cloned().collect();
    let commune: Vec<Option<usize>> = data
        .commune
        .iter()
        .map(|c| c.map(|j| COMMUNES.len() - 1 - j))
        .collect();
    let sample_reversed = Sample::new(&data.w)
        .unwrap()
        .with_domains(&commune, COMMUNES.len())
        .unwrap()
        .with_calibration(&data.w0, &margins)
        .unwrap();
    let indicators = [
        Indicator {
            name: "y1".to_owned(),
            label: "Aucun équipement numérique".to_owned(),
            values: &data.indicators["y1"],
        },
        Indicator {
            name: "y2".to_owned(),
            label: "Difficultés avec les démarches en ligne, même accompagné".to_owned(),
            values: &data.indicators["y2"],
        },
    ];
    let options = TableOptions::new(VarianceMethod::Calibration, IntervalMethod::Wald);
    let expected = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/indicators/table_calibrated.csv"),
    )
    .unwrap();
    for (sample, labels) in [(&sample, &domains), (&sample_reversed, &reversed)] {
        let rows = indicator_table(sample, labels, &indicators, &options).unwrap();
        let mut written = Vec::new();
        write_table_csv(&rows, &mut written).unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            String::from_utf8(expected.clone()).unwrap()
        );
    }
}
