//! The `cati` command: `serve`, `user`, `survey`, `questionnaire`, `wave`, `quotas`, `weight`,
//! `export`, `bench`, `simulate`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cati_server::telemetry::logging::{self, LogFormat};
use cati_server::{bench, cli, server, simulate};

#[derive(Debug, Parser)]
#[command(
    name = "cati",
    version,
    about = "Serveur d'enquêtes téléphoniques assistées par ordinateur"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Démarre le serveur HTTP.
    Serve(server::ServeArgs),
    /// Gère les comptes.
    User(cli::user::UserArgs),
    /// Crée et liste les enquêtes.
    Survey(cli::survey::SurveyArgs),
    /// Vérifie un fichier de questionnaire ou l'essaie dans le terminal ; charge, liste et compare
    /// les versions du questionnaire d'une enquête.
    Questionnaire(cli::questionnaire::QuestionnaireArgs),
    /// Crée les vagues, les ouvre, les met en pause ou les ferme.
    Wave(cli::wave::WaveArgs),
    /// Chiffres du terrain : taux AAPOR d'une vague.
    Report(cli::report::ReportArgs),
    /// Charge les fichiers de numéros dans les vagues et libère leurs réplicats.
    Sample(cli::sample::SampleArgs),
    /// Gère la liste d'opposition d'une enquête (numéros à ne plus appeler).
    Dnc(cli::sample::DncArgs),
    /// Libère les cas des enquêteurs absents.
    Case(cli::case::CaseArgs),
    /// Calcule les objectifs de quotas à partir des populations légales.
    Quotas(cli::quotas::QuotasArgs),
    /// Pondère les répondants par calage sur des marges de population.
    Weight(cli::weight::WeightArgs),
    /// Exporte le jeu de données d'une vague pour les analystes.
    Export(cli::export::ExportArgs),
    /// Résultats publiables d'une vague : tableau, carte (SVG), données ouvertes (zip).
    Results(cli::results::ResultsArgs),
    /// Mesures de performance : par défaut, débit et latence de l'enregistrement des réponses.
    Bench(bench::BenchArgs),
    /// Joue une vague entière par l'API, avec des enquêteurs et des répondants simulés, sur
    /// une horloge simulée ; affiche complets, issues, taux AAPOR, quotas, débit et latences.
    Simulate(simulate::SimulateArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Only the server chooses its log format; the other commands log as text.
    logging::init(match &cli.command {
        Command::Serve(args) => args.log_format,
        _ => LogFormat::Text,
    });
    let ok = |()| ExitCode::SUCCESS;
    let outcome = match cli.command {
        Command::Serve(args) => server::serve(args).await.map(ok),
        Command::User(args) => cli::user::run(args).await.map(ok),
        Command::Survey(args) => cli::survey::run(args).await.map(ok),
        Command::Questionnaire(args) => cli::questionnaire::run(args).await,
        Command::Wave(args) => cli::wave::run(args).await.map(ok),
        Command::Report(args) => cli::report::run(args).await.map(ok),
        Command::Sample(args) => cli::sample::run(args).await.map(ok),
        Command::Dnc(args) => cli::sample::run_dnc(args).await.map(ok),
        Command::Case(args) => cli::case::run(args).await.map(ok),
        Command::Quotas(args) => cli::quotas::run(args).map(ok),
        Command::Weight(args) => cli::weight::run(args),
        Command::Export(args) => cli::export::run(args).await.map(ok),
        Command::Results(args) => cli::results::run(args).await.map(ok),
        Command::Bench(args) => bench::run(args).await.map(ok),
        Command::Simulate(args) => simulate::run(args).await.map(ok),
    };
    // Errors reach people at a terminal: the message and its causes, no backtrace.
    outcome.unwrap_or_else(|e| {
        eprintln!("erreur : {e:#}");
        ExitCode::FAILURE
    })
}
