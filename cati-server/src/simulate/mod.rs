//! `cati simulate`: a whole wave of fieldwork played through the HTTP API, the way interviewers
//! work it, on a server whose clock is simulated.
//!
//! Simulated interviewers log in, claim the next case, dial (the outcome drawn by
//! [`calls::dial`]), record outcomes and appointments, and interview the synthetic respondents
//! of [`respondent`] question by question; some respondents ask to be called back or break off.
//! Each call costs interviewer time; a coordinator moves the server's clock forward by that
//! time shared among the interviewers, and jumps it ahead when nobody has a case to call (a
//! recall delay, the night, a Sunday), so that calling windows, recall delays and appointments
//! play out as the server's rules decide. It stops at the completes asked for, or after the
//! days asked for, and prints a summary: completes, outcomes, AAPOR rates, quotas, throughput,
//! claim and answer latencies, errors by status.

pub mod calls;
pub mod check;
pub mod respondent;
mod summary;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fieldwork::Outcome;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use tokio::sync::{Mutex, watch};

use crate::apiclient::{ServerProcess, Session};
use crate::clock::Clock;
use crate::services::interview::view::{QuestionDto, Special};
use crate::store::Db;
use calls::{Dial, During};
use respondent::Respondent;
pub use summary::Summary;
use summary::Tally;

/// Options of `cati simulate`.
#[derive(Clone, Debug, clap::Args)]
pub struct SimulateArgs {
    /// Enquêteurs simulés, travaillant en même temps.
    #[arg(long, default_value_t = 20)]
    pub interviewers: u32,
    /// Entretiens complets visés : la simulation s'arrête quand ils sont atteints.
    #[arg(long, default_value_t = 200)]
    pub completes: u32,
    /// Serveur à piloter (démarré avec --demo --simulated-clock) ; sans cette option, un
    /// serveur est démarré sur une base temporaire.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Mot de passe des comptes de démonstration du serveur donné (admin, enqueteur1…).
    #[arg(long, env = "CATI_DEMO_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Base du serveur démarré par la simulation (par défaut : SQLite temporaire ;
    /// postgres://… possible, la démonstration y est chargée).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Jours de terrain simulés au plus.
    #[arg(long, default_value_t = 60)]
    pub days: u32,
    /// Graine des tirages (réponses, issues d'appel).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Début du terrain simulé (heure de Paris) pour le serveur démarré.
    #[arg(
        long,
        default_value = "2027-03-01T09:00",
        value_name = "AAAA-MM-JJTHH:MM"
    )]
    pub start: String,
    /// Affiche le résumé en JSON.
    #[arg(long)]
    pub json: bool,
    /// Vérifie après la vague, dans la base, les invariants : aucun cas tenu par deux
    /// enquêteurs à la fois, aucun quota strict dépassé, toute réponse acquittée enregistrée,
    /// dispositions et comptes AAPOR conformes aux appels, marges pondérées égales aux
    /// populations ; sort en erreur si l'un est violé. Avec --server, donnez aussi
    /// --database-url (la base de ce serveur).
    #[arg(long)]
    pub check: bool,
    /// Ne joue aucune vague : vérifie les invariants de la base --database-url (sa vague
    /// ouverte), avec les réponses acquittées de --acknowledged si donné.
    #[arg(long, requires = "database_url", conflicts_with = "server")]
    pub check_only: bool,
    /// Fichier des réponses acquittées (JSON, une par ligne) : écrit après la vague, lu par
    /// --check-only.
    #[arg(long, value_name = "FICHIER")]
    pub acknowledged: Option<std::path::PathBuf>,
}

/// Minutes the clock jumps when no interviewer has a case to call.
const IDLE_JUMP_MINUTES: u32 = 30;

