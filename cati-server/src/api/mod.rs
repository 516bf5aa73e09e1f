//! The JSON API under `/api/`: everything the pages do. Described by `/api/openapi.json`
//! (`openapi.json` next to this file, kept by hand; a test checks every route is in it).

mod account;
mod calls;
pub(crate) mod exports;
mod interviews;
mod manage;
mod quotas;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::state::AppState;

/// The OpenAPI 3.1 description of this API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The `/api` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/login", post(account::login))
        .route("/logout", post(account::logout))
        .route("/me", get(account::me))
        .route("/cases/next", post(calls::next))
        .route("/cases/current", get(calls::current))
        .route("/cases/{id}", get(calls::case))
        .route("/cases/{id}/outcome", post(calls::outcome))
        .route("/cases/{id}/interview", post(interviews::start))
        .route("/interviews/{id}", get(interviews::view))
        .route(
            "/interviews/{id}/answers",
            get(interviews::answers).post(interviews::submit),
        )
        .route("/interviews/{id}/back", post(interviews::back))
        .route("/interviews/{id}/callback", post(interviews::callback))
        .route("/interviews/{id}/break-off", post(interviews::break_off))
        .route("/outcomes", get(calls::outcomes))
        .route("/waves", get(manage::waves))
        .route("/waves/{id}/sample", get(manage::sample))
        .route("/waves/{id}/progress", get(manage::progress))
        .route("/waves/{id}/export", get(exports::download))
        .route(
            "/waves/{id}/quotas",
            get(quotas::wave_quotas).post(quotas::attach_design),
        )
        .route("/quota-cells/{id}", post(quotas::update_cell))
        .route("/users", get(manage::users).post(manage::create_user))
        .route("/users/{id}/password", post(manage::password))
        .route("/users/{id}/disabled", post(manage::disabled))
        .route("/audit", get(manage::audit))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

#[cfg(test)]
mod tests {
    use super::OPENAPI;

    #[test]
    fn every_api_route_is_described_in_the_openapi_document() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("openapi.json parses");
        let paths = doc["paths"].as_object().expect("paths");
        let source = include_str!("mod.rs");
        let routes: Vec<&str> = source
            .split(".route(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(routes.len() > 10);
        for route in routes {
            let path = format!("/api{route}");
            assert!(
                paths.contains_key(&path),
                "{path} missing from openapi.json"
            );
        }
    }
}
