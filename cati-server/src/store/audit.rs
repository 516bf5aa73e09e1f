//! The audit log of what managers change. An entry is written on the transaction of the action
//! it records, so that both commit together or neither does.

use serde::Serialize;

use super::{StoreError, Tx, now_ms};

/// Appends one entry: who (`user_id`, none for the command line) did `action` on `target`.
pub async fn record(
    tx: &mut Tx,
    user_id: Option<i64>,
    action: &str,
    target: &str,
    details: &serde_json::Value,
) -> Result<(), StoreError> {
    tx.query(
        "insert into audit_log (at, user_id, action, target, details) values ($1, $2, $3, $4, $5)",
    )
    .bind(now_ms())
    .bind(user_id)
    .bind(action)
    .bind(target)
    .bind(details.to_string())
    .execute()
    .await?;
    Ok(())
}

/// One audit entry.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditEntry {
    /// When (epoch ms).
    pub at: i64,
    /// Who, if done in the web interface.
    pub user_id: Option<i64>,
    /// What was done.
    pub action: String,
    /// On what.
    pub target: String,
    /// Details as JSON text.
    pub details: String,
}

/// The most recent entries, newest first.
pub async fn recent(tx: &mut Tx, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
    tx.query("select at, user_id, action, target, details from audit_log order by id desc limit $1")
        .bind(limit)
        .fetch_all()
        .await
}
