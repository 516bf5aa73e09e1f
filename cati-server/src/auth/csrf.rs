//! Cross-site request forgery protection.
//!
//! Session cookies are `SameSite=Strict`. On top of that, every state-changing request must
//! show it comes from our own pages: browsers send `Sec-Fetch-Site` (must be `same-origin` or
//! `none`) or at least `Origin`, which must be the server's public origin (`--public-url`:
//! scheme, host and port) or, without one, `http://` or `https://` followed by `Host`. Clients that send neither (scripts, tests)
//! and are logged in must echo the session's token in `X-CSRF-Token`, which they receive at
//! login. The login request itself carries no session to abuse.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

use super::{CSRF_KEY, USER_KEY};
use crate::error::AppError;
use crate::state::AppState;

/// The header API clients echo the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Middleware refusing state-changing requests that may come from another site.
pub async fn protect(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return Ok(next.run(request).await);
    }
    check(
        &session,
        request.headers(),
        state.settings.public_origin.as_deref(),
    )
    .await?;
    Ok(next.run(request).await)
}

/// Whether a request's `Origin` is this server: its public origin when one is configured
/// (scheme, host and port compared), else `Host` reached over HTTP or HTTPS.
pub fn origin_allowed(origin: &str, host: &str, public_origin: Option<&str>) -> bool {
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    match public_origin {
        Some(public) => origin == public,
        None => {
            let host = host.to_ascii_lowercase();
            !host.is_empty()
                && (origin == format!("http://{host}") || origin == format!("https://{host}"))
        }
    }
}

/// The origin of a public URL, as browsers send it in `Origin`: lower-case scheme and host, the
/// port only when it is not the scheme's default; `None` for anything but an http(s) URL.
pub fn public_origin(url: &str) -> Option<String> {
    let uri: axum::http::Uri = url.trim().parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    Some(match uri.port_u16().filter(|p| *p != default_port) {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

async fn check(
    session: &Session,
    headers: &HeaderMap,
    public_origin: Option<&str>,
) -> Result<(), AppError> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return if site == "same-origin" || site == "none" {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "requête intersite refusée (Sec-Fetch-Site)",
            ))
        };
    }
    if let Some(origin) = text(header::ORIGIN.as_str()) {
        let host = text(header::HOST.as_str()).unwrap_or_default();
        return if origin_allowed(origin, host, public_origin) {
            Ok(())
        } else {
            Err(AppError::forbidden("origine de la requête refusée"))
        };
    }
    let logged_in = session
        .get::<i64>(USER_KEY)
        .await
        .map_err(super::session_error)?
        .is_some();
    if !logged_in {
        return Ok(());
    }
    let expected: Option<String> = session.get(CSRF_KEY).await.map_err(super::session_error)?;
    match (expected, text(CSRF_HEADER)) {
        (Some(expected), Some(given)) if expected == given => Ok(()),
        (_, None) => Err(AppError::forbidden(
            "jeton CSRF manquant (en-tête X-CSRF-Token)",
        )),
        _ => Err(AppError::forbidden("jeton CSRF invalide")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_must_match_scheme_host_and_port_of_the_public_url() {
        let public = public_origin("https://cati.example.fr/").unwrap();
        assert_eq!(public, "https://cati.example.fr");
        assert!(origin_allowed(
            "https://cati.example.fr",
            "ignored",
            Some(&public)
        ));
        assert!(!origin_allowed(
            "http://cati.example.fr",
            "cati.example.fr",
            Some(&public)
        ));
        assert!(!origin_allowed(
            "https://cati.example.fr:8443",
            "x",
            Some(&public)
        ));
        assert!(!origin_allowed(
            "https://evil.example",
            "cati.example.fr",
            Some(&public)
        ));
        assert_eq!(
            public_origin("HTTPS://Cati.Example.fr:443").as_deref(),
            Some("https://cati.example.fr")
        );
        assert_eq!(
            public_origin("http://10.0.0.5:8080").as_deref(),
            Some("http://10.0.0.5:8080")
        );
        assert_eq!(public_origin("ftp://x"), None);
        assert_eq!(public_origin("pas une adresse"), None);
    }

    #[test]
    fn without_a_public_url_the_origin_is_the_host_over_http_or_https() {
        assert!(origin_allowed(
            "http://127.0.0.1:8080",
            "127.0.0.1:8080",
            None
        ));
        assert!(origin_allowed(
            "https://127.0.0.1:8080",
            "127.0.0.1:8080",
            None
        ));
        assert!(!origin_allowed("null", "127.0.0.1:8080", None));
        assert!(!origin_allowed(
            "ws://127.0.0.1:8080",
            "127.0.0.1:8080",
            None
        ));
        assert!(!origin_allowed(
            "http://127.0.0.1:9999",
            "127.0.0.1:8080",
            None
        ));
        assert!(!origin_allowed("http://", "", None));
    }
}
