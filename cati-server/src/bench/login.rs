//! `cati bench login`: interviewers' answer throughput over HTTP, alone and during a login flood.
//!
//! A real `cati serve` (this same binary, with the demo and `--trusted-proxy 127.0.0.1`) runs
//! as a child process on a scratch database; `--interviewers` logged-in interviewers take cases
//! and answer question after question over the API for `--seconds`, three times:
//! 1. alone;
//! 2. while `--flood` connections send wrong passwords from one address, as one outsider would
//!    (the throttle makes it wait after a few failures);
//! 3. while `--flood` connections send wrong passwords each from a new address (the addresses
//!    are given in `X-Forwarded-For`, which the server believes of its trusted proxy): no
//!    address is ever made to wait, so every attempt that gets a turn is checked with Argon2 —
//!    the worst case, bounded only by the password-check workers and their queue.
//!
//! It prints answers per second, answer latency percentiles and the errors seen, and for the
//! floods the attempts per second by outcome and the cost to the interviewers' throughput.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

use super::answers::{answer_for, ms, percentile};
use crate::apiclient::{ServerProcess, Session};
use crate::services::interview::view::QuestionDto;

/// Options of `cati bench login`.
#[derive(Clone, Debug, clap::Args)]
pub struct LoginArgs {
    /// Nombre d'enquêteurs qui saisissent des réponses.
    #[arg(long, default_value_t = 20)]
    pub interviewers: u32,
    /// Durée de chaque passe, en secondes.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Nombre de connexions qui envoient de mauvais mots de passe pendant les rafales.
    #[arg(long, default_value_t = 32)]
    pub flood: u32,
}

/// The password of the benchmark's demo accounts.
const PASSWORD: &str = "mot-de-passe-du-banc-d-essai";

/// What the interviewers did during one run.
#[derive(Default)]
struct Answers {
    latencies: Vec<Duration>,
    errors: BTreeMap<u16, u64>,
}

/// Where a flood's attempts come from.
#[derive(Clone, Copy, Debug)]
enum Flood {
    /// One address.
    OneAddress,
    /// A new address at each attempt.
    NewAddressEachTime,
}

pub(super) async fn measure(label: &str, url: &str, args: &LoginArgs) -> anyhow::Result<()> {
    let options: Vec<String> = [
        "--demo",
        "--demo-cases",
        &(args.interviewers * 1000).to_string(),
        "--demo-interviewers",
        &args.interviewers.to_string(),
        "--trusted-proxy",
        "127.0.0.1",
    ]
    .map(str::to_owned)
    .to_vec();
    let server = ServerProcess::start(url, &options, PASSWORD).await?;
    let mut interviewers = Vec::new();
    for n in 1..=args.interviewers {
        interviewers.push(Session::login(&server.base, &format!("enqueteur{n}"), PASSWORD).await?);
    }
    let run = Duration::from_secs(args.seconds);
    let alone = answer_for_a_while(&interviewers, run, None, &server.base, args.flood).await?;
    print_answers(label, "alone", &alone.0, run, None);
    for flood in [Flood::OneAddress, Flood::NewAddressEachTime] {
        let (answers, attempts) =
            answer_for_a_while(&interviewers, run, Some(flood), &server.base, args.flood).await?;
        let what = match flood {
            Flood::OneAddress => "flood from one address",
            Flood::NewAddressEachTime => "flood, a new address each time",
        };
        print_answers(label, what, &answers, run, Some(&alone.0));
        let total: u64 = attempts.values().sum();
        let outcomes: Vec<String> = attempts
            .iter()
            .map(|(status, n)| format!("{status}: {n}"))
            .collect();
        println!(
            "{label:<10}   {:>4} connections: {:>7.0} login attempts/s ({})",
            args.flood,
            total as f64 / run.as_secs_f64(),
            outcomes.join(", ")
        );
    }
    Ok(())
}

fn print_answers(
    label: &str,
    what: &str,
    answers: &Answers,
    run: Duration,
    alone: Option<&Answers>,
) {
    let mut sorted = answers.latencies.clone();
    sorted.sort_unstable();
    let throughput = sorted.len() as f64 / run.as_secs_f64();
    let cost = alone.map_or(String::new(), |alone| {
        let before = alone.latencies.len() as f64 / run.as_secs_f64();
        format!("   cost {:>5.1} %", 100.0 * (before - throughput) / before)
    });
    let errors: Vec<String> = answers
        .errors
        .iter()
        .map(|(status, n)| format!("{status}: {n}"))
        .collect();
    println!(
        "{label:<10} {what:<32} {throughput:>6.0} answers/s   p50 {:>6.1} ms   p99 {:>7.1} ms   errors {}{cost}",
        ms(percentile(&sorted, 0.5)),
        ms(percentile(&sorted, 0.99)),
        if errors.is_empty() {
            "none".to_owned()
        } else {
            errors.join(", ")
        },
    );
}

