//! The quota service against a real database, on SQLite and on PostgreSQL: concurrent
//! screenings never overshoot a cell, and a reservation is counted as achieved or given back
//! exactly once. PostgreSQL comes from `CATI_TEST_POSTGRES_URL` (tests fail, never skip, when it
//! is unreachable).

use std::collections::BTreeMap;

use cati_server::auth::Actor;
use cati_server::services::quota::{CellChange, Screening};
use cati_server::services::{accounts, quota};
use cati_server::store::cases::{self, NewCase};
use cati_server::store::quotas as store;
use cati_server::store::surveys::{self, WaveStatus};
use cati_server::store::users::Role;
use cati_server::store::{Db, Pool};
use questionnaire::Answer;

mod common;
use common::{Scratch, on_both_backends};

const BORDEAUX: i64 = 33063;
const SCREENINGS: usize = 200;

/// A wave with the demo commune design, `interviews` started interviews, and Bordeaux's target
/// set to `bordeaux_target`; returns (wave id, interview ids, Bordeaux's cell id).
async fn wave_with_interviews(
    db: &Db,
    interviews: usize,
    bordeaux_target: i64,
) -> (i64, Vec<i64>, i64) {
    let mut tx = db.write().await.expect("transaction");
    let survey = surveys::ensure_survey(&mut tx, "quota-test", "Test des quotas")
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
    let design = quota::demo::design(500).expect("design");
    assert!(quota::attach(&mut tx, wave, &design).await.expect("attach"));
    tx.commit().await.expect("commit");
    let cell = cells(db, wave)
        .await
        .into_iter()
        .find(|c| c.cell_key == format!("commune={BORDEAUX}"))
        .expect("Bordeaux's cell");
    let change = CellChange {
        target: Some(bordeaux_target),
        closed: None,
    };
    quota::change_cell(db, Actor::Operator, cell.id, change)
        .await
        .expect("target");
    let interviewer = accounts::create(
        db,
        Actor::Operator,
        "enqueteur",
        "Enquêteur",
        Role::Interviewer,
        "un-mot-de-passe-assez-long",
    )
    .await
    .expect("interviewer");
    let sample: Vec<NewCase> = (0..interviews)
        .map(|i| NewCase {
            external_id: format!("C{i}"),
            commune_code: Some(BORDEAUX.to_string()),
            commune_name: Some("Bordeaux".to_owned()),
            preload: serde_json::json!({}),
            synthetic: true,
            phones: vec![format!("+3353649{i:04}")],
            replicate: None,
        })
        .collect();
    insert_cases(db, wave, &sample).await;
    // Each interview needs its own public id: a random one from the backend will do here.
    let sql = |new_uuid: &str| {
        format!(
            "insert into interviews (uuid, case_id, interviewer_id, status, seed, record, route, \
             started_at, updated_at) select {new_uuid}, id, $1, 'in_progress', 0, '{{}}', '[]', \
             0, 0 from sample_cases where wave_id = $2 returning id"
        )
    };
    let mut ids: Vec<i64> = match db.pool() {
        Pool::Sqlite(pool) => sqlx::query_scalar(&sql("randomblob(16)"))
            .bind(interviewer)
            .bind(wave)
            .fetch_all(pool)
            .await
            .expect("interviews"),
        Pool::Postgres(pool) => sqlx::query_scalar(&sql("gen_random_uuid()"))
            .bind(interviewer)
            .bind(wave)
            .fetch_all(pool)
            .await
            .expect("interviews"),
    };
    ids.sort();
    (wave, ids, cell.id)
}

fn bordeaux_answers() -> BTreeMap<String, Answer> {
    BTreeMap::from([(
        "COMMUNE".to_owned(),
        Answer::Choice {
            code: BORDEAUX,
            other: None,
        },
    )])
}

