//! The survey's communes, and the matching of what a sample file says of a row's commune: an
//! INSEE code, or a name written any way a person writes it (`MERIGNAC`, `St Médard en Jalles`,
//! `Villenave d Ornon`, `Bouscat (Le)`).

use std::collections::HashMap;

use serde::Serialize;

use crate::fold;

/// A commune of the survey: its INSEE code and official name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Commune {
    /// INSEE code (COG), `33063`.
    pub code: String,
    /// Official name, `Bordeaux`.
    pub name: String,
}

/// What a commune cell matched in the survey's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommuneMatch<'l> {
    /// One of the survey's communes.
    Found(&'l Commune),
    /// An INSEE code that is not in the list.
    OutsideSurvey,
    /// A name that matches no commune of the list.
    Unknown,
    /// A name that matches several communes of the list.
    Ambiguous,
}

/// The communes of a survey, indexed by code and by folded name.
#[derive(Clone, Debug)]
pub struct CommuneList {
    communes: Vec<Commune>,
    by_code: HashMap<String, usize>,
    by_name: HashMap<String, NameEntry>,
}

#[derive(Clone, Copy, Debug)]
enum NameEntry {
    One(usize),
    Several,
}

/// A list of communes that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommuneListError {
    /// A code that is not an INSEE commune code.
    #[error(
        "« {code} » n'est pas un code INSEE de commune (5 chiffres, ou 2A/2B et 3 chiffres) : \
         commune « {name} »"
    )]
    BadCode {
        /// The code given.
        code: String,
        /// The name given with it.
        name: String,
    },
    /// The same code twice.
    #[error("le code INSEE {code} figure deux fois dans la liste des communes")]
    DuplicateCode {
        /// The code.
        code: String,
    },
    /// A commune without a name.
    #[error("la commune {code} n'a pas de nom")]
    EmptyName {
        /// Its code.
        code: String,
    },
}

impl CommuneList {
    /// The survey's communes from (INSEE code, official name) pairs. Two communes may share a
    /// name (a name alone then matches neither); codes must be distinct.
    pub fn new<C, N>(communes: impl IntoIterator<Item = (C, N)>) -> Result<Self, CommuneListError>
    where
        C: Into<String>,
        N: Into<String>,
    {
        let mut list = CommuneList {
            communes: Vec::new(),
            by_code: HashMap::new(),
            by_name: HashMap::new(),
        };
        for (code, name) in communes {
            let (code, name): (String, String) = (code.into(), name.into().trim().to_owned());
            let Some(canonical) = insee_code(&code) else {
                return Err(CommuneListError::BadCode { code, name });
            };
            if name.is_empty() {
                return Err(CommuneListError::EmptyName { code });
            }
            let index = list.communes.len();
            if list.by_code.insert(canonical.clone(), index).is_some() {
                return Err(CommuneListError::DuplicateCode { code: canonical });
            }
            list.by_name
                .entry(name_key(&name))
                .and_modify(|entry| *entry = NameEntry::Several)
                .or_insert(NameEntry::One(index));
            list.communes.push(Commune {
                code: canonical,
                name,
            });
        }
        Ok(list)
    }

    /// The communes, in the order given.
    pub fn communes(&self) -> &[Commune] {
        &self.communes
    }

    /// Matches a commune cell: an INSEE code (a 4-digit code is taken as one whose leading 0 a
    /// spreadsheet dropped), else a name compared case-, accent- and punctuation-insensitively,
    /// with `St`/`Ste` read as `Saint`/`Sainte` and a leading or trailing article (`Le Bouscat`,
    /// `Bouscat (Le)`) ignored.
    pub fn find(&self, text: &str) -> CommuneMatch<'_> {
        let text = text.trim();
        if let Some(code) = insee_code(text) {
            return match self.by_code.get(&code) {
                Some(&index) => CommuneMatch::Found(&self.communes[index]),
                None => CommuneMatch::OutsideSurvey,
            };
        }
        match self.by_name.get(&name_key(text)) {
            Some(NameEntry::One(index)) => CommuneMatch::Found(&self.communes[*index]),
            Some(NameEntry::Several) => CommuneMatch::Ambiguous,
            None => CommuneMatch::Unknown,
        }
    }
}

/// `text` as an INSEE commune code (upper case, 5 characters) when it is written as one: five
/// digits, four digits (a leading zero lost), or `2A`/`2B` and three digits.
fn insee_code(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let all_digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
    match bytes.len() {
        5 if all_digits(bytes) => Some(text.to_owned()),
        4 if all_digits(bytes) => Some(format!("0{text}")),
        5 if bytes[0] == b'2' && matches!(bytes[1], b'A' | b'B' | b'a' | b'b') => {
            all_digits(&bytes[2..]).then(|| text.to_ascii_uppercase())
        }
        _ => None,
    }
}

/// The key names are compared on: folded words, `st`/`ste` as `saint`/`sainte`, without a
/// leading or trailing article, joined without breaks (`villenavedornon`).
fn name_key(name: &str) -> String {
    let mut words = fold::words(name);
    for word in &mut words {
        match word.as_str() {
            "st" => *word = "saint".to_owned(),
            "ste" => *word = "sainte".to_owned(),
            _ => {}
        }
    }
    let is_article = |word: &String| matches!(word.as_str(), "le" | "la" | "les" | "l");
    if words.len() > 1 {
        if words.first().is_some_and(is_article) {
            words.remove(0);
        } else if words.last().is_some_and(is_article) {
            words.pop();
        }
    }
    words.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insee_codes_are_recognised_by_their_shape() {
        assert_eq!(insee_code("33063").as_deref(), Some("33063"));
        assert_eq!(insee_code("1001").as_deref(), Some("01001"));
        assert_eq!(insee_code("2a004").as_deref(), Some("2A004"));
        assert_eq!(insee_code("Bordeaux"), None);
        assert_eq!(insee_code("330630"), None);
        assert_eq!(insee_code("2C004"), None);
    }

    #[test]
    fn names_fold_articles_and_saints() {
        assert_eq!(name_key("Le Bouscat"), "bouscat");
        assert_eq!(name_key("BOUSCAT (LE)"), "bouscat");
        assert_eq!(name_key("St-Médard-en-Jalles"), "saintmedardenjalles");
        assert_eq!(name_key("Villenave d’Ornon"), "villenavedornon");
        assert_eq!(name_key("Le"), "le");
    }
}
