//! Quota routes for supervisors and admins: a wave's cells and per-commune progress, and
//! changing a cell's target or closing / reopening it (audit-logged).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiJson, ApiPath, AppError, ErrorBody};
use crate::services::quota::{self, CellChange, WaveQuotas};
use crate::state::AppState;
use crate::store::quotas::CellRow;

#[utoipa::path(
    get,
    path = "/waves/{id}/quotas",
    tag = "quotas",
    summary = "Les cellules de quota d’une vague et l’avancement par commune",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    responses(
        (status = 200, description = "Quotas", body = WaveQuotas),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn wave_quotas(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<Uuid>,
) -> Result<Json<WaveQuotas>, AppError> {
    Ok(Json(quota::figures(&state, &user, wave_id).await?))
}

/// A change to a cell: a new target, closing or reopening, or both.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CellUpdate {
    #[serde(default)]
    target: Option<i64>,
    #[serde(default)]
    closed: Option<bool>,
}

#[utoipa::path(
    post,
    path = "/quota-cells/{id}",
    tag = "quotas",
    summary = "Change l’objectif d’une cellule, la ferme ou la rouvre",
    params(("id" = i64, Path, description = "Identifiant")),
    request_body = CellUpdate,
    responses(
        (status = 200, description = "La cellule", body = CellRow),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn update_cell(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(cell_id): ApiPath<i64>,
    ApiJson(body): ApiJson<CellUpdate>,
) -> Result<Json<CellRow>, AppError> {
    let change = CellChange {
        target: body.target,
        closed: body.closed,
    };
    Ok(Json(
        quota::change_cell(&state.db, Actor::User(&user), cell_id, change).await?,
    ))
}

/// A design file to attach to a wave.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DesignUpload {
    design: String,
}

#[utoipa::path(
    post,
    path = "/waves/{id}/quotas",
    tag = "quotas",
    summary = "Attache un plan de quotas (TOML) à une vague",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    request_body = DesignUpload,
    responses(
        (status = 201, description = "Attaché", body = WaveQuotas),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn attach_design(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<DesignUpload>,
) -> Result<(StatusCode, Json<WaveQuotas>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(quota::attach_design(&state, Actor::User(&user), wave_id, &body.design).await?),
    ))
}
