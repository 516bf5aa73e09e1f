//! The reads made on every request run outside a transaction (`Db::read_autocommit`), on
//! SQLite and on PostgreSQL: they see what is committed, and nothing but a `select` runs on
//! them, so no write ever commits outside a transaction and its audit entry.

use cati_server::store::users::{self, Role};
use cati_server::store::{Change, StoreError};

mod common;
use common::{Scratch, on_both_backends};

async fn an_autocommit_read_sees_committed_rows_and_refuses_writes(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    let mut tx = db.write().await.expect("write");
    let id = users::insert(&mut tx, "lecture", "Lecture", Role::Analyst, "hash")
        .await
        .expect("insert")
        .expect("a new login name");
    tx.commit().await.expect("commit");

    let mut read = db.read_autocommit().await.expect("read");
    let user = users::by_id(&mut read, id)
        .await
        .expect("select")
        .expect("the committed user");
    assert_eq!(user.username, "lecture");
    // A second statement on the same connection runs too (each in its own snapshot).
    assert!(
        users::by_username(&mut read, "lecture")
            .await
            .expect("select")
            .is_some()
    );

    for write in [
        "update users set display_name = 'Changé' where id = $1",
        "delete from users where id = $1",
        "  with gone as (delete from users where id = $1 returning id) select * from gone",
    ] {
        let refused = read.query(write).bind(id).execute().await;
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "{write}: {refused:?}"
        );
    }
    let announced = read.announce(Change::Everything).await;
    assert!(
        matches!(announced, Err(StoreError::Invalid(_))),
        "{announced:?}"
    );
    read.commit().await.expect("nothing to commit");

    let mut check = db.read().await.expect("read");
    let user = users::by_id(&mut check, id)
        .await
        .expect("select")
        .expect("the user is still there");
    assert_eq!(user.display_name, "Lecture", "no write ran");
    drop(check);
    scratch.drop_database().await;
}

on_both_backends!(an_autocommit_read_sees_committed_rows_and_refuses_writes);
