//! The results page and its API on both backends: figures equal to the export's indicator
//! table, the change since the previous wave, the publication rules (carried to the next
//! wave, applied to the map and to the open data), and who may read them.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cati_server::auth::Actor;
use cati_server::sample::demo::{self, DemoOptions};
use cati_server::services::export::{self, ExportSettings, Scope, WeightingChoice};
use cati_server::services::publication::{self, PublicationRequest};
use cati_server::services::waves::{self, WaveRequest};
use cati_server::services::weighting::Overrides;
use cati_server::store::Db;
use cati_server::store::cases::{self, NewCase};
use cati_server::store::surveys;
use cati_server::store::users::Role;
use common::{Scratch, on_both_backends};
use exports::build::ExportFormat;
use questionnaire::{
    AnswerInput, Interview, Preload, Questionnaire, QuotaDecision, Record, State, ViewKind,
};
use serde_json::{Value, json};
use tower::ServiceExt;

const PASSWORD: &str = "mot-de-passe-de-test-assez-long";
const BORDEAUX: &str = "33063";
const AMBES: &str = "33004";

fn observatory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../questionnaires/observatoire.toml")
}

/// A small deterministic generator, so that each respondent answers differently.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % sides.max(1) as u64) as usize
    }
}

/// A completed interview of a respondent of `commune`, answered at random by the engine's own
/// rules (soft checks confirmed, « ne sait pas » or refusal when an answer is refused); `None`
/// when the draw screened the respondent out.
fn respondent(q: &Questionnaire, commune: &str, seed: u64) -> Option<Record> {
    let preload = Preload::new();
    let interview = Interview {
        questionnaire: q,
        preload: &preload,
        language: q.primary_language(),
    };
    let mut record = Record::new(seed);
    let mut dice = Dice(seed);
    for _ in 0..500 {
        let view = match interview.state(&record) {
            State::Question(view) => view,
            State::QuotaPoint { .. } => {
                interview
                    .record_quota(&mut record, QuotaDecision::Accepted)
                    .unwrap();
                continue;
            }
            State::Completed { .. } => return Some(record),
            State::ScreenedOut { .. } => return None,
        };
        let pick = |dice: &mut Dice| {
            let option = &view.options[dice.roll(view.options.len())];
            let other = if option.other {
                BTreeMap::from([(option.code, "autre".to_owned())])
            } else {
                BTreeMap::new()
            };
            AnswerInput::Codes {
                codes: vec![option.code],
                other,
            }
        };
        let within = |dice: &mut Dice, min: Option<i64>, max: Option<i64>| {
            let low = min.unwrap_or(0).max(18.min(max.unwrap_or(i64::MAX)));
            let high = max.unwrap_or(low + 60).min(low + 60);
            (low + dice.roll((high - low + 1) as usize) as i64).to_string()
        };
        let input = match &view.kind {
            _ if view.var == "COMMUNE" => AnswerInput::Codes {
                codes: vec![commune.parse().unwrap()],
                other: BTreeMap::new(),
            },
            ViewKind::Single | ViewKind::Multiple { .. } => pick(&mut dice),
            ViewKind::Integer { min, max } => AnswerInput::Raw(within(&mut dice, *min, *max)),
            ViewKind::Scale { min, max, .. } => {
                AnswerInput::Raw(within(&mut dice, Some(*min), Some(*max)))
            }
            ViewKind::Decimal { min, max, .. } => AnswerInput::Raw(within(
                &mut dice,
                min.map(|m| m.ceil() as i64),
                max.map(|m| m.floor() as i64),
            )),
            ViewKind::Text { .. } => AnswerInput::Raw("réponse".to_owned()),
            ViewKind::Date { min, .. } => {
                AnswerInput::Raw(min.map_or("2000-01-01".to_owned(), |d| d.to_string()))
            }
            ViewKind::Info => AnswerInput::Continue,
        };
        if interview
            .submit(&mut record, &view.var, input, true)
            .is_err()
        {
            let special = if view.allow_dont_know {
                AnswerInput::DontKnow
            } else {
                AnswerInput::Refused
            };
            interview
                .submit(&mut record, &view.var, special, true)
                .unwrap_or_else(|e| panic!("{}: {e}", view.var));
        }
    }
    panic!("the interview never ends")
}

