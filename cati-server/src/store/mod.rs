//! Storage on SQLite (default, one file) or PostgreSQL (several server instances on one
//! database). All SQL of the server lives in this module.
//!
//! **One contract.** Every store function is an ordinary `async fn` taking the transaction it
//! runs on (`&mut Tx`, see [`tx`]); a service opens the transaction ([`Db::write`] or
//! [`Db::read`]), calls as many store functions as the operation needs, writes its audit entry
//! ([`audit::record`]) on the same transaction, and commits: an action and its audit entry are
//! durable together or not at all.
//!
//! **One SQL text.** The two backends share one schema (migrations with identical versions
//! under `migrations/sqlite` and `migrations/postgres`) and, for almost every statement, one
//! SQL text: `$n` placeholders, `returning`, `on conflict` and partial indexes work on both. The
//! few statements that must differ sit side by side where they are used, chosen by
//! [`Tx::backend`] (handing out a case: `for update skip locked` on PostgreSQL).
//!
//! **Reads never write.** [`Db::read`] opens a plain (deferred) transaction on SQLite, which in
//! WAL mode never takes the write lock and sees one snapshot, and a `read only` transaction on
//! PostgreSQL, which refuses any write: a read path that wrote would fail the test suite on
//! PostgreSQL. [`Db::write`] opens `BEGIN IMMEDIATE` on SQLite: a deferred transaction that
//! reads and then writes while another connection writes fails with `SQLITE_BUSY` at once,
//! instead of waiting its turn.
//!
//! Timestamps are Unix epoch milliseconds in `bigint`/`integer` columns, JSON documents are
//! text.

pub mod audit;
pub mod cases;
pub mod changes;
pub mod counts;
pub mod dispatch;
mod durability;
pub mod exports;
pub mod interviews;
pub mod invariants;
pub mod quotas;
pub mod sample;
pub mod surveys;
mod tx;
pub mod users;
mod wal_sync;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use changes::{Change, ChangeBus};
pub use durability::Durability;
pub use tx::{Param, Record, Statement, Tx};
pub use wal_sync::WalSync;

/// The database a server instance works on: a connection pool of one backend, and the bus on
/// which committed changes are announced to this instance's live views.
///
/// Writes and reads take their connections from two pools, so that a read never waits for a
/// connection held by a write (on PostgreSQL, slow claims once held every pooled connection and
/// kept dashboard reads waiting 3 s). On SQLite the write pool has one connection: SQLite lets
/// one writer at a time in, and a writer that finds the lock taken sleeps in SQLite's busy
/// handler (1, 2, 5 … 100 ms naps, no order among the waiters), which gave answer saves a p99
/// of 1.5 s under load; queued in the pool instead, writers take turns first come, first
/// served, and are woken the moment the previous one commits. Reads never wait for the writer
/// (WAL on SQLite, MVCC on PostgreSQL), and so never slow it down.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    writes: Pool,
    changes: ChangeBus,
    /// SQLite at [`Durability::Full`]: the log's grouped sync every write commit waits for.
    wal_sync: Option<Arc<WalSync>>,
}

