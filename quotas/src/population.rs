//! Commune populations, read from the legal populations file (long format, one row per
//! commune and vintage).

use crate::csv_input::{self, CsvError};
use std::collections::{BTreeMap, BTreeSet};

/// The population of one commune, the basis of its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunePopulation {
    /// INSEE code, kept as text (`33063`; Corsican codes such as `2A004` exist).
    pub code: String,
    /// The commune's name.
    pub name: String,
    /// Its population (the INSEE *population municipale*).
    pub population: u64,
}

/// Why the populations could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PopulationError {
    /// Malformed CSV or missing column.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// No row has the vintage asked for.
    #[error("aucune population pour le millésime « {vintage} » ; millésimes du fichier : {}", available.join(", "))]
    MissingVintage {
        /// The vintage asked for.
        vintage: String,
        /// The vintages present, sorted.
        available: Vec<String>,
    },
    /// A population is not a whole non-negative number.
    #[error(
        "ligne {line} : la population « {value} » de la commune {code} n'est pas un nombre entier"
    )]
    BadNumber {
        /// 1-based line.
        line: u64,
        /// The commune.
        code: String,
        /// The text found.
        value: String,
    },
    /// A row has no commune code.
    #[error("ligne {line} : code commune vide")]
    EmptyCode {
        /// 1-based line.
        line: u64,
    },
    /// The same commune appears twice in the vintage.
    #[error(
        "ligne {line} : la commune {code} figure deux fois pour le millésime {vintage} (déjà ligne {first_line})"
    )]
    DuplicateCommune {
        /// 1-based line of the second row.
        line: u64,
        /// 1-based line of the first row.
        first_line: u64,
        /// The commune.
        code: String,
        /// The vintage.
        vintage: String,
    },
}

const COLUMNS: [&str; 4] = [
    "code_commune",
    "nom_commune",
    "millesime",
    "population_municipale",
];

/// The vintages (`millesime`) present in a legal populations file, sorted.
pub fn population_vintages(csv: &str) -> Result<Vec<String>, PopulationError> {
    let table = csv_input::read(csv, &COLUMNS)?;
    let vintages: BTreeSet<String> = table
        .rows
        .iter()
        .map(|(_, r)| table.get(r, 2).to_owned())
        .collect();
    Ok(vintages.into_iter().collect())
}

/// The communes' populations for `vintage`, sorted by code, from a legal populations file with
/// columns `code_commune,nom_commune,millesime,population_municipale` (others ignored).
/// Only the rows of that vintage are checked.
pub fn parse_populations(
    csv: &str,
    vintage: &str,
) -> Result<Vec<CommunePopulation>, PopulationError> {
    let table = csv_input::read(csv, &COLUMNS)?;
    let mut communes: BTreeMap<String, (u64, CommunePopulation)> = BTreeMap::new();
    for (line, record) in &table.rows {
        if table.get(record, 2) != vintage {
            continue;
        }
        let code = table.get(record, 0);
        if code.is_empty() {
            return Err(PopulationError::EmptyCode { line: *line });
        }
        let value = table.get(record, 3);
        let population = parse_count(value).ok_or_else(|| PopulationError::BadNumber {
            line: *line,
            code: code.to_owned(),
            value: value.to_owned(),
        })?;
        if let Some((first_line, _)) = communes.get(code) {
            return Err(PopulationError::DuplicateCommune {
                line: *line,
                first_line: *first_line,
                code: code.to_owned(),
                vintage: vintage.to_owned(),
            });
        }
        let commune = CommunePopulation {
            code: code.to_owned(),
            name: table.get(record, 1).to_owned(),
            population,
        };
        communes.insert(code.to_owned(), (*line, commune));
    }
    if communes.is_empty() {
        let available = population_vintages(csv)?;
        return Err(PopulationError::MissingVintage {
            vintage: vintage.to_owned(),
            available,
        });
    }
    Ok(communes.into_values().map(|(_, c)| c).collect())
}

/// A whole number written with digits only (no sign, no separator).
fn parse_count(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "code_commune,nom_commune,millesime,en_vigueur_au,population_municipale\n";

    #[test]
    fn keeps_only_the_requested_vintage_sorted_by_code() {
        let csv = format!(
            "{HEADER}33063,Bordeaux,2023,2026-01-01,100\n33003,Ambarès,2023,2026-01-01,10\n\
             33063,Bordeaux,2022,2025-01-01,abc\n"
        );
        let communes = parse_populations(&csv, "2023").expect("valid");
        let codes: Vec<&str> = communes.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["33003", "33063"]);
        assert_eq!(communes[1].population, 100);
    }

    #[test]
    fn missing_vintage_lists_the_available_ones() {
        let csv = format!("{HEADER}33063,Bordeaux,2022,2025-01-01,100\n");
        let error = parse_populations(&csv, "2023").expect_err("no 2023");
        assert_eq!(
            error.to_string(),
            "aucune population pour le millésime « 2023 » ; millésimes du fichier : 2022"
        );
    }

    #[test]
    fn bad_number_names_line_and_commune() {
        let csv = format!("{HEADER}33063,Bordeaux,2023,2026-01-01,12 000\n");
        let error = parse_populations(&csv, "2023").expect_err("bad number");
        assert_eq!(
            error,
            PopulationError::BadNumber {
                line: 2,
                code: "33063".into(),
                value: "12 000".into()
            }
        );
    }

    #[test]
    fn duplicate_commune_names_both_lines() {
        let csv = format!(
            "{HEADER}33063,Bordeaux,2023,2026-01-01,1\n33004,Ambès,2023,2026-01-01,1\n\
             33063,Bordeaux,2023,2026-01-01,2\n"
        );
        let error = parse_populations(&csv, "2023").expect_err("duplicate");
        assert!(matches!(
            error,
            PopulationError::DuplicateCommune {
                line: 4,
                first_line: 2,
                ..
            }
        ));
    }

    #[test]
    fn missing_column_is_reported() {
        let error = parse_populations("code_commune,millesime\n33063,2023\n", "2023")
            .expect_err("missing columns");
        assert!(
            error
                .to_string()
                .contains("colonne « nom_commune » absente")
        );
    }

    #[test]
    fn ragged_row_is_a_csv_error_with_its_line() {
        let csv = format!("{HEADER}33063,Bordeaux,2023\n");
        let error = parse_populations(&csv, "2023").expect_err("ragged");
        assert!(matches!(
            error,
            PopulationError::Csv(CsvError::Syntax { line: 2, .. })
        ));
    }
}
