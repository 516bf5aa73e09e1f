//! `cati bench dispatch`: the case hand-out at scale. Loads `--cases` cases into a wave (through
//! the import service, with the demo's commune quotas attached), then, for each count of
//! interviewers in `--interviewers`, runs them together through the calls service, the way the
//! workstation does: claim the next case, record « pas de réponse » (the case goes back to the
//! queue hours later), claim again, `--rounds` times each. Prints the claim latency p50/p99,
//! the outcome save p50/p99 and the answers by status, and checks that no case was handed out
//! twice. Beside it, the same counts of workers run a *bare* indexed claim — one
//! `update … returning` picking the first due case of one commune by the ready index, rolled
//! back — on the same database: the floor the real claim is compared with.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::answers::percentile;
use crate::auth::{Actor, CurrentUser};
use crate::error::AppError;
use crate::services::calls::{self, OutcomeRequest};
use crate::services::sample::{self, ImportOptions};
use crate::services::waves;
use crate::state::AppState;
use crate::store::surveys::WaveStatus;
use crate::store::users::{self, Role};
use crate::store::{Backend, Db};

/// Options of `cati bench dispatch`.
#[derive(Clone, Debug, clap::Args)]
pub struct DispatchArgs {
    /// Nombre de cas de la vague.
    #[arg(long, default_value_t = 1_000_000)]
    pub cases: u32,
    /// Nombres d'enquêteurs qui prennent des cas en même temps (une passe par nombre).
    #[arg(long, value_delimiter = ',', default_values_t = [1, 20, 100])]
    pub interviewers: Vec<u32>,
    /// Nombre de prises de cas par enquêteur et par passe.
    #[arg(long, default_value_t = 30)]
    pub rounds: u32,
}

/// What the runs measured.
#[derive(Default)]
struct Tally {
    claims: Vec<Duration>,
    saves: Vec<Duration>,
    statuses: BTreeMap<u16, u64>,
    handed: HashSet<uuid::Uuid>,
    twice: u64,
}

/// Loads the wave, then measures each count of interviewers, real and bare.
pub(super) async fn measure(label: &str, url: &str, args: &DispatchArgs) -> anyhow::Result<()> {
    let most = args.interviewers.iter().copied().max().unwrap_or(1);
    // The server's own sizing: SQLite writes go through one connection whatever the pool.
    let db = Db::connect(url, most.clamp(4, 40)).await?;
    let loading = Instant::now();
    let interviewers = setup(&db, args.cases, most).await?;
    println!(
        "{label:<10} {} cases loaded in {:.1} s",
        args.cases,
        loading.elapsed().as_secs_f64()
    );
    let state = crate::server::state(db.clone(), Default::default()).await?;
    let tally = Arc::new(Mutex::new(Tally::default()));
    for &count in &args.interviewers {
        let started = Instant::now();
        let tasks: Vec<_> = interviewers[..count as usize]
            .iter()
            .cloned()
            .map(|user| {
                tokio::spawn(interviewer(
                    state.clone(),
                    user,
                    args.rounds,
                    Arc::clone(&tally),
                ))
            })
            .collect();
        let mut run = Tally::default();
        for task in tasks {
            let own = task.await??;
            run.claims.extend(own.claims);
            run.saves.extend(own.saves);
            for (status, n) in own.statuses {
                *run.statuses.entry(status).or_default() += n;
            }
        }
        let elapsed = started.elapsed();
        run.claims.sort();
        run.saves.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let statuses: Vec<String> = run
            .statuses
            .iter()
            .map(|(status, n)| format!("{status}×{n}"))
            .collect();
        println!(
            "{label:<10} {count:>3} interviewers: claim p50 {:>6.2} ms p99 {:>7.2} ms; outcome \
             p50 {:>6.2} ms p99 {:>7.2} ms; {:.0} claims/s; answers {}",
            ms(percentile(&run.claims, 0.5)),
            ms(percentile(&run.claims, 0.99)),
            ms(percentile(&run.saves, 0.5)),
            ms(percentile(&run.saves, 0.99)),
            run.claims.len() as f64 / elapsed.as_secs_f64(),
            statuses.join(" "),
        );
        let bare = bare_claims(&db, count, args.rounds).await?;
        println!(
            "{label:<10} {count:>3} workers, bare indexed claim: p50 {:>6.2} ms p99 {:>7.2} ms",
            ms(percentile(&bare, 0.5)),
            ms(percentile(&bare, 0.99)),
        );
    }
    let (handed, twice) = {
        let tally = tally
            .lock()
            .map_err(|_| anyhow::anyhow!("tally poisoned"))?;
        (tally.handed.len(), tally.twice)
    };
    println!("{label:<10} {handed} distinct cases handed out, {twice} handed out twice");
    db.close().await;
    if twice > 0 {
        anyhow::bail!("a case was handed out twice");
    }
    Ok(())
}

