//! Stacking waves whose questionnaires differ, with the report of what changed.

#[path = "fixtures/build/common.rs"]
mod common;

use common::*;
use exports::build::{StackError, WaveDataset, stack};
use exports::dataset::{ColumnRef, Dataset, DatasetInfo, Timestamp, Value, Variable, VariableKind};

/// The observatory questionnaire of a second wave: a new question, a reworded label and a
/// reworded option.
fn second_version() -> questionnaire::Questionnaire {
    let source = source()
        .replace("version = \"2026.1\"", "version = \"2027.1\"")
        .replace("fr = \"Sexe\"", "fr = \"Sexe déclaré\"")
        .replace(
            "fr = \"Le satellite\"",
            "fr = \"Une connexion par satellite\"",
        );
    assert!(source.contains("Sexe déclaré") && source.contains("Une connexion par satellite"));
    let source = format!(
        "{source}\n[[section.question]]\nvar = \"IA_USAGE\"\ntype = \"single\"\nlabel = \"Utilise des outils d'intelligence artificielle\"\ntext = \"Vous arrive-t-il d'utiliser des outils d'intelligence artificielle ?\"\noptions = \"oui_non\"\n"
    );
    questionnaire::load(&source, "observatoire-2027.toml").expect("second version loads")
}

fn info() -> DatasetInfo {
    DatasetInfo {
        name: "observatoire-vagues".into(),
        title: "Observatoire, vagues empilées".into(),
        created: Timestamp::parse_rfc3339("2027-06-01T12:00:00Z").unwrap(),
        notes: vec![],
    }
}

#[test]
fn waves_of_different_versions_stack_by_name_with_a_difference_report() {
    let q1 = observatory();
    let q2 = second_version();
    let wave1 = build(&q1, &six_completed(&q1), &options("2026-1"));
    let answers = with(vec![("IA_USAGE", code(1))]);
    let interviews2 = vec![
        input(&q2, "b1", &answers, None),
        input(&q2, "b2", &answers, None),
    ];
    let wave2 = build(&q2, &interviews2, &options("2027-1"));

    let stacked = stack(
        &[
            WaveDataset {
                wave: "2026-1",
                dataset: &wave1.dataset,
            },
            WaveDataset {
                wave: "2027-1",
                dataset: &wave2.dataset,
            },
        ],
        info(),
    )
    .unwrap();
    let dataset = &stacked.dataset;
    assert_eq!(dataset.row_count(), 8);
    let names: Vec<&str> = dataset
        .variables()
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(names[..2], ["wave", "id_repondant"]);
    // The new variable sits where the second questionnaire puts it: after LIMITATION.
    let limitation = names.iter().position(|n| *n == "LIMITATION").unwrap();
    assert_eq!(names[limitation + 1], "IA_USAGE");
    assert_eq!(names.len(), wave1.dataset.variables().len() + 2);

    let column = |name: &str| dataset.column(dataset.index_of(name).unwrap()).unwrap();
    match column("wave") {
        ColumnRef::Text(w) => assert_eq!(
            w[..],
            [
                "2026-1", "2026-1", "2026-1", "2026-1", "2026-1", "2026-1", "2027-1", "2027-1"
            ]
            .map(String::from)
        ),
        _ => panic!("wave is text"),
    }
    match column("IA_USAGE") {
        ColumnRef::Numeric(v) => {
            assert!(
                v[..6].iter().all(|x| x.is_nan()),
                "not asked in the first wave"
            );
            assert_eq!(v[6..], [1.0, 1.0]);
        }
        _ => panic!("IA_USAGE is numeric"),
    }
    let sexe = &dataset.variables()[dataset.index_of("SEXE").unwrap()];
    assert_eq!(sexe.label, "Sexe déclaré", "the latest label wins");

    let report = &stacked.report;
    assert_eq!(
        report.waves,
        vec![("2026-1".to_owned(), 6), ("2027-1".to_owned(), 2)]
    );
    let changes = &report.changes[0];
    assert_eq!(
        (changes.from.as_str(), changes.to.as_str()),
        ("2026-1", "2027-1")
    );
    assert_eq!(changes.added, vec!["IA_USAGE"]);
    assert!(changes.removed.is_empty());
    assert_eq!(changes.label_changes.len(), 1);
    assert_eq!(changes.label_changes[0].variable, "SEXE");
    assert_eq!(changes.label_changes[0].before, "Sexe");
    let satellite: Vec<_> = changes
        .value_label_changes
        .iter()
        .filter(|c| c.variable == "TYPE_CONNEXION")
        .collect();
    assert_eq!(satellite.len(), 1);
    assert_eq!(satellite[0].code, 5);
    assert_eq!(
        satellite[0].after.as_deref(),
        Some("Une connexion par satellite")
    );
    let json = serde_json::to_value(report).unwrap();
    assert_eq!(json["changes"][0]["added"][0], "IA_USAGE");
}

fn one_variable(variable: Variable, value: Value) -> Dataset {
    let mut dataset = Dataset::new(info(), vec![variable]).unwrap();
    dataset.push_row(vec![value]).unwrap();
    dataset
}

#[test]
fn a_variable_numeric_in_one_wave_and_text_in_another_is_an_error() {
    let a = one_variable(Variable::integer("NB", "Nombre"), Value::Number(2.0));
    let b = one_variable(
        Variable::text("NB", "Nombre", 5),
        Value::Text("deux".into()),
    );
    let error = stack(
        &[
            WaveDataset {
                wave: "v1",
                dataset: &a,
            },
            WaveDataset {
                wave: "v2",
                dataset: &b,
            },
        ],
        info(),
    )
    .unwrap_err();
    assert!(matches!(error, StackError::TypeConflict { .. }));
    let message = error.to_string();
    assert!(
        message.contains("« NB »")
            && message.contains("de type numérique dans la vague « v1 »")
            && message.contains("mais texte dans la vague « v2 »"),
        "{message}"
    );
}

#[test]
fn integer_and_decimal_storages_merge_and_are_reported() {
    let a = one_variable(Variable::integer("X", "x"), Value::Number(2.0));
    let b = one_variable(Variable::decimal("X", "x", 2), Value::Number(2.5));
    let stacked = stack(
        &[
            WaveDataset {
                wave: "v1",
                dataset: &a,
            },
            WaveDataset {
                wave: "v2",
                dataset: &b,
            },
        ],
        info(),
    )
    .unwrap();
    assert_eq!(
        stacked.dataset.variables()[1].kind,
        VariableKind::Decimal { decimals: 2 }
    );
    assert_eq!(stacked.report.changes[0].kind_changes[0].before, "integer");
    assert_eq!(
        stacked.report.changes[0].kind_changes[0].after,
        "decimal(2)"
    );
    assert!(matches!(
        stack(
            &[
                WaveDataset {
                    wave: "v1",
                    dataset: &a
                },
                WaveDataset {
                    wave: "v1",
                    dataset: &b
                }
            ],
            info()
        ),
        Err(StackError::DuplicateWave(_))
    ));
}
