//! A session expires after a period without activity, not a fixed time after login: the
//! requests of a working user push its expiry back (saving the session at most once per
//! quarter of the idle period, not at every request).

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cati_server::auth::Actor;
use cati_server::services::accounts;
use cati_server::store::Db;
use cati_server::store::users::Role;
use tower::ServiceExt;

const PASSWORD: &str = "mot-de-passe-de-test-assez-long";

fn me(cookie: &str) -> Request<Body> {
    Request::get("/api/me")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
}

#[tokio::test]
async fn activity_pushes_back_the_expiry_of_a_session() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    let db = Db::connect(&url, 4).await.expect("sqlite database");
    accounts::create(
        &db,
        Actor::Operator,
        "enq",
        "Enquêtrice",
        Role::Interviewer,
        PASSWORD,
    )
    .await
    .expect("account");
    let state = cati_server::server::state(db, Default::default())
        .await
        .expect("state");
    // Sessions idle for one minute expire: a quarter of it is 15 s.
    let app = cati_server::server::app(state, 1)
        .await
        .expect("application");
    let response = app
        .clone()
        .oneshot(
            Request::post("/api/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(format!(
                    r#"{{"username": "enq", "password": "{PASSWORD}"}}"#
                )))
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("text")
        .split(';')
        .next()
        .expect("cookie")
        .to_owned();

    // Just after login, reading changes nothing: no save, no new cookie.
    let response = app.clone().oneshot(me(&cookie)).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(header::SET_COOKIE).is_none());

    // Past a quarter of the idle period, a request saves the session again with a new expiry.
    tokio::time::sleep(Duration::from_secs(16)).await;
    let response = app.clone().oneshot(me(&cookie)).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let renewed = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("text");
    assert!(renewed.contains("Max-Age=60"), "{renewed}");
    let response = app.clone().oneshot(me(&cookie)).await.expect("response");
    assert!(response.headers().get(header::SET_COOKIE).is_none());
}
