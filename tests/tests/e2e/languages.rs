//! An interview switched from one language of its questionnaire to another, mid-way, over the
//! API: what the interviewer reads changes, what was answered does not, and the choice holds
//! when the interview is read again.

use cati_e2e::{Backend, DemoSize, Server, TestDb, answer_step};
use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_backends;

async fn interview_switched_to_english_reads_on_in_english(backend: Backend) {
    let db = TestDb::new(backend).await;
    let size = DemoSize {
        questionnaire: cati_e2e::observatory_questionnaire(),
        ..DemoSize::new(5, 1)
    };
    let server = Server::start(&db, size).await;
    let interviewer = server.login("enqueteur1").await;
    let case = interviewer.next_case().await;
    let case_id = case["case_id"].as_str().unwrap();
    let mut view = interviewer.start_interview(case_id).await;
    let id = view["interview_id"].as_str().unwrap().to_owned();
    assert_eq!(view["language"], "fr", "{view}");
    assert_eq!(
        view["languages"],
        json!([{ "code": "fr", "name": "Français" }, { "code": "en", "name": "English" }])
    );

    // A few questions in French, then the respondent prefers English.
    for _ in 0..3 {
        view = answer_step(&interviewer, &view, "33063").await;
    }
    let french = view["step"].clone();
    let (status, english) = interviewer
        .post(
            &format!("/api/interviews/{id}/language"),
            &json!({ "language": "en" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{english}");
    assert_eq!(english["language"], "en");
    assert_eq!(english["step"]["var"], french["var"], "the same question");
    assert_ne!(
        english["step"]["text"], french["text"],
        "read in English: {english}"
    );
    assert_eq!(english["route"], view["route"], "answers stay as they were");

    // Read again (another tab, a reload, a resumed interview): still in English, and the next
    // question too.
    let (status, again) = interviewer.get(&format!("/api/interviews/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["language"], "en");
    assert_eq!(again["step"]["text"], english["step"]["text"]);
    let next = answer_step(&interviewer, &again, "33063").await;
    assert_eq!(next["language"], "en");

    // A language the questionnaire does not have is refused in French, naming those it has.
    let (status, refused) = interviewer
        .post(
            &format!("/api/interviews/{id}/language"),
            &json!({ "language": "de" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let message = refused["error"].as_str().unwrap_or_default();
    assert!(
        message.contains("« de » inconnue") && message.contains("Français, English"),
        "{refused}"
    );

    // Only the interviewer holding the case switches its interview.
    let supervisor = server.login("superviseur").await;
    let (status, _) = supervisor
        .post(
            &format!("/api/interviews/{id}/language"),
            &json!({ "language": "fr" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Back to French: the question reads as it did in French.
    let (status, back) = interviewer
        .post(
            &format!("/api/interviews/{id}/language"),
            &json!({ "language": "fr" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["language"], "fr");
    assert_eq!(back["step"]["var"], next["step"]["var"]);
    assert_ne!(back["step"]["text"], next["step"]["text"]);
}
on_both_backends!(interview_switched_to_english_reads_on_in_english);
