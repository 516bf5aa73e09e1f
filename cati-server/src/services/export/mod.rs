//! Exports for analysts (`cati export`, the analysts' page, `GET /api/waves/{id}/export`): a
//! wave's interviews read from the database, turned into the labelled dataset by
//! `exports::build`, weighted on the communes' populations when they are given, and written in
//! the requested formats with the indicator table and a manifest. Several waves of a survey can
//! be stacked, with a report of what changed between questionnaire versions.
//!
//! Reading ([`gather`]) is async and touches the database; writing ([`write`]) is plain CPU and
//! file work, so that the server runs it on a blocking thread. Phone numbers are never read;
//! preload fields only recompute the route and personal ones are never exported.

pub mod archive;
pub mod download;
pub mod indicators;
pub mod input;
pub mod weighting;

use std::collections::BTreeMap;
use std::path::Path;

use exports::build::{
    self, BuildError, BuildOptions, BuiltWave, ExportFormat, ExportRequest, IndicatorsFileError,
    StackError, StackReport, WaveDataset, WaveManifest, WeightingSpec,
};
use exports::build::{AppliedWeighting, WEIGHT};
use exports::dataset::{DatasetInfo, Timestamp};
use exports::indicators::{IndicatorError, IntervalMethod, TableRow};
use exports::writers::bundle::MANIFEST;
use exports::writers::manifest::{ManifestEntry, sha256_file};
use questionnaire::Questionnaire;
use quotas::CommunePopulation;
use serde::Serialize;

use crate::sample::communes::COMMUNES;
use crate::services::weighting::{Overrides, WeightingSetup};
use crate::store::exports::{self as stored, ExportInterviewRow};
use crate::store::surveys::{self, WaveRow};
use crate::store::{Db, StoreError};
use input::InputError;

/// File of the report on stacked waves.
pub const STACK_REPORT: &str = "rapport-vagues.json";

/// Questionnaire variable holding the respondent's commune, when the questionnaire asks it.
const COMMUNE_VARIABLE: &str = "COMMUNE";