/// A survey, a wave of `cases` imported cases with the demo quotas, open around the clock, and
/// `interviewers` accounts.
async fn setup(db: &Db, cases: u32, interviewers: u32) -> anyhow::Result<Vec<CurrentUser>> {
    let refused = |e: AppError| anyhow::anyhow!("{e}");
    let wave = super::import::bench_wave(db, "dispatch").await?;
    let list = super::import::generated_list(cases);
    sample::import(
        db,
        Actor::Operator,
        "dispatch",
        "liste.csv",
        list.as_bytes(),
        &ImportOptions::default(),
        &mut |_| {},
    )
    .await
    .map_err(refused)?;
    let mut tx = db.write().await?;
    let design = crate::services::quota::demo::design(5_000).map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::services::quota::attach(&mut tx, wave.id, &design)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::services::rules::allow_around_the_clock(&mut tx, wave.id)
        .await
        .map_err(refused)?;
    let mut users_out = Vec::new();
    for i in 0..interviewers {
        let name = format!("banc{i}");
        // A hash that matches no password: these accounts cannot log in.
        let id = users::insert(&mut tx, &name, &name, Role::Interviewer, "!")
            .await?
            .context("bench user exists")?;
        let user = users::by_id(&mut tx, id)
            .await?
            .context("bench user vanished")?;
        users_out.push(CurrentUser {
            role: Role::Interviewer,
            user,
            csrf_token: String::new(),
        });
    }
    tx.commit().await?;
    waves::set_status(db, Actor::Operator, "dispatch", WaveStatus::Open)
        .await
        .map_err(refused)?;
    Ok(users_out)
}

/// One interviewer: claim, record no answer, `rounds` times.
async fn interviewer(
    state: AppState,
    user: CurrentUser,
    rounds: u32,
    shared: Arc<Mutex<Tally>>,
) -> anyhow::Result<Tally> {
    let mut own = Tally::default();
    let no_answer = OutcomeRequest {
        outcome: "no_answer".to_owned(),
        number: None,
        note: None,
        appointment_at: None,
        appointment_until: None,
    };
    for _ in 0..rounds {
        let started = Instant::now();
        let claimed = calls::next(&state, &user).await;
        own.claims.push(started.elapsed());
        let case = match claimed {
            Ok(Some(case)) => case,
            Ok(None) => {
                *own.statuses.entry(204).or_default() += 1;
                continue;
            }
            Err(e) => {
                *own.statuses.entry(e.status().as_u16()).or_default() += 1;
                continue;
            }
        };
        *own.statuses.entry(200).or_default() += 1;
        {
            let mut shared = shared
                .lock()
                .map_err(|_| anyhow::anyhow!("tally poisoned"))?;
            if !shared.handed.insert(case.case_id) {
                shared.twice += 1;
            }
        }
        let started = Instant::now();
        let saved = calls::record_outcome(&state, &user, case.case_id, &no_answer).await;
        own.saves.push(started.elapsed());
        if let Err(e) = saved {
            *own.statuses.entry(e.status().as_u16()).or_default() += 1;
        }
    }
    Ok(own)
}

/// `workers` tasks each running `rounds` bare claims (rolled back): one statement picking the
/// first due fresh case of Bordeaux's mobiles by the ready index.
async fn bare_claims(db: &Db, workers: u32, rounds: u32) -> anyhow::Result<Vec<Duration>> {
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                let lock = match db.backend() {
                    Backend::Sqlite => "",
                    Backend::Postgres => " for update skip locked",
                };
                let sql = format!(
                    "update sample_cases set held_at = $1, due = false where id = \
                     (select id from sample_cases where due and wave_id = \
                       (select id from waves where name = 'dispatch') \
                       and commune_code = '33063' and needs_converter = false \
                       and fixed_line = false order by priority, next_call_at limit 1{lock}) \
                     returning id"
                );
                let mut latencies = Vec::with_capacity(rounds as usize);
                for _ in 0..rounds {
                    let started = Instant::now();
                    let mut tx = db.write().await?;
                    let _: Option<(i64,)> = tx
                        .query(&sql)
                        .bind(crate::store::now_ms())
                        .fetch_optional()
                        .await?;
                    tx.rollback().await?;
                    latencies.push(started.elapsed());
                }
                anyhow::Ok(latencies)
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    all.sort();
    Ok(all)
}
