//! Writes every format to a temporary directory and reads it back with independent readers
//! (pyreadstat/ReadStat, GNU PSPP, pandas, pyarrow, Python's csv module) through the scripts in
//! `tests/readback/`. Missing readers make these tests fail with the command to install them:
//! `pip install pyreadstat pandas pyarrow` and `apt-get install -y pspp`.

#[path = "readback/fixture.rs"]
mod fixture;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::Command;

use exports::dataset::{ColumnRef, Dataset, Value, Variable, VariableKind};
use exports::writers::bundle;
use exports::writers::dta::write_dta;
use exports::writers::manifest::Manifest;
use exports::writers::sav::{SavCompression, SavOptions, write_sav};
use serde_json::{Value as Json, json};

/// Files of an export bundle, then the uncompressed `.sav` the tests add.
const FILES: [&str; 12] = [
    bundle::CSV,
    bundle::CSV_CODES,
    bundle::CSV_EXCEL_FR,
    bundle::CSV_LABELLED,
    bundle::SAV,
    bundle::DTA,
    bundle::PARQUET,
    bundle::CODEBOOK_MD,
    bundle::CODEBOOK_HTML,
    bundle::DATAPACKAGE,
    bundle::MANIFEST,
    "donnees-non-compresse.sav",
];

fn create(dir: &Path, name: &str) -> BufWriter<File> {
    BufWriter::new(File::create(dir.join(name)).expect("create output file"))
}

/// Writes the export bundle of `dataset` into `dir`, plus an uncompressed `.sav` recording
/// the weight in its header.
fn write_all(dataset: &Dataset, dir: &Path) {
    let manifest = bundle::write_bundle(dataset, dir, None).unwrap();
    assert_eq!(manifest.files.len(), 10);
    let raw = SavOptions {
        compression: SavCompression::None,
        weight_in_header: true,
    };
    write_sav(dataset, &raw, create(dir, FILES[11])).unwrap();
}

fn written() -> (tempfile::TempDir, Dataset) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let dataset = fixture::dataset();
    write_all(&dataset, dir.path());
    (dir, dataset)
}

/// Runs a readback script and parses its JSON output; fails with the install hint when a
/// reader is missing.
fn read_back(script: &str, args: &[&str]) -> Json {
    let script_path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "readback", script]
        .iter()
        .collect();
    let output = Command::new("python3")
        // Keep the source tree free of __pycache__ directories.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .arg(&script_path)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}): install Python 3, then `pip install pyreadstat pandas pyarrow`")
        });
    assert!(
        output.status.success(),
        "{script} failed (exit {:?}):\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("readback JSON")
}

fn path_str(dir: &Path, name: &str) -> String {
    dir.join(name).to_string_lossy().into_owned()
}

/// The dataset's cells as JSON: numbers, null for system-missing, strings.
fn expected_rows(dataset: &Dataset) -> Vec<Vec<Json>> {
    (0..dataset.row_count())
        .map(|row| {
            dataset
                .iter_columns()
                .map(|(_, column)| match column {
                    ColumnRef::Numeric(v) if v[row].is_nan() => Json::Null,
                    ColumnRef::Numeric(v) => json!(v[row]),
                    ColumnRef::Text(v) => json!(v[row]),
                })
                .collect()
        })
        .collect()
}

fn names(dataset: &Dataset) -> Vec<String> {
    dataset.variables().iter().map(|v| v.name.clone()).collect()
}

fn as_f64(cell: &Json) -> Option<f64> {
    cell.as_f64()
}

/// Compares numbers numerically (readers may return ints or floats) and strings exactly.
fn assert_rows_equal(actual: &Json, expected: &[Vec<Json>], what: &str) {
    let actual = actual.as_array().expect("rows array");
    assert_eq!(actual.len(), expected.len(), "{what}: row count");
    for (r, (a_row, e_row)) in actual.iter().zip(expected).enumerate() {
        let a_row = a_row.as_array().expect("row array");
        assert_eq!(a_row.len(), e_row.len(), "{what}: row {r} width");
        for (c, (a, e)) in a_row.iter().zip(e_row).enumerate() {
            let same = match (as_f64(a), as_f64(e)) {
                (Some(x), Some(y)) => x == y,
                _ => a == e,
            };
            assert!(same, "{what}: row {r} column {c}: read {a}, wrote {e}");
        }
    }
}