/// Why an export failed. Messages are in French: analysts read them on the page.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// No wave with this identifier (or name).
    #[error("vague inconnue : {0}")]
    UnknownWave(String),
    /// The wave has no interview of the kinds requested.
    #[error("la vague « {wave} » n'a aucun entretien à exporter ({detail})")]
    EmptyWave {
        /// Wave name.
        wave: String,
        /// What it has.
        detail: String,
    },
    /// The stored questionnaire of a wave does not load.
    #[error("le questionnaire de la vague « {wave} » ne se charge pas : {message}")]
    Questionnaire {
        /// Wave name.
        wave: String,
        /// The loader's message.
        message: String,
    },
    /// A stored interview is unreadable.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Building or writing the dataset failed.
    #[error("vague « {wave} » : {source}")]
    Build {
        /// Wave name.
        wave: String,
        /// The cause.
        source: BuildError,
    },
    /// Weighting failed (a respondent's commune unknown or without population, a margin that
    /// cannot be reached…).
    #[error("pondération de la vague « {wave} » impossible : {source}")]
    Weighting {
        /// Wave name.
        wave: String,
        /// The cause.
        source: BuildError,
    },
    /// The indicators file does not fit the questionnaire.
    #[error("fichier d'indicateurs : {0}")]
    Indicators(#[from] IndicatorsFileError),
    /// The wave's weighting set-up cannot be applied (or there is none while weights were
    /// asked for).
    #[error("pondération de la vague « {wave} » impossible : {message}")]
    WeightingSetUp {
        /// The wave.
        wave: String,
        /// Why, in French.
        message: String,
    },
    /// The waves cannot be stacked.
    #[error("assemblage des vagues impossible : {0}")]
    Stack(#[from] StackError),
    /// Storage failed.
    #[error("base de données : {0}")]
    Store(#[from] StoreError),
    /// Writing the report failed.
    #[error("écriture de l'export : {0}")]
    Io(#[from] std::io::Error),
}

/// Weighting of the completed interviews on the communes' populations.
#[derive(Clone, Debug)]
pub struct Weighting {
    /// Legal populations of the communes (one vintage).
    pub populations: Vec<CommunePopulation>,
    /// Method and extra margins.
    pub spec: WeightingSpec,
}

/// How an export is weighted.
#[derive(Clone, Debug)]
pub enum WeightingChoice {
    /// Each wave as set up for it ([`crate::services::weighting`]), with the method, bounds or
    /// vintage the analyst asked for this export instead of the set-up's; a wave without a
    /// set-up is unweighted (refused when something was asked of its weighting).
    AsSetUp(Overrides),
    /// No weights (the manifest's `weighting` is then `null`).
    Unweighted,
    /// These weights for every wave (`cati export --populations FILE`).
    Given(Weighting),
}

/// What to export.
#[derive(Clone, Debug)]
pub struct ExportSettings {
    /// Data files.
    pub format: ExportFormat,
    /// Also broken-off and in-progress interviews.
    pub include_partial: bool,
    /// Also screened-out respondents.
    pub include_screened_out: bool,
    /// Also the preload fields the questionnaire declares, but for personal ones (flagged in
    /// the questionnaire or when the sample was loaded).
    pub include_preload: bool,
    /// How the waves are weighted.
    pub weighting: WeightingChoice,
    /// The indicators file (TOML source), for the indicator table of a single wave; `None`
    /// uses the definition stored with the wave's questionnaire version, if any.
    pub indicators: Option<String>,
}

/// Which waves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One wave.
    Wave(i64),
    /// Every wave of a survey, stacked with a `wave` column.
    Survey(i64),
}

/// One wave as read from the database.
#[derive(Debug)]
pub struct GatheredWave {
    /// The wave.
    pub wave: WaveRow,
    /// Its questionnaire.
    pub questionnaire: Questionnaire,
    /// Its interviews, by case.
    pub rows: Vec<ExportInterviewRow>,
    /// Its weighting set-up.
    pub weighting: Option<WeightingSetup>,
    /// The sample columns flagged personal when loaded.
    pub personal_fields: Vec<String>,
}

/// Everything an export needs from the database.
#[derive(Debug)]
pub struct Gathered {
    /// The waves, oldest first.
    pub waves: Vec<GatheredWave>,
    /// The indicators definition stored with the (single) wave's questionnaire version.
    pub indicators: Option<String>,
    /// The survey's pseudonymisation secret.
    secret: Vec<u8>,
    /// Whether the waves are stacked.
    stacked: bool,
}

/// What was exported.
#[derive(Clone, Debug)]
pub struct ExportSummary {
    /// The manifest written.
    pub manifest: WaveManifest,
    /// With stacked waves: their report.
    pub report: Option<StackReport>,
    /// With stacked waves: each wave's weighting (`None` for an unweighted wave), oldest first.
    pub wave_weightings: Vec<WaveWeighting>,
    /// Waves whose own weighting set-up could not be applied to their interviews, exported
    /// unweighted (also listed in `manifest.json` as `weighting_refused`).
    pub unweighted: Vec<UnweightedWave>,
}

/// A wave exported unweighted although weighting was set up for it, and why.
#[derive(Clone, Debug, Serialize)]
pub struct UnweightedWave {
    /// Wave name.
    pub wave: String,
    /// Why, in French.
    pub reason: String,
}

/// The weighting of one wave of a stacked export, as `manifest.json` records it.
#[derive(Clone, Debug, Serialize)]
pub struct WaveWeighting {
    /// Wave name.
    pub wave: String,
    /// Method, margins and diagnostics; `None` when the wave is not weighted.
    pub weighting: Option<AppliedWeighting>,
}

/// The wave named by `key` (identifier or name), as every command finds it
/// ([`crate::services::waves::find`]), with the export's error.
pub async fn find_wave(db: &Db, key: &str) -> Result<WaveRow, ExportError> {
    let mut tx = db.read().await?;
    let wave = crate::services::waves::find(&mut tx, key)
        .await
        .map_err(|e| match e {
            crate::error::AppError::Store(e) => ExportError::Store(e),
            crate::error::AppError::Conflict(ambiguous) => ExportError::UnknownWave(ambiguous),
            _ => ExportError::UnknownWave(key.to_owned()),
        })?;
    tx.commit().await?;
    Ok(wave)
}

/// Reads the waves of `scope`, their questionnaires and interviews (one read transaction: a
/// consistent snapshot that holds no lock), and the survey's secret (created on the first
/// export, in a short write transaction of its own).
pub async fn gather(db: &Db, scope: Scope) -> Result<Gathered, ExportError> {
    let mut tx = db.read().await?;
    let (survey_id, waves) = match scope {
        Scope::Wave(id) => {
            let wave = surveys::wave(&mut tx, id)
                .await?
                .ok_or_else(|| ExportError::UnknownWave(id.to_string()))?;
            (wave.survey_id, vec![wave])
        }
        Scope::Survey(survey_id) => {
            let mut waves: Vec<WaveRow> = surveys::waves(&mut tx)
                .await?
                .into_iter()
                .filter(|w| w.survey_id == survey_id)
                .collect();
            waves.sort_by_key(|w| w.id);
            if waves.is_empty() {
                return Err(ExportError::UnknownWave(format!("enquête n° {survey_id}")));
            }
            (survey_id, waves)
        }
    };
    let indicators = match (&scope, waves.first()) {
        (Scope::Wave(_), Some(wave)) => {
            surveys::questionnaire_indicators(&mut tx, wave.questionnaire_version_id).await?
        }
        _ => None,
    };
    let mut gathered = Vec::with_capacity(waves.len());
    for wave in waves {
        let source = surveys::questionnaire_source(&mut tx, wave.questionnaire_version_id)
            .await?
            .ok_or_else(|| ExportError::Questionnaire {
                wave: wave.name.clone(),
                message: "version introuvable".to_owned(),
            })?;
        let questionnaire =
            questionnaire::load(&source.source, &source.file_name).map_err(|e| {
                ExportError::Questionnaire {
                    wave: wave.name.clone(),
                    message: e.to_string(),
                }
            })?;
        let rows = stored::wave_interviews(&mut tx, wave.id).await?;
        let weighting = crate::services::weighting::stored(&mut tx, wave.id)
            .await
            .map_err(|e| ExportError::Questionnaire {
                wave: wave.name.clone(),
                message: e.to_string(),
            })?;
        let personal_fields = crate::store::sample::personal_fields(&mut tx, wave.id).await?;
        gathered.push(GatheredWave {
            wave,
            questionnaire,
            rows,
            weighting,
            personal_fields,
        });
    }
    tx.commit().await?;
    let mut tx = db.write().await?;
    let secret = stored::survey_secret(&mut tx, survey_id).await?;
    tx.commit().await?;
    Ok(Gathered {
        waves: gathered,
        indicators,
        secret,
        stacked: matches!(scope, Scope::Survey(_)),
    })
}

/// Builds, weights and writes the export into the existing directory `dir`.
pub fn write(
    gathered: &Gathered,
    settings: &ExportSettings,
    dir: &Path,
) -> Result<ExportSummary, ExportError> {
    let mut built = Vec::with_capacity(gathered.waves.len());
    let mut unweighted = Vec::new();
    for wave in &gathered.waves {
        if gathered.stacked && wave.rows.is_empty() {
            continue;
        }
        let (one, refused) = build_one(wave, &gathered.secret, settings)?;
        built.push(one);
        unweighted.extend(refused);
    }
    if !gathered.stacked {
        let (wave, built) = match (gathered.waves.first(), built.first()) {
            (Some(wave), Some(built)) => (wave, built),
            _ => return Err(ExportError::UnknownWave(String::new())),
        };
        let table = table_of(gathered, wave, built, settings)?;
        let request = ExportRequest {
            dir,
            format: settings.format,
            indicators: table.as_deref(),
        };
        let manifest =
            build::export_wave(built, &request).map_err(|source| build_error(wave, source))?;
        if !unweighted.is_empty() {
            let json = serde_json::to_value(&manifest).map_err(std::io::Error::from)?;
            write_manifest(dir, json, &unweighted)?;
        }
        return Ok(ExportSummary {
            manifest,
            report: None,
            wave_weightings: Vec::new(),
            unweighted,
        });
    }
    let Some(latest) = built.last() else {
        return Err(ExportError::EmptyWave {
            wave: "toutes les vagues".to_owned(),
            detail: "aucun entretien dans aucune vague".to_owned(),
        });
    };
    let created = built
        .iter()
        .map(|b| b.options.created)
        .max()
        .unwrap_or(latest.options.created);
    let datasets: Vec<WaveDataset<'_>> = built
        .iter()
        .map(|b| WaveDataset {
            wave: &b.options.wave,
            dataset: &b.dataset,
        })
        .collect();
    let info = DatasetInfo {
        name: format!("{}-vagues", latest.dataset.info().name),
        title: latest.dataset.info().title.clone(),
        created,
        notes: latest.dataset.info().notes.clone(),
    };
    let stacked = build::stack(&datasets, info)?;
    let mut options = latest.options.clone();
    options.wave = built
        .iter()
        .map(|b| b.options.wave.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    options.created = created;
    let all = BuiltWave {
        dataset: stacked.dataset,
        options,
        questionnaire_id: latest.questionnaire_id.clone(),
        questionnaire_version: latest.questionnaire_version.clone(),
        statuses: built.iter().flat_map(|b| b.statuses.clone()).collect(),
        communes: built.iter().flat_map(|b| b.communes.clone()).collect(),
        values: built.iter().flat_map(|b| b.values.clone()).collect(),
        weighting: None,
    };
    let request = ExportRequest {
        dir,
        format: settings.format,
        indicators: None,
    };
    let manifest = build::export_wave(&all, &request).map_err(|source| ExportError::Build {
        wave: all.options.wave.clone(),
        source,
    })?;
    let report = serde_json::to_string_pretty(&stacked.report).map_err(std::io::Error::from)?;
    std::fs::write(dir.join(STACK_REPORT), report + "\n")?;
    let wave_weightings: Vec<WaveWeighting> = built
        .iter()
        .map(|b| WaveWeighting {
            wave: b.options.wave.clone(),
            weighting: b.weighting.clone(),
        })
        .collect();
    let manifest = complete_stacked_manifest(dir, manifest, &wave_weightings, &unweighted)?;
    Ok(ExportSummary {
        manifest,
        report: Some(stacked.report),
        wave_weightings,
        unweighted,
    })
}

/// The indicator table of a single wave's export (`indicateurs.csv`), computed exactly as
/// [`write`] computes it, without writing anything: the results page and the open data read
/// their figures here: `None` when the wave's questionnaire has no indicators definition or
/// the wave fewer than two completed interviews; with the reason when the wave's weighting
/// set-up could not weight it (the table is then unweighted, as the export's).
pub fn indicator_table(
    gathered: &Gathered,
    settings: &ExportSettings,
) -> Result<(Option<Vec<TableRow>>, Option<UnweightedWave>), ExportError> {
    let Some(wave) = gathered.waves.first() else {
        return Err(ExportError::UnknownWave(String::new()));
    };
    let (built, unweighted) = build_one(wave, &gathered.secret, settings)?;
    Ok((table_of(gathered, wave, &built, settings)?, unweighted))
}

/// The indicator table of `built`, from the indicators file asked for or the one stored with
/// the wave's questionnaire version.
fn table_of(
    gathered: &Gathered,
    wave: &GatheredWave,
    built: &BuiltWave,
    settings: &ExportSettings,
) -> Result<Option<Vec<TableRow>>, ExportError> {
    let source = settings
        .indicators
        .as_deref()
        .or(gathered.indicators.as_deref());
    let Some(source) = source else {
        return Ok(None);
    };
    let definitions = build::parse_indicators(source, &wave.questionnaire)?;
    match build::indicator_table_for_wave(built, &definitions, IntervalMethod::default()) {
        Ok(table) => Ok(Some(table)),
        // The survey's own definition does not stop the export of a wave with fewer than two
        // completed interviews: the table is left out (the manifest's `indicators` is
        // `null`). An indicators file asked for is.
        Err(BuildError::Indicators(IndicatorError::TooFewRespondents(_)))
            if settings.indicators.is_none() =>
        {
            Ok(None)
        }
        Err(source) => Err(build_error(wave, source)),
    }
}

/// Rewrites the stacked export's `manifest.json`: the report on the waves is listed with its
/// size and checksum like every other file, and `weighting` records each wave's weighting
/// (`{"variable": "POIDS", "per_wave": [{"wave", "method", "margins", "diagnostics"} or
/// {"wave", "weighting": null}]}`), or stays `null` when no wave is weighted.
fn complete_stacked_manifest(
    dir: &Path,
    mut manifest: WaveManifest,
    weightings: &[WaveWeighting],
    unweighted: &[UnweightedWave],
) -> Result<WaveManifest, ExportError> {
    let (bytes, sha256) = sha256_file(&dir.join(STACK_REPORT))?;
    manifest.files.push(ManifestEntry {
        path: STACK_REPORT.to_owned(),
        bytes,
        sha256,
    });
    let mut json = serde_json::to_value(&manifest).map_err(std::io::Error::from)?;
    if weightings.iter().any(|w| w.weighting.is_some())
        && let Some(object) = json.as_object_mut()
    {
        let per_wave: Vec<serde_json::Value> = weightings
            .iter()
            .map(|w| match &w.weighting {
                Some(applied) => {
                    let mut entry = serde_json::Map::new();
                    entry.insert("wave".to_owned(), w.wave.clone().into());
                    if let Ok(serde_json::Value::Object(applied)) = serde_json::to_value(applied) {
                        entry.extend(applied);
                    }
                    serde_json::Value::Object(entry)
                }
                None => serde_json::json!({ "wave": w.wave, "weighting": null }),
            })
            .collect();
        object.insert(
            "weighting".to_owned(),
            serde_json::json!({ "variable": WEIGHT, "per_wave": per_wave }),
        );
    }
    write_manifest(dir, json, unweighted)?;
    Ok(manifest)
}

/// Writes `manifest.json` from `json`, listing the waves exported unweighted against their
/// set-up, with why (`"weighting_refused": [{"wave", "reason"}]`), so that nobody takes them
/// for weighted.
fn write_manifest(
    dir: &Path,
    mut json: serde_json::Value,
    unweighted: &[UnweightedWave],
) -> Result<(), ExportError> {
    if !unweighted.is_empty()
        && let Some(object) = json.as_object_mut()
    {
        object.insert(
            "weighting_refused".to_owned(),
            serde_json::to_value(unweighted).map_err(std::io::Error::from)?,
        );
    }
    let text = serde_json::to_string_pretty(&json).map_err(std::io::Error::from)? + "\n";
    std::fs::write(dir.join(MANIFEST), text)?;
    Ok(())
}

fn build_error(wave: &GatheredWave, source: BuildError) -> ExportError {
    ExportError::Build {
        wave: wave.wave.name.clone(),
        source,
    }
}

/// The dataset of one wave, weighted when asked; with the reason when its own set-up, applied
/// without the analyst asking for anything, could not weight it (the wave is then exported
/// unweighted: an export is never refused for a weighting nobody asked for).
fn build_one(
    wave: &GatheredWave,
    secret: &[u8],
    settings: &ExportSettings,
) -> Result<(BuiltWave, Option<UnweightedWave>), ExportError> {
    let inputs = wave
        .rows
        .iter()
        .map(input::interview_input)
        .collect::<Result<Vec<_>, _>>()?;
    let created = wave
        .rows
        .iter()
        .map(|r| r.updated_at)
        .max()
        .and_then(input::utc_timestamp)
        .ok_or_else(|| ExportError::EmptyWave {
            wave: wave.wave.name.clone(),
            detail: "aucun entretien commencé".to_owned(),
        })?;
    let weighting = weighting_of(wave, &settings.weighting)?;
    let options = build_options(wave, created, settings, weighting.as_ref());
    let mut built = build::build_wave(&wave.questionnaire, &inputs, &options, secret)
        .map_err(|source| build_error(wave, source))?;
    if built.dataset.row_count() == 0 {
        return Err(ExportError::EmptyWave {
            wave: wave.wave.name.clone(),
            detail: counts(&inputs),
        });
    }
    if let Some(weighting) = &weighting {
        let populations: BTreeMap<String, f64> = weighting
            .populations
            .iter()
            .map(|p| (p.code.clone(), p.population as f64))
            .collect();
        match build::add_weights(&mut built, &populations, &weighting.spec) {
            Ok(_) => {}
            Err(source) if matches!(&settings.weighting, WeightingChoice::AsSetUp(o) if !o.any()) =>
            {
                return Ok((
                    built,
                    Some(UnweightedWave {
                        wave: wave.wave.name.clone(),
                        reason: source.to_string(),
                    }),
                ));
            }
            Err(source) => {
                return Err(ExportError::Weighting {
                    wave: wave.wave.name.clone(),
                    source,
                });
            }
        }
    }
    Ok((built, None))
}

/// The weighting of one wave under `choice`.
fn weighting_of(
    wave: &GatheredWave,
    choice: &WeightingChoice,
) -> Result<Option<Weighting>, ExportError> {
    match (choice, &wave.weighting) {
        (WeightingChoice::Unweighted, _) => Ok(None),
        (WeightingChoice::Given(weighting), _) => Ok(Some(weighting.clone())),
        (WeightingChoice::AsSetUp(overrides), Some(setup)) => setup
            .weighting(overrides)
            .map(Some)
            .map_err(|source| ExportError::WeightingSetUp {
                wave: wave.wave.name.clone(),
                message: source.to_string(),
            }),
        // Options of a weighting that cannot happen are refused rather than ignored: an
        // analyst who asked for weights must not receive an unweighted file unawares.
        (WeightingChoice::AsSetUp(overrides), None) if overrides.any() => {
            Err(ExportError::WeightingSetUp {
                wave: wave.wave.name.clone(),
                message: "aucune population de référence n'est réglée pour cette vague \
                          (Mise en place › Pondération) ; demandez un export non pondéré"
                    .to_owned(),
            })
        }
        (WeightingChoice::AsSetUp(_), None) => Ok(None),
    }
}

fn build_options(
    wave: &GatheredWave,
    created: Timestamp,
    settings: &ExportSettings,
    weighting: Option<&Weighting>,
) -> BuildOptions {
    let mut options = BuildOptions::new(&wave.wave.name, created);
    options.include_partial = settings.include_partial;
    options.include_screened_out = settings.include_screened_out;
    options.include_preload = settings.include_preload;
    options.personal_preload.clone_from(&wave.personal_fields);
    options.commune_variable = wave
        .questionnaire
        .has_variable(COMMUNE_VARIABLE)
        .then(|| COMMUNE_VARIABLE.to_owned());
    options.communes = match weighting {
        Some(w) => w
            .populations
            .iter()
            .map(|p| (p.code.clone(), p.name.clone()))
            .collect(),
        None => COMMUNES
            .iter()
            .map(|(code, name)| ((*code).to_owned(), (*name).to_owned()))
            .collect(),
    };
    options
}

/// « 0 complet, 2 partiels, 1 non éligible », for the empty-wave message.
fn counts(inputs: &[exports::build::InterviewInput]) -> String {
    use exports::build::CaseStatus;
    let count = |status| inputs.iter().filter(|i| i.status == status).count();
    format!(
        "{} complet(s), {} partiel(s), {} non éligible(s) ; les partiels et non éligibles ne \
         sont exportés que sur demande",
        count(CaseStatus::Completed),
        count(CaseStatus::Partial),
        count(CaseStatus::ScreenedOut)
    )
}
