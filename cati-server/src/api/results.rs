//! `/api/waves/{id}/results` (JSON), `results.csv`, `map.svg`, `open-data.zip` and
//! `/api/waves/{id}/publication`: a wave's published results and the rules deciding what is
//! published. The « Résultats » page reads the same services.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::download::download;
use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, ErrorBody};
use crate::services::publication::{self, PublicationRequest, PublicationView};
use crate::services::results::{self, WaveResults};
use crate::state::AppState;

/// Which indicator.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// The indicator's name (`sans_ordinateur`); default: every indicator (the map: the first).
    #[serde(default)]
    pub indicator: Option<String>,
}

#[utoipa::path(
    get,
    path = "/waves/{id}/results",
    tag = "résultats",
    summary = "Les indicateurs de la vague, pour la métropole et par commune, publiables ou non, avec leur évolution",
    params(("id" = Uuid, Path, description = "Identifiant de la vague"), IndicatorQuery),
    responses(
        (status = 200, description = "Les résultats", body = WaveResults),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn results(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<IndicatorQuery>,
) -> Result<Json<WaveResults>, AppError> {
    let computed = results::compute(&state.db, Actor::User(&user), &id.to_string()).await?;
    Ok(Json(computed.only(query.indicator.as_deref())?))
}

#[utoipa::path(
    get,
    path = "/waves/{id}/results.csv",
    tag = "résultats",
    summary = "Le tableau des résultats en CSV (colonnes d’indicateurs.csv, publiable, motifs, évolution)",
    params(("id" = Uuid, Path, description = "Identifiant de la vague"), IndicatorQuery),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn results_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<IndicatorQuery>,
) -> Result<Response, AppError> {
    let computed = results::compute(&state.db, Actor::User(&user), &id.to_string()).await?;
    let indicator = match query.indicator.as_deref() {
        Some(name) => Some(computed.indicator(Some(name))?.name.as_str()),
        None => None,
    };
    let name = computed.file_stem(&match indicator {
        Some(indicator) => format!("resultats-{indicator}"),
        None => "resultats".to_owned(),
    });
    Ok(download(
        computed.csv(indicator)?,
        "text/csv; charset=utf-8",
        &format!("{name}.csv"),
    ))
}

#[utoipa::path(
    get,
    path = "/waves/{id}/map.svg",
    tag = "résultats",
    summary = "La carte des communes d’un indicateur (SVG autonome, communes non publiables hachurées)",
    params(("id" = Uuid, Path, description = "Identifiant de la vague"), IndicatorQuery),
    responses(
        (status = 200, description = "SVG", content_type = "image/svg+xml", body = String),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn map_svg(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<IndicatorQuery>,
) -> Result<Response, AppError> {
    let computed = results::compute(&state.db, Actor::User(&user), &id.to_string()).await?;
    let indicator = computed.indicator(query.indicator.as_deref())?.name.clone();
    let svg = computed.map(&indicator)?;
    let name = computed.file_stem(&format!("carte-{indicator}"));
    Ok(download(
        svg.into_bytes(),
        "image/svg+xml",
        &format!("{name}.svg"),
    ))
}

#[utoipa::path(
    get,
    path = "/waves/{id}/open-data.zip",
    tag = "résultats",
    summary = "Les données ouvertes de la vague : cellules publiables (CSV), descripteur Frictionless et cartes",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    responses(
        (status = 200, description = "Archive zip", content_type = "application/zip", body = Vec<u8>),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn open_data(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, AppError> {
    let computed = results::compute(&state.db, Actor::User(&user), &id.to_string()).await?;
    let name = computed.file_stem("donnees-ouvertes");
    let zipped = tokio::task::spawn_blocking(move || computed.open_data_zip())
        .await
        .map_err(|e| AppError::Internal(format!("open data task: {e}")))??;
    Ok(download(zipped, "application/zip", &format!("{name}.zip")))
}

#[utoipa::path(
    get,
    path = "/waves/{id}/publication",
    tag = "résultats",
    summary = "Les règles de publication de la vague (n minimal, n effectif minimal, demi-largeur maximale)",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    responses(
        (status = 200, description = "Les règles", body = PublicationView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn publication(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<PublicationView>, AppError> {
    Ok(Json(
        publication::show(&state.db, Actor::User(&user), &id.to_string()).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/waves/{id}/publication",
    tag = "résultats",
    summary = "Change les règles de publication de la vague (responsables ; journalisé)",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    request_body = PublicationRequest,
    responses(
        (status = 200, description = "Les règles enregistrées", body = PublicationView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn set_publication(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<PublicationRequest>,
) -> Result<Json<PublicationView>, AppError> {
    Ok(Json(
        publication::set(&state.db, Actor::User(&user), &id.to_string(), &request).await?,
    ))
}
