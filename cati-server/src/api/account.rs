//! `/api/login`, `/api/logout`, `/api/me`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tower_sessions::Session;

use crate::auth::client::ClientAddress;
use crate::auth::{self, CurrentUser, Me};
use crate::error::{ApiJson, AppError, ErrorBody};
use crate::state::AppState;

/// Credentials.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    password: String,
}

#[utoipa::path(
    post,
    path = "/login",
    tag = "compte",
    summary = "Ouvre une session (cookie) et renvoie le jeton CSRF",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Connecté", body = Me),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    client: ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<Me>, AppError> {
    let user = auth::login(
        &state,
        &session,
        client,
        &request.username,
        &request.password,
    )
    .await?;
    Ok(Json(user.me()))
}

#[utoipa::path(
    post,
    path = "/logout",
    tag = "compte",
    summary = "Ferme la session",
    responses(
        (status = 204, description = "Déconnecté"),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn logout(session: Session) -> Result<StatusCode, AppError> {
    auth::logout(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/me",
    tag = "compte",
    summary = "L’utilisateur connecté",
    responses(
        (status = 200, description = "Utilisateur", body = Me),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn me(user: CurrentUser) -> Json<Me> {
    Json(user.me())
}
