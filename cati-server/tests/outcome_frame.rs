//! A survey's outcome code frame decides what an outcome does: made non-final, a language
//! barrier leaves the case to be called again (by another interviewer, a day later); a frame
//! that breaks AAPOR's rules is refused with every problem, in French; changes are audited.

use std::collections::BTreeMap;

use cati_server::auth::{Actor, CurrentUser};
use cati_server::services::calls::{self, OutcomeRequest};
use cati_server::services::outcome_frame;
use cati_server::services::waves;
use cati_server::store::cases::CaseStatus;
use cati_server::store::surveys::WaveStatus;
use cati_server::store::users::Role;
use fieldwork::{AaporCode, Outcome, OutcomeSpec};

mod common;
use common::{Scratch, on_both_backends};

async fn a_survey_frame_decides_whether_an_outcome_ends_the_case(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    common::fixture_wave(db, false).await;

    let spec = |label: &str, is_final, code: &str| OutcomeSpec {
        label: label.to_owned(),
        is_final,
        contact: true,
        aapor: AaporCode::new(code).expect("code"),
    };
    let wrong = BTreeMap::from([(Outcome::Completed, spec("Complet", true, "2.111"))]);
    let refused = outcome_frame::set(db, Actor::Operator, "essai", wrong)
        .await
        .expect_err("a complete that is not 1.1");
    assert!(
        refused.to_string().starts_with("codes d'issue refusés"),
        "{refused}"
    );

    let changes = BTreeMap::from([(
        Outcome::Language,
        spec("Barrière de la langue (rappeler)", false, "2.331"),
    )]);
    let view = outcome_frame::set(db, Actor::Operator, "essai", changes)
        .await
        .expect("frame");
    assert!(!view.defaults);
    assert!(!view.outcomes[&Outcome::Language].is_final);
    assert!(
        view.outcomes[&Outcome::Refusal].is_final,
        "the others keep theirs"
    );

    common::import_list(db, "1", "id;telephone\nA;05 56 00 00 01\n").await;
    waves::set_status(db, Actor::Operator, "1", WaveStatus::Open)
        .await
        .expect("open");
    let interviewer = common::interviewer(db, "enq").await;
    let state = cati_server::server::state(db.clone(), Default::default())
        .await
        .expect("state");
    let case = calls::next(&state, &interviewer)
        .await
        .expect("claim")
        .expect("a case");
    let language = OutcomeRequest {
        outcome: "language".to_owned(),
        number: None,
        note: None,
        appointment_at: None,
        appointment_until: None,
    };
    calls::record_outcome(&state, &interviewer, case.case_id, &language)
        .await
        .expect("outcome");
    let supervisor_view = calls::case(
        &state,
        &CurrentUser {
            role: Role::Admin,
            ..interviewer.clone()
        },
        case.case_id,
    )
    .await
    .expect("case");
    assert_eq!(supervisor_view.status, CaseStatus::Pending);
    assert_eq!(supervisor_view.disposition.as_deref(), Some("2.331"));
    let next = supervisor_view.next_call_at.expect("to be called again");
    let day_later = supervisor_view.attempts[0].started_at + 24 * 3_600_000;
    assert!(next >= day_later, "the « other outcome » delay");

    let mut tx = db.read().await.expect("read");
    let audited: Vec<(String,)> = tx
        .query("select action from audit_log where action = 'survey.outcomes'")
        .fetch_all()
        .await
        .expect("audit");
    tx.commit().await.expect("commit");
    assert_eq!(audited.len(), 1);
    scratch.drop_database().await;
}
on_both_backends!(a_survey_frame_decides_whether_an_outcome_ends_the_case);
