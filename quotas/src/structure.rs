//! The population structure of each commune by sex × age band, from a user-supplied CSV
//! (`code_commune,sexe,age_band,population`): the census tables it comes from are not shipped.

use crate::csv_input::{self, CsvError};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A non-negative decimal weight (a count or a share), held exactly in billionths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Weight(u128);

impl Weight {
    /// Billionths per unit: weights keep up to nine decimals exactly.
    pub const SCALE: u128 = 1_000_000_000;

    /// A whole weight.
    pub fn from_units(units: u64) -> Self {
        Self(u128::from(units) * Self::SCALE)
    }

    /// Reads `123`, `0.25` or `1234.5` (a point as decimal separator, at most nine decimals).
    pub fn parse(text: &str) -> Option<Self> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty())
            || !digits(whole)
            || !digits(fraction)
            || fraction.len() > 9
            || whole.len() > 20
        {
            return None;
        }
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let padded = format!("{fraction:0<9}");
        let fraction: u128 = padded.parse().ok()?;
        Some(Self(whole * Self::SCALE + fraction))
    }

    /// The weight in billionths, for exact arithmetic.
    pub fn billionths(self) -> u128 {
        self.0
    }

    /// The weight as a float, for display and shares.
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / Self::SCALE as f64
    }
}

impl std::ops::Add for Weight {
    type Output = Weight;
    fn add(self, other: Weight) -> Weight {
        Weight(self.0.saturating_add(other.0))
    }
}

impl std::iter::Sum for Weight {
    fn sum<I: Iterator<Item = Weight>>(iter: I) -> Weight {
        iter.fold(Weight::default(), |a, b| a + b)
    }
}

impl fmt::Display for Weight {
    /// Writes the decimal without trailing zeros (`1234`, `0.25`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / Self::SCALE;
        let fraction = self.0 % Self::SCALE;
        if fraction == 0 {
            return write!(f, "{whole}");
        }
        let digits = format!("{fraction:09}");
        write!(f, "{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// Population of each commune by (sex code, age band code), with the lines they come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Structure {
    communes: BTreeMap<String, BTreeMap<(i64, i64), Weight>>,
    lines: BTreeMap<String, u64>,
}

/// Why a structure file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StructureError {
    /// Malformed CSV or missing column.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// A field is not a number of the expected kind.
    #[error("ligne {line} : {column} « {value} » n'est pas {expected}")]
    BadNumber {
        /// 1-based line.
        line: u64,
        /// The column.
        column: &'static str,
        /// The text found.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A row has no commune code.
    #[error("ligne {line} : code commune vide")]
    EmptyCode {
        /// 1-based line.
        line: u64,
    },
    /// The same (commune, sex, age band) appears twice.
    #[error("ligne {line} : commune {code}, sexe {sexe}, age_band {age_band} figure deux fois")]
    DuplicateRow {
        /// 1-based line of the second row.
        line: u64,
        /// The commune.
        code: String,
        /// The sex code.
        sexe: i64,
        /// The age band code.
        age_band: i64,
    },
    /// The file has no data row.
    #[error("le fichier de structure n'a aucune ligne de données")]
    Empty,
}

const COLUMNS: [&str; 4] = ["code_commune", "sexe", "age_band", "population"];

impl Structure {
    /// Reads a structure file: columns `code_commune,sexe,age_band,population` (others
    /// ignored); `sexe` and `age_band` are integer codes, `population` a count or share.
    pub fn parse(csv: &str) -> Result<Self, StructureError> {
        let table = csv_input::read(csv, &COLUMNS)?;
        let mut structure = Structure::default();
        for (line, record) in &table.rows {
            let line = *line;
            let code = table.get(record, 0);
            if code.is_empty() {
                return Err(StructureError::EmptyCode { line });
            }
            let bad = |column: &'static str, value: &str, expected: &'static str| {
                StructureError::BadNumber {
                    line,
                    column,
                    value: value.to_owned(),
                    expected,
                }
            };
            let sexe_text = table.get(record, 1);
            let sexe: i64 = sexe_text
                .parse()
                .map_err(|_| bad("sexe", sexe_text, "un code entier"))?;
            let band_text = table.get(record, 2);
            let age_band: i64 = band_text
                .parse()
                .map_err(|_| bad("age_band", band_text, "un code entier"))?;
            let population_text = table.get(record, 3);
            let population = Weight::parse(population_text).ok_or_else(|| {
                bad(
                    "population",
                    population_text,
                    "un nombre positif ou nul (9 décimales au plus)",
                )
            })?;
            structure.lines.entry(code.to_owned()).or_insert(line);
            let cells = structure.communes.entry(code.to_owned()).or_default();
            if cells.insert((sexe, age_band), population).is_some() {
                return Err(StructureError::DuplicateRow {
                    line,
                    code: code.to_owned(),
                    sexe,
                    age_band,
                });
            }
        }
        if structure.communes.is_empty() {
            return Err(StructureError::Empty);
        }
        Ok(structure)
    }

