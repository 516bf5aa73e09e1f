//! `GET /api/waves/{id}/export`: one zip of a wave's export (data files, codebook, manifest)
//! for analysts, supervisors and admins. The analysts' page downloads through the same code.

use axum::extract::State;
use axum::response::Response;
use exports::build::ExportFormat;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{ApiPath, ApiQuery, AppError, ErrorBody};
use crate::services::export::{ExportSettings, WeightingChoice, download};
use crate::services::text::given;
use crate::services::weighting::{self, Overrides};
use crate::state::AppState;

/// The export's options, as query parameters (the page's form sends the same names).
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv`, `sav`, `dta`, `parquet`, `codebook` or `all` (default).
    #[serde(default)]
    pub format: Option<String>,
    /// Any value but `false`/`0` (a checked box sends `on`) includes partial interviews.
    #[serde(default)]
    pub include_partial: Option<String>,
    /// Same for screened-out respondents.
    #[serde(default)]
    pub include_screened_out: Option<String>,
    /// Same for the preload fields the questionnaire declares, but for personal ones.
    #[serde(default)]
    pub include_preload: Option<String>,
    /// `raking`, `linear`, `logit`, `truncated`, `poststrat` instead of the wave's own
    /// weighting method, or `none` for no weighting (default: the wave's weighting set-up).
    #[serde(default)]
    pub method: Option<String>,
    /// Bounds `L,U` for `logit` and `truncated`.
    #[serde(default)]
    pub bounds: Option<String>,
    /// Another vintage of the wave's populations (default: the set-up's).
    #[serde(default)]
    pub vintage: Option<String>,
}

fn checked(value: Option<&str>) -> bool {
    value.is_some_and(|v| !matches!(v, "false" | "0" | ""))
}

#[utoipa::path(
    get,
    path = "/waves/{id}/export",
    tag = "exports",
    summary = "L’export d’une vague (zip : données, dictionnaire, manifeste)",
    params(("id" = Uuid, Path, description = "Identifiant de la vague"), ExportQuery),
    responses(
        (status = 200, description = "Archive zip", content_type = "application/zip", body = Vec<u8>),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    export_zip(&state, &user, wave_id, &query).await
}

/// Builds the export of a wave and answers with its zip.
pub(crate) async fn export_zip(
    state: &AppState,
    user: &CurrentUser,
    wave_id: Uuid,
    query: &ExportQuery,
) -> Result<Response, AppError> {
    let zipped = download::zip(state, user, wave_id, settings(query)?).await?;
    let name = format!("export-vague-{wave_id}.zip");
    Ok(super::download::download(zipped, "application/zip", &name))
}

/// The export settings of a request: each wave weighted as set up for it, unless the request
/// asks for no weights (`method=none`) or for another method, bounds or vintage.
fn settings(query: &ExportQuery) -> Result<ExportSettings, AppError> {
    let name = query.format.as_deref().unwrap_or("all");
    let format = ExportFormat::from_name(name)
        .ok_or_else(|| AppError::BadRequest(format!("format inconnu : {name}")))?;
    let option = |value: &Option<String>| given(value.as_deref()).map(str::to_owned);
    let method = option(&query.method);
    if let Some(method) = method.as_deref().filter(|m| *m != "none") {
        weighting::known_method(method, &["none"])?;
    }
    let weighting = if method.as_deref() == Some("none") {
        WeightingChoice::Unweighted
    } else {
        WeightingChoice::AsSetUp(Overrides {
            method,
            bounds: option(&query.bounds),
            vintage: option(&query.vintage),
        })
    };
    Ok(ExportSettings {
        format,
        include_partial: checked(query.include_partial.as_deref()),
        include_screened_out: checked(query.include_screened_out.as_deref()),
        include_preload: checked(query.include_preload.as_deref()),
        weighting,
        indicators: None,
    })
}
