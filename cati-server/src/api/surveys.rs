//! `/api/surveys/…`: surveys and their questionnaire versions (managers create and upload;
//! analysts read).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, ErrorBody};
use crate::services::outcome_frame::{self, FrameView};
use crate::services::surveys::{self, NewSurvey, SurveyView, Upload};
use crate::state::AppState;
use crate::store::surveys::VersionRow;

#[utoipa::path(
    get,
    path = "/surveys",
    tag = "mise en place",
    summary = "Les enquêtes et leurs versions de questionnaire",
    responses(
        (status = 200, description = "Enquêtes", body = [SurveyView]),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<SurveyView>>, AppError> {
    Ok(Json(surveys::list(&state.db, Actor::User(&user)).await?))
}

#[utoipa::path(
    post,
    path = "/surveys",
    tag = "mise en place",
    summary = "Crée une enquête (et dépose son premier questionnaire)",
    request_body = NewSurvey,
    responses(
        (status = 201, description = "Créée", body = SurveyView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewSurvey>,
) -> Result<(StatusCode, Json<SurveyView>), AppError> {
    let view = surveys::create(&state.db, Actor::User(&user), &new).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(
    get,
    path = "/surveys/{id}",
    tag = "mise en place",
    summary = "Une enquête et ses versions de questionnaire",
    params(("id" = Uuid, Path, description = "Identifiant de l’enquête")),
    responses(
        (status = 200, description = "L’enquête", body = SurveyView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<SurveyView>, AppError> {
    Ok(Json(
        surveys::show(&state.db, Actor::User(&user), &id.to_string()).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/surveys/{id}/questionnaires",
    tag = "mise en place",
    summary = "Dépose une nouvelle version du questionnaire (vérifiée d’abord)",
    params(("id" = Uuid, Path, description = "Identifiant de l’enquête")),
    request_body = Upload,
    responses(
        (status = 201, description = "Enregistrée", body = VersionRow),
        (status = "default", description = "Erreur : message en français (les erreurs du questionnaire, fichier et ligne)", body = ErrorBody)
    )
)]
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(upload): ApiJson<Upload>,
) -> Result<(StatusCode, Json<VersionRow>), AppError> {
    let version = surveys::upload(&state.db, Actor::User(&user), &id.to_string(), &upload).await?;
    Ok((StatusCode::CREATED, Json(version)))
}

/// The two versions to compare.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Versions {
    /// The older version.
    from: String,
    /// The newer version.
    to: String,
}

/// What changed between two questionnaire versions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VersionChanges {
    /// Whether answers of both versions can be stacked variable by variable.
    comparable: bool,
    /// The changes in French, one a line.
    lines: Vec<String>,
    /// The changes in detail.
    #[schema(value_type = Object)]
    changes: serde_json::Value,
}

#[utoipa::path(
    get,
    path = "/surveys/{id}/questionnaires/diff",
    tag = "mise en place",
    summary = "Les différences entre deux versions du questionnaire",
    params(("id" = Uuid, Path, description = "Identifiant de l’enquête"), Versions),
    responses(
        (status = 200, description = "Différences", body = VersionChanges),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn diff(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(versions): ApiQuery<Versions>,
) -> Result<Json<VersionChanges>, AppError> {
    let diff = surveys::compare(
        &state.db,
        Actor::User(&user),
        &id.to_string(),
        &versions.from,
        &versions.to,
    )
    .await?;
    Ok(Json(VersionChanges {
        comparable: diff.comparable(),
        lines: diff.lines(),
        changes: serde_json::to_value(&diff)
            .map_err(|e| AppError::Internal(format!("diff serialisation: {e}")))?,
    }))
}

#[utoipa::path(
    get,
    path = "/surveys/{id}/outcomes",
    tag = "mise en place",
    summary = "Les codes d’issue de l’enquête (libellé, issue finale, contact, code AAPOR)",
    params(("id" = Uuid, Path, description = "Identifiant de l’enquête")),
    responses(
        (status = 200, description = "Les codes", body = FrameView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn outcomes(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<FrameView>, AppError> {
    Ok(Json(
        outcome_frame::show(&state.db, Actor::User(&user), &id.to_string()).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/surveys/{id}/outcomes",
    tag = "mise en place",
    summary = "Change des codes d’issue de l’enquête (les issues absentes gardent les leurs)",
    params(("id" = Uuid, Path, description = "Identifiant de l’enquête")),
    request_body(content = Object, description = "Par issue : label, final, contact, aapor"),
    responses(
        (status = 200, description = "Les codes enregistrés", body = FrameView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn set_outcomes(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(changes): ApiJson<
        std::collections::BTreeMap<fieldwork::Outcome, fieldwork::OutcomeSpec>,
    >,
) -> Result<Json<FrameView>, AppError> {
    Ok(Json(
        outcome_frame::set(&state.db, Actor::User(&user), &id.to_string(), changes).await?,
    ))
}
