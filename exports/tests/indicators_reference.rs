//! Indicators match R `survey` 4.1.1 on the fixtures of `tests/fixtures/indicators`
//! (see its README): `svymean`/`svyby` estimates, SEs and design effects for the plain-weights
//! design and for the calibrated (raked) design; `svyciprop` logit and Korn–Graubard (beta)
//! intervals with their effective sample sizes and degrees of freedom, on two surveys, one with
//! communes of 1, 3, 5 and 8 respondents; and the indicator tables written from R's figures.

use std::collections::BTreeMap;
use std::path::Path;

use exports::indicators::{
    DomainLabel, Estimate, Estimates, Indicator, IntervalMethod, Sample, TableOptions,
    VarianceMethod, indicator_table, write_table_csv,
};

struct Data {
    w0: Vec<f64>,
    w: Vec<f64>,
    /// Commune codes in sorted order: domain j is `communes[j]`.
    communes: Vec<String>,
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

fn load(name: &str) -> Data {
    let mut reader = fixture(name);
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
    let commune_index = categories(&communes);
    let mut codes = communes.clone();
    codes.sort();
    codes.dedup();
    let margins = vec![commune_index.clone(), categories(&sexe), categories(&age)];
    Data {
        w0,
        w,
        communes: codes,
        commune: commune_index.into_iter().map(Some).collect(),
        margins,
        indicators,
    }
}

/// The sample of `data` with its communes as domains and its calibration design.
fn sample_of<'a>(data: &'a Data, base_weights: &[f64]) -> Sample<'a> {
    let margins: Vec<&[usize]> = data.margins.iter().map(Vec::as_slice).collect();
    Sample::new(&data.w)
        .unwrap()
        .with_domains(&data.commune, data.communes.len())
        .unwrap()
        .with_calibration(base_weights, &margins)
        .unwrap()
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
}

