//! The one contract every store function is written against: a transaction ([`Tx`]) on either
//! backend, and statements built on it with the same shape as sqlx's own
//! (`tx.query(sql).bind(x).fetch_all::<Row>()`).
//!
//! Why a small wrapper rather than sqlx's `Any` driver or generic functions over
//! `sqlx::Database`: `Any` decodes SQLite integers as integers, so our `boolean` columns (stored
//! as 0/1 by SQLite) fail to decode as `bool`, and it cannot open SQLite's `BEGIN IMMEDIATE`
//! write transactions; generic functions need a dozen higher-ranked `Encode`/`Decode` bounds
//! repeated on every function, because Rust does not carry `where` clauses of a trait alias into
//! its users. Here the backend is chosen once, when a statement runs: the parameters are kept as
//! a short list of typed values ([`Param`]) and bound to the concrete sqlx query of the backend
//! at hand, and rows decode through sqlx's `FromRow` (derived once per row type, valid for both
//! backends). Store functions are ordinary `async fn`s taking `&mut Tx`, so a service composes
//! several of them, and the audit entry recording them, in one transaction.

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{Arguments, Database, Encode, FromRow, Postgres, Sqlite, Transaction, Type};

use uuid::Uuid;

use std::sync::Arc;

use super::changes::{Change, ChangeBus};
use super::wal_sync::WalSync;
use super::{Backend, StoreError};

/// A row type that decodes from both backends: anything deriving `sqlx::FromRow`, and tuples.
pub trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// One value bound to a statement's `$n` placeholder. `None` binds a typed SQL `null`, which
/// PostgreSQL needs to infer the parameter's type.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    /// A `bigint`/`integer`.
    Int(Option<i64>),
    /// A `double precision`/`real`.
    Float(Option<f64>),
    /// A `text`.
    Text(Option<String>),
    /// A `boolean` (0/1 on SQLite).
    Bool(Option<bool>),
    /// A `uuid` (a 16-byte blob on SQLite).
    Uuid(Option<Uuid>),
}

impl From<Uuid> for Param {
    fn from(value: Uuid) -> Param {
        Param::Uuid(Some(value))
    }
}

impl From<i64> for Param {
    fn from(value: i64) -> Param {
        Param::Int(Some(value))
    }
}

impl From<Option<i64>> for Param {
    fn from(value: Option<i64>) -> Param {
        Param::Int(value)
    }
}

impl From<f64> for Param {
    fn from(value: f64) -> Param {
        Param::Float(Some(value))
    }
}

impl From<bool> for Param {
    fn from(value: bool) -> Param {
        Param::Bool(Some(value))
    }
}

impl From<&str> for Param {
    fn from(value: &str) -> Param {
        Param::Text(Some(value.to_owned()))
    }
}

impl From<String> for Param {
    fn from(value: String) -> Param {
        Param::Text(Some(value))
    }
}

impl From<&String> for Param {
    fn from(value: &String) -> Param {
        Param::Text(Some(value.clone()))
    }
}

impl From<Option<&str>> for Param {
    fn from(value: Option<&str>) -> Param {
        Param::Text(value.map(str::to_owned))
    }
}

impl From<Option<String>> for Param {
    fn from(value: Option<String>) -> Param {
        Param::Text(value)
    }
}

impl From<&Option<String>> for Param {
    fn from(value: &Option<String>) -> Param {
        Param::Text(value.clone())
    }
}

/// The backend's argument list for `params`.
fn arguments<'q, DB: Database>(params: Vec<Param>) -> Result<DB::Arguments<'q>, StoreError>
where
    Option<i64>: Encode<'q, DB> + Type<DB>,
    Option<f64>: Encode<'q, DB> + Type<DB>,
    Option<String>: Encode<'q, DB> + Type<DB>,
    Option<bool>: Encode<'q, DB> + Type<DB>,
    Option<Uuid>: Encode<'q, DB> + Type<DB>,
{
    let mut arguments = DB::Arguments::default();
    for param in params {
        match param {
            Param::Int(v) => arguments.add(v),
            Param::Float(v) => arguments.add(v),
            Param::Text(v) => arguments.add(v),
            Param::Bool(v) => arguments.add(v),
            Param::Uuid(v) => arguments.add(v),
        }
        .map_err(|e| StoreError::Bind(e.to_string()))?;
    }
    Ok(arguments)
}

/// The transaction of one backend, or a connection whose statements each commit on their own
/// (reads only, see [`super::Db::read_autocommit`]).
#[derive(Debug)]
enum Inner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
    SqliteAutocommit(PoolConnection<Sqlite>),
    PostgresAutocommit(PoolConnection<Postgres>),
}

