//! Answers saved at the same moment by many interviewers (grouped into shared transactions on
//! SQLite): every one is stored and acknowledged, and a save that lost a race to its own
//! interview fails alone, without failing the others written with it.

use std::sync::Arc;

use cati_server::error::AppError;
use cati_server::sample::demo::{self, DemoOptions};
use cati_server::services::calls;
use cati_server::services::interview::service as interview;
use cati_server::state::Settings;
use cati_server::store::interviews;

mod common;
use common::{Scratch, interviewer, on_both_backends};

const INTERVIEWERS: u32 = 12;

async fn concurrent_answers_are_all_stored_and_a_stale_one_fails_alone(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let state = cati_server::server::state(scratch.db.clone(), Settings::default())
        .await
        .expect("state");
    let options = DemoOptions {
        questionnaire: Some(
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("assets/fixture-questionnaire.toml"),
        ),
        cases: INTERVIEWERS,
        interviewers: 0,
        password: Some("un-mot-de-passe-de-test".to_owned()),
        simulated: 0,
    };
    demo::load(&state.db, &options).await.expect("demo data");
    let mut started = Vec::new();
    for n in 1..=INTERVIEWERS {
        let who = interviewer(&state.db, &format!("enqueteur{n}")).await;
        let case = calls::next(&state, &who)
            .await
            .expect("next case")
            .expect("a case is due");
        let view = interview::start(&state, &who, case.case_id)
            .await
            .expect("interview");
        started.push((who, view.interview_id));
    }
    // Every interviewer answers at once; the first one twice, as with a double click.
    let state = Arc::new(state);
    let mut saves = Vec::new();
    for (i, (who, id)) in started.iter().chain(started.iter().take(1)).enumerate() {
        let (state, who, id) = (Arc::clone(&state), who.clone(), *id);
        saves.push(tokio::spawn(async move {
            let request = serde_json::from_value(serde_json::json!({ "var": "INTRO" }))
                .expect("answer request");
            (i, interview::submit(&state, &who, id, request).await)
        }));
    }
    let mut refused = Vec::new();
    for save in saves {
        let (i, saved) = save.await.expect("task");
        match saved {
            Ok(_) => {}
            Err(AppError::Conflict(_)) if i == 0 || i == INTERVIEWERS as usize => refused.push(i),
            Err(other) => panic!("save {i} failed: {other:?}"),
        }
    }
    assert_eq!(
        refused.len(),
        1,
        "one of the double click's saves loses: {refused:?}"
    );
    for (_, id) in &started {
        let mut tx = state.db.read().await.expect("read");
        let row = interviews::by_uuid(&mut tx, *id)
            .await
            .expect("select")
            .expect("the interview");
        let answers = interviews::answers(&mut tx, row.id).await.expect("answers");
        tx.commit().await.expect("commit");
        assert_eq!(row.revision, 1, "saved once");
        assert_eq!(
            answers
                .iter()
                .map(|a| a.variable.as_str())
                .collect::<Vec<_>>(),
            ["INTRO"],
            "its answer is stored"
        );
    }
    drop(state);
    scratch.drop_database().await;
}

on_both_backends!(concurrent_answers_are_all_stored_and_a_stale_one_fails_alone);
