//! Storage on SQLite (default, one file) or PostgreSQL (several server instances).
//!
//! The two backends share one schema (migrations with identical versions under
//! `migrations/sqlite` and `migrations/postgres`) and, for almost every query, one SQL text:
//! `$n` placeholders, `returning`, `on conflict` and partial indexes work on both. Rather than a
//! trait with two hand-written twins of every method, each store function is written once and
//! expanded for both pool types by [`on_pool!`]; the few statements that must differ (handing out
//! a case: `for update skip locked` on PostgreSQL) sit side by side where they are used.
//! Timestamps are Unix epoch milliseconds in `bigint`/`integer` columns, JSON documents are text.

pub mod audit;
pub mod cases;
pub mod exports;
pub mod interviews;
pub mod quotas;
pub mod surveys;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool, Transaction};

/// A database connection pool for one of the supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    /// An embedded SQLite file.
    Sqlite(SqlitePool),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a statement.
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored JSON document could not be read or written.
    #[error("stored JSON is invalid: {0}")]
    Json(#[from] serde_json::Error),
    /// The URL names no supported backend.
    #[error("unsupported database URL (expected sqlite:// or postgres://): {0}")]
    UnsupportedUrl(String),
}

/// Expands `$body` once per backend with `$pool` bound to the concrete pool type.
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Opening a transaction that will write.
///
/// SQLite needs `BEGIN IMMEDIATE`: a deferred transaction that reads and then writes while
/// another connection writes fails with `SQLITE_BUSY` at once, without waiting.
pub(crate) trait WritePool {
    /// The backend.
    type Backend: sqlx::Database;
    /// Begins a transaction holding the write lock (SQLite) or a plain one (PostgreSQL).
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Self::Backend>, sqlx::Error>> + Send;
}

impl WritePool for SqlitePool {
    type Backend = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl WritePool for PgPool {
    type Backend = sqlx::Postgres;
    async fn begin_write(&self) -> Result<Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects to `url` (`sqlite://file.db` or `postgres://…`), creating the SQLite file if
    /// needed, and applies pending migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, StoreError> {
        let db = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .connect_with(options)
                .await?;
            SQLITE_MIGRATOR.run(&pool).await?;
            Db::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options)
                .await?;
            POSTGRES_MIGRATOR.run(&pool).await?;
            Db::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        Ok(db)
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, |pool| {
            sqlx::query("select 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Closes every connection (on shutdown).
    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await)
    }
}

/// The current time in Unix epoch milliseconds.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_migration_versions() {
        let versions = |m: &sqlx::migrate::Migrator| -> Vec<i64> {
            m.iter().map(|migration| migration.version).collect()
        };
        assert_eq!(versions(&SQLITE_MIGRATOR), versions(&POSTGRES_MIGRATOR));
    }
}
