//! Operations telemetry of `cati serve`: Prometheus metrics (`GET /metrics`), per-request
//! ids and spans, and the log format.
//!
//! The service code only increments counters through [`metrics::Metrics`] (held in
//! `AppState`); request timings, request ids and the metrics endpoint are wired around the
//! router by `server::app`.

pub mod endpoint;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod token;
