//! Accounts: creating them, changing passwords, disabling and re-enabling (admins, or the
//! operator at the command line). Each change commits with its audit entry.

use crate::auth::{Actor, password};
use crate::error::AppError;
use crate::services::text;
use crate::store::audit::AuditAction;
use crate::store::users::{self, Role, UserRow};
use crate::store::{Db, audit};

/// Every account, by login name.
pub async fn list(db: &Db, actor: Actor<'_>) -> Result<Vec<UserRow>, AppError> {
    actor.require(Role::ADMINS)?;
    let mut tx = db.read().await?;
    let accounts = users::list(&mut tx).await?;
    tx.commit().await?;
    Ok(accounts)
}

/// The account with this login name.
pub async fn find(db: &Db, actor: Actor<'_>, username: &str) -> Result<UserRow, AppError> {
    actor.require(Role::ADMINS)?;
    let mut tx = db.read().await?;
    let account = users::by_username(&mut tx, username).await?;
    tx.commit().await?;
    account.ok_or_else(|| AppError::not_found(&format!("aucun compte « {username} »")))
}

/// Creates an account; 409 when the login name is taken. Returns its id.
pub async fn create(
    db: &Db,
    actor: Actor<'_>,
    username: &str,
    display_name: &str,
    role: Role,
    password: &str,
) -> Result<i64, AppError> {
    actor.require(Role::ADMINS)?;
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
    let display_name = text::bounded("le nom affiché", display_name, text::DISPLAY_NAME_MAX_CHARS)?;
    let display_name = if display_name.is_empty() {
        username
    } else {
        display_name
    };
    let mut tx = db.write().await?;
    let id = users::insert(&mut tx, username, display_name, role, &hash)
        .await?
        .ok_or_else(|| AppError::Conflict(format!("l'identifiant « {username} » existe déjà")))?;
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::UserCreate,
        &format!("user:{id}"),
        &serde_json::json!({ "username": username, "role": role.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces a password (and ends the account's sessions).
pub async fn change_password(
    db: &Db,
    actor: Actor<'_>,
    user_id: i64,
    password: &str,
) -> Result<(), AppError> {
    actor.require(Role::ADMINS)?;
    password::check_strength(password)?;
    let hash = password::hash(password.to_owned()).await?;
    let mut tx = db.write().await?;
    if !users::set_password(&mut tx, user_id, &hash).await? {
        return Err(AppError::not_found("utilisateur inconnu"));
    }
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::UserPassword,
        &format!("user:{user_id}"),
        &serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Disables or re-enables an account; disabling ends its sessions and gives back the case it
/// held.
pub async fn set_disabled(
    db: &Db,
    actor: Actor<'_>,
    user_id: i64,
    disabled: bool,
) -> Result<(), AppError> {
    actor.require(Role::ADMINS)?;
    // An admin who locks themselves out may leave nobody able to manage accounts.
    if disabled && actor.user_id() == Some(user_id) {
        return Err(AppError::Invalid(
            "vous ne pouvez pas désactiver votre propre compte".to_owned(),
        ));
    }
    let mut tx = db.write().await?;
    if !users::set_disabled(&mut tx, user_id, disabled).await? {
        return Err(AppError::not_found("utilisateur inconnu"));
    }
    let action = if disabled {
        AuditAction::UserDisable
    } else {
        AuditAction::UserEnable
    };
    audit::record(
        &mut tx,
        actor.user_id(),
        action,
        &format!("user:{user_id}"),
        &serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The most recent audit entries, newest first.
pub async fn audit_log(
    db: &Db,
    actor: Actor<'_>,
    limit: i64,
) -> Result<Vec<audit::AuditEntry>, AppError> {
    actor.require(Role::ADMINS)?;
    let mut tx = db.read().await?;
    let entries = audit::recent(&mut tx, limit.clamp(1, 1000)).await?;
    tx.commit().await?;
    Ok(entries)
}

/// The audit journal for supervisors and admins: `limit` entries (1 to 500) newest first, of
/// one action and on targets containing `target` when given, older than the entry `before`.
pub async fn journal(
    db: &Db,
    actor: Actor<'_>,
    action: Option<AuditAction>,
    target: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<audit::JournalEntry>, AppError> {
    actor.require(Role::MANAGERS)?;
    let target = crate::services::text::given(target);
    let mut tx = db.read().await?;
    let entries = audit::journal(&mut tx, action, target, before, limit.clamp(1, 500)).await?;
    tx.commit().await?;
    Ok(entries)
}
