//! `/api/interviews/…` and `/api/cases/{id}/interview`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{ApiJson, ApiPath, AppError, ErrorBody};
use crate::services::calls::appointment_of;
use crate::services::interview::service;
use crate::services::interview::view::{AnswerRequest, InterviewView};
use crate::state::AppState;
use crate::store::interviews::AnswerRow;

#[utoipa::path(
    post,
    path = "/cases/{id}/interview",
    tag = "entretiens",
    summary = "Commence (ou reprend) l’entretien du cas détenu",
    params(("id" = Uuid, Path, description = "Identifiant")),
    responses(
        (status = 200, description = "L’entretien", body = InterviewView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn start(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(case_id): ApiPath<Uuid>,
) -> Result<Json<InterviewView>, AppError> {
    Ok(Json(service::start(&state, &user, case_id).await?))
}

#[utoipa::path(
    get,
    path = "/interviews/{id}",
    tag = "entretiens",
    summary = "Un entretien et sa question courante",
    params(("id" = Uuid, Path, description = "Identifiant")),
    responses(
        (status = 200, description = "L’entretien", body = InterviewView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn view(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<InterviewView>, AppError> {
    Ok(Json(service::view(&state, &user, id).await?))
}

#[utoipa::path(
    post,
    path = "/interviews/{id}/answers",
    tag = "entretiens",
    summary = "Enregistre la réponse à la question courante",
    params(("id" = Uuid, Path, description = "Identifiant")),
    request_body = AnswerRequest,
    responses(
        (status = 200, description = "Réponse enregistrée ; question suivante", body = InterviewView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<AnswerRequest>,
) -> Result<Json<InterviewView>, AppError> {
    Ok(Json(service::submit(&state, &user, id, request).await?))
}

#[utoipa::path(
    get,
    path = "/interviews/{id}/answers",
    tag = "entretiens",
    summary = "Les réponses enregistrées d’un entretien (responsables ; l’enquêteur du cas)",
    params(("id" = Uuid, Path, description = "Identifiant")),
    responses(
        (status = 200, description = "Réponses", body = [AnswerRow]),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn answers(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<AnswerRow>>, AppError> {
    Ok(Json(service::stored_answers(&state, &user, id).await?))
}

/// Where to go back to.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackRequest {
    #[serde(default)]
    to: Option<String>,
}

#[utoipa::path(
    post,
    path = "/interviews/{id}/back",
    tag = "entretiens",
    summary = "Revient à la question précédente (ou à une variable donnée)",
    params(("id" = Uuid, Path, description = "Identifiant")),
    request_body = BackRequest,
    responses(
        (status = 200, description = "L’entretien", body = InterviewView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn back(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<BackRequest>,
) -> Result<Json<InterviewView>, AppError> {
    Ok(Json(
        service::back(&state, &user, id, request.to.as_deref()).await?,
    ))
}

/// Which language to read the interview in.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageRequest {
    /// A language of the questionnaire (`fr`, `en`…), among the view's `languages`.
    language: String,
}

#[utoipa::path(
    post,
    path = "/interviews/{id}/language",
    tag = "entretiens",
    summary = "Passe l’entretien dans une autre langue du questionnaire",
    params(("id" = Uuid, Path, description = "Identifiant")),
    request_body = LanguageRequest,
    responses(
        (status = 200, description = "L’entretien, dans la langue choisie", body = InterviewView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn language(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<LanguageRequest>,
) -> Result<Json<InterviewView>, AppError> {
    Ok(Json(
        service::switch_language(&state, &user, id, &request.language).await?,
    ))
}

/// A callback appointment.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallbackRequest {
    /// The agreed time (local time in France, `YYYY-MM-DDTHH:MM`, or RFC 3339), or the start
    /// of the period of a flexible appointment.
    appointment_at: String,
    /// End of a flexible appointment's period; absent for a firm appointment.
    #[serde(default)]
    appointment_until: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[utoipa::path(
    post,
    path = "/interviews/{id}/callback",
    tag = "entretiens",
    summary = "Suspend l’entretien avec un rendez-vous",
    params(("id" = Uuid, Path, description = "Identifiant")),
    request_body = CallbackRequest,
    responses(
        (status = 200, description = "L’entretien", body = InterviewView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn callback(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<CallbackRequest>,
) -> Result<Json<InterviewView>, AppError> {
    let appointment = appointment_of(
        Some(&request.appointment_at),
        request.appointment_until.as_deref(),
    )?
    .ok_or_else(|| AppError::Invalid("un rendez-vous demande une date et une heure".to_owned()))?;
    Ok(Json(
        service::postpone(&state, &user, id, appointment, request.note).await?,
    ))
}

/// A break-off note.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakOffRequest {
    #[serde(default)]
    note: Option<String>,
}

#[utoipa::path(
    post,
    path = "/interviews/{id}/break-off",
    tag = "entretiens",
    summary = "Interrompt l’entretien",
    params(("id" = Uuid, Path, description = "Identifiant")),
    request_body = BreakOffRequest,
    responses(
        (status = 200, description = "L’entretien", body = InterviewView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn break_off(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<BreakOffRequest>,
) -> Result<Json<InterviewView>, AppError> {
    Ok(Json(
        service::break_off(&state, &user, id, request.note).await?,
    ))
}