/// What the interviewers share with the coordinator.
struct Shared {
    stop: AtomicBool,
    completes: AtomicU32,
    /// Interviewer minutes spent and not yet turned into clock time.
    owed_minutes: AtomicU64,
    /// Interviewers waiting for the clock to move.
    idle: AtomicU32,
    /// Interviewers still working (one whose session failed stops).
    working: AtomicU32,
    /// The simulated time, epoch ms, as the server last said it.
    now_ms: AtomicI64,
    /// Bumped at every clock move: idle interviewers try again.
    moved: watch::Sender<u64>,
    tally: Mutex<Tally>,
    /// Real time an interviewer takes before each request (none in `cati simulate`; a human
    /// pace in `cati serve --demo --simulate`).
    pace: Duration,
    /// Interviewers the wave started with: the clock moves by their time shared among them.
    interviewers: u32,
}

impl Shared {
    fn new(interviewers: u32, now_ms: i64, pace: Duration) -> Shared {
        let (moved, _) = watch::channel(0u64);
        Shared {
            stop: AtomicBool::new(false),
            completes: AtomicU32::new(0),
            owed_minutes: AtomicU64::new(0),
            idle: AtomicU32::new(0),
            working: AtomicU32::new(interviewers),
            now_ms: AtomicI64::new(now_ms),
            moved,
            tally: Mutex::new(Tally::default()),
            pace,
            interviewers,
        }
    }

    /// Waits the interviewer's pace before a request.
    async fn think(&self) {
        if !self.pace.is_zero() {
            tokio::time::sleep(self.pace).await;
        }
    }
}

/// Who moves the simulated clock: an admin over the API (`cati simulate`, which drives a
/// server from outside), or the server's own clock (`cati serve --demo --simulate`).
enum ClockHand<'a> {
    Api(&'a Session),
    Server(Clock),
}

impl ClockHand<'_> {
    /// Moves the clock forward by `minutes`; the new simulated now, epoch ms.
    async fn advance(&self, minutes: u64) -> anyhow::Result<Option<i64>> {
        match self {
            ClockHand::Api(admin) => {
                let (status, clock) = admin
                    .post(
                        "/api/simulation/clock",
                        &json!({ "advance_minutes": minutes }),
                    )
                    .await?;
                if status != 200 {
                    bail!("avance de l'horloge simulée : {status} {clock}");
                }
                Ok(clock["now_ms"].as_i64())
            }
            ClockHand::Server(clock) => {
                let ms = i64::try_from(minutes.saturating_mul(60_000)).unwrap_or(i64::MAX);
                clock.advance(ms);
                Ok(Some(clock.now_ms()))
            }
        }
    }
}

/// When the coordinator stops the interviewers.
#[derive(Clone, Copy, Debug)]
struct Plan {
    completes: u32,
    days: u32,
}

/// `cati serve --demo --simulate`: the simulated interviewers `crew` (logins and passwords)
/// work the demo wave of the server at `base`, one request every `pace`, moving the server's
/// own simulated `clock`, until every one of them has stopped (the server stopping ends them).
/// The demo calls around the clock, so they rarely wait.
pub async fn live_demo(
    base: String,
    crew: Vec<(String, String)>,
    clock: Clock,
    pace: Duration,
) -> anyhow::Result<()> {
    let mut sessions = Vec::new();
    for (username, password) in &crew {
        sessions.push(Session::login(&base, username, password).await?);
    }
    let interviewers = u32::try_from(sessions.len()).unwrap_or(u32::MAX);
    let shared = Arc::new(Shared::new(interviewers, clock.now_ms(), pace));
    let plan = Plan {
        completes: u32::MAX,
        days: 365,
    };
    play(
        sessions,
        &shared,
        &ClockHand::Server(clock),
        plan,
        rand::random(),
        false,
    )
    .await
}

