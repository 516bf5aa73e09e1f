//! The command line beyond `serve`: accounts, questionnaire authoring, quota planning and
//! weighting. Each subcommand lives in its own module with its clap arguments.

pub mod case;
pub mod export;
pub mod questionnaire;
pub mod quotas;
pub mod report;
pub mod results;
pub mod sample;
pub mod survey;
pub mod user;
pub mod wave;
pub mod weight;

use std::io::Write;

use anyhow::Context;
use serde::Serialize;

use crate::error::AppError;
use crate::store::Db;

/// Where the set-up commands (`survey`, `questionnaire upload`, `wave`, `sample`) work and how
/// they answer.
#[derive(Clone, Debug, clap::Args)]
pub struct DatabaseArgs {
    /// Base de données : `sqlite://fichier.db` ou `postgres://…` (la même que celle de
    /// `cati serve`).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://cati.db",
        global = true
    )]
    pub database_url: String,
    /// Affiche en JSON l'objet créé ou modifié (avec son identifiant).
    #[arg(long, global = true)]
    pub json: bool,
}

impl DatabaseArgs {
    /// Opens (and migrates) the database.
    pub(crate) async fn open(&self) -> anyhow::Result<Db> {
        Db::connect(&self.database_url, 2)
            .await
            .context("ouverture de la base de données")
    }

    /// Prints `value` as JSON with `--json`, else the French `text`.
    pub(crate) fn answer<T: Serialize>(&self, value: &T, text: &str) -> anyhow::Result<()> {
        if self.json {
            print_stdout(&format!("{}\n", serde_json::to_string_pretty(value)?))?;
        } else {
            print_stdout(text)?;
        }
        Ok(())
    }
}

/// A service's refusal, as the operator reads it: its French message, and for a failure of
/// the server itself the cause (the operator is the one who can act on it).
pub(crate) fn refused(error: AppError) -> anyhow::Error {
    match error {
        AppError::Store(e) => anyhow::anyhow!("base de données : {e}"),
        AppError::Internal(message) => anyhow::anyhow!("erreur interne : {message}"),
        other => anyhow::anyhow!("{other}"),
    }
}

/// Writes a command's result on standard output. A closed pipe (`cati … | head`) is not an
/// error: the reader has all it wanted.
pub(crate) fn print_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
