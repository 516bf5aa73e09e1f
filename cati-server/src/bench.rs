//! `cati bench`: answer-save throughput and latency with many concurrent simulated
//! interviewers, on a scratch SQLite file and, when given, a scratch PostgreSQL database.
//!
//! Each simulated interviewer takes a case, starts its interview and answers question after
//! question through the same service functions the HTTP handlers call (load, engine, one
//! committed transaction per answer), then takes the next case.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::auth::CurrentUser;
use crate::sample::demo::FIXTURE_QUESTIONNAIRE;
use crate::services::calls;
use crate::services::interview::service;
use crate::services::interview::view::{AnswerRequest, QuestionDto, Special, Step};
use crate::state::AppState;
use crate::store::Db;
use crate::store::cases::{self, NewCase};
use crate::store::surveys::{self, WaveStatus};
use crate::store::users::{self, Role};

/// Options of `cati bench`.
#[derive(Clone, Debug, clap::Args)]
pub struct BenchArgs {
    /// Concurrent simulated interviewers.
    #[arg(long, default_value_t = 100)]
    pub interviewers: u32,
    /// Answers each interviewer saves.
    #[arg(long, default_value_t = 30)]
    pub answers: u32,
    /// A PostgreSQL server URL (its `postgres` database); a scratch database is created there
    /// and dropped afterwards. Without it only SQLite is measured.
    #[arg(long, env = "CATI_BENCH_POSTGRES_URL")]
    pub postgres_url: Option<String>,
}

/// Runs the benchmark and prints the figures.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("cati-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let result = measure("SQLite", &url, &args).await;
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    if let Some(admin_url) = &args.postgres_url {
        let name = format!("cati_bench_{}", std::process::id());
        let admin = sqlx::PgPool::connect(admin_url)
            .await
            .context("connecting to PostgreSQL")?;
        sqlx::query(&format!("create database {name}"))
            .execute(&admin)
            .await?;
        let url = replace_database(admin_url, &name);
        let result = measure("PostgreSQL", &url, &args).await;
        sqlx::query(&format!("drop database if exists {name} with (force)"))
            .execute(&admin)
            .await?;
        result?;
    }
    Ok(())
}

/// The same server URL with another database name.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

async fn measure(label: &str, url: &str, args: &BenchArgs) -> anyhow::Result<()> {
    let connections = args
        .interviewers
        .min(if url.starts_with("sqlite") { 16 } else { 40 });
    let db = Db::connect(url, connections).await?;
    let interviewers = setup(&db, args).await?;
    let state = crate::server::state(db.clone(), Default::default()).await?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for user in interviewers {
        let state = state.clone();
        let answers = args.answers;
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
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{label:<10} {} interviewers, {} answers saved in {:.2} s: {:.0} answers/s, latency p50 {:.1} ms, p99 {:.1} ms",
        args.interviewers,
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        ms(pick(0.5)),
        ms(pick(0.99)),
    );
    db.close().await;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn setup(db: &Db, args: &BenchArgs) -> anyhow::Result<Vec<CurrentUser>> {
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
    // Enough cases for every interviewer to finish all answers without running dry.
    let count = args.interviewers * (args.answers / 3 + 2);
    let sample: Vec<NewCase> = (0..count)
        .map(|i| NewCase {
            external_id: format!("B{i}"),
            commune_code: None,
            commune_name: None,
            preload: serde_json::json!({ "commune": "Bordeaux" }),
            synthetic: true,
            phones: vec![format!("+3353649{:04}", i % 10_000)],
        })
        .collect();
    cases::insert_cases(&mut tx, wave, &sample).await?;
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
    tx.commit().await?;
    Ok(users)
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
                    ..answer_for(q)
                };
                service::submit(
                    &state,
                    &user,
                    current.interview_id,
                    AnswerRequest {
                        codes: None,
                        value: None,
                        ..refused
                    },
                )
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
fn answer_for(q: &QuestionDto) -> AnswerRequest {
    let mut request = AnswerRequest {
        var: q.var.clone(),
        codes: None,
        other: None,
        value: None,
        special: None,
        confirm: true,
    };
    match q.kind {
        "single" | "multiple" => {
            let option = q.options.iter().find(|o| !o.other).or(q.options.first());
            request.codes = Some(option.map(|o| vec![o.code]).unwrap_or_default());
        }
        "integer" | "decimal" | "scale" => {
            let min: i64 = q.min.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0);
            let max: i64 = q
                .max
                .as_deref()
                .and_then(|v| v.parse().ok())
                .unwrap_or(min + 100);
            request.value = Some(40.clamp(min, max.max(min)).to_string());
        }
        "text" => request.value = Some("réponse de test".to_owned()),
        "date" => request.value = Some("2000-01-01".to_owned()),
        _ => {}
    }
    request
}
