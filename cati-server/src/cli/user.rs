//! `cati user add|passwd|disable`: account management from the command line.

use std::io::BufRead;

use anyhow::{Context, bail};

use crate::auth::{self, Actor};
use crate::services::accounts;
use crate::store::Db;
use crate::store::users::Role;

/// Options shared by the `user` subcommands.
#[derive(Clone, Debug, clap::Args)]
pub struct UserArgs {
    /// Base de données : `sqlite://fichier.db` ou `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://cati.db",
        global = true
    )]
    pub database_url: String,
    /// What to do.
    #[command(subcommand)]
    pub command: UserCommand,
}

/// `cati user …` subcommands.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Crée un compte ; affiche un mot de passe généré, sauf avec --password-stdin.
    Add {
        /// Identifiant de connexion.
        username: String,
        /// Rôle : admin, supervisor (superviseur), interviewer (enquêteur) ou analyst (analyste).
        #[arg(long)]
        role: String,
        /// Nom affiché dans l'interface (par défaut : l'identifiant de connexion).
        #[arg(long, default_value = "")]
        name: String,
        /// Lit le mot de passe sur la première ligne de l'entrée standard.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remplace un mot de passe (met fin aux sessions du compte).
    Passwd {
        /// Identifiant de connexion.
        username: String,
        /// Lit le mot de passe sur la première ligne de l'entrée standard.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Désactive un compte (ou le réactive avec --enable).
    Disable {
        /// Identifiant de connexion.
        username: String,
        /// Réactive le compte au lieu de le désactiver.
        #[arg(long)]
        enable: bool,
    },
    /// Confie à un enquêteur les refus à reconvertir (ou les lui retire avec --off).
    Converter {
        /// Identifiant de connexion de l'enquêteur.
        username: String,
        /// Lui retirer les refus à reconvertir.
        #[arg(long)]
        off: bool,
    },
}

/// Runs a `cati user` subcommand.
pub async fn run(args: UserArgs) -> anyhow::Result<()> {
    let db = Db::connect(&args.database_url, 2)
        .await
        .context("opening the database")?;
    let result = run_on(&db, args.command).await;
    db.close().await;
    result
}

async fn run_on(db: &Db, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            username,
            role,
            name,
            password_stdin,
        } => {
            let Some(role) = Role::parse(&role) else {
                bail!("rôle inconnu « {role} » (admin, supervisor, interviewer, analyst)");
            };
            let (password, generated) = password(password_stdin)?;
            accounts::create(db, Actor::Operator, &username, &name, role, &password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Compte « {username} » créé ({}).", role.label());
            if generated {
                println!("Mot de passe : {password}");
            }
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let user = find(db, &username).await?;
            let (password, generated) = password(password_stdin)?;
            accounts::change_password(db, Actor::Operator, user, &password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Mot de passe de « {username} » changé.");
            if generated {
                println!("Mot de passe : {password}");
            }
        }
        UserCommand::Disable { username, enable } => {
            let user = find(db, &username).await?;
            accounts::set_disabled(db, Actor::Operator, user, !enable)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Compte « {username} » {}.",
                if enable { "réactivé" } else { "désactivé" }
            );
        }
        UserCommand::Converter { username, off } => {
            crate::services::rules::set_converter(db, Actor::Operator, &username, !off)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "« {username} » {} les refus à reconvertir.",
                if off { "ne reçoit plus" } else { "reçoit" }
            );
        }
    }
    Ok(())
}

async fn find(db: &Db, username: &str) -> anyhow::Result<i64> {
    let account = accounts::find(db, Actor::Operator, username)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(account.id)
}

fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((auth::password::generate(), true));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password")?;
    Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
}
