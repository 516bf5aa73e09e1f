//! What the integration tests share: a scratch database on either backend.

use cati_server::auth::Actor;
use cati_server::sample::demo::FIXTURE_QUESTIONNAIRE;
use cati_server::services::surveys::{self, NewSurvey, Upload};
use cati_server::services::waves::{self, WaveRequest};
use cati_server::store::Db;
use cati_server::store::surveys::{WaveRow, WaveStatus};

/// A scratch database: a temporary SQLite file or a PostgreSQL database dropped afterwards.
pub struct Scratch {
    /// The database.
    pub db: Db,
    _dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

/// A scratch database not migrated yet: its URL, for tests of the migrations themselves.
pub struct Empty {
    /// Where it is.
    pub url: String,
    dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl Empty {
    /// A new empty database: SQLite when `postgres` is false.
    pub async fn new(postgres: bool) -> Empty {
        let dir = tempfile::tempdir().expect("temporary directory");
        if !postgres {
            let url = format!("sqlite://{}", dir.path().join("quotas.db").display());
            return Empty {
                url,
                dir,
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
        Empty {
            url,
            dir,
            postgres: Some((admin, name)),
        }
    }

    /// Connects the server's store, which applies every pending migration.
    pub async fn migrate(self) -> Scratch {
        let connections = if self.postgres.is_some() { 16 } else { 8 };
        let db = Db::connect(&self.url, connections)
            .await
            .expect("migrated database");
        Scratch {
            db,
            _dir: self.dir,
            postgres: self.postgres,
        }
    }
}

impl Scratch {
    /// An empty, migrated database: SQLite when `postgres` is false.
    #[allow(
        dead_code,
        reason = "the migration tests start from an empty database instead"
    )]
    pub async fn new(postgres: bool) -> Scratch {
        Empty::new(postgres).await.migrate().await
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

/// The survey « essai » on the short fixture questionnaire and its wave « 1 », opened when
/// `open`, set up through the services as a manager would; returns the wave.
#[allow(dead_code, reason = "not every test file needs a survey")]
pub async fn fixture_wave(db: &Db, open: bool) -> WaveRow {
    let new = NewSurvey {
        name: "essai".to_owned(),
        title: None,
        description: String::new(),
        questionnaire: Some(Upload {
            file_name: "essai.toml".to_owned(),
            source: FIXTURE_QUESTIONNAIRE.to_owned(),
            indicators: None,
        }),
    };
    surveys::create(db, Actor::Operator, &new)
        .await
        .expect("survey");
    let request = WaveRequest {
        survey: "essai".to_owned(),
        name: "1".to_owned(),
        ..WaveRequest::default()
    };
    let wave = waves::create(db, Actor::Operator, &request)
        .await
        .expect("wave")
        .wave;
    // Tests run at any hour: the fixture wave is callable around the clock.
    let mut tx = db.write().await.expect("write");
    cati_server::services::rules::allow_around_the_clock(&mut tx, wave.id)
        .await
        .expect("rules");
    tx.commit().await.expect("commit");
    if !open {
        return wave;
    }
    waves::set_status(db, Actor::Operator, "1", WaveStatus::Open)
        .await
        .expect("open")
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

/// An interviewer account named `name` (which cannot log in), as the services see its caller.
#[allow(dead_code, reason = "not every test file calls as an interviewer")]
pub async fn interviewer(db: &Db, name: &str) -> cati_server::auth::CurrentUser {
    use cati_server::store::users::{self, Role};
    let mut tx = db.write().await.expect("write");
    let id = users::insert(&mut tx, name, name, Role::Interviewer, "!")
        .await
        .expect("user")
        .expect("new");
    let user = users::by_id(&mut tx, id)
        .await
        .expect("user")
        .expect("exists");
    tx.commit().await.expect("commit");
    cati_server::auth::CurrentUser {
        role: Role::Interviewer,
        user,
        csrf_token: String::new(),
    }
}

/// Loads the phone list `list` (CSV text) into the wave `wave`, every good row at once.
#[allow(dead_code, reason = "not every test file loads a list")]
pub async fn import_list(db: &Db, wave: &str, list: &str) {
    use cati_server::services::sample::{self, ImportOptions};
    sample::import(
        db,
        Actor::Operator,
        wave,
        "liste.csv",
        list.as_bytes(),
        &ImportOptions::default(),
        &mut |_| {},
    )
    .await
    .expect("import");
}
