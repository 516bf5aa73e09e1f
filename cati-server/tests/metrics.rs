//! `GET /metrics` through the whole application, in-process on a temporary SQLite file: absent
//! without a token, behind the bearer token when one is set, open on the separate metrics
//! listener; and the service counters as the workstation drives them.

use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{Request, Response, StatusCode};
use cati_server::auth::CurrentUser;
use cati_server::sample::demo::{self, DemoOptions};
use cati_server::services::calls;
use cati_server::services::interview::service as interview;
use cati_server::state::{AppState, Settings};
use cati_server::store::Db;
use cati_server::store::interviews::InterviewStatus;
use cati_server::store::users::{self, Role};
use cati_server::telemetry::endpoint::metrics_listener_app;
use cati_server::telemetry::metrics::PoolUsage;
use cati_server::telemetry::token::MetricsToken;
use tower::ServiceExt;

const TOKEN: &str = "jeton-de-test-0123456789";

/// A server state on a fresh database; the directory lives as long as the state is used.
async fn state(token: Option<&str>) -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let db = Db::connect(&url, 4).await.expect("sqlite database");
    let settings = Settings {
        metrics_token: token.map(|t| MetricsToken::parse(t).expect("valid token")),
        ..Settings::default()
    };
    let state = cati_server::server::state(db, settings)
        .await
        .expect("state");
    (state, dir)
}

async fn app(state: &AppState) -> Router {
    cati_server::server::app(state.clone(), 120)
        .await
        .expect("application")
}

fn get(uri: &str, bearer: Option<&str>) -> Request<Body> {
    let mut request = Request::get(uri);
    if let Some(token) = bearer {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::empty()).expect("request")
}

async fn text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    String::from_utf8(bytes.to_vec()).expect("UTF-8 body")
}

#[tokio::test]
async fn metrics_are_not_served_on_the_main_listener_without_a_configured_token() {
    let (state, _dir) = state(None).await;
    let response = app(&state)
        .await
        .oneshot(get("/metrics", Some(TOKEN)))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn metrics_without_the_token_are_refused_with_a_french_json_error() {
    let (state, _dir) = state(Some(TOKEN)).await;
    let response = app(&state)
        .await
        .oneshot(get("/metrics", None))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[WWW_AUTHENTICATE], "Bearer");
    let body: serde_json::Value = serde_json::from_str(&text(response).await).expect("JSON");
    let message = body["error"].as_str().expect("an error message");
    assert!(message.contains("jeton d'accès aux métriques"), "{message}");
}

