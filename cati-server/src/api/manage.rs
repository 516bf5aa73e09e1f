//! Management routes: waves, the sample (supervisors and admins), progress counts (also
//! analysts: no personal data), users and the audit log (admins).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, ErrorBody};
use crate::services::accounts;
use crate::services::manage::{self, CaseAction, Progress, SampleCase, SampleQuery};
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use crate::store::cases::CaseRow;
use crate::store::surveys::WaveRow;
use crate::store::users::Role;

#[utoipa::path(
    get,
    path = "/waves",
    tag = "gestion",
    summary = "Les vagues, la plus récente d’abord",
    responses(
        (status = 200, description = "Vagues", body = [WaveRow]),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn waves(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<WaveRow>>, AppError> {
    Ok(Json(manage::waves(&state.db, Actor::User(&user)).await?))
}

#[utoipa::path(
    get,
    path = "/waves/{id}/sample",
    tag = "gestion",
    summary = "Cherche dans l’échantillon d’une vague (numéros compris), page par page",
    params(("id" = Uuid, Path, description = "Identifiant de la vague"), SampleQuery),
    responses(
        (status = 200, description = "Cas", body = [SampleCase]),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn sample(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<SampleQuery>,
) -> Result<Json<Vec<SampleCase>>, AppError> {
    Ok(Json(manage::sample(&state, &user, wave_id, &query).await?))
}

#[utoipa::path(
    post,
    path = "/cases/{id}/actions",
    tag = "gestion",
    summary = "Libère, reprogramme ou clôt un cas (superviseurs)",
    params(("id" = Uuid, Path, description = "Identifiant du cas")),
    request_body = CaseAction,
    responses(
        (status = 200, description = "Le cas", body = CaseRow),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn case_action(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(case): ApiPath<Uuid>,
    ApiJson(action): ApiJson<CaseAction>,
) -> Result<Json<CaseRow>, AppError> {
    Ok(Json(
        manage::act_on_case(&state.db, Actor::User(&user), case, &action).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/waves/{id}/progress",
    tag = "gestion",
    summary = "Les comptes de cas et d’entretiens d’une vague",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    responses(
        (status = 200, description = "Comptes", body = Progress),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn progress(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<Uuid>,
) -> Result<Json<Progress>, AppError> {
    Ok(Json(manage::progress(&state, &user, wave_id).await?))
}

/// An account as listed (never the hash).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserInfo {
    id: i64,
    username: String,
    display_name: String,
    role: Role,
    disabled: bool,
}

#[utoipa::path(
    get,
    path = "/users",
    tag = "gestion",
    summary = "Les comptes",
    responses(
        (status = 200, description = "Comptes", body = [UserInfo]),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
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
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    username: String,
    #[serde(default)]
    display_name: String,
    role: Role,
    password: String,
}

/// The id of a created account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    id: i64,
}

#[utoipa::path(
    post,
    path = "/users",
    tag = "gestion",
    summary = "Crée un compte",
    request_body = NewUser,
    responses(
        (status = 201, description = "Créé", body = Created),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
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
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    password: String,
}

#[utoipa::path(
    post,
    path = "/users/{id}/password",
    tag = "gestion",
    summary = "Change le mot de passe d’un compte",
    params(("id" = i64, Path, description = "Identifiant")),
    request_body = NewPassword,
    responses(
        (status = 204, description = "Changé"),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
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
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Disabled {
    disabled: bool,
}

#[utoipa::path(
    post,
    path = "/users/{id}/disabled",
    tag = "gestion",
    summary = "Désactive ou réactive un compte",
    params(("id" = i64, Path, description = "Identifiant")),
    request_body = Disabled,
    responses(
        (status = 204, description = "Changé"),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn disabled(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Disabled>,
) -> Result<StatusCode, AppError> {
    accounts::set_disabled(&state.db, Actor::User(&user), id, body.disabled).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Refusal converter or not.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Converter {
    refusal_converter: bool,
}

#[utoipa::path(
    post,
    path = "/users/{id}/converter",
    tag = "gestion",
    summary = "Confie (ou non) les refus à reconvertir à cet enquêteur",
    params(("id" = i64, Path, description = "Identifiant")),
    request_body = Converter,
    responses(
        (status = 204, description = "Changé"),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn converter(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Converter>,
) -> Result<StatusCode, AppError> {
    crate::services::rules::set_converter(
        &state.db,
        Actor::User(&user),
        &id.to_string(),
        body.refusal_converter,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/audit",
    tag = "gestion",
    summary = "Les 200 dernières entrées du journal d’audit",
    responses(
        (status = 200, description = "Entrées", body = [AuditEntry]),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<AuditEntry>>, AppError> {
    Ok(Json(
        accounts::audit_log(&state.db, Actor::User(&user), 200).await?,
    ))
}
