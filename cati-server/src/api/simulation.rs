//! `/api/simulation/clock`: the simulated clock of a server started with `--simulated-clock`
//! (admins; 404 on a server that follows real time).

use axum::Json;
use axum::extract::State;

use crate::auth::CurrentUser;
use crate::error::{ApiJson, AppError, ErrorBody};
use crate::services::simulation::{self, ClockMove, ClockView};
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/simulation/clock",
    tag = "simulation",
    summary = "L’heure de l’horloge simulée",
    responses(
        (status = 200, description = "L’heure simulée", body = ClockView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn clock(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<ClockView>, AppError> {
    Ok(Json(simulation::now(&state, &user)?))
}

#[utoipa::path(
    post,
    path = "/simulation/clock",
    tag = "simulation",
    summary = "Avance l’horloge simulée",
    request_body = ClockMove,
    responses(
        (status = 200, description = "La nouvelle heure simulée", body = ClockView),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn advance(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(change): ApiJson<ClockMove>,
) -> Result<Json<ClockView>, AppError> {
    Ok(Json(simulation::advance(&state, &user, &change)?))
}