#[tokio::test]
async fn metrics_with_a_wrong_token_are_refused() {
    let (state, _dir) = state(Some(TOKEN)).await;
    let response = app(&state)
        .await
        .oneshot(get("/metrics", Some("jeton-de-test-0123456780")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn with_the_token_metrics_show_request_latencies_by_route_and_the_pool() {
    let (state, _dir) = state(Some(TOKEN)).await;
    let app = app(&state).await;
    let health = app.clone().oneshot(get("/healthz", None)).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert!(
        health.headers().contains_key("x-request-id"),
        "every response carries its request id"
    );
    let response = app.oneshot(get("/metrics", Some(TOKEN))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
    );
    let text = text(response).await;
    assert!(
        text.contains("# TYPE cati_http_request_duration_seconds histogram"),
        "{text}"
    );
    assert!(
        text.contains(
            "cati_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\",status=\"2xx\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("cati_db_connections{state=\"idle\"}"),
        "{text}"
    );
    assert!(text.contains("\ncati_live_streams_open 0\n"), "{text}");
}

#[tokio::test]
async fn the_separate_metrics_listener_serves_metrics_without_a_token() {
    let (state, _dir) = state(None).await;
    let response = metrics_listener_app(state)
        .oneshot(get("/metrics", None))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(text(response).await.contains("cati_answers_saved_total 0"));
}

/// Loads the demo (`questionnaire`: a file of the crate, or the observatory's by default).
async fn demo(state: &AppState, questionnaire: Option<&str>, cases: u32, interviewers: u32) {
    let options = DemoOptions {
        questionnaire: questionnaire
            .map(|file| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file)),
        cases,
        interviewers,
        password: Some("un-mot-de-passe-de-test".to_owned()),
        simulated: 0,
    };
    demo::load(&state.db, &options).await.expect("demo data");
}

async fn interviewer(state: &AppState, username: &str) -> CurrentUser {
    let mut tx = state.db.read().await.expect("transaction");
    let user = users::by_username(&mut tx, username)
        .await
        .expect("lookup")
        .expect("demo interviewer");
    tx.commit().await.expect("commit");
    CurrentUser {
        user,
        role: Role::Interviewer,
        csrf_token: String::new(),
    }
}

/// Takes the next case, starts its interview and gives `answers` in order; returns the
/// interview's status afterwards.
async fn interview_with(
    state: &AppState,
    who: &CurrentUser,
    answers: &[serde_json::Value],
) -> InterviewStatus {
    let case = calls::next(state, who)
        .await
        .expect("next case")
        .expect("a case is due");
    let mut view = interview::start(state, who, case.case_id)
        .await
        .expect("interview");
    for answer in answers {
        let request = serde_json::from_value(answer.clone()).expect("answer request");
        view = interview::submit(state, who, view.interview_id, request)
            .await
            .expect("answer saved");
    }
    view.status
}

fn exposition(state: &AppState) -> String {
    state
        .metrics
        .render(PoolUsage::of(state.db.pool()), 0)
        .expect("exposition")
}

#[tokio::test]
async fn a_case_counts_as_claimed_once_and_every_saved_answer_counts() {
    let (state, _dir) = state(None).await;
    demo(&state, Some("assets/fixture-questionnaire.toml"), 3, 1).await;
    let interviewer = interviewer(&state, "enqueteur1").await;

    let case = calls::next(&state, &interviewer)
        .await
        .expect("next case")
        .expect("a case is due");
    let again = calls::next(&state, &interviewer)
        .await
        .expect("next case")
        .expect("the held case");
    assert_eq!(again.case_id, case.case_id);

    let started = interview::start(&state, &interviewer, case.case_id)
        .await
        .expect("interview");
    for answer in [
        serde_json::json!({ "var": "INTRO" }),
        serde_json::json!({ "var": "AGE", "value": "42" }),
    ] {
        let request = serde_json::from_value(answer).expect("answer request");
        interview::submit(&state, &interviewer, started.interview_id, request)
            .await
            .expect("answer saved");
    }

    let text = exposition(&state);
    assert!(text.contains("\ncati_cases_claimed_total 1\n"), "{text}");
    assert!(text.contains("\ncati_answers_saved_total 2\n"), "{text}");
}

#[tokio::test]
async fn quota_acceptances_and_screen_outs_are_counted() {
    let (state, _dir) = state(None).await;
    // 28 cases: the demo plan gives each of the 28 communes' cells a single place.
    demo(&state, None, 28, 2).await;
    let up_to_the_quota_point = [
        serde_json::json!({ "var": "INTRO" }),
        serde_json::json!({ "var": "CONSENTEMENT", "codes": [1] }),
        serde_json::json!({ "var": "COMMUNE", "codes": [33063] }),
        serde_json::json!({ "var": "SEXE", "codes": [2] }),
        serde_json::json!({ "var": "AGE", "value": "40" }),
    ];
    let first = interviewer(&state, "enqueteur1").await;
    let status = interview_with(&state, &first, &up_to_the_quota_point).await;
    assert_eq!(status, InterviewStatus::InProgress);
    let second = interviewer(&state, "enqueteur2").await;
    let status = interview_with(&state, &second, &up_to_the_quota_point).await;
    assert_eq!(
        status,
        InterviewStatus::ScreenedOut,
        "Bordeaux's place is taken"
    );

    let text = exposition(&state);
    assert!(
        text.contains("\ncati_quota_reservations_total 1\n"),
        "{text}"
    );
    assert!(
        text.contains("\ncati_quota_screen_outs_total 1\n"),
        "{text}"
    );
    assert!(text.contains("\ncati_cases_claimed_total 2\n"), "{text}");
    assert!(text.contains("\ncati_answers_saved_total 10\n"), "{text}");
}
