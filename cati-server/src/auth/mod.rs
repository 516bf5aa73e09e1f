//! Login, sessions and the role matrix.
//!
//! Sessions live in the database (tower-sessions' SQLx store), so they survive a restart and
//! expire after inactivity. A session holds the user's id and the account's `session_version`:
//! changing the password or disabling the account bumps the version and so ends its sessions.
//!
//! Role matrix (enforced by [`CurrentUser::require`] in every handler):
//!
//! | what | admin | supervisor | interviewer | analyst |
//! |---|---|---|---|---|
//! | manage users | ✔ | | | |
//! | see the sample, phone numbers, any case | ✔ | ✔ | | |
//! | claim a case, call, interview | | | ✔ (only the case held) | |
//! | interview counts, answers | ✔ | ✔ | | ✔ (never phone numbers) |

pub mod csrf;
pub mod password;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;
use tower_sessions::Session;

use crate::error::AppError;
use crate::state::AppState;
use crate::store::users::{self, Role, UserRow};
use crate::store::{audit, now_ms};

pub(crate) const USER_KEY: &str = "user_id";
const VERSION_KEY: &str = "session_version";
pub(crate) const CSRF_KEY: &str = "csrf_token";

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
#[derive(Debug, Serialize)]
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

fn session_error(e: tower_sessions::session::Error) -> AppError {
    AppError::Internal(e.to_string())
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
        let user = users::by_id(&state.db, user_id).await?;
        match (user, csrf_token) {
            (Some(user), Some(csrf_token))
                if !user.disabled && Some(user.session_version) == version =>
            {
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

/// Checks credentials, with throttling, and opens a session (with a new id) for the user.
pub async fn login(
    state: &AppState,
    session: &Session,
    username: &str,
    password: &str,
) -> Result<CurrentUser, AppError> {
    let username = username.trim();
    if username.is_empty() || username.len() > 100 || password.len() > 1000 {
        return Err(AppError::BadCredentials);
    }
    if users::locked_until(&state.db, username).await?.is_some() {
        return Err(locked_message());
    }
    let user = users::by_username(&state.db, username).await?;
    let hash = user.as_ref().map_or_else(
        || state.dummy_hash.as_str().to_owned(),
        |u| u.password_hash.clone(),
    );
    let password_ok = password::verify(password.to_owned(), hash).await?;
    let user = match user {
        Some(user) if password_ok && !user.disabled => user,
        _ => {
            let settings = &state.settings;
            let locked = users::record_login_failure(
                &state.db,
                username,
                settings.login_max_failures,
                settings.lockout_ms,
            )
            .await?;
            tracing::warn!(username, "failed login");
            return Err(if locked.is_some() {
                locked_message()
            } else {
                AppError::BadCredentials
            });
        }
    };
    users::clear_login_failures(&state.db, username).await?;
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
    tracing::info!(username, at = now_ms(), "login");
    Ok(CurrentUser {
        role: user.role(),
        user,
        csrf_token,
    })
}

fn locked_message() -> AppError {
    AppError::TooManyRequests(
        "trop d'échecs de connexion : compte verrouillé temporairement, réessayez plus tard"
            .to_owned(),
    )
}

/// Ends the session.
pub async fn logout(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// Creates an account (command line or admin page); 409 when the login name is taken.
pub async fn create_user(
    state_db: &crate::store::Db,
    actor: Option<i64>,
    username: &str,
    display_name: &str,
    role: Role,
    password: &str,
) -> Result<i64, AppError> {
    let username = username.trim();
    let valid = !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if !valid {
        return Err(AppError::Invalid(
            "identifiant invalide (lettres, chiffres, « . », « _ », « - » ; 64 au plus)".to_owned(),
        ));
    }
    password::check_strength(password)?;
    let hash = password::hash(password.to_owned()).await?;
    let display_name = if display_name.trim().is_empty() {
        username
    } else {
        display_name.trim()
    };
    let id = users::insert(state_db, username, display_name, role, &hash)
        .await?
        .ok_or_else(|| AppError::Conflict(format!("l'identifiant « {username} » existe déjà")))?;
    audit::record(
        state_db,
        actor,
        "user.create",
        &format!("user:{id}"),
        &serde_json::json!({ "username": username, "role": role.as_str() }),
    )
    .await?;
    Ok(id)
}

/// Replaces a password (and ends the account's sessions).
pub async fn change_password(
    db: &crate::store::Db,
    actor: Option<i64>,
    user_id: i64,
    password: &str,
) -> Result<(), AppError> {
    password::check_strength(password)?;
    let hash = password::hash(password.to_owned()).await?;
    if !users::set_password(db, user_id, &hash).await? {
        return Err(AppError::not_found("utilisateur inconnu"));
    }
    audit::record(
        db,
        actor,
        "user.password",
        &format!("user:{user_id}"),
        &serde_json::json!({}),
    )
    .await?;
    Ok(())
}

/// Disables or re-enables an account.
pub async fn set_disabled(
    db: &crate::store::Db,
    actor: Option<i64>,
    user_id: i64,
    disabled: bool,
) -> Result<(), AppError> {
    // An admin who locks themselves out may leave nobody able to manage accounts.
    if disabled && actor == Some(user_id) {
        return Err(AppError::Invalid(
            "vous ne pouvez pas désactiver votre propre compte".to_owned(),
        ));
    }
    if !users::set_disabled(db, user_id, disabled).await? {
        return Err(AppError::not_found("utilisateur inconnu"));
    }
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    audit::record(
        db,
        actor,
        action,
        &format!("user:{user_id}"),
        &serde_json::json!({}),
    )
    .await?;
    Ok(())
}