/// Adds `count` completed interviews of respondents of `commune` to the wave (seeds from
/// `seed`).
async fn complete(
    db: &Db,
    q: &Questionnaire,
    wave_id: i64,
    commune: &str,
    count: usize,
    seed: u64,
) {
    let mut added = 0;
    let mut next = seed;
    while added < count {
        next += 1;
        let Some(record) = respondent(q, commune, next) else {
            continue;
        };
        added += 1;
        let key = format!("W{wave_id}-{commune}-{next}");
        let case = NewCase {
            external_id: key.clone(),
            commune_code: Some(commune.to_owned()),
            commune_name: None,
            preload: json!({}),
            synthetic: true,
            phones: vec![format!("+3355{:07}", next % 10_000_000)],
            replicate: None,
        };
        let mut tx = db.write().await.unwrap();
        cases::insert_cases(&mut tx, wave_id, &[case], cati_server::store::now_ms())
            .await
            .unwrap();
        tx.query(
            "insert into interviews (uuid, case_id, interviewer_id, status, seed, record, route, \
             started_at, updated_at, ended_at) select $4, c.id, u.id, 'completed', $1, $2, '[]', \
             1767225600000, 1767226200000, 1767226200000 from sample_cases c, users u \
             where c.wave_id = $3 and c.external_id = $5 and u.username = 'enqueteur1'",
        )
        .bind(next as i64)
        .bind(serde_json::to_string(&record).unwrap())
        .bind(wave_id)
        .bind(cati_server::store::new_public_id())
        .bind(key)
        .execute()
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

/// Respondents in every commune (raking needs them all), many in Bordeaux, three in Ambès.
async fn fill(db: &Db, q: &Questionnaire, wave_id: i64, seed: u64) {
    for (i, (code, _)) in cati_server::sample::communes::COMMUNES.iter().enumerate() {
        let count = match *code {
            BORDEAUX => 150,
            AMBES => 3,
            _ => 4,
        };
        complete(db, q, wave_id, code, count, seed + 100_000 * i as u64).await;
    }
}

/// The export's `indicateurs.csv` of a wave, as analysts download it by default.
async fn indicator_table(db: &Db, wave_id: i64) -> String {
    let settings = ExportSettings {
        format: ExportFormat::Csv,
        include_partial: false,
        include_screened_out: false,
        include_preload: false,
        weighting: WeightingChoice::AsSetUp(Overrides::default()),
        indicators: None,
    };
    let gathered = export::gather(db, Scope::Wave(wave_id)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = export::write(&gathered, &settings, dir.path()).unwrap();
    assert!(
        summary.unweighted.is_empty(),
        "the wave is weighted: {:?}",
        summary.unweighted
    );
    std::fs::read_to_string(dir.path().join("indicateurs.csv")).unwrap()
}

/// `(indicator, code)` → the CSV line's fields.
fn by_cell(csv: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                (r[0].to_owned(), r[3].to_owned()),
                r.iter().map(str::to_owned).collect(),
            )
        })
        .collect()
}

async fn login(app: &axum::Router, username: &str) -> String {
    let request = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "username": username, "password": PASSWORD }).to_string(),
        ))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "login {username}");
    response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

async fn get(app: &axum::Router, cookie: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let request = Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    (
        status,
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec(),
    )
}

