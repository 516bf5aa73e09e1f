//! Quota routes for supervisors and admins: a wave's cells and per-commune progress, and
//! changing a cell's target or closing / reopening it (audit-logged).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::{ApiJson, ApiPath, AppError};
use crate::quota::{self, CellChange, WaveQuotas};
use crate::state::AppState;
use crate::store::quotas::CellRow;
use crate::store::surveys;
use crate::store::users::Role;

const MANAGERS: &[Role] = &[Role::Admin, Role::Supervisor];

pub async fn wave_quotas(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<i64>,
) -> Result<Json<WaveQuotas>, AppError> {
    user.require(MANAGERS)?;
    Ok(Json(quota::wave_quotas(&state.db, wave_id).await?))
}

/// A change to a cell: a new target, closing or reopening, or both.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellUpdate {
    #[serde(default)]
    target: Option<i64>,
    #[serde(default)]
    closed: Option<bool>,
}

pub async fn update_cell(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(cell_id): ApiPath<i64>,
    ApiJson(body): ApiJson<CellUpdate>,
) -> Result<Json<CellRow>, AppError> {
    user.require(MANAGERS)?;
    let change = CellChange {
        target: body.target,
        closed: body.closed,
    };
    Ok(Json(
        quota::change_cell(&state.db, Some(user.user.id), cell_id, change).await?,
    ))
}

/// A design file to attach to a wave.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignUpload {
    design: String,
}

pub async fn attach_design(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<i64>,
    ApiJson(body): ApiJson<DesignUpload>,
) -> Result<(StatusCode, Json<WaveQuotas>), AppError> {
    user.require(MANAGERS)?;
    let wave = surveys::wave(&state.db, wave_id)
        .await?
        .ok_or_else(|| AppError::not_found("vague inconnue"))?;
    let questionnaire = state
        .questionnaires
        .get(&state.db, wave.questionnaire_version_id)
        .await?;
    let attached = quota::attach_source(
        &state.db,
        Some(user.user.id),
        wave_id,
        &questionnaire,
        &body.design,
    )
    .await?;
    if !attached {
        return Err(AppError::Conflict(
            "cette vague a déjà un plan de quotas".to_owned(),
        ));
    }
    Ok((
        StatusCode::CREATED,
        Json(quota::wave_quotas(&state.db, wave_id).await?),
    ))
}
