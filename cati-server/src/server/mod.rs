//! `cati serve`: the HTTP server, its middleware stack and graceful shutdown.

pub mod listener;
pub mod shedding;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::sync::watch;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::error::AppError;
use crate::sample::demo::{self, DemoOptions};
use crate::services::live::LiveDashboards;
use crate::state::{AppState, Settings};
use crate::store::{Db, Durability, Pool};
use crate::telemetry::logging::LogFormat;
use crate::telemetry::metrics::Metrics;
use crate::telemetry::token::MetricsToken;
use crate::{api, assets, auth, pages, telemetry};

/// Largest request body accepted (answers, forms, JSON).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Largest questionnaire upload (a questionnaire and its indicators, with translations) or
/// do-not-call list.
pub const UPLOAD_LIMIT: usize = 2 * 1024 * 1024;

/// Largest phone list (a million rows of a few columns is about 40 MB as CSV).
pub const SAMPLE_LIMIT: usize = 256 * 1024 * 1024;

/// Real time a simulated interviewer of `--simulate` takes before each request: a human pace,
/// so that the dashboards of the demo move as a day of fieldwork would, only faster.
const DEMO_PACE: Duration = Duration::from_millis(1500);

/// Time a write to a client may stay blocked (a client that stopped reading) before its
/// connection is closed.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// Options of `cati serve` (their docs are their CLI help, in French).
#[derive(Clone, Debug, clap::Args)]
pub struct ServeArgs {
    /// Adresse et port d'écoute.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Base de données : `sqlite://fichier.db` (créé s'il manque) ou `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://cati.db")]
    pub database_url: String,
    /// Charge l'enquête de démonstration (questionnaire de l'observatoire, échantillon
    /// fictif, comptes de démonstration).
    #[arg(long)]
    pub demo: bool,
    /// Questionnaire de la démonstration (par défaut : questionnaires/observatoire.toml).
    #[arg(long, requires = "demo")]
    pub demo_questionnaire: Option<PathBuf>,
    /// Nombre de cas fictifs de l'échantillon de démonstration.
    #[arg(long, default_value_t = 2000, requires = "demo")]
    pub demo_cases: u32,
    /// Nombre de comptes enquêteurs de démonstration.
    #[arg(long, default_value_t = 3, requires = "demo")]
    pub demo_interviewers: u32,
    /// Montre une vague en cours : N enquêteurs simulés (8 si N est omis ; comptes
    /// simulation1…) appellent et interrogent l'échantillon de démonstration par l'API, à un
    /// rythme humain, tant que le serveur tourne. L'horloge du terrain est alors simulée
    /// (partant de maintenant, ou de --simulated-clock) et avance avec leurs appels. Exige --demo.
    #[arg(long, requires = "demo", value_name = "N", num_args = 0..=1, default_missing_value = "8",
          value_parser = clap::value_parser!(u32).range(1..=200))]
    pub simulate: Option<u32>,
    /// Horloge simulée, partant de cet instant (heure de Paris) : le temps du terrain n'avance
    /// que sur ordre d'un administrateur (`POST /api/simulation/clock`), pour jouer des jours
    /// d'appels en quelques secondes (`cati simulate`). Réservé aux simulations : exige --demo.
    #[arg(long, requires = "demo", value_name = "AAAA-MM-JJTHH:MM")]
    pub simulated_clock: Option<String>,
    /// Un seul mot de passe pour tous les comptes de démonstration (tests uniquement).
    #[arg(long, env = "CATI_DEMO_PASSWORD", hide = true, requires = "demo")]
    pub demo_password: Option<String>,
    /// Minutes d'inactivité après lesquelles une session expire.
    #[arg(long, default_value_t = 120)]
    pub session_idle_minutes: i64,
    /// Minutes après lesquelles un cas détenu sans aucune activité (ni prise, ni réponse
    /// enregistrée) est libéré : l'entretien commencé est gardé pour être repris, ses places
    /// de quota rendues.
    #[arg(long, default_value_t = 30, value_name = "MINUTES",
          value_parser = clap::value_parser!(i64).range(1..=10_080))]
    pub release_held_after_minutes: i64,
    /// Connexions à la base de données dans le groupe de connexions.
    #[arg(long, default_value_t = 10)]
    pub max_connections: u32,
    /// Durabilité des écritures SQLite : `full` (par défaut) attend que chaque écriture soit
    /// sur le disque avant de l'accuser, et survit à une coupure de courant ; `normal` est plus
    /// rapide et survit à l'arrêt brutal du serveur, pas à celui de la machine. Sans effet sur
    /// PostgreSQL (son réglage `synchronous_commit`).
    #[arg(long, default_value = "full", value_name = "full|normal")]
    pub durability: Durability,
    // The docs of the options below are their CLI help, in French.
    /// Jeton exigé par `GET /metrics` sur l'adresse principale (en-tête `Authorization: Bearer
    /// JETON`, 16 caractères ASCII visibles au moins ; incompatible avec `--metrics-listen`).
    /// Sans ce jeton ni `--metrics-listen`, les métriques ne sont pas servies (404).
    #[arg(
        long,
        env = "CATI_METRICS_TOKEN",
        hide_env_values = true,
        value_name = "JETON",
        value_parser = MetricsToken::parse,
        conflicts_with = "metrics_listen"
    )]
    pub metrics_token: Option<MetricsToken>,
    /// Adresse publique du serveur telle que les navigateurs l'atteignent (par exemple
    /// https://cati.exemple.fr derrière un mandataire TLS) : les requêtes qui modifient
    /// viennent de cette origine (schéma, hôte et port), et les cookies de session ne voyagent
    /// qu'en HTTPS quand elle commence par https.
    #[arg(long, env = "CATI_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Cookies de session réservés à HTTPS (par défaut : oui si --public-url est en https).
    #[arg(long, value_name = "OUI_NON")]
    pub secure_cookies: Option<bool>,
    /// Sert `GET /metrics` sans authentification sur cette adresse séparée (par exemple
    /// 127.0.0.1:9090), et non sur l'adresse principale.
    #[arg(long, value_name = "ADRESSE")]
    pub metrics_listen: Option<SocketAddr>,
    /// Adresse d'un mandataire inverse de confiance (répétable, ou séparées par des virgules) :
    /// pour les requêtes qui en viennent, l'adresse du client est la dernière de
    /// X-Forwarded-For ajoutée par un mandataire de confiance.
    #[arg(
        long = "trusted-proxy",
        env = "CATI_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "ADRESSE_IP"
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Connexions ouvertes au plus en même temps ; au-delà, la plus ancienne connexion
    /// inactive est fermée, ou le nouveau venu reçoit 503 si toutes sont occupées.
    #[arg(long, default_value_t = 512, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_open_connections: u32,
    /// Secondes laissées à un client pour envoyer les en-têtes d'une requête (et durée
    /// maximale d'une connexion gardée ouverte sans requête).
    #[arg(long, default_value_t = 10, value_name = "SECONDES",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// Secondes au plus pour traiter une requête ordinaire (dépôts de fichiers et exports :
    /// 10 minutes ; flux en direct : sans limite).
    #[arg(long, default_value_t = 30, value_name = "SECONDES",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: u64,
    /// Format des journaux sur la sortie d'erreur.
    #[arg(
        long,
        env = "CATI_LOG_FORMAT",
        value_enum,
        value_name = "FORMAT",
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
}

