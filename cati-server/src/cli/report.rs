//! `cati report aapor|productivity`: the fieldwork figures of a wave from the command line, through the same
//! service as the supervisors' page and the API.

use fieldwork::EligibilityRate;

use super::{DatabaseArgs, refused};
use crate::auth::Actor;
use crate::services::report::{self, AaporReport, ProductivityReport, ReportBy};

/// `cati report …`
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: ReportCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ReportCommand {
    /// Taux AAPOR de la vague (RR1–RR6, COOP1–COOP4, REF1–REF3, CON1–CON3), avec l'estimation
    /// de e et sa base.
    Aapor {
        /// La vague (nom ou identifiant).
        #[arg(long)]
        wave: String,
        /// Regroupement : commune ou replicat (par défaut : la vague entière).
        #[arg(long)]
        by: Option<String>,
        /// Part estimée des cas d'éligibilité inconnue qui sont éligibles (0 à 1) ; par défaut,
        /// la part des éligibles parmi les cas d'éligibilité connue.
        #[arg(long)]
        e: Option<f64>,
        /// Justification de --e (obligatoire avec --e).
        #[arg(long, requires = "e")]
        e_basis: Option<String>,
    },
    /// Productivité des enquêteurs : appels et entretiens complets par heure, taux de contact
    /// et de refus, durée médiane des entretiens, sur la période et par jour.
    Productivity {
        /// La vague (nom ou identifiant).
        #[arg(long)]
        wave: String,
        /// Premier jour (AAAA-MM-JJ ; par défaut il y a 6 jours).
        #[arg(long)]
        from: Option<jiff::civil::Date>,
        /// Dernier jour (AAAA-MM-JJ ; par défaut aujourd'hui).
        #[arg(long)]
        to: Option<jiff::civil::Date>,
    },
}

/// Runs a `cati report` subcommand.
pub async fn run(args: ReportArgs) -> anyhow::Result<()> {
    let db = args.database.open().await?;
    let result = match args.command {
        ReportCommand::Aapor {
            wave,
            by,
            e,
            e_basis,
        } => {
            let by = match by.as_deref() {
                None => ReportBy::Wave,
                Some(name) => ReportBy::parse(name).ok_or_else(|| {
                    anyhow::anyhow!("regroupement inconnu « {name} » (commune ou replicat)")
                })?,
            };
            let rate = match (e, e_basis) {
                (None, _) => EligibilityRate::Proportional,
                (Some(e), Some(basis)) => EligibilityRate::Given { e, basis },
                (Some(_), None) => anyhow::bail!("--e demande sa justification (--e-basis)"),
            };
            let report = report::aapor(&db, Actor::Operator, &wave, by, &rate)
                .await
                .map_err(refused)?;
            args.database.answer(&report, &text(&report))
        }
        ReportCommand::Productivity { wave, from, to } => {
            let now = jiff::Timestamp::now();
            let report =
                report::interviewer_productivity(&db, Actor::Operator, &wave, (from, to), now)
                    .await
                    .map_err(refused)?;
            args.database.answer(&report, &productivity_text(&report))
        }
    };
    db.close().await;
    result
}

/// The report as a French table.
fn text(report: &AaporReport) -> String {
    let pct =
        |rate: Option<f64>| rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1}", r * 100.0));
    let mut out = format!(
        "Taux AAPOR (%) de la vague « {} »\n{:<32} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
        report.wave_name,
        "",
        "cas",
        "RR1",
        "RR2",
        "RR3",
        "RR4",
        "RR5",
        "RR6",
        "COOP1",
        "REF1",
        "CON1"
    );
    for row in &report.rows {
        let r = &row.rates;
        let c = &r.counts;
        let cases = c.eligible() + c.unknown() + c.not_eligible;
        out.push_str(&format!(
            "{:<32} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
            row.group,
            cases,
            pct(r.rr1),
            pct(r.rr2),
            pct(r.rr3),
            pct(r.rr4),
            pct(r.rr5),
            pct(r.rr6),
            pct(r.coop1),
            pct(r.ref1),
            pct(r.con1)
        ));
    }
    if let Some(total) = report.rows.first() {
        let c = &total.rates.counts;
        out.push_str(&format!(
            "Ensemble : I {} · P {} · R {} · NC {} · O {} · UH {} · UO {} · NE {}\n{}\n",
            c.complete,
            c.partial,
            c.refusal,
            c.non_contact,
            c.other,
            c.unknown_household,
            c.unknown_other,
            c.not_eligible,
            total.eligibility_basis
        ));
    }
    out
}

/// The productivity report as a French table.
fn productivity_text(report: &ProductivityReport) -> String {
    let opt = |value: Option<f64>, scale: f64| {
        value.map_or_else(|| "—".to_owned(), |v| format!("{:.1}", v * scale))
    };
    let mut out = format!(
        "Productivité, vague « {} », du {} au {}\n{:<16} {:>6} {:>8} {:>9} {:>10} {:>9} {:>9} {:>9}\n",
        report.wave_name,
        report.from,
        report.to,
        "enquêteur",
        "appels",
        "complets",
        "appels/h",
        "complets/h",
        "contact %",
        "refus %",
        "médiane"
    );
    if report.interviewers.is_empty() {
        out.push_str("Aucun appel sur la période.\n");
    }
    for figures in &report.interviewers {
        let p = &figures.overall;
        let median = p
            .median_interview_length
            .map_or_else(|| "—".to_owned(), |d| format!("{} min", d.as_secs() / 60));
        out.push_str(&format!(
            "{:<16} {:>6} {:>8} {:>9} {:>10} {:>9} {:>9} {:>9}\n",
            figures.interviewer,
            p.calls,
            p.completes,
            opt(p.calls_per_hour, 1.0),
            opt(p.completes_per_hour, 1.0),
            opt(p.contact_rate, 100.0),
            opt(p.refusal_rate, 100.0),
            median
        ));
    }
    out
}
