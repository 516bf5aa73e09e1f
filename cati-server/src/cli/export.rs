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
    /// The wave: its identifier (UUID) or its name.
    #[arg(long)]
    wave: String,
    /// `all` stacks every wave of the wave's survey, with a `wave` column and a report of
    /// what changed between questionnaire versions.
    #[arg(long, value_parser = ["all"])]
    waves: Option<String>,
    /// Data files to write.
    #[arg(long, default_value = "all", value_parser = ["csv", "sav", "dta", "parquet", "codebook", "all"])]
    format: String,
    /// Directory to write into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Also export broken-off and in-progress interviews.
    #[arg(long)]
    include_partial: bool,
    /// Also export screened-out respondents.
    #[arg(long)]
    include_screened_out: bool,
    /// Also export the preload fields the questionnaire declares, but for personal ones.
    #[arg(long)]
    include_preload: bool,
    /// Populations CSV (as `shared/data/bm_populations_legales.csv`) weighting every wave
    /// instead of each wave's own weighting set-up (`cati wave weighting`).
    #[arg(long, conflicts_with = "unweighted")]
    populations: Option<PathBuf>,
    /// No weights, whatever the waves' set-up.
    #[arg(long)]
    unweighted: bool,
    /// Vintage of the populations (default: the set-up's, or the latest in the file).
    #[arg(long, conflicts_with = "unweighted")]
    vintage: Option<String>,
    /// Extra margins CSV `variable,category,target_total` on dataset columns.
    #[arg(long, requires = "populations")]
    margins: Option<PathBuf>,
    /// Calibration method (default: the set-up's, or raking with --populations).
    #[arg(long, conflicts_with = "unweighted",
          value_parser = ["raking", "linear", "logit", "truncated", "poststrat"])]
    method: Option<String>,
    /// Bounds `L,U` on the weight ratio (required by logit and truncated).
    #[arg(long, conflicts_with = "unweighted")]
    bounds: Option<String>,
    /// Indicators file (e.g. `questionnaires/observatoire.indicators.toml`) for the indicator
    /// table of a single wave; overrides the definition stored with the wave's questionnaire
    /// version (`cati serve --demo` stores the file next to the questionnaire).
    #[arg(long)]
    indicators: Option<PathBuf>,
    /// Database: `sqlite://file.db` or `postgres://…`.
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
