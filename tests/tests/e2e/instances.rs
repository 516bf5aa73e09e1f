//! Several `cati serve` instances on one PostgreSQL database: what one instance commits reaches
//! the live views open on the others, and a case is never handed out twice, whichever
//! instance the interviewers use.

use std::collections::BTreeSet;
use std::time::Duration;

use cati_e2e::{Backend, Client, DemoSize, Server, TestDb};
use reqwest::StatusCode;
use serde_json::json;

use crate::dashboard::{commune, wait_for_event};

const BORDEAUX: &str = "33063";
const ROUNDS: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quota_change_through_one_instance_reaches_a_dashboard_open_on_another() {
    let db = TestDb::new(Backend::Postgres).await;
    let size = DemoSize {
        questionnaire: cati_e2e::observatory_questionnaire(),
        ..DemoSize::new(20, 1)
    };
    let a = Server::start(&db, size.clone()).await;
    let b = Server::start(&db, size).await;
    let on_b = b.login("superviseur").await;
    let mut stream = on_b
        .get_stream("/tableau-de-bord/evenements")
        .await
        .expect("an event stream");
    assert_eq!(stream.status(), StatusCode::OK);
    let mut buffer = String::new();
    let initial = wait_for_event(&mut stream, &mut buffer, Duration::from_secs(10), |_| true).await;
    let target = commune(&initial, BORDEAUX)["target"].as_i64().unwrap();

    let on_a = a.login("superviseur").await;
    let wave = initial["wave_id"].as_str().unwrap().to_owned();
    let (status, quotas) = on_a.get(&format!("/api/waves/{wave}/quotas")).await;
    assert_eq!(status, StatusCode::OK, "{quotas}");
    let cell = quotas["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["commune_code"] == BORDEAUX)
        .expect("Bordeaux's cell");
    let (status, body) = on_a
        .post(
            &format!("/api/quota-cells/{}", cell["id"]),
            &json!({ "target": target + 7 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Within two seconds, the stream open on the other instance shows the new target.
    let changed = wait_for_event(&mut stream, &mut buffer, Duration::from_secs(2), |f| {
        commune(f, BORDEAUX)["target"] == target + 7
    })
    .await;
    assert_eq!(commune(&changed, BORDEAUX)["target"], target + 7);
}

/// Claims a case, records a refusal (a final outcome: the case never comes back), `ROUNDS`
/// times; returns the cases handed out.
async fn claim_and_refuse(client: &Client) -> Vec<String> {
    let mut claimed = Vec::new();
    for _ in 0..ROUNDS {
        let (status, case) = client.post("/api/cases/next", &json!({})).await;
        assert_eq!(status, StatusCode::OK, "{case}");
        let id = case["case_id"].as_str().expect("a case").to_owned();
        let (status, body) = client
            .post(
                &format!("/api/cases/{id}/outcome"),
                &json!({ "outcome": "refusal" }),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        claimed.push(id);
    }
    claimed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interviewers_on_two_instances_never_get_the_same_case() {
    const INTERVIEWERS: u32 = 8;
    let db = TestDb::new(Backend::Postgres).await;
    let size = DemoSize::new(INTERVIEWERS * ROUNDS as u32 + 10, INTERVIEWERS);
    let a = Server::start(&db, size.clone()).await;
    let b = Server::start(&db, size).await;
    // Half the interviewers work through each instance, all at once.
    let clients = futures::future::join_all((1..=INTERVIEWERS).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        async move { server.login(&format!("enqueteur{i}")).await }
    }))
    .await;
    let rounds = futures::future::join_all(clients.iter().map(claim_and_refuse)).await;
    let mut seen = BTreeSet::new();
    for id in rounds.iter().flatten() {
        assert!(seen.insert(id.clone()), "case {id} handed out twice");
    }
    assert_eq!(seen.len(), INTERVIEWERS as usize * ROUNDS);
}
