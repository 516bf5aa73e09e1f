//! Login, sessions and the role matrix.
//!
//! Sessions live in the database (tower-sessions' SQLx store), so they survive a restart and
//! expire after inactivity. A session holds the user's id and the account's `session_version`:
//! changing the password or disabling the account bumps the version and so ends its sessions.
//!
//! Role matrix (enforced by the services, through [`CurrentUser::require`] and [`Actor::require`]):
//!
//! | what | admin | supervisor | interviewer | analyst |
//! |---|---|---|---|---|
//! | manage users | ✔ | | | |
//! | see the sample, phone numbers, any case | ✔ | ✔ | | |
//! | claim a case, call, interview | | | ✔ (only the case held) | |
//! | interview counts, answers | ✔ | ✔ | | ✔ (never phone numbers) |

pub mod client;
pub mod csrf;
pub mod headers;
pub mod password;
pub mod throttle;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;
use tower_sessions::{Expiry, Session};

use std::time::{Duration, Instant};

use client::ClientAddress;

use crate::error::AppError;
use crate::state::AppState;
use crate::store::audit::{self, AuditAction};
use crate::store::now_ms;
use crate::store::users::{self, Role, UserRow};

pub(crate) const USER_KEY: &str = "user_id";
const VERSION_KEY: &str = "session_version";
pub(crate) const CSRF_KEY: &str = "csrf_token";
/// When the session was last saved because of activity (epoch ms).
const TOUCHED_KEY: &str = "touched_at";

/// The logged-in user of a request; extracting it fails with 401 when there is none.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    /// The account.
    pub user: UserRow,
    /// Its role.
    pub role: Role,
    /// The session's CSRF token (for forms and API clients).
    pub csrf_token: String,
}

/// What the API says about the logged-in user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// Identifier.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Token to send in `X-CSRF-Token` on state-changing requests without `Origin`.
    pub csrf_token: String,
}

impl CurrentUser {
    /// Fails with 403 unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::forbidden("votre rôle ne permet pas cette action"))
        }
    }

    /// The API view of the user.
    pub fn me(&self) -> Me {
        Me {
            id: self.user.id,
            username: self.user.username.clone(),
            display_name: self.user.display_name.clone(),
            role: self.role,
            csrf_token: self.csrf_token.clone(),
        }
    }
}

/// Who performs an operation: a logged-in user, or the operator of the machine at the command
/// line (who holds every right and is recorded in the audit log without a user).
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    /// A logged-in user.
    User(&'a CurrentUser),
    /// The command line.
    Operator,
}

impl Actor<'_> {
    /// Refuses the operation unless the actor has one of `roles` (the operator always has).
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        match self {
            Actor::User(user) => user.require(roles),
            Actor::Operator => Ok(()),
        }
    }

    /// The user to record in the audit log.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Actor::User(user) => Some(user.user.id),
            Actor::Operator => None,
        }
    }
}

/// A session that could not be read or saved: the sessions live in the database, so a store
/// failure is the database out of reach (503, the request may be sent again); a session that
/// does not encode or decode is a fault (500).
pub(crate) fn session_error(e: tower_sessions::session::Error) -> AppError {
    use tower_sessions::session::Error as SessionError;
    use tower_sessions::session_store::Error as StoreError;
    match e {
        SessionError::Store(StoreError::Backend(reason)) => {
            tracing::warn!(%reason, "session store unreachable: request shed");
            AppError::Unavailable
        }
        other => AppError::Internal(other.to_string()),
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Internal("session layer missing".to_owned()))?;
        let Some(user_id) = session.get::<i64>(USER_KEY).await.map_err(session_error)? else {
            return Err(AppError::Unauthorized);
        };
        let version: Option<i64> = session.get(VERSION_KEY).await.map_err(session_error)?;
        let csrf_token: Option<String> = session.get(CSRF_KEY).await.map_err(session_error)?;
        // Read on every request: one statement, without a transaction's round trips.
        let mut tx = state.db.read_autocommit().await?;
        let user = users::by_id(&mut tx, user_id).await?;
        tx.commit().await?;
        match (user, csrf_token) {
            (Some(user), Some(csrf_token))
                if !user.disabled && Some(user.session_version) == version =>
            {
                keep_alive(&session).await?;
                Ok(CurrentUser {
                    role: user.role(),
                    user,
                    csrf_token,
                })
            }
            _ => {
                session.flush().await.map_err(session_error)?;
                Err(AppError::Unauthorized)
            }
        }
    }
}

