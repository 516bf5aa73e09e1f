//! `/api/waves` (creation), `/api/waves/{id}/status`, `/api/waves/{id}/rules` and
//! `/api/waves/{id}/weighting`: setting up waves, their calling rules and weighting, and moving
//! them through their life (managers).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, ErrorBody};
use crate::services::report::{self, AaporReport, ProductivityReport, ReportBy};
use crate::services::rules::{self, RulesView};
use crate::services::waves::{self, CreatedWave, WaveRequest};
use crate::services::weighting::{self, WeightingRequest, WeightingView};
use crate::state::AppState;
use crate::store::surveys::{WaveRow, WaveStatus};
use fieldwork::EligibilityRate;
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

#[utoipa::path(
    get,
    path = "/waves/{id}/weighting",
    tag = "mise en place",
    summary = "La pondération de la vague (populations de référence, méthode)",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    responses(
        (status = 200, description = "La pondération", body = WeightingView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn weighting(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<WeightingView>, AppError> {
    Ok(Json(
        weighting::show(&state.db, Actor::User(&user), &id.to_string()).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/waves/{id}/weighting",
    tag = "mise en place",
    summary = "Règle la pondération de la vague : ses exports sont pondérés ainsi par défaut",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    request_body = WeightingRequest,
    responses(
        (status = 200, description = "La pondération enregistrée", body = WeightingView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn set_weighting(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<WeightingRequest>,
) -> Result<Json<WeightingView>, AppError> {
    Ok(Json(
        weighting::set(&state.db, Actor::User(&user), &id.to_string(), &request).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/waves/{id}/weighting",
    tag = "mise en place",
    summary = "Retire la pondération de la vague : ses exports sont non pondérés par défaut",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    responses(
        (status = 200, description = "La vague sans pondération", body = WeightingView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn remove_weighting(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<WeightingView>, AppError> {
    Ok(Json(
        weighting::remove(&state.db, Actor::User(&user), &id.to_string()).await?,
    ))
}

/// How the AAPOR report groups cases, and how `e` is estimated.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AaporQuery {
    /// `wave` (default), `commune` or `replicate`.
    #[serde(default)]
    by: Option<String>,
    /// The share of unknown-eligibility cases estimated eligible (0–1); default: the share of
    /// eligible cases among those of known eligibility.
    #[serde(default)]
    e: Option<f64>,
    /// Why this `e` (required with `e`).
    #[serde(default)]
    e_basis: Option<String>,
}

#[utoipa::path(
    get,
    path = "/waves/{id}/aapor",
    tag = "terrain",
    summary = "Taux AAPOR de la vague (ensemble, par commune ou par réplicat)",
    params(("id" = Uuid, Path, description = "Identifiant de la vague"), AaporQuery),
    responses(
        (status = 200, description = "Le rapport", body = AaporReport),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn aapor(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<AaporQuery>,
) -> Result<Json<AaporReport>, AppError> {
    let by = match query.by.as_deref() {
        None | Some("") => ReportBy::Wave,
        Some(name) => ReportBy::parse(name).ok_or_else(|| {
            AppError::BadRequest(format!(
                "regroupement inconnu « {name} » (commune, replicate)"
            ))
        })?,
    };
    let rate = match (query.e, query.e_basis) {
        (None, _) => EligibilityRate::Proportional,
        (Some(e), Some(basis)) if !basis.trim().is_empty() => EligibilityRate::Given { e, basis },
        (Some(_), _) => {
            return Err(AppError::BadRequest(
                "e demande sa justification (e_basis)".to_owned(),
            ));
        }
    };
    Ok(Json(
        report::aapor(&state.db, Actor::User(&user), &id.to_string(), by, &rate).await?,
    ))
}

/// The period of a productivity report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    /// First day, `YYYY-MM-DD` (default: six days before `to`).
    #[serde(default)]
    #[param(value_type = Option<String>)]
    from: Option<jiff::civil::Date>,
    /// Last day, `YYYY-MM-DD` (default: today).
    #[serde(default)]
    #[param(value_type = Option<String>)]
    to: Option<jiff::civil::Date>,
}

#[utoipa::path(
    get,
    path = "/waves/{id}/productivity",
    tag = "terrain",
    summary = "Productivité des enquêteurs sur une période (ensemble et par jour)",
    params(("id" = Uuid, Path, description = "Identifiant de la vague"), PeriodQuery),
    responses(
        (status = 200, description = "Le rapport", body = ProductivityReport),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn productivity(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<ProductivityReport>, AppError> {
    Ok(Json(
        report::interviewer_productivity(
            &state.db,
            Actor::User(&user),
            &id.to_string(),
            (query.from, query.to),
            state.settings.clock.now(),
        )
        .await?,
    ))
}