fn check_design(design: &str, method: VarianceMethod, unit_base_weights: bool) {
    let data = load("data.csv");
    let base = if unit_base_weights {
        vec![1.0; data.w0.len()]
    } else {
        data.w0.clone()
    };
    let sample = sample_of(&data, &base);
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
        let ours = match data.communes.iter().position(|c| c == domain) {
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

/// The indicator table of `data` (communes labelled `Commune X`, the two indicators with
/// the script's labels) written as CSV, built twice: with the domains numbered in code order
/// and in reverse with their labels reversed, which must give the same rows in code order.
fn written_tables(data: &Data, labels: [&str; 2], options: &TableOptions) -> [String; 2] {
    let margins: Vec<&[usize]> = data.margins.iter().map(Vec::as_slice).collect();
    let count = data.communes.len();
    let domains: Vec<DomainLabel> = data
        .communes
        .iter()
        .map(|code| DomainLabel {
            code: code.clone(),
            label: format!("Commune {code}"),
        })
        .collect();
    let reversed: Vec<DomainLabel> = domains.iter().rev().cloned().collect();
    let commune_reversed: Vec<Option<usize>> = data
        .commune
        .iter()
        .map(|c| c.map(|j| count - 1 - j))
        .collect();
    let sample = sample_of(data, &data.w0);
    let sample_reversed = Sample::new(&data.w)
        .unwrap()
        .with_domains(&commune_reversed, count)
        .unwrap()
        .with_calibration(&data.w0, &margins)
        .unwrap();
    let indicators = [
        Indicator {
            name: "y1".to_owned(),
            label: labels[0].to_owned(),
            values: &data.indicators["y1"],
        },
        Indicator {
            name: "y2".to_owned(),
            label: labels[1].to_owned(),
            values: &data.indicators["y2"],
        },
    ];
    [(&sample, &domains), (&sample_reversed, &reversed)].map(|(sample, labels)| {
        let rows = indicator_table(sample, labels, &indicators, options).unwrap();
        let mut written = Vec::new();
        write_table_csv(&rows, &mut written).unwrap();
        String::from_utf8(written).unwrap()
    })
}

fn expected_table(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/indicators")
            .join(name),
    )
    .unwrap()
}

#[test]
fn indicator_table_matches_the_table_written_from_r_figures() {
    let data = load("data.csv");
    let labels = [
        "Aucun équipement numérique",
        "Difficultés avec les démarches en ligne, même accompagné",
    ];
    let options = TableOptions::new(VarianceMethod::Calibration, IntervalMethod::Wald);
    for written in written_tables(&data, labels, &options) {
        assert_eq!(written, expected_table("table_calibrated.csv"));
    }
}

#[test]
fn default_table_of_tiny_communes_matches_korn_graubard_intervals_and_flags_written_from_r() {
    let data = load("data_small.csv");
    let labels = [
        "Aucun équipement numérique",
        "Aide ses proches pour le numérique",
    ];
    let options = TableOptions::new(VarianceMethod::Calibration, IntervalMethod::default());
    for written in written_tables(&data, labels, &options) {
        assert_eq!(written, expected_table("table_small.csv"));
    }
}

/// One row of `intervals.csv`: R's figures for one survey, design, indicator and domain.
struct RInterval {
    row: BTreeMap<String, String>,
}

impl RInterval {
    fn text(&self, field: &str) -> &str {
        self.row[field].as_str()
    }

    /// A figure, `None` where R gave NaN (written empty).
    fn figure(&self, field: &str) -> Option<f64> {
        let text = self.text(field);
        (!text.is_empty()).then(|| text.parse().unwrap())
    }

    fn count(&self, field: &str) -> usize {
        self.text(field).parse().unwrap()
    }

    fn pair(&self, prefix: &str) -> Option<(f64, f64)> {
        Some((
            self.figure(&format!("{prefix}_low"))?,
            self.figure(&format!("{prefix}_high"))?,
        ))
    }

    fn label(&self) -> String {
        format!(
            "{} {} {} domain '{}' (n = {})",
            self.text("survey"),
            self.text("design"),
            self.text("indicator"),
            self.text("domain"),
            self.text("n")
        )
    }
}

/// Every row of `intervals.csv` with our estimate for the same cell.
fn interval_cells() -> Vec<(RInterval, Estimate)> {
    let mut cells = Vec::new();
    for survey in ["main", "small"] {
        let data = load(if survey == "main" {
            "data.csv"
        } else {
            "data_small.csv"
        });
        let sample = sample_of(&data, &data.w0);
        for (design, method) in [
            ("plain", VarianceMethod::Linearization),
            ("calibrated", VarianceMethod::Calibration),
        ] {
            let estimates: BTreeMap<&str, Estimates> = data
                .indicators
                .iter()
                .map(|(name, values)| (name.as_str(), sample.estimate(values, method).unwrap()))
                .collect();
            for row in fixture("intervals.csv").deserialize::<BTreeMap<String, String>>() {
                let r = RInterval { row: row.unwrap() };
                if r.text("survey") != survey || r.text("design") != design {
                    continue;
                }
                let of_indicator = &estimates[r.text("indicator")];
                let ours = match data.communes.iter().position(|c| c == r.text("domain")) {
                    Some(j) => of_indicator.domains[j].clone(),
                    None => of_indicator.overall.clone(),
                };
                cells.push((r, ours));
            }
        }
    }
    assert_eq!(cells.len(), 2 * 2 * (1 + 5) + 2 * 2 * (1 + 8));
    cells
}

/// Largest absolute difference between our bounds and R's.
fn bound_difference(ours: (f64, f64), r: (f64, f64)) -> f64 {
    (ours.0 - r.0).abs().max((ours.1 - r.1).abs())
}

fn bounds(estimate: &Estimate, method: IntervalMethod) -> (f64, f64) {
    let ci = estimate.interval(method).unwrap();
    (ci.lower, ci.upper)
}

#[test]
fn effective_sample_size_and_degrees_of_freedom_equal_those_of_svyciprop() {
    let mut largest = 0.0_f64;
    for (r, ours) in interval_cells() {
        let what = r.label();
        assert_eq!(ours.n, r.count("n"), "{what}");
        assert_eq!(ours.degrees_of_freedom, r.count("df"), "{what} degf");
        assert_eq!(
            ours.reference_degrees_of_freedom,
            r.count("ref_df"),
            "{what} nrow(design) − 1"
        );
        let p = ours.proportion.unwrap();
        assert!((p - r.figure("mean").unwrap()).abs() <= 1e-12, "{what}");
        match (r.figure("n_eff"), r.pair("rule")) {
            // A constant domain: n_eff is n (R: NaN, or 1e17 from rounding errors).
            (_, Some(_)) => assert_eq!(ours.effective_n, Some(ours.n as f64), "{what}"),
            (Some(n_eff), None) => {
                let relative = (ours.effective_n.unwrap() - n_eff).abs() / n_eff;
                assert!(
                    relative <= 1e-12,
                    "{what}: n_eff relative difference {relative:e}"
                );
                largest = largest.max(relative);
            }
            (None, None) => panic!("{what}: R has no n_eff for a varying domain"),
        }
    }
    println!("n_eff: largest relative difference {largest:e}");
}

#[test]
fn logit_interval_equals_svyciprop_logit() {
    // svyciprop(method = "logit") fits a quasibinomial svyglm, whose IRLS stops at glm's
    // convergence criterion (1e-8 on the deviance): its bounds differ from the closed form of
    // the same interval (method "xlogit" with df = degf(design)) by up to 1.5e-9. Ours is the
    // closed form: compared to it at 1e-12 and to the svyglm fit at 5e-9.
    let (mut closed, mut fitted, mut compared) = (0.0_f64, 0.0_f64, 0);
    for (r, ours) in interval_cells() {
        let what = r.label();
        let logit = bounds(&ours, IntervalMethod::Logit);
        let p = ours.proportion.unwrap();
        if let Some(xlogit) = r.pair("xlogit") {
            closed = closed.max(bound_difference(logit, xlogit));
        } else {
            // R's closed form is NaN at p = 0 or 1 (infinite log-odds): ours is the point p.
            assert_eq!(logit, (p, p), "{what}");
        }
        match r.pair("logit") {
            Some(fit) if r.text("logit_fit_ok") == "1" => {
                let difference = bound_difference(logit, fit);
                assert!(difference <= 5e-9, "{what}: {logit:?} vs R {fit:?}");
                fitted = fitted.max(difference);
                compared += 1;
            }
            // svyglm diverged (intercept −2.6e15): R's interval is [0, 0], not compared.
            Some(_) => assert!(r.pair("xlogit").is_some(), "{what}"),
            // df = 0 (one respondent): R gives NaN, ours is the point p (p is 0 or 1).
            None => {
                assert_eq!(ours.degrees_of_freedom, 0, "{what}");
                assert_eq!(logit, (p, p), "{what}");
            }
        }
    }
    assert!(closed <= 1e-12, "logit vs closed form: {closed:e}");
    assert!(compared >= 50, "{compared} cells compared");
    println!("logit: closed form {closed:e}, svyglm {fitted:e} over {compared} cells");
}

#[test]
fn beta_interval_equals_svyciprop_beta_including_communes_of_three_and_five() {
    let mut largest = 0.0_f64;
    let mut tiny = 0;
    for (r, ours) in interval_cells() {
        let what = r.label();
        let beta = bounds(&ours, IntervalMethod::Beta);
        // Constant domains follow the documented rule (n_eff = n), evaluated by R's qbeta;
        // svyciprop itself gives NaN there, or a point from a variance of rounding errors.
        let reference = r.pair("rule").or_else(|| r.pair("beta")).unwrap();
        let difference = bound_difference(beta, reference);
        assert!(difference <= 1e-12, "{what}: {beta:?} vs R {reference:?}");
        largest = largest.max(difference);
        if ours.n <= 5 && r.pair("rule").is_none() {
            tiny += 1;
        }
    }
    assert!(tiny >= 4, "{tiny} varying cells of at most 5 respondents");
    println!("beta: largest difference {largest:e}");
}
