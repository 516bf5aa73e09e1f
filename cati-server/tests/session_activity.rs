//! A session expires after a period without activity, not a fixed time after login: the
//! requests of a working user push its expiry back (saving the session at most once per
//! quarter of the idle period, not at every request).

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

mod app;
use app::{app_with_interviewer, login_request};

fn me(cookie: &str) -> Request<Body> {
    Request::get("/api/me")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
}

#[tokio::test]
async fn activity_pushes_back_the_expiry_of_a_session() {
    // Sessions idle for one minute expire: a quarter of it is 15 s.
    let (_dir, app) = app_with_interviewer(Default::default(), 1).await;
    let response = app
        .clone()
        .oneshot(login_request(None))
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
