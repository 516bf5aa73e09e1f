//! `cati export`: writes a wave's dataset (or every wave of its survey, stacked) from the
//! database into a directory, in the chosen formats, with the indicator table and a manifest.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use exports::build::ExportFormat;

use crate::services::export::{self, ExportSettings, Scope, WeightingChoice};
use crate::services::weighting::Overrides;
use crate::store::Db;

/// `cati export …`
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// La vague : son identifiant (UUID) ou son nom.
    #[arg(long)]
    wave: String,
    /// `all` empile toutes les vagues de l'enquête de cette vague, avec une colonne `wave` et un
    /// rapport de ce qui a changé entre les versions du questionnaire.
    #[arg(long, value_parser = ["all"])]
    waves: Option<String>,
    /// Fichiers de données à écrire.
    #[arg(long, default_value = "all", value_parser = ["csv", "sav", "dta", "parquet", "codebook", "all"])]
    format: String,
    /// Répertoire où écrire (créé s'il n'existe pas).
    #[arg(long)]
    out: PathBuf,
    /// Exporte aussi les entretiens interrompus et ceux en cours.
    #[arg(long)]
    include_partial: bool,
    /// Exporte aussi les répondants hors cible.
    #[arg(long)]
    include_screened_out: bool,
    /// Exporte aussi les champs préchargés que déclare le questionnaire, sauf les champs
    /// personnels.
    #[arg(long)]
    include_preload: bool,
    /// Fichier CSV de populations (comme `shared/data/bm_populations_legales.csv`) qui pondère
    /// toutes les vagues, au lieu de la pondération réglée pour chaque vague
    /// (`cati wave weighting`).
    #[arg(long, conflicts_with = "unweighted")]
    populations: Option<PathBuf>,
    /// Sans pondération, quelle que soit celle réglée pour les vagues.
    #[arg(long)]
    unweighted: bool,
    /// Millésime des populations (par défaut : celui de la pondération réglée, ou le plus récent du
    /// fichier).
    #[arg(long, conflicts_with = "unweighted")]
    vintage: Option<String>,
    /// Fichier CSV de marges supplémentaires `variable,category,target_total` sur des colonnes du
    /// jeu de données.
    #[arg(long, requires = "populations")]
    margins: Option<PathBuf>,
    /// Méthode de calage (par défaut : celle de la pondération réglée, ou raking avec
    /// --populations).
    #[arg(long, conflicts_with = "unweighted",
          value_parser = ["raking", "linear", "logit", "truncated", "poststrat"])]
    method: Option<String>,
    /// Bornes `L,U` du rapport des poids (obligatoires pour logit et truncated).
    #[arg(long, conflicts_with = "unweighted")]
    bounds: Option<String>,
    /// Fichier d'indicateurs (par exemple `questionnaires/observatoire.indicators.toml`) pour le
    /// tableau des indicateurs d'une seule vague ; remplace la définition enregistrée avec la
    /// version du questionnaire de la vague (`cati serve --demo` enregistre le fichier placé à côté
    /// du questionnaire).
    #[arg(long)]
    indicators: Option<PathBuf>,
    /// Base de données : `sqlite://fichier.db` ou `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://cati.db")]
    database_url: String,
}

/// Runs `cati export`.
pub async fn run(args: ExportArgs) -> anyhow::Result<()> {
    let Some(format) = ExportFormat::from_name(&args.format) else {
        bail!("format inconnu : {}", args.format);
    };
    let weighting = match (&args.populations, args.unweighted) {
        (Some(path), _) => WeightingChoice::Given(export::weighting::from_files(
            path,
            args.vintage.as_deref(),
            args.margins.as_deref(),
            args.method.as_deref().unwrap_or("raking"),
            args.bounds.as_deref(),
        )?),
        (None, true) => WeightingChoice::Unweighted,
        (None, false) => WeightingChoice::AsSetUp(Overrides {
            method: args.method.clone(),
            bounds: args.bounds.clone(),
            vintage: args.vintage.clone(),
        }),
    };
    let indicators = match &args.indicators {
        Some(path) => Some(read(path)?),
        None => None,
    };
    let settings = ExportSettings {
        format,
        include_partial: args.include_partial,
        include_screened_out: args.include_screened_out,
        include_preload: args.include_preload,
        weighting,
        indicators,
    };
    let db = Db::connect(&args.database_url, 2)
        .await
        .context("ouverture de la base de données")?;
    let wave = export::find_wave(&db, &args.wave).await?;
    let scope = match args.waves {
        Some(_) => Scope::Survey(wave.survey_id),
        None => Scope::Wave(wave.id),
    };
    let gathered = export::gather(&db, scope).await?;
    db.close().await;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("création de {}", args.out.display()))?;
    let summary = export::write(&gathered, &settings, &args.out)?;
    let manifest = &summary.manifest;
    let mut text = format!(
        "{} entretien(s), {} variable(s), {} fichier(s) dans {}\n",
        manifest.rows,
        manifest.variables,
        manifest.files.len() + 1,
        args.out.display()
    );
    match &manifest.weighting {
        Some(w) => text.push_str(&format!(
            "pondération {} sur {} marge(s), {} itération(s), poids de {:.3} à {:.3}\n",
            w.applied.method.name(),
            w.applied.margins.len(),
            w.applied.diagnostics.iterations,
            w.applied.diagnostics.weights.min,
            w.applied.diagnostics.weights.max
        )),
        None if summary.report.is_some() => {
            text.push_str("vagues assemblées (rapport-vagues.json)\n");
            for wave in &summary.wave_weightings {
                match &wave.weighting {
                    Some(w) => text.push_str(&format!(
                        "  vague {} : pondération {} sur {} marge(s), poids de {:.3} à {:.3}\n",
                        wave.wave,
                        w.method.name(),
                        w.margins.len(),
                        w.diagnostics.weights.min,
                        w.diagnostics.weights.max
                    )),
                    None => text.push_str(&format!("  vague {} : sans pondération\n", wave.wave)),
                }
            }
        }
        None if summary.unweighted.is_empty() => {
            text.push_str("sans pondération (aucune pondération réglée pour la vague)\n");
        }
        None => {}
    }
    for refused in &summary.unweighted {
        text.push_str(&format!(
            "vague {} exportée SANS pondération, sa pondération n'ayant pu être appliquée : {}\n",
            refused.wave, refused.reason
        ));
    }
    if let Some(indicators) = &manifest.indicators {
        text.push_str(&format!(
            "{} indicateur(s) par commune dans {}\n",
            indicators.indicators.len(),
            indicators.file
        ));
    }
    crate::cli::print_stdout(&text)?;
    Ok(())
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("lecture de {}", path.display()))
}