/// Screens every interview at once; returns the ids accepted.
async fn screen_all(db: &Db, wave: i64, ids: &[i64]) -> Vec<i64> {
    let tasks: Vec<_> = ids
        .iter()
        .map(|&id| {
            let db = db.clone();
            tokio::spawn(async move {
                let screening = quota::screen(&db, wave, id, &bordeaux_answers())
                    .await
                    .expect("screening");
                (id, screening)
            })
        })
        .collect();
    let mut accepted = Vec::new();
    for task in tasks {
        let (id, screening) = task.await.expect("task");
        match screening {
            Screening::Accepted => accepted.push(id),
            Screening::Refused { .. } => {}
            Screening::NoQuotas => panic!("the wave has a design"),
        }
    }
    accepted.sort();
    accepted
}

async fn counts(db: &Db, cell_id: i64) -> (i64, i64) {
    let mut tx = db.read().await.expect("transaction");
    let cell = store::cell(&mut tx, cell_id)
        .await
        .expect("cell")
        .expect("cell");
    (cell.achieved, cell.in_progress)
}

async fn cells(db: &Db, wave: i64) -> Vec<store::CellRow> {
    let mut tx = db.read().await.expect("transaction");
    store::cells(&mut tx, wave).await.expect("cells")
}

async fn reserved_cells(db: &Db, interview: i64) -> Vec<i64> {
    let mut tx = db.read().await.expect("transaction");
    store::reserved_cells(&mut tx, interview)
        .await
        .expect("reserved")
}

async fn insert_cases(db: &Db, wave: i64, sample: &[NewCase]) {
    let mut tx = db.write().await.expect("transaction");
    cases::insert_cases(&mut tx, wave, sample, cati_server::store::now_ms())
        .await
        .expect("cases");
    tx.commit().await.expect("commit");
}

/// What the interview service does on the transaction that saves a completed interview.
async fn completed(db: &Db, interview: i64) {
    let mut tx = db.write().await.expect("transaction");
    store::achieve(&mut tx, interview).await.expect("achieve");
    tx.commit().await.expect("commit");
}

/// What the interview service does on the transaction that saves an interview ending
/// otherwise.
async fn ended(db: &Db, interview: i64) {
    let mut tx = db.write().await.expect("transaction");
    store::release(&mut tx, interview).await.expect("release");
    tx.commit().await.expect("commit");
}

async fn claim_next(db: &Db, user: i64) -> Option<String> {
    let mut tx = db.write().await.expect("transaction");
    let case = cati_server::services::dispatch::claim(&mut tx, user, cati_server::store::now_ms())
        .await
        .expect("claim");
    tx.commit().await.expect("commit");
    case.map(|c| c.external_id)
}

async fn two_hundred_concurrent_screenings_fill_three_places_exactly(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    let (wave, ids, cell) = wave_with_interviews(db, SCREENINGS, 3).await;

    let accepted = screen_all(db, wave, &ids).await;
    assert_eq!(accepted.len(), 3, "exactly the free places: {accepted:?}");
    assert_eq!(counts(db, cell).await, (0, 3));
    for id in &accepted {
        assert_eq!(reserved_cells(db, *id).await, [cell]);
    }

    // Completion counts once, however often it is reported; a release gives the place back.
    completed(db, accepted[0]).await;
    completed(db, accepted[0]).await;
    assert_eq!(counts(db, cell).await, (1, 2));
    ended(db, accepted[1]).await;
    ended(db, accepted[1]).await;
    completed(db, accepted[1]).await;
    assert_eq!(counts(db, cell).await, (1, 1));

    // One place is free again: a second rush of the refused respondents fills exactly it.
    let refused: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !accepted.contains(id))
        .collect();
    let second = screen_all(db, wave, &refused).await;
    assert_eq!(second.len(), 1, "{second:?}");
    assert_eq!(counts(db, cell).await, (1, 2));
    scratch.drop_database().await;
}

