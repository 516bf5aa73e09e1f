use cati_e2e::{Backend, Client, DemoSize, Server, TestDb, answer_step, generic_answer};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_backends;

const BORDEAUX: &str = "33063";

/// Claims a case, starts its interview and answers up to and including the quota point (the
/// respondent says they live in `commune`); returns the case and the view after the quota point.
async fn screen_respondent(interviewer: &Client, commune: &str) -> (Value, Value) {
    let case = interviewer.next_case().await;
    let mut view = interviewer
        .start_interview(case["case_id"].as_str().unwrap())
        .await;
    let mut passed_quota_variables = 0;
    while view["step"]["type"] == "question" && passed_quota_variables < 3 {
        if ["COMMUNE", "SEXE", "AGE"].contains(&view["step"]["var"].as_str().unwrap_or("")) {
            passed_quota_variables += 1;
        }
        view = answer_step(interviewer, &view, commune).await;
    }
    (case, view)
}

fn bordeaux(quotas: &Value) -> (&Value, &Value) {
    let cell = quotas["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["cell_key"] == format!("commune={BORDEAUX}"))
        .expect("Bordeaux's cell");
    let commune = quotas["communes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["commune_code"] == BORDEAUX)
        .expect("Bordeaux's progress");
    (cell, commune)
}

fn sum(quotas: &Value, field: &str) -> i64 {
    quotas["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[field].as_i64().unwrap())
        .sum()
}

/// Interview counts by status from the wave's progress route.
async fn interviews_with_status(supervisor: &Client, wave: &str, status: &str) -> i64 {
    let (_, progress) = supervisor.get(&format!("/api/waves/{wave}/progress")).await;
    progress["interviews_by_status"]
        .as_array()
        .unwrap()
        .iter()
        .find(|count| count["status"] == status)
        .map_or(0, |count| count["count"].as_i64().unwrap())
}

async fn a_full_commune_screens_out_its_next_respondent_and_is_no_longer_dialled(backend: Backend) {
    let questionnaire = cati_e2e::observatory_questionnaire();
    let db = TestDb::new(backend).await;
    let server = Server::start(
        &db,
        DemoSize {
            questionnaire,
            ..DemoSize::new(60, 2)
        },
    )
    .await;
    let supervisor = server.login("superviseur").await;
    let first = server.login("enqueteur1").await;
    let second = server.login("enqueteur2").await;
    let (_, waves) = supervisor.get("/api/waves").await;
    let wave = waves[0]["id"].as_str().unwrap().to_owned();
    let quotas_path = format!("/api/waves/{wave}/quotas");

    // The demo wave carries one cell per commune; the supervisor brings Bordeaux's to 1.
    let (status, quotas) = supervisor.get(&quotas_path).await;
    assert_eq!(status, StatusCode::OK, "{quotas}");
    assert_eq!(quotas["has_design"], true);
    assert_eq!(quotas["cells"].as_array().unwrap().len(), 28);
    let cell_id = bordeaux(&quotas).0["id"].as_i64().unwrap();
    let cell_path = format!("/api/quota-cells/{cell_id}");
    let (status, cell) = supervisor.post(&cell_path, &json!({ "target": 1 })).await;
    assert_eq!(status, StatusCode::OK, "{cell}");
    assert_eq!(
        (cell["target"].as_i64(), cell["capacity"].as_i64()),
        (Some(1), Some(1))
    );

    // A first Bordeaux respondent is accepted and completes the interview.
    let (_, mut view) = screen_respondent(&first, BORDEAUX).await;
    assert_eq!(view["status"], "in_progress", "{view}");
    let (_, quotas) = supervisor.get(&quotas_path).await;
    let (cell, commune) = bordeaux(&quotas);
    assert_eq!(
        (cell["achieved"].as_i64(), cell["in_progress"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(commune["exhausted"], true, "{commune}");
    let mut steps = 0;
    while view["step"]["type"] == "question" {
        steps += 1;
        assert!(steps < 300, "the interview never ends: {view}");
        view = answer_step(&first, &view, BORDEAUX).await;
    }
    assert_eq!(view["status"], "completed", "{view}");

    // The figures match the interviews: one completed, none running.
    let (_, quotas) = supervisor.get(&quotas_path).await;
    let (cell, commune) = bordeaux(&quotas);
    assert_eq!(
        (cell["achieved"].as_i64(), cell["in_progress"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(cell["remaining"], 0);
    assert_eq!(
        (commune["target"].as_i64(), commune["remaining"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        sum(&quotas, "achieved"),
        interviews_with_status(&supervisor, &wave, "completed").await
    );
    assert_eq!(sum(&quotas, "in_progress"), 0);

    // The next respondent from Bordeaux is screened out for the quota (AAPOR 4.80), and every
    // screening answer is kept.
    let (case, view) = screen_respondent(&second, BORDEAUX).await;
    assert_eq!(view["status"], "screened_out", "{view}");
    let interview = view["interview_id"].as_str().unwrap().to_owned();
    let (_, answers) = supervisor
        .get(&format!("/api/interviews/{interview}/answers"))
        .await;
    for var in ["CONSENTEMENT", "COMMUNE", "SEXE", "AGE"] {
        assert!(
            answers
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["variable"] == var),
            "{var} missing: {answers}"
        );
    }
    let (_, case) = supervisor
        .get(&format!("/api/cases/{}", case["case_id"].as_str().unwrap()))
        .await;
    let attempts = case["attempts"].as_array().unwrap();
    assert_eq!(attempts.last().unwrap()["aapor_code"], "4.80", "{case}");
    let (_, quotas) = supervisor.get(&quotas_path).await;
    assert_eq!(
        sum(&quotas, "in_progress"),
        0,
        "a refused respondent holds no place"
    );

    // Bordeaux's landline cases are no longer handed out.
    let mut claimed = 0;
    loop {
        let (status, case) = second.post("/api/cases/next", &json!({})).await;
        if status == StatusCode::NOT_FOUND {
            break;
        }
        assert_eq!(status, StatusCode::OK, "{case}");
        assert_ne!(
            case["commune_code"], BORDEAUX,
            "a full commune is not dialled"
        );
        let (status, body) = second
            .post(
                &format!("/api/cases/{}/outcome", case["case_id"].as_str().unwrap()),
                &json!({ "outcome": "no_answer" }),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        claimed += 1;
        assert!(claimed <= 60, "the queue never empties");
    }
    assert!(claimed >= 50, "only {claimed} cases handed out");

    // Raising the target reopens Bordeaux; a respondent who breaks off gives the place back.
    let (status, _) = supervisor.post(&cell_path, &json!({ "target": 2 })).await;
    assert_eq!(status, StatusCode::OK);
    let (case, view) = screen_respondent(&second, BORDEAUX).await;
    assert_eq!(
        case["commune_code"], BORDEAUX,
        "the reopened commune is dialled"
    );
    assert_eq!(view["status"], "in_progress", "{view}");
    let (_, quotas) = supervisor.get(&quotas_path).await;
    assert_eq!(bordeaux(&quotas).0["in_progress"], 1);
    let interview = view["interview_id"].as_str().unwrap().to_owned();
    let (status, body) = second
        .post(
            &format!("/api/interviews/{interview}/break-off"),
            &json!({ "note": "raccroche" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, quotas) = supervisor.get(&quotas_path).await;
    let (cell, _) = bordeaux(&quotas);
    assert_eq!(
        (cell["achieved"].as_i64(), cell["in_progress"].as_i64()),
        (Some(1), Some(0))
    );
}
on_both_backends!(a_full_commune_screens_out_its_next_respondent_and_is_no_longer_dialled);

async fn quota_targets_are_changed_by_managers_only_and_audited(backend: Backend) {
    let questionnaire = cati_e2e::observatory_questionnaire();
    let db = TestDb::new(backend).await;
    let server = Server::start(
        &db,
        DemoSize {
            questionnaire,
            ..DemoSize::new(2, 1)
        },
    )
    .await;
    let supervisor = server.login("superviseur").await;
    let (_, waves) = supervisor.get("/api/waves").await;
    let wave = waves[0]["id"].as_str().unwrap().to_owned();
    let quotas_path = format!("/api/waves/{wave}/quotas");
    let (_, quotas) = supervisor.get(&quotas_path).await;
    let cell_id = bordeaux(&quotas).0["id"].as_i64().unwrap();
    let cell_path = format!("/api/quota-cells/{cell_id}");

    for username in ["enqueteur1", "analyste"] {
        let other = server.login(username).await;
        let (status, _) = other.get(&quotas_path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{username} reads quotas");
        let (status, _) = other.post(&cell_path, &json!({ "target": 99 })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{username} changes a target");
    }
    let (status, body) = supervisor.post(&cell_path, &json!({ "target": -1 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = supervisor.post(&cell_path, &json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = supervisor
        .post("/api/quota-cells/999999", &json!({ "closed": true }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, cell) = supervisor
        .post(&cell_path, &json!({ "target": 7, "closed": true }))
        .await;
    assert_eq!(status, StatusCode::OK, "{cell}");
    assert_eq!(
        (cell["target"].as_i64(), cell["closed"].as_bool()),
        (Some(7), Some(true))
    );
    let (_, quotas) = supervisor.get(&quotas_path).await;
    let (cell, commune) = bordeaux(&quotas);
    assert_eq!(cell["target"], 7);
    assert_eq!(cell["remaining"], 0, "a closed cell has no place left");
    assert_eq!(commune["exhausted"], true);

    // A broken design file is refused with its errors, and only managers may attach one.
    let design = "[quotas]\nid = \"x\"\n";
    let (status, body) = supervisor
        .post(&quotas_path, &json!({ "design": design }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, plan) = supervisor.get(&quotas_path).await;
    let interviewer = server.login("enqueteur1").await;
    let (status, _) = interviewer
        .post(&quotas_path, &json!({ "design": design }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(plan["cells"].as_array().unwrap().len(), 28);

    let admin = server.login("admin").await;
    let (_, audit) = admin.get("/api/audit").await;
    let entry = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "quota.cell.update")
        .unwrap_or_else(|| panic!("no audit entry: {audit}"));
    assert_eq!(
        entry["target"],
        format!("wave:{wave}/quota:commune={BORDEAUX}")
    );
    assert!(
        entry["details"].as_str().unwrap().contains("\"after\":7"),
        "{entry}"
    );
    assert!(entry["user_id"].is_i64(), "{entry}");
}
on_both_backends!(quota_targets_are_changed_by_managers_only_and_audited);

async fn an_abandoned_interview_gives_back_its_place_and_resumes_with_another_interviewer(
    backend: Backend,
) {
    let questionnaire = cati_e2e::observatory_questionnaire();
    let db = TestDb::new(backend).await;
    let server = Server::start(
        &db,
        DemoSize {
            questionnaire,
            ..DemoSize::new(1, 2)
        },
    )
    .await;
    let supervisor = server.login("superviseur").await;
    let first = server.login("enqueteur1").await;
    let wave = supervisor.latest_wave().await;
    let quotas_path = format!("/api/waves/{wave}/quotas");

    // The first interviewer passes the quota point, then goes home without a word.
    let (case, view) = screen_respondent(&first, BORDEAUX).await;
    assert_eq!(view["status"], "in_progress", "{view}");
    let (_, quotas) = supervisor.get(&quotas_path).await;
    assert_eq!(bordeaux(&quotas).0["in_progress"], 1);

    // The operator releases the held cases (the server does it after 30 idle minutes).
    let (ok, text) = server.cli(&["case", "release-abandoned", "--idle-minutes", "0"], "");
    assert!(ok, "{text}");
    assert!(text.contains("1 cas libéré"), "{text}");
    let (_, quotas) = supervisor.get(&quotas_path).await;
    assert_eq!(
        bordeaux(&quotas).0["in_progress"],
        0,
        "the place is given back"
    );
    let (status, _) = first.get("/api/cases/current").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let interview = view["interview_id"].as_str().unwrap();
    let (status, _) = first
        .post(
            &format!("/api/interviews/{interview}/answers"),
            &generic_answer(&view["step"]),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the first one's tab is refused"
    );

    // A second interviewer gets the same case and resumes the same interview: the respondent
    // is screened again (a place taken again) and the interview goes on where it stopped.
    let second = server.login("enqueteur2").await;
    let again = second.next_case().await;
    assert_eq!(again["case_id"], case["case_id"]);
    assert_eq!(again["interview"]["id"], view["interview_id"]);
    let resumed = second
        .start_interview(again["case_id"].as_str().unwrap())
        .await;
    assert_eq!(resumed["interview_id"], view["interview_id"]);
    assert_eq!(resumed["status"], "in_progress", "{resumed}");
    assert_eq!(resumed["step"]["var"], view["step"]["var"], "{resumed}");
    let (_, quotas) = supervisor.get(&quotas_path).await;
    assert_eq!(bordeaux(&quotas).0["in_progress"], 1);
}
on_both_backends!(an_abandoned_interview_gives_back_its_place_and_resumes_with_another_interviewer);
