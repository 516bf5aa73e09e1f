//! A wave's results as the observatory publishes them (the « Résultats » page,
//! `/api/waves/{id}/results…`, `cati results`): each indicator of the survey's indicator file
//! for the whole métropole and per commune, with its estimate, interval, n and effective n,
//! whether it meets the wave's publication rules and why not, and its change since the
//! previous wave with its test; the map of an indicator (SVG), the table (CSV) and the open
//! data (zip) drawn from them.
//!
//! The figures are the export's: the wave is read and weighted by the same pipeline that
//! writes `indicateurs.csv` ([`export::indicator_table`]), so that the page never disagrees
//! with the analysts' file. Analysts, supervisors and admins read them; no personal data is in
//! them (indicators aggregate at least a commune).

use exports::indicators::TableRow;
use exports::publication::{
    self, OpenData, PublicationRules, ResultRow, Withheld, indicator_map, write_open_data,
    write_results_csv,
};
use serde::Serialize;
use uuid::Uuid;

use crate::assets::COMMUNES_GEOJSON;
use crate::auth::Actor;
use crate::error::AppError;
use crate::services::export::download::app_error;
use crate::services::export::{
    self, ExportSettings, Gathered, Scope, WeightingChoice, archive, input::utc_timestamp,
};
use crate::services::weighting::Overrides;
use crate::store::Db;
use crate::store::surveys::{self, WaveRow};
use crate::store::users::Role;

/// Domain code of the whole-métropole rows of the indicator table
/// (`exports::indicators::TableOptions::new`).
pub const OVERALL: &str = "ensemble";

/// A wave, as the results name it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WaveName {
    /// Identifier.
    pub id: Uuid,
    /// Name.
    pub name: String,
}

/// One indicator of the survey's indicator file.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorName {
    /// Machine name (`sans_ordinateur`).
    pub name: String,
    /// French label.
    pub label: String,
}

/// A wave's results.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WaveResults {
    /// The wave.
    pub wave: WaveName,
    /// Its survey's title.
    pub survey_title: String,
    /// The wave its changes are measured from, if any.
    pub previous_wave: Option<WaveName>,
    /// The publication rules applied.
    #[schema(value_type = Object)]
    pub rules: PublicationRules,
    /// The rules in one French sentence.
    pub rules_summary: String,
    /// How the figures are weighted, in French.
    pub weighting: String,
    /// The indicators, in the file's order.
    pub indicators: Vec<IndicatorName>,
    /// Why there are no figures (no indicators file, too few interviews), or why they are
    /// unweighted.
    pub note: Option<String>,
    /// The weighting's own message when it could not be applied (long: every sparse category).
    pub note_detail: Option<String>,
    /// Last change of the interviews the figures come from (RFC 3339).
    pub as_of: Option<String>,
    /// Every cell: the indicator table's row (`indicateur`, `domaine`, `code_domaine`, `n`,
    /// `proportion`, `ic_bas`, `ic_haut`, `erreur_type`, `n_effectif`, `methode_ic`,
    /// `effectif_faible`), `publishable` and `reasons`, `change` (`previous`, `difference`,
    /// `standard_error`, `z`, `p_value`, `significant`) and `change_publishable`.
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<ResultRow>,
}

/// Computes the results of the wave `key` (identifier or name); analysts, supervisors, admins.
pub async fn compute(db: &Db, actor: Actor<'_>, key: &str) -> Result<WaveResults, AppError> {
    actor.require(Role::READERS)?;
    let mut tx = db.read().await?;
    let wave = crate::services::waves::find(&mut tx, key).await?;
    let previous = match surveys::previous_wave_id(&mut tx, wave.id).await? {
        Some(id) => surveys::wave(&mut tx, id).await?,
        None => None,
    };
    let rules = crate::services::publication::rules(&mut tx, wave.id).await?;
    tx.commit().await?;

    let current = export::gather(db, Scope::Wave(wave.id))
        .await
        .map_err(app_error)?;
    let earlier = match &previous {
        Some(previous) => Some(
            export::gather(db, Scope::Wave(previous.id))
                .await
                .map_err(app_error)?,
        ),
        None => None,
    };
    tokio::task::spawn_blocking(move || assemble(wave, previous, rules, &current, earlier.as_ref()))
        .await
        .map_err(|e| AppError::Internal(format!("results task: {e}")))?
}

/// The export's settings for results: the wave weighted as set up, completed interviews only,
/// the indicators file stored with the questionnaire: what a default export writes.
fn settings() -> ExportSettings {
    ExportSettings {
        format: exports::build::ExportFormat::Csv,
        include_partial: false,
        include_screened_out: false,
        include_preload: false,
        weighting: WeightingChoice::AsSetUp(Overrides::default()),
        indicators: None,
    }
}

