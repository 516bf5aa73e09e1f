use std::path::Path;

use cati_e2e::{Backend, Client, DemoSize, Server, TestDb, answer_step, cati_binary};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_backends;

fn repository(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// A manager's first list: Windows-1252 (accents in communes and names), `;`-separated, with a
/// short number, a duplicate, a foreign number, an unknown commune and letters.
fn first_list() -> Vec<u8> {
    let text = "identifiant;Téléphone;Commune;nom_contact\r\n\
                P01;05 36 49 00 01;Mérignac;Gaëlle\r\n\
                P02;0536490;Bordeaux;Hervé\r\n\
                P03;+33 5 36 49 00 03;Bègles;Zoé\r\n\
                P04;05.36.49.00.01;Pessac;Noël\r\n\
                P05;+44 20 7946 0958;Talence;Jane\r\n\
                P06;05 36 49 00 06;Paris;Jean\r\n\
                P07;05 36 49 0A 07;Cenon;Léa\r\n\
                P08;0033 5 36 49 00 08;33063;Éric\r\n\
                P09;06 12 34 56 09;le bouscat;Inès\r\n\
                P10;05 36 49 00 10;Villenave-d'Ornon;Loïc\r\n\
                P11;05 36 49 00 11;;Anaïs\r\n\
                P12;05 36 49 00 12;Saint-Médard-en-Jalles;Maël\r\n";
    // Windows-1252: every character above is in it.
    text.chars()
        .map(|c| match c {
            'é' => 0xE9,
            'è' => 0xE8,
            'ë' => 0xEB,
            'ï' => 0xEF,
            'É' => 0xC9,
            'ô' => 0xF4,
            c => u8::try_from(u32::from(c)).expect("ASCII"),
        })
        .collect()
}

/// The second wave's list: UTF-8 with a BOM, `,`-separated, one number already in wave 1
/// (another wave: accepted) and one twice.
fn second_list() -> Vec<u8> {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(
        "id,telephone,commune\n\
         S1,05 36 49 00 01,Mérignac\n\
         S2,05 36 49 00 21,Bordeaux\n\
         S3,05 36 49 00 21,Bordeaux\n"
            .as_bytes(),
    );
    bytes
}

async fn created(reply: (StatusCode, Value)) -> Value {
    let (status, body) = reply;
    assert!(status.is_success(), "{status}: {body}");
    body
}

/// Completes the current interview with plausible answers; returns the last view.
async fn complete(interviewer: &Client, mut view: Value) -> Value {
    let mut steps = 0;
    while view["step"]["type"] == "question" {
        steps += 1;
        assert!(steps < 300, "the interview never ends: {view}");
        view = answer_step(interviewer, &view, "33063").await;
    }
    view
}

/// Claims every case the interviewer is handed: completes an interview on the first, records a
/// refusal on the others; returns how many were handed out.
async fn work_the_wave(interviewer: &Client) -> usize {
    let mut handed = 0;
    loop {
        let (status, case) = interviewer.post("/api/cases/next", &json!({})).await;
        if status == StatusCode::NOT_FOUND {
            return handed;
        }
        assert_eq!(status, StatusCode::OK, "{case}");
        handed += 1;
        let id = case["case_id"].as_str().unwrap().to_owned();
        if handed == 1 {
            let view = interviewer.start_interview(&id).await;
            let view = complete(interviewer, view).await;
            assert_eq!(view["status"], "completed", "{view}");
        } else {
            let (status, body) = interviewer
                .post(
                    &format!("/api/cases/{id}/outcome"),
                    &json!({ "outcome": "refusal" }),
                )
                .await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        }
    }
}

async fn a_wave_is_set_up_from_a_phone_list_and_exported_without_sql(backend: Backend) {
    let db = TestDb::new(backend).await;
    // The demo supplies accounts only: its wave has no case.
    let server = Server::start(&db, DemoSize::new(0, 2)).await;
    let manager = server.login("superviseur").await;
    let observatory = std::fs::read_to_string(repository("questionnaires/observatoire.toml"))
        .expect("observatory questionnaire");

    // A survey with its questionnaire and indicators, then its first wave.
    let survey = created(
        manager
            .post(
                "/api/surveys",
                &json!({
                    "name": "obs-numerique",
                    "description": "Observatoire des inégalités numériques",
                    "questionnaire": {
                        "file_name": "observatoire.toml",
                        "source": observatory,
                        "indicators": std::fs::read_to_string(
                            repository("questionnaires/observatoire.indicators.toml"),
                        ).expect("indicators"),
                    },
                }),
            )
            .await,
    )
    .await;
    let survey_id = survey["id"].as_str().unwrap().to_owned();
    let wave1 = created(
        manager
            .post(
                "/api/waves",
                &json!({ "survey": survey_id, "name": "2026-1", "field_end": "2099-12-31" }),
            )
            .await,
    )
    .await;
    let wave1 = wave1["wave"]["id"].as_str().unwrap().to_owned();
    // Calls at any hour (the test runs whenever CI does), through the rules API.
    let (status, rules) = manager
        .put(
            &format!("/api/waves/{wave1}/rules"),
            &Client::around_the_clock(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rules}");
    assert_eq!(rules["defaults"], false, "{rules}");
    assert!(
        rules["summary"]
            .to_string()
            .contains("dimanche : 00:00–24:00"),
        "{rules}"
    );

    // Weighting: a vintage the legal populations do not have is refused in French; the
    // survey covers Bordeaux here, weighted on a populations file of its own.
    let (status, refused) = manager
        .put(
            &format!("/api/waves/{wave1}/weighting"),
            &json!({ "source": "legal", "vintage": "2031" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"]
            .to_string()
            .contains("aucune population pour le millésime « 2031 »"),
        "{refused}"
    );
    let (status, weighting) = manager
        .put(
            &format!("/api/waves/{wave1}/weighting"),
            &json!({
                "source": "file",
                "file_name": "bordeaux.csv",
                "content": "code_commune,nom_commune,millesime,population_municipale\n\
                            33063,Bordeaux,2023,267991\n",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{weighting}");
    assert_eq!(weighting["method"], "raking");
    assert_eq!(weighting["vintage"], "2023");
    assert_eq!(weighting["communes"][0]["population"], 267991);

    // A quota plan computed by `cati quotas plan`, attached to the wave.
    let plan = tempfile::tempdir().unwrap();
    let design_file = plan.path().join("quotas.toml");
    let planned = std::process::Command::new(cati_binary())
        .args(["quotas", "plan", "--total", "60", "--populations"])
        .arg(repository("cati-server/assets/bm_populations_legales.csv"))
        .arg("--design-out")
        .arg(&design_file)
        .output()
        .expect("cati quotas plan");
    assert!(
        planned.status.success(),
        "{}",
        String::from_utf8_lossy(&planned.stderr)
    );
    let design = std::fs::read_to_string(&design_file).unwrap();
    created(
        manager
            .post(
                &format!("/api/waves/{wave1}/quotas"),
                &json!({ "design": design }),
            )
            .await,
    )
    .await;

    // The list: the report names every refused line and why; the good rows make two random
    // replicates of 4.
    let (status, report) = manager
        .post_file(
            &format!("/api/waves/{wave1}/sample?file_name=liste.csv&replicate_size=4"),
            first_list(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        report["file"], "CSV Windows-1252, séparateur point-virgule",
        "{report}"
    );
    let refused: Vec<(i64, &str)> = report["report"]["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_i64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        refused,
        [
            (3, "too_short"),
            (5, "duplicate_phone"),
            (6, "foreign_number"),
            (7, "unknown_commune"),
            (8, "letters"),
        ],
        "{report}"
    );
    assert_eq!(report["imported"], 7);
    assert_eq!(report["replicates"], 2);
    let communes: Vec<&str> = report["report"]["by_commune"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(communes.contains(&"Le Bouscat"), "{communes:?}");
    assert!(communes.contains(&"Villenave-d'Ornon"), "{communes:?}");

    // Nothing is dialled before the wave opens and a replicate is released.
    let interviewer = server.login("enqueteur1").await;
    let (status, _) = interviewer.post("/api/cases/next", &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let released = created(
        manager
            .post(&format!("/api/waves/{wave1}/replicates/next"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(released, json!({ "replicate": 1, "cases": 4 }));
    created(
        manager
            .post(
                &format!("/api/waves/{wave1}/status"),
                &json!({ "status": "open" }),
            )
            .await,
    )
    .await;
    assert_eq!(
        work_the_wave(&interviewer).await,
        4,
        "only the released replicate is dialled"
    );
    let closed = created(
        manager
            .post(
                &format!("/api/waves/{wave1}/status"),
                &json!({ "status": "closed" }),
            )
            .await,
    )
    .await;
    assert_eq!(closed["status"], "closed");
    // The journal says who changed the wave's state, and how.
    let journal = manager.get_raw("/journal?action=wave.status&cible=").await;
    assert_eq!(journal.status, StatusCode::OK);
    let html = String::from_utf8_lossy(&journal.body);
    assert_eq!(
        html.matches("<td>État de vague changé</td>").count(),
        2,
        "{html}"
    );
    assert!(html.contains("après : close"), "{html}");

    // Wave 2 from wave 1, with a newer questionnaire: the differences are reported, the quota
    // plan and indicators carried.
    let newer = observatory
        .replace("version = \"2026.1\"", "version = \"2027.1\"")
        .replace(
            "  { code = 5, label = { fr = \"Une tablette\", en = \"A tablet\" } },",
            "  { code = 5, label = { fr = \"Une tablette\", en = \"A tablet\" } },\n  { code = 8, label = { fr = \"Une montre connectée\", en = \"A smartwatch\" } },",
        );
    created(
        manager
            .post(
                &format!("/api/surveys/{survey_id}/questionnaires"),
                &json!({ "file_name": "observatoire-2027.toml", "source": newer }),
            )
            .await,
    )
    .await;
    let (status, diff) = manager
        .get(&format!(
            "/api/surveys/{survey_id}/questionnaires/diff?from=2026.1&to=2027.1"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{diff}");
    assert_eq!(diff["comparable"], true, "{diff}");
    let wave2 = created(
        manager
            .post(
                "/api/waves",
                &json!({
                    "survey": "obs-numerique",
                    "name": "2027-1",
                    "from_wave": "2026-1",
                    "questionnaire_version": "2027.1",
                }),
            )
            .await,
    )
    .await;
    let lines = wave2["comparability"]["lines"].to_string();
    assert!(lines.contains("code 8"), "{lines}");
    assert!(lines.contains("Plan de quotas repris"), "{lines}");
    assert!(lines.contains("Règles d'appel reprises"), "{lines}");
    assert!(lines.contains("Indicateurs repris"), "{lines}");
    assert!(
        lines.contains("Pondération reprise : Calage sur marges par raking (millésime 2023)"),
        "{lines}"
    );
    let wave2 = wave2["wave"]["id"].as_str().unwrap().to_owned();
    let (status, report) = manager
        .post_file(
            &format!("/api/waves/{wave2}/sample?file_name=vague2.csv"),
            second_list(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["imported"], 2, "{report}");
    assert_eq!(report["report"]["rejected"][0]["code"], "duplicate_phone");
    created(
        manager
            .post(
                &format!("/api/waves/{wave2}/status"),
                &json!({ "status": "open" }),
            )
            .await,
    )
    .await;
    assert_eq!(work_the_wave(&interviewer).await, 2);

    // Both waves, stacked, in one export.
    let out = tempfile::tempdir().unwrap();
    let (ok, text) = server.cli(
        &[
            "export",
            "--wave",
            "2027-1",
            "--waves",
            "all",
            "--format",
            "csv",
            "--out",
            out.path().to_str().unwrap(),
        ],
        "",
    );
    assert!(ok, "{text}");
    let data = std::fs::read_to_string(out.path().join("donnees.csv")).unwrap();
    let header = data.lines().next().unwrap();
    assert!(header.contains("wave"), "{header}");
    assert_eq!(
        data.lines().count(),
        3,
        "one completed interview per wave: {data}"
    );
    assert!(data.contains("2026-1") && data.contains("2027-1"), "{data}");
    // Weighted by default, each wave on its own set-up (carried to wave 2): one respondent
    // stands for the whole of Bordeaux in each wave.
    let column = header
        .split(',')
        .position(|c| c == "POIDS")
        .expect("a POIDS column");
    for row in data.lines().skip(1) {
        assert_eq!(row.split(',').nth(column), Some("267991"), "{row}");
    }
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("manifest.json")).unwrap())
            .unwrap();
    let per_wave = manifest["weighting"]["per_wave"]
        .as_array()
        .expect("per wave");
    assert_eq!(per_wave.len(), 2, "{manifest}");
    assert!(
        per_wave.iter().all(|w| w["method"]["name"] == "raking"),
        "{manifest}"
    );
    for phone in ["0536490001", "+33536490001", "Gaëlle"] {
        assert!(!data.contains(phone), "{phone} exported");
    }
}
on_both_backends!(a_wave_is_set_up_from_a_phone_list_and_exported_without_sql);
