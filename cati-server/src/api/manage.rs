//! Management routes: waves, the sample (supervisors and admins), progress counts (also
//! analysts: no personal data), users and the audit log (admins).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError};
use crate::services::accounts;
use crate::services::manage::{self, Progress, SampleCase};
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use crate::store::surveys::WaveRow;
use crate::store::users::Role;

pub async fn waves(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<WaveRow>>, AppError> {
    Ok(Json(manage::waves(&state, &user).await?))
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

pub async fn sample(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<Vec<SampleCase>>, AppError> {
    let (offset, limit) = (page.offset.unwrap_or(0), page.limit.unwrap_or(100));
    Ok(Json(
        manage::sample(&state, &user, wave_id, offset, limit).await?,
    ))
}

pub async fn progress(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<i64>,
) -> Result<Json<Progress>, AppError> {
    Ok(Json(manage::progress(&state, &user, wave_id).await?))
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
    Ok(Json(
        accounts::list(&state.db, Actor::User(&user))
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
    let id = accounts::create(
        &state.db,
        Actor::User(&user),
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
    accounts::change_password(&state.db, Actor::User(&user), id, &body.password).await?;
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
    accounts::set_disabled(&state.db, Actor::User(&user), id, body.disabled).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<AuditEntry>>, AppError> {
    Ok(Json(
        accounts::audit_log(&state.db, Actor::User(&user), 200).await?,
    ))
}
