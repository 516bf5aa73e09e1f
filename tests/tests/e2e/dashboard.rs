use std::ffi::OsStr;
use std::process::{Command, Stdio};
use std::time::Duration;

use cati_e2e::{
    Backend, Client, DemoSize, PASSWORD, Server, TestDb, answer_or_decline, cati_binary,
    generic_answer, observatory_questionnaire, screenshots_dir,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_backends;

const BORDEAUX: &str = "33063";

/// Answers the current step: `COMMUNE` with Bordeaux, anything else with a plausible answer
/// (soft checks confirmed; « ne sait pas » or refusal when the plausible answer is refused).
async fn answer_step(interviewer: &Client, view: &Value) -> Value {
    let step = &view["step"];
    let answer = if step["var"] == "COMMUNE" {
        json!({ "var": "COMMUNE", "codes": [BORDEAUX.parse::<i64>().unwrap()] })
    } else {
        generic_answer(step)
    };
    answer_or_decline(interviewer, view, answer).await
}

/// Claims a case and completes its interview with a Bordeaux respondent.
async fn complete_interview(interviewer: &Client) {
    let case = interviewer.next_case().await;
    let mut view = interviewer
        .start_interview(case["case_id"].as_str().unwrap())
        .await;
    let mut steps = 0;
    while view["step"]["type"] == "question" {
        steps += 1;
        assert!(steps < 300, "the interview never ends: {view}");
        view = answer_step(interviewer, &view).await;
    }
    assert_eq!(view["status"], "completed", "{view}");
}

/// Reads server-sent events from `response` until one of type `quotas` satisfies `wanted`;
/// returns its data. Panics after `limit`.
pub(crate) async fn wait_for_event(
    response: &mut reqwest::Response,
    buffer: &mut String,
    limit: Duration,
    wanted: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut kind = "message";
            let mut data = String::new();
            for line in block.lines() {
                if let Some(k) = line.strip_prefix("event:") {
                    kind = k.trim();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim_start());
                }
            }
            if kind == "quotas" {
                let value: Value = serde_json::from_str(&data).expect("JSON figures");
                if wanted(&value) {
                    return value;
                }
            }
        }
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .expect("no matching quota event in time")
            .expect("reading the event stream")
            .expect("the event stream ended");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

pub(crate) fn commune<'a>(figures: &'a Value, code: &str) -> &'a Value {
    figures["communes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code || c["commune_code"] == code)
        .unwrap_or_else(|| panic!("commune {code} in {figures}"))
}

