//! Loading phone lists (`POST /api/waves/{id}/sample`), releasing replicates and the
//! do-not-call list (managers).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiPath, ApiQuery, AppError, ErrorBody};
use crate::services::sample::{self, DoNotCallImported, ImportOptions, Imported};
use crate::state::AppState;

/// The file's name and how to load it.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The file's name (`.csv` or `.xlsx`: tells the format; quoted in the report).
    file_name: String,
    /// Load nothing unless every row is good.
    #[serde(default)]
    all_or_nothing: bool,
    /// Split the loaded cases into random replicates of this size.
    #[serde(default)]
    #[param(minimum = 1)]
    replicate_size: Option<u32>,
    /// Seed of the random split.
    #[serde(default)]
    seed: Option<u64>,
    /// The phone number's column, when its header is not a usual one.
    #[serde(default)]
    phone_column: Option<String>,
    /// The second number's column; `aucune`: none.
    #[serde(default)]
    second_phone_column: Option<String>,
    /// The commune's column; `aucune`: none.
    #[serde(default)]
    commune_column: Option<String>,
    /// The identifier's column; `aucune`: identifiers from line numbers.
    #[serde(default)]
    id_column: Option<String>,
    /// Columns of personal data, comma-separated: never exported.
    #[serde(default)]
    personal: Option<String>,
}

#[utoipa::path(
    post,
    path = "/waves/{id}/sample",
    tag = "mise en place",
    summary = "Charge une liste de numéros (CSV ou .xlsx, corps brut) dans une vague",
    params(("id" = Uuid, Path, description = "Identifiant de la vague"), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
                 description = "Le fichier tel quel"),
    responses(
        (status = 200, description = "Le rapport ligne à ligne (rien n’est chargé si `stored` est faux)", body = Imported),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Imported>, AppError> {
    let body = body.map_err(body_error)?;
    let options = ImportOptions {
        all_or_nothing: query.all_or_nothing,
        replicate_size: query.replicate_size,
        seed: query.seed,
        phone_column: query.phone_column,
        second_phone_column: query.second_phone_column,
        commune_column: query.commune_column,
        id_column: query.id_column,
        personal: query.personal,
    };
    let (imported, _) = sample::import(
        &state.db,
        Actor::User(&user),
        &wave.to_string(),
        &query.file_name,
        &body,
        &options,
        &mut |_| {},
    )
    .await?;
    Ok(Json(imported))
}

/// A released replicate.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Released {
    /// Its number.
    replicate: i64,
    /// Its cases, now dialled.
    cases: u64,
}

#[utoipa::path(
    post,
    path = "/waves/{id}/replicates/next",
    tag = "mise en place",
    summary = "Libère le réplicat suivant de la vague",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    responses(
        (status = 200, description = "Libéré", body = Released),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn release(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave): ApiPath<Uuid>,
) -> Result<Json<Released>, AppError> {
    let (replicate, cases) =
        sample::release_replicate(&state.db, Actor::User(&user), &wave.to_string()).await?;
    Ok(Json(Released { replicate, cases }))
}

#[utoipa::path(
    post,
    path = "/surveys/{id}/do-not-call",
    tag = "mise en place",
    summary = "Ajoute des numéros (un par ligne) à la liste des personnes à ne plus appeler",
    params(("id" = Uuid, Path, description = "Identifiant de l’enquête")),
    request_body(content = String, content_type = "text/plain", description = "Un numéro par ligne"),
    responses(
        (status = 200, description = "Ajoutés (seuls des condensats sont gardés)", body = DoNotCallImported),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn do_not_call(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(survey): ApiPath<Uuid>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<DoNotCallImported>), AppError> {
    let body = body.map_err(body_error)?;
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| AppError::Invalid("liste illisible : texte UTF-8 attendu".to_owned()))?;
    let imported =
        sample::import_do_not_call(&state.db, Actor::User(&user), &survey.to_string(), &text)
            .await?;
    Ok((StatusCode::OK, Json(imported)))
}

fn body_error(rejection: BytesRejection) -> AppError {
    let status = rejection.status();
    AppError::Rejected {
        status,
        message: if status == StatusCode::PAYLOAD_TOO_LARGE {
            "fichier trop volumineux".to_owned()
        } else {
            "corps de requête illisible".to_owned()
        },
    }
}
