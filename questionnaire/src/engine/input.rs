//! What the interviewer submits, and its validation against the question (type, range,
//! decimals, length, options, exclusive, "other" texts, don't know / refused).

use super::display;
use super::error::AnswerError;
use super::record::Answer;
use crate::date::Date;
use crate::model::{Choice, OTHER_MAX_LENGTH, QuestionKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the interviewer submits for the current step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerInput {
    /// Single (exactly one code) or multiple choice, with "other, specify" texts by code.
    Codes {
        /// The chosen codes.
        codes: Vec<i64>,
        /// "Other, specify" texts by code.
        other: BTreeMap<i64, String>,
    },
    /// Integer, decimal (comma or point), text, date (`YYYY-MM-DD` or `DD/MM/YYYY`), scale; a
    /// code for a single choice.
    Raw(String),
    /// "Don't know", where the question allows it.
    DontKnow,
    /// "Refused", where the question allows it.
    Refused,
    /// Info steps.
    Continue,
}

/// The answer `input` gives to a step of type `kind` (a grid item is validated as a single
/// choice among the grid's options), or why it is not acceptable.
pub(super) fn validate(
    kind: &QuestionKind,
    grid_item: bool,
    allow_dont_know: bool,
    allow_refused: bool,
    input: AnswerInput,
) -> Result<Answer, AnswerError> {
    let invalid = |m: &str| Err(AnswerError::Invalid(m.to_string()));
    match input {
        AnswerInput::DontKnow if allow_dont_know => return Ok(Answer::DontKnow),
        AnswerInput::DontKnow => {
            return invalid("« Ne sait pas » n'est pas accepté pour cette question.");
        }
        AnswerInput::Refused if allow_refused => return Ok(Answer::Refused),
        AnswerInput::Refused => return invalid("« Refus » n'est pas accepté pour cette question."),
        _ => {}
    }
    if grid_item {
        return single(kind.options(), input);
    }
    match kind {
        QuestionKind::Info => match input {
            AnswerInput::Continue => Ok(Answer::Seen),
            _ => invalid("Cette étape ne demande pas de réponse : continuez."),
        },
        QuestionKind::Single { options, .. } => single(options, input),
        QuestionKind::Multiple {
            options,
            max_choices,
            ..
        } => multiple(options, *max_choices, input),
        QuestionKind::Integer { min, max } => {
            let n = integer(&raw(input)?)?;
            in_range(n, *min, *max, |v| v.to_string())?;
            Ok(Answer::Integer(n))
        }
        QuestionKind::Scale { min, max, .. } => {
            let n = match input {
                AnswerInput::Codes { codes, .. } if codes.len() == 1 => codes[0],
                other => integer(&raw(other)?)?,
            };
            in_range(n, Some(*min), Some(*max), |v| v.to_string())?;
            Ok(Answer::Integer(n))
        }
        QuestionKind::Decimal { min, max, decimals } => {
            let d = decimal(&raw(input)?, *decimals)?;
            in_range(d, *min, *max, |v| display::number(v, "fr"))?;
            Ok(Answer::Decimal(d))
        }
        QuestionKind::Text { max_length } => {
            let text = raw(input)?.trim().to_string();
            if text.is_empty() {
                return invalid("Veuillez saisir une réponse.");
            }
            if text.chars().count() > *max_length {
                return Err(AnswerError::Invalid(format!(
                    "La réponse ne doit pas dépasser {max_length} caractères."
                )));
            }
            Ok(Answer::Text(text))
        }
        QuestionKind::Date { min, max } => {
            let d = date(&raw(input)?)?;
            if min.is_some_and(|m| d < m) || max.is_some_and(|m| d > m) {
                let fmt = |d: &Option<Date>| d.map(|d| display::date(&d, "fr"));
                return Err(AnswerError::Invalid(match (fmt(min), fmt(max)) {
                    (Some(a), Some(b)) => {
                        format!("La date doit être comprise entre le {a} et le {b}.")
                    }
                    (Some(a), None) => format!("La date doit être le {a} ou après."),
                    (None, Some(b)) => format!("La date doit être le {b} ou avant."),
                    (None, None) => String::new(),
                }));
            }
            Ok(Answer::Date(d))
        }
        QuestionKind::Grid { .. } | QuestionKind::Computed { .. } => {
            invalid("Cette étape ne demande pas de réponse.")
        }
    }
}

fn raw(input: AnswerInput) -> Result<String, AnswerError> {
    match input {
        AnswerInput::Raw(s) => Ok(s),
        AnswerInput::Codes { codes, .. } if codes.len() == 1 => Ok(codes[0].to_string()),
        _ => Err(AnswerError::Invalid("Veuillez saisir une réponse.".into())),
    }
}

fn single(options: &[Choice], input: AnswerInput) -> Result<Answer, AnswerError> {
    let (codes, mut other) = match input {
        AnswerInput::Codes { codes, other } => (codes, other),
        AnswerInput::Raw(s) => (vec![code(&s)?], BTreeMap::new()),
        _ => return Err(AnswerError::Invalid("Veuillez choisir une réponse.".into())),
    };
    let [c] = codes[..] else {
        return Err(AnswerError::Invalid(if codes.is_empty() {
            "Veuillez choisir une réponse.".into()
        } else {
            "Veuillez choisir une seule réponse.".into()
        }));
    };
    let option = option(options, c)?;
    let text = other_text(option, other.remove(&c))?;
    extra_other_texts(&other)?;
    Ok(Answer::Choice {
        code: c,
        other: text,
    })
}

fn multiple(
    options: &[Choice],
    max_choices: Option<usize>,
    input: AnswerInput,
) -> Result<Answer, AnswerError> {
    let (codes, mut other) = match input {
        AnswerInput::Codes { codes, other } => (codes, other),
        AnswerInput::Raw(s) => (
            s.split([',', ';', ' '])
                .filter(|p| !p.is_empty())
                .map(code)
                .collect::<Result<Vec<_>, _>>()?,
            BTreeMap::new(),
        ),
        _ => {
            return Err(AnswerError::Invalid(
                "Veuillez choisir au moins une réponse.".into(),
            ));
        }
    };
    let mut unique: Vec<i64> = Vec::with_capacity(codes.len());
    for c in codes {
        if !unique.contains(&c) {
            unique.push(c);
        }
    }
    if unique.is_empty() {
        return Err(AnswerError::Invalid(
            "Veuillez choisir au moins une réponse.".into(),
        ));
    }
    let mut texts = BTreeMap::new();
    for &c in &unique {
        let option = option(options, c)?;
        if option.exclusive && unique.len() > 1 {
            return Err(AnswerError::Invalid(format!(
                "« {} » ne peut pas être combiné avec une autre réponse.",
                option.label.primary()
            )));
        }
        if let Some(t) = other_text(option, other.remove(&c))? {
            texts.insert(c, t);
        }
    }
    extra_other_texts(&other)?;
    if let Some(max) = max_choices
        && unique.len() > max
    {
        return Err(AnswerError::Invalid(if max == 1 {
            "Une seule réponse est possible.".into()
        } else {
            format!("{max} réponses au maximum.")
        }));
    }
    Ok(Answer::Choices {
        codes: unique,
        other: texts,
    })
}

fn option(options: &[Choice], code: i64) -> Result<&Choice, AnswerError> {
    options.iter().find(|o| o.code == code).ok_or_else(|| {
        AnswerError::Invalid(format!(
            "Le code {code} ne fait pas partie des réponses possibles."
        ))
    })
}

/// The "other, specify" text of a chosen option: required (and bounded) when the option asks
/// for one, refused otherwise.
fn other_text(option: &Choice, text: Option<String>) -> Result<Option<String>, AnswerError> {
    let text = text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    match (option.other, text) {
        (true, None) => Err(AnswerError::Invalid(format!(
            "Veuillez préciser la réponse « {} ».",
            option.label.primary()
        ))),
        (true, Some(t)) if t.chars().count() > OTHER_MAX_LENGTH => Err(AnswerError::Invalid(
            format!("La précision ne doit pas dépasser {OTHER_MAX_LENGTH} caractères."),
        )),
        (false, Some(_)) => Err(AnswerError::Invalid(format!(
            "La réponse « {} » ne demande pas de précision.",
            option.label.primary()
        ))),
        (_, t) => Ok(t),
    }
}

/// Texts given for options that were not chosen.
fn extra_other_texts(rest: &BTreeMap<i64, String>) -> Result<(), AnswerError> {
    match rest.iter().find(|(_, t)| !t.trim().is_empty()) {
        Some((c, _)) => Err(AnswerError::Invalid(format!(
            "Une précision est donnée pour le code {c}, qui n'est pas choisi."
        ))),
        None => Ok(()),
    }
}

fn code(s: &str) -> Result<i64, AnswerError> {
    s.trim().parse().map_err(|_| {
        AnswerError::Invalid(format!("« {} » n'est pas un code de réponse.", s.trim()))
    })
}

fn integer(s: &str) -> Result<i64, AnswerError> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .parse()
        .map_err(|_| AnswerError::Invalid("Veuillez saisir un nombre entier.".into()))
}

