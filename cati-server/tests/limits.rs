//! Free texts and figures the server stores are bounded: an over-long call, callback or
//! break-off note, survey title or description, name shown or password, and an absurd quota
//! target are refused with a French message, and nothing is stored.

use cati_server::auth::Actor;
use cati_server::error::AppError;
use cati_server::services::accounts;
use cati_server::services::calls::{self, OutcomeRequest};
use cati_server::services::interview::service as interview;
use cati_server::services::quota::{self, CellChange};
use cati_server::services::surveys::{self, NewSurvey};
use cati_server::services::text::{self, NOTE_MAX_CHARS};
use cati_server::services::waves;
use cati_server::store::quotas as quota_store;
use cati_server::store::surveys::WaveStatus;
use cati_server::store::users::Role;

mod common;
use common::{Scratch, on_both_backends};

fn refused_as_too_long(result: Result<impl std::fmt::Debug, AppError>) {
    match result {
        Err(e @ AppError::Invalid(_)) => assert!(e.to_string().contains("dépasse"), "{e}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn over_long_notes_and_absurd_targets_are_refused(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    let wave = common::fixture_wave(db, false).await;
    common::import_list(db, "1", "id;telephone\nA;05 56 00 00 01\n").await;
    waves::set_status(db, Actor::Operator, "1", WaveStatus::Open)
        .await
        .expect("open");
    let interviewer = common::interviewer(db, "enq").await;
    let mut tx = db.write().await.expect("write");
    let design = quota::demo::design(100).expect("design");
    quota::attach(&mut tx, wave.id, &design)
        .await
        .expect("design");
    let cell = quota_store::cells(&mut tx, wave.id).await.expect("cells")[0].clone();
    tx.commit().await.expect("commit");
    let state = cati_server::server::state(db.clone(), Default::default())
        .await
        .expect("state");
    let long = "é".repeat(NOTE_MAX_CHARS + 1);

    let case = calls::next(&state, &interviewer)
        .await
        .expect("claim")
        .expect("a case");
    let outcome = OutcomeRequest {
        outcome: "no_answer".to_owned(),
        number: None,
        note: Some(long.clone()),
        appointment_at: None,
        appointment_until: None,
    };
    refused_as_too_long(calls::record_outcome(&state, &interviewer, case.case_id, &outcome).await);
    let started = interview::start(&state, &interviewer, case.case_id)
        .await
        .expect("start");
    refused_as_too_long(
        interview::break_off(
            &state,
            &interviewer,
            started.interview_id,
            Some(long.clone()),
        )
        .await,
    );
    let tomorrow = fieldwork::Appointment::Hard {
        at: jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24),
    };
    refused_as_too_long(
        interview::postpone(
            &state,
            &interviewer,
            started.interview_id,
            tomorrow,
            Some(long),
        )
        .await,
    );
    // Nothing was recorded: the case is still held, without any call.
    let held = calls::current(&state, &interviewer)
        .await
        .expect("current")
        .expect("still held");
    assert!(held.attempts.is_empty());

    let absurd = CellChange {
        target: Some(i64::MAX),
        closed: None,
    };
    let refused = quota::change_cell(db, Actor::Operator, cell.id, absurd)
        .await
        .expect_err("an absurd target");
    assert!(
        refused.to_string().contains("compris entre 0 et"),
        "{refused}"
    );
    assert_eq!(refused.status().as_u16(), 422);

    // Titles, descriptions, names shown and passwords are bounded too.
    let survey = NewSurvey {
        name: "longue".to_owned(),
        title: None,
        description: "d".repeat(text::DESCRIPTION_MAX_CHARS + 1),
        questionnaire: None,
    };
    refused_as_too_long(surveys::create(db, Actor::Operator, &survey).await);
    let survey = NewSurvey {
        title: Some("t".repeat(text::TITLE_MAX_CHARS + 1)),
        description: String::new(),
        ..survey
    };
    refused_as_too_long(surveys::create(db, Actor::Operator, &survey).await);
    let name_shown = "n".repeat(text::DISPLAY_NAME_MAX_CHARS + 1);
    let password = "mot-de-passe-assez-long";
    refused_as_too_long(
        accounts::create(
            db,
            Actor::Operator,
            "nom",
            &name_shown,
            Role::Interviewer,
            password,
        )
        .await,
    );
    let password = "p".repeat(201);
    refused_as_too_long(
        accounts::create(
            db,
            Actor::Operator,
            "nom",
            "Nom",
            Role::Interviewer,
            &password,
        )
        .await,
    );
    scratch.drop_database().await;
}
on_both_backends!(over_long_notes_and_absurd_targets_are_refused);
