//! Managers find cases in a wave's sample (by identifier, number, commune, status, page after
//! page) and act on one: release it, reschedule it, close it; each action audited.

use cati_server::auth::{Actor, CurrentUser};
use cati_server::services::manage::{self, CaseAction, SampleQuery};
use cati_server::store::audit::{self, AuditAction};
use cati_server::store::cases::{self, CaseStatus, NewCase};
use cati_server::store::interviews::{self, InterviewStatus};
use cati_server::store::users::{self, Role};

mod common;
use common::{Scratch, on_both_backends};

fn case(key: &str, commune: &str, phone: &str) -> NewCase {
    NewCase {
        external_id: key.to_owned(),
        commune_code: Some(commune.to_owned()),
        commune_name: None,
        preload: serde_json::json!({}),
        synthetic: false,
        phones: vec![phone.to_owned()],
        replicate: None,
    }
}

async fn managers_find_cases_and_act_on_them(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    let wave = common::fixture_wave(db, true).await;
    let mut tx = db.write().await.expect("write");
    let sample = [
        case("A", "33063", "+33556000001"),
        case("B", "33281", "+33556000002"),
        case("C", "33063", "+33556000003"),
    ];
    cases::insert_cases(&mut tx, wave.id, &sample, cati_server::store::now_ms())
        .await
        .expect("cases");
    let id = users::insert(&mut tx, "sup", "Superviseure", Role::Supervisor, "!")
        .await
        .expect("user")
        .expect("new");
    let supervisor = CurrentUser {
        role: Role::Supervisor,
        user: users::by_id(&mut tx, id)
            .await
            .expect("user")
            .expect("exists"),
        csrf_token: String::new(),
    };
    let interviewer = users::insert(&mut tx, "enq", "Enquêteur", Role::Interviewer, "!")
        .await
        .expect("user")
        .expect("new");
    let held =
        cati_server::services::dispatch::claim(&mut tx, interviewer, cati_server::store::now_ms())
            .await
            .expect("claim")
            .expect("a case");
    interviews::start(&mut tx, held.id, interviewer, 1, "{}")
        .await
        .expect("start")
        .expect("held");
    tx.commit().await.expect("commit");
    let state = cati_server::server::state(db.clone(), Default::default())
        .await
        .expect("state");
    let keys = |page: &[manage::SampleCase]| -> Vec<String> {
        page.iter().map(|c| c.case.external_id.clone()).collect()
    };
    let search = |query: SampleQuery| {
        let (state, supervisor) = (&state, &supervisor);
        async move {
            manage::sample(state, supervisor, wave.uuid, &query)
                .await
                .expect("search")
        }
    };

    // By commune, by number written any usual way, by status; page after page.
    let bordeaux = search(SampleQuery {
        commune: Some("33063".to_owned()),
        ..SampleQuery::default()
    })
    .await;
    assert_eq!(keys(&bordeaux), ["A", "C"]);
    let by_number = search(SampleQuery {
        phone: Some("05 56 00 00 02".to_owned()),
        ..SampleQuery::default()
    })
    .await;
    assert_eq!(keys(&by_number), ["B"]);
    let in_interview = search(SampleQuery {
        status: Some(CaseStatus::InInterview),
        ..SampleQuery::default()
    })
    .await;
    assert_eq!(keys(&in_interview), vec![held.external_id.clone()]);
    let first = search(SampleQuery {
        limit: Some(1),
        ..SampleQuery::default()
    })
    .await;
    let second = search(SampleQuery {
        limit: Some(1),
        after: Some(first[0].case.uuid),
        ..SampleQuery::default()
    })
    .await;
    assert_eq!(
        (keys(&first), keys(&second)),
        (vec!["A".to_owned()], vec!["B".to_owned()])
    );
    let unreadable = manage::sample(
        &state,
        &supervisor,
        wave.uuid,
        &SampleQuery {
            phone: Some("abc".to_owned()),
            ..SampleQuery::default()
        },
    )
    .await;
    assert!(
        matches!(&unreadable, Err(e) if e.status() == 422),
        "{unreadable:?}"
    );

    // A held case cannot be closed; released, it can, and its interview ends broken off.
    let actor = Actor::User(&supervisor);
    let finalise = CaseAction::Finalise {
        outcome: "refusal".to_owned(),
    };
    let refused = manage::act_on_case(db, actor, held.uuid, &finalise).await;
    assert!(
        matches!(&refused, Err(e) if e.status() == 409),
        "{refused:?}"
    );
    let released = manage::act_on_case(db, actor, held.uuid, &CaseAction::Release)
        .await
        .expect("release");
    assert_eq!(
        (released.held_by, released.status),
        (None, CaseStatus::Pending)
    );
    let closed = manage::act_on_case(db, actor, held.uuid, &finalise)
        .await
        .expect("finalise");
    assert_eq!(closed.status, CaseStatus::Final);
    assert_eq!(closed.final_aapor.as_deref(), Some("2.111"));
    let again = manage::act_on_case(db, actor, held.uuid, &finalise).await;
    assert!(matches!(&again, Err(e) if e.status() == 409), "{again:?}");

    // Another case is rescheduled to a given time.
    let other = &bordeaux
        .iter()
        .find(|c| c.case.uuid != held.uuid)
        .expect("other")
        .case;
    let rescheduled = manage::act_on_case(
        db,
        actor,
        other.uuid,
        &CaseAction::Reschedule {
            at: "2099-06-01T18:30".to_owned(),
        },
    )
    .await
    .expect("reschedule");
    assert!(
        rescheduled
            .next_call_at
            .is_some_and(|at| at > cati_server::store::now_ms())
    );

    // It is then given to the interviewer, who now holds nothing: it is theirs; a second case
    // is refused (one case at a time), and so is an unknown name.
    let assign = |name: &str| CaseAction::Assign {
        interviewer: name.to_owned(),
    };
    let assigned = manage::act_on_case(db, actor, other.uuid, &assign("enq"))
        .await
        .expect("assign");
    assert_eq!(assigned.held_by, Some(interviewer));
    let third = &by_number[0].case;
    let twice = manage::act_on_case(db, actor, third.uuid, &assign("enq")).await;
    assert!(matches!(&twice, Err(e) if e.status() == 409), "{twice:?}");
    let nobody = manage::act_on_case(db, actor, third.uuid, &assign("personne")).await;
    assert!(matches!(&nobody, Err(e) if e.status() == 422), "{nobody:?}");

    let mut tx = db.read().await.expect("read");
    let interview = interviews::by_case(&mut tx, held.id)
        .await
        .expect("interview")
        .expect("kept");
    let entries = audit::recent(&mut tx, 20).await.expect("audit");
    tx.commit().await.expect("commit");
    assert_eq!(interview.status, InterviewStatus::BrokenOff);
    for action in [
        AuditAction::CaseRelease,
        AuditAction::CaseFinalise,
        AuditAction::CaseReschedule,
        AuditAction::CaseAssign,
    ] {
        assert!(
            entries
                .iter()
                .any(|e| e.action == action && e.user_id == Some(supervisor.user.id)),
            "{action:?} audited: {entries:?}"
        );
    }
    scratch.drop_database().await;
}

on_both_backends!(managers_find_cases_and_act_on_them);
