//! The design file: what it accepts, what it refuses (with lines), and writing it back.

use quotas::{CellKey, Design, DesignErrorKind, Rule, Tolerance};

const CROSSED: &str = r#"
[design]
id = "bm-2026"
title = "Observatoire 2026"
margins = [["commune", "sexe", "age"]]

[defaults]
kind = "soft"
tolerance_percent = 5

[[dimension]]
name = "commune"
variable = "COMMUNE"
categories = [
  { code = 33063, label = "Bordeaux" },
  { code = 33281, label = "Mérignac" },
]

[[dimension]]
name = "sexe"
variable = "SEXE"
categories = [{ code = 1, label = "Homme" }, { code = 2, label = "Femme" }]

[[dimension]]
name = "age"
variable = "AGE"
categories = [
  { code = 1, label = "15-44 ans", min = 15, max = 44 },
  { code = 2, label = "45 ans et plus", min = 45 },
]

[[cell]]
at = { commune = 33063, sexe = 1, age = 1 }
target = 40
[[cell]]
at = { commune = 33063, sexe = 1, age = 2 }
target = 35
[[cell]]
at = { commune = 33063, sexe = 2, age = 1 }
target = 42
[[cell]]
at = { commune = 33063, sexe = 2, age = 2 }
target = 38
kind = "hard"
[[cell]]
at = { age = 1, sexe = 1, commune = 33281 }
target = 10
closed = true
[[cell]]
at = { commune = 33281, sexe = 1, age = 2 }
target = 9
tolerance_percent = 10
[[cell]]
at = { commune = 33281, sexe = 2, age = 1 }
target = 11
[[cell]]
at = { commune = 33281, sexe = 2, age = 2 }
target = 10
"#;

fn key(text: &str) -> CellKey {
    text.parse().expect("valid key")
}

fn kinds(source: &str) -> Vec<(Option<usize>, DesignErrorKind)> {
    Design::from_toml(source)
        .expect_err("the design must be refused")
        .0
        .into_iter()
        .map(|e| (e.line, e.kind))
        .collect()
}

#[test]
fn crossed_design_file_is_read_with_defaults_and_overrides() {
    let design = Design::from_toml(CROSSED).expect("valid design");
    assert_eq!(design.id(), "bm-2026");
    assert_eq!(design.margins().len(), 1);
    assert_eq!(design.cells().count(), 8);
    let five = Rule::Soft(Tolerance::from_percent(5.0).expect("valid"));
    let first = design
        .cell(&key("commune=33063,sexe=1,age=1"))
        .expect("cell");
    assert_eq!((first.target, first.rule, first.closed), (40, five, false));
    assert_eq!(first.capacity(), 42);
    let hard = design
        .cell(&key("commune=33063,sexe=2,age=2"))
        .expect("cell");
    assert_eq!((hard.rule, hard.capacity()), (Rule::Hard, 38));
    // Keys written in any order are stored in the margin's order.
    let closed = design
        .cell(&key("commune=33281,sexe=1,age=1"))
        .expect("cell");
    assert!(closed.closed);
    let ten = design
        .cell(&key("commune=33281,sexe=1,age=2"))
        .expect("cell");
    assert_eq!(ten.capacity(), 9);
    assert_eq!(design.variables(), ["COMMUNE", "SEXE", "AGE"]);
}

#[test]
fn written_design_reads_back_identical() {
    let design = Design::from_toml(CROSSED).expect("valid design");
    let text = design.to_toml();
    let again = Design::from_toml(&text).expect("written design is valid");
    assert_eq!(again, design);
    assert!(text.contains("[defaults]\nkind = \"soft\"\ntolerance_percent = 5\n"));
}

#[test]
fn unknown_field_is_refused_with_its_line() {
    let source = CROSSED.replace("target = 35", "target = 35\ntarjet = 3");
    let errors = kinds(&source);
    assert_eq!(errors.len(), 1);
    let (line, kind) = &errors[0];
    assert_eq!(*line, Some(38));
    assert!(
        matches!(kind, DesignErrorKind::Syntax(m) if m.contains("tarjet")),
        "{kind:?}"
    );
}

#[test]
fn syntax_error_carries_its_line() {
    let errors = kinds("[design]\nid = \"x\"\nmargins = [[\"a\"]\n");
    assert_eq!(errors[0].0, Some(3));
}

#[test]
fn unknown_category_and_negative_target_are_refused_with_lines() {
    let source = CROSSED
        .replace(
            "at = { commune = 33063, sexe = 1, age = 2 }",
            "at = { commune = 33063, sexe = 3, age = 2 }",
        )
        .replace("target = 42", "target = -2");
    let errors = kinds(&source);
    assert!(errors.iter().any(|(line, kind)| *line == Some(35)
        && matches!(kind, DesignErrorKind::UnknownCategory { code: 3, .. })));
    assert!(errors.iter().any(|(line, kind)| *line == Some(38)
        && matches!(kind, DesignErrorKind::NegativeTarget { target: -2, .. })));
}

