//! `cati bench` (or `cati bench answers`): answer-save throughput and latency with many concurrent simulated
//! interviewers, on a scratch SQLite file and, when given, a scratch PostgreSQL database, with
//! a sample of `--sample` cases (100,000 by default) spread over the 28 communes, which carry the
//! demo's commune quotas.
//!
//! Each simulated interviewer takes a case, starts its interview and answers question after
//! question through the same service functions the HTTP handlers call (load, engine, one
//! committed transaction per answer), then takes the next case. Three runs are measured:
//! interviewers alone; interviewers while `--streams` live dashboards are open (each a
//! subscriber of the live dashboards that turns every snapshot into a server-sent event, as the
//! HTTP handler does; the network write itself is not part of it); and interviewers while
//! `--supervisors` supervisors read the dashboard in a loop (the dashboard service, as
//! `GET /tableau-de-bord/donnees` calls it), whose read latency is printed too.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use anyhow::Context;

use crate::auth::CurrentUser;
use crate::sample::communes::COMMUNES;
use crate::sample::demo::FIXTURE_QUESTIONNAIRE;
use crate::services::calls;
use crate::services::interview::service;
use crate::services::interview::view::{AnswerRequest, QuestionDto, QuestionKind, Special, Step};
use crate::state::AppState;
use crate::store::cases::{self, NewCase};
use crate::store::surveys::{self, WaveStatus};
use crate::store::users::{self, Role};
use crate::store::{Db, Durability};

/// Options of `cati bench answers`.
#[derive(Clone, Debug, clap::Args)]
pub struct AnswersArgs {
    /// Nombre d'enquêteurs simulés travaillant en même temps.
    #[arg(long, default_value_t = 100)]
    pub interviewers: u32,
    /// Nombre de réponses enregistrées par chaque enquêteur à chaque passe.
    #[arg(long, default_value_t = 30)]
    pub answers: u32,
    /// Nombre de cas de l'échantillon.
    #[arg(long, default_value_t = 100_000)]
    pub sample: u32,
    /// Nombre de flux du tableau de bord en direct ouverts pendant la deuxième passe.
    #[arg(long, default_value_t = 500)]
    pub streams: u32,
    /// Nombre de superviseurs qui lisent le tableau de bord pendant la troisième passe.
    #[arg(long, default_value_t = 10)]
    pub supervisors: u32,
    /// Pause entre deux lectures du tableau de bord par un même superviseur, en millisecondes (0 :
    /// lectures sans pause).
    #[arg(long, default_value_t = 1000)]
    pub poll_interval_ms: u64,
    /// Durabilité des validations (commits) de SQLite (`full` ou `normal`), comme
    /// `cati serve --durability`.
    #[arg(long, default_value = "full", value_name = "full|normal")]
    pub durability: Durability,
}

/// Rounds of the three conditions.
const ROUNDS: usize = 3;

/// Latency percentiles of a sorted list.
pub fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted
        .get(((sorted.len() as f64 - 1.0) * q).round() as usize)
        .copied()
        .unwrap_or_default()
}

/// What one run of the interviewers measured.
struct Run {
    answers: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn new() -> Run {
        Run {
            answers: 0,
            elapsed: Duration::ZERO,
            latencies: Vec::new(),
        }
    }

    /// Adds another run of the same condition.
    fn add(&mut self, other: Run) {
        self.answers += other.answers;
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
        self.latencies.sort_unstable();
    }

    fn throughput(&self) -> f64 {
        self.answers as f64 / self.elapsed.as_secs_f64()
    }

    fn print(&self, label: &str, what: &str) {
        println!(
            "{label:<10} {what:<34} {:>6.0} answers/s   save p50 {:>6.1} ms   p99 {:>7.1} ms",
            self.throughput(),
            ms(percentile(&self.latencies, 0.5)),
            ms(percentile(&self.latencies, 0.99)),
        );
    }
}

