//! Static files, embedded in the binary so that it runs from anywhere and nothing comes from a
//! CDN.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

const WORKSTATION_JS: &str = include_str!("../assets/workstation.js");
const CSS: &str = include_str!("../assets/cati.css");

/// The `/assets` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/assets/workstation.js",
            get(|| async { serve("text/javascript; charset=utf-8", WORKSTATION_JS) }),
        )
        .route(
            "/assets/cati.css",
            get(|| async { serve("text/css; charset=utf-8", CSS) }),
        )
}

fn serve(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        body,
    )
}
