use cati_e2e::{Backend, Client, DemoSize, PASSWORD, Server, TestDb};
use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_backends;

fn assert_error(reply: &(StatusCode, serde_json::Value), status: StatusCode, what: &str) {
    assert_eq!(reply.0, status, "{what}: {}", reply.1);
    assert!(
        reply.1["error"].as_str().is_some_and(|m| !m.is_empty()),
        "{what} carries a message: {}",
        reply.1
    );
}

async fn bad_requests_get_a_4xx_with_a_message_and_the_server_keeps_serving(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server = Server::start(&db, DemoSize::new(5, 2)).await;
    let anonymous = Client::anonymous(&server.base);
    let json_header = [("content-type", "application/json")];

    assert_error(
        &anonymous
            .post_raw("/api/login", b"{\"username\": ".to_vec(), &json_header)
            .await,
        StatusCode::BAD_REQUEST,
        "malformed JSON",
    );
    assert_error(
        &anonymous
            .post("/api/login", &json!({ "username": 5, "password": [] }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "wrong types",
    );
    assert_error(
        &anonymous
            .post(
                "/api/login",
                &json!({ "username": "a", "password": "b", "admin": true }),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown field",
    );
    assert_error(
        &anonymous
            .post_raw(
                "/api/login",
                b"username=a".to_vec(),
                &[("content-type", "text/plain")],
            )
            .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "wrong content type",
    );
    assert_error(
        &anonymous.get("/api/cases/current").await,
        StatusCode::UNAUTHORIZED,
        "no session",
    );
    assert_error(
        &anonymous.get("/api/nowhere").await,
        StatusCode::NOT_FOUND,
        "unknown route",
    );
    let big = format!(
        "{{\"username\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(100 * 1024)
    );
    assert_error(
        &anonymous
            .post_raw("/api/login", big.into_bytes(), &json_header)
            .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "oversized body",
    );

    let first = server.login("enqueteur1").await;
    let second = server.login("enqueteur2").await;
    assert_error(
        &first.get("/api/cases/abc").await,
        StatusCode::BAD_REQUEST,
        "non-numeric id",
    );
    let case = first.next_case().await;
    let case_id = case["case_id"].as_str().unwrap().to_owned();
    let view = first.start_interview(&case_id).await;
    let interview_id = view["interview_id"].as_str().unwrap().to_owned();
    let answers = format!("/api/interviews/{interview_id}/answers");

    // Invalid answers.
    let next = first.answer_fixture_step(&view).await; // INTRO
    assert_eq!(next["step"]["var"], "AGE");
    assert_error(
        &first
            .post(&answers, &json!({ "var": "AGE", "value": "quarante" }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not a number",
    );
    assert_error(
        &first
            .post(&answers, &json!({ "var": "AGE", "value": "200" }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "out of range",
    );
    assert_error(
        &first
            .post(&answers, &json!({ "var": "SMARTPHONE", "codes": [1] }))
            .await,
        StatusCode::CONFLICT,
        "not the current question",
    );
    assert_error(
        &first
            .post(
                &answers,
                &json!({ "var": "AGE", "value": "4", "codes": [1] }),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "two forms of answer",
    );
    let soft = first
        .post(&answers, &json!({ "var": "AGE", "value": "104" }))
        .await;
    assert_error(&soft, StatusCode::UNPROCESSABLE_ENTITY, "soft check");
    assert_eq!(soft.1["confirm_required"], true);
    let (status, confirmed) = first
        .post(
            &answers,
            &json!({ "var": "AGE", "value": "104", "confirm": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "confirmed soft check: {confirmed}");
    assert_error(
        &first
            .post(
                &format!("/api/cases/{case_id}/outcome"),
                &json!({ "outcome": "teleportation" }),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown outcome",
    );
    assert_error(
        &first
            .post(
                &format!("/api/cases/{case_id}/outcome"),
                &json!({ "outcome": "appointment" }),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "appointment without a time",
    );

    // Another interviewer's case and interview.
    assert_error(
        &second.get(&format!("/api/cases/{case_id}")).await,
        StatusCode::FORBIDDEN,
        "another's case",
    );
    assert_error(
        &second
            .post(
                &format!("/api/cases/{case_id}/outcome"),
                &json!({ "outcome": "refusal" }),
            )
            .await,
        StatusCode::FORBIDDEN,
        "outcome on another's case",
    );
    assert_error(
        &second
            .post(&format!("/api/cases/{case_id}/interview"), &json!({}))
            .await,
        StatusCode::FORBIDDEN,
        "starting another's interview",
    );
    assert_error(
        &second.get(&format!("/api/interviews/{interview_id}")).await,
        StatusCode::FORBIDDEN,
        "reading another's interview",
    );
    assert_error(
        &second
            .post(&answers, &json!({ "var": "SMARTPHONE", "codes": [1] }))
            .await,
        StatusCode::FORBIDDEN,
        "answering another's interview",
    );

    // Cross-site requests.
    let no_token = first
        .post_raw("/api/cases/next", b"{}".to_vec(), &json_header)
        .await;
    assert_error(&no_token, StatusCode::FORBIDDEN, "missing CSRF token");
    let wrong_token = first
        .post_raw(
            "/api/cases/next",
            b"{}".to_vec(),
            &[
                ("content-type", "application/json"),
                ("x-csrf-token", "faux"),
            ],
        )
        .await;
    assert_error(&wrong_token, StatusCode::FORBIDDEN, "wrong CSRF token");
    let evil = first
        .post_raw(
            "/api/cases/next",
            b"{}".to_vec(),
            &[
                ("content-type", "application/json"),
                ("x-csrf-token", &first.csrf),
                ("origin", "http://evil.example"),
            ],
        )
        .await;
    assert_error(&evil, StatusCode::FORBIDDEN, "wrong origin");
    let cross_site = first
        .post_raw(
            "/api/cases/next",
            b"{}".to_vec(),
            &[
                ("content-type", "application/json"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_error(&cross_site, StatusCode::FORBIDDEN, "cross-site fetch");

    // Repeated failed logins lock the username: the fifth failure locks it, even for the right
    // password.
    for _ in 0..4 {
        assert_error(
            &anonymous
                .post(
                    "/api/login",
                    &json!({ "username": "enqueteur2", "password": "mauvais" }),
                )
                .await,
            StatusCode::UNAUTHORIZED,
            "bad password",
        );
    }
    assert_error(
        &anonymous
            .post(
                "/api/login",
                &json!({ "username": "enqueteur2", "password": "mauvais" }),
            )
            .await,
        StatusCode::TOO_MANY_REQUESTS,
        "fifth failure",
    );
    assert_error(
        &anonymous
            .post(
                "/api/login",
                &json!({ "username": "enqueteur2", "password": PASSWORD }),
            )
            .await,
        StatusCode::TOO_MANY_REQUESTS,
        "locked",
    );

    // Still serving, and the interview is intact.
    let (status, _) = anonymous.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let (status, view) = first.get(&format!("/api/interviews/{interview_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["step"]["var"], "SMARTPHONE");
}
on_both_backends!(bad_requests_get_a_4xx_with_a_message_and_the_server_keeps_serving);