fn expected_value_labels(dataset: &Dataset, stata: bool) -> Json {
    let mut out = serde_json::Map::new();
    for v in dataset
        .variables()
        .iter()
        .filter(|v| !v.value_labels.is_empty())
    {
        let missing = v.sorted_missing_values();
        let labels: serde_json::Map<String, Json> = v
            .value_labels
            .iter()
            .map(|(code, label)| {
                let key = match missing.iter().position(|m| m == code) {
                    Some(k) if stata => format!(".{}", char::from(b'a' + k as u8)),
                    _ => code.to_string(),
                };
                (key, json!(label))
            })
            .collect();
        out.insert(v.name.clone(), Json::Object(labels));
    }
    Json::Object(out)
}

fn expected_variable_labels(dataset: &Dataset) -> Json {
    dataset
        .variables()
        .iter()
        .map(|v| (v.name.clone(), json!(v.label)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn expected_missing(dataset: &Dataset) -> Json {
    dataset
        .variables()
        .iter()
        .filter(|v| !v.missing_values.is_empty())
        .map(|v| {
            let codes: Vec<f64> = v
                .sorted_missing_values()
                .into_iter()
                .map(f64::from)
                .collect();
            (v.name.clone(), json!(codes))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn expected_measures(dataset: &Dataset) -> Json {
    dataset
        .variables()
        .iter()
        .map(|v| (v.name.clone(), json!(v.measure.as_str())))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// SPSS pads strings with spaces, so readers return them without trailing spaces.
fn spss_rows(dataset: &Dataset) -> Vec<Vec<Json>> {
    expected_rows(dataset)
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|cell| match cell {
                    Json::String(s) => json!(s.trim_end_matches(' ')),
                    other => other,
                })
                .collect()
        })
        .collect()
}

#[test]
fn sav_reads_back_with_pyreadstat_in_both_compressions() {
    let (dir, dataset) = written();
    for file in ["donnees.sav", "donnees-non-compresse.sav"] {
        let read = read_back("read_pyreadstat.py", &["sav", &path_str(dir.path(), file)]);
        assert_eq!(read["names"], json!(names(&dataset)), "{file}");
        assert_eq!(read["file_label"], json!(dataset.info().title), "{file}");
        assert_eq!(
            read["variable_labels"],
            expected_variable_labels(&dataset),
            "{file}"
        );
        assert_eq!(
            read["value_labels"],
            expected_value_labels(&dataset, false),
            "{file}"
        );
        assert_eq!(read["missing"], expected_missing(&dataset), "{file}");
        assert_eq!(read["measures"], expected_measures(&dataset), "{file}");
        assert_eq!(read["formats"]["commentaire"], json!("A600"), "{file}");
        assert_eq!(read["formats"]["commune"], json!("F5.0"), "{file}");
        assert_eq!(read["formats"]["poids"], json!("F8.6"), "{file}");
        assert_rows_equal(&read["rows"], &spss_rows(&dataset), file);
    }
}

#[test]
fn sav_reads_back_with_pspp() {
    let (dir, dataset) = written();
    for (file, compression, weight) in [
        ("donnees.sav", "SAV", "Poids de redressement"),
        ("donnees-non-compresse.sav", "None", "Poids de redressement"),
    ] {
        let read = read_back("read_pspp_sav.py", &[&path_str(dir.path(), file)]);
        let info = &read["file_info"];
        assert_eq!(info["Compression"], json!(compression), "{file}");
        assert_eq!(info["Weight"], json!(weight), "{file}");
        assert_eq!(info["Encoding"], json!("UTF-8"), "{file}");
        assert_eq!(info["Cases"], json!(fixture::ROWS.to_string()), "{file}");
        assert_eq!(info["Label"], json!(dataset.info().title), "{file}");
        assert_eq!(
            info["Created"],
            json!("23 Nov 26 09:05:30 by cati exports"),
            "{file}"
        );
        assert_eq!(
            info["Documents"],
            json!(dataset.info().notes.join("\n")),
            "{file}"
        );
        assert_eq!(read["names"], json!(names(&dataset)), "{file}");
        assert_eq!(
            read["variable_labels"],
            expected_variable_labels(&dataset),
            "{file}"
        );
        assert_eq!(
            read["value_labels"],
            expected_value_labels(&dataset, false),
            "{file}"
        );
        assert_eq!(read["missing"], expected_missing(&dataset), "{file}");
        assert_eq!(read["measures"], expected_measures(&dataset), "{file}");
        let rows = read["rows"].as_array().expect("rows");
        let expected = spss_rows(&dataset);
        assert_eq!(rows.len(), expected.len(), "{file}");
        for (r, (row, want)) in rows.iter().zip(&expected).enumerate() {
            for (c, (cell, want)) in row.as_array().unwrap().iter().zip(want).enumerate() {
                let shown = cell.as_str().unwrap();
                let variable = &dataset.variables()[c];
                match (want, variable.kind) {
                    (Json::Null, _) => assert_eq!(shown.trim(), ".", "{file} row {r} col {c}"),
                    (Json::String(s), _) => assert_eq!(shown, s, "{file} row {r} col {c}"),
                    (n, kind) => {
                        let decimals = match kind {
                            VariableKind::Decimal { decimals } => i32::from(decimals),
                            _ => 0,
                        };
                        let value: f64 = shown.trim().parse().expect("number listed by PSPP");
                        let tolerance = 0.5 * 10f64.powi(-decimals) + 1e-9;
                        assert!(
                            (value - n.as_f64().unwrap()).abs() <= tolerance,
                            "{file} row {r} col {c}: PSPP lists {shown}, wrote {n}"
                        );
                    }
                }
            }
        }
    }
}

/// Stata rows: declared missing codes become `.a`, `.b`… (see `writers::dta`).
fn stata_rows(dataset: &Dataset) -> Vec<Vec<Json>> {
    let mut rows = expected_rows(dataset);
    for (c, variable) in dataset.variables().iter().enumerate() {
        let missing = variable.sorted_missing_values();
        for row in &mut rows {
            if let Some(k) = row[c]
                .as_f64()
                .and_then(|v| missing.iter().position(|&m| f64::from(m) == v))
            {
                row[c] = json!(format!(".{}", char::from(b'a' + k as u8)));
            }
        }
    }
    rows
}

#[test]
fn dta_reads_back_with_pyreadstat_and_declared_missing_as_extended_missing() {
    let (dir, dataset) = written();
    let read = read_back(
        "read_pyreadstat.py",
        &["dta", &path_str(dir.path(), "donnees.dta")],
    );
    assert_eq!(read["names"], json!(names(&dataset)));
    assert_eq!(read["file_label"], json!(dataset.info().title));
    assert_eq!(read["notes"], json!(dataset.info().notes));
    assert_eq!(read["variable_labels"], expected_variable_labels(&dataset));
    assert_eq!(read["value_labels"], expected_value_labels(&dataset, true));
    assert_eq!(read["formats"]["poids"], json!("%13.6f"));
    assert_rows_equal(&read["rows"], &stata_rows(&dataset), "pyreadstat dta");
}

#[test]
fn dta_reads_back_with_pandas() {
    let (dir, dataset) = written();
    let read = read_back(
        "read_pandas_dta.py",
        &[&path_str(dir.path(), "donnees.dta")],
    );
    assert_eq!(read["names"], json!(names(&dataset)));
    assert_eq!(read["file_label"], json!(dataset.info().title));
    assert_eq!(read["variable_labels"], expected_variable_labels(&dataset));
    assert_eq!(read["value_labels"], expected_value_labels(&dataset, true));
    assert_rows_equal(&read["rows"], &stata_rows(&dataset), "pandas dta");
    assert_eq!(
        read["categorical_first_row"]["commune"],
        json!("Ambarès-et-Lagrave")
    );
    assert_eq!(
        read["categorical_first_row"]["usage_internet"],
        json!("Oui, tous les jours")
    );
}

#[test]
fn parquet_reads_back_with_pyarrow_including_label_metadata() {
    let (dir, dataset) = written();
    let read = read_back(
        "read_pyarrow_parquet.py",
        &[&path_str(dir.path(), "donnees.parquet")],
    );
    assert_eq!(read["types"]["commune"], json!("int64"));
    assert_eq!(read["types"]["poids"], json!("double"));
    assert_eq!(read["types"]["commentaire"], json!("string"));
    let usage = &read["field_metadata"]["usage_internet"];
    assert_eq!(usage["label"], json!("Usage d'internet"));
    assert_eq!(usage["missing_values"], json!([98, 99]));
    assert_eq!(usage["value_labels"]["98"], json!("Ne sait pas"));
    assert_eq!(
        read["field_metadata"]["aisance"]["measure"],
        json!("ordinal")
    );
    assert_eq!(read["field_metadata"]["poids"]["role"], json!("weight"));
    let file = &read["file_metadata"];
    assert_eq!(file["survey.weight_variable"], json!("poids"));
    assert_eq!(file["survey.created"], json!("2026-11-23T09:05:30Z"));
    let labels: Json = serde_json::from_str(file["survey.value_labels"].as_str().unwrap()).unwrap();
    assert_eq!(labels, {
        let mut all = expected_value_labels(&dataset, false);
        for v in dataset
            .variables()
            .iter()
            .filter(|v| v.value_labels.is_empty())
        {
            all[&v.name] = json!({});
        }
        all
    });
    let vlabels: Json =
        serde_json::from_str(file["survey.variable_labels"].as_str().unwrap()).unwrap();
    assert_eq!(vlabels, expected_variable_labels(&dataset));
    assert_rows_equal(&read["rows"], &analysis_rows(&dataset), "pyarrow");
    assert_eq!(read["names"], json!(analysis_names(&dataset)));
}

/// Column names of the analysis files: each variable with declared missing codes is followed
/// by `<name>_nr`.
fn analysis_names(dataset: &Dataset) -> Vec<String> {
    let mut out = Vec::new();
    for v in dataset.variables() {
        out.push(v.name.clone());
        if !v.missing_values.is_empty() {
            out.push(format!("{}_nr", v.name));
        }
    }
    out
}

/// Rows of the analysis files: declared missing codes are null, their label in `<name>_nr`.
fn analysis_rows(dataset: &Dataset) -> Vec<Vec<Json>> {
    expected_rows(dataset)
        .into_iter()
        .map(|row| {
            let mut out = Vec::new();
            for (v, cell) in dataset.variables().iter().zip(row) {
                if v.missing_values.is_empty() {
                    out.push(cell);
                    continue;
                }
                let code = cell.as_f64().filter(|&x| v.is_declared_missing(x));
                match code {
                    Some(code) => {
                        out.push(Json::Null);
                        out.push(json!(v.value_labels[&(code as i32)]));
                    }
                    None => {
                        out.push(cell);
                        out.push(Json::Null);
                    }
                }
            }
            out
        })
        .collect()
}

/// CSV cells as the Python csv module returns them: strings, "" for missing.
fn csv_cells(dataset: &Dataset, decimal_comma: bool, labelled: bool) -> Vec<Vec<Json>> {
    (0..dataset.row_count())
        .map(|row| {
            dataset
                .iter_columns()
                .map(|(variable, column)| match column {
                    ColumnRef::Numeric(v) if v[row].is_nan() => json!(""),
                    ColumnRef::Numeric(v) => {
                        let label = (labelled && v[row].fract() == 0.0)
                            .then(|| variable.value_labels.get(&(v[row] as i32)))
                            .flatten();
                        match label {
                            Some(l) => json!(l),
                            None => {
                                let text = format!("{}", v[row]);
                                json!(if decimal_comma {
                                    text.replace('.', ",")
                                } else {
                                    text
                                })
                            }
                        }
                    }
                    ColumnRef::Text(v) => json!(v[row]),
                })
                .collect()
        })
        .collect()
}

#[test]
fn csv_variants_read_back_with_python_csv_and_pandas() {
    let (dir, dataset) = written();
    let machine = read_back(
        "read_csv.py",
        &["machine", &path_str(dir.path(), "donnees-codes.csv")],
    );
    assert_eq!(machine["bom"], json!(false));
    assert_eq!(machine["crlf"], json!(true));
    assert_eq!(machine["header"], json!(names(&dataset)));
    assert_eq!(machine["rows"], json!(csv_cells(&dataset, false, false)));
    assert_eq!(machine["pandas_dtypes"]["poids"], json!("float64"));
    let pandas_rows: Vec<Vec<Json>> = expected_rows(&dataset)
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|c| if c == json!("") { Json::Null } else { c })
                .collect()
        })
        .collect();
    assert_rows_equal(&machine["pandas_rows"], &pandas_rows, "pandas machine csv");

    let fr = read_back(
        "read_csv.py",
        &["excel-fr", &path_str(dir.path(), "donnees-excel-fr.csv")],
    );
    assert_eq!(fr["bom"], json!(true));
    assert_eq!(fr["rows"], json!(csv_cells(&dataset, true, false)));
    assert_eq!(fr["pandas_dtypes"]["ecart"], json!("float64"));
    assert_rows_equal(&fr["pandas_rows"], &pandas_rows, "pandas excel-fr csv");

    let analysis = read_back(
        "read_csv.py",
        &["machine", &path_str(dir.path(), "donnees.csv")],
    );
    assert_eq!(analysis["header"], json!(analysis_names(&dataset)));
    assert_eq!(
        analysis["pandas_dtypes"]["usage_internet"],
        json!("float64")
    );
    assert_ne!(
        analysis["pandas_dtypes"]["usage_internet_nr"],
        json!("float64")
    );
    let pandas_analysis: Vec<Vec<Json>> = analysis_rows(&dataset)
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|c| if c == json!("") { Json::Null } else { c })
                .collect()
        })
        .collect();
    assert_rows_equal(
        &analysis["pandas_rows"],
        &pandas_analysis,
        "pandas analysis csv",
    );

    let labelled = read_back(
        "read_csv.py",
        &["machine", &path_str(dir.path(), "donnees-libelles.csv")],
    );
    assert_eq!(labelled["rows"], json!(csv_cells(&dataset, false, true)));
    assert_eq!(labelled["rows"][0][1], json!("Ambarès-et-Lagrave"));
}

