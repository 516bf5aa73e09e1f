//! `cati simulate`: a wave played through the API on a simulated clock, and the clock's guard
//! on a server that follows real time.

use std::process::Command;

use cati_e2e::{Backend, DemoSize, Server, TestDb, cati_binary};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_backends;

async fn a_simulated_wave_reaches_its_completes_without_a_server_error(backend: Backend) {
    let db = TestDb::new(backend).await;
    let output = Command::new(cati_binary())
        .args([
            "simulate",
            "--interviewers",
            "4",
            "--completes",
            "12",
            "--json",
        ])
        .args(["--database-url", &db.url, "--seed", "5"])
        .env("RUST_LOG", "error")
        .output()
        .expect("cati simulate");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_str(&stdout).expect("a JSON summary");
    let completes = summary["outcomes"]["completed"].as_u64().unwrap_or(0);
    assert!(completes >= 12, "{summary}");
    // No request failed nor met a server error (an answer or an appointment the rules refuse,
    // 422, is the simulated interviewer's mistake, counted but possible).
    let errors = summary["errors"].as_object().expect("errors by status");
    assert!(
        errors.keys().all(|status| status.as_str() == "422"),
        "{summary}"
    );
    // The server's own figures agree with the simulator's: every complete counted in the
    // AAPOR report and in the quota cells.
    assert_eq!(
        summary["aapor"]["rates"]["counts"]["complete"], completes,
        "{summary}"
    );
    assert_eq!(summary["quotas"]["achieved"], completes, "{summary}");
    assert!(summary["calls"].as_u64().unwrap() > completes, "{summary}");
    assert!(
        summary["simulated_days"].as_f64().unwrap() > 0.0,
        "{summary}"
    );
}
on_both_backends!(a_simulated_wave_reaches_its_completes_without_a_server_error);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_on_real_time_has_no_clock_to_move() {
    let db = TestDb::new(Backend::Sqlite).await;
    let server = Server::start(&db, DemoSize::new(0, 1)).await;
    let admin = server.login("admin").await;
    let (status, body) = admin
        .post("/api/simulation/clock", &json!({ "advance_minutes": 60 }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body["error"].to_string().contains("heure réelle"), "{body}");
    // And a simulated clock is only for demonstrations.
    let (ok, text) = server.cli(&["serve", "--simulated-clock", "2027-03-01T09:00"], "");
    assert!(!ok, "{text}");
    assert!(text.contains("--demo"), "{text}");
}

/// `cati serve --demo --simulate N`: simulated interviewers work the demo wave at a human pace
/// while the server runs, so that the supervisors' figures move; the fieldwork clock moves
/// with their calls, and the people's own demo accounts stay free.
async fn a_demo_with_simulated_interviewers_shows_a_wave_in_progress(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server = Server::start_with(&db, DemoSize::new(300, 1), &["--simulate", "3"]).await;
    let admin = server.login("admin").await;
    let (status, clock) = admin.get("/api/simulation/clock").await;
    assert_eq!(status, StatusCode::OK, "{clock}");
    let started = clock["now_ms"].as_i64().expect("simulated now");
    let wave = admin.latest_wave().await;
    // Each simulated interviewer records calls within seconds; the deadline only bounds a
    // broken simulation.
    let mut working = Vec::new();
    for _ in 0..240 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let (status, report) = admin.get(&format!("/api/waves/{wave}/productivity")).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        working = report["interviewers"]
            .as_array()
            .expect("interviewers")
            .iter()
            .filter(|i| i["overall"]["calls"].as_u64().unwrap_or(0) >= 2)
            .map(|i| i["interviewer"].as_str().unwrap_or_default().to_owned())
            .collect();
        if working.len() == 3 {
            break;
        }
    }
    working.sort();
    assert_eq!(
        working,
        ["simulation1", "simulation2", "simulation3"],
        "{}",
        server.log_text()
    );
    let (_, clock) = admin.get("/api/simulation/clock").await;
    assert!(
        clock["now_ms"].as_i64().expect("simulated now") > started,
        "the fieldwork clock moved with the calls: {clock}"
    );
    // The people's demo interviewer still logs in with the demo password and gets a case.
    let interviewer = server.login("enqueteur1").await;
    interviewer.next_case().await;
    assert!(
        !server.log_text().contains("ERROR"),
        "no server error: {}",
        server.log_text()
    );
}
on_both_backends!(a_demo_with_simulated_interviewers_shows_a_wave_in_progress);
