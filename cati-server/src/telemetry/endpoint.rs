//! `GET /metrics`: behind a bearer token on the main listener, open on a separate metrics
//! listener, absent otherwise (metrics reveal activity, so they are never public by default).

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::metrics::{self, PoolUsage};
use super::token::MetricsToken;
use crate::error::AppError;
use crate::state::{AppState, Settings};

/// The metrics route of the main listener: behind the token when `--metrics-token` is set, no
/// route at all (404) otherwise.
pub fn main_routes(settings: &Settings) -> Router<AppState> {
    match &settings.metrics_token {
        Some(token) => Router::new()
            .route("/metrics", get(exposition))
            .route_layer(from_fn_with_state(token.clone(), require_token)),
        None => Router::new(),
    }
}

/// The whole application of the separate metrics listener (`--metrics-listen`): `/metrics`
/// without authentication, whoever can reach that address being trusted.
pub fn metrics_listener_app(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(exposition))
        .with_state(state)
}

async fn exposition(State(state): State<AppState>) -> Result<Response, AppError> {
    let text = state
        .metrics
        .render(PoolUsage::of(state.db.pool()), state.live.open_streams())
        .map_err(|e| AppError::Internal(format!("encoding metrics: {e}")))?;
    Ok(([(CONTENT_TYPE, metrics::CONTENT_TYPE)], text).into_response())
}

async fn require_token(
    State(token): State<MetricsToken>,
    request: Request,
    next: Next,
) -> Response {
    if token.authorizes(request.headers()) {
        return next.run(request).await;
    }
    let refusal = AppError::Rejected {
        status: StatusCode::UNAUTHORIZED,
        message:
            "jeton d'accès aux métriques absent ou incorrect (en-tête Authorization: Bearer …)"
                .to_owned(),
    };
    (
        [(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
        refusal,
    )
        .into_response()
}