/// A connection pool of one of the supported backends.
#[derive(Clone, Debug)]
pub enum Pool {
    /// An embedded SQLite file.
    Sqlite(SqlitePool),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

/// Which backend a database runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a statement.
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// SQLite's write-ahead log could not be flushed to the disk after a commit (a full or
    /// failing disk): the write is not acknowledged.
    #[error("cannot sync the database log to the disk: {0}")]
    Sync(#[source] std::io::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored JSON document could not be read or written.
    #[error("stored JSON is invalid: {0}")]
    Json(#[from] serde_json::Error),
    /// A stored value is not one the server writes (a status name, a count).
    #[error("stored value is invalid: {0}")]
    Invalid(String),
    /// A parameter could not be bound to a statement.
    #[error("cannot bind a statement parameter: {0}")]
    Bind(String),
    /// The URL names no supported backend.
    #[error("unsupported database URL (expected sqlite:// or postgres://): {0}")]
    UnsupportedUrl(String),
}

impl StoreError {
    /// Whether the database is overloaded or out of reach rather than wrong: no connection
    /// free in time, the SQLite lock still taken after the busy timeout, PostgreSQL unreachable
    /// or shedding connections. The request may succeed if tried again shortly.
    pub fn is_overloaded(&self) -> bool {
        match self {
            StoreError::Sqlx(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_)) => true,
            StoreError::Sqlx(sqlx::Error::Database(e)) => matches!(
                e.code().as_deref(),
                // SQLITE_BUSY and SQLITE_LOCKED with their extended codes; PostgreSQL: too
                // many connections, cannot connect now, admin shutdown.
                Some("5" | "261" | "517" | "773" | "6" | "262" | "53300" | "57P03" | "57P01")
            ),
            _ => false,
        }
    }

    /// Whether the disk holding the database is full: SQLite's `SQLITE_FULL`, PostgreSQL's
    /// `disk_full`, or no space left to sync the log. Nothing was stored; once space returns,
    /// the same request succeeds.
    pub fn is_disk_full(&self) -> bool {
        const NO_SPACE: i32 = 28; // ENOSPC
        match self {
            StoreError::Sqlx(sqlx::Error::Database(e)) => {
                matches!(e.code().as_deref(), Some("13" | "53100"))
            }
            StoreError::Sqlx(sqlx::Error::Io(e)) | StoreError::Sync(e) => {
                e.raw_os_error() == Some(NO_SPACE)
            }
            _ => false,
        }
    }

    /// Whether the database refused a row because it would duplicate a unique key.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Sqlx(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects to `url` (`sqlite://file.db` or `postgres://…`), creating the SQLite file if
    /// needed, and applies pending migrations; SQLite commits at [`Durability::Full`].
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, StoreError> {
        Db::connect_with(url, max_connections, Durability::default()).await
    }

    /// [`Db::connect`], with SQLite's commits at the durability level `durability` (PostgreSQL
    /// keeps its own `synchronous_commit`).
    pub async fn connect_with(
        url: &str,
        max_connections: u32,
        durability: Durability,
    ) -> Result<Db, StoreError> {
        let mut wal_sync = None;
        let (pool, writes) = if url.starts_with("sqlite:") {
            // Both levels run SQLite at NORMAL; Full adds the grouped sync of the log that
            // SQLite's own FULL would make once per commit (see `wal_sync`).
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true);
            // The one writer keeps 64 MB of pages in memory (SQLite's default is 2 MB): loading
            // a large phone list updates several indexes in no particular order, and with the
            // default cache each insert would go back to the file for its index pages.
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(60))
                .test_before_acquire(false)
                .connect_with(options.clone().pragma("cache_size", "-65536"))
                .await?;
            SQLITE_MIGRATOR.run(&writer).await?;
            let file = options.get_filename();
            let in_memory = file.as_os_str().is_empty() || file == Path::new(":memory:");
            if durability == Durability::Full && !in_memory {
                wal_sync = Some(Arc::new(WalSync::new(file)));
            }
            // No ping before a pooled connection is handed out (sqlx's default): a SQLite
            // connection is a file handle that cannot go stale, and each ping is one more
            // round trip to the connection's thread on every request (about 8 % of the
            // answers per second of `cati simulate`).
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .test_before_acquire(false)
                .connect_with(options)
                .await?;
            (Pool::Sqlite(pool), Pool::Sqlite(writer))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            let connect = |options: PgConnectOptions, size: u32| {
                PgPoolOptions::new()
                    .max_connections(size)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
            };
            let writes = connect(options.clone(), max_connections).await?;
            POSTGRES_MIGRATOR.run(&writes).await?;
            // Reads are short: half as many connections serve them, which keeps an instance
            // within 1.5 times its `--max-connections` on the server.
            let reads = connect(options, max_connections.div_ceil(2).max(2)).await?;
            (Pool::Postgres(reads), Pool::Postgres(writes))
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        Ok(Db {
            pool,
            writes,
            changes: ChangeBus::default(),
            wal_sync,
        })
    }

    /// The connection pool of reads (and of the session store and administrative statements).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// How many times the SQLite log was synced for write commits, at [`Durability::Full`]
    /// (`None`: PostgreSQL, or SQLite at [`Durability::Normal`]).
    pub fn log_syncs(&self) -> Option<u64> {
        self.wal_sync.as_ref().map(|sync| sync.syncs())
    }

    /// The bus on which this instance hears committed changes.
    pub fn changes(&self) -> &ChangeBus {
        &self.changes
    }

    /// Starts hearing the changes committed by other instances (PostgreSQL `LISTEN`); on
    /// SQLite there are no other instances and this does nothing. Call once per server.
    pub fn hear_other_instances(&self) {
        if let Pool::Postgres(pool) = &self.pool {
            tokio::spawn(changes::listen(pool.clone(), self.changes.clone()));
        }
    }

    /// Opens a transaction that will write (holding SQLite's write lock from the start).
    pub async fn write(&self) -> Result<Tx, StoreError> {
        Ok(match &self.writes {
            Pool::Sqlite(writer) => Tx::sqlite(
                writer.begin_with("BEGIN IMMEDIATE").await?,
                self.changes.clone(),
            )
            .synced_by(self.wal_sync.clone()),
            Pool::Postgres(pool) => Tx::postgres(pool.begin().await?, self.changes.clone()),
        })
    }

    /// Opens a transaction that only reads: one consistent snapshot, no write lock.
    pub async fn read(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::sqlite(pool.begin().await?, self.changes.clone()),
            Pool::Postgres(pool) => Tx::postgres(
                pool.begin_with("BEGIN READ ONLY").await?,
                self.changes.clone(),
            ),
        })
    }

    /// Opens a read whose statements run outside any transaction, each seeing its own
    /// snapshot: for the reads made on every request, of one statement (the signed-in user) or
    /// of rows a later write checks again (an interview loaded before its answer is saved, the
    /// save re-checking its revision and holder). It saves the `BEGIN` and `COMMIT` round trips
    /// of [`Db::read`]; only `select` statements run on it.
    pub async fn read_autocommit(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => {
                Tx::sqlite_autocommit(pool.acquire().await?, self.changes.clone())
            }
            Pool::Postgres(pool) => {
                Tx::postgres_autocommit(pool.acquire().await?, self.changes.clone())
            }
        })
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut tx = self.read().await?;
        tx.query("select 1").execute().await?;
        tx.commit().await
    }

    /// Closes every connection (on shutdown).
    pub async fn close(&self) {
        match &self.writes {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// A new public identifier for a survey, wave, case or interview: a UUID v7, whose leading
/// timestamp keeps new rows at the end of the unique index (no random page splits, unlike v4)
/// while revealing neither how many rows exist nor their order of creation within a
/// millisecond.
pub fn new_public_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
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
