//! `/api/cases/…`: next case, case view, call outcomes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{ApiJson, ApiPath, AppError, ErrorBody};
use crate::services::calls::{self, CaseView, OutcomeRequest};
use crate::state::AppState;
use fieldwork::{Outcome, OutcomeFrame};

#[utoipa::path(
    post,
    path = "/cases/next",
    tag = "appels",
    summary = "Prend le cas suivant à appeler (ou renvoie celui déjà détenu)",
    responses(
        (status = 200, description = "Le cas", body = CaseView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn next(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<CaseView>, AppError> {
    calls::next(&state, &user)
        .await?
        .map(Json)
        .ok_or_else(|| AppError::not_found("aucun cas à appeler pour le moment"))
}

#[utoipa::path(
    get,
    path = "/cases/current",
    tag = "appels",
    summary = "Le cas détenu",
    responses(
        (status = 200, description = "Le cas", body = CaseView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn current(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<CaseView>, AppError> {
    calls::current(&state, &user)
        .await?
        .map(Json)
        .ok_or_else(|| AppError::not_found("vous ne détenez aucun cas"))
}

#[utoipa::path(
    get,
    path = "/cases/{id}",
    tag = "appels",
    summary = "Un cas (enquêteur qui le détient, superviseurs)",
    params(("id" = Uuid, Path, description = "Identifiant")),
    responses(
        (status = 200, description = "Le cas", body = CaseView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn case(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<CaseView>, AppError> {
    Ok(Json(calls::case(&state, &user, id).await?))
}

#[utoipa::path(
    post,
    path = "/cases/{id}/outcome",
    tag = "appels",
    summary = "Enregistre l’issue d’un appel et libère le cas",
    params(("id" = Uuid, Path, description = "Identifiant")),
    request_body = OutcomeRequest,
    responses(
        (status = 204, description = "Enregistré"),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn outcome(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<OutcomeRequest>,
) -> Result<StatusCode, AppError> {
    calls::record_outcome(&state, &user, id, &request).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One call outcome as listed by `/api/outcomes`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OutcomeInfo {
    name: &'static str,
    label: String,
    aapor_code: String,
}

#[utoipa::path(
    get,
    path = "/outcomes",
    tag = "appels",
    summary = "Les issues d’appel possibles",
    responses(
        (status = 200, description = "Issues", body = [OutcomeInfo]),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn outcomes(_user: CurrentUser) -> Json<Vec<OutcomeInfo>> {
    let frame = OutcomeFrame::default();
    Json(
        Outcome::CALLS
            .iter()
            .map(|o| OutcomeInfo {
                name: o.as_str(),
                label: frame.spec(*o).label.clone(),
                aapor_code: frame.spec(*o).aapor.as_str().to_owned(),
            })
            .collect(),
    )
}