fn decimal(s: &str, decimals: u32) -> Result<f64, AnswerError> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let unsigned = compact.strip_prefix(['-', '+']).unwrap_or(&compact);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(AnswerError::Invalid("Veuillez saisir un nombre.".into()));
    }
    if fraction.len() > decimals as usize {
        return Err(AnswerError::Invalid(match decimals {
            0 => "Veuillez saisir un nombre sans décimale.".into(),
            1 => "Une décimale au maximum.".into(),
            n => format!("{n} décimales au maximum."),
        }));
    }
    compact
        .parse()
        .map_err(|_| AnswerError::Invalid("Veuillez saisir un nombre.".into()))
}

fn date(s: &str) -> Result<Date, AnswerError> {
    let s = s.trim();
    let iso = match s.split('/').collect::<Vec<_>>()[..] {
        [d, m, y] => format!("{y:0>4}-{m:0>2}-{d:0>2}"),
        _ => s.to_string(),
    };
    Date::parse(&iso)
        .ok_or_else(|| AnswerError::Invalid("Veuillez saisir une date valide (JJ/MM/AAAA).".into()))
}

fn in_range<T: PartialOrd + Copy>(
    v: T,
    min: Option<T>,
    max: Option<T>,
    show: impl Fn(T) -> String,
) -> Result<(), AnswerError> {
    if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
        return Err(AnswerError::Invalid(match (min, max) {
            (Some(a), Some(b)) => format!(
                "La valeur doit être comprise entre {} et {}.",
                show(a),
                show(b)
            ),
            (Some(a), None) => format!("La valeur doit être supérieure ou égale à {}.", show(a)),
            (None, Some(b)) => format!("La valeur doit être inférieure ou égale à {}.", show(b)),
            (None, None) => String::new(),
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{date, decimal, integer};

    #[test]
    fn decimals_accept_comma_or_point_and_count_their_decimals() {
        assert_eq!(decimal("2,5", 1), Ok(2.5));
        assert_eq!(decimal(" -0.25 ", 2), Ok(-0.25));
        assert_eq!(decimal("3", 0), Ok(3.0));
        assert!(decimal("2,55", 1).is_err());
        for bad in ["", ",", "1e3", "inf", "NaN", "1.2.3", "--1"] {
            assert!(decimal(bad, 2).is_err(), "{bad}");
        }
    }

    #[test]
    fn integers_ignore_spaces_and_reject_decimals() {
        assert_eq!(integer("1 000"), Ok(1000));
        assert_eq!(integer("-3"), Ok(-3));
        assert!(integer("3,5").is_err());
        assert!(integer("").is_err());
    }

    #[test]
    fn dates_are_read_iso_or_french() {
        assert_eq!(
            date("2024-03-05").map(|d| d.to_string()),
            Ok("2024-03-05".into())
        );
        assert_eq!(
            date("5/3/2024").map(|d| d.to_string()),
            Ok("2024-03-05".into())
        );
        assert!(date("31/02/2024").is_err());
        assert!(date("hier").is_err());
    }
}
