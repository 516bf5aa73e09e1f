//! Expression text into `questionnaire::expr::parse`; what parses is shown, type-checked against
//! a scope of every kind of variable, tested for satisfiability and evaluated against values of
//! every kind (and missing ones).
#![no_main]

use libfuzzer_sys::fuzz_target;
use questionnaire::date::Date;
use questionnaire::expr::{Env, Missing, Scope, Value, VarType, parse};
use std::collections::BTreeSet;

struct Variables;

impl Scope for Variables {
    fn lookup(&self, name: &str) -> Option<VarType> {
        let codes = || BTreeSet::from([1, 2, 3, 99]);
        Some(match name {
            "AGE" => VarType::Integer {
                min: Some(15.0),
                max: Some(120.0),
            },
            "N" => VarType::Integer {
                min: None,
                max: None,
            },
            "REVENU" => VarType::Decimal {
                min: Some(0.0),
                max: Some(1e9),
            },
            "NOM" => VarType::Text,
            "NAISSANCE" => VarType::Date,
            "SEXE" => VarType::Single { codes: codes() },
            "USAGES" => VarType::Multiple { codes: codes() },
            "OK" => VarType::Bool,
            _ => return None,
        })
    }
}

/// Values chosen by the input's last byte: present, or missing for each reason.
struct Values(u8);

impl Env for Values {
    fn value(&self, name: &str) -> Value {
        match self.0 % 4 {
            1 => return Value::Missing(Missing::NotAsked),
            2 => return Value::Missing(Missing::DontKnow),
            3 => return Value::Missing(Missing::Refused),
            _ => {}
        }
        match name {
            "AGE" => Value::Number(f64::from(self.0)),
            "N" => Value::Number(-1e308),
            "REVENU" => Value::Number(1234.5),
            "NOM" => Value::Text("Dupont".to_owned()),
            "NAISSANCE" => Value::Date(Date::parse("1970-02-28").expect("a valid date")),
            "SEXE" => Value::Number(2.0),
            "USAGES" => Value::Codes(BTreeSet::from([1, 99])),
            "OK" => Value::Bool(true),
            _ => Value::Missing(Missing::NotAsked),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let expr = match parse(source) {
        Ok(expr) => expr,
        Err(error) => {
            // The column points inside the source (or just past its end).
            assert!(error.column >= 1 && error.column <= source.chars().count() + 1);
            let _ = error.to_string();
            return;
        }
    };
    assert_eq!(expr.to_string(), source);
    for reference in expr.references() {
        assert!(reference.column >= 1 && reference.column <= source.chars().count());
    }
    let checked = expr.check(&Variables);
    let _ = expr.can_be_true(&Variables);
    let env = Values(data.last().copied().unwrap_or(0));
    let value = expr.eval(&env);
    let truth = expr.is_true(&env);
    if checked.is_ok() {
        assert_eq!(truth, value == Value::Bool(true));
    }
});