async fn closed_cell_refuses_and_reopened_cell_accepts(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    let (wave, ids, cell) = wave_with_interviews(db, 2, 10).await;
    let close = |closed| CellChange {
        target: None,
        closed: Some(closed),
    };
    quota::change_cell(db, Actor::Operator, cell, close(true))
        .await
        .expect("close");
    let screening = quota::screen(db, wave, ids[0], &bordeaux_answers())
        .await
        .expect("screening");
    assert!(
        matches!(screening, Screening::Refused { .. }),
        "{screening:?}"
    );
    quota::change_cell(db, Actor::Operator, cell, close(false))
        .await
        .expect("reopen");
    let screening = quota::screen(db, wave, ids[0], &bordeaux_answers())
        .await
        .expect("screening");
    assert_eq!(screening, Screening::Accepted);

    // Screening the same interview again (answers corrected) keeps a single place.
    let screening = quota::screen(db, wave, ids[0], &bordeaux_answers())
        .await
        .expect("screening");
    assert_eq!(screening, Screening::Accepted);
    assert_eq!(counts(db, cell).await, (0, 1));

    // A respondent outside every commune of the design is screened out and holds nothing.
    let elsewhere = BTreeMap::from([(
        "COMMUNE".to_owned(),
        Answer::Choice {
            code: 1,
            other: None,
        },
    )]);
    let screening = quota::screen(db, wave, ids[1], &elsewhere)
        .await
        .expect("screening");
    assert!(
        matches!(screening, Screening::Refused { .. }),
        "{screening:?}"
    );
    assert!(reserved_cells(db, ids[1]).await.is_empty());
    scratch.drop_database().await;
}

fn case_of(id: &str, commune: i64, phone: &str) -> NewCase {
    NewCase {
        external_id: id.to_owned(),
        commune_code: Some(commune.to_string()),
        commune_name: None,
        preload: serde_json::json!({}),
        synthetic: true,
        phones: vec![phone.to_owned()],
        replicate: None,
    }
}

async fn scheduler_skips_landlines_of_full_communes_and_calls_lagging_communes_first(
    postgres: bool,
) {
    const TALENCE: i64 = 33522;
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    // Bordeaux: target 2, one place taken by a running interview (half done); Talence: target
    // 2, nothing done yet. Bordeaux's cases come first by id.
    let (wave, ids, bordeaux) = wave_with_interviews(db, 1, 2).await;
    assert_eq!(
        quota::screen(db, wave, ids[0], &bordeaux_answers())
            .await
            .expect("screening"),
        Screening::Accepted
    );
    let talence = cells(db, wave)
        .await
        .into_iter()
        .find(|c| c.cell_key == format!("commune={TALENCE}"))
        .expect("Talence's cell");
    let target = |target| CellChange {
        target: Some(target),
        closed: None,
    };
    quota::change_cell(db, Actor::Operator, talence.id, target(2))
        .await
        .expect("target");
    let sample = [
        case_of("B-FIXE", BORDEAUX, "+33536490001"),
        case_of("B-MOBILE", BORDEAUX, "+33639980002"),
        case_of("T-FIXE", TALENCE, "+33536490003"),
    ];
    insert_cases(db, wave, &sample).await;
    let mut interviewers = Vec::new();
    for i in 0..4 {
        let id = accounts::create(
            db,
            Actor::Operator,
            &format!("poste{i}"),
            "Poste",
            Role::Interviewer,
            "un-mot-de-passe-assez-long",
        )
        .await
        .expect("interviewer");
        interviewers.push(id);
    }
    let claim = |user: i64| claim_next(db, user);

    // Talence lags furthest behind its target: its case comes first.
    assert_eq!(claim(interviewers[0]).await.as_deref(), Some("T-FIXE"));

    // Bordeaux full: its landline case is held back, its mobile case (the respondent may live
    // anywhere) is still handed out.
    quota::change_cell(db, Actor::Operator, bordeaux, target(1))
        .await
        .expect("target");
    assert_eq!(claim(interviewers[1]).await.as_deref(), Some("B-MOBILE"));
    assert_eq!(claim(interviewers[2]).await, None);

    // The running interview breaks off: Bordeaux has room again, and its landline cases (B-FIXE
    // and C0, the case of the interview's own fixture) are handed out.
    ended(db, ids[0]).await;
    let claimed = claim(interviewers[3]).await;
    assert!(
        matches!(claimed.as_deref(), Some("B-FIXE" | "C0")),
        "{claimed:?}"
    );
    scratch.drop_database().await;
}

