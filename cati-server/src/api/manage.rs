//! Management routes: waves, the sample (supervisors and admins), progress counts (also
//! analysts: no personal data), users and the audit log (admins).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::auth::{self, CurrentUser};
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError};
use crate::state::AppState;
use crate::store::audit::{self, AuditEntry};
use crate::store::cases::{self, CaseRow};
use crate::store::interviews;
use crate::store::surveys::{self, WaveRow};
use crate::store::users::{self, Role};

const MANAGERS: &[Role] = &[Role::Admin, Role::Supervisor];
const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Analyst];

pub async fn waves(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<WaveRow>>, AppError> {
    user.require(READERS)?;
    Ok(Json(surveys::waves(&state.db).await?))
}

/// Paging of the sample.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    #[serde(default)]
    offset: Option<i64>,
    #[serde(default)]
    limit: Option<i64>,
}

/// A sample case with its phone numbers.
#[derive(Debug, Serialize)]
pub struct SampleCase {
    #[serde(flatten)]
    case: CaseRow,
    phones: Vec<String>,
}

pub async fn sample(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<Vec<SampleCase>>, AppError> {
    user.require(MANAGERS)?;
    let limit = page.limit.unwrap_or(100).clamp(1, 1000);
    let offset = page.offset.unwrap_or(0).max(0);
    let mut out = Vec::new();
    for case in cases::list(&state.db, wave_id, offset, limit).await? {
        let phones = cases::phones(&state.db, case.id)
            .await?
            .into_iter()
            .map(|p| p.e164)
            .collect();
        out.push(SampleCase { case, phones });
    }
    Ok(Json(out))
}

/// Counts of a wave's cases and interviews by status.
#[derive(Debug, Serialize)]
pub struct Progress {
    wave_id: i64,
    cases: i64,
    cases_by_status: Vec<(String, i64)>,
    interviews_by_status: Vec<(String, i64)>,
}

pub async fn progress(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<i64>,
) -> Result<Json<Progress>, AppError> {
    user.require(READERS)?;
    surveys::wave(&state.db, wave_id)
        .await?
        .ok_or_else(|| AppError::not_found("vague inconnue"))?;
    Ok(Json(Progress {
        wave_id,
        cases: cases::count(&state.db, wave_id).await?,
        cases_by_status: cases::status_counts(&state.db, wave_id).await?,
        interviews_by_status: interviews::status_counts(&state.db, wave_id).await?,
    }))
}

/// An account as listed (never the hash).
#[derive(Debug, Serialize)]
pub struct UserInfo {
    id: i64,
    username: String,
    display_name: String,
    role: Role,
    disabled: bool,
}

pub async fn users(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<UserInfo>>, AppError> {
    user.require(&[Role::Admin])?;
    Ok(Json(
        users::list(&state.db)
            .await?
            .into_iter()
            .map(|u| UserInfo {
                id: u.id,
                role: u.role(),
                username: u.username,
                display_name: u.display_name,
                disabled: u.disabled,
            })
            .collect(),
    ))
}

/// A new account.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    username: String,
    #[serde(default)]
    display_name: String,
    role: Role,
    password: String,
}

/// The id of a created account.
#[derive(Debug, Serialize)]
pub struct Created {
    id: i64,
}

pub async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    user.require(&[Role::Admin])?;
    let id = auth::create_user(
        &state.db,
        Some(user.user.id),
        &new.username,
        &new.display_name,
        new.role,
        &new.password,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A new password.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    password: String,
}

pub async fn password(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewPassword>,
) -> Result<StatusCode, AppError> {
    user.require(&[Role::Admin])?;
    auth::change_password(&state.db, Some(user.user.id), id, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Disabled or not.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disabled {
    disabled: bool,
}

pub async fn disabled(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Disabled>,
) -> Result<StatusCode, AppError> {
    user.require(&[Role::Admin])?;
    auth::set_disabled(&state.db, Some(user.user.id), id, body.disabled).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<AuditEntry>>, AppError> {
    user.require(&[Role::Admin])?;
    Ok(Json(audit::recent(&state.db, 200).await?))
}
