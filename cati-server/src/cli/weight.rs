//! `cati weight`: calibrates any respondents file to population margins (raking, linear,
//! logit, truncated, post-stratification) and writes `id,weight`; diagnostics on stderr.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use exports::weighting::io::{self, RunOptions};
use exports::weighting::{Bounds, Method, WeightError};

/// `cati weight …`
#[derive(Debug, clap::Args)]
pub struct WeightArgs {
    /// Respondents CSV: an `id` column and one column per margin variable.
    #[arg(long)]
    respondents: PathBuf,
    /// Margins CSV: `variable,category,target_total` (crossed margins `a:b`, categories `x:y`).
    #[arg(long)]
    margins: PathBuf,
    /// Calibration method.
    #[arg(long, value_parser = ["raking", "linear", "logit", "truncated", "poststrat"])]
    method: String,
    /// Bounds `L,U` on the ratio of final to base weight (required by logit and truncated).
    #[arg(long)]
    bounds: Option<String>,
    /// Column of the respondents file holding base (design) weights.
    #[arg(long)]
    base_weight: Option<String>,
    /// Column for per-category diagnostics (e.g. `commune`).
    #[arg(long)]
    group_by: Option<String>,
    /// Output CSV `id,weight`.
    #[arg(long)]
    out: PathBuf,
    /// Prints the diagnostics as JSON on stderr.
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
    options.base_weight = args.base_weight;
    options.group_by = args.group_by;
    let open =
        |path: &PathBuf| File::open(path).with_context(|| format!("reading {}", path.display()));
    let result = io::run(open(&args.respondents)?, open(&args.margins)?, &options);
    let print = |diagnostics: &exports::weighting::Diagnostics| -> anyhow::Result<()> {
        if args.json {
            eprintln!("{}", serde_json::to_string_pretty(diagnostics)?);
        } else {
            eprintln!("{diagnostics}");
        }
        Ok(())
    };
    match result {
        Ok((weights, diagnostics)) => {
            let out = File::create(&args.out)
                .with_context(|| format!("writing {}", args.out.display()))?;
            io::write_weights(BufWriter::new(out), &weights)?;
            print(&diagnostics)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ WeightError::NotConverged { .. }) => {
            if let WeightError::NotConverged { partial, .. } = &e {
                print(&partial.diagnostics)?;
            }
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
