//! What people read: every screen an interviewer, a supervisor or an admin reaches shows French
//! words, never the server's internal codes, and the case screens are photographed at 1366×768
//! for anyone to look at.

use std::ffi::OsStr;

use cati_e2e::{Backend, Client, DemoSize, PASSWORD, Server, TestDb};
use reqwest::StatusCode;
use serde_json::json;

/// Records `outcome` (with its extra fields) on the case `interviewer` claims next.
async fn claim_and_record(interviewer: &Client, outcome: serde_json::Value) {
    let case = interviewer.next_case().await;
    let id = case["case_id"].as_str().expect("case id");
    let (status, body) = interviewer
        .post(&format!("/api/cases/{id}/outcome"), &outcome)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{outcome}: {body}");
}

/// Gives the sample every kind of case a manager meets: called without answer, refused, with an
/// appointment, an interview under way, a completed interview, and one held by `enqueteur1`.
async fn a_day_of_fieldwork(server: &Server) {
    let calls = server.login("enqueteur2").await;
    claim_and_record(&calls, json!({ "outcome": "no_answer", "note": "sonne" })).await;
    claim_and_record(&calls, json!({ "outcome": "refusal" })).await;
    claim_and_record(
        &calls,
        json!({ "outcome": "appointment", "appointment_at": "2099-06-01T18:30" }),
    )
    .await;

    let interviews = server.login("enqueteur3").await;
    let case = interviews.next_case().await;
    let mut view = interviews
        .start_interview(case["case_id"].as_str().expect("case id"))
        .await;
    while view["step"]["type"] == "question" {
        view = interviews.answer_fixture_step(&view).await;
    }
    assert_eq!(view["status"], "completed", "{view}");
    let case = interviews.next_case().await;
    let view = interviews
        .start_interview(case["case_id"].as_str().expect("case id"))
        .await;
    interviews.answer_fixture_step(&view).await;

    server.login("enqueteur1").await.next_case().await;
}

/// Needs Debian's `chromium` and `npm ci --prefix tests/browser` (playwright-core); fails with
/// that instruction rather than skipping.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_screen_shows_an_internal_code() {
    let db = TestDb::new(Backend::Sqlite).await;
    let server = Server::start(&db, DemoSize::new(12, 3)).await;
    a_day_of_fieldwork(&server).await;
    let screenshots = cati_e2e::screenshots_dir();
    server.run_browser_script(
        "screens.mjs",
        &[
            OsStr::new("admin"),
            OsStr::new("superviseur"),
            OsStr::new("enqueteur1"),
            OsStr::new(PASSWORD),
        ],
        &screenshots,
    );
}

/// The questionnaire is shown under its file name: the server's folders never reach a page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_set_up_page_names_the_questionnaire_file_without_the_server_path() {
    let db = TestDb::new(Backend::Sqlite).await;
    let server = Server::start(&db, DemoSize::new(1, 1)).await;
    let supervisor = server.login("superviseur").await;
    let html = supervisor
        .http
        .get(format!("{}/mise-en-place", server.base))
        .send()
        .await
        .expect("set-up page")
        .text()
        .await
        .expect("page text");
    let questionnaire = cati_e2e::fixture_questionnaire();
    let name = questionnaire.file_name().and_then(OsStr::to_str).unwrap();
    let folder = questionnaire.parent().and_then(|p| p.to_str()).unwrap();
    assert!(html.contains(name), "{html}");
    assert!(!html.contains(folder), "{html}");
}