/// How long a login refused without a password check (the client must wait, or the server
/// checks too many passwords) takes to answer. A refusal costs the server almost nothing, but a
/// client answered at once sends the next attempt at once: tens of thousands of attempts per
/// second from a few connections, whose handling alone takes the interviewers' cores. Answered
/// after a second, each connection sends at most one attempt per second, and the connections
/// are capped (`--max-open-connections`). A person who must wait anyway loses nothing.
const REFUSAL_DELAY: Duration = Duration::from_secs(1);

/// Pushes back the expiry of an active session.
///
/// The session store saves (and so extends) a session only when it changed, and a request that
/// only reads it changes nothing: without this, a session would end `--session-idle-minutes`
/// after login however busy its user. Saving on every request would cost a database write per
/// request; a session is therefore marked as touched once a quarter of its idle period has
/// passed since it was last saved.
async fn keep_alive(session: &Session) -> Result<(), AppError> {
    let Some(Expiry::OnInactivity(idle)) = session.expiry() else {
        return Ok(());
    };
    let now = now_ms();
    let touched: Option<i64> = session.get(TOUCHED_KEY).await.map_err(session_error)?;
    let quarter_ms = (idle.whole_milliseconds() / 4) as i64;
    if touched.is_none_or(|at| now - at >= quarter_ms) {
        session
            .insert(TOUCHED_KEY, now)
            .await
            .map_err(session_error)?;
    }
    Ok(())
}

/// Checks credentials, with throttling, and opens a session (with a new id) for the user.
///
/// A client that must still wait (see [`throttle`]) is refused with 429 and `Retry-After`
/// before its password is checked; a failure that begins a wait is recorded in the audit log.
pub async fn login(
    state: &AppState,
    session: &Session,
    client: ClientAddress,
    username: &str,
    password: &str,
) -> Result<CurrentUser, AppError> {
    let username = username.trim();
    if username.is_empty() || username.len() > 100 || password.len() > 1000 {
        return Err(AppError::BadCredentials);
    }
    if let Some(wait) = state.login_throttle.wait(client, username, Instant::now()) {
        tokio::time::sleep(REFUSAL_DELAY).await;
        return Err(wait_message(wait));
    }
    let mut tx = state.db.read().await?;
    let user = users::by_username(&mut tx, username).await?;
    tx.commit().await?;
    let hash = user.as_ref().map_or_else(
        || state.dummy_hash.as_str().to_owned(),
        |u| u.password_hash.clone(),
    );
    let known = state.login_throttle.knows(client, username, Instant::now());
    let password_ok = match state.hasher.verify(password.to_owned(), hash, !known).await {
        Ok(ok) => ok,
        Err(busy @ AppError::Busy(_)) => {
            tokio::time::sleep(REFUSAL_DELAY).await;
            return Err(busy);
        }
        Err(e) => return Err(e),
    };
    let user = match user {
        Some(user) if password_ok && !user.disabled => user,
        _ => {
            let begun = state
                .login_throttle
                .failed(client, username, Instant::now());
            tracing::warn!(username, client = %client.label(), "failed login");
            let Some(longest) = begun.iter().map(|b| b.wait).max() else {
                return Err(AppError::BadCredentials);
            };
            let mut tx = state.db.write().await?;
            for backoff in &begun {
                audit::record(
                    &mut tx,
                    None,
                    AuditAction::LoginBackoff,
                    username,
                    &serde_json::json!({
                        "adresse": client.label(),
                        "compte": backoff.scope.label(),
                        "echecs": backoff.failures,
                        "attente_secondes": backoff.wait.as_secs(),
                    }),
                )
                .await?;
            }
            tx.commit().await?;
            return Err(wait_message(longest));
        }
    };
    state
        .login_throttle
        .succeeded(client, username, Instant::now());
    session.cycle_id().await.map_err(session_error)?;
    let csrf_token = password::generate();
    session
        .insert(USER_KEY, user.id)
        .await
        .map_err(session_error)?;
    session
        .insert(VERSION_KEY, user.session_version)
        .await
        .map_err(session_error)?;
    session
        .insert(CSRF_KEY, &csrf_token)
        .await
        .map_err(session_error)?;
    session
        .insert(TOUCHED_KEY, now_ms())
        .await
        .map_err(session_error)?;
    tracing::info!(username, at = now_ms(), "login");
    Ok(CurrentUser {
        role: user.role(),
        user,
        csrf_token,
    })
}

/// The refusal of a client that must wait `wait` before trying again.
fn wait_message(wait: Duration) -> AppError {
    let seconds = wait.as_secs_f64().ceil() as u64;
    let shown = if seconds < 120 {
        format!("{seconds} s")
    } else {
        format!("{} min", seconds.div_ceil(60))
    };
    AppError::TooManyRequests {
        message: format!("trop d'échecs de connexion depuis ce poste : réessayez dans {shown}"),
        retry_after: seconds.max(1),
    }
}

/// Ends the session.
pub async fn logout(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}