/// All interviewers answer for `run`, with a flood of wrong passwords if asked; returns what
/// they did and the statuses of the flood's attempts.
async fn answer_for_a_while(
    interviewers: &[Session],
    run: Duration,
    flood: Option<Flood>,
    base: &str,
    connections: u32,
) -> anyhow::Result<(Answers, BTreeMap<u16, u64>)> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut attackers = Vec::new();
    if let Some(flood) = flood {
        for connection in 0..connections {
            let stop = Arc::clone(&stop);
            let base = base.to_owned();
            attackers.push(tokio::spawn(async move {
                flood_logins(&base, flood, connection, &stop).await
            }));
        }
    }
    let mut tasks = Vec::new();
    for session in interviewers {
        let (session, stop) = (session.clone(), Arc::clone(&stop));
        tasks.push(tokio::spawn(
            async move { answer_until(&session, &stop).await },
        ));
    }
    tokio::time::sleep(run).await;
    stop.store(true, Ordering::Relaxed);
    let mut answers = Answers::default();
    for task in tasks {
        let done = task.await??;
        answers.latencies.extend(done.latencies);
        for (status, n) in done.errors {
            *answers.errors.entry(status).or_default() += n;
        }
    }
    let mut attempts = BTreeMap::new();
    for attacker in attackers {
        for (status, n) in attacker.await?? {
            *attempts.entry(status).or_default() += n;
        }
    }
    Ok((answers, attempts))
}

/// Sends wrong passwords on one connection until stopped; counts the statuses.
async fn flood_logins(
    base: &str,
    flood: Flood,
    connection: u32,
    stop: &AtomicBool,
) -> anyhow::Result<BTreeMap<u16, u64>> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()?;
    let mut statuses = BTreeMap::new();
    let mut n: u32 = 0;
    while !stop.load(Ordering::Relaxed) {
        n = n.wrapping_add(1);
        let from = match flood {
            Flood::OneAddress => "203.0.113.66".to_owned(),
            Flood::NewAddressEachTime => {
                let [_, b, c, d] = (connection << 16 | (n & 0xffff)).to_be_bytes();
                format!("10.{b}.{c}.{d}")
            }
        };
        let response = http
            .post(format!("{base}/api/login"))
            .header("x-forwarded-for", from)
            .json(&json!({ "username": format!("inconnu{connection}-{n}"), "password": "mauvais" }))
            .send()
            .await;
        let status = match response {
            Ok(response) => response.status().as_u16(),
            Err(_) => 0,
        };
        *statuses.entry(status).or_default() += 1;
    }
    Ok(statuses)
}

/// Takes cases and answers their questions until `stop`.
async fn answer_until(session: &Session, stop: &AtomicBool) -> anyhow::Result<Answers> {
    let mut done = Answers::default();
    let mut view = Value::Null;
    while !stop.load(Ordering::Relaxed) {
        if view["step"]["type"] != "question" {
            let (status, case) = session.post("/api/cases/next", &json!({})).await?;
            if status != 200 {
                *done.errors.entry(status).or_default() += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            let case_id = case["case_id"].as_str().context("case id")?.to_owned();
            let (status, started) = session
                .post(&format!("/api/cases/{case_id}/interview"), &json!({}))
                .await?;
            if status != 200 {
                *done.errors.entry(status).or_default() += 1;
                continue;
            }
            view = started;
            continue;
        }
        let question: QuestionDto = serde_json::from_value(view["step"].clone())?;
        let interview = view["interview_id"]
            .as_str()
            .context("interview")?
            .to_owned();
        let mut answer = serde_json::to_value(answer_for(&question))?;
        let started = Instant::now();
        let (mut status, mut next) = session
            .post(&format!("/api/interviews/{interview}/answers"), &answer)
            .await?;
        if status == 422 {
            // An answer the questionnaire refuses here: refused, as an interviewer would.
            answer = json!({ "var": question.var, "special": "refused", "confirm": true });
            (status, next) = session
                .post(&format!("/api/interviews/{interview}/answers"), &answer)
                .await?;
        }
        let elapsed = started.elapsed();
        if status == 200 {
            done.latencies.push(elapsed);
            view = next;
        } else {
            *done.errors.entry(status).or_default() += 1;
        }
    }
    Ok(done)
}