/// Runs the server until SIGTERM or Ctrl-C.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let db = Db::connect_with(&args.database_url, args.max_connections, args.durability)
        .await
        .with_context(|| format!("opening the database {}", redact(&args.database_url)))?;
    let mut simulated_crew = Vec::new();
    if args.demo {
        let options = DemoOptions {
            questionnaire: args.demo_questionnaire.clone(),
            cases: args.demo_cases,
            interviewers: args.demo_interviewers,
            password: args.demo_password.clone(),
            simulated: args.simulate.unwrap_or(0),
        };
        let report = demo::load(&db, &options)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        print_demo(&report);
        simulated_crew = report.simulated;
    }
    let public_origin =
        match &args.public_url {
            Some(url) => Some(auth::csrf::public_origin(url).with_context(|| {
                format!("--public-url : adresse http(s) attendue, reçu « {url} »")
            })?),
            None => None,
        };
    let secure_cookies = args.secure_cookies.unwrap_or_else(|| {
        public_origin
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"))
    });
    let clock = match &args.simulated_clock {
        Some(start) => {
            let start =
                crate::services::simulation::parse_start(start).map_err(anyhow::Error::msg)?;
            tracing::warn!("simulated clock: fieldwork time moves only when an admin moves it");
            crate::clock::Clock::manual(start)
        }
        // Simulated interviewers move the fieldwork clock as they work, from now on.
        None if args.simulate.is_some() => {
            tracing::warn!("simulated clock: fieldwork time moves with the simulated calls");
            crate::clock::Clock::manual(crate::store::now_ms())
        }
        None => crate::clock::Clock::system(),
    };
    let simulation_clock = clock.clone();
    let settings = Settings {
        clock,
        metrics_token: args.metrics_token.clone(),
        public_origin,
        secure_cookies,
        trusted_proxies: args.trusted_proxies.clone(),
        requests: shedding::RequestLimits {
            timeout: Duration::from_secs(args.request_timeout),
            ..shedding::RequestLimits::default()
        },
        ..Settings::default()
    };
    let state = state(db.clone(), settings).await?;
    let stopping = Arc::clone(&state.stopping);
    release_abandoned_cases(
        db.clone(),
        args.release_held_after_minutes * 60_000,
        stopping.subscribe(),
    );
    let metrics_server = match args.metrics_listen {
        Some(address) => Some(serve_metrics(address, state.clone()).await?),
        None => None,
    };
    let app = app(state, args.session_idle_minutes).await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    tracing::info!(address = %listener.local_addr()?, "cati serve listening");
    if !simulated_crew.is_empty() {
        let mut address = listener.local_addr()?;
        if address.ip().is_unspecified() {
            address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        tokio::spawn(async move {
            let base = format!("http://{address}");
            let played =
                crate::simulate::live_demo(base, simulated_crew, simulation_clock, DEMO_PACE).await;
            if let Err(e) = played {
                tracing::warn!(error = %e, "the demo's simulated interviewers stopped");
            }
        });
    }
    let limits = listener::ConnectionLimits {
        max_open: args.max_open_connections as usize,
        header_timeout: Duration::from_secs(args.header_timeout),
        write_timeout: WRITE_TIMEOUT,
    };
    let stopped = stopping.subscribe();
    tokio::spawn(async move {
        shutdown_signal().await;
        // The listener stops accepting, and long-lived streams end, so that the graceful
        // shutdown does not wait on them.
        stopping.send_replace(true);
    });
    listener::serve(listener, app, limits, stopped).await;
    tracing::info!("shutting down");
    if let Some(metrics_server) = metrics_server {
        metrics_server.await?;
    }
    db.close().await;
    Ok(())
}

