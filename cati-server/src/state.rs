//! What every handler receives: the database, the settings and the shared services.

use std::sync::Arc;

use tokio::sync::watch;

use crate::services::interview::QuestionnaireCache;
use crate::services::live::LiveDashboards;
use crate::store::Db;
use crate::telemetry::metrics::Metrics;
use crate::telemetry::token::MetricsToken;

/// Settings fixed at start-up.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Allowances and waits of the login throttle.
    pub login: crate::auth::throttle::LoginPolicy,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Request deadlines and load-shedding bounds.
    pub requests: crate::server::shedding::RequestLimits,
    /// Live dashboard streams open at once on this instance.
    pub max_streams: usize,
    /// Live dashboard streams open at once per login session.
    pub max_streams_per_session: usize,
    /// Bearer token required by `GET /metrics` on the main listener (`--metrics-token`);
    /// without it the main listener does not serve metrics.
    pub metrics_token: Option<MetricsToken>,
    /// The clock fieldwork decisions read: the system's, or a manual one in tests.
    pub clock: crate::clock::Clock,
    /// The origin browsers reach the server at (`https://host[:port]`, from `--public-url`):
    /// state-changing requests must come from it.
    pub public_origin: Option<String>,
    /// Session cookies only over HTTPS (`Secure`).
    pub secure_cookies: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            login: crate::auth::throttle::LoginPolicy::default(),
            trusted_proxies: Vec::new(),
            requests: crate::server::shedding::RequestLimits::default(),
            max_streams: 1000,
            max_streams_per_session: 8,
            metrics_token: None,
            clock: crate::clock::Clock::system(),
            public_origin: None,
            secure_cookies: false,
        }
    }
}

/// Shared state of the HTTP server.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Answer saves, grouped into shared transactions on SQLite.
    pub answer_saves: Arc<crate::services::interview::saves::AnswerSaves>,
    /// Parsed questionnaires by version.
    pub questionnaires: Arc<QuestionnaireCache>,
    /// A password hash verified when the username is unknown, so that both cases take as long.
    pub dummy_hash: Arc<String>,
    /// Live dashboards (one computation per change, shared by the streams of a wave).
    pub live: Arc<LiveDashboards>,
    /// Becomes true when the server starts shutting down: long-lived streams end.
    pub stopping: Arc<watch::Sender<bool>>,
    /// Metrics of this instance, exposed by `GET /metrics`.
    pub metrics: Arc<Metrics>,
    /// Calling rules parsed once, for the claims.
    pub dispatch: Arc<crate::services::dispatch::RulesCache>,
    /// Failed logins, per client address and user name.
    pub login_throttle: Arc<crate::auth::throttle::LoginThrottle>,
    /// Login password checks, with bounded concurrency.
    pub hasher: Arc<crate::auth::password::Hasher>,
    /// Requests in progress, for load shedding.
    pub shedding: Arc<crate::server::shedding::Shedding>,
}
