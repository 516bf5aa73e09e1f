use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cati_e2e::{Backend, Client, DemoSize, FIXTURE_ROUTE, Server, TestDb, fixture_answer};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_backends;

async fn sigkill_mid_interview_loses_no_acknowledged_answer(backend: Backend) {
    let db = TestDb::new(backend).await;
    let mut server = Server::start(&db, DemoSize::new(3, 1)).await;
    let interviewer = server.login("enqueteur1").await;
    let case = interviewer.next_case().await;
    let mut view = interviewer
        .start_interview(case["case_id"].as_str().unwrap())
        .await;
    let interview_id = view["interview_id"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        view = interviewer.answer_fixture_step(&view).await;
    }
    assert_eq!(view["step"]["var"], FIXTURE_ROUTE[3]);

    server.kill();
    server.restart().await;

    // The same browser session survives the restart (sessions are in the database) and the
    // interview resumes at the question after the last acknowledged answer.
    let (status, current) = interviewer.get("/api/cases/current").await;
    assert_eq!(status, StatusCode::OK, "{current}");
    assert_eq!(current["interview"]["id"], interview_id);
    let (status, resumed) = interviewer
        .get(&format!("/api/interviews/{interview_id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{resumed}");
    assert_eq!(resumed["step"]["var"], FIXTURE_ROUTE[3], "{resumed}");
    let (_, answers) = interviewer
        .get(&format!("/api/interviews/{interview_id}/answers"))
        .await;
    let stored: Vec<&str> = answers
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["variable"].as_str().unwrap())
        .collect();
    for var in &FIXTURE_ROUTE[..3] {
        assert!(stored.contains(var), "{var} survived: {answers}");
    }

    // Starting with --demo again added nothing.
    let supervisor = server.login("superviseur").await;
    let wave = supervisor.latest_wave().await;
    let (_, progress) = supervisor.get(&format!("/api/waves/{wave}/progress")).await;
    assert_eq!(
        progress["cases"], 3,
        "a second --demo start duplicates nothing: {progress}"
    );
    let (_, waves) = supervisor.get("/api/waves").await;
    assert_eq!(waves.as_array().unwrap().len(), 1);

    let mut view = resumed;
    while view["step"]["type"] == "question" {
        view = interviewer.answer_fixture_step(&view).await;
    }
    assert_eq!(view["status"], "completed");
}
on_both_backends!(sigkill_mid_interview_loses_no_acknowledged_answer);

/// What interviewers working through the kills saw acknowledged.
#[derive(Default)]
struct Acknowledged {
    /// (interview, variable, value sent) of every answer answered with 200.
    answers: Vec<(String, String, Value)>,
    /// (case, interviewer) of every case handed out.
    claims: Vec<(String, String)>,
}

/// `POST path` without panicking when the server is down: `None` on a transport error.
async fn try_post(client: &Client, path: &str, body: &Value) -> Option<(StatusCode, Value)> {
    let response = client
        .http
        .post(format!("{}{path}", client.base))
        .header("x-csrf-token", &client.csrf)
        .json(body)
        .send()
        .await
        .ok()?;
    let status = response.status();
    Some((status, response.json().await.unwrap_or(Value::Null)))
}

/// `GET path` without panicking when the server is down.
async fn try_get(client: &Client, path: &str) -> Option<(StatusCode, Value)> {
    let response = client
        .http
        .get(format!("{}{path}", client.base))
        .send()
        .await
        .ok()?;
    let status = response.status();
    Some((status, response.json().await.unwrap_or(Value::Null)))
}