/// The interviewers of `sessions` at work while `hand` moves the clock, until the plan's
/// completes or days; returns once every interviewer has stopped.
async fn play(
    sessions: Vec<Session>,
    shared: &Arc<Shared>,
    hand: &ClockHand<'_>,
    plan: Plan,
    seed: u64,
    progress_bar: bool,
) -> anyhow::Result<()> {
    let started_ms = shared.now_ms.load(Ordering::SeqCst);
    let mut tasks = Vec::new();
    for (i, session) in sessions.into_iter().enumerate() {
        let shared = Arc::clone(shared);
        let seed = seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
        tasks.push(tokio::spawn(async move {
            interviewer(session, shared, StdRng::seed_from_u64(seed)).await
        }));
    }
    coordinate(hand, shared, plan, started_ms, progress_bar).await?;
    for task in tasks {
        task.await.context("enquêteur simulé")??;
    }
    Ok(())
}

/// Runs `cati simulate`.
pub async fn run(args: SimulateArgs) -> anyhow::Result<()> {
    if args.check_only {
        return check_only(&args).await;
    }
    if args.interviewers == 0 || args.completes == 0 {
        bail!("--interviewers et --completes doivent être d'au moins 1");
    }
    if args.check && args.server.is_some() && args.database_url.is_none() {
        bail!("--check avec --server : donnez aussi --database-url, la base de ce serveur");
    }
    let scratch = tempfile::tempdir().context("dossier temporaire")?;
    let mut database_url = args.database_url.clone();
    let (server, base, password) = match &args.server {
        Some(url) => {
            let password = args
                .password
                .clone()
                .context("--password (ou CATI_DEMO_PASSWORD) : le mot de passe des comptes de démonstration du serveur")?;
            (None, url.trim_end_matches('/').to_owned(), password)
        }
        None => {
            let password = crate::auth::password::generate();
            let url = args.database_url.clone().unwrap_or_else(|| {
                format!(
                    "sqlite://{}",
                    scratch.path().join("simulation.db").display()
                )
            });
            let cases = (args.completes * 8).max(300);
            let options: Vec<String> = [
                "--demo",
                "--demo-cases",
                &cases.to_string(),
                "--demo-interviewers",
                &args.interviewers.to_string(),
                "--simulated-clock",
                &args.start,
            ]
            .map(str::to_owned)
            .to_vec();
            let server = ServerProcess::start(&url, &options, &password).await?;
            database_url = Some(url);
            let base = server.base.clone();
            (Some(server), base, password)
        }
    };
    let admin = Session::login(&base, "admin", &password).await?;
    let (status, clock) = admin.get("/api/simulation/clock").await?;
    if status == 404 {
        bail!("ce serveur suit l'heure réelle : démarrez-le avec --demo --simulated-clock");
    }
    if status != 200 {
        bail!("lecture de l'horloge simulée : {status} {clock}");
    }
    let wave = demo_wave(&admin).await?;
    if server.is_some() {
        // The demo calls around the clock; the simulation plays the French default windows.
        let (status, body) = admin
            .put(&format!("/api/waves/{wave}/rules"), &json!({}))
            .await?;
        if status != 200 {
            bail!("règles d'appel par défaut : {status} {body}");
        }
    }
    let mut interviewers = Vec::new();
    for n in 1..=args.interviewers {
        interviewers.push(Session::login(&base, &format!("enqueteur{n}"), &password).await?);
    }
    let started_ms = clock["now_ms"].as_i64().context("heure simulée")?;
    let shared = Arc::new(Shared::new(args.interviewers, started_ms, Duration::ZERO));
    let plan = Plan {
        completes: args.completes,
        days: args.days,
    };
    let wall = Instant::now();
    play(
        interviewers,
        &shared,
        &ClockHand::Api(&admin),
        plan,
        args.seed,
        true,
    )
    .await?;
    let wall = wall.elapsed();

    let mut tally = std::mem::take(&mut *shared.tally.lock().await);
    let acknowledged = std::mem::take(&mut tally.acknowledged);
    let (_, aapor) = admin.get(&format!("/api/waves/{wave}/aapor")).await?;
    let (_, quotas) = admin.get(&format!("/api/waves/{wave}/quotas")).await?;
    let simulated_ms = shared.now_ms.load(Ordering::SeqCst) - started_ms;
    let mut summary = Summary::new(&args, wall, simulated_ms, tally, &aapor, &quotas);
    if let Some(path) = &args.acknowledged {
        check::write_acknowledged(path, &acknowledged)?;
    }
    if args.check
        && let Some(url) = &database_url
    {
        let db = Db::connect(url, 4)
            .await
            .context("ouverture de la base pour la vérification")?;
        let found = check::find_wave(&db, Some(&wave)).await?;
        summary.checks = Some(check::check(&db, &found, Some(&acknowledged)).await?);
        db.close().await;
    }
    drop(server);
    if args.json {
        crate::cli::print_stdout(&(serde_json::to_string_pretty(&summary)? + "\n"))?;
    } else {
        crate::cli::print_stdout(&summary.text())?;
    }
    violations(summary.checks.as_ref())
}

