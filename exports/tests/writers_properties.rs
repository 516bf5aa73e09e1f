//! Properties of the writers over generated datasets: CSV cells survive a round trip through
//! the `csv` crate in both dialects (the spreadsheet one neutralising formulas with a leading
//! `'`), and every binary writer accepts any valid dataset and gives the same bytes twice.

use exports::dataset::{Dataset, DatasetInfo, Timestamp, Value, Variable};
use exports::writers::csv::{CsvOptions, reads_as_formula, write_csv};
use exports::writers::dta::write_dta;
use exports::writers::parquet::write_parquet;
use exports::writers::sav::{SavCompression, SavOptions, write_sav};
use proptest::prelude::*;

fn info() -> DatasetInfo {
    DatasetInfo {
        name: "proprietes".into(),
        title: "Propriétés".into(),
        created: Timestamp::new(2026, 11, 23, 12, 0, 0).unwrap(),
        notes: vec!["Note".into()],
    }
}

fn variables() -> Vec<Variable> {
    vec![
        Variable::integer("code", "Code")
            .with_value_labels([(1, "Un ; « deux »"), (98, "NSP")])
            .with_missing_values([98]),
        Variable::decimal("mesure", "Mesure", 3),
        Variable::text("texte", "Texte libre", 400),
    ]
}

type Row = (Option<i32>, Option<f64>, String);

fn rows() -> impl Strategy<Value = Vec<Row>> {
    let code = proptest::option::of(-200_000i32..200_000);
    let measure = proptest::option::of(-1e9f64..1e9);
    // Any characters but NUL, including quotes, separators, CR/LF and accents.
    let text = "[^\u{0}]{0,60}";
    proptest::collection::vec((code, measure, text), 0..25)
}

fn dataset(rows: &[Row]) -> Dataset {
    let mut d = Dataset::new(info(), variables()).unwrap();
    for (code, measure, text) in rows {
        d.push_row(vec![
            code.map_or(Value::Missing, |c| Value::Number(f64::from(c))),
            measure.map_or(Value::Missing, Value::Number),
            Value::Text(text.clone()),
        ])
        .unwrap();
    }
    d
}

fn read_csv(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn csv_cells_round_trip_in_both_dialects(rows in rows()) {
        let d = dataset(&rows);
        for (options, delimiter, mark) in [(CsvOptions::machine(), b',', "."), (CsvOptions::excel_fr(), b';', ",")] {
            let spreadsheet = options.neutralise_formulas;
            let mut out = Vec::new();
            write_csv(&d, &options, &mut out).unwrap();
            let read = read_csv(&out, delimiter);
            prop_assert_eq!(read.len(), rows.len());
            for (cells, (code, measure, text)) in read.iter().zip(&rows) {
                prop_assert_eq!(&cells[0], &code.map_or(String::new(), |c| c.to_string()));
                let parsed = (!cells[1].is_empty()).then(|| cells[1].replace(mark, ".").parse::<f64>().unwrap());
                prop_assert_eq!(parsed, *measure);
                if spreadsheet && reads_as_formula(text) {
                    prop_assert_eq!(&cells[2], &format!("'{text}"));
                } else {
                    prop_assert_eq!(&cells[2], text);
                }
            }
        }
    }

    #[test]
    fn binary_writers_accept_any_valid_dataset_and_are_deterministic(rows in rows()) {
        let d = dataset(&rows);
        let write = |d: &Dataset| {
            let mut files = vec![Vec::new(), Vec::new(), Vec::new(), Vec::new()];
            write_sav(d, &SavOptions::default(), &mut files[0]).unwrap();
            let raw = SavOptions { compression: SavCompression::None, weight_in_header: false };
            write_sav(d, &raw, &mut files[1]).unwrap();
            write_dta(d, &mut files[2]).unwrap();
            write_parquet(d, &mut files[3]).unwrap();
            files
        };
        let first = write(&d);
        prop_assert!(first.iter().all(|f| !f.is_empty()));
        prop_assert_eq!(first, write(&dataset(&rows)));
    }
}

#[test]
fn a_formula_answer_is_neutralised_for_spreadsheets_and_exact_in_the_machine_csv() {
    let formula = r#"=HYPERLINK("http://evil/","x")"#;
    let d = dataset(&[(Some(1), Some(-2.5), formula.to_owned())]);
    let cells = |options: CsvOptions, delimiter: u8| {
        let mut out = Vec::new();
        write_csv(&d, &options, &mut out).unwrap();
        read_csv(&out, delimiter).remove(0)
    };
    assert_eq!(cells(CsvOptions::machine(), b',')[2], formula);
    let excel = cells(CsvOptions::excel_fr(), b';');
    assert_eq!(excel[2], format!("'{formula}"));
    assert_eq!(
        excel[1], "-2,5",
        "a negative number is a number, not a formula"
    );
    assert_eq!(
        cells(CsvOptions::labelled(), b',')[2],
        format!("'{formula}")
    );
}
