//! Cases held by interviewers who went away are released after a time without activity, on a
//! clock the test moves.

use cati_server::services::abandoned;
use cati_server::store::cases::{self, CaseRow, CaseStatus, NewCase};
use cati_server::store::interviews::{self, InterviewStatus};
use cati_server::store::users::{self, Role};
use cati_server::store::{Db, audit};

mod common;
use common::{Scratch, on_both_backends};

const MINUTE: i64 = 60_000;

/// An open wave of one case, held by an interviewer (who started its interview when
/// `start_interview`); returns the case.
async fn held_case(db: &Db, start_interview: bool) -> CaseRow {
    let wave = common::fixture_wave(db, true).await;
    let mut tx = db.write().await.expect("write");
    let case = NewCase {
        external_id: "A".to_owned(),
        commune_code: None,
        commune_name: None,
        preload: serde_json::json!({}),
        synthetic: true,
        phones: vec!["+33639980001".to_owned()],
        replicate: None,
    };
    cases::insert_cases(&mut tx, wave.id, &[case], cati_server::store::now_ms())
        .await
        .expect("case");
    let interviewer = users::insert(&mut tx, "enq", "Enquêtrice", Role::Interviewer, "!")
        .await
        .expect("user")
        .expect("new");
    let case =
        cati_server::services::dispatch::claim(&mut tx, interviewer, cati_server::store::now_ms())
            .await
            .expect("claim")
            .expect("a case");
    if start_interview {
        interviews::start(&mut tx, case.id, interviewer, 1, "{}")
            .await
            .expect("start")
            .expect("held");
    }
    tx.commit().await.expect("commit");
    case
}

/// Moves the case's claim (and its interview's last save) `minutes` into the past.
async fn age(db: &Db, case: &CaseRow, claim_minutes: i64, save_minutes: i64) {
    let mut tx = db.write().await.expect("write");
    tx.query("update sample_cases set held_at = held_at - $1 where id = $2")
        .bind(claim_minutes * MINUTE)
        .bind(case.id)
        .execute()
        .await
        .expect("claim time");
    tx.query("update interviews set updated_at = updated_at - $1 where case_id = $2")
        .bind(save_minutes * MINUTE)
        .bind(case.id)
        .execute()
        .await
        .expect("save time");
    tx.commit().await.expect("commit");
}

async fn reload(db: &Db, case: &CaseRow) -> CaseRow {
    let mut tx = db.read().await.expect("read");
    let case = cases::case(&mut tx, case.id)
        .await
        .expect("case")
        .expect("exists");
    tx.commit().await.expect("commit");
    case
}

async fn a_claim_without_activity_is_released_after_the_idle_time(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    let case = held_case(db, false).await;
    let claimed_at = case.held_at.expect("held");

    let released = abandoned::release(db, claimed_at + 29 * MINUTE, 30 * MINUTE)
        .await
        .expect("sweep");
    assert_eq!(released, 0, "29 minutes are not enough");
    assert!(reload(db, &case).await.held_by.is_some());

    let released = abandoned::release(db, claimed_at + 31 * MINUTE, 30 * MINUTE)
        .await
        .expect("sweep");
    assert_eq!(released, 1);
    let after = reload(db, &case).await;
    assert_eq!((after.held_by, after.status), (None, CaseStatus::Pending));
    let mut tx = db.read().await.expect("read");
    let entries = audit::recent(&mut tx, 5).await.expect("audit");
    tx.commit().await.expect("commit");
    assert!(
        entries
            .iter()
            .any(|e| e.action.as_str() == "case.release.abandoned"
                && e.target == format!("case:{}", case.uuid)),
        "{entries:?}"
    );
    scratch.drop_database().await;
}

async fn an_interview_saved_recently_keeps_its_case(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    let case = held_case(db, true).await;
    let now = cati_server::store::now_ms();

    // Claimed an hour ago, last answer saved ten minutes ago: the interviewer is there.
    age(db, &case, 60, 10).await;
    let released = abandoned::release(db, now, 30 * MINUTE)
        .await
        .expect("sweep");
    assert_eq!(released, 0);
    assert!(reload(db, &case).await.held_by.is_some());

    // Nothing saved for 40 minutes: released, the interview kept for resumption.
    age(db, &case, 0, 30).await;
    let released = abandoned::release(db, now, 30 * MINUTE)
        .await
        .expect("sweep");
    assert_eq!(released, 1);
    let after = reload(db, &case).await;
    assert_eq!(
        (after.held_by, after.status),
        (None, CaseStatus::Pending),
        "back in the queue, to be resumed"
    );
    let mut tx = db.read().await.expect("read");
    let interview = interviews::by_case(&mut tx, case.id)
        .await
        .expect("interview")
        .expect("kept");
    tx.commit().await.expect("commit");
    assert_eq!(interview.status, InterviewStatus::InProgress);
    scratch.drop_database().await;
}

on_both_backends!(a_claim_without_activity_is_released_after_the_idle_time);
on_both_backends!(an_interview_saved_recently_keeps_its_case);
