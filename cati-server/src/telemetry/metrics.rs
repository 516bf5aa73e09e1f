//! The metrics registry of one server instance and the handles the code updates.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use prometheus_client::encoding::{EncodeLabelSet, prometheus_text};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use crate::store::Pool;

/// `Content-Type` of [`Metrics::render`]'s output.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// Route label of requests that matched no route (404s of unknown paths), so that scanned
/// URLs cannot multiply the series.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Upper bounds (seconds) of the request latency buckets: Prometheus' usual ones, from 5 ms
/// to 10 s.
const LATENCY_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Labels of a request timing: bounded sets only (a route template, never the raw path).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: &'static str,
}

/// Label of the connection pool gauge.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

/// The database pool's connections at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUsage {
    /// Connections lent to a query or transaction.
    pub in_use: u64,
    /// Open connections waiting in the pool.
    pub idle: u64,
}

impl PoolUsage {
    /// Reads the pool now (no query: sqlx keeps the counts).
    pub fn of(pool: &Pool) -> PoolUsage {
        let (size, idle) = match pool {
            Pool::Sqlite(pool) => (pool.size(), pool.num_idle()),
            Pool::Postgres(pool) => (pool.size(), pool.num_idle()),
        };
        let idle = u64::try_from(idle).unwrap_or(u64::MAX);
        PoolUsage {
            in_use: u64::from(size).saturating_sub(idle),
            idle,
        }
    }
}