/// Serves `GET /metrics` alone on `address` until the main server starts stopping.
async fn serve_metrics(
    address: SocketAddr,
    state: AppState,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("listening for metrics on {address}"))?;
    tracing::info!(address = %listener.local_addr()?, "metrics listening");
    let mut stopping = state.stopping.subscribe();
    let app = telemetry::endpoint::metrics_listener_app(state);
    Ok(tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                // An error means the sender is gone: the server is stopping anyway.
                let _ = stopping.wait_for(|stopping| *stopping).await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "metrics listener stopped");
        }
    }))
}

/// The shared state of a server on `db`: hears the changes committed by other instances,
/// repairs quota places left by an interrupted earlier version, and prepares live dashboards.
pub async fn state(db: Db, settings: Settings) -> anyhow::Result<AppState> {
    let dummy_hash = auth::password::hash(auth::password::generate())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    db.hear_other_instances();
    let repaired = crate::services::quota::repair_stranded(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if repaired > 0 {
        tracing::warn!(
            places = repaired,
            "quota places of ended interviews moved at start-up"
        );
    }
    let (stopping, stopping_rx) = watch::channel(false);
    let live = LiveDashboards::new(
        db.clone(),
        stopping_rx,
        settings.max_streams,
        settings.max_streams_per_session,
    );
    let login_throttle = Arc::new(auth::throttle::LoginThrottle::new(settings.login));
    let shedding = Arc::new(shedding::Shedding::new(settings.requests));
    let answer_saves = Arc::new(crate::services::interview::saves::AnswerSaves::new(
        db.clone(),
    ));
    Ok(AppState {
        db,
        settings: Arc::new(settings),
        answer_saves,
        questionnaires: Arc::default(),
        dummy_hash: Arc::new(dummy_hash),
        live: Arc::new(live),
        stopping: Arc::new(stopping),
        metrics: Arc::new(Metrics::new()),
        dispatch: Arc::default(),
        login_throttle,
        hasher: Arc::new(auth::password::Hasher::for_this_machine()),
        shedding,
    })
}

/// The whole application: API, pages, assets, health check and, with a token, metrics; with
/// sessions, CSRF checks, body limit, security headers, request ids, request tracing and
/// latency metrics.
pub async fn app(state: AppState, session_idle_minutes: i64) -> anyhow::Result<Router> {
    let router = Router::new()
        .merge(api::routes().0)
        .merge(pages::router())
        .merge(assets::router())
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), auth::csrf::protect))
        .layer(from_fn(pages::html_errors))
        // After the page error layer: a scraper gets a JSON 401, never a login redirect.
        .merge(telemetry::endpoint::main_routes(&state.settings));
    let idle = CookieDuration::minutes(session_idle_minutes.max(1));
    let router = match state.db.pool() {
        Pool::Sqlite(pool) => {
            let store = SqliteStore::new(pool.clone());
            store
                .migrate()
                .await
                .context("creating the session table")?;
            router.layer(sessions(store, idle, state.settings.secure_cookies))
        }
        Pool::Postgres(pool) => {
            let store = PostgresStore::new(pool.clone());
            store
                .migrate()
                .await
                .context("creating the session table")?;
            router.layer(sessions(store, idle, state.settings.secure_cookies))
        }
    };
    let router = router
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(from_fn(auth::headers::secure))
        .layer(from_fn_with_state(
            Arc::clone(&state.shedding),
            shedding::limit,
        ));
    Ok(telemetry::http::instrument(router, Arc::clone(&state.metrics)).with_state(state))
}

