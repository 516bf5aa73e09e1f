//! End-to-end tests: the real `cati serve` binary over HTTP, on SQLite and on PostgreSQL.
//! Every scenario is written once and run on both backends.

// Logging in, claiming a case, recording outcomes, completing an interview.
mod flow;
// Many interviewers at once never hold the same case.
mod concurrency;
// SIGKILL in the middle of an interview loses no acknowledged answer.
mod crash;
// Malformed or hostile requests get a 4xx with a message and the server keeps serving.
mod bad_input;
// One interview in headless Chromium, from the keyboard alone.
mod browser;
// Quotas per commune: a full commune screens out its respondents and is no longer dialled.
mod quotas;
// Analysts export a wave (CLI, API, page): reproducible files, no phone number anywhere.
mod export;
// The supervisors' quota dashboard: figures, CSV, live updates, shutdown with streams open.
mod dashboard;
// A wave set up without SQL: survey, questionnaire versions, quota plan, phone list with its
// report, replicates, the next wave from the previous one, a stacked export.
mod setup;
// An outsider cannot stall the server, lock a user out or starve interviewers with logins.
mod hardening;
// Behind the TLS reverse proxy of docs/proxy/nginx.conf: sessions, origins, client addresses.
mod proxy;
// Two instances on one PostgreSQL database: live changes cross instances, claims never clash.
mod instances;
// No screen shows an internal code (statuses, outcomes, roles) instead of its French label.
mod screens;
// An interview switched to another language of its questionnaire, mid-way.
mod languages;
// The results page: switching indicator and wave in a browser.
mod results;
// A whole wave played by `cati simulate` on a simulated clock.
mod simulation;
// The soak's short variant: invariants checked from the database after a simulated wave (and
// failing on a corrupted one); nothing personal in what analysts read, decompressed.
mod soak;

/// Declares a scenario's SQLite and PostgreSQL tests.
macro_rules! on_both_backends {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                super::$scenario(cati_e2e::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                super::$scenario(cati_e2e::Backend::Postgres).await;
            }
        }
    };
}
pub(crate) use on_both_backends;