/// `--check-only`: the invariants of the database's open wave, no wave played.
async fn check_only(args: &SimulateArgs) -> anyhow::Result<()> {
    let url = args
        .database_url
        .as_deref()
        .context("--check-only demande --database-url")?;
    let acknowledged = match &args.acknowledged {
        Some(path) => Some(check::read_acknowledged(path)?),
        None => None,
    };
    let db = Db::connect(url, 4)
        .await
        .context("ouverture de la base à vérifier")?;
    let wave = check::find_wave(&db, None).await?;
    let report = check::check(&db, &wave, acknowledged.as_deref()).await?;
    db.close().await;
    if args.json {
        crate::cli::print_stdout(&(serde_json::to_string_pretty(&report)? + "\n"))?;
    } else {
        crate::cli::print_stdout(&report.text())?;
    }
    violations(Some(&report))
}

/// An error naming the violated invariants, if any.
fn violations(report: Option<&check::Report>) -> anyhow::Result<()> {
    match report {
        Some(report) if !report.holds() => {
            bail!("invariant(s) violé(s) : {}", report.violated().join(" ; "))
        }
        _ => Ok(()),
    }
}

/// The demo survey's open wave.
async fn demo_wave(admin: &Session) -> anyhow::Result<String> {
    let (status, waves) = admin.get("/api/waves").await?;
    if status != 200 {
        bail!("liste des vagues : {status} {waves}");
    }
    waves
        .as_array()
        .and_then(|all| all.iter().find(|w| w["status"] == "open"))
        .and_then(|w| w["id"].as_str())
        .map(str::to_owned)
        .context("aucune vague ouverte sur ce serveur")
}

/// Moves the clock: by the interviewers' time spent, shared among them, and by a jump when
/// all of them wait for a case; stops the interviewers at the completes or the last day.
async fn coordinate(
    hand: &ClockHand<'_>,
    shared: &Shared,
    plan: Plan,
    started_ms: i64,
    progress_bar: bool,
) -> anyhow::Result<()> {
    let last_ms = started_ms + i64::from(plan.days) * 24 * 3_600_000;
    let mut carried = 0u64;
    let bar = if progress_bar {
        indicatif::ProgressBar::new(u64::from(plan.completes))
    } else {
        indicatif::ProgressBar::hidden()
    }
    .with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} complets {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    loop {
        tokio::time::sleep(Duration::from_millis(5)).await;
        bar.set_position(u64::from(shared.completes.load(Ordering::SeqCst)));
        bar.set_message(format!(
            "— {} ; {} enquêteur(s) en attente",
            paris(shared.now_ms.load(Ordering::SeqCst)),
            shared.idle.load(Ordering::SeqCst)
        ));
        if shared.completes.load(Ordering::SeqCst) >= plan.completes
            || shared.now_ms.load(Ordering::SeqCst) >= last_ms
        {
            break;
        }
        carried += shared.owed_minutes.swap(0, Ordering::SeqCst);
        let mut minutes = carried / u64::from(shared.interviewers);
        carried %= u64::from(shared.interviewers);
        let working = shared.working.load(Ordering::SeqCst);
        if working == 0 {
            bail!("tous les enquêteurs simulés se sont arrêtés sur une erreur");
        }
        if shared.idle.load(Ordering::SeqCst) >= working {
            minutes = minutes.max(u64::from(IDLE_JUMP_MINUTES));
        }
        if minutes == 0 {
            continue;
        }
        if let Some(now) = hand.advance(minutes).await? {
            shared.now_ms.store(now, Ordering::SeqCst);
        }
        shared.moved.send_modify(|n| *n += 1);
    }
    bar.finish_and_clear();
    shared.stop.store(true, Ordering::SeqCst);
    shared.moved.send_modify(|n| *n += 1);
    Ok(())
}

