//! What the integration tests share: a scratch database on either backend.

use cati_server::store::Db;

/// A scratch database: a temporary SQLite file or a PostgreSQL database dropped afterwards.
pub struct Scratch {
    /// The database.
    pub db: Db,
    _dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl Scratch {
    /// An empty, migrated database: SQLite when `postgres` is false.
    pub async fn new(postgres: bool) -> Scratch {
        let dir = tempfile::tempdir().expect("temporary directory");
        if !postgres {
            let url = format!("sqlite://{}", dir.path().join("quotas.db").display());
            let db = Db::connect(&url, 8).await.expect("sqlite database");
            return Scratch {
                db,
                _dir: dir,
                postgres: None,
            };
        }
        let admin = std::env::var("CATI_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let pool = sqlx::PgPool::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL unreachable at {admin}: {e}"));
        let name = format!(
            "cati_quota_{}_{}",
            std::process::id(),
            rand::random::<u32>()
        );
        sqlx::query(&format!("create database {name}"))
            .execute(&pool)
            .await
            .expect("create database");
        pool.close().await;
        let (base, query) = admin.split_once('?').unwrap_or((admin.as_str(), ""));
        let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
        let url = if query.is_empty() {
            format!("{prefix}/{name}")
        } else {
            format!("{prefix}/{name}?{query}")
        };
        let db = Db::connect(&url, 16).await.expect("postgres database");
        Scratch {
            db,
            _dir: dir,
            postgres: Some((admin, name)),
        }
    }

    /// Closes the database and drops it (PostgreSQL).
    pub async fn drop_database(self) {
        self.db.close().await;
        if let Some((admin, name)) = self.postgres {
            let pool = sqlx::PgPool::connect(&admin).await.expect("postgres");
            sqlx::query(&format!("drop database if exists {name} with (force)"))
                .execute(&pool)
                .await
                .expect("drop database");
        }
    }
}

/// Declares a scenario's SQLite and PostgreSQL tests (`scenario(postgres: bool)`).
macro_rules! on_both_backends {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                super::$scenario(false).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                super::$scenario(true).await;
            }
        }
    };
}
pub(crate) use on_both_backends;