fn assemble(
    wave: WaveRow,
    previous: Option<WaveRow>,
    rules: PublicationRules,
    current: &Gathered,
    earlier: Option<&Gathered>,
) -> Result<WaveResults, AppError> {
    let gathered = current.waves.first();
    let as_of = gathered
        .and_then(|w| w.rows.iter().map(|r| r.updated_at).max())
        .and_then(utc_timestamp)
        .map(|t| t.rfc3339());
    let mut note_detail = None;
    let (table, note) = if gathered.is_some_and(|w| w.rows.is_empty()) {
        (None, Some("Aucun entretien dans cette vague.".to_owned()))
    } else {
        let (table, unweighted) =
            export::indicator_table(current, &settings()).map_err(app_error)?;
        let note = match (&table, unweighted) {
            (None, _) => Some(
                "Pas d'indicateurs : le questionnaire de la vague n'a pas de fichier d'indicateurs, \
                 ou la vague a moins de deux entretiens complets."
                    .to_owned(),
            ),
            (Some(_), Some(unweighted)) => {
                note_detail = Some(unweighted.reason);
                Some(
                    "Chiffres non pondérés : la pondération réglée pour la vague n'a pas pu être \
                     appliquée."
                        .to_owned(),
                )
            }
            (Some(_), None) => None,
        };
        (table, note)
    };
    // A previous wave without figures (no interviews yet, no indicators) leaves the changes
    // out rather than the results.
    let before: Option<Vec<TableRow>> = earlier
        .filter(|g| g.waves.first().is_some_and(|w| !w.rows.is_empty()))
        .and_then(|g| export::indicator_table(g, &settings()).ok())
        .and_then(|(table, _)| table);
    let weighting = match (gathered.and_then(|w| w.weighting.as_ref()), &note) {
        (Some(setup), None) => {
            let communes = setup
                .weighting(&Overrides::default())
                .map_or(0, |w| w.populations.len());
            format!("Estimations pondérées : {}", setup.summary(communes))
        }
        (Some(_), Some(_)) | (None, _) => "Estimations non pondérées.".to_owned(),
    };
    let rows = publication::results(table.unwrap_or_default(), before.as_deref(), &rules);
    let mut indicators: Vec<IndicatorName> = Vec::new();
    for row in &rows {
        if !indicators.iter().any(|i| i.name == row.cell.indicateur) {
            indicators.push(IndicatorName {
                name: row.cell.indicateur.clone(),
                label: row.cell.libelle.clone(),
            });
        }
    }
    Ok(WaveResults {
        wave: WaveName {
            id: wave.uuid,
            name: wave.name.clone(),
        },
        survey_title: wave.survey_title.clone(),
        previous_wave: previous.map(|p| WaveName {
            id: p.uuid,
            name: p.name,
        }),
        rules_summary: crate::services::publication::summary(&rules),
        rules,
        weighting,
        indicators,
        note,
        note_detail,
        as_of,
        rows,
    })
}

impl WaveResults {
    /// The indicator named `name`, or the first one; French 404 for a name the wave does not
    /// have.
    pub fn indicator(&self, name: Option<&str>) -> Result<&IndicatorName, AppError> {
        match name.filter(|n| !n.is_empty()) {
            Some(name) => self
                .indicators
                .iter()
                .find(|i| i.name == name)
                .ok_or_else(|| {
                    AppError::NotFound(format!("indicateur inconnu pour cette vague : « {name} »"))
                }),
            None => self.indicators.first().ok_or_else(|| {
                AppError::NotFound(
                    self.note
                        .clone()
                        .unwrap_or_else(|| "cette vague n'a pas d'indicateurs".to_owned()),
                )
            }),
        }
    }

    /// The results narrowed to the indicator `name` when one is given (French 404 for an
    /// unknown one).
    pub fn only(mut self, name: Option<&str>) -> Result<WaveResults, AppError> {
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            let name = self.indicator(Some(name))?.name.clone();
            self.rows.retain(|r| r.cell.indicateur == name);
        }
        Ok(self)
    }

    /// The rows of one indicator: the métropole first, then the communes in code order.
    pub fn rows_of<'a>(&'a self, indicator: &'a str) -> impl Iterator<Item = &'a ResultRow> + 'a {
        self.rows
            .iter()
            .filter(move |r| r.cell.indicateur == indicator)
    }

    /// The map of `indicator` (SVG), figures that fail the rules coloured and hatched.
    pub fn map(&self, indicator: &str) -> Result<String, AppError> {
        indicator_map(
            COMMUNES_GEOJSON,
            &self.rows,
            indicator,
            OVERALL,
            &self.wave.name,
            &self.source(),
            Withheld::Shown,
        )
        .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// The results table as CSV: one indicator's rows, or every row.
    pub fn csv(&self, indicator: Option<&str>) -> Result<Vec<u8>, AppError> {
        let rows: Vec<ResultRow> = match indicator {
            Some(name) => self.rows_of(name).cloned().collect(),
            None => self.rows.clone(),
        };
        let mut bytes = Vec::new();
        write_results_csv(&rows, &mut bytes).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(bytes)
    }

    /// The open data (publishable cells, data package, maps) as one zip. Blocking: file work
    /// in a temporary directory.
    pub fn open_data_zip(&self) -> Result<Vec<u8>, AppError> {
        let dir = tempfile::tempdir()
            .map_err(|e| AppError::Internal(format!("temporary directory: {e}")))?;
        let source = self.source();
        let data = OpenData {
            title: &self.survey_title,
            wave: &self.wave.name,
            created: self.as_of.as_deref().unwrap_or("1970-01-01T00:00:00Z"),
            rows: &self.rows,
            rules: &self.rules,
            overall_code: OVERALL,
            geojson: COMMUNES_GEOJSON,
            source: &source,
        };
        write_open_data(&data, dir.path()).map_err(|e| AppError::Internal(e.to_string()))?;
        archive::zip_directory(dir.path(), &self.file_stem("donnees-ouvertes"))
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// A download's name without extension: `resultats-2026-1`.
    pub fn file_stem(&self, what: &str) -> String {
        exports::dataset::ascii_name(&format!("{what}-{}", self.wave.name))
    }

    /// The maps' source line.
    fn source(&self) -> String {
        format!(
            "Source : {}, vague {}. {} Fond : IGN ADMIN EXPRESS (Licence Ouverte).",
            self.survey_title, self.wave.name, self.weighting
        )
    }
}