    /// Builds a structure from (commune, sex, age band, weight) entries; a repeated entry
    /// keeps the last weight.
    pub fn from_entries(entries: impl IntoIterator<Item = (String, i64, i64, Weight)>) -> Self {
        let mut structure = Structure::default();
        for (code, sexe, age_band, weight) in entries {
            structure
                .communes
                .entry(code)
                .or_default()
                .insert((sexe, age_band), weight);
        }
        structure
    }

    /// The communes present, sorted.
    pub fn communes(&self) -> impl Iterator<Item = &str> {
        self.communes.keys().map(String::as_str)
    }

    /// The (sex, age band) weights of a commune, sorted by sex then band.
    pub fn commune(&self, code: &str) -> Option<&BTreeMap<(i64, i64), Weight>> {
        self.communes.get(code)
    }

    /// The first line where a commune appears in the file, if it came from one.
    pub fn line(&self, code: &str) -> Option<u64> {
        self.lines.get(code).copied()
    }

    /// Every sex code used, sorted.
    pub fn sexes(&self) -> BTreeSet<i64> {
        self.communes
            .values()
            .flat_map(|c| c.keys().map(|k| k.0))
            .collect()
    }

    /// Every age band code used, sorted.
    pub fn age_bands(&self) -> BTreeSet<i64> {
        self.communes
            .values()
            .flat_map(|c| c.keys().map(|k| k.1))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_reads_counts_and_shares_exactly() {
        assert_eq!(Weight::parse("1234"), Some(Weight::from_units(1234)));
        assert_eq!(
            Weight::parse("0.25").map(Weight::billionths),
            Some(250_000_000)
        );
        assert_eq!(
            Weight::parse(".5").map(|w| w.to_string()),
            Some("0.5".into())
        );
        for bad in ["", ".", "-1", "1,5", "1e3", "0.1234567891", "12 000"] {
            assert_eq!(Weight::parse(bad), None, "{bad:?} must be refused");
        }
    }

    #[test]
    fn structure_file_is_read_by_commune_sex_and_band() {
        let csv = "code_commune,sexe,age_band,population\n33063,1,1,100\n33063,2,1,120.5\n";
        let structure = Structure::parse(csv).expect("valid");
        let bordeaux = structure.commune("33063").expect("present");
        assert_eq!(
            bordeaux.get(&(2, 1)).map(ToString::to_string),
            Some("120.5".into())
        );
        assert_eq!(structure.line("33063"), Some(2));
        assert_eq!(structure.sexes().into_iter().collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn structure_errors_name_their_line() {
        let duplicate = "code_commune,sexe,age_band,population\n33063,1,1,1\n33063,1,1,2\n";
        assert!(matches!(
            Structure::parse(duplicate),
            Err(StructureError::DuplicateRow { line: 3, .. })
        ));
        let bad = "code_commune,sexe,age_band,population\n33063,H,1,1\n";
        assert_eq!(
            Structure::parse(bad).map_err(|e| e.to_string()),
            Err("ligne 2 : sexe « H » n'est pas un code entier".into())
        );
        let empty = "code_commune,sexe,age_band,population\n";
        assert_eq!(Structure::parse(empty), Err(StructureError::Empty));
    }
}
