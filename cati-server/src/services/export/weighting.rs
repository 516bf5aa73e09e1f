//! The weighting of an export from files: legal populations (one vintage), optional extra
//! margins, method and bounds. Shared by `cati export` and the server's downloads.

use std::path::{Path, PathBuf};

use exports::build::WeightingSpec;
use exports::weighting::{Bounds, Method, WeightError};
use quotas::PopulationError;

use super::Weighting;

/// Why the weighting could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum WeightingInputError {
    /// A file could not be read.
    #[error("lecture de {path} : {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The populations are malformed or lack the vintage.
    #[error("populations ({name}) : {source}")]
    Populations {
        /// The file's name as the user knows it.
        name: String,
        /// The cause.
        source: PopulationError,
    },
    /// The populations hold no vintage at all.
    #[error("aucune population dans {0}")]
    NoPopulation(String),
    /// The margins file is malformed.
    #[error("marges {path} : {source}")]
    Margins {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: WeightError,
    },
    /// Unknown method, or bounds missing or malformed.
    #[error("méthode de pondération : {0}")]
    Method(#[from] WeightError),
}

/// Reads the populations of `vintage` (default: the latest in the file) and the optional
/// margins, and checks the method and its bounds.
pub fn from_files(
    populations: &Path,
    vintage: Option<&str>,
    margins: Option<&Path>,
    method: &str,
    bounds: Option<&str>,
) -> Result<Weighting, WeightingInputError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| WeightingInputError::Read {
            path: path.to_owned(),
            source,
        })
    };
    let csv = read(populations)?;
    let mut weighting = from_text(
        &csv,
        &populations.display().to_string(),
        vintage,
        method,
        bounds,
    )?;
    if let Some(path) = margins {
        weighting.spec.margins = exports::weighting::io::read_margins(read(path)?.as_bytes())
            .map_err(|source| WeightingInputError::Margins {
                path: path.to_owned(),
                source,
            })?;
    }
    Ok(weighting)
}

/// The weighting on the populations `csv` (a legal populations table, `name` saying which in
/// messages) of `vintage` (default: the latest it holds), with the method and its bounds
/// checked.
pub fn from_text(
    csv: &str,
    name: &str,
    vintage: Option<&str>,
    method: &str,
    bounds: Option<&str>,
) -> Result<Weighting, WeightingInputError> {
    let population_error = |source| WeightingInputError::Populations {
        name: name.to_owned(),
        source,
    };
    let vintage = match vintage {
        Some(v) => v.to_owned(),
        None => latest_vintage(csv, name)?,
    };
    let communes = quotas::parse_populations(csv, &vintage).map_err(population_error)?;
    if communes.is_empty() {
        return Err(WeightingInputError::NoPopulation(name.to_owned()));
    }
    let bounds = bounds.map(str::parse::<Bounds>).transpose()?;
    let method = Method::from_name(method, bounds)?;
    Ok(Weighting {
        populations: communes,
        spec: WeightingSpec {
            method,
            ..WeightingSpec::default()
        },
    })
}

/// The latest vintage of a populations table.
pub fn latest_vintage(csv: &str, name: &str) -> Result<String, WeightingInputError> {
    quotas::population_vintages(csv)
        .map_err(|source| WeightingInputError::Populations {
            name: name.to_owned(),
            source,
        })?
        .pop()
        .ok_or_else(|| WeightingInputError::NoPopulation(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_vintage_is_the_default_and_bounds_are_required_by_logit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pop.csv");
        std::fs::write(
            &path,
            "code_commune,nom_commune,millesime,population_municipale\n\
             33063,Bordeaux,2022,10\n33063,Bordeaux,2023,12\n",
        )
        .unwrap();
        let weighting = from_files(&path, None, None, "raking", None).unwrap();
        assert_eq!(weighting.populations[0].population, 12);
        let error = from_files(&path, None, None, "logit", None).unwrap_err();
        assert!(matches!(error, WeightingInputError::Method(_)), "{error}");
        let error = from_files(&path, Some("1999"), None, "raking", None).unwrap_err();
        assert!(error.to_string().contains("1999"), "{error}");
    }
}