/// The connection a statement runs on.
enum Connection<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// An open transaction: every store function runs on one, so that what a service does commits
/// or rolls back as a whole. Dropping it without [`Tx::commit`] rolls it back.
///
/// Changes to announce to live views ([`Tx::announce`]) are delivered only if it commits: on
/// PostgreSQL through `pg_notify` inside the transaction (PostgreSQL sends them at commit, to
/// every instance listening), on SQLite by the in-process bus after the commit returns.
#[derive(Debug)]
pub struct Tx {
    inner: Inner,
    bus: ChangeBus,
    pending: Vec<Change>,
    /// The log sync a SQLite write transaction waits for after its commit (durability Full).
    wal_sync: Option<Arc<WalSync>>,
}

impl Tx {
    pub(super) fn sqlite(tx: Transaction<'static, Sqlite>, bus: ChangeBus) -> Tx {
        Tx {
            inner: Inner::Sqlite(tx),
            bus,
            pending: Vec::new(),
            wal_sync: None,
        }
    }

    /// A write transaction whose commit returns only once the log is on the disk.
    pub(super) fn synced_by(mut self, wal_sync: Option<Arc<WalSync>>) -> Tx {
        self.wal_sync = wal_sync;
        self
    }

    pub(super) fn postgres(tx: Transaction<'static, Postgres>, bus: ChangeBus) -> Tx {
        Tx {
            inner: Inner::Postgres(tx),
            bus,
            pending: Vec::new(),
            wal_sync: None,
        }
    }

    pub(super) fn sqlite_autocommit(connection: PoolConnection<Sqlite>, bus: ChangeBus) -> Tx {
        Tx {
            inner: Inner::SqliteAutocommit(connection),
            bus,
            pending: Vec::new(),
            wal_sync: None,
        }
    }

    pub(super) fn postgres_autocommit(connection: PoolConnection<Postgres>, bus: ChangeBus) -> Tx {
        Tx {
            inner: Inner::PostgresAutocommit(connection),
            bus,
            pending: Vec::new(),
            wal_sync: None,
        }
    }

    fn is_autocommit(&self) -> bool {
        matches!(
            self.inner,
            Inner::SqliteAutocommit(_) | Inner::PostgresAutocommit(_)
        )
    }

    /// The connection to run `sql` on; an autocommit read refuses anything but a `select`, so
    /// that no write ever commits outside a transaction.
    fn connection(&mut self, sql: &str) -> Result<Connection<'_>, StoreError> {
        if self.is_autocommit() && !is_select(sql) {
            return Err(StoreError::Invalid(format!(
                "only a select may run outside a transaction: {sql}"
            )));
        }
        Ok(match &mut self.inner {
            Inner::Sqlite(tx) => Connection::Sqlite(tx),
            Inner::Postgres(tx) => Connection::Postgres(tx),
            Inner::SqliteAutocommit(connection) => Connection::Sqlite(connection),
            Inner::PostgresAutocommit(connection) => Connection::Postgres(connection),
        })
    }

    /// How many rows of `params_per_row` parameters one multi-row statement should carry.
    /// sqlx binds SQLite parameters by name, looking each one up among all the statement's
    /// names, so binding costs grow with the square of their number (measured: with 5,000
    /// parameters a statement, three quarters of an import went into binding); a few hundred
    /// keep that negligible while still saving most round trips. PostgreSQL binds by position.
    pub fn rows_per_statement(&self, params_per_row: usize) -> usize {
        let budget = match self.backend() {
            Backend::Sqlite => 400,
            Backend::Postgres => 5_000,
        };
        (budget / params_per_row.max(1)).max(1)
    }

    /// Which database this transaction runs on (for the few statements that differ).
    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Sqlite(_) | Inner::SqliteAutocommit(_) => Backend::Sqlite,
            Inner::Postgres(_) | Inner::PostgresAutocommit(_) => Backend::Postgres,
        }
    }

    /// A statement on this transaction; bind its `$n` parameters in order, then run it.
    pub fn query<'t>(&'t mut self, sql: &'t str) -> Statement<'t> {
        Statement {
            tx: self,
            sql,
            params: Vec::new(),
        }
    }

    /// Announces a change to every live view once this transaction commits (see the type's
    /// documentation). Announcing the same change twice sends it once.
    pub async fn announce(&mut self, change: Change) -> Result<(), StoreError> {
        if self.is_autocommit() {
            return Err(StoreError::Invalid(
                "a change is announced only by a transaction".to_owned(),
            ));
        }
        if self.pending.contains(&change) {
            return Ok(());
        }
        self.pending.push(change);
        if self.backend() == Backend::Postgres {
            self.query("select pg_notify($1, $2)")
                .bind(super::changes::CHANNEL)
                .bind(change.payload())
                .execute()
                .await?;
        }
        Ok(())
    }

    /// Makes everything done in the transaction durable, then delivers its announced changes.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.inner {
            Inner::Sqlite(tx) => {
                tx.commit().await?;
                if let Some(wal_sync) = &self.wal_sync {
                    wal_sync.after_commit().await?;
                }
                for change in self.pending {
                    self.bus.publish(change);
                }
            }
            // PostgreSQL delivers the notifications itself, to every listening instance
            // (including this one, through its listener).
            Inner::Postgres(tx) => tx.commit().await?,
            // Each statement committed on its own; the connection goes back to the pool.
            Inner::SqliteAutocommit(_) | Inner::PostgresAutocommit(_) => {}
        }
        Ok(())
    }

    /// Undoes everything done in the transaction; announced changes are dropped.
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.inner {
            Inner::Sqlite(tx) => tx.rollback().await?,
            Inner::Postgres(tx) => tx.rollback().await?,
            Inner::SqliteAutocommit(_) | Inner::PostgresAutocommit(_) => {}
        }
        Ok(())
    }
}