#[test]
fn datapackage_describes_the_csv_with_a_table_schema() {
    let (dir, dataset) = written();
    let text = std::fs::read_to_string(dir.path().join("datapackage.json")).unwrap();
    let package: Json = serde_json::from_str(&text).unwrap();
    assert_eq!(package["profile"], json!("tabular-data-package"));
    assert_eq!(package["name"], json!(dataset.info().name));
    let manifest: Json =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap())
            .unwrap();
    let resources = package["resources"].as_array().unwrap();
    let paths: Vec<&str> = resources
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "donnees.csv",
            "donnees-codes.csv",
            "donnees-excel-fr.csv",
            "donnees-libelles.csv",
            "donnees.sav",
            "donnees.dta",
            "donnees.parquet"
        ]
    );
    for (resource, entry) in resources.iter().zip(manifest["files"].as_array().unwrap()) {
        assert_eq!(resource["path"], entry["path"]);
        let sha = entry["sha256"].as_str().unwrap();
        assert_eq!(resource["hash"], json!(format!("sha256:{sha}")));
        assert_eq!(
            resource["schema"]["primaryKey"],
            json!(["id"]),
            "{resource}"
        );
    }
    let analysis_fields: Vec<&str> = resources[0]["schema"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(analysis_fields, analysis_names(&dataset));
    let usage_nr = &resources[0]["schema"]["fields"][3];
    assert_eq!(usage_nr["type"], json!("string"));
    assert_eq!(
        usage_nr["constraints"]["enum"],
        json!(["Ne sait pas", "Refus"])
    );
    assert!(resources[0]["schema"]["fields"][2]["missingValues"].is_null());
    assert_eq!(resources[3]["schema"]["fields"][2]["type"], json!("string"));
    assert_eq!(resources[6]["format"], json!("parquet"));
    assert!(resources[6]["dialect"].is_null());
    let resource = &resources[1];
    assert_eq!(resource["dialect"]["delimiter"], json!(","));
    let fields = resource["schema"]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), dataset.variables().len());
    let usage = &fields[2];
    assert_eq!(usage["name"], json!("usage_internet"));
    assert_eq!(usage["title"], json!("Usage d'internet"));
    assert_eq!(usage["type"], json!("integer"));
    assert_eq!(usage["constraints"]["enum"], json!([1, 2, 3]));
    assert_eq!(usage["missingValues"], json!(["", "98", "99"]));
    assert_eq!(
        usage["categories"][3],
        json!({"value": 98, "label": "Ne sait pas"})
    );
    assert_eq!(fields[3]["categoriesOrdered"], json!(true));
    assert_eq!(fields[8]["type"], json!("number"));
    assert_eq!(fields[7]["type"], json!("string"));
    assert_eq!(resource["schema"]["missingValues"], json!([""]));
}

