//! The file as TOML sees it: every key optional where a missing key deserves a precise message,
//! unknown keys rejected, spans kept for findings.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    pub survey: Option<Spanned<RawSurvey>>,
    pub preload: Option<BTreeMap<Spanned<String>, Spanned<RawPreload>>>,
    pub lists: Option<BTreeMap<Spanned<String>, RawList>>,
    pub screening: Option<RawScreening>,
    pub closing: Option<Spanned<RawClosing>>,
    #[serde(default)]
    pub section: Vec<Spanned<RawSection>>,
}

/// A named option list of `[lists]`.
pub(crate) type RawList = Spanned<Vec<Spanned<RawOption>>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSurvey {
    pub id: Option<Spanned<String>>,
    pub title: Option<Spanned<RawText>>,
    pub version: Option<Spanned<String>>,
    pub languages: Option<Spanned<Vec<Spanned<String>>>>,
    pub dont_know: Option<Spanned<RawMissing>>,
    pub refused: Option<Spanned<RawMissing>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMissing {
    pub code: i64,
    pub label: Spanned<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPreload {
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    #[serde(default)]
    pub personal: bool,
    pub label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScreening {
    pub quota: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub screen_out: Vec<Spanned<RawScreenOut>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScreenOut {
    pub when: Option<Spanned<String>>,
    pub reason: Option<Spanned<RawText>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClosing {
    pub completed: Option<Spanned<RawText>>,
    pub screened_out: Option<Spanned<RawText>>,
    pub refusal: Option<Spanned<RawText>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSection {
    pub id: Option<Spanned<String>>,
    pub title: Option<Spanned<RawText>>,
    pub randomize: Option<Spanned<bool>>,
    #[serde(default)]
    pub question: Vec<Spanned<RawQuestion>>,
}

/// Every key any question type may have; `build` rejects the ones that do not fit the type.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawQuestion {
    pub var: Option<Spanned<String>>,
    #[serde(rename = "type")]
    pub kind: Option<Spanned<String>>,
    pub text: Option<Spanned<RawText>>,
    pub instruction: Option<Spanned<RawText>>,
    pub label: Option<Spanned<RawText>>,
    pub filter: Option<Spanned<String>>,
    pub options: Option<Spanned<RawOptions>>,
    pub randomize: Option<Spanned<bool>>,
    pub max_choices: Option<Spanned<i64>>,
    pub min: Option<Spanned<RawBound>>,
    pub max: Option<Spanned<RawBound>>,
    pub decimals: Option<Spanned<i64>>,
    pub max_length: Option<Spanned<i64>>,
    pub min_label: Option<Spanned<RawText>>,
    pub max_label: Option<Spanned<RawText>>,
    pub items: Option<Spanned<Vec<Spanned<RawItem>>>>,
    pub expr: Option<Spanned<String>>,
    pub dont_know: Option<Spanned<bool>>,
    pub refused: Option<Spanned<bool>>,
    pub checks: Option<Spanned<Vec<Spanned<RawCheck>>>>,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOption {
    pub code: Spanned<i64>,
    pub label: Spanned<RawText>,
    pub other: Option<Spanned<bool>>,
    pub exclusive: Option<Spanned<bool>>,
    pub anchor: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawItem {
    pub var: Spanned<String>,
    pub text: Spanned<RawText>,
    pub label: Option<Spanned<RawText>>,
    pub filter: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCheck {
    pub hard: Option<Spanned<String>>,
    pub soft: Option<Spanned<String>>,
    pub message: Option<Spanned<RawText>>,
}

/// A text: a string in the primary language or a table language → string (file order kept).
#[derive(Clone)]
pub(crate) enum RawText {
    Plain(String),
    Translated(Vec<(String, String)>),
}

impl<'de> Deserialize<'de> for RawText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a table of language = \"text\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RawText, E> {
                Ok(RawText::Plain(s.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawText, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    out.push((k, v));
                }
                Ok(RawText::Translated(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// Options: inline array or the name of a list.
pub(crate) enum RawOptions {
    List(String),
    Inline(Vec<Spanned<RawOption>>),
}

impl<'de> Deserialize<'de> for RawOptions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawOptions;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of options or the name of a list")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RawOptions, E> {
                Ok(RawOptions::List(s.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawOptions, A::Error> {
                let mut out = Vec::new();
                while let Some(o) = seq.next_element()? {
                    out.push(o);
                }
                Ok(RawOptions::Inline(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A bound: integer, decimal or date string, interpreted per question type.
pub(crate) enum RawBound {
    Integer(i64),
    Decimal(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for RawBound {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawBound;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a date \"YYYY-MM-DD\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawBound, E> {
                Ok(RawBound::Integer(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawBound, E> {
                i64::try_from(v)
                    .map(RawBound::Integer)
                    .map_err(|_| E::custom("number too large"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawBound, E> {
                Ok(RawBound::Decimal(v))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RawBound, E> {
                Ok(RawBound::Text(s.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}