#[test]
fn duplicate_cell_is_refused() {
    let source = CROSSED.replace(
        "at = { commune = 33281, sexe = 2, age = 2 }",
        "at = { commune = 33281, sexe = 2, age = 1 }",
    );
    let errors = kinds(&source);
    assert!(errors.iter().any(|(line, kind)| *line == Some(56)
        && matches!(kind, DesignErrorKind::DuplicateCell(cell) if cell == "commune=33281,sexe=2,age=1")));
    // The replaced cell is now missing.
    assert!(errors.iter().any(|(_, kind)| matches!(kind,
        DesignErrorKind::MissingCells { count: 1, examples, .. } if examples == "commune=33281,sexe=2,age=2")));
}

#[test]
fn missing_cells_are_counted_and_named() {
    let end = CROSSED
        .find("[[cell]]\nat = { commune = 33281, sexe = 2, age = 1 }")
        .expect("cell");
    let errors = kinds(&CROSSED[..end]);
    assert_eq!(errors.len(), 1);
    let (line, kind) = &errors[0];
    assert_eq!(*line, Some(5));
    assert_eq!(
        kind.to_string(),
        "margin [commune × sexe × age]: 2 cell(s) missing, e.g. commune=33281,sexe=2,age=1; commune=33281,sexe=2,age=2"
    );
}

#[test]
fn cell_outside_every_margin_is_refused() {
    let source = CROSSED.replace(
        "at = { commune = 33063, sexe = 1, age = 1 }",
        "at = { commune = 33063, sexe = 1 }",
    );
    let errors = kinds(&source);
    assert!(
        errors
            .iter()
            .any(|(line, kind)| *line == Some(32)
                && matches!(kind, DesignErrorKind::NoSuchMargin(_)))
    );
}

#[test]
fn overlapping_bands_and_mixed_banding_are_refused() {
    let overlapping = CROSSED.replace("min = 45 }", "min = 44 }");
    assert!(
        kinds(&overlapping)
            .iter()
            .any(|(line, kind)| *line == Some(29)
                && matches!(
                    kind,
                    DesignErrorKind::OverlappingBands {
                        first: 1,
                        second: 2,
                        ..
                    }
                ))
    );
    let mixed = CROSSED.replace(", min = 45 }", " }");
    assert!(kinds(&mixed).iter().any(|(line, kind)| *line == Some(24)
        && matches!(kind, DesignErrorKind::MixedBanding(name) if name == "age")));
}

#[test]
fn soft_cell_without_tolerance_and_hard_cell_with_one_are_refused() {
    let no_tolerance = CROSSED.replace("tolerance_percent = 5\n", "");
    assert!(
        kinds(&no_tolerance)
            .iter()
            .any(|(_, kind)| matches!(kind, DesignErrorKind::BadRule { .. }))
    );
    let hard_with_tolerance = CROSSED.replace(
        "target = 38\nkind = \"hard\"",
        "target = 38\nkind = \"hard\"\ntolerance_percent = 5",
    );
    assert!(
        kinds(&hard_with_tolerance).iter().any(
            |(line, kind)| *line == Some(41) && matches!(kind, DesignErrorKind::BadRule { .. })
        )
    );
    let three_decimals = CROSSED.replace("tolerance_percent = 10", "tolerance_percent = 2.125");
    assert!(
        kinds(&three_decimals)
            .iter()
            .any(|(_, kind)| matches!(kind, DesignErrorKind::BadRule { .. }))
    );
}

#[test]
fn margins_must_name_known_dimensions_and_use_them_all() {
    let source = CROSSED.replace(
        "margins = [[\"commune\", \"sexe\", \"age\"]]",
        "margins = [[\"commune\", \"sex\", \"age\"]]",
    );
    let errors = kinds(&source);
    assert!(errors.iter().any(|(line, kind)| *line == Some(5)
        && matches!(kind, DesignErrorKind::UnknownMarginDimension { dimension, .. } if dimension == "sex")));
    assert!(
        errors
            .iter()
            .any(|(_, kind)| matches!(kind, DesignErrorKind::UnusedDimension(d) if d == "sexe"))
    );
}

#[test]
fn error_display_starts_with_the_line() {
    let source = CROSSED.replace("target = 42", "target = -2");
    let message = Design::from_toml(&source).expect_err("refused").to_string();
    assert_eq!(
        message,
        "line 38: cell commune=33063,sexe=2,age=1: negative target -2"
    );
}

#[test]
fn cell_key_text_round_trips() {
    let parsed = key("commune=33063,sexe=2,age=1");
    assert_eq!(parsed.to_string(), "commune=33063,sexe=2,age=1");
    assert_eq!(parsed.code("sexe"), Some(2));
    assert!("commune=x".parse::<CellKey>().is_err());
    assert!("commune".parse::<CellKey>().is_err());
}
