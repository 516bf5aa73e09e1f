//! Server-rendered pages in French (maud), with a small vendored script for the keyboard.

mod analysis;
mod dashboard;
mod fieldwork;
mod journal;
mod login;
mod manage;
mod results;
mod setup;
mod workstation;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, html};

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorMessage};
use crate::state::AppState;
use crate::store::users::Role;

/// The page routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/connexion", get(login::form).post(login::submit))
        .route("/deconnexion", post(login::logout))
        .route("/poste", get(workstation::home))
        .route("/poste/suivant", post(workstation::next))
        .route("/poste/cas", get(workstation::case))
        .route("/poste/issue", post(workstation::outcome))
        .route(
            "/poste/entretien",
            get(workstation::interview).post(workstation::start),
        )
        .route("/poste/entretien/reponse", post(workstation::answer))
        .route("/poste/entretien/retour", post(workstation::back))
        .route("/poste/entretien/langue", post(workstation::language))
        .route("/poste/entretien/rappel", post(workstation::callback))
        .route("/poste/entretien/abandon", post(workstation::break_off))
        .route("/echantillon", get(manage::sample))
        .route("/echantillon/cas/{id}", get(manage::case_page))
        .route("/journal", get(journal::page))
        .route("/terrain", get(fieldwork::page))
        .route("/terrain/regles", post(fieldwork::set_rules))
        .route("/echantillon/cas/{id}/action", post(manage::case_action))
        .route("/suivi", get(manage::progress))
        .merge(dashboard::router())
        .route("/analyses", get(analysis::page))
        .route("/resultats", get(results::page))
        .route("/resultats/regles", post(results::set_rules))
        .route("/analyses/vagues/{id}/export", get(analysis::download))
        .route(
            "/admin/utilisateurs",
            get(manage::users).post(manage::create_user),
        )
        .route("/admin/utilisateurs/{id}/etat", post(manage::toggle_user))
        .route("/mise-en-place", get(setup::page))
        .route("/mise-en-place/vagues", post(setup::create_wave))
        .route(
            "/mise-en-place/vagues/{id}/etat",
            post(setup::change_status),
        )
        .route("/mise-en-place/enquetes/{id}/comparer", get(setup::compare))
        .merge(
            Router::new()
                .route("/mise-en-place/enquetes", post(setup::create_survey))
                .route(
                    "/mise-en-place/enquetes/{id}/questionnaires",
                    post(setup::upload_version),
                )
                .route(
                    "/mise-en-place/vagues/{id}/ponderation",
                    post(setup::set_weighting),
                )
                .layer(DefaultBodyLimit::max(crate::server::UPLOAD_LIMIT)),
        )
        .merge(
            Router::new()
                .route(
                    "/mise-en-place/vagues/{id}/echantillon",
                    post(setup::import_sample),
                )
                .layer(DefaultBodyLimit::max(crate::server::SAMPLE_LIMIT)),
        )
        .route(
            "/mise-en-place/vagues/{id}/replicat",
            post(setup::release_replicate),
        )
        .route(
            "/admin/utilisateurs/{id}/mot-de-passe",
            post(manage::reset_password),
        )
}

async fn home(user: CurrentUser) -> Redirect {
    Redirect::to(match user.role {
        Role::Interviewer => "/poste",
        Role::Supervisor | Role::Admin => "/echantillon",
        Role::Analyst => "/suivi",
    })
}

/// A form the service refused: its French message, shown on the form's page sent again, and the
/// refusal's 4xx status, which that page is sent with.
#[derive(Debug)]
pub(crate) struct Refused {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

/// A form's outcome as its page shows it: done, or refused with the service's French message.
/// A failure of the server itself is not the user's to fix: it stays an error (an error page).
pub(crate) fn refusal<T>(result: Result<T, AppError>) -> Result<Result<T, Refused>, AppError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(e) if e.status().is_server_error() => Err(e),
        Err(refused) => Ok(Err(Refused {
            status: refused.status(),
            message: refused.to_string(),
        })),
    }
}

/// A form's page sent again: with the refusal's status when it shows one, 200 otherwise.
pub(crate) fn form_page(refused: Option<&Refused>, page: Markup) -> Response {
    let status = refused.map_or(StatusCode::OK, |r| r.status);
    (status, Html(page.into_string())).into_response()
}

/// The common page frame.
pub(crate) fn layout(title: &str, user: Option<&CurrentUser>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="fr" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — cati" }
                link rel="icon" type="image/svg+xml" href="/assets/favicon.svg";
                link rel="stylesheet" href="/assets/cati.css";
                script src="/assets/workstation.js" defer {}
            }
            body {
                header {
                    strong { "cati" }
                    @if let Some(user) = user {
                        nav {
                            @match user.role {
                                Role::Interviewer => { a href="/poste" { "Poste d'enquête" } }
                                Role::Supervisor => { a href="/mise-en-place" { "Mise en place" } " " a href="/echantillon" { "Échantillon" } " " a href="/suivi" { "Suivi" } " " a href="/terrain" { "Terrain" } " " a href="/tableau-de-bord" { "Tableau de bord" } " " a href="/analyses" { "Analyses" } " " a href="/resultats" { "Résultats" } " " a href="/journal" { "Journal" } }
                                Role::Admin => {
                                    a href="/mise-en-place" { "Mise en place" } " " a href="/echantillon" { "Échantillon" } " " a href="/suivi" { "Suivi" } " " a href="/terrain" { "Terrain" } " " a href="/tableau-de-bord" { "Tableau de bord" } " "
                                    a href="/analyses" { "Analyses" } " " a href="/resultats" { "Résultats" } " " a href="/journal" { "Journal" } " " a href="/admin/utilisateurs" { "Utilisateurs" }
                                }
                                Role::Analyst => { a href="/suivi" { "Suivi" } " " a href="/analyses" { "Analyses" } " " a href="/resultats" { "Résultats" } }
                            }
                        }
                        form.inline method="post" action="/deconnexion" {
                            span { (user.user.display_name) " (" (user.role.label()) ") " }
                            button type="submit" { "Se déconnecter" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// Turns error responses of page routes into HTML pages; 401 goes to the login page.
pub async fn html_errors(request: Request, next: Next) -> Response {
    let is_page = {
        let path = request.uri().path();
        !(path.starts_with("/api/")
            || path == "/api"
            || path.starts_with("/assets/")
            || path == "/healthz")
    };
    let response = next.run(request).await;
    if !is_page {
        return response;
    }
    let Some(ErrorMessage(message)) = response.extensions().get::<ErrorMessage>().cloned() else {
        return response;
    };
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED {
        return Redirect::to("/connexion").into_response();
    }
    let body = layout(
        "Erreur",
        None,
        html! {
            h1 { "Erreur " (status.as_u16()) }
            p.error role="alert" { (message) }
            p { a href="/" { "Retour à l'accueil" } }
        },
    );
    let mut page = (status, Html(body.into_string())).into_response();
    page.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    page
}
