//! Static files, embedded in the binary so that it runs from anywhere and nothing comes from a
//! CDN.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

const WORKSTATION_JS: &str = include_str!("../assets/workstation.js");
const CSS: &str = include_str!("../assets/cati.css");
const DASHBOARD_JS: &str = include_str!("../assets/dashboard.js");
/// The tab icon: a white handset on the header's blue. Pages link it; it is served at
/// `/favicon.ico` too, where browsers look when a page (a JSON reply, a download) links none.
const FAVICON_SVG: &str = include_str!("../assets/favicon.svg");
/// The 28 communes of Bordeaux Métropole (IGN ADMIN EXPRESS COG 2018 via
/// github.com/gregoiredavid/france-geojson, Licence Ouverte; see `shared/data/README.md`).
pub(crate) const COMMUNES_GEOJSON: &str = include_str!("../assets/bm_communes.geojson");

/// The `/assets` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/assets/workstation.js",
            get(|| async { serve("text/javascript; charset=utf-8", WORKSTATION_JS) }),
        )
        .route(
            "/assets/dashboard.js",
            get(|| async { serve("text/javascript; charset=utf-8", DASHBOARD_JS) }),
        )
        .route(
            "/assets/bm_communes.geojson",
            get(|| async { serve("application/geo+json", COMMUNES_GEOJSON) }),
        )
        .route(
            "/assets/favicon.svg",
            get(|| async { serve("image/svg+xml", FAVICON_SVG) }),
        )
        .route(
            "/favicon.ico",
            get(|| async { serve("image/svg+xml", FAVICON_SVG) }),
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