/// Every minute until the server stops, releases the cases whose interviewer went away.
fn release_abandoned_cases(db: Db, idle_ms: i64, mut stopping: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(crate::services::abandoned::SWEEP_EVERY);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stopping.changed() => return,
            }
            match crate::services::abandoned::release(&db, crate::store::now_ms(), idle_ms).await {
                Ok(0) => {}
                Ok(released) => {
                    tracing::info!(released, "held cases of absent interviewers released")
                }
                Err(e) => tracing::warn!(error = ?e, "releasing abandoned cases failed"),
            }
        }
    });
}

fn sessions<S>(store: S, idle: CookieDuration, secure: bool) -> SessionManagerLayer<S>
where
    S: SessionStore + ExpiredDeletion + Clone,
{
    let cleaner = store.clone();
    tokio::spawn(async move {
        if let Err(e) = cleaner
            .continuously_delete_expired(tokio::time::Duration::from_secs(600))
            .await
        {
            tracing::warn!(error = %e, "expired session cleanup stopped");
        }
    });
    SessionManagerLayer::new(store)
        .with_name("cati_session")
        .with_same_site(SameSite::Strict)
        .with_http_only(true)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(idle))
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "status": "ok" })),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({ "status": "database unavailable" })),
            )
        }
    }
}

async fn not_found() -> AppError {
    AppError::not_found("page ou ressource inconnue")
}

async fn method_not_allowed() -> AppError {
    AppError::Rejected {
        status: StatusCode::METHOD_NOT_ALLOWED,
        message: "méthode non autorisée sur cette ressource".to_owned(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn print_demo(report: &demo::DemoReport) {
    println!(
        "Démonstration chargée : questionnaire {}",
        report.questionnaire
    );
    println!(
        "  vague « Démonstration » ouverte ; {} cas synthétiques ajoutés (numéros fictifs 05 36 49 xx xx / 06 39 98 xx xx)",
        report.cases_added
    );
    if !report.simulated.is_empty() {
        println!(
            "  {} enquêteur(s) simulé(s) (simulation1…) travaillent sur la vague ; l'horloge du terrain avance avec leurs appels",
            report.simulated.len()
        );
    }
    println!("  comptes de démonstration :");
    for account in &report.accounts {
        match &account.password {
            Some(password) => println!(
                "    {:<12} {:<16} mot de passe : {password}",
                account.username,
                account.role.label()
            ),
            None => println!(
                "    {:<12} {:<16} (existe déjà, mot de passe inchangé)",
                account.username,
                account.role.label()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn database_passwords_are_not_printed() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://cati.db"), "sqlite://cati.db");
    }
}