#[test]
fn manifest_checksums_match_an_independent_sha256() {
    let (dir, _) = written();
    let manifest: Manifest =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest.files.len(), FILES.len() - 2);
    let script = "import hashlib,sys,json; print(json.dumps([hashlib.sha256(open(p,'rb').read()).hexdigest() for p in sys.argv[1:]]))";
    let paths: Vec<String> = manifest
        .files
        .iter()
        .map(|f| path_str(dir.path(), &f.path))
        .collect();
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(&paths)
        .output()
        .expect("python3");
    let digests: Vec<String> = serde_json::from_slice(&output.stdout).unwrap();
    let ours: Vec<String> = manifest.files.iter().map(|f| f.sha256.clone()).collect();
    assert_eq!(ours, digests);
}

#[test]
fn codebooks_show_questions_filters_labels_and_weighted_frequencies() {
    let (dir, dataset) = written();
    let md = std::fs::read_to_string(dir.path().join("dictionnaire.md")).unwrap();
    let html = std::fs::read_to_string(dir.path().join("dictionnaire.html")).unwrap();
    for v in dataset.variables() {
        assert!(
            md.contains(&format!("## {} — ", v.name.replace('_', "\\_"))),
            "{}",
            v.name
        );
        assert!(
            html.contains(&format!("id=\"var-{}\"", v.name)),
            "{}",
            v.name
        );
        if let Some(q) = &v.question {
            assert!(
                html.contains(&q.replace('\'', "&#39;")),
                "question of {}",
                v.name
            );
        }
    }
    assert!(md.contains("Effectifs pondérés par la variable poids"));
    assert!(md.contains("| Code | Libellé | Effectif | % | Effectif pondéré | % pondéré |"));
    assert!(md.contains("usage\\_internet = 1 ou 2"));
    assert!(md.contains("Ne sait pas (manquante déclarée)"));
    assert!(html.contains("<td>Saint-Médard-en-Jalles</td>"));
    assert!(html.contains("Valeur manquante système"));
    assert!(
        !html.contains("http") && !html.contains("src="),
        "HTML must be self-contained"
    );
}

