//! `cati case release-abandoned`: releases at once the cases held by interviewers who have
//! been inactive for a while (the server does it every minute after
//! `--release-held-after-minutes`; this is for an operator who wants it now, e.g. at the end
//! of a shift).

use super::{DatabaseArgs, refused};
use crate::services::abandoned;

/// `cati case …`
#[derive(Debug, clap::Args)]
pub struct CaseArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: CaseCommand,
}

#[derive(Debug, clap::Subcommand)]
enum CaseCommand {
    /// Libère les cas détenus sans activité depuis N minutes (entretiens commencés gardés pour
    /// être repris, places de quota rendues).
    ReleaseAbandoned {
        /// Minutes sans activité (0 : tous les cas détenus).
        #[arg(long, default_value_t = 30, value_name = "MINUTES",
              value_parser = clap::value_parser!(i64).range(0..=10_080))]
        idle_minutes: i64,
    },
}

/// Runs a `cati case` subcommand.
pub async fn run(args: CaseArgs) -> anyhow::Result<()> {
    let db = args.database.open().await?;
    let result = match args.command {
        CaseCommand::ReleaseAbandoned { idle_minutes } => {
            // A cut-off just after now, so that 0 minutes releases what was touched this very
            // millisecond too.
            let now = crate::store::now_ms() + 1;
            abandoned::release(&db, now, idle_minutes * 60_000)
                .await
                .map_err(refused)
        }
    };
    db.close().await;
    let released = result?;
    args.database.answer(
        &serde_json::json!({ "released": released }),
        &format!("{released} cas libéré(s).\n"),
    )
}
