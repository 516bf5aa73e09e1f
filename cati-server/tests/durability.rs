//! SQLite's durability: at the default level a write is acknowledged only once its log is on
//! the disk, with one sync for a group of commits; a full disk refuses writes with a French
//! 503, stores nothing half-way, and the same request succeeds once space returns.

use cati_server::auth::Actor;
use cati_server::error::AppError;
use cati_server::services::sample::{self, ImportOptions};
use cati_server::store::{Db, Durability};

#[allow(
    dead_code,
    unused_macros,
    unused_imports,
    reason = "SQLite only: the scratch databases and the two-backend macro are not needed"
)]
mod common;

/// A SQLite database at `durability` in a temporary directory.
async fn sqlite(durability: Durability) -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("cati.db").display());
    let db = Db::connect_with(&url, 4, durability)
        .await
        .expect("database");
    (db, dir)
}

/// A phone list of `rows` mobiles.
fn list(rows: u32) -> String {
    let mut text = String::from("id;telephone\n");
    for row in 0..rows {
        text.push_str(&format!(
            "L{row};06 12 {:02} {:02} {:02}\n",
            row / 10_000 % 100,
            row / 100 % 100,
            row % 100
        ));
    }
    text
}

async fn import(db: &Db, rows: u32) -> Result<u64, AppError> {
    sample::import(
        db,
        Actor::Operator,
        "1",
        "liste.csv",
        list(rows).as_bytes(),
        &ImportOptions::default(),
        &mut |_| {},
    )
    .await
    .map(|(imported, _)| imported.imported)
}

async fn cases(db: &Db) -> i64 {
    let mut tx = db.read().await.expect("read");
    let (count,): (i64,) = tx
        .query("select count(*) from sample_cases")
        .fetch_one()
        .await
        .expect("count");
    tx.commit().await.expect("commit");
    count
}

#[tokio::test]
async fn writes_wait_for_a_grouped_sync_of_the_log_at_full_durability() {
    let (db, _dir) = sqlite(Durability::Full).await;
    common::fixture_wave(&db, false).await;
    let before = db.log_syncs().expect("full durability syncs the log");
    assert!(before > 0, "setting up the wave was synced");
    let writers: Vec<_> = (0..40)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tx = db.write().await.expect("write");
                tx.query("insert into audit_log (at, action, target, details) values ($1, 'test', $2, '{}')")
                    .bind(i64::from(i))
                    .bind(format!("t{i}"))
                    .execute()
                    .await
                    .expect("insert");
                tx.commit().await.expect("commit");
            })
        })
        .collect();
    for writer in writers {
        writer.await.expect("writer");
    }
    let syncs = db.log_syncs().expect("syncs") - before;
    assert!(syncs >= 1, "every acknowledged commit waited for a sync");
    assert!(syncs <= 40, "never more syncs than commits: {syncs}");

    let (normal, _dir) = sqlite(Durability::Normal).await;
    assert_eq!(
        normal.log_syncs(),
        None,
        "normal durability leaves syncs to checkpoints"
    );
}

#[tokio::test]
async fn a_full_disk_refuses_a_write_in_french_and_the_write_succeeds_once_space_returns() {
    let (db, _dir) = sqlite(Durability::Full).await;
    common::fixture_wave(&db, false).await;
    // SQLite's page limit on the one writer connection stands for a full disk: the same
    // SQLITE_FULL error, without needing a small file system.
    let mut tx = db.write().await.expect("write");
    let (pages,): (i64,) = tx
        .query("pragma page_count")
        .fetch_one()
        .await
        .expect("pages");
    let _: Vec<(i64,)> = tx
        .query(&format!("pragma max_page_count = {pages}"))
        .fetch_all()
        .await
        .expect("limit");
    tx.commit().await.expect("commit");

    let refused = import(&db, 5_000).await.expect_err("no room for the list");
    assert_eq!(refused.status(), 503, "{refused:?}");
    assert!(
        refused.to_string().contains("disque du serveur est plein"),
        "{refused}"
    );

    let mut tx = db.write().await.expect("write");
    let _: Vec<(i64,)> = tx
        .query("pragma max_page_count = 1073741823")
        .fetch_all()
        .await
        .expect("room again");
    let (check,): (String,) = tx
        .query("pragma integrity_check")
        .fetch_one()
        .await
        .expect("integrity");
    tx.commit().await.expect("commit");
    assert_eq!(check, "ok", "a full disk corrupts nothing");

    assert_eq!(
        cases(&db).await,
        0,
        "nothing of the refused list was stored"
    );
    assert_eq!(import(&db, 5_000).await.expect("space returned"), 5_000);
    assert_eq!(cases(&db).await, 5_000);
}
