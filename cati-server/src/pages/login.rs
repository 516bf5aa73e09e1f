//! The login page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use tower_sessions::Session;

use super::layout;
use crate::auth;
use crate::auth::client::ClientAddress;
use crate::error::{ApiForm, AppError};
use crate::state::AppState;

pub async fn form() -> Html<String> {
    page(None, "")
}

fn page(error: Option<&str>, username: &str) -> Html<String> {
    Html(
        layout(
            "Connexion",
            None,
            html! {
                h1 { "Connexion" }
                @if let Some(error) = error { p.error role="alert" { (error) } }
                form method="post" action="/connexion" {
                    label { "Identifiant " input name="username" autocomplete="username" autofocus value=(username); }
                    label { "Mot de passe " input type="password" name="password" autocomplete="current-password"; }
                    button type="submit" { "Se connecter" }
                }
            },
        )
        .into_string(),
    )
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    client: ClientAddress,
    ApiForm(form): ApiForm<LoginForm>,
) -> Result<Response, AppError> {
    match auth::login(&state, &session, client, &form.username, &form.password).await {
        Ok(_) => Ok(Redirect::to("/").into_response()),
        Err(
            e @ (AppError::BadCredentials | AppError::TooManyRequests { .. } | AppError::Busy(_)),
        ) => Ok((e.status(), page(Some(&e.to_string()), &form.username)).into_response()),
        Err(e) => Err(e),
    }
}

pub async fn logout(session: Session) -> Result<Response, AppError> {
    auth::logout(&session).await?;
    Ok((StatusCode::SEE_OTHER, [("location", "/connexion")]).into_response())
}
