//! `cati sample import|release` and `cati dnc import`: loading a phone list into a wave,
//! releasing its replicates, and a survey's do-not-call list, through the same services as
//! the pages and the API (audited as the operator).

use std::path::PathBuf;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::{DatabaseArgs, refused};
use crate::auth::Actor;
use crate::services::sample::{self, ImportOptions, Imported};

/// `cati sample …`
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: SampleCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SampleCommand {
    /// Charge une liste de numéros (CSV ou .xlsx) dans une vague : les bonnes lignes sont
    /// chargées, les mauvaises signalées avec leur numéro de ligne et la raison.
    Import {
        /// La vague (nom ou identifiant).
        #[arg(long)]
        wave: String,
        /// Le fichier (CSV séparé par « , » « ; » ou tabulation, ou classeur .xlsx).
        file: PathBuf,
        /// Ne rien charger si une seule ligne est refusée.
        #[arg(long)]
        all_or_nothing: bool,
        /// Écrit le rapport ligne à ligne dans ce fichier CSV.
        #[arg(long, value_name = "RAPPORT.csv")]
        report: Option<PathBuf>,
        /// Découpe les cas chargés en réplicats aléatoires de cette taille, libérés un à un
        /// (`cati sample release`).
        #[arg(long, value_name = "N")]
        replicate_size: Option<u32>,
        /// Graine du tirage des réplicats.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// La colonne du numéro, quand son en-tête n'est pas un nom habituel (téléphone, tel…).
        #[arg(long, value_name = "COLONNE")]
        phone_column: Option<String>,
        /// La colonne du second numéro (« aucune » : le fichier n'en a pas).
        #[arg(long, value_name = "COLONNE")]
        second_phone_column: Option<String>,
        /// La colonne de la commune (« aucune » : demandée au filtre).
        #[arg(long, value_name = "COLONNE")]
        commune_column: Option<String>,
        /// La colonne de l'identifiant (« aucune » : identifiants tirés des numéros de ligne).
        #[arg(long, value_name = "COLONNE")]
        id_column: Option<String>,
        /// Une colonne de données personnelles (nom, adresse…) : gardée pour les enquêteurs,
        /// jamais exportée. Répétable.
        #[arg(long, value_name = "COLONNE")]
        personal: Vec<String>,
    },
    /// Libère le réplicat suivant d'une vague : ses cas peuvent être appelés.
    Release {
        /// La vague (nom ou identifiant).
        #[arg(long)]
        wave: String,
    },
}

/// Runs a `cati sample` subcommand.
pub async fn run(args: SampleArgs) -> anyhow::Result<()> {
    let db = args.database.open().await?;
    let result = match args.command {
        SampleCommand::Import {
            wave,
            file,
            all_or_nothing,
            report,
            replicate_size,
            seed,
            phone_column,
            second_phone_column,
            commune_column,
            id_column,
            personal,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("lecture de {}", file.display()))?;
            let name = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let options = ImportOptions {
                all_or_nothing,
                replicate_size,
                seed: Some(seed),
                phone_column,
                second_phone_column,
                commune_column,
                id_column,
                personal: (!personal.is_empty()).then(|| personal.join(",")),
            };
            let bar = ProgressBar::new(bytes.len() as u64).with_style(
                ProgressStyle::with_template("{bar:40} {percent:>3} % {elapsed_precise}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let mut progress = |p: samplefile::Progress| {
                bar.set_length(p.total.max(1));
                bar.set_position(p.done);
            };
            let outcome = sample::import(
                &db,
                Actor::Operator,
                &wave,
                &name,
                &bytes,
                &options,
                &mut progress,
            )
            .await;
            bar.finish_and_clear();
            match outcome.map_err(refused) {
                Ok((imported, full)) => {
                    if let Some(path) = &report {
                        let out = std::fs::File::create(path)
                            .with_context(|| format!("écriture de {}", path.display()))?;
                        full.write_csv(std::io::BufWriter::new(out))
                            .with_context(|| format!("écriture de {}", path.display()))?;
                    }
                    args.database.answer(&imported, &summary(&imported, &full))
                }
                Err(e) => Err(e),
            }
        }
        SampleCommand::Release { wave } => {
            match sample::release_replicate(&db, Actor::Operator, &wave)
                .await
                .map_err(refused)
            {
                Ok((replicate, cases)) => args.database.answer(
                    &serde_json::json!({ "replicate": replicate, "cases": cases }),
                    &format!("Réplicat {replicate} libéré : {cases} cas à appeler.\n"),
                ),
                Err(e) => Err(e),
            }
        }
    };
    db.close().await;
    result
}

/// The import in a few French lines, then the first refused lines.
fn summary(imported: &Imported, report: &samplefile::Report) -> String {
    let (title, lines) = imported.summary(report);
    let mut text = format!("{title}\n");
    for line in lines {
        text.push_str(&format!("{line}\n"));
    }
    for rejection in report.rejected().iter().take(20) {
        text.push_str(&format!("  {rejection}\n"));
    }
    if report.rejected().len() > 20 {
        text.push_str(&format!(
            "  … et {} autres (--report RAPPORT.csv pour la liste complète)\n",
            report.rejected().len() - 20
        ));
    }
    if imported.replicates > 0 {
        text.push_str("Libérez le premier réplicat : cati sample release.\n");
    }
    text
}

/// `cati dnc …`
#[derive(Debug, clap::Args)]
pub struct DncArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: DncCommand,
}

#[derive(Debug, clap::Subcommand)]
enum DncCommand {
    /// Ajoute une liste de numéros (un par ligne, ou la première colonne d'un CSV) à la liste
    /// des personnes à ne plus appeler d'une enquête ; seuls des condensats sont gardés.
    Import {
        /// L'enquête (nom ou identifiant).
        #[arg(long)]
        survey: String,
        /// Le fichier.
        file: PathBuf,
    },
}

/// Runs a `cati dnc` subcommand.
pub async fn run_dnc(args: DncArgs) -> anyhow::Result<()> {
    let DncCommand::Import { survey, file } = args.command;
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("lecture de {}", file.display()))?;
    let db = args.database.open().await?;
    let outcome = sample::import_do_not_call(&db, Actor::Operator, &survey, &text).await;
    db.close().await;
    let imported = outcome.map_err(refused)?;
    let mut summary = format!(
        "{} numéros ajoutés à la liste, {} y étaient déjà, {} lignes refusées.\n",
        imported.added,
        imported.already_listed,
        imported.rejected.len()
    );
    for line in &imported.rejected {
        summary.push_str(&format!("  {line}\n"));
    }
    args.database.answer(&imported, &summary)
}