async fn the_dashboard_figures_follow_the_quota_counts_live_and_in_csv(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server = Server::start(
        &db,
        DemoSize {
            questionnaire: observatory_questionnaire(),
            ..DemoSize::new(12, 1)
        },
    )
    .await;
    let supervisor = server.login("superviseur").await;
    let interviewer = server.login("enqueteur1").await;
    let analyst = server.login("analyste").await;
    for path in [
        "/tableau-de-bord",
        "/tableau-de-bord/donnees",
        "/tableau-de-bord/quotas.csv",
        "/tableau-de-bord/evenements",
        "/tableau-de-bord/commune/33063",
    ] {
        for other in [&interviewer, &analyst] {
            let (status, _) = other.get(path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    let page = supervisor
        .http
        .get(format!("{}/tableau-de-bord", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Tableau de bord des quotas") && html.contains("commune-33063"));
    assert!(
        html.contains("hors d&#39;atteinte") || html.contains("hors d'atteinte"),
        "the alert is on the page"
    );
    let (status, _) = supervisor.get("/tableau-de-bord/commune/33063").await;
    assert_eq!(status, StatusCode::OK);

    // The live stream first sends the current figures.
    let mut stream = supervisor
        .get_stream("/tableau-de-bord/evenements")
        .await
        .expect("an event stream");
    assert_eq!(stream.status(), StatusCode::OK);
    let mut buffer = String::new();
    let initial = wait_for_event(&mut stream, &mut buffer, Duration::from_secs(10), |_| true).await;
    assert_eq!(commune(&initial, BORDEAUX)["achieved"], 0);
    assert!(commune(&initial, BORDEAUX)["projected_completion"].is_null());
    // Before any interview, a commune whose remaining numbers cannot give its target is
    // flagged, on the prior yield alone: here one number left for one complete, which even an
    // optimistic yield (not every number answers) does not promise.
    let bordeaux = commune(&initial, BORDEAUX);
    assert_eq!(bordeaux["cases_used"], 0, "{bordeaux}");
    assert_eq!(bordeaux["alert"], "unreachable", "{bordeaux}");
    assert!(
        bordeaux["alert_message"]
            .as_str()
            .unwrap()
            .contains("hors d'atteinte"),
        "{bordeaux}"
    );
    assert_eq!(initial["prior_yield"]["from"], "valeur par défaut");

    // A completed interview reaches the open stream without asking.
    complete_interview(&interviewer).await;
    let live = wait_for_event(&mut stream, &mut buffer, Duration::from_secs(10), |f| {
        commune(f, BORDEAUX)["achieved"] == 1
    })
    .await;
    assert_eq!(commune(&live, BORDEAUX)["in_progress"], 0);

    // The dashboard's JSON and CSV match the quota service's figures.
    let wave = live["wave_id"].as_str().unwrap().to_owned();
    let (_, quotas) = supervisor.get(&format!("/api/waves/{wave}/quotas")).await;
    let (status, figures) = supervisor.get("/tableau-de-bord/donnees").await;
    assert_eq!(status, StatusCode::OK);
    assert!(figures["first_completion"].is_string(), "{figures}");
    let expected = quotas["communes"].as_array().unwrap();
    assert_eq!(
        figures["communes"].as_array().unwrap().len(),
        expected.len()
    );
    assert_eq!(expected.len(), 28);
    for q in expected {
        let code = q["commune_code"].as_str().unwrap();
        let d = commune(&figures, code);
        for field in ["target", "achieved", "in_progress", "sample_left"] {
            assert_eq!(d[field], q[field], "{code} {field}");
        }
    }
    // Today's figures at the top count the day's calls.
    assert_eq!(figures["today"]["completes"], 1, "{}", figures["today"]);
    assert_eq!(figures["today"]["interviewers_last_hour"], 1);
    assert!(figures["today"]["calls_last_hour"].as_i64().unwrap() >= 1);
    let bordeaux = commune(&figures, BORDEAUX);
    assert_eq!(bordeaux["achieved"], 1);
    assert!(bordeaux["pace_per_day"].as_f64().unwrap() > 0.0);
    let target = bordeaux["target"].as_u64().unwrap();
    assert_eq!(bordeaux["missing"].as_u64().unwrap(), target - 1);
    // One interview is too few to project a date.
    if target > 1 {
        assert!(bordeaux["projected_completion"].is_null(), "{bordeaux}");
        assert_eq!(bordeaux["projection_text"], "—", "{bordeaux}");
    }

    let response = supervisor
        .http
        .get(format!("{}/tableau-de-bord/quotas.csv", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let csv = response.text().await.unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[..5],
        [
            "commune_code",
            "commune",
            "target",
            "achieved",
            "in_progress"
        ]
    );
    let mut rows = 0;
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), header.len(), "{line}");
        let q = expected
            .iter()
            .find(|q| q["commune_code"] == fields[0])
            .unwrap();
        assert_eq!(fields[2], q["target"].to_string(), "{line}");
        assert_eq!(fields[3], q["achieved"].to_string(), "{line}");
        assert_eq!(fields[4], q["in_progress"].to_string(), "{line}");
        rows += 1;
    }
    assert_eq!(rows, 28);

    // A yield set in the wave's calling rules replaces the default prior; an absurd one is
    // refused.
    let mut rules = Client::around_the_clock();
    rules["expected_yield_percent"] = json!(50);
    let (status, reply) = supervisor
        .put(&format!("/api/waves/{wave}/rules"), &rules)
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let (_, figures) = supervisor.get("/tableau-de-bord/donnees").await;
    assert_eq!(figures["prior_yield"]["from"], "réglé pour la vague");
    assert_eq!(figures["prior_yield"]["rate"], 0.5);
    // The « Terrain » form sets it too.
    let day = "00:00-24:00";
    let form = format!(
        "vague={wave}&max_attempts=8&max_attempts_per_day=2&refusal_conversions=1&busy_minutes=15\
         &no_answer_minutes=180&answering_machine_minutes=180&soft_refusal_minutes=10080\
         &expected_yield_percent=30&holidays_open=1&lundi={day}&mardi={day}&mercredi={day}\
         &jeudi={day}&vendredi={day}&samedi={day}&dimanche={day}"
    );
    let (status, _) = supervisor
        .post_raw(
            "/terrain/regles",
            form.into_bytes(),
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("x-csrf-token", &supervisor.csrf),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, figures) = supervisor.get("/tableau-de-bord/donnees").await;
    assert_eq!(figures["prior_yield"]["rate"], 0.3);
    rules["expected_yield_percent"] = json!(0);
    let (status, _) = supervisor
        .put(&format!("/api/waves/{wave}/rules"), &rules)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A target change is pushed too.
    let cell = quotas["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["cell_key"] == format!("commune={BORDEAUX}"))
        .unwrap();
    let (status, _) = supervisor
        .post(
            &format!("/api/quota-cells/{}", cell["id"]),
            &json!({ "target": 40 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    wait_for_event(&mut stream, &mut buffer, Duration::from_secs(10), |f| {
        commune(f, BORDEAUX)["target"] == 40
    })
    .await;

    // The commune page's form changes a target and closes the cell, audit-logged; interviewers
    // cannot post it.
    let form = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("sec-fetch-site", "same-origin"),
    ];
    let path = format!("/tableau-de-bord/cellules/{}", cell["id"]);
    let body = format!("vague={wave}&objectif=35&etat=fermee").into_bytes();
    let (status, _) = interviewer.post_raw(&path, body.clone(), &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, reply) = supervisor.post_raw(&path, body, &form).await;
    assert!(
        status.is_redirection() || status == StatusCode::OK,
        "{status} {reply}"
    );
    wait_for_event(&mut stream, &mut buffer, Duration::from_secs(10), |f| {
        commune(f, BORDEAUX)["target"] == 35
    })
    .await;
    let (_, after) = supervisor.get(&format!("/api/waves/{wave}/quotas")).await;
    let changed = after["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == cell["id"])
        .unwrap();
    assert_eq!(changed["target"], 35, "{changed}");
    assert_eq!(changed["closed"], true, "{changed}");
    let admin = server.login("admin").await;
    let (_, audit) = admin.get("/api/audit").await;
    assert!(audit.to_string().contains("quota.cell.update"), "{audit}");
}
on_both_backends!(the_dashboard_figures_follow_the_quota_counts_live_and_in_csv);

/// Graceful shutdown does not wait on an open event stream: SIGTERM ends it and the server
/// exits promptly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_open_dashboard_streams_and_the_server_exits() {
    let db = TestDb::new(Backend::Sqlite).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(cati_binary())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--database-url", &db.url, "--demo", "--demo-questionnaire"])
        .arg(observatory_questionnaire())
        .args(["--demo-cases", "3", "--demo-interviewers", "1"])
        .env("CATI_DEMO_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting cati serve");
    let http = reqwest::Client::new();
    let mut healthy = false;
    for _ in 0..600 {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await
            && r.status() == StatusCode::OK
        {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(healthy, "cati serve did not start");
    let supervisor = Client::login(&base, "superviseur", PASSWORD).await;
    let mut stream = supervisor
        .get_stream("/tableau-de-bord/evenements")
        .await
        .expect("an event stream");
    let mut buffer = String::new();
    wait_for_event(&mut stream, &mut buffer, Duration::from_secs(10), |_| true).await;

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut exited = None;
    for _ in 0..100 {
        if let Some(status) = child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if exited.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let status = exited.expect("the server still runs 10 s after SIGTERM with a stream open");
    assert!(status.success(), "{status}");
    // The stream ended rather than being cut.
    let rest = tokio::time::timeout(Duration::from_secs(5), stream.chunk()).await;
    assert!(matches!(rest, Ok(Ok(None))), "{rest:?}");
}

/// Needs Debian's `chromium` and `npm ci --prefix tests/browser` (playwright-core); fails with
/// that instruction rather than skipping.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_table_updates_in_a_browser_without_reloading() {
    let db = TestDb::new(Backend::Sqlite).await;
    let server = Server::start(
        &db,
        DemoSize {
            questionnaire: observatory_questionnaire(),
            ..DemoSize::new(4, 1)
        },
    )
    .await;
    server.run_browser_script(
        "dashboard.mjs",
        &[
            OsStr::new("superviseur"),
            OsStr::new("enqueteur1"),
            OsStr::new(PASSWORD),
        ],
        &screenshots_dir(),
    );
}

async fn live_streams_are_capped_per_session(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server = Server::start(&db, DemoSize::new(4, 1)).await;
    let supervisor = server.login("superviseur").await;
    let url = format!("{}/tableau-de-bord/evenements", server.base);
    let mut open = Vec::new();
    for _ in 0..8 {
        let stream = supervisor.http.get(&url).send().await.unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        open.push(stream);
    }
    // A ninth tab of the same session is refused with a message, not left hanging.
    let refused = supervisor.http.get(&url).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let message = refused.text().await.unwrap();
    assert!(message.contains("onglet"), "{message}");
    // Another session (another workstation) has its own allowance.
    let elsewhere = server.login("superviseur").await;
    let stream = elsewhere.http.get(&url).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
}
on_both_backends!(live_streams_are_capped_per_session);
