//! `/api/login`, `/api/logout`, `/api/me`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tower_sessions::Session;

use crate::auth::{self, CurrentUser, Me};
use crate::error::{ApiJson, AppError};
use crate::state::AppState;

/// Credentials.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    session: Session,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<Me>, AppError> {
    let user = auth::login(&state, &session, &request.username, &request.password).await?;
    Ok(Json(user.me()))
}

pub async fn logout(session: Session) -> Result<StatusCode, AppError> {
    auth::logout(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(user: CurrentUser) -> Json<Me> {
    Json(user.me())
}
