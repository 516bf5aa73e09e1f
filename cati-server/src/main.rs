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
    /// Starts the HTTP server.
    Serve(server::ServeArgs),
    /// Manages accounts.
    User(cli::user::UserArgs),
    /// Creates and lists surveys.
    Survey(cli::survey::SurveyArgs),
    /// Checks a questionnaire file or tries it in the terminal; uploads, lists and compares a
    /// survey's versions.
    Questionnaire(cli::questionnaire::QuestionnaireArgs),
    /// Creates waves and opens, pauses or closes them.
    Wave(cli::wave::WaveArgs),
    /// Chiffres du terrain : taux AAPOR d'une vague.
    Report(cli::report::ReportArgs),
    /// Loads phone lists into waves and releases their replicates.
    Sample(cli::sample::SampleArgs),
    /// Manages a survey's do-not-call list.
    Dnc(cli::sample::DncArgs),
    /// Releases the cases of absent interviewers.
    Case(cli::case::CaseArgs),
    /// Plans quota targets from legal populations.
    Quotas(cli::quotas::QuotasArgs),
    /// Calibrates respondents to population margins.
    Weight(cli::weight::WeightArgs),
    /// Exports a wave's dataset for analysts.
    Export(cli::export::ExportArgs),
    /// Résultats publiables d'une vague : tableau, carte (SVG), données ouvertes (zip).
    Results(cli::results::ResultsArgs),
    /// Measures answer-save throughput and latency.
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