#[test]
fn every_writer_is_deterministic_byte_for_byte() {
    let dataset = fixture::dataset();
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    write_all(&dataset, first.path());
    write_all(&fixture::dataset(), second.path());
    for name in FILES {
        let a = std::fs::read(first.path().join(name)).unwrap();
        let b = std::fs::read(second.path().join(name)).unwrap();
        assert!(!a.is_empty(), "{name} is empty");
        assert!(a == b, "{name} differs between two writes");
    }
}

#[test]
fn strings_longer_than_2045_bytes_become_stata_strls_and_spss_very_long_strings() {
    let dir = tempfile::tempdir().unwrap();
    let mut dataset = Dataset::new(
        fixture::info(),
        vec![
            Variable::integer("n", "Numéro"),
            Variable::text("long_texte", "Texte très long", 5000),
            Variable::text("court", "Court", 3),
        ],
    )
    .unwrap();
    let long = |i: usize| format!("{i} — {}", "Verbatim accentué « éèà », ".repeat(120));
    for i in 0..6 {
        let text = if i == 2 {
            Value::Missing
        } else {
            Value::Text(long(i))
        };
        let short = Value::Text(["oui", "non", "é"][i % 3].into());
        dataset
            .push_row(vec![Value::Number(i as f64), text, short])
            .unwrap();
    }
    assert!(long(0).len() > 2045);
    write_dta(&dataset, create(dir.path(), "long.dta")).unwrap();
    write_sav(
        &dataset,
        &SavOptions::default(),
        create(dir.path(), "long.sav"),
    )
    .unwrap();
    let expected = expected_rows(&dataset);
    for script in ["read_pandas_dta.py", "read_pyreadstat.py"] {
        let args: Vec<String> = match script {
            "read_pyreadstat.py" => vec!["dta".into(), path_str(dir.path(), "long.dta")],
            _ => vec![path_str(dir.path(), "long.dta")],
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let read = read_back(script, &args);
        assert_rows_equal(&read["rows"], &expected, script);
    }
    let read = read_back(
        "read_pyreadstat.py",
        &["dta", &path_str(dir.path(), "long.dta")],
    );
    assert_eq!(read["formats"]["long_texte"], json!("%-9s"));
    let sav = read_back(
        "read_pyreadstat.py",
        &["sav", &path_str(dir.path(), "long.sav")],
    );
    assert_rows_equal(&sav["rows"], &spss_rows(&dataset), "long sav");
    assert_eq!(sav["formats"]["long_texte"], json!("A5000"));
}

#[test]
fn an_empty_dataset_is_still_readable() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = Dataset::new(fixture::info(), fixture::variables()).unwrap();
    write_all(&dataset, dir.path());
    let sav = read_back(
        "read_pyreadstat.py",
        &["sav", &path_str(dir.path(), "donnees.sav")],
    );
    assert_eq!(sav["row_count"], json!(0));
    let dta = read_back(
        "read_pandas_dta.py",
        &[&path_str(dir.path(), "donnees.dta")],
    );
    assert_eq!(dta["names"], json!(names(&dataset)));
    let parquet = read_back(
        "read_pyarrow_parquet.py",
        &[&path_str(dir.path(), "donnees.parquet")],
    );
    assert_eq!(parquet["row_count"], json!(0));
}

