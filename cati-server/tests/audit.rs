//! An action and its audit entry commit in one transaction, on SQLite and on PostgreSQL: an
//! action that commits always has its entry, an action that fails leaves none, and an action
//! whose entry cannot be written is not applied.

use cati_server::auth::Actor;
use cati_server::services::accounts;
use cati_server::services::quota::{self, CellChange};
use cati_server::store::quotas::{self as store, CellRow};
use cati_server::store::surveys::{self, WaveStatus};
use cati_server::store::users::{self, Role};
use cati_server::store::{Backend, Db, audit};

mod common;
use common::{Scratch, on_both_backends};

const PASSWORD: &str = "un-mot-de-passe-assez-long";

/// A wave with the demo commune design; returns its first cell.
async fn a_cell(db: &Db) -> CellRow {
    let mut tx = db.write().await.expect("transaction");
    let survey = surveys::ensure_survey(&mut tx, "audit", "Audit")
        .await
        .expect("survey");
    let version = surveys::ensure_questionnaire_version(&mut tx, survey, "1", "q.toml", "")
        .await
        .expect("version");
    let (wave, _) = surveys::ensure_wave(&mut tx, survey, "Vague", version, WaveStatus::Open)
        .await
        .expect("wave");
    cati_server::services::rules::allow_around_the_clock(&mut tx, wave)
        .await
        .expect("rules");
    let design = quota::demo::design(100).expect("design");
    assert!(quota::attach(&mut tx, wave, &design).await.expect("attach"));
    let cell = store::cells(&mut tx, wave).await.expect("cells").remove(0);
    tx.commit().await.expect("commit");
    cell
}

async fn cell(db: &Db, id: i64) -> CellRow {
    let mut tx = db.read().await.expect("transaction");
    store::cell(&mut tx, id).await.expect("cell").expect("cell")
}

async fn entries(db: &Db) -> Vec<audit::AuditEntry> {
    let mut tx = db.read().await.expect("transaction");
    audit::recent(&mut tx, 1000).await.expect("audit log")
}

/// Makes every insert into the audit log fail, as a full disk or a lost connection would at
/// that moment.
async fn refuse_audit_entries(db: &Db) {
    let mut tx = db.write().await.expect("transaction");
    let statements: &[&str] = match db.backend() {
        Backend::Sqlite => &["create trigger audit_refused before insert on audit_log \
             begin select raise(abort, 'audit refused'); end"],
        Backend::Postgres => &[
            "create function audit_refused() returns trigger language plpgsql as \
             $$ begin raise exception 'audit refused'; end $$",
            "create trigger audit_refused before insert on audit_log \
             for each row execute function audit_refused()",
        ],
    };
    for sql in statements {
        tx.query(sql).execute().await.expect("trigger");
    }
    tx.commit().await.expect("commit");
}

async fn a_committed_action_always_has_its_audit_entry(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    let before = a_cell(db).await;
    let change = CellChange {
        target: Some(before.target + 5),
        closed: Some(true),
    };
    let after = quota::change_cell(db, Actor::Operator, before.id, change)
        .await
        .expect("change");
    assert_eq!(cell(db, before.id).await.target, before.target + 5);
    let log = entries(db).await;
    assert_eq!(log.len(), 1, "one action, one entry");
    assert_eq!(log[0].action.as_str(), "quota.cell.update");
    let details: serde_json::Value = serde_json::from_str(&log[0].details).expect("JSON");
    assert_eq!(details["target"]["before"], before.target);
    assert_eq!(details["target"]["after"], after.target);
    assert_eq!(details["closed"]["after"], true);

    let id = accounts::create(db, Actor::Operator, "nouveau", "", Role::Analyst, PASSWORD)
        .await
        .expect("account");
    let log = entries(db).await;
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[0].action.as_str(), log[0].target.as_str()),
        ("user.create", format!("user:{id}").as_str())
    );
    scratch.drop_database().await;
}

async fn a_failed_action_leaves_no_audit_entry(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    accounts::create(db, Actor::Operator, "pris", "", Role::Analyst, PASSWORD)
        .await
        .expect("account");
    let taken = accounts::create(db, Actor::Operator, "pris", "", Role::Admin, PASSWORD).await;
    assert!(taken.is_err(), "{taken:?}");
    let unknown = accounts::set_disabled(db, Actor::Operator, 4242, true).await;
    assert!(unknown.is_err(), "{unknown:?}");
    let log = entries(db).await;
    assert_eq!(log.len(), 1, "only the account created: {log:?}");
    scratch.drop_database().await;
}

async fn an_action_whose_audit_entry_cannot_be_written_is_not_applied(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    let before = a_cell(db).await;
    let id = accounts::create(
        db,
        Actor::Operator,
        "actif",
        "",
        Role::Interviewer,
        PASSWORD,
    )
    .await
    .expect("account");
    refuse_audit_entries(db).await;

    let change = CellChange {
        target: Some(before.target + 5),
        closed: Some(true),
    };
    let failed = quota::change_cell(db, Actor::Operator, before.id, change).await;
    assert!(failed.is_err(), "{failed:?}");
    let unchanged = cell(db, before.id).await;
    assert_eq!(
        (unchanged.target, unchanged.capacity, unchanged.closed),
        (before.target, before.capacity, before.closed)
    );

    let failed = accounts::set_disabled(db, Actor::Operator, id, true).await;
    assert!(failed.is_err(), "{failed:?}");
    let failed = accounts::create(db, Actor::Operator, "fantome", "", Role::Admin, PASSWORD).await;
    assert!(failed.is_err(), "{failed:?}");
    let mut tx = db.read().await.expect("transaction");
    let account = users::by_id(&mut tx, id)
        .await
        .expect("user")
        .expect("user");
    assert!(
        !account.disabled,
        "disabling without its audit entry was applied"
    );
    assert!(
        users::by_username(&mut tx, "fantome")
            .await
            .expect("user")
            .is_none(),
        "an account was created without its audit entry"
    );
    drop(tx);
    assert_eq!(entries(db).await.len(), 1, "only the first account's entry");
    scratch.drop_database().await;
}

on_both_backends!(a_committed_action_always_has_its_audit_entry);
on_both_backends!(a_failed_action_leaves_no_audit_entry);
on_both_backends!(an_action_whose_audit_entry_cannot_be_written_is_not_applied);
