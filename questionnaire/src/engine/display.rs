//! Values as shown to interviewers: fills and validation messages (French conventions for
//! French: decimal comma, dates DD/MM/YYYY).

use crate::date::Date;
use crate::expr::Value;

/// A number as written in `language` (`1,5` in French, `1.5` otherwise; no `.0` for integers).
pub(crate) fn number(n: f64, language: &str) -> String {
    let s = if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    };
    if language == "fr" {
        s.replace('.', ",")
    } else {
        s
    }
}

/// A date as written in `language`.
pub(crate) fn date(d: &Date, language: &str) -> String {
    if language == "fr" {
        format!("{:02}/{:02}/{:04}", d.day, d.month, d.year)
    } else {
        d.to_string()
    }
}

/// A non-choice value in a fill; missing values show `…`.
pub(crate) fn value(v: &Value, language: &str) -> String {
    match v {
        Value::Missing(_) => MISSING.to_string(),
        Value::Number(n) => number(*n, language),
        Value::Text(t) => t.clone(),
        Value::Date(d) => date(d, language),
        Value::Bool(b) => match (b, language) {
            (true, "fr") => "oui".into(),
            (false, "fr") => "non".into(),
            (true, _) => "yes".into(),
            (false, _) => "no".into(),
        },
        Value::Codes(c) => c.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
    }
}

/// What a fill shows when its variable has no usable value.
pub(crate) const MISSING: &str = "…";