/// A statement being built on a transaction: its SQL text and the parameters bound so far.
#[must_use = "a statement does nothing until it is executed or fetched"]
pub struct Statement<'t> {
    tx: &'t mut Tx,
    sql: &'t str,
    params: Vec<Param>,
}

impl Statement<'_> {
    /// Binds the next `$n` parameter.
    pub fn bind(mut self, value: impl Into<Param>) -> Self {
        self.params.push(value.into());
        self
    }

    /// Runs the statement; returns the number of rows it changed.
    pub async fn execute(self) -> Result<u64, StoreError> {
        let done = match self.tx.connection(self.sql)? {
            Connection::Sqlite(c) => sqlx::query_with(self.sql, arguments::<Sqlite>(self.params)?)
                .execute(c)
                .await?
                .rows_affected(),
            Connection::Postgres(c) => {
                sqlx::query_with(self.sql, arguments::<Postgres>(self.params)?)
                    .execute(c)
                    .await?
                    .rows_affected()
            }
        };
        Ok(done)
    }

    /// Runs the statement and decodes every row it returns.
    pub async fn fetch_all<T: Record>(self) -> Result<Vec<T>, StoreError> {
        let rows = match self.tx.connection(self.sql)? {
            Connection::Sqlite(c) => {
                sqlx::query_as_with::<_, T, _>(self.sql, arguments::<Sqlite>(self.params)?)
                    .fetch_all(c)
                    .await?
            }
            Connection::Postgres(c) => {
                sqlx::query_as_with::<_, T, _>(self.sql, arguments::<Postgres>(self.params)?)
                    .fetch_all(c)
                    .await?
            }
        };
        Ok(rows)
    }

    /// Runs the statement and decodes its first row, if any.
    pub async fn fetch_optional<T: Record>(self) -> Result<Option<T>, StoreError> {
        let row = match self.tx.connection(self.sql)? {
            Connection::Sqlite(c) => {
                sqlx::query_as_with::<_, T, _>(self.sql, arguments::<Sqlite>(self.params)?)
                    .fetch_optional(c)
                    .await?
            }
            Connection::Postgres(c) => {
                sqlx::query_as_with::<_, T, _>(self.sql, arguments::<Postgres>(self.params)?)
                    .fetch_optional(c)
                    .await?
            }
        };
        Ok(row)
    }

    /// Runs the statement and decodes its first row, which must exist.
    pub async fn fetch_one<T: Record>(self) -> Result<T, StoreError> {
        self.fetch_optional()
            .await?
            .ok_or(StoreError::Sqlx(sqlx::Error::RowNotFound))
    }

    /// Runs a statement returning one column of one row (a count, an id).
    pub async fn fetch_scalar<V>(self) -> Result<V, StoreError>
    where
        (V,): Record,
    {
        let (value,) = self.fetch_one::<(V,)>().await?;
        Ok(value)
    }
}

/// Whether `sql` is a plain `select` (which cannot write on either backend).
fn is_select(sql: &str) -> bool {
    let sql = sql.trim_start();
    sql.get(..6)
        .is_some_and(|head| head.eq_ignore_ascii_case("select"))
        && sql[6..].starts_with(char::is_whitespace)
}
