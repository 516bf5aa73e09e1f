//! Every response carries the security headers (a strict CSP with no framing, nosniff, a
//! same-origin referrer) and is not cached unless it is a static asset: pages and API answers
//! may carry phone numbers, and call-centre workstations are shared.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cati_server::store::Db;
use tower::ServiceExt;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("h.db").display());
    let db = Db::connect(&url, 4).await.expect("sqlite database");
    let state = cati_server::server::state(db, Default::default())
        .await
        .expect("state");
    let app = cati_server::server::app(state, 120)
        .await
        .expect("application");
    for (path, cached) in [
        ("/connexion", false),
        ("/api/me", false),
        ("/healthz", false),
        ("/nulle-part", false),
        ("/assets/workstation.js", true),
    ] {
        let response = app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).expect("request"))
            .await
            .expect("response");
        let headers = response.headers();
        let csp = headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("text");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers[header::REFERRER_POLICY], "same-origin", "{path}");
        let cache = headers[header::CACHE_CONTROL].to_str().expect("text");
        assert_eq!(cache == "no-store", !cached, "{path}: {cache}");
        if path == "/api/me" {
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
    }
}
