//! The JSON API under `/api/`: everything the pages do. Its OpenAPI 3.1 description,
//! `GET /api/openapi.json`, is generated from the handlers' own annotations and types
//! (utoipa): a route cannot exist without being described, and a described body is the type
//! the handler really returns.

mod account;
mod calls;
pub(crate) mod dashboard;
mod download;
pub(crate) mod exports;
mod interviews;
mod manage;
mod quotas;
pub(crate) mod results;
mod sample;
mod simulation;
mod surveys;
mod waves;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::routing::get;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The routes that take questionnaire files, whose bodies may be larger than the rest's.
fn uploads() -> OpenApiRouter<AppState> {
    let questionnaires = OpenApiRouter::new()
        .routes(routes!(surveys::list, surveys::create))
        .routes(routes!(surveys::upload))
        .routes(routes!(sample::do_not_call))
        .layer(DefaultBodyLimit::max(crate::server::UPLOAD_LIMIT));
    let samples = OpenApiRouter::new()
        .routes(routes!(sample::import))
        .layer(DefaultBodyLimit::max(crate::server::SAMPLE_LIMIT));
    questionnaires.merge(samples)
}

/// The `/api` routes, and the OpenAPI document describing them.
pub fn routes() -> (Router<AppState>, OpenApi) {
    let api = OpenApiRouter::new()
        .routes(routes!(account::login))
        .routes(routes!(account::logout))
        .routes(routes!(account::me))
        .routes(routes!(calls::next))
        .routes(routes!(calls::current))
        .routes(routes!(calls::case))
        .routes(routes!(calls::outcome))
        .routes(routes!(interviews::start))
        .routes(routes!(interviews::view))
        .routes(routes!(interviews::answers, interviews::submit))
        .routes(routes!(interviews::back))
        .routes(routes!(interviews::language))
        .routes(routes!(interviews::callback))
        .routes(routes!(interviews::break_off))
        .routes(routes!(calls::outcomes))
        .merge(uploads())
        .routes(routes!(surveys::show))
        .routes(routes!(surveys::diff))
        .routes(routes!(surveys::outcomes, surveys::set_outcomes))
        .routes(routes!(manage::waves, waves::create))
        .routes(routes!(waves::status))
        .routes(routes!(waves::rules, waves::set_rules))
        .routes(routes!(
            waves::weighting,
            waves::set_weighting,
            waves::remove_weighting
        ))
        .routes(routes!(simulation::clock, simulation::advance))
        .routes(routes!(waves::aapor))
        .routes(routes!(waves::productivity))
        .routes(routes!(sample::release))
        .routes(routes!(manage::sample))
        .routes(routes!(manage::case_action))
        .routes(routes!(manage::progress))
        .routes(routes!(dashboard::figures))
        .routes(routes!(dashboard::events))
        .routes(routes!(exports::download))
        .routes(routes!(results::results))
        .routes(routes!(results::results_csv))
        .routes(routes!(results::map_svg))
        .routes(routes!(results::open_data))
        .routes(routes!(results::publication, results::set_publication))
        .routes(routes!(quotas::wave_quotas, quotas::attach_design))
        .routes(routes!(quotas::update_cell))
        .routes(routes!(manage::users, manage::create_user))
        .routes(routes!(manage::password))
        .routes(routes!(manage::disabled))
        .routes(routes!(manage::converter))
        .routes(routes!(manage::audit));
    let (router, mut doc) = OpenApiRouter::new().nest("/api", api).split_for_parts();
    describe(&mut doc);
    let json = Arc::new(doc.to_pretty_json().unwrap_or_default());
    let router = router.route(
        "/api/openapi.json",
        get(move || {
            let json = Arc::clone(&json);
            async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    json.to_string(),
                )
            }
        }),
    );
    (router, doc)
}

/// The document's title, version and how a client authenticates: the session cookie set by
/// `POST /api/login`, and the `X-CSRF-Token` header (the token `login` and `me` return) on
/// every request that changes something.
fn describe(doc: &mut OpenApi) {
    doc.info.title = "cati — API".to_owned();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.info.description = Some(
        "API du serveur d'enquêtes téléphoniques cati. Ouvrez une session par `POST /api/login` \
         (cookie `cati_session`), puis envoyez l'en-tête `X-CSRF-Token` reçu sur toute requête \
         qui modifie quelque chose. Les erreurs sont `{\"error\": \"message en français\"}`."
            .to_owned(),
    );
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("cati_session"))),
    );
    components.add_security_scheme(
        "csrf",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-CSRF-Token"))),
    );
    doc.security = Some(vec![SecurityRequirement::new(
        "session",
        Vec::<String>::new(),
    )]);
}

#[cfg(test)]
mod tests {
    use super::routes;

    /// Surveys, waves, cases and interviews are known outside by UUIDs; accounts and quota
    /// cells (an organisation's staff, a wave's design) by 64-bit integers.
    #[test]
    fn every_path_id_is_a_uuid_or_a_64_bit_integer() {
        let doc: serde_json::Value =
            serde_json::from_str(&routes().1.to_json().expect("JSON")).expect("parses");
        let mut ids = 0;
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (_, operation) in item.as_object().expect("operations") {
                for param in operation["parameters"].as_array().into_iter().flatten() {
                    if param["in"] == "path" {
                        ids += 1;
                        let public = [
                            "/api/surveys/",
                            "/api/waves/",
                            "/api/cases/",
                            "/api/interviews/",
                        ]
                        .iter()
                        .any(|prefix| path.starts_with(prefix));
                        let format = if public { "uuid" } else { "int64" };
                        assert_eq!(param["schema"]["format"], format, "{path}");
                    }
                }
            }
        }
        assert!(ids > 10, "{ids} path parameters");
    }

    #[test]
    fn every_operation_declares_its_error_body() {
        let doc: serde_json::Value =
            serde_json::from_str(&routes().1.to_json().expect("JSON")).expect("parses");
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("operations") {
                let default = &operation["responses"]["default"]["content"]["application/json"];
                assert_eq!(
                    default["schema"]["$ref"], "#/components/schemas/ErrorBody",
                    "{method} {path}"
                );
            }
        }
    }
}