/// The registry and the metric handles of a server instance. Counters are incremented where
/// the work happens; gauges that mirror other state (pool, live streams) are read at scrape
/// time by [`Metrics::render`].
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Histogram, fn() -> Histogram>,
    answers_saved: Counter,
    cases_claimed: Counter,
    quota_reservations: Counter,
    quota_screen_outs: Counter,
    db_connections: Family<PoolLabels, Gauge>,
    live_streams: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A registry with every metric at zero, all names prefixed with `cati_`.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("cati");
        let requests: Family<RequestLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time from a request's arrival to its response headers, by route template, method and status class",
            Unit::Seconds,
            requests.clone(),
        );
        let answers_saved = Counter::default();
        registry.register(
            "answers_saved",
            "Interview answers validated and committed",
            answers_saved.clone(),
        );
        let cases_claimed = Counter::default();
        registry.register(
            "cases_claimed",
            "Cases newly handed out to an interviewer (a case already held and shown again is not counted)",
            cases_claimed.clone(),
        );
        let quota_reservations = Counter::default();
        registry.register(
            "quota_reservations",
            "Respondents accepted at the quota point (a place reserved in each of their cells)",
            quota_reservations.clone(),
        );
        let quota_screen_outs = Counter::default();
        registry.register(
            "quota_screen_outs",
            "Respondents refused at the quota point (cell full or closed, or answers fitting no cell)",
            quota_screen_outs.clone(),
        );
        let db_connections = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_connections",
            "Database pool connections, in use or idle",
            db_connections.clone(),
        );
        let live_streams = Gauge::default();
        registry.register(
            "live_streams_open",
            "Live dashboard event streams open on this instance",
            live_streams.clone(),
        );
        Metrics {
            registry,
            requests,
            answers_saved,
            cases_claimed,
            quota_reservations,
            quota_screen_outs,
            db_connections,
            live_streams,
        }
    }

    /// Records one handled request: `route` is the matched route template (or
    /// [`UNMATCHED_ROUTE`]); unusual methods are grouped under `OTHER`.
    pub fn observe_request(
        &self,
        method: &Method,
        route: &str,
        status: StatusCode,
        elapsed: Duration,
    ) {
        let labels = RequestLabels {
            method: method_label(method),
            route: route.to_owned(),
            status: status_class(status),
        };
        self.requests
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// One answer committed.
    pub fn answer_saved(&self) {
        self.answers_saved.inc();
    }

    /// One case newly handed out.
    pub fn case_claimed(&self) {
        self.cases_claimed.inc();
    }

    /// One respondent accepted at the quota point.
    pub fn quota_reserved(&self) {
        self.quota_reservations.inc();
    }

    /// One respondent screened out at the quota point.
    pub fn quota_screened_out(&self) {
        self.quota_screen_outs.inc();
    }

    /// The Prometheus text exposition (format 0.0.4, [`CONTENT_TYPE`]) of every metric, the
    /// gauges set from `pool` and `live_streams` first.
    pub fn render(&self, pool: PoolUsage, live_streams: usize) -> Result<String, std::fmt::Error> {
        let gauge = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.db_connections
            .get_or_create(&PoolLabels { state: "in_use" })
            .set(gauge(pool.in_use));
        self.db_connections
            .get_or_create(&PoolLabels { state: "idle" })
            .set(gauge(pool.idle));
        self.live_streams
            .set(gauge(u64::try_from(live_streams).unwrap_or(u64::MAX)));
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// The standard methods by name, anything else as `OTHER` (clients may send any token).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() / 100 {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        _ => "5xx",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUIET: PoolUsage = PoolUsage { in_use: 0, idle: 0 };

    #[test]
    fn counters_appear_in_the_exposition_after_incrementing() {
        let metrics = Metrics::new();
        metrics.answer_saved();
        metrics.answer_saved();
        metrics.case_claimed();
        metrics.quota_reserved();
        metrics.quota_screened_out();
        let text = metrics.render(QUIET, 0).unwrap();
        assert!(
            text.contains("# TYPE cati_answers_saved_total counter"),
            "{text}"
        );
        assert!(text.contains("\ncati_answers_saved_total 2\n"), "{text}");
        assert!(text.contains("\ncati_cases_claimed_total 1\n"), "{text}");
        assert!(
            text.contains("\ncati_quota_reservations_total 1\n"),
            "{text}"
        );
        assert!(
            text.contains("\ncati_quota_screen_outs_total 1\n"),
            "{text}"
        );
    }

    #[test]
    fn pool_and_stream_gauges_are_read_at_render_time() {
        let metrics = Metrics::new();
        let text = metrics.render(PoolUsage { in_use: 3, idle: 5 }, 2).unwrap();
        assert!(
            text.contains("cati_db_connections{state=\"in_use\"} 3"),
            "{text}"
        );
        assert!(
            text.contains("cati_db_connections{state=\"idle\"} 5"),
            "{text}"
        );
        assert!(text.contains("\ncati_live_streams_open 2\n"), "{text}");
        let text = metrics.render(QUIET, 0).unwrap();
        assert!(
            text.contains("cati_db_connections{state=\"in_use\"} 0"),
            "{text}"
        );
        assert!(text.contains("\ncati_live_streams_open 0\n"), "{text}");
    }

    #[test]
    fn requests_are_labelled_by_route_template_method_and_status_class() {
        let metrics = Metrics::new();
        metrics.observe_request(
            &Method::POST,
            "/api/interviews/{id}/answers",
            StatusCode::UNPROCESSABLE_ENTITY,
            Duration::from_millis(3),
        );
        let text = metrics.render(QUIET, 0).unwrap();
        assert!(
            text.contains(
                "cati_http_request_duration_seconds_count{method=\"POST\",route=\"/api/interviews/{id}/answers\",status=\"4xx\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains("le=\"0.005\""), "{text}");
    }

    #[test]
    fn unusual_methods_share_one_label() {
        let custom = Method::from_bytes(b"PROPFIND").unwrap();
        assert_eq!(method_label(&custom), "OTHER");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
    }

    #[test]
    fn statuses_are_grouped_by_class() {
        assert_eq!(status_class(StatusCode::OK), "2xx");
        assert_eq!(status_class(StatusCode::SEE_OTHER), "3xx");
        assert_eq!(status_class(StatusCode::NOT_FOUND), "4xx");
        assert_eq!(status_class(StatusCode::SERVICE_UNAVAILABLE), "5xx");
    }
}
