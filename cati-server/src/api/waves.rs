//! `/api/waves` (creation), `/api/waves/{id}/status` and `/api/waves/{id}/rules`: setting up
//! waves, their calling rules, and moving them through their life (managers).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiJson, ApiPath, AppError, ErrorBody};
use crate::services::rules::{self, RulesView};
use crate::services::waves::{self, CreatedWave, WaveRequest};
use crate::state::AppState;
use crate::store::surveys::{WaveRow, WaveStatus};
use fieldwork::RulesConfig;

#[utoipa::path(
    post,
    path = "/waves",
    tag = "mise en place",
    summary = "Crée une vague (ou la suivante d’une vague, avec son rapport de comparabilité)",
    request_body = WaveRequest,
    responses(
        (status = 201, description = "Créée, en préparation", body = CreatedWave),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<WaveRequest>,
) -> Result<(StatusCode, Json<CreatedWave>), AppError> {
    let created = waves::create(&state.db, Actor::User(&user), &request).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The status to move a wave to.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// `open`, `paused` or `closed`.
    status: WaveStatus,
}

#[utoipa::path(
    post,
    path = "/waves/{id}/status",
    tag = "mise en place",
    summary = "Ouvre, met en pause ou clôt une vague",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    request_body = StatusChange,
    responses(
        (status = 200, description = "La vague", body = WaveRow),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn status(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<WaveRow>, AppError> {
    Ok(Json(
        waves::set_status(
            &state.db,
            Actor::User(&user),
            &id.to_string(),
            change.status,
        )
        .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/waves/{id}/rules",
    tag = "mise en place",
    summary = "Les règles d’appel de la vague (plages horaires, tentatives, délais de rappel)",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    responses(
        (status = 200, description = "Les règles", body = RulesView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn rules(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<RulesView>, AppError> {
    Ok(Json(
        rules::show(&state.db, Actor::User(&user), &id.to_string()).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/waves/{id}/rules",
    tag = "mise en place",
    summary = "Remplace les règles d’appel de la vague (champs absents : valeurs par défaut)",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    request_body(content = Object, description = "Règles d’appel (voir GET)"),
    responses(
        (status = 200, description = "Les règles enregistrées", body = RulesView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn set_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(config): ApiJson<RulesConfig>,
) -> Result<Json<RulesView>, AppError> {
    Ok(Json(
        rules::set(&state.db, Actor::User(&user), &id.to_string(), &config).await?,
    ))
}
