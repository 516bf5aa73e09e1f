//! A survey's do-not-call list: numbers listed by the manager or asked by respondents are
//! refused by every later import of the survey, and are never stored in clear.

use cati_server::auth::{Actor, CurrentUser};
use cati_server::services::calls::{self, OutcomeRequest};
use cati_server::services::sample::{self, ImportOptions};
use cati_server::services::waves::{self, WaveRequest};
use cati_server::store::Db;
use cati_server::store::surveys::WaveStatus;
use cati_server::store::users::{self, Role};

mod common;
use common::{Scratch, on_both_backends};

async fn wave(db: &Db, name: &str) {
    let request = WaveRequest {
        survey: "essai".to_owned(),
        name: name.to_owned(),
        ..WaveRequest::default()
    };
    waves::create(db, Actor::Operator, &request)
        .await
        .expect("wave");
}

/// Loads `list` into the wave; returns the cases stored and the refusal codes.
async fn import(db: &Db, wave: &str, list: &str) -> (u64, Vec<String>) {
    let (imported, report) = sample::import(
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
    let codes = report
        .rejected()
        .iter()
        .map(|r| r.reason.code().to_owned())
        .collect();
    (imported.imported, codes)
}

/// Every stored entry of the do-not-call list, as text.
async fn stored_entries(db: &Db) -> Vec<String> {
    let mut tx = db.read().await.expect("read");
    let rows: Vec<(String, String)> = tx
        .query("select number_hash, source from do_not_call order by added_at")
        .fetch_all()
        .await
        .expect("list");
    tx.commit().await.expect("commit");
    rows.into_iter().map(|(h, s)| format!("{h} {s}")).collect()
}

async fn listed_numbers_are_refused_and_never_stored_in_clear(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    common::fixture_wave(db, false).await;

    let listed = sample::import_do_not_call(
        db,
        Actor::Operator,
        "essai",
        "numero\n05 56 12 34 56\n+33 6 12 34 56 78\n06 12 34 56 78\npas un numéro 12\n",
    )
    .await
    .expect("list");
    assert_eq!((listed.added, listed.already_listed), (2, 0));
    assert_eq!(listed.rejected.len(), 1, "{:?}", listed.rejected);
    assert!(
        listed.rejected[0].starts_with("ligne 5"),
        "{:?}",
        listed.rejected
    );

    let (stored, refused) = import(
        db,
        "1",
        "id;telephone\nA;05 56 12 34 56\nB;05 56 00 00 01\nC;0612345678\nD;05 56 00 00 02\n",
    )
    .await;
    assert_eq!(stored, 2);
    assert_eq!(refused, ["do_not_call", "do_not_call"]);

    // A respondent asks never to be called again: the number joins the list.
    let mut tx = db.write().await.expect("write");
    let id = users::insert(&mut tx, "enq", "Enquêtrice", Role::Interviewer, "!")
        .await
        .expect("user")
        .expect("new");
    let user = users::by_id(&mut tx, id)
        .await
        .expect("user")
        .expect("exists");
    tx.commit().await.expect("commit");
    waves::set_status(db, Actor::Operator, "1", WaveStatus::Open)
        .await
        .expect("open");
    let state = cati_server::server::state(db.clone(), Default::default())
        .await
        .expect("state");
    let interviewer = CurrentUser {
        role: Role::Interviewer,
        user,
        csrf_token: String::new(),
    };
    let case = calls::next(&state, &interviewer)
        .await
        .expect("claim")
        .expect("a case");
    let request = OutcomeRequest {
        outcome: "do_not_call".to_owned(),
        number: None,
        note: None,
        appointment_at: None,
        appointment_until: None,
    };
    calls::record_outcome(&state, &interviewer, case.case_id, &request)
        .await
        .expect("outcome");
    let entries = stored_entries(db).await;
    assert_eq!(entries.len(), 3);
    assert!(entries[2].ends_with(" respondent"), "{entries:?}");
    for entry in &entries {
        for digits in ["556123456", "612345678", "556000001", "556000002"] {
            assert!(!entry.contains(digits), "{entry} holds a number in clear");
        }
    }

    // The next wave of the survey refuses that respondent's number too.
    wave(db, "2").await;
    let number = &case.phones[0];
    let (stored, refused) = import(db, "2", &format!("id;telephone\nX;{number}\n")).await;
    assert_eq!((stored, refused), (0, vec!["do_not_call".to_owned()]));
    scratch.drop_database().await;
}

on_both_backends!(listed_numbers_are_refused_and_never_stored_in_clear);
