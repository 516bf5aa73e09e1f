use std::collections::BTreeSet;

use cati_e2e::{Backend, DemoSize, Server, TestDb};
use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_backends;

const INTERVIEWERS: u32 = 50;

async fn fifty_concurrent_interviewers_never_get_the_same_case(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server = Server::start(&db, DemoSize::new(120, INTERVIEWERS)).await;
    let clients = futures::future::join_all((1..=INTERVIEWERS).map(|i| {
        let server = &server;
        async move { server.login(&format!("enqueteur{i}")).await }
    }))
    .await;

    // Everyone asks for a case at the same moment, twice in a row (the second request returns
    // the case already held).
    let claims = futures::future::join_all(clients.iter().map(|c| async move {
        let empty = json!({});
        futures::join!(
            c.post("/api/cases/next", &empty),
            c.post("/api/cases/next", &empty)
        )
    }))
    .await;
    let mut first_round = BTreeSet::new();
    for ((status_a, case_a), (status_b, case_b)) in &claims {
        assert_eq!(*status_a, StatusCode::OK, "{case_a}");
        assert_eq!(*status_b, StatusCode::OK, "{case_b}");
        assert_eq!(
            case_a["case_id"], case_b["case_id"],
            "one interviewer holds one case"
        );
        assert!(
            first_round.insert(case_a["case_id"].as_str().unwrap().to_owned()),
            "case handed out twice"
        );
    }
    assert_eq!(first_round.len(), INTERVIEWERS as usize);

    // Everyone records "no answer" and asks again at once: new, distinct cases.
    let second = futures::future::join_all(clients.iter().zip(&claims).map(
        |(c, ((_, case), _))| async move {
            let id = case["case_id"].as_str().unwrap().to_owned();
            let (status, body) = c
                .post(
                    &format!("/api/cases/{id}/outcome"),
                    &json!({ "outcome": "no_answer" }),
                )
                .await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
            c.post("/api/cases/next", &json!({})).await
        },
    ))
    .await;
    let mut second_round = BTreeSet::new();
    for (status, case) in &second {
        assert_eq!(*status, StatusCode::OK, "{case}");
        let id = case["case_id"].as_str().unwrap().to_owned();
        assert!(
            !first_round.contains(&id),
            "a case in its recall delay was handed out again"
        );
        assert!(second_round.insert(id), "case handed out twice");
    }
}
on_both_backends!(fifty_concurrent_interviewers_never_get_the_same_case);
