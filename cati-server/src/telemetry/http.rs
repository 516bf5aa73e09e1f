//! What wraps every request: a request id (kept when a reverse proxy already set one,
//! echoed in the response), a tracing span carrying it so that every log line of the request
//! names it, and the latency metric by route template.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderName;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, MakeSpan, TraceLayer};
use tracing::{Level, Span};

use super::metrics::{Metrics, UNMATCHED_ROUTE};

/// The header carrying the request id, in requests and responses.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps every route of `router` (and its fallback) with request ids, the request span and
/// the latency metric. Call it once the routes are complete: later routes are not wrapped.
pub fn instrument<S>(router: Router<S>, metrics: Arc<Metrics>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    // Outermost last: the timing covers everything, the id exists before the span is made.
    router
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(RequestSpan)
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                // Server errors are logged where they happen, with their cause (`AppError`);
                // a shed request (503) is expected under load and counted in the metrics: a
                // line for each at `error` would make a flood cost disk writes too.
                .on_failure(DefaultOnFailure::new().level(Level::DEBUG)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER))
        .layer(SetRequestIdLayer::new(REQUEST_ID_HEADER, MakeRequestUuid))
        .layer(from_fn_with_state(metrics, record_latency))
}

/// The span of one request: method, URI, HTTP version and request id.
#[derive(Clone, Copy, Debug)]
struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &axum::http::Request<B>) -> Span {
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .and_then(|id| id.header_value().to_str().ok())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %request.method(),
            uri = %request.uri(),
            version = ?request.version(),
            request_id = %request_id,
        )
    }
}

/// Times the request up to its response headers (a live stream counts until it opens) and
/// records it under its route template, never the raw path, so that ids in URLs do not
/// multiply the series.
async fn record_latency(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED_ROUTE, MatchedPath::as_str)
        .to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.observe_request(&method, &route, response.status(), started.elapsed());
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::extract::Path;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;
    use crate::telemetry::metrics::PoolUsage;

    async fn case(Path(id): Path<u32>) -> String {
        tracing::info!(id, "handling the case");
        id.to_string()
    }

    fn app(metrics: Arc<Metrics>) -> Router {
        instrument(Router::new().route("/cases/{id}", get(case)), metrics)
    }

    fn get_request(uri: &str) -> axum::http::Request<Body> {
        axum::http::Request::get(uri).body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn a_request_id_set_by_a_proxy_is_kept() {
        let mut request = get_request("/cases/7");
        request
            .headers_mut()
            .insert(REQUEST_ID_HEADER, "proxy-42".parse().unwrap());
        let response = app(Arc::default()).oneshot(request).await.unwrap();
        assert_eq!(response.headers()[&REQUEST_ID_HEADER], "proxy-42");
    }

    #[tokio::test]
    async fn latencies_are_recorded_under_the_route_template_not_the_path() {
        let metrics = Arc::new(Metrics::new());
        for uri in ["/cases/1", "/cases/2", "/nowhere/3"] {
            app(Arc::clone(&metrics))
                .oneshot(get_request(uri))
                .await
                .unwrap();
        }
        let text = metrics.render(PoolUsage { in_use: 0, idle: 0 }, 0).unwrap();
        assert!(
            text.contains("_count{method=\"GET\",route=\"/cases/{id}\",status=\"2xx\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("_count{method=\"GET\",route=\"unmatched\",status=\"4xx\"} 1"),
            "{text}"
        );
        assert!(!text.contains("/cases/1"), "{text}");
    }
}
