//! `cati questionnaire check|try|upload|versions|diff`: authors check a questionnaire file before
//! fieldwork and walk its routes in the terminal, or replay a scripted path and read the answer
//! record as JSON; managers store a survey's versions and compare them.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::auth::Actor;
use crate::services::surveys;
use questionnaire::{
    Answer, AnswerError, AnswerInput, Interview, Preload, QuestionView, Questionnaire,
    QuotaDecision, Record, Report, Script, State, ViewKind,
};

/// `cati questionnaire …`
#[derive(Debug, clap::Args)]
pub struct QuestionnaireArgs {
    #[command(subcommand)]
    command: QuestionnaireCommand,
}

#[derive(Debug, clap::Subcommand)]
enum QuestionnaireCommand {
    /// Vérifie un fichier de questionnaire : erreurs et avertissements avec leur ligne ; code de
    /// sortie 1 en cas d'erreur.
    Check {
        /// Le questionnaire (TOML).
        file: PathBuf,
        /// Affiche `{"valid", "questions", "variables", "errors", "warnings"}` en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Déroule un entretien dans le terminal, ou rejoue un parcours écrit d'avance avec --answers.
    Try {
        /// Le questionnaire (TOML).
        file: PathBuf,
        /// Un script JSON des étapes à rejouer sans terminal ; affiche l'enregistrement des
        /// réponses.
        #[arg(long)]
        answers: Option<PathBuf>,
        /// Graine des tirages aléatoires du répondant.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Un champ préchargé, `NOM=VALEUR` (répétable).
        #[arg(long = "preload", value_parser = preload_pair)]
        preload: Vec<(String, String)>,
        /// Langue des textes affichés (par défaut : la première du questionnaire).
        #[arg(long)]
        language: Option<String>,
    },
    /// Enregistre une nouvelle version du questionnaire d'une enquête, après l'avoir vérifiée (elle
    /// est refusée, avec ce que la vérification a trouvé, si elle contient une erreur) ; un fichier
    /// d'indicateurs placé à côté est enregistré avec elle.
    Upload {
        /// L'enquête (nom ou identifiant).
        #[arg(long)]
        survey: String,
        /// Le questionnaire (TOML).
        file: PathBuf,
        #[command(flatten)]
        database: super::DatabaseArgs,
    },
    /// Liste les versions du questionnaire d'une enquête.
    Versions {
        /// L'enquête (nom ou identifiant).
        #[arg(long)]
        survey: String,
        #[command(flatten)]
        database: super::DatabaseArgs,
    },
    /// Montre ce qui a changé entre deux versions du questionnaire d'une enquête.
    Diff {
        /// L'enquête (nom ou identifiant).
        #[arg(long)]
        survey: String,
        /// L'ancienne version.
        from: String,
        /// La nouvelle version.
        to: String,
        #[command(flatten)]
        database: super::DatabaseArgs,
    },
}

/// Runs a `cati questionnaire` subcommand.
pub async fn run(args: QuestionnaireArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        QuestionnaireCommand::Upload {
            survey,
            file,
            database,
        } => {
            let upload = super::survey::read_upload(&file)?;
            let db = database.open().await?;
            let stored = surveys::upload(&db, Actor::Operator, &survey, &upload).await;
            db.close().await;
            let version = stored.map_err(super::refused)?;
            database.answer(
                &version,
                &format!(
                    "Version {} du questionnaire enregistrée ({}{}).\n",
                    version.version,
                    version.file_name,
                    if version.has_indicators {
                        ", avec indicateurs"
                    } else {
                        ""
                    }
                ),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        QuestionnaireCommand::Versions { survey, database } => {
            let db = database.open().await?;
            let view = surveys::show(&db, Actor::Operator, &survey).await;
            db.close().await;
            let view = view.map_err(super::refused)?;
            let text: String = view
                .versions
                .iter()
                .map(|v| format!("{}\t{}\n", v.version, v.file_name))
                .collect();
            database.answer(&view.versions, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        QuestionnaireCommand::Diff {
            survey,
            from,
            to,
            database,
        } => {
            let db = database.open().await?;
            let diff = surveys::compare(&db, Actor::Operator, &survey, &from, &to).await;
            db.close().await;
            let diff = diff.map_err(super::refused)?;
            let mut text = format!("Questionnaire {from} → {to} :\n");
            if diff.is_empty() {
                text.push_str("  aucune différence de questions\n");
            }
            for line in diff.lines() {
                text.push_str(&format!("  {line}\n"));
            }
            if !diff.comparable() {
                text.push_str(
                    "ATTENTION : des variables changent de type ou de codes ; les vagues ne \
                     sont pas entièrement comparables.\n",
                );
            }
            database.answer(&diff, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        QuestionnaireCommand::Check { file, json } => check(&file, json),
        QuestionnaireCommand::Try {
            file,
            answers,
            seed,
            preload,
            language,
        } => {
            let q = load(&file)?;
            let preload: Preload = preload.into_iter().collect();
            match answers {
                Some(script) => replay(&q, &preload, seed, &script),
                None => {
                    let language = language.unwrap_or_else(|| q.primary_language().to_string());
                    let interview = Interview {
                        questionnaire: &q,
                        preload: &preload,
                        language: &language,
                    };
                    let stdin = std::io::stdin();
                    interactive(&interview, seed, &mut stdin.lock(), &mut std::io::stdout())
                }
            }
        }
    }
}

fn preload_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .ok_or_else(|| format!("« {s} » : attendu NOM=VALEUR"))
}

fn check(file: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let (report, _) = questionnaire::check_bytes(&bytes, &file.display().to_string());
    if json {
        super::print_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        super::print_stdout(&report_text(&report))?;
    }
    Ok(if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The findings, one a line, then a summary line.
fn report_text(report: &Report) -> String {
    let mut text = String::new();
    for (kind, findings) in [("error", &report.errors), ("warning", &report.warnings)] {
        for f in findings {
            text.push_str(&format!("{kind}: {f}\n"));
        }
    }
    text.push_str(&format!(
        "{}: {} questions, {} variables, {} error(s), {} warning(s)\n",
        if report.valid { "valid" } else { "INVALID" },
        report.questions,
        report.variables,
        report.errors.len(),
        report.warnings.len()
    ));
    text
}

/// Loads a questionnaire that must be free of errors, printing them if not.
fn load(file: &Path) -> anyhow::Result<Questionnaire> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let (report, q) = questionnaire::check_bytes(&bytes, &file.display().to_string());
    match q {
        Some(q) => Ok(q),
        None => {
            eprint!("{}", report_text(&report));
            bail!(
                "{} has errors: fix them first (cati questionnaire check)",
                file.display()
            )
        }
    }
}

fn replay(
    q: &Questionnaire,
    preload: &Preload,
    seed: u64,
    script: &Path,
) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(script).with_context(|| format!("reading {}", script.display()))?;
    let script: Script = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a valid script", script.display()))?;
    match questionnaire::replay(q, preload, seed, &script) {
        Ok(outcome) => {
            super::print_stdout(&format!("{}\n", serde_json::to_string_pretty(&outcome)?))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The terminal interview: one question at a time, answers typed on a line.
fn interactive(
    interview: &Interview<'_>,
    seed: u64,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    writeln!(
        out,
        "{} — touches : codes séparés par des espaces, « nsp » ne sait pas, « ref » refus, \
         « < » question précédente, « <VAR » retour à VAR, « q » quitter.",
        interview.questionnaire.title()
    )?;
    let mut record = Record::new(seed);
    loop {
        match interview.state(&record) {
            State::Question(view) => {
                show(&view, out)?;
                let Some(line) = read_line(input, out, "> ")? else {
                    return Ok(ExitCode::SUCCESS);
                };
                let result = match line.as_str() {
                    "q" => return Ok(ExitCode::SUCCESS),
                    "<" => interview.back(&mut record, None).map(|()| Vec::new()),
                    back if back.starts_with('<') => interview
                        .back(&mut record, Some(back[1..].trim()))
                        .map(|()| Vec::new()),
                    _ => {
                        let answer = to_input(&view, &line, input, out)?;
                        match interview.submit(&mut record, &view.var, answer.clone(), false) {
                            Err(AnswerError::SoftCheck(message)) => {
                                writeln!(out, "Attention : {message}")?;
                                if !yes(input, out, "Confirmer cette réponse ? (o/n) ")? {
                                    continue;
                                }
                                interview.submit(&mut record, &view.var, answer, true)
                            }
                            other => other,
                        }
                        .map(|s| s.removed)
                    }
                };
                match result {
                    Ok(removed) if !removed.is_empty() => {
                        writeln!(
                            out,
                            "(réponses retirées du parcours : {})",
                            removed.join(", ")
                        )?;
                    }
                    Ok(_) => {}
                    Err(e) => writeln!(out, "Refusé : {e}")?,
                }
            }
            State::QuotaPoint { cell } => {
                writeln!(out, "\nPoint de quota : {}", serde_json::to_string(&cell)?)?;
                let decision = if yes(input, out, "Quota accepté ? (o/n) ")? {
                    QuotaDecision::Accepted
                } else {
                    QuotaDecision::Refused
                };
                interview.record_quota(&mut record, decision)?;
            }
            State::ScreenedOut { reason, closing } => {
                writeln!(out, "\nHors cible ({reason}). {closing}")?;
                break;
            }
            State::Completed { closing } => {
                writeln!(out, "\nEntretien terminé. {closing}")?;
                break;
            }
        }
    }
    let values: BTreeMap<String, Option<Answer>> = interview
        .values(&record)
        .iter()
        .map(|(name, value)| (name.clone(), Answer::from_value(value)))
        .collect();
    writeln!(out, "{}", serde_json::to_string_pretty(&values)?)?;
    Ok(ExitCode::SUCCESS)
}

fn show(view: &QuestionView, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "\n[{}] {} — {}", view.number, view.var, view.section)?;
    if let Some(header) = &view.header {
        writeln!(out, "{header}")?;
    }
    writeln!(out, "{}", view.text)?;
    if let Some(instruction) = &view.instruction {
        writeln!(out, "  ({instruction})")?;
    }
    for o in &view.options {
        let other = if o.other { " [préciser]" } else { "" };
        writeln!(out, "  {:>5}  {}{other}", o.code, o.label)?;
    }
    match &view.kind {
        ViewKind::Integer { min, max } => writeln!(out, "  nombre entier {}", bounds(min, max))?,
        ViewKind::Decimal { min, max, .. } => writeln!(out, "  nombre {}", bounds(min, max))?,
        ViewKind::Scale { min, max, .. } => writeln!(out, "  échelle de {min} à {max}")?,
        ViewKind::Date { .. } => writeln!(out, "  date JJ/MM/AAAA")?,
        ViewKind::Info => writeln!(out, "  (Entrée pour continuer)")?,
        ViewKind::Single | ViewKind::Multiple { .. } | ViewKind::Text { .. } => {}
    }
    if let Some(current) = &view.current {
        writeln!(
            out,
            "  réponse actuelle : {}",
            serde_json::to_string(current).unwrap_or_default()
        )?;
    }
    Ok(())
}

fn bounds<T: std::fmt::Display>(min: &Option<T>, max: &Option<T>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("de {a} à {b}"),
        (Some(a), None) => format!("≥ {a}"),
        (None, Some(b)) => format!("≤ {b}"),
        (None, None) => String::new(),
    }
}

/// What a typed line means for this step; asks for "other, specify" texts when needed.
fn to_input(
    view: &QuestionView,
    line: &str,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> anyhow::Result<AnswerInput> {
    Ok(match line {
        "nsp" => AnswerInput::DontKnow,
        "ref" => AnswerInput::Refused,
        _ if matches!(view.kind, ViewKind::Info) => AnswerInput::Continue,
        _ if matches!(view.kind, ViewKind::Single | ViewKind::Multiple { .. }) => {
            let codes: Vec<i64> = line
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(|s| s.parse())
                .collect::<Result<_, _>>()
                .unwrap_or_default();
            let mut other = BTreeMap::new();
            for o in view
                .options
                .iter()
                .filter(|o| o.other && codes.contains(&o.code))
            {
                let text = read_line(input, out, &format!("Précisez « {} » : ", o.label))?
                    .unwrap_or_default();
                other.insert(o.code, text);
            }
            AnswerInput::Codes { codes, other }
        }
        _ => AnswerInput::Raw(line.to_string()),
    })
}

fn read_line(
    input: &mut impl BufRead,
    out: &mut impl Write,
    prompt: &str,
) -> std::io::Result<Option<String>> {
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = String::new();
    Ok((input.read_line(&mut line)? > 0).then(|| line.trim().to_string()))
}

fn yes(input: &mut impl BufRead, out: &mut impl Write, prompt: &str) -> std::io::Result<bool> {
    Ok(read_line(input, out, prompt)?.is_some_and(|l| matches!(l.as_str(), "o" | "oui" | "y")))
}
