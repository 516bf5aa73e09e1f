//! The expression language's behaviour, as specifications. The scope is a small part of the
//! observatory's survey.

use super::{Env, Expr, ExprError, Missing, Reference, Scope, Type, Value, VarType, parse};
use crate::date::Date;
use std::collections::{BTreeMap, BTreeSet};

/// The 28 communes of Bordeaux Métropole (INSEE codes, `/work/shared/data/bm_communes.csv`).
const COMMUNES: [i64; 28] = [
    33003, 33004, 33013, 33032, 33039, 33056, 33063, 33065, 33069, 33075, 33096, 33119, 33162,
    33167, 33192, 33200, 33249, 33273, 33281, 33312, 33318, 33376, 33434, 33449, 33487, 33519,
    33522, 33550,
];

struct Survey;

impl Scope for Survey {
    fn lookup(&self, name: &str) -> Option<VarType> {
        let codes = |codes: &[i64]| codes.iter().copied().collect::<BTreeSet<i64>>();
        Some(match name {
            "AGE" => VarType::Integer {
                min: Some(15.0),
                max: Some(120.0),
            },
            "NB_PERS" => VarType::Integer {
                min: Some(1.0),
                max: None,
            },
            "SATISF" => VarType::Integer {
                min: Some(0.0),
                max: Some(10.0),
            },
            "HEURES" => VarType::Decimal {
                min: Some(0.0),
                max: Some(24.0),
            },
            "SEXE" => VarType::Single {
                codes: codes(&[1, 2]),
            },
            "DIPLOME" => VarType::Single {
                codes: codes(&[1, 2, 3, 4, 5, 6]),
            },
            "COMMUNE" => VarType::Single {
                codes: codes(&COMMUNES),
            },
            "EQUIP" => VarType::Multiple {
                codes: codes(&[1, 2, 3, 4, 5, 6]),
            },
            "USAGES" => VarType::Multiple {
                codes: codes(&[1, 2, 3, 10, 11]),
            },
            "commune_fichier" | "AUTRE_PRECIS" => VarType::Text,
            "DATE_ENQ" | "DATE_NAISS" => VarType::Date,
            "ELIGIBLE" => VarType::Bool,
            // Computed copies, whose options are unknown.
            "EQUIP_COPIE" => VarType::Multiple {
                codes: BTreeSet::new(),
            },
            "SEXE_COPIE" => VarType::Single {
                codes: BTreeSet::new(),
            },
            _ => return None,
        })
    }
}

