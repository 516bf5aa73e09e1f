//! `cati survey create|list|show`: surveys from the command line, through the same service as
//! the pages and the API (audited as the operator).

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{DatabaseArgs, refused};
use crate::auth::Actor;
use crate::services::export::indicators;
use crate::services::outcome_frame;
use crate::services::surveys::{self, NewSurvey, SurveyView, Upload};

/// `cati survey …`
#[derive(Debug, clap::Args)]
pub struct SurveyArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: SurveyCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SurveyCommand {
    /// Crée une enquête, avec la première version de son questionnaire si --questionnaire est
    /// donné.
    Create {
        /// Nom court et unique (lettres, chiffres, `-`, `_`, `.`), utilisé par les autres
        /// commandes.
        #[arg(long)]
        name: String,
        /// Titre (par défaut : celui du questionnaire).
        #[arg(long)]
        title: Option<String>,
        /// Description.
        #[arg(long, default_value = "")]
        description: String,
        /// Le questionnaire (TOML) ; un fichier d'indicateurs placé à côté (`NOM.indicators.toml`)
        /// est enregistré avec lui.
        #[arg(long)]
        questionnaire: Option<PathBuf>,
    },
    /// Liste les enquêtes et les versions de leur questionnaire.
    List,
    /// Affiche une enquête (nom ou identifiant) et les versions de son questionnaire.
    Show {
        /// L'enquête (nom ou identifiant).
        survey: String,
    },
    /// Affiche les codes d'issue de l'enquête, ou en change avec un fichier (TOML, ou JSON si
    /// son nom finit par .json) : une table par issue à changer, avec label, final, contact et
    /// aapor.
    Outcomes {
        /// L'enquête (nom ou identifiant).
        survey: String,
        /// Le fichier des issues à changer.
        #[arg(long)]
        file: Option<std::path::PathBuf>,
    },
}

/// Runs a `cati survey` subcommand.
pub async fn run(args: SurveyArgs) -> anyhow::Result<()> {
    let db = args.database.open().await?;
    let result = match args.command {
        SurveyCommand::Create {
            name,
            title,
            description,
            questionnaire,
        } => {
            let upload = questionnaire.as_deref().map(read_upload).transpose()?;
            let new = NewSurvey {
                name,
                title,
                description,
                questionnaire: upload,
            };
            let view = surveys::create(&db, Actor::Operator, &new)
                .await
                .map_err(refused)?;
            args.database
                .answer(&view, &format!("Enquête créée.\n{}", describe(&view)))
        }
        SurveyCommand::List => {
            let views = surveys::list(&db, Actor::Operator).await.map_err(refused)?;
            let text: String = if views.is_empty() {
                "Aucune enquête.\n".to_owned()
            } else {
                views.iter().map(describe).collect()
            };
            args.database.answer(&views, &text)
        }
        SurveyCommand::Show { survey } => {
            let view = surveys::show(&db, Actor::Operator, &survey)
                .await
                .map_err(refused)?;
            args.database.answer(&view, &describe(&view))
        }
        SurveyCommand::Outcomes { survey, file } => {
            let view = match file {
                None => outcome_frame::show(&db, Actor::Operator, &survey).await,
                Some(file) => {
                    let text = std::fs::read_to_string(&file)
                        .map_err(|e| anyhow::anyhow!("lecture de {} : {e}", file.display()))?;
                    match outcome_frame::parse_file(&file.display().to_string(), &text) {
                        Ok(changes) => {
                            outcome_frame::set(&db, Actor::Operator, &survey, changes).await
                        }
                        Err(e) => Err(e),
                    }
                }
            }
            .map_err(refused)?;
            let mut text = String::from("Codes d'issue");
            text.push_str(if view.defaults {
                " (par défaut) :\n"
            } else {
                " :\n"
            });
            for (outcome, spec) in &view.outcomes {
                text.push_str(&format!(
                    "  {:<20} {:<7} {:<10} {:<12} {}\n",
                    outcome.as_str(),
                    spec.aapor.as_str(),
                    if spec.is_final {
                        "finale"
                    } else {
                        "à rappeler"
                    },
                    if spec.contact {
                        "contact"
                    } else {
                        "sans contact"
                    },
                    spec.label
                ));
            }
            args.database.answer(&view, &text)
        }
    };
    db.close().await;
    result
}

/// A questionnaire file, with the indicators file beside it if there is one.
pub(crate) fn read_upload(path: &Path) -> anyhow::Result<Upload> {
    let source = std::fs::read_to_string(path)
        .with_context(|| format!("lecture du questionnaire {}", path.display()))?;
    let indicators = indicators::read_beside(path).with_context(|| {
        format!(
            "lecture des indicateurs {}",
            indicators::beside(path).display()
        )
    })?;
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(Upload {
        file_name,
        source,
        indicators,
    })
}

/// The survey in a few French lines.
fn describe(view: &SurveyView) -> String {
    let survey = &view.survey;
    let mut text = format!(
        "« {} » — {} (identifiant {})\n",
        survey.code, survey.title, survey.uuid
    );
    if !survey.description.is_empty() {
        text.push_str(&format!("  {}\n", survey.description));
    }
    if view.versions.is_empty() {
        text.push_str("  pas encore de questionnaire\n");
    }
    for version in &view.versions {
        text.push_str(&format!(
            "  questionnaire version {} ({}{})\n",
            version.version,
            version.file_name,
            if version.has_indicators {
                ", avec indicateurs"
            } else {
                ""
            }
        ));
    }
    text
}
