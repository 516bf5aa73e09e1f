//! `cati bench`: benchmarks that print figures, each run on a scratch SQLite file and, when
//! `--postgres-url` is given, on a scratch PostgreSQL database created and dropped there.
//!
//! - `cati bench` / `cati bench answers`: interviewers' answer throughput and latency, alone,
//!   with live dashboards open and with supervisors polling ([`answers`]).
//! - `cati bench import`: loading a phone list of `--rows` rows into a wave ([`import`]).
//! - `cati bench dispatch`: the case hand-out at `--cases` cases ([`dispatch`]).
//! - `cati bench login`: interviewers' answers over HTTP alone and during a login flood
//!   ([`login`]).

mod answers;
mod dispatch;
mod import;
mod login;

use anyhow::Context;

pub use answers::{AnswersArgs, ms, percentile};
pub use dispatch::DispatchArgs;
pub use import::ImportArgs;
pub use login::LoginArgs;

/// Options of `cati bench`.
#[derive(Clone, Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    /// What to measure (default: answers).
    #[command(subcommand)]
    pub what: Option<BenchWhat>,
    /// Options of the answers benchmark, when no subcommand is given.
    #[command(flatten)]
    pub answers: AnswersArgs,
    /// URL d'un serveur PostgreSQL (sa base `postgres`) ; une base jetable y est créée, puis
    /// supprimée à la fin. Sans elle, seul SQLite est mesuré.
    #[arg(long, env = "CATI_BENCH_POSTGRES_URL", global = true)]
    pub postgres_url: Option<String>,
    /// Ne mesure que PostgreSQL (avec --postgres-url), pas SQLite.
    #[arg(long, global = true, requires = "postgres_url")]
    pub postgres_only: bool,
}

/// The benchmarks.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum BenchWhat {
    /// Débit et latence de l'enregistrement des réponses (la mesure par défaut).
    Answers(AnswersArgs),
    /// Chargement d'un fichier de numéros dans une vague.
    Import(ImportArgs),
    /// La distribution des cas : latence de la prise d'un cas avec 1, 20 et 100 enquêteurs, sur
    /// 1 000 000 de cas.
    Dispatch(DispatchArgs),
    /// Débit des réponses des enquêteurs par HTTP, seuls puis pendant des rafales de tentatives de
    /// connexion sur 32 connexions.
    Login(LoginArgs),
}

/// Runs the benchmark asked for on each backend and prints the figures.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let what = args.what.unwrap_or(BenchWhat::Answers(args.answers));
    if !args.postgres_only {
        let dir = std::env::temp_dir().join(format!("cati-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}", dir.join("bench.db").display());
        let result = measure(&what, "SQLite", &url).await;
        let _ = std::fs::remove_dir_all(&dir);
        result?;
    }
    if let Some(admin_url) = &args.postgres_url {
        let name = format!("cati_bench_{}", std::process::id());
        let admin = sqlx::PgPool::connect(admin_url)
            .await
            .context("connecting to PostgreSQL")?;
        sqlx::query(&format!("create database {name}"))
            .execute(&admin)
            .await?;
        let url = replace_database(admin_url, &name);
        let result = measure(&what, "PostgreSQL", &url).await;
        sqlx::query(&format!("drop database if exists {name} with (force)"))
            .execute(&admin)
            .await?;
        result?;
    }
    Ok(())
}

async fn measure(what: &BenchWhat, label: &str, url: &str) -> anyhow::Result<()> {
    match what {
        BenchWhat::Answers(args) => answers::measure(label, url, args).await,
        BenchWhat::Import(args) => import::measure(label, url, args).await,
        BenchWhat::Dispatch(args) => dispatch::measure(label, url, args).await,
        BenchWhat::Login(args) => login::measure(label, url, args).await,
    }
}

/// The same server URL with another database name.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}
