//! `cati wave create|list|quotas|open|pause|close|rules|weighting|publication`: waves from the command line,
//! through the same service as the pages and the API (audited as the operator).

use super::{DatabaseArgs, refused};
use crate::auth::Actor;
use crate::services::publication::{self, PublicationRequest};
use crate::services::waves::{self, CreatedWave, WaveRequest};
use crate::services::weighting::{self, SourceKind, WeightingRequest};
use crate::services::{manage, rules};
use crate::store::surveys::{WaveRow, WaveStatus};

/// `cati wave …`
#[derive(Debug, clap::Args)]
pub struct WaveArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: WaveCommand,
}

#[derive(Debug, clap::Subcommand)]
enum WaveCommand {
    /// Crée une vague, en préparation ; avec --from-wave, reprend la version du questionnaire de
    /// cette vague (ou --questionnaire-version), son plan de quotas et ses indicateurs, et signale
    /// ce qui a changé.
    Create {
        /// L'enquête (nom ou identifiant).
        #[arg(long)]
        survey: String,
        /// Le nom de la vague, unique dans l'enquête (par exemple 2027-1).
        #[arg(long)]
        name: String,
        /// La vague que celle-ci prolonge (nom ou identifiant).
        #[arg(long)]
        from_wave: Option<String>,
        /// La version du questionnaire (par défaut : celle de la vague précédente, sinon la plus
        /// récente).
        #[arg(long)]
        questionnaire_version: Option<String>,
        /// Premier jour d'appels (AAAA-MM-JJ).
        #[arg(long)]
        field_start: Option<String>,
        /// Dernier jour d'appels (AAAA-MM-JJ).
        #[arg(long)]
        field_end: Option<String>,
    },
    /// Liste les vagues.
    List,
    /// Associe un plan de quotas (TOML, par exemple issu de `cati quotas plan --design-out`) à une
    /// vague.
    Quotas {
        /// La vague (nom ou identifiant).
        wave: String,
        /// Le fichier du plan de quotas.
        file: std::path::PathBuf,
    },
    /// Ouvre une vague : ses cas sont distribués.
    Open {
        /// La vague (nom ou identifiant).
        wave: String,
    },
    /// Met une vague en pause : plus aucun cas n'est distribué ; les entretiens en cours se
    /// terminent.
    Pause {
        /// La vague (nom ou identifiant).
        wave: String,
    },
    /// Ferme une vague : plus aucun cas n'est distribué ni aucune réponse acceptée ; les cas
    /// détenus sont libérés.
    Close {
        /// La vague (nom ou identifiant).
        wave: String,
    },
    /// Affiche les règles d'appel de la vague, ou les remplace par celles d'un fichier (TOML,
    /// ou JSON si son nom finit par .json ; un champ absent garde sa valeur par défaut).
    Rules {
        /// La vague (nom ou identifiant).
        wave: String,
        /// Le fichier de règles à appliquer.
        #[arg(long)]
        file: Option<std::path::PathBuf>,
    },
    /// Affiche la pondération de la vague (populations de référence et méthode avec lesquelles
    /// ses exports sont pondérés), ou la règle : --legal (populations légales INSEE intégrées)
    /// ou --populations FICHIER, avec --vintage, --method, --bounds ; --remove la retire.
    Weighting {
        /// La vague (nom ou identifiant).
        wave: String,
        /// Les populations légales INSEE des 28 communes, intégrées à cati.
        #[arg(long, conflicts_with_all = ["populations", "remove"])]
        legal: bool,
        /// Un fichier de populations (colonnes code_commune, nom_commune, millesime,
        /// population_municipale).
        #[arg(long, conflicts_with = "remove")]
        populations: Option<std::path::PathBuf>,
        /// Le millésime (par défaut : le plus récent).
        #[arg(long)]
        vintage: Option<String>,
        /// La méthode : raking (par défaut), linear, logit, truncated, poststrat.
        #[arg(long)]
        method: Option<String>,
        /// Les bornes L,U des méthodes logit et truncated (par exemple 0.3,3).
        #[arg(long)]
        bounds: Option<String>,
        /// Retire la pondération : les exports de la vague ne sont plus pondérés par défaut.
        #[arg(long)]
        remove: bool,
    },
    /// Affiche les règles de publication de la vague (ce que la page « Résultats » et les
    /// données ouvertes publient), ou les change ; une option absente garde sa valeur.
    Publication {
        /// La vague (nom ou identifiant).
        wave: String,
        /// Nombre minimal de répondants d'une cellule (par défaut : 30).
        #[arg(long)]
        min_n: Option<usize>,
        /// Taille effective minimale d'une cellule (par défaut : 20).
        #[arg(long)]
        min_neff: Option<f64>,
        /// Demi-largeur maximale de l'intervalle de confiance à 95 %, en proportion (par
        /// défaut : 0.15, soit ±15 points).
        #[arg(long)]
        max_half_width: Option<f64>,
    },
}

