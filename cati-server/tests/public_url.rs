//! Behind a TLS proxy (`--public-url https://…`): session cookies are `Secure`, and a
//! state-changing request is accepted only from the public origin — scheme, host and port.

use axum::http::{StatusCode, header};
use cati_server::state::Settings;
use tower::ServiceExt;

mod app;
use app::{app_with_interviewer, login_request as login};

#[tokio::test]
async fn behind_https_cookies_are_secure_and_only_the_public_origin_may_write() {
    let settings = Settings {
        public_origin: cati_server::auth::csrf::public_origin("https://cati.exemple.fr"),
        secure_cookies: true,
        ..Settings::default()
    };
    let (_dir, app) = app_with_interviewer(settings, 120).await;

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