async fn a_design_attaches_once_to_a_wave_whose_questionnaire_asks_its_variables(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    let (wave, _, _) = wave_with_interviews(db, 1, 3).await;
    let fixture = cati_server::sample::demo::FIXTURE_QUESTIONNAIRE;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../questionnaires/observatoire.toml"
    );
    let observatory = std::fs::read_to_string(path).expect("observatory questionnaire");
    let mut tx = db.write().await.expect("transaction");
    let fixture_version =
        surveys::ensure_questionnaire_version(&mut tx, 1, "fixture", "fixture.toml", fixture)
            .await
            .expect("version");
    let observatory_version = surveys::ensure_questionnaire_version(
        &mut tx,
        1,
        "observatoire",
        "observatoire.toml",
        &observatory,
    )
    .await
    .expect("version");
    let (fixture_wave, _) = surveys::ensure_wave(
        &mut tx,
        1,
        "Vague test",
        fixture_version,
        WaveStatus::Planned,
    )
    .await
    .expect("wave");
    let (other, _) = surveys::ensure_wave(
        &mut tx,
        1,
        "Autre vague",
        observatory_version,
        WaveStatus::Planned,
    )
    .await
    .expect("wave");
    // The first wave's questionnaire becomes the observatory's, so that its design fits.
    tx.query("update waves set questionnaire_version_id = $1 where id = $2")
        .bind(observatory_version)
        .bind(wave)
        .execute()
        .await
        .expect("version");
    tx.commit().await.expect("commit");
    let state = cati_server::server::state(db.clone(), Default::default())
        .await
        .expect("state");
    let design = quota::demo::design(100).expect("design").to_toml();
    let mut tx = db.read().await.expect("read");
    let mut public = Vec::new();
    for id in [fixture_wave, other, wave] {
        let row = surveys::wave(&mut tx, id)
            .await
            .expect("wave")
            .expect("exists");
        public.push(row.uuid);
    }
    tx.commit().await.expect("commit");
    let [fixture_wave_uuid, other_uuid, wave_uuid] = public[..] else {
        unreachable!("three waves")
    };

    let refused = quota::attach_design(&state, Actor::Operator, fixture_wave_uuid, &design).await;
    assert!(
        matches!(&refused, Err(e) if e.to_string().contains("COMMUNE")),
        "{refused:?}"
    );
    let broken = quota::attach_design(&state, Actor::Operator, other_uuid, "[quotas]").await;
    assert!(matches!(&broken, Err(e) if e.status() == 422), "{broken:?}");
    let attached = quota::attach_design(&state, Actor::Operator, other_uuid, &design)
        .await
        .expect("attach");
    assert_eq!(attached.cells.len(), 28);
    assert_eq!(cells(db, other).await.len(), 28);
    let second = quota::attach_design(&state, Actor::Operator, wave_uuid, &design).await;
    assert!(
        matches!(&second, Err(e) if e.status() == 409),
        "a wave keeps its first design: {second:?}"
    );
    scratch.drop_database().await;
}

on_both_backends!(two_hundred_concurrent_screenings_fill_three_places_exactly);
on_both_backends!(closed_cell_refuses_and_reopened_cell_accepts);
on_both_backends!(scheduler_skips_landlines_of_full_communes_and_calls_lagging_communes_first);
on_both_backends!(a_design_attaches_once_to_a_wave_whose_questionnaire_asks_its_variables);