/// A dataset with what the labels-and-types round trip checks: an accented name, a title and
/// a grid-item label longer than Stata shows, a date with a system-missing value, and a weight.
fn labels_and_types() -> Dataset {
    let info = exports::dataset::DatasetInfo {
        name: "obs-inegalites-numeriques-démonstration".into(),
        title: "Observatoire des inégalités numériques de Bordeaux Métropole, vague démonstration"
            .into(),
        ..fixture::info()
    };
    let vars = vec![
        Variable::integer("id", "Identifiant"),
        Variable::integer(
            "INQ_DONNEES",
            "Inquiétudes liées à internet : … le vol de vos données personnelles ou de vos mots de passe ?",
        )
        .with_value_labels([(1, "Très inquiet(e)"), (2, "Peu inquiet(e)")]),
        Variable::date("date_entretien", "Date de l'entretien"),
        Variable::decimal("POIDS", "Poids", 6).as_weight(),
    ];
    let mut dataset = Dataset::new(info, vars).unwrap();
    for (i, date) in [Some((2026, 3, 2)), None, Some((1999, 12, 31))]
        .into_iter()
        .enumerate()
    {
        let date = date.map_or(Value::Missing, |(y, m, d)| {
            Value::Number(exports::dataset::days_from_ymd(y, m, d).unwrap() as f64)
        });
        dataset
            .push_row(vec![
                Value::Number(i as f64 + 1.0),
                Value::Number(1.0 + (i % 2) as f64),
                date,
                Value::Number(1.5),
            ])
            .unwrap();
    }
    dataset
}

