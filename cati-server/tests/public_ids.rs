//! Public identifiers: surveys, waves, cases and interviews leave the server under UUIDs v7,
//! including the rows that existed before the migration that introduced them.

use std::borrow::Cow;

use cati_server::store::cases::{self, NewCase};
use cati_server::store::{Tx, interviews, surveys};
use sqlx::migrate::Migrator;
use uuid::Uuid;

mod common;
use common::{Empty, on_both_backends};

/// The migration that adds the public identifiers.
const PUBLIC_IDS: i64 = 6;

/// 2026-01-01T00:00:00Z, and two later creation times, in epoch milliseconds.
const CREATED: [i64; 3] = [1_767_225_600_000, 1_767_225_600_001, 1_780_000_000_123];

/// Rows as an older server stored them, before public identifiers existed (a fresh database
/// numbers each table's rows from 1).
const OLD_ROWS: &[&str] = &[
    "insert into users (username, display_name, role, password_hash, created_at) \
     values ('enqueteur1', 'Enquêteur', 'interviewer', '!', 0)",
    "insert into surveys (code, title, created_at) values ('obs', 'Observatoire', 1767225600000)",
    "insert into questionnaire_versions (survey_id, version, file_name, source, created_at) \
     values (1, '1', 'q.toml', '', 0)",
    "insert into waves (survey_id, name, questionnaire_version_id, status, created_at) \
     values (1, '2026', 1, 'open', 1767225600001)",
    "insert into sample_cases (wave_id, external_id, status, created_at) \
     values (1, 'A', 'pending', 1767225600000)",
    "insert into sample_cases (wave_id, external_id, status, created_at) \
     values (1, 'B', 'pending', 1767225600000)",
    "insert into sample_cases (wave_id, external_id, status, created_at) \
     values (1, 'C', 'pending', 1780000000123)",
    "insert into interviews (case_id, interviewer_id, status, seed, record, started_at, \
     updated_at) values (1, 1, 'in_progress', 0, '{}', 1780000000123, 1780000000123)",
];

/// The migrations before `version`.
fn up_to(migrator: Migrator, version: i64) -> Migrator {
    let kept: Vec<_> = migrator
        .migrations
        .iter()
        .filter(|m| m.version < version)
        .cloned()
        .collect();
    Migrator {
        migrations: Cow::Owned(kept),
        ..migrator
    }
}

/// Migrates `url` up to (not including) the public identifiers and stores [`OLD_ROWS`].
async fn old_database(url: &str, postgres: bool) {
    if postgres {
        let pool = sqlx::PgPool::connect(url).await.expect("postgres");
        up_to(sqlx::migrate!("./migrations/postgres"), PUBLIC_IDS)
            .run(&pool)
            .await
            .expect("older migrations");
        for sql in OLD_ROWS {
            sqlx::query(sql).execute(&pool).await.expect(sql);
        }
        pool.close().await;
    } else {
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse().expect("url");
        let pool = sqlx::SqlitePool::connect_with(options.create_if_missing(true))
            .await
            .expect("sqlite");
        up_to(sqlx::migrate!("./migrations/sqlite"), PUBLIC_IDS)
            .run(&pool)
            .await
            .expect("older migrations");
        for sql in OLD_ROWS {
            sqlx::query(sql).execute(&pool).await.expect(sql);
        }
        pool.close().await;
    }
}

fn millis(uuid: Uuid) -> i64 {
    let (seconds, nanos) = uuid
        .get_timestamp()
        .expect("a v7 UUID carries a timestamp")
        .to_unix();
    i64::try_from(seconds).expect("seconds") * 1000 + i64::from(nanos / 1_000_000)
}

async fn ids_of(tx: &mut Tx, table: &str, created: &str) -> Vec<(Uuid, i64)> {
    let sql = format!("select uuid, {created} from {table} order by id");
    tx.query(&sql).fetch_all().await.expect("public ids")
}

async fn existing_rows_get_version_7_ids_from_their_creation_time(postgres: bool) {
    let empty = Empty::new(postgres).await;
    old_database(&empty.url, postgres).await;
    let scratch = empty.migrate().await;

    let mut tx = scratch.db.read().await.expect("read");
    let mut all = Vec::new();
    for (table, created) in [
        ("surveys", "created_at"),
        ("waves", "created_at"),
        ("sample_cases", "created_at"),
        ("interviews", "started_at"),
    ] {
        for (uuid, at) in ids_of(&mut tx, table, created).await {
            assert_eq!(uuid.get_version_num(), 7, "{table}: {uuid}");
            assert_eq!(
                uuid.get_variant(),
                uuid::Variant::RFC4122,
                "{table}: {uuid}"
            );
            assert_eq!(
                millis(uuid),
                at,
                "{table}: {uuid} carries its creation time"
            );
            assert!(CREATED.contains(&at));
            all.push(uuid);
        }
    }
    assert_eq!(all.len(), 6);
    let mut distinct = all.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        all.len(),
        "two cases created in the same millisecond still differ"
    );

    // Each row is found again by its public id.
    let (case_uuid, _) = ids_of(&mut tx, "sample_cases", "created_at").await[1];
    let case = cases::by_uuid(&mut tx, case_uuid)
        .await
        .expect("lookup")
        .expect("the case");
    assert_eq!(case.external_id, "B");
    let (interview_uuid, _) = ids_of(&mut tx, "interviews", "started_at").await[0];
    let interview = interviews::by_uuid(&mut tx, interview_uuid)
        .await
        .expect("lookup")
        .expect("the interview");
    assert_eq!(interview.case_id, 1);
    let wave = surveys::wave_by_uuid(&mut tx, all[1])
        .await
        .expect("lookup")
        .expect("the wave");
    assert_eq!((wave.name.as_str(), wave.survey_uuid), ("2026", all[0]));
    tx.commit().await.expect("commit");

    // A case added now gets its own v7 id, and an unknown id finds nothing.
    let mut tx = scratch.db.write().await.expect("write");
    let added = cases::insert_cases(
        &mut tx,
        1,
        &[NewCase {
            external_id: "D".to_owned(),
            commune_code: None,
            commune_name: None,
            preload: serde_json::json!({}),
            synthetic: true,
            phones: vec![],
            replicate: None,
        }],
        cati_server::store::now_ms(),
    )
    .await
    .expect("insert");
    assert_eq!(added, 1);
    let rows = ids_of(&mut tx, "sample_cases", "created_at").await;
    let (new_uuid, _) = rows[3];
    assert_eq!(new_uuid.get_version_num(), 7);
    assert!(!all.contains(&new_uuid));
    assert!(
        cases::by_uuid(&mut tx, Uuid::now_v7())
            .await
            .expect("lookup")
            .is_none()
    );
    tx.commit().await.expect("commit");
    scratch.drop_database().await;
}

on_both_backends!(existing_rows_get_version_7_ids_from_their_creation_time);