async fn results_equal_the_indicator_table_and_follow_the_publication_rules(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    let report = demo::load(
        db,
        &DemoOptions {
            questionnaire: Some(observatory()),
            cases: 0,
            interviewers: 1,
            password: Some(PASSWORD.to_owned()),
            simulated: 0,
        },
    )
    .await
    .unwrap();
    let source = std::fs::read_to_string(observatory()).unwrap();
    let q = questionnaire::load(&source, "observatoire.toml").unwrap();
    let first = report.wave_id;
    fill(db, &q, first, 1).await;

    // Rules changed on the first wave (audited) are carried to the wave created from it.
    let loose = PublicationRequest {
        min_n: Some(25),
        ..PublicationRequest::default()
    };
    let mut tx = db.read().await.unwrap();
    let wave1 = surveys::wave(&mut tx, first).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    publication::set(db, Actor::Operator, &wave1.uuid.to_string(), &loose)
        .await
        .unwrap();
    let created = waves::create(
        db,
        Actor::Operator,
        &WaveRequest {
            survey: wave1.survey_uuid.to_string(),
            name: "vague-2".to_owned(),
            from_wave: Some(wave1.uuid.to_string()),
            ..WaveRequest::default()
        },
    )
    .await
    .unwrap();
    let wave2 = created.wave;
    assert!(
        created
            .comparability
            .unwrap()
            .lines
            .iter()
            .any(|l| l.contains("Règles de publication reprises : au moins 25 répondants")),
    );
    fill(db, &q, wave2.id, 7).await;

    let state = cati_server::server::state(db.clone(), cati_server::state::Settings::default())
        .await
        .unwrap();
    let app = cati_server::server::app(state, 60).await.unwrap();
    let analyst = login(&app, "analyste").await;
    let id = wave2.uuid;

    // The results table's first twelve columns are the export's indicateurs.csv, cell for cell.
    let table = indicator_table(db, wave2.id).await;
    let (status, csv) = get(&app, &analyst, &format!("/api/waves/{id}/results.csv")).await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    let ours: Vec<&str> = csv.split("\r\n").collect();
    let theirs: Vec<&str> = table.split("\r\n").collect();
    assert_eq!(ours.len(), theirs.len());
    assert!(theirs.len() > 29 * 5, "{table}");
    for (line, original) in ours
        .iter()
        .zip(&theirs)
        .skip(1)
        .filter(|(l, _)| !l.is_empty())
    {
        assert!(
            line.starts_with(&format!("{original},")),
            "{line}\n{original}"
        );
    }

    // The JSON carries the same figures, the rules carried over, and the change since wave 1.
    let (status, body) = get(&app, &analyst, &format!("/api/waves/{id}/results")).await;
    assert_eq!(status, StatusCode::OK);
    let results: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(results["previous_wave"]["name"], wave1.name);
    assert_eq!(results["rules"]["min_n"], 25);
    let cells = by_cell(&table);
    let before = by_cell(&indicator_table(db, first).await);
    let rows = results["rows"].as_array().unwrap();
    assert_eq!(rows.len(), cells.len());
    let mut tested = 0;
    for row in rows {
        let key = (
            row["indicateur"].as_str().unwrap().to_owned(),
            row["code_domaine"].as_str().unwrap().to_owned(),
        );
        let figure = |fields: &Vec<String>, i: usize| fields[i].parse::<f64>().ok();
        let now = &cells[&key];
        assert_eq!(row["n"].as_u64().unwrap().to_string(), now[4]);
        if let Some(p) = figure(now, 5) {
            assert!(
                (row["proportion"].as_f64().unwrap() - p).abs() < 5e-7,
                "{key:?}"
            );
        }
        let then = &before[&key];
        if let (Some(p1), Some(se1), Some(p2), Some(se2)) = (
            figure(then, 5),
            figure(then, 8),
            figure(now, 5),
            figure(now, 8),
        ) {
            let change = &row["change"];
            assert!(
                (change["difference"].as_f64().unwrap() - (p2 - p1)).abs() < 1e-6,
                "{key:?}"
            );
            assert!((change["standard_error"].as_f64().unwrap() - se1.hypot(se2)).abs() < 1e-6);
            if se1.hypot(se2) > 1e-3 {
                let z = change["z"].as_f64().unwrap();
                assert!((z - (p2 - p1) / se1.hypot(se2)).abs() < 1e-3 * z.abs().max(1.0));
                assert_eq!(
                    change["significant"],
                    change["p_value"].as_f64().unwrap() < 0.05
                );
                tested += 1;
            }
        }
        // Ambès, three respondents, is withheld with the carried rule's reason.
        if key.1 == AMBES {
            assert_eq!(row["publishable"], false);
            assert!(
                row["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r == "n = 3 < 25 répondants"),
                "{row}"
            );
        }
    }
    assert!(tested > 5, "changes tested: {tested}");

    // The map hatches exactly the communes that fail the rules, Ambès among them.
    let indicator = results["indicators"][0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, svg) = get(
        &app,
        &analyst,
        &format!("/api/waves/{id}/map.svg?indicator={indicator}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let svg = String::from_utf8(svg).unwrap();
    let withheld: BTreeSet<String> = rows
        .iter()
        .filter(|r| {
            r["indicateur"] == indicator.as_str()
                && r["code_domaine"] != "ensemble"
                && r["publishable"] == false
        })
        .map(|r| r["code_domaine"].as_str().unwrap().to_owned())
        .collect();
    let hatched: BTreeSet<String> = svg
        .split(r#"<path class="hachure" data-code=""#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect();
    assert!(withheld.contains(AMBES));
    assert_eq!(hatched, withheld);
    assert_eq!(svg.matches(r#"<path class="commune""#).count(), 28);

    // The open data carries the publishable cells only.
    let (status, zipped) = get(&app, &analyst, &format!("/api/waves/{id}/open-data.zip")).await;
    assert_eq!(status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped)).unwrap();
    let name = archive
        .file_names()
        .find(|n| n.ends_with("/indicateurs-publiables.csv"))
        .unwrap()
        .to_owned();
    let mut open = String::new();
    archive
        .by_name(&name)
        .unwrap()
        .read_to_string(&mut open)
        .unwrap();
    let published: BTreeSet<(String, String)> = csv::Reader::from_reader(open.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[1].to_owned(), r[4].to_owned())
        })
        .collect();
    let publishable: BTreeSet<(String, String)> = rows
        .iter()
        .filter(|r| r["publishable"] == true)
        .map(|r| {
            (
                r["indicateur"].as_str().unwrap().to_owned(),
                r["code_domaine"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(!publishable.is_empty());
    assert_eq!(published, publishable);
    assert!(!open.contains(&format!(",{AMBES},")));
    assert!(
        archive
            .file_names()
            .any(|n| n.ends_with(&format!("/carte-{indicator}.svg")))
    );
    assert!(
        archive
            .file_names()
            .any(|n| n.ends_with("/datapackage.json"))
    );

    // The page shows the table and the map; no phone number reaches the analyst.
    let (status, page) = get(
        &app,
        &analyst,
        &format!("/resultats?vague={id}&indicateur={indicator}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains(r#"id="results-table""#)
            && page.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" id="carte""#)
    );
    assert!(
        page.contains(&format!(r#"<tr data-code="{AMBES}" class="withheld">"#)),
        "Ambès is flagged in the table"
    );
    assert!(page.contains("Ensemble de la métropole"));
    assert!(!page.contains("+33"), "no phone number on the page");
    assert!(
        !page.contains("Enregistrer les règles"),
        "analysts do not change the rules"
    );

    // A supervisor changes the rules from the page's form (audited); nonsense is refused in
    // French on the page sent again.
    let supervisor = login(&app, "superviseur").await;
    let (_, page) = get(&app, &supervisor, &format!("/resultats?vague={id}")).await;
    assert!(
        String::from_utf8(page)
            .unwrap()
            .contains("Enregistrer les règles")
    );
    let post_rules = |half_width: &str| {
        Request::post("/resultats/regles")
            .header(header::COOKIE, &supervisor)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(format!(
                "vague={id}&indicateur={indicator}&min_n=10&min_effective_n=15&max_half_width={half_width}"
            )))
            .unwrap()
    };
    let response = app.clone().oneshot(post_rules("0.2")).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[header::LOCATION],
        format!("/resultats?vague={id}&indicateur={indicator}").as_str()
    );
    let (_, rules) = get(&app, &analyst, &format!("/api/waves/{id}/publication")).await;
    let rules: Value = serde_json::from_slice(&rules).unwrap();
    assert_eq!(
        (rules["min_n"].as_u64(), rules["max_half_width"].as_f64()),
        (Some(10), Some(0.2))
    );
    let response = app.clone().oneshot(post_rules("0")).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(
        String::from_utf8(page.to_vec())
            .unwrap()
            .contains("demi-largeur maximale")
    );

    // Interviewers may not read results; analysts may not change the rules.
    cati_server::services::accounts::create(
        db,
        Actor::Operator,
        "enq",
        "Enquêtrice",
        Role::Interviewer,
        PASSWORD,
    )
    .await
    .unwrap();
    let interviewer = login(&app, "enq").await;
    for path in [
        "/api/waves/{id}/results",
        "/api/waves/{id}/map.svg",
        "/api/waves/{id}/open-data.zip",
        "/resultats",
    ] {
        let (status, _) = get(&app, &interviewer, &path.replace("{id}", &id.to_string())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let request = Request::put(format!("/api/waves/{id}/publication"))
        .header(header::COOKIE, &analyst)
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(r#"{"min_n": 1}"#))
        .unwrap();
    assert_eq!(
        app.clone().oneshot(request).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let mut tx = db.read().await.unwrap();
    let (audited,): (i64,) = tx
        .query("select count(*) from audit_log where action = 'wave.publication'")
        .fetch_one()
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(audited, 2, "wave 1's change and the supervisor's");
    scratch.drop_database().await;
}

on_both_backends!(results_equal_the_indicator_table_and_follow_the_publication_rules);
