//! `cati quotas plan`: targets per commune (and per sex × age cell) from legal populations,
//! printed as CSV and optionally written as a quota design file.

use std::path::PathBuf;

use anyhow::{Context, bail};
use quotas::{
    AgeVariable, DesignOptions, Layout, Minimum, PlanRequest, Rule, Structure, Tolerance,
};

/// `cati quotas …`
#[derive(Debug, clap::Args)]
pub struct QuotasArgs {
    #[command(subcommand)]
    command: QuotasCommand,
}

#[derive(Debug, clap::Subcommand)]
enum QuotasCommand {
    /// Calcule les objectifs de quotas : proportionnels à la population, avec au besoin un minimum
    /// par commune, arrondis au plus fort reste pour que chaque total tombe juste.
    Plan(PlanArgs),
}

#[derive(Debug, clap::Args)]
struct PlanArgs {
    /// Nombre total d'entretiens.
    #[arg(long)]
    total: u64,
    /// Nombre minimal d'entretiens par commune.
    #[arg(long)]
    min_per_commune: Option<u64>,
    /// Application du minimum : `floor` relève seulement les communes qui sont en dessous ; `base`
    /// l'attribue à chaque commune et répartit le reste proportionnellement.
    #[arg(long, default_value = "floor", value_parser = ["floor", "base"])]
    minimum_mode: String,
    /// Populations légales (`code_commune,nom_commune,millesime,population_municipale,…`).
    #[arg(long)]
    populations: PathBuf,
    /// Millésime à utiliser ; par défaut : le plus récent du fichier.
    #[arg(long)]
    vintage: Option<String>,
    /// Population par commune × sexe × tranche d'âge (`code_commune,sexe,age_band,population`),
    /// pour planifier des cellules dans chaque commune.
    #[arg(long)]
    structure: Option<PathBuf>,
    /// Cellules croisées, `crossed` (commune × sexe × âge), ou marginales, `marginal` (commune ×
    /// sexe et commune × âge).
    #[arg(long, default_value = "crossed", value_parser = ["crossed", "marginal"])]
    layout: String,
    /// Rend toutes les cellules souples, avec cette tolérance en pourcentage (par défaut : cellules
    /// strictes).
    #[arg(long)]
    soft: Option<f64>,
    /// La variable du questionnaire qui contient le code de la tranche d'âge (par exemple
    /// `AGE_QUOTA`) ; par défaut : l'âge en années lu dans `AGE`.
    #[arg(long)]
    age_band_variable: Option<String>,
    /// Écrit le plan de quotas (TOML) dans ce fichier.
    #[arg(long)]
    design_out: Option<PathBuf>,
}

/// Runs a `cati quotas` subcommand.
pub fn run(args: QuotasArgs) -> anyhow::Result<()> {
    match args.command {
        QuotasCommand::Plan(plan) => run_plan(plan),
    }
}

fn run_plan(args: PlanArgs) -> anyhow::Result<()> {
    let read = |path: &PathBuf| {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    };
    let populations_csv = read(&args.populations)?;
    let vintage = match args.vintage {
        Some(v) => v,
        None => quotas::population_vintages(&populations_csv)
            .with_context(|| format!("{}", args.populations.display()))?
            .into_iter()
            .max()
            .context("the populations file has no vintage")?,
    };
    let populations = quotas::parse_populations(&populations_csv, &vintage)
        .with_context(|| format!("{}", args.populations.display()))?;
    if populations.is_empty() {
        bail!(
            "{}: no commune for vintage {vintage}",
            args.populations.display()
        );
    }
    let structure = match &args.structure {
        Some(path) => {
            Some(Structure::parse(&read(path)?).with_context(|| format!("{}", path.display()))?)
        }
        None => None,
    };
    let minimum = match (args.min_per_commune, args.minimum_mode.as_str()) {
        (None, _) => Minimum::None,
        (Some(m), "base") => Minimum::Base(m),
        (Some(m), _) => Minimum::Floor(m),
    };
    let layout = if args.layout == "marginal" {
        Layout::Marginal
    } else {
        Layout::Crossed
    };
    let plan = quotas::plan(
        &populations,
        &PlanRequest {
            total: args.total,
            minimum,
            structure: structure.as_ref(),
            layout,
        },
    )?;
    super::print_stdout(&plan.to_csv())?;
    if let Some(path) = &args.design_out {
        let rule = match args.soft {
            None => Rule::Hard,
            Some(percent) if !(0.0..=1000.0).contains(&percent) => {
                bail!("--soft must be a percentage between 0 and 1000, got {percent}")
            }
            Some(percent) => Rule::Soft(Tolerance::from_basis_points(
                (percent * 100.0).round() as u32
            )?),
        };
        let mut options = DesignOptions {
            id: format!("quotas-{vintage}"),
            rule,
            ..DesignOptions::default()
        };
        if let Some(var) = args.age_band_variable {
            options.age_variable = AgeVariable::Band(var);
        }
        let design = plan.to_design(&options)?;
        std::fs::write(path, design.to_toml())
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "Plan de quotas écrit dans {} (millésime {vintage}).",
            path.display()
        );
    }
    Ok(())
}
