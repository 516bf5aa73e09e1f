//! The whole export of a wave into a directory: data files, indicator table and a manifest
//! saying what was exported, how, and with which checksums.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use super::error::BuildError;
use super::input::BuildOptions;
use super::wave::BuiltWave;
use super::weights::{AppliedWeighting, WEIGHT};
use crate::indicators::{TableRow, VarianceMethod, write_table_csv};
use crate::writers::WriteError;
use crate::writers::bundle::{self, DTA, MANIFEST, PARQUET, SAV};
use crate::writers::datapackage::ResourceFormat;
use crate::writers::manifest::{Manifest, ManifestEntry};

/// File of the indicator table.
pub const INDICATORS_CSV: &str = "indicateurs.csv";

/// Which data files to write (`cati export --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// The three CSV flavours and the Frictionless descriptor.
    Csv,
    /// SPSS `.sav`.
    Sav,
    /// Stata `.dta`.
    Dta,
    /// Parquet.
    Parquet,
    /// Markdown and HTML codebooks.
    Codebook,
    /// Everything ([`crate::writers::bundle::write_bundle`]).
    All,
}

impl ExportFormat {
    /// From its command-line name: `csv`, `sav`, `dta`, `parquet`, `codebook`, `all`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "csv" => Self::Csv,
            "sav" => Self::Sav,
            "dta" => Self::Dta,
            "parquet" => Self::Parquet,
            "codebook" => Self::Codebook,
            "all" => Self::All,
            _ => return None,
        })
    }
}

/// What [`export_wave`] writes.
#[derive(Debug, Clone)]
pub struct ExportRequest<'a> {
    /// Existing directory to write into.
    pub dir: &'a Path,
    /// Data files.
    pub format: ExportFormat,
    /// The indicator table, if computed ([`super::indicator_table_for_wave`]).
    pub indicators: Option<&'a [TableRow]>,
}

/// Questionnaire the wave was collected with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionnaireSummary {
    /// Id.
    pub id: String,
    /// Version.
    pub version: String,
}

/// The weighting in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightingSummary {
    /// Weight column.
    pub variable: String,
    /// Method, margins and diagnostics.
    #[serde(flatten)]
    pub applied: AppliedWeighting,
}

/// The indicator table in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorsSummary {
    /// File name.
    pub file: String,
    /// Indicators, in order.
    pub indicators: Vec<String>,
    /// `calibration` for weighted waves, else `linearization`.
    pub variance: &'static str,
}

/// `manifest.json` of a wave export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaveManifest {
    /// Creation time given by the caller (RFC 3339).
    pub created: String,
    /// Questionnaire.
    pub questionnaire: QuestionnaireSummary,
    /// Wave identifier.
    pub wave: String,
    /// Dataset name.
    pub dataset: String,
    /// Rows exported.
    pub rows: usize,
    /// Variables exported.
    pub variables: usize,
    /// Build options.
    pub options: BuildOptions,
    /// Format requested.
    pub format: ExportFormat,
    /// Weighting, if applied.
    pub weighting: Option<WeightingSummary>,
    /// Indicator table, if written.
    pub indicators: Option<IndicatorsSummary>,
    /// Every other file of the directory with its size and SHA-256.
    pub files: Vec<ManifestEntry>,
}

/// Writes the wave's files into `request.dir`, then `manifest.json` (returned). Identical
/// inputs give identical bytes: the only date written is the build's `created`.
pub fn export_wave(
    wave: &BuiltWave,
    request: &ExportRequest<'_>,
) -> Result<WaveManifest, BuildError> {
    let dataset = &wave.dataset;
    let dir = request.dir;
    let weight = dataset.weight_variable().map(|v| v.name.clone());
    let weight = weight.as_deref();
    let mut files = Manifest::new(dataset.info().created);
    match request.format {
        ExportFormat::All => {
            files = bundle::write_bundle(dataset, dir, weight)?;
        }
        ExportFormat::Csv => {
            let mut written = Vec::new();
            for (path, options) in bundle::csv_files() {
                let csv = ResourceFormat::Csv(options);
                written.push(bundle::write_data_file(
                    dataset, dir, path, csv, &mut files,
                )?);
            }
            bundle::write_package(dataset, dir, &written, &mut files)?;
        }
        ExportFormat::Sav => {
            bundle::write_data_file(dataset, dir, SAV, ResourceFormat::Sav, &mut files)?;
        }
        ExportFormat::Dta => {
            bundle::write_data_file(dataset, dir, DTA, ResourceFormat::Dta, &mut files)?;
        }
        ExportFormat::Parquet => {
            let parquet = ResourceFormat::Parquet;
            bundle::write_data_file(dataset, dir, PARQUET, parquet, &mut files)?;
        }
        ExportFormat::Codebook => {
            bundle::write_codebooks(dataset, dir, weight, &mut files)?;
        }
    }
    let indicators = match request.indicators {
        Some(rows) => {
            let mut out = BufWriter::new(File::create(dir.join(INDICATORS_CSV))?);
            write_table_csv(rows, &mut out)?;
            out.flush()?;
            files.add_file(dir, INDICATORS_CSV)?;
            let mut names: Vec<String> = Vec::new();
            for row in rows {
                if !names.contains(&row.indicateur) {
                    names.push(row.indicateur.clone());
                }
            }
            Some(IndicatorsSummary {
                file: INDICATORS_CSV.to_owned(),
                indicators: names,
                variance: match wave.weighting {
                    Some(_) => variance_name(VarianceMethod::Calibration),
                    None => variance_name(VarianceMethod::Linearization),
                },
            })
        }
        None => None,
    };
    let manifest = WaveManifest {
        created: files.created.clone(),
        questionnaire: QuestionnaireSummary {
            id: wave.questionnaire_id.clone(),
            version: wave.questionnaire_version.clone(),
        },
        wave: wave.options.wave.clone(),
        dataset: dataset.info().name.clone(),
        rows: dataset.row_count(),
        variables: dataset.variables().len(),
        options: wave.options.clone(),
        format: request.format,
        weighting: wave.weighting.clone().map(|applied| WeightingSummary {
            variable: WEIGHT.to_owned(),
            applied,
        }),
        indicators,
        files: files
            .files
            .into_iter()
            .filter(|f| f.path != MANIFEST)
            .collect(),
    };
    let json = serde_json::to_string_pretty(&manifest).map_err(WriteError::from)? + "\n";
    std::fs::write(dir.join(MANIFEST), json)?;
    Ok(manifest)
}

fn variance_name(method: VarianceMethod) -> &'static str {
    match method {
        VarianceMethod::Calibration => "calibration",
        _ => "linearization",
    }
}
