//! The « Résultats » page in headless Chromium: two waves of the observatory, the second
//! created from the first through the command line as a manager would; switching indicator
//! and wave changes the table and the map.

use std::ffi::OsStr;

use cati_e2e::{
    Backend, Client, DemoSize, PASSWORD, Server, TestDb, answer_or_decline, generic_answer,
    observatory_questionnaire, screenshots_dir,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Screening and quota questions, answered as a respondent who takes part.
const STEADY: [&str; 3] = ["CONSENTEMENT", "SEXE", "AGE_TRANCHE"];

/// Answers the current step: `COMMUNE` with `commune`, a choice with the `k`-th ordinary
/// option (so that respondents differ) but for [`STEADY`] questions, anything else plausibly;
/// « ne sait pas » or refusal when the answer is refused.
async fn answer(interviewer: &Client, view: &Value, commune: &str, k: usize) -> Value {
    let step = &view["step"];
    let ordinary: Vec<&Value> = step["options"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["other"] != true && o["exclusive"] != true)
        .collect();
    let answer = match step["kind"].as_str() {
        _ if step["var"] == "COMMUNE" => {
            json!({ "var": "COMMUNE", "codes": [commune.parse::<i64>().unwrap()] })
        }
        Some("single" | "multiple")
            if !ordinary.is_empty() && !STEADY.iter().any(|v| step["var"] == *v) =>
        {
            json!({ "var": step["var"], "codes": [ordinary[k % ordinary.len()]["code"]] })
        }
        _ => generic_answer(step),
    };
    answer_or_decline(interviewer, view, answer).await
}

/// Completes the next case's interview with a respondent of `commune`.
async fn complete(interviewer: &Client, commune: &str, k: usize) {
    let case = interviewer.next_case().await;
    let mut view = interviewer
        .start_interview(case["case_id"].as_str().unwrap())
        .await;
    let mut steps = 0;
    while view["step"]["type"] == "question" {
        steps += 1;
        assert!(steps < 300, "the interview never ends: {view}");
        view = answer(interviewer, &view, commune, k + steps).await;
    }
    assert_eq!(view["step"]["type"], "completed", "{view}");
}

/// Needs Debian's `chromium` and `npm ci --prefix tests/browser`. Screenshots of the page
/// after each switch go to `target/screenshots/results-*.png`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_results_page_switches_indicator_and_wave_in_a_browser() {
    let db = TestDb::new(Backend::Sqlite).await;
    let size = DemoSize {
        questionnaire: observatory_questionnaire(),
        ..DemoSize::new(200, 1)
    };
    let server = Server::start(&db, size).await;
    let interviewer = server.login("enqueteur1").await;
    for (k, commune) in ["33063", "33063", "33063", "33281", "33318", "33522"]
        .iter()
        .enumerate()
    {
        complete(&interviewer, commune, k).await;
    }

    // The next wave, created from the first as a manager does, with its own phone list.
    let supervisor = server.login("superviseur").await;
    let (status, waves) = supervisor.get("/api/waves").await;
    assert_eq!(status, StatusCode::OK, "{waves}");
    let first = waves[0]["id"].as_str().expect("wave").to_owned();
    let survey = waves[0]["survey_id"].as_str().expect("survey").to_owned();
    let (ok, created) = server.cli(
        &[
            "wave",
            "create",
            "--survey",
            &survey,
            "--name",
            "vague-2",
            "--from-wave",
            &first,
            "--json",
        ],
        "",
    );
    assert!(ok, "{created}");
    let second = serde_json::from_str::<Value>(&created).expect("JSON")["wave"]["id"]
        .as_str()
        .expect("wave id")
        .to_owned();
    let list = db.dir().join("vague-2.csv");
    let rows: String = (10..40)
        .map(|i| format!("V2-{i};05 36 49 01 {i:02};Bordeaux\n"))
        .collect();
    std::fs::write(&list, format!("id;telephone;commune\n{rows}")).expect("list");
    for args in [
        vec![
            "sample",
            "import",
            "--wave",
            &second,
            list.to_str().unwrap(),
        ],
        vec!["wave", "open", &second],
        vec!["wave", "close", &first],
    ] {
        let (ok, out) = server.cli(&args, "");
        assert!(ok, "{args:?}: {out}");
    }
    for (k, commune) in ["33063", "33063", "33063", "33063", "33281", "33281"]
        .iter()
        .enumerate()
    {
        complete(&interviewer, commune, 3 * k + 1).await;
    }

    // The command line sets the second wave's rules and writes its results' files.
    let (ok, rules) = server.cli(
        &["wave", "publication", &second, "--min-n", "5", "--json"],
        "",
    );
    assert!(ok, "{rules}");
    let rules: Value = serde_json::from_str(&rules).expect("JSON");
    assert_eq!(
        (rules["min_n"].as_u64(), rules["default"].as_bool()),
        (Some(5), Some(false))
    );
    let (map, open_data) = (db.dir().join("carte.svg"), db.dir().join("ouvertes.zip"));
    let (ok, out) = server.cli(
        &[
            "results",
            "--wave",
            &second,
            "--map",
            map.to_str().unwrap(),
            "--open-data",
            open_data.to_str().unwrap(),
        ],
        "",
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("Règles de publication : au moins 5 répondants"),
        "{out}"
    );
    assert!(
        std::fs::read_to_string(&map)
            .expect("map")
            .starts_with("<svg")
    );
    assert!(std::fs::read(&open_data).expect("zip").starts_with(b"PK"));

    server.run_browser_script(
        "results.mjs",
        &[
            OsStr::new("analyste"),
            OsStr::new(PASSWORD),
            OsStr::new(&first),
            OsStr::new(&second),
        ],
        &screenshots_dir(),
    );
}
