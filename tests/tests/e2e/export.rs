use std::path::Path;

use cati_e2e::{Backend, Client, DemoSize, Server, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_backends;

/// Claims the next case and completes its interview with the fixture's answers.
/// Completes the next case's interview; returns the interview's identifier.
async fn complete_one_interview(interviewer: &Client) -> String {
    let case = interviewer.next_case().await;
    let mut view = interviewer
        .start_interview(case["case_id"].as_str().unwrap())
        .await;
    while view["step"]["type"] == "question" {
        view = interviewer.answer_fixture_step(&view).await;
    }
    assert_eq!(view["step"]["type"], "completed", "{view}");
    view["interview_id"].as_str().unwrap().to_owned()
}

/// Every file of a directory, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The first column of the machine CSV (`id_repondant`), without the header.
fn respondent_ids(dir: &Path) -> Vec<String> {
    let csv = std::fs::read_to_string(dir.join("donnees.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("id_repondant"));
    lines
        .map(|l| l.split(',').next().unwrap().trim_matches('"').to_owned())
        .collect()
}

async fn analysts_export_completed_interviews_without_phone_numbers(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server = Server::start(&db, DemoSize::new(6, 2)).await;
    let first = server.login("enqueteur1").await;
    let second = server.login("enqueteur2").await;
    let interview = complete_one_interview(&first).await;
    complete_one_interview(&second).await;
    complete_one_interview(&first).await;
    // A refusal: a final case without interview, never a row of the dataset.
    let refused = second.next_case().await;
    let (status, _) = second
        .post(
            &format!(
                "/api/cases/{}/outcome",
                refused["case_id"].as_str().unwrap()
            ),
            &json!({ "outcome": "refusal" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let supervisor = server.login("superviseur").await;
    let wave = supervisor.latest_wave().await;
    let (_, sample) = supervisor
        .get(&format!("/api/waves/{wave}/sample?limit=1000"))
        .await;
    let phones: Vec<String> = sample
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["phones"].as_array().unwrap().clone())
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    assert!(phones.len() >= 6);

    let out = tempfile::tempdir().unwrap();
    let (one, two) = (out.path().join("one"), out.path().join("two"));
    // The wave by its identifier, then by its name: the same bytes either way.
    for (dir, key) in [(&one, wave.as_str()), (&two, "Démonstration")] {
        let (ok, text) = server.cli(
            &[
                "export",
                "--wave",
                key,
                "--format",
                "all",
                "--out",
                dir.to_str().unwrap(),
            ],
            "",
        );
        assert!(ok, "cati export: {text}");
    }

    let written = files(&one);
    let names: Vec<&str> = written.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "donnees.csv",
        "donnees-excel-fr.csv",
        "donnees-libelles.csv",
        "donnees.sav",
        "donnees.dta",
        "donnees.parquet",
        "dictionnaire.md",
        "dictionnaire.html",
        "datapackage.json",
        "manifest.json",
    ] {
        assert!(names.contains(&expected), "{expected} missing: {names:?}");
    }
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(one.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["rows"], 3, "{manifest}");
    assert_eq!(manifest["weighting"], Value::Null, "no populations given");
    let ids = respondent_ids(&one);
    assert_eq!(ids.len(), 3);
    assert!(ids.iter().all(|id| id.starts_with('R')), "{ids:?}");

    // Exported twice from the same data: the same pseudonyms and the same bytes.
    assert_eq!(respondent_ids(&two), ids);
    assert_eq!(files(&two), written, "two exports differ");

    // No phone number, in any form, in any file.
    for (name, bytes) in &written {
        for phone in &phones {
            let national = format!("0{}", &phone[3..]);
            for form in [phone.as_str(), &phone[1..], national.as_str()] {
                assert!(!contains(bytes, form), "{form} found in {name}");
            }
        }
    }

    // An unknown wave is a clear error.
    let (ok, text) = server.cli(
        &[
            "export",
            "--wave",
            "99",
            "--out",
            out.path().join("none").to_str().unwrap(),
        ],
        "",
    );
    assert!(!ok);
    assert!(text.contains("vague inconnue"), "{text}");

    // The analyst downloads a zip holding the CSV; an interviewer may not.
    let analyst = server.login("analyste").await;
    // Raw answers (internal ids, millisecond times) stay with managers: analysts use exports.
    let answers = format!("/api/interviews/{interview}/answers");
    let (status, refusal) = analyst.get(&answers).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refusal}");
    assert!(
        refusal["error"].to_string().contains("exports"),
        "{refusal}"
    );
    assert_eq!(supervisor.get(&answers).await.0, StatusCode::OK);
    let download = analyst
        .get_raw(&format!("/api/waves/{wave}/export?format=csv"))
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.content_type.as_deref(), Some("application/zip"));
    let zip = download.body;
    assert!(zip.starts_with(b"PK\x03\x04"));
    assert!(contains(&zip, &format!("export-vague-{wave}/donnees.csv")));
    assert!(contains(
        &zip,
        &format!("export-vague-{wave}/manifest.json")
    ));
    let (status, _) = first
        .get(&format!("/api/waves/{wave}/export?format=csv"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Weighting options are never ignored: an unknown method, or a weighting this server
    // (started without populations) cannot do, is refused with a message.
    for (query, says) in [
        ("method=bogus", "méthode de pondération inconnue"),
        ("method=raking", "aucune population de référence"),
        ("vintage=2021", "aucune population de référence"),
    ] {
        let (status, refusal) = analyst
            .get(&format!("/api/waves/{wave}/export?format=csv&{query}"))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {refusal}"
        );
        assert!(
            refusal["error"].as_str().unwrap_or("").contains(says),
            "{query}: {refusal}"
        );
    }
    let unweighted = analyst
        .get_raw(&format!("/api/waves/{wave}/export?format=csv&method=none"))
        .await;
    assert_eq!(unweighted.status, StatusCode::OK);

    // The analysts' page lists the wave's counts and offers the download.
    let page = analyst
        .http
        .get(format!("{}/analyses", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("/analyses/vagues/{wave}/export")),
        "{html}"
    );
    assert!(
        html.contains("les exports de la vague sont non pondérés"),
        "{html}"
    );
    for phone in &phones {
        assert!(!html.contains(phone.as_str()));
    }
    let page = analyst
        .http
        .get(format!(
            "{}/analyses/vagues/{wave}/export?format=codebook&include_partial=on",
            server.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let (status, _) = first.get("/analyses").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Nor does an analyst reach phone numbers through the sample or a case.
    let (status, _) = analyst.get(&format!("/api/waves/{wave}/sample")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = analyst
        .get(&format!(
            "/api/cases/{}",
            refused["case_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
on_both_backends!(analysts_export_completed_interviews_without_phone_numbers);
