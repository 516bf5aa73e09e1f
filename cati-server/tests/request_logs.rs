//! JSON logs name the request they belong to. Alone in its test binary: it installs the
//! process-wide subscriber, which no other test may race with.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::routing::get;
use cati_server::telemetry::http::{REQUEST_ID_HEADER, instrument};
use cati_server::telemetry::logging::{LogFormat, subscriber};
use tower::ServiceExt;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Log output captured in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

async fn case(Path(id): Path<u32>) -> String {
    tracing::info!(id, "handling the case");
    id.to_string()
}

#[tokio::test]
async fn json_log_lines_of_a_request_carry_its_id_which_the_response_echoes() {
    let captured = Captured::default();
    tracing::subscriber::set_global_default(subscriber(
        LogFormat::Json,
        EnvFilter::new("info"),
        captured.clone(),
    ))
    .expect("the only subscriber of this test binary");
    let app: Router = instrument(
        Router::new().route("/cases/{id}", get(case)),
        Arc::default(),
    );
    let request = axum::http::Request::get("/cases/7")
        .body(Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    let id = response.headers()[&REQUEST_ID_HEADER]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let output = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = output
        .lines()
        .find(|line| line.contains("handling the case"))
        .unwrap_or_else(|| panic!("no handler line in {output}"));
    let line: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(line["span"]["request_id"], id.as_str(), "{line}");
}