/// One interviewer's day: claims, dials, records, interviews, until told to stop. A request
/// that fails (the connection, an answer that does not read) is counted and the interviewer
/// goes on; after ten in a row, they stop.
async fn interviewer(session: Session, shared: Arc<Shared>, mut rng: StdRng) -> anyhow::Result<()> {
    let mut failures = 0;
    let outcome = loop {
        if shared.stop.load(Ordering::SeqCst) {
            break Ok(());
        }
        match work(&session, &shared, &mut rng).await {
            Ok(()) => failures = 0,
            Err(error) => {
                *shared.tally.lock().await.errors.entry(0).or_default() += 1;
                failures += 1;
                if failures >= 10 {
                    break Err(error);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    shared.working.fetch_sub(1, Ordering::SeqCst);
    outcome
}

/// One claim and what follows: a call, or a wait for the clock when nothing is to be called.
async fn work(session: &Session, shared: &Shared, rng: &mut StdRng) -> anyhow::Result<()> {
    // Subscribed before claiming: a clock move during the claim is not missed.
    let mut moved = shared.moved.subscribe();
    shared.think().await;
    let started = Instant::now();
    let (status, case) = session.post("/api/cases/next", &json!({})).await?;
    let elapsed = started.elapsed();
    match status {
        200 => {
            shared.tally.lock().await.claims.push(elapsed);
            let dial = call(session, shared, &case, rng).await?;
            shared
                .owed_minutes
                .fetch_add(u64::from(calls::minutes(dial)), Ordering::SeqCst);
        }
        // Nothing to call now: wait until the clock moves.
        404 => {
            shared.idle.fetch_add(1, Ordering::SeqCst);
            let _ = moved.changed().await;
            shared.idle.fetch_sub(1, Ordering::SeqCst);
        }
        _ => {
            *shared.tally.lock().await.errors.entry(status).or_default() += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Ok(())
}

/// Dials the claimed case and records what came of it.
async fn call(
    session: &Session,
    shared: &Shared,
    case: &Value,
    rng: &mut StdRng,
) -> anyhow::Result<Dial> {
    let case_id = case["case_id"].as_str().context("identifiant du cas")?;
    let expected = case["status"] == "appointment" || !case["interview"].is_null();
    let dial = calls::dial(rng, expected);
    match dial {
        Dial::Outcome(outcome) => {
            let path = format!("/api/cases/{case_id}/outcome");
            let status = if outcome == Outcome::Appointment {
                book(
                    session,
                    shared,
                    &path,
                    json!({ "outcome": outcome.as_str() }),
                    rng,
                )
                .await?
            } else {
                session
                    .post(&path, &json!({ "outcome": outcome.as_str() }))
                    .await?
                    .0
            };
            record(shared, status, outcome.as_str()).await;
        }
        Dial::Interview => {
            let (status, view) = session
                .post(&format!("/api/cases/{case_id}/interview"), &json!({}))
                .await?;
            if status != 200 {
                record(shared, status, "").await;
                return Ok(dial);
            }
            let commune = case["commune_code"].as_str().and_then(|c| c.parse().ok());
            let respondent = Respondent::draw(rng, commune);
            interview(session, shared, view, &respondent, rng).await?;
        }
    }
    Ok(dial)
}

/// Asks the questions until the interview ends, is postponed or broken off.
async fn interview(
    session: &Session,
    shared: &Shared,
    mut view: Value,
    respondent: &Respondent,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    let id = view["interview_id"]
        .as_str()
        .context("identifiant de l'entretien")?
        .to_owned();
    while view["step"]["type"] == "question" {
        match calls::during(rng) {
            During::CallsBack => {
                let path = format!("/api/interviews/{id}/callback");
                let status = book(session, shared, &path, json!({}), rng).await?;
                record(shared, status, Outcome::InterviewCallback.as_str()).await;
                return Ok(());
            }
            During::BreaksOff => {
                let (status, _) = session
                    .post(&format!("/api/interviews/{id}/break-off"), &json!({}))
                    .await?;
                record(shared, status, Outcome::BrokenOff.as_str()).await;
                return Ok(());
            }
            During::Answers => {}
        }
        let question: QuestionDto = serde_json::from_value(view["step"].clone())?;
        let mut answer = serde_json::to_value(respondent.answer(&question, rng))?;
        shared.think().await;
        let started = Instant::now();
        let path = format!("/api/interviews/{id}/answers");
        let (mut status, mut next) = session.post(&path, &answer).await?;
        if status == 422 {
            // An answer the questionnaire refuses here: « ne sait pas » or a refusal, as an
            // interviewer would code it.
            let special = if question.allow_dont_know {
                Special::DontKnow
            } else {
                Special::Refused
            };
            answer = json!({ "var": question.var, "special": special, "confirm": true });
            (status, next) = session.post(&path, &answer).await?;
        }
        if status != 200 {
            *shared.tally.lock().await.errors.entry(status).or_default() += 1;
            return Ok(());
        }
        {
            let mut tally = shared.tally.lock().await;
            tally.answers.push(started.elapsed());
            if let Ok(interview) = id.parse() {
                tally.acknowledged.push(check::Acknowledged {
                    interview,
                    answer: serde_json::from_value(answer)?,
                });
            }
        }
        view = next;
    }
    let ending = match view["step"]["type"].as_str() {
        Some("completed") => {
            shared.completes.fetch_add(1, Ordering::SeqCst);
            Outcome::Completed
        }
        Some("screened_out") => Outcome::ScreenedOut,
        _ => Outcome::BrokenOff,
    };
    record(shared, 200, ending.as_str()).await;
    Ok(())
}

/// Counts an outcome, or the error that refused it.
async fn record(shared: &Shared, status: u16, outcome: &str) {
    let mut tally = shared.tally.lock().await;
    if (200..300).contains(&status) {
        *tally.outcomes.entry(outcome.to_owned()).or_default() += 1;
    } else {
        *tally.errors.entry(status).or_default() += 1;
    }
}

/// Books an appointment through `path`: the respondent names a time, and another one when the
/// server refuses it (outside the calling windows), as on the phone; the last status.
async fn book(
    session: &Session,
    shared: &Shared,
    path: &str,
    mut body: Value,
    rng: &mut StdRng,
) -> anyhow::Result<u16> {
    let mut status = 0;
    for _ in 0..10 {
        body["appointment_at"] = appointment(shared, rng).into();
        status = session.post(path, &body).await?.0;
        if status != 422 {
            break;
        }
    }
    Ok(status)
}

/// An appointment 2 to 48 hours after the simulated now, in Paris time (`AAAA-MM-JJTHH:MM`).
fn appointment(shared: &Shared, rng: &mut StdRng) -> String {
    use rand::Rng;
    let at = shared.now_ms.load(Ordering::SeqCst) + rng.gen_range(2..=48) * 3_600_000;
    paris(at).replace(' ', "T")
}

/// An instant in Paris time, `AAAA-MM-JJ HH:MM`.
fn paris(at_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(at_ms)
        .ok()
        .and_then(|t| t.in_tz("Europe/Paris").ok())
        .map(|z| z.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}