/// Runs a `cati wave` subcommand.
pub async fn run(args: WaveArgs) -> anyhow::Result<()> {
    let db = args.database.open().await?;
    let status = |wave: String, status| (wave, status);
    let result = match args.command {
        WaveCommand::Create {
            survey,
            name,
            from_wave,
            questionnaire_version,
            field_start,
            field_end,
        } => {
            let request = WaveRequest {
                survey,
                name,
                questionnaire_version,
                from_wave,
                field_start,
                field_end,
            };
            let created = waves::create(&db, Actor::Operator, &request)
                .await
                .map_err(refused)?;
            args.database.answer(&created, &created_text(&created))
        }
        WaveCommand::List => {
            let all = manage::waves(&db, Actor::Operator).await.map_err(refused)?;
            let text: String = if all.is_empty() {
                "Aucune vague.\n".to_owned()
            } else {
                all.iter().map(describe).collect()
            };
            args.database.answer(&all, &text)
        }
        WaveCommand::Quotas { wave, file } => attach(&db, &args.database, &wave, &file).await,
        WaveCommand::Open { wave } => {
            change(&db, &args.database, status(wave, WaveStatus::Open)).await
        }
        WaveCommand::Pause { wave } => {
            change(&db, &args.database, status(wave, WaveStatus::Paused)).await
        }
        WaveCommand::Close { wave } => {
            change(&db, &args.database, status(wave, WaveStatus::Closed)).await
        }
        WaveCommand::Weighting {
            wave,
            legal,
            populations,
            vintage,
            method,
            bounds,
            remove,
        } => {
            let source = match (legal, &populations) {
                (true, _) => Some((SourceKind::Legal, None, None)),
                (false, Some(file)) => {
                    let text = std::fs::read_to_string(file)
                        .map_err(|e| anyhow::anyhow!("lecture de {} : {e}", file.display()))?;
                    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
                    Some((SourceKind::File, name, Some(text)))
                }
                (false, None) => None,
            };
            let view = match (source, remove) {
                (_, true) => weighting::remove(&db, Actor::Operator, &wave).await,
                (Some((source, file_name, content)), false) => {
                    let request = WeightingRequest {
                        source,
                        file_name,
                        content,
                        vintage,
                        method,
                        bounds,
                    };
                    weighting::set(&db, Actor::Operator, &wave, &request).await
                }
                (None, false) if vintage.is_some() || method.is_some() || bounds.is_some() => {
                    Err(crate::error::AppError::Invalid(
                        "donnez les populations : --legal ou --populations FICHIER".to_owned(),
                    ))
                }
                (None, false) => weighting::show(&db, Actor::Operator, &wave).await,
            }
            .map_err(refused)?;
            let text = format!(
                "Pondération de la vague « {} » : {}\n",
                view.wave_name, view.summary
            );
            args.database.answer(&view, &text)
        }
        WaveCommand::Publication {
            wave,
            min_n,
            min_neff,
            max_half_width,
        } => {
            let view = if min_n.is_none() && min_neff.is_none() && max_half_width.is_none() {
                publication::show(&db, Actor::Operator, &wave).await
            } else {
                let request = PublicationRequest {
                    min_n,
                    min_effective_n: min_neff,
                    max_half_width,
                };
                publication::set(&db, Actor::Operator, &wave, &request).await
            }
            .map_err(refused)?;
            let text = format!(
                "Règles de publication de la vague « {} »{} : {}\n",
                view.wave_name,
                if view.default { " (par défaut)" } else { "" },
                view.summary
            );
            args.database.answer(&view, &text)
        }
        WaveCommand::Rules { wave, file } => {
            let view = match file {
                None => rules::show(&db, Actor::Operator, &wave).await,
                Some(file) => {
                    let text = std::fs::read_to_string(&file)
                        .map_err(|e| anyhow::anyhow!("lecture de {} : {e}", file.display()))?;
                    let name = file.display().to_string();
                    match rules::parse_file(&name, &text) {
                        Ok(config) => rules::set(&db, Actor::Operator, &wave, &config).await,
                        Err(e) => Err(e),
                    }
                }
            }
            .map_err(refused)?;
            let mut text = format!(
                "Règles d'appel de la vague « {} »{} :\n",
                view.wave_name,
                if view.defaults { " (par défaut)" } else { "" }
            );
            for line in &view.summary {
                text.push_str(&format!("  {line}\n"));
            }
            args.database.answer(&view, &text)
        }
    };
    db.close().await;
    result
}