/// An interview's values; anything absent was not asked.
#[derive(Debug, Default)]
struct Answers(BTreeMap<&'static str, Value>);

impl Answers {
    fn with(mut self, name: &'static str, value: Value) -> Self {
        self.0.insert(name, value);
        self
    }

    fn num(self, name: &'static str, n: f64) -> Self {
        self.with(name, Value::Number(n))
    }

    fn codes(self, name: &'static str, codes: &[i64]) -> Self {
        self.with(name, Value::Codes(codes.iter().copied().collect()))
    }

    fn text(self, name: &'static str, text: &str) -> Self {
        self.with(name, Value::Text(text.into()))
    }

    fn missing(self, name: &'static str, missing: Missing) -> Self {
        self.with(name, Value::Missing(missing))
    }
}

impl Env for Answers {
    fn value(&self, name: &str) -> Value {
        self.0
            .get(name)
            .cloned()
            .unwrap_or(Value::Missing(Missing::NotAsked))
    }
}

fn expr(source: &str) -> Expr {
    parse(source).unwrap_or_else(|e| panic!("`{source}` should parse: {e}"))
}

fn parse_error(source: &str) -> ExprError {
    match parse(source) {
        Ok(_) => panic!("`{source}` should not parse"),
        Err(e) => e,
    }
}

fn check(source: &str) -> Result<Type, ExprError> {
    expr(source).check(&Survey)
}

fn type_error(source: &str) -> ExprError {
    match check(source) {
        Ok(ty) => panic!("`{source}` should not type-check, got {ty:?}"),
        Err(e) => e,
    }
}

/// Asserts the error's column and that its message contains `fragment`.
fn assert_error(error: &ExprError, column: usize, fragment: &str) {
    assert!(
        error.message.contains(fragment),
        "message {:?} should contain {fragment:?}",
        error.message
    );
    assert_eq!(error.column, column, "column of {:?}", error.message);
}

fn value(source: &str, answers: &Answers) -> Value {
    let e = expr(source);
    e.check(&Survey)
        .unwrap_or_else(|err| panic!("`{source}` should type-check: {err}"));
    e.eval(answers)
}

fn truth(source: &str, answers: &Answers) -> bool {
    let e = expr(source);
    assert_eq!(
        e.check(&Survey),
        Ok(Type::Bool),
        "`{source}` is a condition"
    );
    let result = e.is_true(answers);
    assert_eq!(e.eval(answers) == Value::Bool(true), result);
    result
}

fn number(source: &str, answers: &Answers) -> f64 {
    match value(source, answers) {
        Value::Number(n) => n,
        other => panic!("`{source}` should give a number, got {other:?}"),
    }
}

fn sat(source: &str) -> bool {
    expr(source).can_be_true(&Survey)
}

const NOT_ASKED: Value = Value::Missing(Missing::NotAsked);

// ---------------------------------------------------------------------------------------------
// Literals and parsing

#[test]
fn literals_evaluate_to_themselves() {
    let none = Answers::default();
    assert_eq!(value("42", &none), Value::Number(42.0));
    assert_eq!(value("1.5", &none), Value::Number(1.5));
    assert_eq!(value("-3", &none), Value::Number(-3.0));
    assert_eq!(value("\"Bordeaux\"", &none), Value::Text("Bordeaux".into()));
    assert_eq!(value("'l\\'été'", &none), Value::Text("l'été".into()));
    assert_eq!(
        value("\"say \\\"hi\\\"\"", &none),
        Value::Text("say \"hi\"".into())
    );
    assert_eq!(value("TRUE", &none), Value::Bool(true));
    assert_eq!(value("false", &none), Value::Bool(false));
    assert_eq!(
        value("date(\"2024-02-29\")", &none),
        Value::Date(Date::parse("2024-02-29").expect("valid"))
    );
}

#[test]
fn date_literals_are_validated_when_parsing() {
    assert_error(
        &parse_error("DATE_ENQ > date(\"2023-02-29\")"),
        17,
        "invalid date \"2023-02-29\"",
    );
    assert_error(&parse_error("date(2024)"), 6, "`date` takes a string");
    assert_error(
        &parse_error("date(\"2024-01-01\", 1)"),
        1,
        "`date` takes one string",
    );
}

#[test]
fn arithmetic_follows_usual_precedence() {
    let none = Answers::default();
    assert_eq!(number("1 + 2 * 3", &none), 7.0);
    assert_eq!(number("(1 + 2) * 3", &none), 9.0);
    assert_eq!(number("10 - 4 - 3", &none), 3.0);
    assert_eq!(number("100 / 10 / 5", &none), 2.0);
    assert_eq!(number("7 % 3 + 1", &none), 2.0);
    assert_eq!(number("-2 * -3", &none), 6.0);
    assert_eq!(number("- (1 + 2)", &none), -3.0);
    assert_eq!(number("2 - -2", &none), 4.0);
}

#[test]
fn logic_binds_not_tighter_than_and_tighter_than_or() {
    let a = Answers::default().num("AGE", 30.0).num("SEXE", 1.0);
    // or(SEXE = 2 and AGE > 50, AGE < 40)
    assert!(truth("SEXE = 2 and AGE > 50 or AGE < 40", &a));
    // and(SEXE = 2, or(AGE > 50, AGE < 40))
    assert!(!truth("SEXE = 2 and (AGE > 50 or AGE < 40)", &a));
    // not applies to the comparison, then `and`
    assert!(truth("not SEXE = 2 and AGE = 30", &a));
    assert!(!truth("not (SEXE = 1 and AGE = 30)", &a));
    assert!(truth("not not (AGE = 30)", &a));
}

#[test]
fn keywords_ignore_case() {
    let a = Answers::default().num("AGE", 30.0).num("SEXE", 1.0);
    assert!(truth("AGE > 18 AND NOT SEXE = 2", &a));
    assert!(truth("AGE In [30] Or FALSE", &a));
    assert!(super::is_keyword("Then") && super::is_keyword("IN") && !super::is_keyword("AGE"));
}

#[test]
fn variable_names_are_case_sensitive() {
    assert_error(
        &type_error("age > 18"),
        1,
        "unknown variable `age` (names are case-sensitive: did you mean `AGE`?)",
    );
    assert_error(
        &type_error("COMMUNE_FICHIER = \"x\""),
        1,
        "did you mean `commune_fichier`?",
    );
}

#[test]
fn function_names_ignore_case() {
    let a = Answers::default().codes("EQUIP", &[1]);
    assert!(truth("HAS(EQUIP, 1) and Answered(EQUIP)", &a));
}

#[test]
fn if_then_else_chooses_a_branch_and_missing_condition_takes_else() {
    let young = Answers::default().num("AGE", 20.0);
    assert_eq!(number("if AGE < 25 then 1 else 2", &young), 1.0);
    assert_eq!(
        number("if AGE < 25 then 1 else 2", &Answers::default()),
        2.0
    );
    assert_eq!(
        number(
            "if AGE < 25 then 1 else if AGE < 60 then 2 else 3",
            &Answers::default().num("AGE", 40.0)
        ),
        2.0
    );
    assert_eq!(number("10 + (if AGE < 25 then 1 else 2)", &young), 11.0);
    assert_error(
        &parse_error("10 + if AGE < 25 then 1 else 2"),
        6,
        "must be put in parentheses",
    );
}

#[test]
fn in_lists_accept_numbers_ranges_and_texts() {
    let a = Answers::default()
        .num("DIPLOME", 6.0)
        .num("COMMUNE", 33318.0)
        .text("commune_fichier", "Pessac");
    assert!(truth("DIPLOME in [1, 2, 5..7]", &a));
    assert!(!truth("DIPLOME in [1..3]", &a));
    assert!(truth("DIPLOME not in [1..3, 4]", &a));
    assert!(truth("COMMUNE in [33063, 33318]", &a));
    assert!(truth("commune_fichier in ['Bordeaux', 'Pessac']", &a));
    assert!(truth("commune_fichier not in [\"Bordeaux\"]", &a));
    assert!(truth("AGE in [1.5..2.5] or true", &a));
    assert!(truth("DIPLOME in [6,]", &a));
}

#[test]
fn malformed_lists_are_parse_errors() {
    assert_error(&parse_error("AGE in []"), 8, "empty list");
    assert_error(&parse_error("AGE in [1, 2"), 8, "unclosed list");
    assert_error(&parse_error("AGE in [7..5]"), 9, "empty range 7..5");
    assert_error(
        &parse_error("AGE in [1, \"a\"]"),
        12,
        "cannot mix numbers and texts",
    );
    assert_error(
        &parse_error("AGE in [SEXE]"),
        9,
        "expected a number, a range",
    );
    assert_error(
        &parse_error("AGE in 1"),
        8,
        "expected a list such as [1, 2, 5..7]",
    );
    assert_error(&parse_error("AGE in [1 2]"), 11, "expected `,` or `]`");
}

#[test]
fn parse_errors_are_located() {
    assert_error(&parse_error(""), 1, "empty expression");
    assert_error(&parse_error("   "), 1, "empty expression");
    assert_error(&parse_error("(AGE > 18"), 1, "unclosed parenthesis");
    assert_error(
        &parse_error("(AGE > 18]"),
        10,
        "expected `)` to close the parenthesis of column 1",
    );
    assert_error(&parse_error("AGE > 18)"), 9, "unexpected `)`");
    assert_error(
        &parse_error("AGE > 18 AGE"),
        10,
        "unexpected `AGE` after the end of the expression",
    );
    assert_error(
        &parse_error("AGE > 1,5"),
        8,
        "decimals are written with a point",
    );
    assert_error(
        &parse_error("AGE >"),
        6,
        "expected a value, found the end of the expression",
    );
    assert_error(
        &parse_error("AGE > and"),
        7,
        "expected a value, found `and`",
    );
    assert_error(&parse_error("SEXE = \"1"), 8, "unclosed string");
    assert_error(&parse_error("AGE @ 2"), 5, "unexpected character `@`");
    assert_error(&parse_error("AGE > 18 || SEXE = 1"), 10, "write `or`");
    assert_error(
        &parse_error("15 < AGE < 30"),
        10,
        "comparisons cannot be chained",
    );
    assert_error(&parse_error("if AGE > 18 then 1"), 19, "expected `else`");
    assert_error(&parse_error("if AGE > 18 1 else 2"), 13, "expected `then`");
    assert_error(
        &parse_error("AGE = not ELIGIBLE"),
        7,
        "`not` must be put in parentheses",
    );
    assert_error(
        &parse_error("AGE = [1]"),
        7,
        "a list […] is only allowed after `in`",
    );
}

#[test]
fn function_calls_are_validated_when_parsing() {
    assert_error(&parse_error("foo(AGE)"), 1, "unknown function `foo`");
    assert_error(
        &parse_error("answered(AGE + 1)"),
        10,
        "`answered` takes a variable name",
    );
    assert_error(
        &parse_error("dk()"),
        1,
        "`dk` takes one variable name, found 0 argument(s)",
    );
    assert_error(&parse_error("has(EQUIP)"), 1, "`has` takes two arguments");
    assert_error(
        &parse_error("has(EQUIP, 1.5)"),
        12,
        "a code must be a whole number",
    );
    assert_error(
        &parse_error("has(EQUIP, AGE)"),
        12,
        "must be a whole number, e.g. has(EQUIP, 1)",
    );
    assert_error(
        &parse_error("has_any(EQUIP, 1)"),
        16,
        "takes a list of codes",
    );
    assert_error(
        &parse_error("has_all(EQUIP, [\"a\"])"),
        17,
        "codes are numbers",
    );
    assert_error(
        &parse_error("min(AGE)"),
        1,
        "`min` takes at least two numbers",
    );
    assert_error(
        &parse_error("round(1, 2, 3)"),
        1,
        "`round` takes a number and optionally",
    );
    assert_error(&parse_error("len(AGE"), 4, "unclosed parenthesis");
    assert_error(&parse_error("abs(AGE; 2)"), 8, "unexpected character `;`");
    assert_error(
        &parse_error("abs(AGE 2)"),
        9,
        "expected `,` or `)` between the arguments",
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(parse_error(&deep).message.contains("nested too deeply"));
    let negations = format!("{}true", "not ".repeat(10_000));
    assert!(
        parse_error(&negations)
            .message
            .contains("nested too deeply")
    );
    let nested = format!("{}AGE{}", "abs(-(".repeat(20), "))".repeat(20));
    assert_eq!(number(&nested, &Answers::default().num("AGE", 3.0)), 3.0);
    let nested = format!("{}AGE > 18{}", "not (".repeat(30), ")".repeat(30));
    assert!(truth(&nested, &Answers::default().num("AGE", 30.0)));
    assert!(expr(&nested).can_be_true(&Survey));
    let long_sum = vec!["1"; 20_000].join(" + ");
    assert_eq!(number(&long_sum, &Answers::default()), 20_000.0);
}

#[test]
fn display_shows_the_source() {
    assert_eq!(
        expr("AGE >= 15 and SEXE = 1").to_string(),
        "AGE >= 15 and SEXE = 1"
    );
    assert_eq!(Type::Bool.to_string(), "true/false");
}

// ---------------------------------------------------------------------------------------------
// References

#[test]
fn references_list_every_name_in_order_with_columns() {
    let refs =
        expr("AGE >= 15 and (answered(EQUIP) or has(EQUIP, 1)) and AGE < 99 and count(USAGES) > 1")
            .references();
    let found: Vec<(&str, usize)> = refs.iter().map(|r| (r.name.as_str(), r.column)).collect();
    assert_eq!(
        found,
        vec![
            ("AGE", 1),
            ("EQUIP", 25),
            ("EQUIP", 39),
            ("AGE", 54),
            ("USAGES", 73)
        ]
    );
    assert_eq!(expr("1 + 2").references(), Vec::<Reference>::new());
    let refs = expr("if ELIGIBLE then commune_fichier else \"x\"").references();
    assert_eq!(refs[1].name, "commune_fichier");
    assert_eq!(refs[1].column, 18);
}

// ---------------------------------------------------------------------------------------------
// Functions

#[test]
fn answered_dk_and_refused_test_the_answer_state() {
    let a = Answers::default()
        .num("AGE", 40.0)
        .missing("SEXE", Missing::DontKnow)
        .missing("DIPLOME", Missing::Refused);
    assert!(truth("answered(AGE)", &a));
    assert!(!truth(
        "answered(SEXE) or answered(DIPLOME) or answered(COMMUNE)",
        &a
    ));
    assert!(truth(
        "dk(SEXE) and not dk(DIPLOME) and not dk(COMMUNE)",
        &a
    ));
    assert!(truth("refused(DIPLOME) and not refused(SEXE)", &a));
    assert!(truth("not answered(COMMUNE)", &a));
}

#[test]
fn has_functions_test_multiple_choice_answers() {
    let a = Answers::default().codes("EQUIP", &[1, 3, 4]);
    assert!(truth("has(EQUIP, 1) or has(EQUIP, 2)", &a));
    assert!(!truth("has(EQUIP, 2)", &a));
    assert!(truth("has_any(EQUIP, [2, 4])", &a));
    assert!(!truth("has_any(EQUIP, [2, 5..6])", &a));
    assert!(truth("has_all(EQUIP, [1, 3..4])", &a));
    assert!(!truth("has_all(EQUIP, [1..3])", &a));
    assert!(!truth("has(EQUIP, 1)", &Answers::default()));
    assert!(!truth(
        "has_any(EQUIP, [1..6])",
        &Answers::default().missing("EQUIP", Missing::Refused)
    ));
}

#[test]
fn count_counts_chosen_options_and_zero_when_missing() {
    let a = Answers::default().codes("EQUIP", &[1, 3, 4]);
    assert_eq!(number("count(EQUIP)", &a), 3.0);
    assert_eq!(number("count(EQUIP)", &Answers::default()), 0.0);
    assert_eq!(
        number(
            "count(EQUIP)",
            &Answers::default().missing("EQUIP", Missing::DontKnow)
        ),
        0.0
    );
}

#[test]
fn countif_counts_true_conditions_only() {
    let a = Answers::default().num("AGE", 70.0).codes("EQUIP", &[2]);
    assert_eq!(
        number(
            "countif(AGE > 65, has(EQUIP, 1), has(EQUIP, 2), SEXE = 1)",
            &a
        ),
        2.0
    );
}

#[test]
fn numeric_functions() {
    let a = Answers::default().num("HEURES", 2.345).num("SATISF", 7.0);
    assert_eq!(number("min(SATISF, 5, 9)", &a), 5.0);
    assert_eq!(number("max(SATISF, 5, 9)", &a), 9.0);
    assert_eq!(number("abs(3 - SATISF)", &a), 4.0);
    assert_eq!(number("round(HEURES)", &a), 2.0);
    assert_eq!(number("round(2.5)", &a), 3.0);
    assert_eq!(number("round(-2.5)", &a), -3.0);
    assert_eq!(number("round(HEURES, 1)", &a), 2.3);
    assert_eq!(number("round(1234, -2)", &a), 1200.0);
    assert_eq!(value("round(HEURES, 0.5)", &a), NOT_ASKED);
}

#[test]
fn text_and_date_functions() {
    let a = Answers::default()
        .text("AUTRE_PRECIS", "tablette liseuse")
        .with(
            "DATE_NAISS",
            Value::Date(Date::parse("1958-07-14").expect("valid")),
        );
    assert_eq!(number("len(AUTRE_PRECIS)", &a), 16.0);
    assert_eq!(number("len(\"été\")", &a), 3.0);
    assert_eq!(number("year(DATE_NAISS)", &a), 1958.0);
    assert_eq!(
        number("month(DATE_NAISS) * 100 + day(DATE_NAISS)", &a),
        714.0
    );
    assert!(truth("DATE_NAISS < date(\"1960-01-01\")", &a));
    assert!(truth("DATE_NAISS != date(\"1960-01-01\")", &a));
    assert_eq!(value("year(DATE_NAISS)", &Answers::default()), NOT_ASKED);
    assert_eq!(
        value(
            "len(AUTRE_PRECIS)",
            &Answers::default().missing("AUTRE_PRECIS", Missing::Refused)
        ),
        Value::Missing(Missing::Refused)
    );
}

#[test]
fn texts_compare_exactly() {
    let a = Answers::default().text("commune_fichier", "Mérignac");
    assert!(truth("commune_fichier = \"Mérignac\"", &a));
    assert!(!truth("commune_fichier = \"merignac\"", &a));
    assert!(truth("commune_fichier != \"Pessac\"", &a));
}

#[test]
fn booleans_compare_with_true_and_false() {
    let a = Answers::default().with("ELIGIBLE", Value::Bool(true));
    assert!(truth(
        "ELIGIBLE = true and ELIGIBLE != false and ELIGIBLE",
        &a
    ));
    assert!(!truth("ELIGIBLE = false", &Answers::default()));
}

// ---------------------------------------------------------------------------------------------
// Missing values

#[test]
fn any_comparison_with_a_missing_value_is_false() {
    for missing in [Missing::NotAsked, Missing::DontKnow, Missing::Refused] {
        let a = Answers::default().missing("AGE", missing);
        for source in [
            "AGE = 30",
            "AGE != 30",
            "AGE < 30",
            "AGE >= 30",
            "AGE in [1..120]",
            "AGE not in [1..120]",
            "30 = AGE",
        ] {
            assert!(!truth(source, &a), "`{source}` with AGE {missing:?}");
        }
    }
}

#[test]
fn negating_a_comparison_with_a_missing_value_is_true() {
    let none = Answers::default();
    assert!(truth("not (SEXE = 1)", &none));
    assert!(!truth("SEXE != 1", &none));
    assert!(truth("not (AGE in [15..17])", &none));
    assert!(!truth("answered(SEXE) and not (SEXE = 1)", &none));
}

#[test]
fn arithmetic_on_a_missing_value_is_missing_with_its_reason() {
    let a = Answers::default()
        .missing("AGE", Missing::DontKnow)
        .num("SATISF", 5.0);
    assert_eq!(value("AGE + 1", &a), Value::Missing(Missing::DontKnow));
    assert_eq!(
        value("SATISF * 2 - AGE", &a),
        Value::Missing(Missing::DontKnow)
    );
    assert_eq!(value("-AGE", &a), Value::Missing(Missing::DontKnow));
    assert_eq!(value("abs(AGE)", &a), Value::Missing(Missing::DontKnow));
    assert_eq!(
        value("max(SATISF, AGE)", &a),
        Value::Missing(Missing::DontKnow)
    );
    assert_eq!(value("NB_PERS / 2", &a), NOT_ASKED);
}

#[test]
fn division_by_zero_is_missing() {
    let a = Answers::default().num("NB_PERS", 0.0).num("SATISF", 5.0);
    assert_eq!(value("SATISF / NB_PERS", &a), NOT_ASKED);
    assert_eq!(value("SATISF % NB_PERS", &a), NOT_ASKED);
    assert!(!truth("SATISF / NB_PERS > 1", &a));
    assert_eq!(value("SATISF % 2", &a), Value::Number(1.0));
}

#[test]
fn and_or_treat_missing_as_false() {
    let a = Answers::default().num("SEXE", 1.0);
    assert!(!truth("SEXE = 1 and AGE > 18", &a));
    assert!(truth("SEXE = 1 or AGE > 18", &a));
    assert!(!truth("ELIGIBLE and SEXE = 1", &a));
    assert!(truth("not ELIGIBLE", &a));
}

#[test]
fn unexpected_runtime_types_evaluate_as_missing_without_panicking() {
    // `check` rules these out; an engine feeding a wrong value must still not crash.
    let wrong = Answers::default()
        .text("AGE", "trente")
        .num("EQUIP", 3.0)
        .codes("commune_fichier", &[1]);
    assert_eq!(value("AGE + 1", &wrong), NOT_ASKED);
    assert!(!truth("AGE > 1", &wrong));
    assert!(!truth("has(EQUIP, 3)", &wrong));
    assert_eq!(value("len(commune_fichier)", &wrong), NOT_ASKED);
}

// ---------------------------------------------------------------------------------------------
// Type checking

#[test]
fn well_typed_expressions_report_their_type() {
    assert_eq!(
        check("AGE >= 15 and COMMUNE in [33063, 33318]"),
        Ok(Type::Bool)
    );
    assert_eq!(check("has(EQUIP, 1) or has(EQUIP, 2)"), Ok(Type::Bool));
    assert_eq!(check("not answered(AGE)"), Ok(Type::Bool));
    assert_eq!(check("AGE + SEXE * 2"), Ok(Type::Number));
    assert_eq!(check("commune_fichier"), Ok(Type::Text));
    assert_eq!(check("DATE_ENQ"), Ok(Type::Date));
    assert_eq!(check("EQUIP"), Ok(Type::Codes));
    assert_eq!(
        check("if ELIGIBLE then \"oui\" else \"non\""),
        Ok(Type::Text)
    );
    assert_eq!(
        check("count(EQUIP) + countif(AGE > 1, SEXE = 2) + len(AUTRE_PRECIS)"),
        Ok(Type::Number)
    );
    assert_eq!(check("year(DATE_NAISS) < 1960"), Ok(Type::Bool));
}

#[test]
fn unknown_names_are_errors() {
    assert_error(
        &type_error("AGE > 15 and FOO = 1"),
        14,
        "unknown variable `FOO`",
    );
    assert_error(&type_error("answered(BAR)"), 10, "unknown variable `BAR`");
}

#[test]
fn multiple_choice_variables_need_has() {
    assert_error(
        &type_error("EQUIP = 1"),
        1,
        "`EQUIP` is a multiple-choice question: use has(EQUIP, code)",
    );
    assert_error(
        &type_error("AGE > 18 and 1 + EQUIP > 2"),
        18,
        "use has(EQUIP, code)",
    );
    assert_error(
        &type_error("EQUIP in [1, 2]"),
        1,
        "use has_any(EQUIP, [codes])",
    );
    assert_error(
        &type_error("EQUIP and true"),
        1,
        "`EQUIP` is a multiple-choice question",
    );
}

#[test]
fn single_choice_codes_must_be_options() {
    assert_error(
        &type_error("SEXE = 3"),
        8,
        "3 is not an option of `SEXE` (codes: 1, 2)",
    );
    assert_error(&type_error("3 != SEXE"), 1, "3 is not an option of `SEXE`");
    assert_error(
        &type_error("SEXE == 1.5"),
        9,
        "1.5 is not an option of `SEXE`",
    );
    assert_error(
        &type_error("SEXE in [1, 2, 4]"),
        16,
        "4 is not an option of `SEXE` (codes: 1, 2)",
    );
    assert_error(
        &type_error("DIPLOME in [7..9]"),
        13,
        "no option of `DIPLOME` lies in 7..9",
    );
    assert_error(
        &type_error("COMMUNE = 33000"),
        11,
        "(codes: 33003, 33004, 33013, 33032, 33039, 33056, 33063, 33065, 33069, 33075, 33096, 33119, … (28 codes))",
    );
    // Ordering comparisons on codes are allowed (codes are often ordered scales).
    assert_eq!(check("DIPLOME >= 4 and DIPLOME in [3..10]"), Ok(Type::Bool));
}

#[test]
fn multiple_choice_codes_must_be_options() {
    assert_error(
        &type_error("has(EQUIP, 9)"),
        12,
        "9 is not an option of `EQUIP` (codes: 1, 2, 3, 4, 5, 6)",
    );
    assert_error(
        &type_error("has_any(EQUIP, [1, 7])"),
        20,
        "7 is not an option of `EQUIP`",
    );
    assert_error(
        &type_error("has_any(USAGES, [4..9])"),
        18,
        "no option of `USAGES` lies in 4..9",
    );
    assert_error(
        &type_error("has_all(USAGES, [1..4])"),
        18,
        "the range 1..4 includes codes that are not options of `USAGES`",
    );
    assert_eq!(
        check("has_any(USAGES, [3..10]) and has_all(USAGES, [10..11])"),
        Ok(Type::Bool)
    );
}

#[test]
fn codes_are_not_checked_against_choice_variables_without_options() {
    assert_eq!(
        check("has(EQUIP_COPIE, 9) and SEXE_COPIE in [3] and SEXE_COPIE != 4"),
        Ok(Type::Bool)
    );
    assert!(sat(
        "has(EQUIP_COPIE, 9) and SEXE_COPIE = 3 and count(EQUIP_COPIE) > 10"
    ));
}

#[test]
fn has_and_count_need_a_multiple_choice_variable() {
    assert_error(
        &type_error("has(SEXE, 1)"),
        5,
        "`SEXE` is a single-choice question: compare it with =, e.g. SEXE = 1",
    );
    assert_error(
        &type_error("count(AGE) > 1"),
        7,
        "`count` needs a multiple-choice question, but `AGE` is a number",
    );
    assert_error(
        &type_error("has_all(commune_fichier, [1])"),
        9,
        "but `commune_fichier` is text",
    );
}

#[test]
fn texts_are_compared_only_with_texts_and_only_for_equality() {
    assert_error(
        &type_error("commune_fichier = 33063"),
        17,
        "cannot compare `commune_fichier` (text) with 33063 (a number)",
    );
    assert_error(
        &type_error("commune_fichier < \"B\""),
        17,
        "`<` does not apply to texts",
    );
    assert_error(
        &type_error("commune_fichier in [33063]"),
        17,
        "`in` cannot look for `commune_fichier` (text) in a list of numbers",
    );
    assert_error(
        &type_error("AGE in [\"a\"]"),
        5,
        "`in` cannot look for `AGE` (a number) in a list of texts",
    );
    assert_error(
        &type_error("DATE_ENQ > 2024"),
        10,
        "cannot compare `DATE_ENQ` (a date) with 2024 (a number)",
    );
    assert_error(
        &type_error("DATE_ENQ >= \"2024-01-01\""),
        10,
        "(text): write dates as date(\"YYYY-MM-DD\")",
    );
}

#[test]
fn arithmetic_needs_numbers() {
    assert_error(
        &type_error("AGE + commune_fichier"),
        7,
        "`+` needs numbers, but `commune_fichier` is text",
    );
    assert_error(
        &type_error("\"a\" * 2"),
        1,
        "`*` needs numbers, but \"a\" is text",
    );
    assert_error(
        &type_error("-DATE_ENQ"),
        2,
        "`-` needs numbers, but `DATE_ENQ` is a date",
    );
    assert_error(
        &type_error("abs(ELIGIBLE)"),
        5,
        "`abs` needs numbers, but `ELIGIBLE` is a condition",
    );
}

#[test]
fn logic_needs_conditions() {
    assert_error(
        &type_error("AGE and SEXE = 1"),
        1,
        "`and` needs conditions (true/false), but `AGE` is a number",
    );
    assert_error(
        &type_error("SEXE = 1 or 2"),
        13,
        "`or` needs conditions (true/false), but 2 is a number",
    );
    assert_error(
        &type_error("not commune_fichier"),
        5,
        "`not` needs conditions",
    );
    assert_error(
        &type_error("countif(AGE > 1, AGE)"),
        18,
        "`countif` needs conditions",
    );
    assert_error(
        &type_error("if AGE then 1 else 2"),
        4,
        "the condition of `if` needs conditions",
    );
}

#[test]
fn if_branches_must_agree() {
    assert_error(
        &type_error("if ELIGIBLE then 1 else \"non\""),
        25,
        "a number after `then`, text after `else`",
    );
}

#[test]
fn function_arguments_are_type_checked() {
    assert_error(
        &type_error("len(AGE) > 3"),
        5,
        "`len` needs text, but `AGE` is a number",
    );
    assert_error(&type_error("year(AGE)"), 6, "`year` needs a date");
    assert_error(&type_error("min(AGE, \"x\")"), 10, "`min` needs numbers");
    assert_error(
        &type_error("round(HEURES, ELIGIBLE)"),
        15,
        "`round` needs numbers",
    );
}

#[test]
fn the_leftmost_error_is_reported() {
    assert_error(
        &type_error("FOO = 1 and SEXE = 3"),
        1,
        "unknown variable `FOO`",
    );
    assert_error(&type_error("SEXE = 3 and FOO = 1"), 8, "3 is not an option");
    assert_error(
        &type_error("EQUIP + BAR"),
        1,
        "`EQUIP` is a multiple-choice question",
    );
}

#[test]
fn error_display_includes_the_column() {
    assert_eq!(
        type_error("FOO").to_string(),
        "unknown variable `FOO` (column 1)"
    );
}

// ---------------------------------------------------------------------------------------------
// Satisfiability

#[test]
fn constants_decide_satisfiability() {
    assert!(!sat("false"));
    assert!(sat("true"));
    assert!(!sat("1 > 2"));
    assert!(!sat("not true"));
    assert!(!sat("AGE > 18 and false"));
    assert!(sat("AGE > 18 or 1 = 1"));
}

#[test]
fn comparisons_outside_the_domain_are_unsatisfiable() {
    assert!(!sat("AGE < 10"));
    assert!(!sat("AGE < 15"));
    assert!(sat("AGE <= 15"));
    assert!(!sat("AGE > 120"));
    assert!(!sat("10 > AGE"));
    assert!(!sat("SATISF = 11"));
    assert!(!sat("HEURES > 24"));
    assert!(sat("HEURES > 23.5"));
    assert!(!sat("AGE = 30.5"));
    assert!(sat("NB_PERS > 1000"));
    assert!(!sat("AGE in [1..14, 121..200]"));
    assert!(sat("AGE not in [16..120]"));
    assert!(!sat("AGE not in [10..120]"));
}

#[test]
fn codes_that_are_not_options_are_unsatisfiable() {
    assert!(!sat("SEXE = 3"));
    assert!(sat("SEXE != 3"));
    assert!(!sat("DIPLOME in [7..9]"));
    assert!(!sat("has(EQUIP, 9)"));
    assert!(!sat("has_any(USAGES, [4..9])"));
    assert!(!sat("has_all(USAGES, [1..4])"));
    assert!(sat("has_all(USAGES, [1..3])"));
    assert!(!sat("count(EQUIP) > 6"));
    assert!(sat("count(EQUIP) = 0"));
    assert!(!sat("count(USAGES) < 0"));
}

#[test]
fn contradictory_conjunctions_are_unsatisfiable() {
    assert!(!sat("AGE > 50 and AGE < 40"));
    assert!(!sat("AGE > 50 and SEXE = 1 and AGE < 51"));
    assert!(sat("AGE > 50 and AGE < 52"));
    assert!(!sat("SEXE = 1 and SEXE = 2"));
    assert!(!sat("SEXE = 1 and (SEXE = 2 and AGE > 18)"));
    assert!(!sat("DIPLOME in [1, 2] and DIPLOME >= 3"));
    assert!(
        !sat("not (AGE < 60 or SEXE = 1) and AGE < 50"),
        "not (a or b) is not a and not b"
    );
    assert!(!sat("not (AGE < 60) and AGE < 50"));
    assert!(
        sat("not (AGE < 60) and not (AGE > 50)"),
        "AGE may be missing"
    );
    assert!(!sat("not (AGE < 60) and not (AGE > 50) and answered(AGE)"));
    assert!(!sat("not (count(EQUIP) <= 6)"), "a count is never missing");
    assert!(!sat("not (SEXE not in [1]) and SEXE = 2"));
    assert!(!sat("dk(AGE) and AGE > 18"));
    assert!(!sat("answered(AGE) and not answered(AGE)"));
    assert!(!sat("dk(SEXE) and refused(SEXE)"));
    assert!(!sat("not answered(EQUIP) and has(EQUIP, 1)"));
    assert!(sat("not answered(EQUIP) and count(EQUIP) = 0"));
    assert!(sat("dk(AGE) and not (AGE > 18)"));
}

#[test]
fn each_case_of_a_disjunction_is_checked_with_the_other_conjuncts() {
    assert!(!sat("SEXE = 2 and (SEXE = 1 or AGE > 200)"));
    assert!(sat("SEXE = 2 and (SEXE = 1 or AGE > 100)"));
    assert!(!sat("(SEXE = 1 or AGE > 50) and AGE < 40 and SEXE = 2"));
    assert!(!sat(
        "not (SEXE = 1 and answered(AGE)) and AGE > 20 and SEXE = 1"
    ));
    assert!(!sat(
        "(if SEXE = 1 then AGE > 60 else AGE < 30) and AGE = 45"
    ));
    assert!(sat(
        "(if SEXE = 1 then AGE > 60 else AGE < 30) and AGE = 25"
    ));
    assert!(!sat(
        "(if SEXE = 1 then AGE > 60 else AGE < 30) and AGE = 45 and answered(SEXE)"
    ));
    // Many disjunctions exhaust the case budget without giving up soundness.
    let many = vec!["(SEXE = 1 or SEXE = 2)"; 40].join(" and ");
    assert!(sat(&many));
    assert!(!sat(&format!("{many} and SEXE = 3")));
}

#[test]
fn anything_unsure_may_be_true() {
    assert!(sat("AGE > NB_PERS"));
    assert!(sat("SEXE = 1 or SEXE = 2"));
    assert!(sat("not (AGE > 18)"));
    assert!(sat("(SEXE = 1 or AGE > 50) and AGE < 40"));
    assert!(sat(
        "(if AGE > 30 then SEXE = 1 else SEXE = 2) and SEXE = 2"
    ));
    assert!(sat("if SEXE = 1 then AGE > 200 else AGE < 30"));
    assert!(!sat("if SEXE = 1 then AGE > 200 else AGE < 10"));
    assert!(sat("commune_fichier = \"Pessac\""));
    assert!(sat("FOO > 3 and FOO < 2 or true"));
    assert!(sat("DATE_ENQ > date(\"2030-01-01\")"));
}

// ---------------------------------------------------------------------------------------------
// The documentation's examples

/// The rows of the markdown table that follows `header` in docs/expressions.md, as cell texts
/// without code-span backticks and emphasis.
fn doc_table(header: &str) -> Vec<Vec<String>> {
    let doc = include_str!("../../../docs/expressions.md");
    let table = doc
        .split(header)
        .nth(1)
        .unwrap_or_else(|| panic!("docs/expressions.md has a table {header:?}"));
    table
        .lines()
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            let line = line.replace("\\|", "\u{1}");
            line.trim_matches('|')
                .split('|')
                .map(|cell| {
                    let cell = cell.trim().replace('\u{1}', "|").replace("**", "");
                    let cell = match cell.strip_prefix("`` ").and_then(|c| c.strip_suffix(" ``")) {
                        Some(inner) => inner.to_string(),
                        None => cell.trim_matches('`').to_string(),
                    };
                    if cell == "(empty)" {
                        String::new()
                    } else {
                        cell
                    }
                })
                .collect()
        })
        .collect()
}