/// One interviewer working until `stop`: resumes whatever it holds (the server may have been
/// killed between a request and its answer), claims, interviews, and notes what the server
/// acknowledged. Failed requests (server down, 503 while it starts) are simply tried again.
async fn work_through_kills(
    interviewer: Client,
    name: String,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Acknowledged>>,
) {
    let pause = || tokio::time::sleep(Duration::from_millis(50));
    while !stop.load(Ordering::SeqCst) {
        // Where am I? The case held, and its interview, or a new case.
        let Some((status, current)) = try_get(&interviewer, "/api/cases/current").await else {
            pause().await;
            continue;
        };
        let case = if status == StatusCode::OK {
            current
        } else if status == StatusCode::NOT_FOUND {
            match try_post(&interviewer, "/api/cases/next", &json!({})).await {
                Some((StatusCode::OK, case)) => {
                    let id = case["case_id"].as_str().unwrap_or_default().to_owned();
                    seen.lock().unwrap().claims.push((id, name.clone()));
                    case
                }
                Some((StatusCode::NO_CONTENT, _)) => return,
                _ => {
                    pause().await;
                    continue;
                }
            }
        } else {
            pause().await;
            continue;
        };
        let case_id = case["case_id"].as_str().unwrap_or_default().to_owned();
        let view = match case["interview"]["id"].as_str() {
            Some(id) => try_get(&interviewer, &format!("/api/interviews/{id}")).await,
            None => {
                try_post(
                    &interviewer,
                    &format!("/api/cases/{case_id}/interview"),
                    &json!({}),
                )
                .await
            }
        };
        let Some((StatusCode::OK, mut view)) = view else {
            pause().await;
            continue;
        };
        while view["step"]["type"] == "question" && !stop.load(Ordering::SeqCst) {
            let id = view["interview_id"].as_str().unwrap_or_default().to_owned();
            let var = view["step"]["var"].as_str().unwrap_or_default().to_owned();
            let answer = fixture_answer(&var);
            match try_post(
                &interviewer,
                &format!("/api/interviews/{id}/answers"),
                &answer,
            )
            .await
            {
                Some((StatusCode::OK, next)) => {
                    seen.lock().unwrap().answers.push((id, var, answer));
                    view = next;
                }
                // Down, restarting, or the answer raced a restart: start again from the
                // server's own state.
                _ => break,
            }
        }
    }
}

async fn sigkill_at_random_moments_under_load_loses_no_acknowledged_answer(backend: Backend) {
    const INTERVIEWERS: u32 = 6;
    const KILLS: u64 = 4;
    let db = TestDb::new(backend).await;
    let mut server = Server::start(&db, DemoSize::new(400, INTERVIEWERS)).await;
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Acknowledged::default()));
    let mut workers = Vec::new();
    for i in 1..=INTERVIEWERS {
        let name = format!("enqueteur{i}");
        let interviewer = server.login(&name).await;
        workers.push(tokio::spawn(work_through_kills(
            interviewer,
            name,
            Arc::clone(&stop),
            Arc::clone(&seen),
        )));
    }
    // Kills at moments that differ from run to run (the seed is printed to replay a failure).
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.subsec_nanos() as u64);
    println!("kill schedule seed: {seed}");
    let mut state = seed | 1;
    for _ in 0..KILLS {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        tokio::time::sleep(Duration::from_millis(300 + (state >> 33) % 900)).await;
        server.kill();
        server.restart().await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.await.expect("interviewer");
    }

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    println!(
        "{} answers acknowledged, {} cases handed out, through {KILLS} kills",
        seen.answers.len(),
        seen.claims.len()
    );
    assert!(
        seen.answers.len() > 20,
        "the interviewers worked through the kills: {} answers",
        seen.answers.len()
    );
    let mut holders: HashMap<&str, &str> = HashMap::new();
    for (case, interviewer) in &seen.claims {
        let first = holders.entry(case.as_str()).or_insert(interviewer.as_str());
        assert_eq!(first, interviewer, "case {case} handed to two interviewers");
    }
    let supervisor = server.login("superviseur").await;
    let mut stored: HashMap<String, Value> = HashMap::new();
    for (interview, var, sent) in seen.answers.iter() {
        let answers = match stored.get(interview) {
            Some(answers) => answers.clone(),
            None => {
                let (status, answers) = supervisor
                    .get(&format!("/api/interviews/{interview}/answers"))
                    .await;
                assert_eq!(status, StatusCode::OK, "{answers}");
                stored.insert(interview.clone(), answers.clone());
                answers
            }
        };
        let row = answers
            .as_array()
            .expect("answers")
            .iter()
            .find(|row| row["variable"] == var.as_str())
            .unwrap_or_else(|| panic!("acknowledged {var} of {interview} lost: {answers}"));
        if let Some(value) = sent["value"].as_str() {
            let kept = row["answer"].as_str().unwrap_or_default();
            assert!(kept.contains(value), "{var} kept {kept}, sent {value}");
        }
    }
}

on_both_backends!(sigkill_at_random_moments_under_load_loses_no_acknowledged_answer);