async fn attach(
    db: &crate::store::Db,
    database: &DatabaseArgs,
    wave: &str,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    let source = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("lecture de {} : {e}", file.display()))?;
    let mut tx = db.read().await?;
    let wave = waves::find(&mut tx, wave).await.map_err(refused)?;
    tx.commit().await?;
    let state = crate::server::state(db.clone(), Default::default()).await?;
    let figures =
        crate::services::quota::attach_design(&state, Actor::Operator, wave.uuid, &source)
            .await
            .map_err(refused)?;
    database.answer(
        &figures,
        &format!(
            "Plan de quotas attaché à la vague « {} » : {} cellules.\n",
            wave.name,
            figures.cells.len()
        ),
    )
}

async fn change(
    db: &crate::store::Db,
    database: &DatabaseArgs,
    (wave, status): (String, WaveStatus),
) -> anyhow::Result<()> {
    let wave = waves::set_status(db, Actor::Operator, &wave, status)
        .await
        .map_err(refused)?;
    database.answer(&wave, &describe(&wave))
}

/// A wave in one French line.
fn describe(wave: &WaveRow) -> String {
    let dates = match (&wave.field_start, &wave.field_end) {
        (Some(start), Some(end)) => format!(", terrain du {start} au {end}"),
        (Some(start), None) => format!(", terrain à partir du {start}"),
        (None, Some(end)) => format!(", terrain jusqu'au {end}"),
        (None, None) => String::new(),
    };
    format!(
        "{} — vague « {} » : {} (questionnaire {}{dates}) — identifiant {}\n",
        wave.survey_title,
        wave.name,
        wave.status.label(),
        wave.questionnaire_version,
        wave.uuid
    )
}

fn created_text(created: &CreatedWave) -> String {
    let mut text = format!("Vague créée (en préparation).\n{}", describe(&created.wave));
    if let Some(report) = &created.comparability {
        text.push_str(&format!(
            "Par rapport à la vague « {} » ({}) :\n",
            report.previous_wave,
            if report.comparable {
                "comparable"
            } else {
                "ATTENTION : pas entièrement comparable"
            }
        ));
        for line in &report.lines {
            text.push_str(&format!("  {line}\n"));
        }
    }
    text
}
