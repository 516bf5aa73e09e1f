//! A survey's indicators definition in the database: the TOML text of an indicators file (as
//! `questionnaires/observatoire.indicators.toml`), stored with the questionnaire version it was
//! checked against. Exports of a single wave whose version has one include the per-commune
//! indicator table (`indicateurs.csv`); `cati export --indicators FILE` overrides it.

use std::path::{Path, PathBuf};

use exports::build;
use questionnaire::Questionnaire;

use super::ExportError;
use crate::store::{Tx, surveys};

/// Suffix of an indicators file next to its questionnaire: `observatoire.toml` has
/// `observatoire.indicators.toml`.
pub const FILE_SUFFIX: &str = ".indicators.toml";

/// The indicators file that goes with a questionnaire file (whether it exists or not):
/// `dir/name.toml` gives `dir/name.indicators.toml`.
pub fn beside(questionnaire_file: &Path) -> PathBuf {
    let stem = questionnaire_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    questionnaire_file.with_file_name(format!("{stem}{FILE_SUFFIX}"))
}

/// Checks `source` against the questionnaire and stores it with the questionnaire version.
pub async fn store(
    tx: &mut Tx,
    version_id: i64,
    questionnaire: &Questionnaire,
    source: &str,
) -> Result<(), ExportError> {
    build::parse_indicators(source, questionnaire)?;
    surveys::set_questionnaire_indicators(tx, version_id, Some(source)).await?;
    Ok(())
}

/// Stores the indicators file next to `questionnaire_file`, when there is one, with the
/// questionnaire version `version_id`; returns the file stored. A file that does not fit the
/// questionnaire is an error (nothing is stored).
pub async fn attach_beside(
    tx: &mut Tx,
    version_id: i64,
    questionnaire_file: &Path,
    questionnaire: &Questionnaire,
) -> Result<Option<PathBuf>, ExportError> {
    let path = beside(questionnaire_file);
    let Some(source) = read_beside(questionnaire_file)? else {
        return Ok(None);
    };
    store(tx, version_id, questionnaire, &source).await?;
    Ok(Some(path))
}

/// The text of the indicators file next to `questionnaire_file`, `None` when there is none.
pub fn read_beside(questionnaire_file: &Path) -> Result<Option<String>, ExportError> {
    match std::fs::read_to_string(beside(questionnaire_file)) {
        Ok(source) => Ok(Some(source)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ExportError::Io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicators_file_sits_next_to_its_questionnaire() {
        assert_eq!(
            beside(Path::new("/q/observatoire.toml")),
            PathBuf::from("/q/observatoire.indicators.toml")
        );
        assert_eq!(
            beside(Path::new("enquete.toml")),
            PathBuf::from("enquete.indicators.toml")
        );
    }
}
