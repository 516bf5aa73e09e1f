//! The audit log of what managers change.

use serde::Serialize;

use super::{Db, StoreError, now_ms, on_pool};

/// Appends one entry: who (`user_id`, none for the command line) did `action` on `target`.
pub async fn record(
    db: &Db,
    user_id: Option<i64>,
    action: &str,
    target: &str,
    details: &serde_json::Value,
) -> Result<(), StoreError> {
    let sql =
        "insert into audit_log (at, user_id, action, target, details) values ($1, $2, $3, $4, $5)";
    on_pool!(db, |pool| {
        sqlx::query(sql)
            .bind(now_ms())
            .bind(user_id)
            .bind(action)
            .bind(target)
            .bind(details.to_string())
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// One audit entry.
#[derive(Debug, Serialize, sqlx::FromRow)]
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
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
    let sql =
        "select at, user_id, action, target, details from audit_log order by id desc limit $1";
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, AuditEntry>(sql)
        .bind(limit)
        .fetch_all(pool)
        .await?))
}
