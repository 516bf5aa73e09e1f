//! The one error type of the HTTP layer and its mapping to responses.
//!
//! Every handler, page or API, returns `Result<_, AppError>`. Responses are JSON
//! `{"error": "<French message>"}` with the status documented on each variant; the message is
//! also put in the response extensions so that the page middleware (`pages::html_errors`) can
//! render it as HTML for browsers. Server-side failures are logged, never shown in detail.

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// `400 Bad Request`: malformed input.
    #[error("{0}")]
    BadRequest(String),
    /// `401 Unauthorized`: not logged in, or the session ended.
    #[error("authentification requise")]
    Unauthorized,
    /// `401 Unauthorized`: wrong username or password.
    #[error("identifiant ou mot de passe incorrect")]
    BadCredentials,
    /// `403 Forbidden`: the role or the case does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// `404 Not Found`.
    #[error("{0}")]
    NotFound(String),
    /// `409 Conflict`: the resource changed meanwhile or already exists.
    #[error("{0}")]
    Conflict(String),
    /// `422 Unprocessable Entity`: well-formed but invalid (an answer the questionnaire refuses).
    #[error("{0}")]
    Invalid(String),
    /// `422 Unprocessable Entity` with `"confirm_required": true`: a soft check warns; the
    /// same answer sent again with `confirm` is accepted.
    #[error("{0}")]
    NeedsConfirmation(String),
    /// `429 Too Many Requests` with `Retry-After`: too many failed logins from this client, or
    /// too many live streams.
    #[error("{message}")]
    TooManyRequests {
        /// What to do, in French.
        message: String,
        /// Seconds to wait before trying again.
        retry_after: u64,
    },
    /// A rejection by an extractor (body too large, wrong content type, bad JSON…), with its
    /// own 4xx status.
    #[error("{message}")]
    Rejected {
        /// Status chosen by the extractor.
        status: StatusCode,
        /// What was wrong.
        message: String,
    },
    /// `503 Service Unavailable` with `Retry-After`: the database is saturated or out of
    /// reach; the request may be sent again in a moment.
    #[error("serveur momentanément surchargé : réessayez dans quelques secondes")]
    Unavailable,
    /// `503 Service Unavailable` with `Retry-After`: this server has too much to do right now
    /// (requests in progress, password checks waiting, a deadline passed).
    #[error("{0}")]
    Busy(String),
    /// `500 Internal Server Error`: storage failed.
    #[error("erreur interne (base de données)")]
    Store(StoreError),
    /// `500 Internal Server Error`: anything else unexpected.
    #[error("erreur interne")]
    Internal(String),
}

/// The message of an error response, kept for the HTML error pages.
#[derive(Clone, Debug)]
pub struct ErrorMessage(pub String);

/// The body of every error response of the API.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in French, for the person at the screen.
    pub error: String,
    /// Present (true) when the answer breaks a soft check: send it again with `confirm`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_required: Option<bool>,
}

impl AppError {
    /// The response status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) | AppError::NeedsConfirmation(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Rejected { status, .. } => *status,
            AppError::Unavailable | AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Shorthand for a role or ownership refusal.
    pub fn forbidden(message: &str) -> AppError {
        AppError::Forbidden(message.to_owned())
    }

    /// Shorthand for a missing resource.
    pub fn not_found(message: &str) -> AppError {
        AppError::NotFound(message.to_owned())
    }
}

impl From<StoreError> for AppError {
    /// A full disk or a saturated or unreachable database sheds the request (503), anything
    /// else is a 500.
    fn from(error: StoreError) -> AppError {
        if error.is_disk_full() {
            // Logged as an error: only an administrator can free space.
            tracing::error!(%error, "disk full: request refused, nothing stored");
            AppError::Busy(DISK_FULL.to_owned())
        } else if error.is_overloaded() {
            tracing::warn!(%error, "database saturated: request shed");
            AppError::Unavailable
        } else {
            AppError::Store(error)
        }
    }
}

/// What a request refused for a full disk is told.
const DISK_FULL: &str = "le disque du serveur est plein : rien n'a été enregistré ; prévenez l'administrateur, puis \
     réessayez";

/// Seconds a shed client is asked to wait before trying again.
const RETRY_AFTER_SECONDS: u64 = 2;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() && !matches!(self, AppError::Unavailable | AppError::Busy(_)) {
            tracing::error!(error = ?self, "request failed");
        }
        let message = self.to_string();
        let body = ErrorBody {
            error: message.clone(),
            confirm_required: matches!(self, AppError::NeedsConfirmation(_)).then_some(true),
        };
        let retry_after = match &self {
            AppError::Unavailable | AppError::Busy(_) => Some(RETRY_AFTER_SECONDS),
            AppError::TooManyRequests { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response.extensions_mut().insert(ErrorMessage(message));
        response
    }
}

fn rejected(status: StatusCode, message: String) -> AppError {
    AppError::Rejected { status, message }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let message = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "corps de requête trop volumineux".to_owned(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                "en-tête Content-Type: application/json attendu".to_owned()
            }
            _ => format!("JSON invalide : {}", rejection.body_text()),
        };
        rejected(status, message)
    }
}

impl From<FormRejection> for AppError {
    fn from(rejection: FormRejection) -> Self {
        rejected(
            rejection.status(),
            format!("formulaire invalide : {}", rejection.body_text()),
        )
    }
}

impl From<PathRejection> for AppError {
    /// axum's own text is English and names Rust types; the user gets the segment refused.
    fn from(rejection: PathRejection) -> Self {
        use axum::extract::path::ErrorKind;
        let message = match &rejection {
            PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
                ErrorKind::ParseErrorAtKey { value, .. }
                | ErrorKind::ParseErrorAtIndex { value, .. }
                | ErrorKind::ParseError { value, .. } => {
                    format!("identifiant invalide dans le chemin : « {value} »")
                }
                _ => "identifiant invalide dans le chemin".to_owned(),
            },
            _ => "chemin invalide".to_owned(),
        };
        rejected(StatusCode::BAD_REQUEST, message)
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        rejected(
            StatusCode::BAD_REQUEST,
            format!("paramètres invalides : {}", rejection.body_text()),
        )
    }
}

/// JSON body extractor whose rejections are [`AppError`]s.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// Path extractor whose rejections are [`AppError`]s.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

/// Form extractor whose rejections are [`AppError`]s.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct ApiForm<T>(pub T);

/// Query extractor whose rejections are [`AppError`]s.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saturated_database_sheds_with_503_and_retry_after() {
        let error = AppError::from(StoreError::Sqlx(sqlx::Error::PoolTimedOut));
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers()[axum::http::header::RETRY_AFTER],
            RETRY_AFTER_SECONDS.to_string().as_str()
        );
    }

    #[test]
    fn other_storage_failures_stay_500_without_retry_after() {
        let error = AppError::from(StoreError::Invalid("bad".to_owned()));
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            !response
                .headers()
                .contains_key(axum::http::header::RETRY_AFTER)
        );
    }
}
