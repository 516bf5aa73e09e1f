use cati_e2e::{Backend, DemoSize, FIXTURE_ROUTE, Server, TestDb};
use reqwest::StatusCode;

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
