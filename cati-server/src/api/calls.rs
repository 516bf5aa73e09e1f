//! `/api/cases/…`: next case, case view, call outcomes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::auth::CurrentUser;
use crate::error::{ApiJson, ApiPath, AppError};
use crate::scheduling::outcomes::CallOutcome;
use crate::services::calls::{self, CaseView, OutcomeRequest};
use crate::state::AppState;

pub async fn next(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<CaseView>, AppError> {
    calls::next(&state, &user)
        .await?
        .map(Json)
        .ok_or_else(|| AppError::not_found("aucun cas à appeler pour le moment"))
}

pub async fn current(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<CaseView>, AppError> {
    calls::current(&state, &user)
        .await?
        .map(Json)
        .ok_or_else(|| AppError::not_found("vous ne détenez aucun cas"))
}

pub async fn case(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CaseView>, AppError> {
    Ok(Json(calls::case(&state, &user, id).await?))
}

pub async fn outcome(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<OutcomeRequest>,
) -> Result<StatusCode, AppError> {
    calls::record_outcome(&state, &user, id, &request).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One call outcome as listed by `/api/outcomes`.
#[derive(Serialize)]
pub struct OutcomeInfo {
    name: &'static str,
    label: &'static str,
    aapor_code: &'static str,
}

pub async fn outcomes(_user: CurrentUser) -> Json<Vec<OutcomeInfo>> {
    Json(
        CallOutcome::ALL
            .iter()
            .map(|o| OutcomeInfo {
                name: o.as_str(),
                label: o.label(),
                aapor_code: o.aapor_code(),
            })
            .collect(),
    )
}
