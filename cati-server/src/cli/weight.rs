//! `cati weight`: calibrates any respondents file to population margins (raking, linear,
//! logit, truncated, post-stratification) and writes `id,weight`; diagnostics on stderr.
//! Messages are in French and name the files as the user gave them.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::anyhow;
use exports::weighting::io::{self, RunOptions};
use exports::weighting::{Bounds, Diagnostics, MARGINS_FILE, Method, WeightError};

/// `cati weight …`
#[derive(Debug, clap::Args)]
pub struct WeightArgs {
    /// Fichier CSV des répondants : une colonne `id` et une colonne par variable des marges
    /// (séparateur virgule, point-virgule ou tabulation).
    #[arg(long)]
    respondents: PathBuf,
    /// Fichier CSV des marges : `variable,category,target_total` (marges croisées `a:b`,
    /// modalités `x:y` ; séparateur virgule, point-virgule ou tabulation).
    #[arg(long)]
    margins: PathBuf,
    /// Méthode : poststrat, raking, linear, logit ou truncated.
    #[arg(long)]
    method: String,
    /// Bornes `L,U` du rapport poids final / poids initial (obligatoires pour logit et
    /// truncated), par exemple 0.5,2.
    #[arg(long)]
    bounds: Option<String>,
    /// Colonne du fichier des répondants qui donne les poids initiaux (de sondage).
    #[arg(long)]
    base_weight: Option<String>,
    /// Colonne pour les diagnostics par modalité (par exemple `commune`).
    #[arg(long)]
    group_by: Option<String>,
    /// Fichier CSV écrit : `id,weight`.
    #[arg(long)]
    out: PathBuf,
    /// Diagnostics en JSON sur la sortie d'erreur.
    #[arg(long)]
    json: bool,
}

/// Runs `cati weight`: exit status 1 when the margins cannot be reached.
pub fn run(args: WeightArgs) -> anyhow::Result<ExitCode> {
    let bounds = args
        .bounds
        .as_deref()
        .map(str::parse::<Bounds>)
        .transpose()?;
    let mut options = RunOptions::new(Method::from_name(&args.method, bounds)?);
    options.base_weight = args.base_weight.clone();
    options.group_by = args.group_by.clone();
    let result = io::run(open(&args.respondents)?, open(&args.margins)?, &options);
    let print = |diagnostics: &Diagnostics| -> anyhow::Result<()> {
        if args.json {
            eprintln!("{}", serde_json::to_string_pretty(diagnostics)?);
        } else {
            eprintln!("{diagnostics}");
        }
        Ok(())
    };
    match result {
        Ok((weights, diagnostics)) => {
            let out = File::create(&args.out).map_err(|e| {
                anyhow!(
                    "écriture de « {} » impossible : {}",
                    args.out.display(),
                    reason(&e)
                )
            })?;
            io::write_weights(BufWriter::new(out), &weights)
                .map_err(|e| anyhow!("« {} » : {e}", args.out.display()))?;
            print(&diagnostics)?;
            if !args.json {
                eprintln!(
                    "Poids de {} répondant(s) écrits dans « {} ».",
                    weights.len(),
                    args.out.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ WeightError::NotConverged { .. }) => {
            if let WeightError::NotConverged { partial, .. } = &e {
                print(&partial.diagnostics)?;
            }
            eprintln!("erreur : {e} ; aucun poids écrit");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(in_files(e, &args)),
    }
}

fn open(path: &Path) -> anyhow::Result<File> {
    File::open(path).map_err(|e| {
        anyhow!(
            "lecture de « {} » impossible : {}",
            path.display(),
            reason(&e)
        )
    })
}

/// A file's error named by the path given on the command line (`marges.csv, ligne 4 : …`)
/// rather than by its role.
fn in_files(error: WeightError, args: &WeightArgs) -> anyhow::Error {
    match error {
        WeightError::Csv {
            file,
            line,
            message,
        } => {
            let path = if file == MARGINS_FILE {
                &args.margins
            } else {
                &args.respondents
            };
            if line == 0 {
                anyhow!("{} : {message}", path.display())
            } else {
                anyhow!("{}, ligne {line} : {message}", path.display())
            }
        }
        other => other.into(),
    }
}

/// The reason of a file error in French for the usual cases (the system's words otherwise).
fn reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "fichier ou dossier introuvable".to_owned(),
        std::io::ErrorKind::PermissionDenied => "accès refusé".to_owned(),
        std::io::ErrorKind::IsADirectory => "c'est un dossier, pas un fichier".to_owned(),
        _ => error.to_string(),
    }
}
