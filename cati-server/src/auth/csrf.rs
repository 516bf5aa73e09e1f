//! Cross-site request forgery protection.
//!
//! Session cookies are `SameSite=Strict`. On top of that, every state-changing request must
//! show it comes from our own pages: browsers send `Sec-Fetch-Site` (must be `same-origin` or
//! `none`) or at least `Origin` (must match `Host`). Clients that send neither (scripts, tests)
//! and are logged in must echo the session's token in `X-CSRF-Token`, which they receive at
//! login. The login request itself carries no session to abuse.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

use super::{CSRF_KEY, USER_KEY};
use crate::error::AppError;

/// The header API clients echo the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Middleware refusing state-changing requests that may come from another site.
pub async fn protect(session: Session, request: Request, next: Next) -> Result<Response, AppError> {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return Ok(next.run(request).await);
    }
    check(&session, request.headers()).await?;
    Ok(next.run(request).await)
}

async fn check(session: &Session, headers: &HeaderMap) -> Result<(), AppError> {
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
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        return if !host.is_empty() && origin_host == host {
            Ok(())
        } else {
            Err(AppError::forbidden("origine de la requête refusée"))
        };
    }
    let logged_in = session
        .get::<i64>(USER_KEY)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .is_some();
    if !logged_in {
        return Ok(());
    }
    let expected: Option<String> = session
        .get(CSRF_KEY)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match (expected, text(CSRF_HEADER)) {
        (Some(expected), Some(given)) if expected == given => Ok(()),
        (_, None) => Err(AppError::forbidden(
            "jeton CSRF manquant (en-tête X-CSRF-Token)",
        )),
        _ => Err(AppError::forbidden("jeton CSRF invalide")),
    }
}
