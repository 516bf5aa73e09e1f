//! What the tests of the whole HTTP application share: the application on a scratch SQLite
//! database with one interviewer account, and its login request.

use cati_server::auth::Actor;
use cati_server::store::Db;

/// The password of the accounts the tests create.
pub const PASSWORD: &str = "mot-de-passe-de-test-assez-long";

/// The whole application (`server::app`) on a scratch SQLite database holding the interviewer
/// account `enq` ([`PASSWORD`]), sessions ending after `session_idle_minutes`; the directory
/// holds the database and must outlive the application.
pub async fn app_with_interviewer(
    settings: cati_server::state::Settings,
    session_idle_minutes: i64,
) -> (tempfile::TempDir, axum::Router) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("app.db").display());
    let db = Db::connect(&url, 4).await.expect("sqlite database");
    cati_server::services::accounts::create(
        &db,
        Actor::Operator,
        "enq",
        "Enquêtrice",
        cati_server::store::users::Role::Interviewer,
        PASSWORD,
    )
    .await
    .expect("account");
    let state = cati_server::server::state(db, settings)
        .await
        .expect("state");
    let app = cati_server::server::app(state, session_idle_minutes)
        .await
        .expect("application");
    (dir, app)
}

/// `POST /api/login` as `enq`, from `origin` (with the host `cati.exemple.fr`) when given.
pub fn login_request(origin: Option<&str>) -> axum::http::Request<axum::body::Body> {
    use axum::http::header;
    let mut request =
        axum::http::Request::post("/api/login").header(header::CONTENT_TYPE, "application/json");
    if let Some(origin) = origin {
        request = request
            .header(header::ORIGIN, origin)
            .header(header::HOST, "cati.exemple.fr");
    }
    request
        .body(axum::body::Body::from(format!(
            r#"{{"username": "enq", "password": "{PASSWORD}"}}"#
        )))
        .expect("request")
}