#[test]
fn documented_error_messages_are_the_real_ones() {
    let rows = doc_table("| expression | error |");
    assert!(rows.len() > 20);
    for row in rows {
        let (source, expected) = (&row[0], &row[1]);
        let error = match parse(source) {
            Err(error) => error,
            Ok(e) => e
                .check(&Survey)
                .expect_err(&format!("`{source}` should be an error")),
        };
        let actual = error.to_string();
        for part in expected.split('…') {
            assert!(
                actual.contains(part.trim()),
                "`{source}`: {actual:?} vs documented {expected:?}"
            );
        }
    }
}

#[test]
fn documented_missing_value_examples_hold() {
    let rows =
        doc_table("| expression | AGE = 42, COMMUNE = 33318 | AGE don't know | AGE not asked |");
    let interviews = [
        Answers::default().num("AGE", 42.0).num("COMMUNE", 33318.0),
        Answers::default()
            .missing("AGE", Missing::DontKnow)
            .num("COMMUNE", 33318.0),
        Answers::default().num("COMMUNE", 33318.0),
    ];
    assert!(rows.len() >= 8);
    for row in rows {
        for (answers, expected) in interviews.iter().zip(&row[1..]) {
            let actual = value(&row[0], answers);
            let matches = match expected.as_str() {
                "true" => actual == Value::Bool(true),
                "false" => actual == Value::Bool(false),
                "missing" => matches!(actual, Value::Missing(_)),
                number => actual == Value::Number(number.parse().expect("a number")),
            };
            assert!(
                matches,
                "`{}` with {answers:?}: {actual:?}, documented {expected}",
                row[0]
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

mod properties {
    use super::{Answers, Missing, Survey, Value, parse};
    use proptest::prelude::*;

    /// A number expression over the survey's numeric variables.
    fn number_source() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            prop::sample::select(vec![
                "AGE", "SATISF", "HEURES", "SEXE", "DIPLOME", "NB_PERS"
            ])
            .prop_map(str::to_string),
            (-5i64..130).prop_map(|n| n.to_string()),
            (0u32..100).prop_map(|n| format!("{}.{}", n / 10, n % 10)),
            Just("count(EQUIP)".to_string()),
        ];
        leaf.prop_recursive(3, 16, 3, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    prop::sample::select(vec!["+", "-", "*", "/", "%"]),
                    inner.clone()
                )
                    .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
                inner.clone().prop_map(|a| format!("-{a}")),
                inner.clone().prop_map(|a| format!("abs({a})")),
                inner.clone().prop_map(|a| format!("round({a})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("min({a}, {b})")),
                (condition_leaf(), inner.clone(), inner)
                    .prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})")),
            ]
        })
    }

    fn list_source() -> impl Strategy<Value = String> {
        prop::collection::vec((-2i64..130, 0i64..4), 1..4).prop_map(|items| {
            let items: Vec<String> = items
                .into_iter()
                .map(|(lo, width)| match width {
                    0 => lo.to_string(),
                    w => format!("{lo}..{}", lo + w),
                })
                .collect();
            format!("[{}]", items.join(", "))
        })
    }

    fn condition_leaf() -> impl Strategy<Value = String> {
        let name = prop::sample::select(vec!["AGE", "SEXE", "EQUIP", "DIPLOME", "ELIGIBLE"]);
        prop_oneof![
            4 => (number_leaf(), prop::sample::select(vec!["=", "!=", "<", "<=", ">", ">="]), number_leaf())
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            2 => (number_leaf(), any::<bool>(), list_source())
                .prop_map(|(a, not, list)| format!("{a} {}in {list}", if not { "not " } else { "" })),
            1 => (prop::sample::select(vec!["answered", "dk", "refused"]), name)
                .prop_map(|(f, n)| format!("{f}({n})")),
            1 => (0i64..8).prop_map(|c| format!("has(EQUIP, {c})")),
            1 => (any::<bool>(), list_source())
                .prop_map(|(all, list)| format!("has_{}(EQUIP, {list})", if all { "all" } else { "any" })),
            1 => prop::sample::select(vec!["true", "false", "ELIGIBLE"]).prop_map(str::to_string),
        ]
    }

    fn number_leaf() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "AGE",
                "SATISF",
                "HEURES",
                "SEXE",
                "DIPLOME",
                "count(EQUIP)"
            ])
            .prop_map(str::to_string),
            (-5i64..130).prop_map(|n| n.to_string()),
            (0u32..300).prop_map(|n| format!("{}.5", n / 10)),
        ]
    }

    /// A condition over the survey's variables.
    fn condition_source() -> impl Strategy<Value = String> {
        condition_leaf().prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
                inner.clone().prop_map(|a| format!("not {a}")),
                (inner.clone(), inner.clone(), inner)
                    .prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})")),
            ]
        })
    }

    /// A value of the right type and domain for each variable, or one of the missing states.
    fn answers() -> impl Strategy<Value = Answers> {
        fn or_missing(value: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
            prop_oneof![
                3 => value,
                1 => prop::sample::select(vec![Missing::NotAsked, Missing::DontKnow, Missing::Refused])
                    .prop_map(Value::Missing),
            ]
            .boxed()
        }
        let int = |lo: i64, hi: i64| or_missing((lo..=hi).prop_map(|n| Value::Number(n as f64)));
        (
            int(15, 120),
            int(0, 10),
            or_missing((0u32..=240).prop_map(|n| Value::Number(f64::from(n) / 10.0))),
            int(1, 2),
            int(1, 6),
            int(1, 12),
            or_missing(prop::collection::btree_set(1i64..=6, 0..=6).prop_map(Value::Codes)),
            or_missing(any::<bool>().prop_map(Value::Bool)),
        )
            .prop_map(
                |(age, satisf, heures, sexe, diplome, nb, equip, eligible)| {
                    Answers::default()
                        .with("AGE", age)
                        .with("SATISF", satisf)
                        .with("HEURES", heures)
                        .with("SEXE", sexe)
                        .with("DIPLOME", diplome)
                        .with("NB_PERS", nb)
                        .with("EQUIP", equip)
                        .with("ELIGIBLE", eligible)
                },
            )
    }

    /// Words and symbols of the language, to build inputs that get past the lexer.
    fn token_soup() -> impl Strategy<Value = String> {
        let token = prop::sample::select(vec![
            "AGE",
            "SEXE",
            "EQUIP",
            "commune_fichier",
            "DATE_ENQ",
            "FOO",
            "1",
            "2.5",
            "-",
            "+",
            "*",
            "/",
            "%",
            "=",
            "!=",
            "<",
            ">=",
            "and",
            "or",
            "not",
            "in",
            "if",
            "then",
            "else",
            "true",
            "(",
            ")",
            "[",
            "]",
            ",",
            "..",
            "\"x\"",
            "has",
            "has_any",
            "count",
            "countif",
            "answered",
            "date",
            "\"2024-01-31\"",
            "min",
            "round",
            "len",
            "year",
        ]);
        prop::collection::vec(token, 0..24).prop_map(|tokens| tokens.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_text_never_panics(source in any::<String>(), answers in answers()) {
            if let Ok(e) = parse(&source) {
                let _ = e.check(&Survey);
                let _ = e.can_be_true(&Survey);
                let _ = e.references();
                let _ = e.eval(&answers);
            }
        }

        #[test]
        fn token_soup_never_panics(source in token_soup(), answers in answers()) {
            if let Ok(e) = parse(&source) {
                let _ = e.check(&Survey);
                let _ = e.can_be_true(&Survey);
                let _ = e.eval(&answers);
            }
        }

        #[test]
        fn generated_numbers_parse_check_and_evaluate(source in number_source(), answers in answers()) {
            let e = parse(&source).map_err(|err| TestCaseError::fail(format!("{source}: {err}")))?;
            let _ = e.check(&Survey);
            match e.eval(&answers) {
                Value::Number(n) => prop_assert!(n.is_finite()),
                Value::Missing(_) => {}
                other => prop_assert!(false, "{source} gave {other:?}"),
            }
        }

        /// `can_be_true` is sound: whatever it rules out never happens in an interview whose
        /// answers respect the variables' domains.
        #[test]
        fn can_be_true_never_rules_out_a_true_condition(source in condition_source(), answers in answers()) {
            let e = parse(&source).map_err(|err| TestCaseError::fail(format!("{source}: {err}")))?;
            if e.is_true(&answers) {
                prop_assert!(e.can_be_true(&Survey), "{source} is true but was ruled out");
            }
        }
    }
}
