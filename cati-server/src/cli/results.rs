//! `cati results --wave W`: a wave's published results from the command line, through the
//! same service as the « Résultats » page and the API: the table of an indicator (or of all)
//! in the terminal, and on demand the table as CSV, the map as SVG and the open data as a zip.

use std::path::PathBuf;

use exports::publication::percent;

use super::{DatabaseArgs, refused};
use crate::auth::Actor;
use crate::services::results;

/// `cati results …`
#[derive(Debug, clap::Args)]
pub struct ResultsArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// La vague (nom ou identifiant).
    #[arg(long)]
    wave: String,
    /// L'indicateur (par défaut : tous ; la carte : le premier).
    #[arg(long)]
    indicator: Option<String>,
    /// Écrit le tableau des résultats (CSV) dans ce fichier.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Écrit la carte de l'indicateur (SVG) dans ce fichier.
    #[arg(long)]
    map: Option<PathBuf>,
    /// Écrit les données ouvertes (zip : cellules publiables, descripteur, cartes) dans ce
    /// fichier.
    #[arg(long)]
    open_data: Option<PathBuf>,
}

/// Runs `cati results`.
pub async fn run(args: ResultsArgs) -> anyhow::Result<()> {
    let db = args.database.open().await?;
    let computed = results::compute(&db, Actor::Operator, &args.wave).await;
    db.close().await;
    let computed = computed
        .and_then(|c| c.only(args.indicator.as_deref()))
        .map_err(refused)?;
    let write = |path: &PathBuf, bytes: &[u8]| {
        std::fs::write(path, bytes)
            .map_err(|e| anyhow::anyhow!("écriture de {} : {e}", path.display()))
    };
    if let Some(path) = &args.csv {
        write(path, &computed.csv(None).map_err(refused)?)?;
    }
    if let Some(path) = &args.map {
        let indicator = computed
            .indicator(args.indicator.as_deref())
            .map_err(refused)?;
        write(
            path,
            computed.map(&indicator.name).map_err(refused)?.as_bytes(),
        )?;
    }
    if let Some(path) = &args.open_data {
        write(path, &computed.open_data_zip().map_err(refused)?)?;
    }
    let mut text = format!(
        "Résultats de la vague « {} » — {}\nRègles de publication : {}\n",
        computed.wave.name, computed.weighting, computed.rules_summary
    );
    for note in computed.note.iter().chain(&computed.note_detail) {
        text.push_str(&format!("{note}\n"));
    }
    for indicator in &computed.indicators {
        text.push_str(&format!("\n{} ({})\n", indicator.label, indicator.name));
        for row in computed.rows_of(&indicator.name) {
            let estimate = row.cell.proportion.map_or_else(|| "—".to_owned(), percent);
            let verdict = if row.verdict.publishable {
                "publiable".to_owned()
            } else {
                format!("non publiable : {}", row.verdict.reasons.join(" ; "))
            };
            text.push_str(&format!(
                "  {:<28} {:>9}  n = {:<5} {verdict}\n",
                row.cell.domaine, estimate, row.cell.n
            ));
        }
    }
    args.database.answer(&computed, &text)
}