#[test]
fn labels_and_types_round_trip_in_sav_dta_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = labels_and_types();
    bundle::write_bundle(&dataset, dir.path(), None).unwrap();
    let long_label = dataset.variables()[1].label.clone();
    assert!(long_label.chars().count() > 80);
    let dates = [json!("2026-03-02"), Json::Null, json!("1999-12-31")];
    let column = |read: &Json, c: usize| -> Vec<Json> {
        read["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[c].clone())
            .collect()
    };

    // SPSS: full label, SDATE dates, weight switched on, file label cut at a word.
    let sav = read_back(
        "read_pyreadstat.py",
        &["sav", &path_str(dir.path(), "donnees.sav")],
    );
    assert_eq!(sav["variable_labels"]["INQ_DONNEES"], json!(long_label));
    assert_eq!(sav["formats"]["date_entretien"], json!("SDATE10"));
    assert_eq!(column(&sav, 2), dates);
    assert_eq!(
        sav["file_label"],
        json!("Observatoire des inégalités numériques de Bordeaux…")
    );
    let pspp = read_back("read_pspp_sav.py", &[&path_str(dir.path(), "donnees.sav")]);
    assert_eq!(pspp["file_info"]["Weight"], json!("Poids"));
    assert_eq!(pspp["variable_labels"]["INQ_DONNEES"], json!(long_label));
    assert_eq!(pspp["rows"][0][2], json!("2026/03/02"));

    // Stata: 80-character labels cut at a word with `…`, %td dates.
    let stata_label =
        "Inquiétudes liées à internet : … le vol de vos données personnelles ou de vos…";
    let stata_title = "Observatoire des inégalités numériques de Bordeaux Métropole, vague…";
    for script in ["read_pyreadstat.py", "read_pandas_dta.py"] {
        let path = path_str(dir.path(), "donnees.dta");
        let args: Vec<&str> = match script {
            "read_pyreadstat.py" => vec!["dta", &path],
            _ => vec![&path],
        };
        let dta = read_back(script, &args);
        assert_eq!(
            dta["variable_labels"]["INQ_DONNEES"],
            json!(stata_label),
            "{script}"
        );
        assert_eq!(dta["file_label"], json!(stata_title), "{script}");
        assert_eq!(column(&dta, 2), dates, "{script}");
    }
    assert!(stata_label.chars().count() <= 80 && stata_title.chars().count() <= 80);

    // Parquet: date32, full label and title.
    let parquet = read_back(
        "read_pyarrow_parquet.py",
        &[&path_str(dir.path(), "donnees.parquet")],
    );
    assert_eq!(parquet["types"]["date_entretien"], json!("date32[day]"));
    assert_eq!(column(&parquet, 2), dates);
    assert_eq!(
        parquet["field_metadata"]["INQ_DONNEES"]["label"],
        json!(long_label)
    );
    assert_eq!(
        parquet["file_metadata"]["survey.title"],
        json!(dataset.info().title)
    );

    // CSV and data package: ISO dates typed `date`, ASCII package name, accents in the title.
    let csv = std::fs::read_to_string(dir.path().join("donnees.csv")).unwrap();
    assert!(csv.contains(",2026-03-02,"), "{csv}");
    let package: Json = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("datapackage.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        package["name"],
        json!("obs-inegalites-numeriques-demonstration")
    );
    assert_eq!(package["title"], json!(dataset.info().title));
    assert_eq!(
        package["resources"][0]["schema"]["fields"][2]["type"],
        json!("date")
    );
}