/// Every interviewer saves `answers` answers, all at once.
async fn run_interviewers(
    state: &AppState,
    interviewers: &[CurrentUser],
    answers: u32,
) -> anyhow::Result<Run> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for user in interviewers {
        let (state, user) = (state.clone(), user.clone());
        tasks.push(tokio::spawn(async move {
            interviewer(state, user, answers).await
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Ok(Run {
        answers: latencies.len(),
        elapsed,
        latencies,
    })
}

/// Opens `n` live dashboards of the wave, each turning every snapshot into a server-sent event
/// as the HTTP handler does, and counting them in `updates`.
async fn open_streams(
    state: &AppState,
    supervisor: &CurrentUser,
    wave: uuid::Uuid,
    n: u32,
    updates: &Arc<AtomicU64>,
) -> anyhow::Result<Vec<JoinHandle<()>>> {
    let mut streams = Vec::new();
    for i in 0..n {
        // One login session per stream, as 500 supervisors' tabs would be.
        let session = CurrentUser {
            csrf_token: format!("bench-session-{i}"),
            ..supervisor.clone()
        };
        let mut subscription = state
            .live
            .subscribe(&session, Some(wave))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let updates = Arc::clone(updates);
        streams.push(tokio::spawn(async move {
            while subscription.snapshots.changed().await.is_ok() {
                let snapshot = subscription.snapshots.borrow_and_update().clone();
                if let Some(Ok(json)) = snapshot.as_deref() {
                    let event = axum::response::sse::Event::default()
                        .event("quotas")
                        .data(json);
                    let _ = std::hint::black_box(event);
                    updates.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    Ok(streams)
}

/// Starts `--supervisors` supervisors reading the dashboard every `--poll-interval-ms` until
/// `polling` turns false; each returns its read latencies.
fn start_pollers(
    state: &AppState,
    supervisor: &CurrentUser,
    wave: uuid::Uuid,
    args: &AnswersArgs,
    polling: &Arc<AtomicBool>,
) -> Vec<JoinHandle<anyhow::Result<Vec<Duration>>>> {
    (0..args.supervisors)
        .map(|_| {
            let (state, supervisor, polling) =
                (state.clone(), supervisor.clone(), Arc::clone(polling));
            let pause = Duration::from_millis(args.poll_interval_ms);
            tokio::spawn(async move {
                let mut reads = Vec::new();
                while polling.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    crate::services::dashboard::dashboard(&state, &supervisor, Some(wave))
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    reads.push(started.elapsed());
                    tokio::time::sleep(pause).await;
                }
                Ok(reads)
            })
        })
        .collect()
}

/// Measures the three conditions on the database at `url`.
pub(super) async fn measure(label: &str, url: &str, args: &AnswersArgs) -> anyhow::Result<()> {
    let connections = args
        .interviewers
        .min(if url.starts_with("sqlite") { 16 } else { 40 });
    let db = Db::connect_with(url, connections, args.durability).await?;
    let loading = Instant::now();
    let (wave, interviewers, supervisor, cases) = setup(&db, args).await?;
    println!(
        "{label:<10} {cases} cases loaded in {:.1} s (SQLite durability: {})",
        loading.elapsed().as_secs_f64(),
        args.durability.name()
    );
    let state = crate::server::state(db.clone(), Default::default()).await?;

    // Warm-up (caches, first pages): not reported.
    run_interviewers(&state, &interviewers, args.answers / 2).await?;
    // The three conditions take turns, round after round, so that what changes along the
    // run (the sample left to hand out, caches) weighs on each alike.
    let (mut alone, mut with_streams, mut with_polling) = (Run::new(), Run::new(), Run::new());
    let updates = Arc::new(AtomicU64::new(0));
    let mut reads = Vec::new();
    for round in 0..ROUNDS {
        // Each round starts with another condition.
        for turn in 0..3 {
            match (round + turn) % 3 {
                0 => alone.add(run_interviewers(&state, &interviewers, args.answers).await?),
                1 => {
                    let streams =
                        open_streams(&state, &supervisor, wave, args.streams, &updates).await?;
                    with_streams.add(run_interviewers(&state, &interviewers, args.answers).await?);
                    for stream in streams {
                        stream.abort();
                    }
                }
                _ => {
                    let polling = Arc::new(AtomicBool::new(true));
                    let pollers = start_pollers(&state, &supervisor, wave, args, &polling);
                    with_polling.add(run_interviewers(&state, &interviewers, args.answers).await?);
                    polling.store(false, Ordering::Relaxed);
                    for poller in pollers {
                        reads.extend(poller.await??);
                    }
                }
            }
        }
    }
    alone.print(label, "interviewers alone");
    with_streams.print(label, &format!("with {} live dashboards", args.streams));
    println!(
        "{label:<10} {:<34} {:>6.1} % of the throughput alone; {} events delivered",
        "",
        100.0 * with_streams.throughput() / alone.throughput(),
        updates.load(Ordering::Relaxed)
    );
    with_polling.print(
        label,
        &format!("with {} supervisors polling", args.supervisors),
    );
    println!(
        "{label:<10} {:<34} {:>6.1} % of the throughput alone",
        "",
        100.0 * with_polling.throughput() / alone.throughput(),
    );
    reads.sort_unstable();
    println!(
        "{label:<10} dashboard reads at {cases} cases, every {} ms: {} reads, p50 {:.1} ms, p99 {:.1} ms",
        args.poll_interval_ms,
        reads.len(),
        ms(percentile(&reads, 0.5)),
        ms(percentile(&reads, 0.99)),
    );
    db.close().await;
    Ok(())
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The bench wave (fixture questionnaire, demo commune quotas, `--sample` cases over the 28
/// communes), its interviewers and a supervisor.
async fn setup(
    db: &Db,
    args: &AnswersArgs,
) -> anyhow::Result<(uuid::Uuid, Vec<CurrentUser>, CurrentUser, u32)> {
    let q = questionnaire::load(FIXTURE_QUESTIONNAIRE, "fixture-questionnaire.toml")
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = db.write().await?;
    let survey = surveys::ensure_survey(&mut tx, q.id(), q.title()).await?;
    let version = surveys::ensure_questionnaire_version(
        &mut tx,
        survey,
        q.version(),
        "fixture-questionnaire.toml",
        FIXTURE_QUESTIONNAIRE,
    )
    .await?;
    let (wave, _) =
        surveys::ensure_wave(&mut tx, survey, "bench", version, WaveStatus::Open).await?;
    crate::services::rules::allow_around_the_clock(&mut tx, wave)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let design = crate::services::quota::demo::design(5_000).map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::services::quota::attach(&mut tx, wave, &design)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // At least enough cases for every interviewer to finish all runs without running dry.
    let count = args
        .sample
        .max(10 * args.interviewers * (args.answers / 3 + 2));
    for chunk in (0..count).collect::<Vec<u32>>().chunks(10_000) {
        let sample: Vec<NewCase> = chunk
            .iter()
            .map(|&i| {
                let (code, name) = COMMUNES[i as usize % COMMUNES.len()];
                NewCase {
                    external_id: format!("B{i}"),
                    commune_code: Some(code.to_owned()),
                    commune_name: Some(name.to_owned()),
                    preload: serde_json::json!({ "commune": name }),
                    synthetic: true,
                    phones: vec![format!("+3363998{:04}", i % 10_000)],
                    replicate: None,
                }
            })
            .collect();
        cases::insert_cases(&mut tx, wave, &sample, crate::store::now_ms()).await?;
    }
    let mut users = Vec::new();
    for i in 0..args.interviewers {
        let name = format!("bench{i}");
        // A hash that matches no password: these accounts cannot log in.
        let id = users::insert(&mut tx, &name, &name, Role::Interviewer, "!")
            .await?
            .context("bench user exists")?;
        let user = users::by_id(&mut tx, id)
            .await?
            .context("bench user vanished")?;
        users.push(CurrentUser {
            role: Role::Interviewer,
            user,
            csrf_token: String::new(),
        });
    }
    let id = users::insert(
        &mut tx,
        "bench-supervisor",
        "Superviseur",
        Role::Supervisor,
        "!",
    )
    .await?
    .context("bench supervisor exists")?;
    let supervisor = CurrentUser {
        role: Role::Supervisor,
        user: users::by_id(&mut tx, id)
            .await?
            .context("bench supervisor vanished")?,
        csrf_token: String::new(),
    };
    let wave = surveys::wave(&mut tx, wave)
        .await?
        .context("bench wave vanished")?
        .uuid;
    tx.commit().await?;
    Ok((wave, users, supervisor, count))
}

async fn interviewer(
    state: AppState,
    user: CurrentUser,
    answers: u32,
) -> anyhow::Result<Vec<Duration>> {
    let state = Arc::new(state);
    let mut latencies = Vec::with_capacity(answers as usize);
    let mut view = None;
    while latencies.len() < answers as usize {
        let current = match view.take() {
            Some(v) => v,
            None => {
                let case = calls::next(&state, &user)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                    .context("sample exhausted")?;
                service::start(&state, &user, case.case_id)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?
            }
        };
        let Step::Question(q) = &current.step else {
            continue;
        };
        let request = answer_for(q);
        let started = Instant::now();
        let result = service::submit(&state, &user, current.interview_id, request).await;
        latencies.push(started.elapsed());
        let next = match result {
            Ok(next) => next,
            Err(_) => {
                let refused = AnswerRequest {
                    special: Some(Special::Refused),
                    ..AnswerRequest::confirmed(&q.var)
                };
                service::submit(&state, &user, current.interview_id, refused)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?
            }
        };
        if matches!(next.step, Step::Question(_)) {
            view = Some(next);
        }
    }
    Ok(latencies)
}

/// A plausible answer for any question.
pub(super) fn answer_for(q: &QuestionDto) -> AnswerRequest {
    let mut request = AnswerRequest::confirmed(&q.var);
    match q.kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            let option = q.options.iter().find(|o| !o.other).or(q.options.first());
            request.codes = Some(option.map(|o| vec![o.code]).unwrap_or_default());
        }
        QuestionKind::Integer | QuestionKind::Decimal | QuestionKind::Scale => {
            let min: i64 = q.min.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0);
            let max: i64 = q
                .max
                .as_deref()
                .and_then(|v| v.parse().ok())
                .unwrap_or(min + 100);
            request.value = Some(40.clamp(min, max.max(min)).to_string());
        }
        QuestionKind::Text => request.value = Some("réponse de test".to_owned()),
        QuestionKind::Date => request.value = Some("2000-01-01".to_owned()),
        QuestionKind::Info => {}
    }
    request
}
