//! Behind a TLS proxy (`--public-url https://…`): session cookies are `Secure`, and a
//! state-changing request is accepted only from the public origin — scheme, host and port.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cati_server::auth::Actor;
use cati_server::services::accounts;
use cati_server::state::Settings;
use cati_server::store::Db;
use cati_server::store::users::Role;
use tower::ServiceExt;

const PASSWORD: &str = "mot-de-passe-de-test-assez-long";

fn login(origin: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/api/login").header(header::CONTENT_TYPE, "application/json");
    if let Some(origin) = origin {
        request = request
            .header(header::ORIGIN, origin)
            .header(header::HOST, "cati.exemple.fr");
    }
    request
        .body(Body::from(format!(
            r#"{{"username": "enq", "password": "{PASSWORD}"}}"#
        )))
        .expect("request")
}

#[tokio::test]
async fn behind_https_cookies_are_secure_and_only_the_public_origin_may_write() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("p.db").display());
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
    let settings = Settings {
        public_origin: cati_server::auth::csrf::public_origin("https://cati.exemple.fr"),
        secure_cookies: true,
        ..Settings::default()
    };
    let state = cati_server::server::state(db, settings)
        .await
        .expect("state");
    let app = cati_server::server::app(state, 120)
        .await
        .expect("application");

    let response = app.clone().oneshot(login(None)).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("text");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");

    let response = app
        .clone()
        .oneshot(login(Some("https://cati.exemple.fr")))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    for other in [
        "http://cati.exemple.fr",
        "https://cati.exemple.fr:8443",
        "https://autre.fr",
    ] {
        let response = app
            .clone()
            .oneshot(login(Some(other)))
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{other}");
    }
}
