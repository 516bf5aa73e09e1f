//! Exports read from a real (SQLite) database: what leaves the server, the errors analysts
//! get, weighting on the communes and stacked waves.

use std::path::{Path, PathBuf};

use cati_server::auth::Actor;
use cati_server::sample::demo::{self, DemoOptions};
use cati_server::services::export::{
    self, ExportError, ExportSettings, Scope, Weighting, WeightingChoice,
};
use cati_server::services::sample::{self, ImportOptions};
use cati_server::services::weighting::{self as weighting_setup, Overrides, SourceKind};
use cati_server::store::Db;
use cati_server::store::cases::{self, NewCase};
use cati_server::store::surveys::{self, WaveStatus};
use exports::build::{BuildError, ExportFormat, WeightingSpec};
use questionnaire::Record;
use serde_json::{Value, json};

const SECRET_NAME: &str = "Zébulon Secretnom";
const PHONE: &str = "+33536490999";

fn observatory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../questionnaires/observatoire.toml")
}

/// A database with the observatory's survey, one open wave without cases, and the demo
/// accounts; returns the wave.
async fn database(dir: &Path) -> (Db, i64) {
    let url = format!("sqlite://{}", dir.join("cati.db").display());
    let db = Db::connect(&url, 2).await.unwrap();
    let report = demo::load(
        &db,
        &DemoOptions {
            questionnaire: Some(observatory()),
            cases: 0,
            interviewers: 1,
            password: Some("mot-de-passe-de-test".to_owned()),
            simulated: 0,
        },
    )
    .await
    .unwrap();
    (db, report.wave_id)
}

/// Adds a case and its interview with `status` (no answer: the record of a fresh interview).
async fn interview(db: &Db, wave_id: i64, key: &str, commune: Option<&str>, status: &str) {
    let case = NewCase {
        external_id: key.to_owned(),
        commune_code: commune.map(str::to_owned),
        commune_name: None,
        preload: json!({ "commune_fichier": "Bordeaux", "nom_contact": SECRET_NAME }),
        synthetic: true,
        phones: vec![PHONE.to_owned()],
        replicate: None,
    };
    let mut tx = db.write().await.unwrap();
    cases::insert_cases(&mut tx, wave_id, &[case], cati_server::store::now_ms())
        .await
        .unwrap();
    let record = serde_json::to_string(&Record::new(11)).unwrap();
    tx.query(
        "insert into interviews (uuid, case_id, interviewer_id, status, seed, record, route, \
         started_at, updated_at, ended_at) select $5, c.id, u.id, $1, 11, $2, '[]', \
         1767225600000, 1767226200000, 1767226200000 from sample_cases c, users u \
         where c.wave_id = $3 and c.external_id = $4 and u.username = 'enqueteur1'",
    )
    .bind(status)
    .bind(record)
    .bind(wave_id)
    .bind(key)
    .bind(cati_server::store::new_public_id())
    .execute()
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn settings(format: ExportFormat) -> ExportSettings {
    ExportSettings {
        format,
        include_partial: false,
        include_screened_out: false,
        include_preload: false,
        weighting: WeightingChoice::Unweighted,
        indicators: None,
    }
}

fn weighting(rows: &str) -> Weighting {
    let csv = format!("code_commune,nom_commune,millesime,population_municipale\n{rows}");
    Weighting {
        populations: quotas::parse_populations(&csv, "2023").unwrap(),
        spec: WeightingSpec::default(),
    }
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

async fn export_to(
    db: &Db,
    scope: Scope,
    settings: &ExportSettings,
    dir: &Path,
) -> Result<export::ExportSummary, ExportError> {
    let gathered = export::gather(db, scope).await?;
    std::fs::create_dir_all(dir).unwrap();
    export::write(&gathered, settings, dir)
}

#[tokio::test]
async fn export_never_contains_phone_numbers_nor_personal_preload_fields() {
    let dir = tempfile::tempdir().unwrap();
    let (db, wave) = database(dir.path()).await;
    interview(&db, wave, "A-1", Some("33063"), "completed").await;
    interview(&db, wave, "A-2", Some("33318"), "broken_off").await;
    let mut all = settings(ExportFormat::All);
    all.include_partial = true;
    let out = dir.path().join("out");
    let summary = export_to(&db, Scope::Wave(wave), &all, &out).await.unwrap();
    assert_eq!(summary.manifest.rows, 2);
    let mut checked = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for needle in [SECRET_NAME, "Secretnom", PHONE, "536490999"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} found in {}",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "{checked} files");
}

#[tokio::test]
async fn wave_without_exportable_interview_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (db, wave) = database(dir.path()).await;
    let out = dir.path().join("out");
    let error = export_to(&db, Scope::Wave(wave), &settings(ExportFormat::Csv), &out)
        .await
        .unwrap_err();
    assert!(matches!(error, ExportError::EmptyWave { .. }), "{error}");
    interview(&db, wave, "A-1", Some("33063"), "broken_off").await;
    let error = export_to(&db, Scope::Wave(wave), &settings(ExportFormat::Csv), &out)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("1 partiel(s)"), "{error}");
    let error = export::find_wave(&db, "Vague inconnue").await.unwrap_err();
    assert!(matches!(error, ExportError::UnknownWave(_)), "{error}");
}

#[tokio::test]
async fn weighting_refuses_respondents_without_a_commune() {
    let dir = tempfile::tempdir().unwrap();
    let (db, wave) = database(dir.path()).await;
    interview(&db, wave, "A-1", None, "completed").await;
    let mut weighted = settings(ExportFormat::Csv);
    weighted.weighting = WeightingChoice::Given(weighting("33063,Bordeaux,2023,1000\n"));
    let error = export_to(&db, Scope::Wave(wave), &weighted, &dir.path().join("out"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            ExportError::Weighting {
                source: BuildError::UnknownCommune { .. },
                ..
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_wave_is_weighted_by_default_as_set_up_and_unweighted_with_the_reason_when_it_cannot_be()
{
    let dir = tempfile::tempdir().unwrap();
    let (db, wave) = database(dir.path()).await;
    interview(&db, wave, "A-1", Some("33063"), "completed").await;
    interview(&db, wave, "A-2", Some("33063"), "completed").await;
    let as_set_up = |overrides: Overrides| ExportSettings {
        weighting: WeightingChoice::AsSetUp(overrides),
        ..settings(ExportFormat::Csv)
    };

    // The demo's set-up rakes on the 28 communes: two respondents in Bordeaux cannot be
    // weighted on it. Asked nothing, the analyst gets the wave unweighted, and told why.
    let out = dir.path().join("thin");
    let summary = export_to(
        &db,
        Scope::Wave(wave),
        &as_set_up(Overrides::default()),
        &out,
    )
    .await
    .unwrap();
    assert_eq!(summary.unweighted.len(), 1);
    let thin = manifest(&out);
    assert_eq!(thin["weighting"], Value::Null, "{thin}");
    assert_eq!(thin["weighting_refused"][0]["wave"], "Démonstration");
    let reason = thin["weighting_refused"][0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(
            "27 modalités de marge ont une cible positive mais aucun répondant (le calage ne peut \
             pas converger) :\n  marge « commune_insee », modalité « 33003 »"
        ) && reason.contains(" : regroupez-la avec une modalité voisine dans le fichier (« "),
        "{reason}"
    );
    // Asked for a method, the same wave is refused with the reason.
    let linear = Overrides {
        method: Some("linear".to_owned()),
        ..Overrides::default()
    };
    let error = export_to(
        &db,
        Scope::Wave(wave),
        &as_set_up(linear),
        &dir.path().join("x"),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, ExportError::Weighting { .. }), "{error}");
    let message = error.to_string();
    assert!(
        message.starts_with(
            "pondération de la vague « Démonstration » impossible : 27 modalités de marge"
        ) && !message.contains('/'),
        "{message}"
    );

    // Set up on a file of Bordeaux alone, the wave is weighted by default.
    let request: weighting_setup::WeightingRequest = serde_json::from_value(json!({
        "source": "file",
        "file_name": "bordeaux.csv",
        "content": "code_commune,nom_commune,millesime,population_municipale\n33063,Bordeaux,2023,1000\n",
    }))
    .unwrap();
    let view = weighting_setup::set(&db, Actor::Operator, "Démonstration", &request)
        .await
        .unwrap();
    assert!(view.weighted && view.source.is_some());
    assert_eq!(request.source, SourceKind::File);
    let out = dir.path().join("weighted");
    let summary = export_to(
        &db,
        Scope::Wave(wave),
        &as_set_up(Overrides::default()),
        &out,
    )
    .await
    .unwrap();
    assert!(summary.unweighted.is_empty());
    let weighted = manifest(&out);
    assert_eq!(
        weighted["weighting"]["method"]["name"], "raking",
        "{weighted}"
    );
    assert_eq!(weighted["weighting_refused"], Value::Null);
    let data = std::fs::read_to_string(out.join("donnees.csv")).unwrap();
    assert!(data.lines().nth(1).unwrap().contains("500"), "{data}");
}

#[tokio::test]
async fn a_column_flagged_personal_when_the_sample_is_loaded_is_never_exported() {
    let dir = tempfile::tempdir().unwrap();
    let (db, wave) = database(dir.path()).await;
    interview(&db, wave, "A-1", Some("33063"), "completed").await;
    let with_preload = ExportSettings {
        include_preload: true,
        ..settings(ExportFormat::Csv)
    };
    let header = |out: &Path| {
        let data = std::fs::read_to_string(out.join("donnees.csv")).unwrap();
        data.lines().next().unwrap().to_owned()
    };
    let out = dir.path().join("before");
    export_to(&db, Scope::Wave(wave), &with_preload, &out)
        .await
        .unwrap();
    assert!(header(&out).contains("commune_fichier"), "{}", header(&out));
    assert!(!header(&out).contains("nom_contact"));

    // A list whose headers are not the usual ones, mapped by the caller, with a column the
    // questionnaire leaves public flagged personal.
    let options = ImportOptions {
        phone_column: Some("Ligne".to_owned()),
        commune_column: Some("aucune".to_owned()),
        personal: Some("commune_fichier".to_owned()),
        ..ImportOptions::default()
    };
    let (imported, report) = sample::import(
        &db,
        Actor::Operator,
        "Démonstration",
        "liste.csv",
        "Ligne;commune_fichier\n05 56 12 34 56;Bordeaux\n".as_bytes(),
        &options,
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!(imported.imported, 1, "{:?}", report.rejected());
    let out = dir.path().join("after");
    export_to(&db, Scope::Wave(wave), &with_preload, &out)
        .await
        .unwrap();
    assert!(
        !header(&out).contains("commune_fichier"),
        "{}",
        header(&out)
    );

    // A personal column the file does not have is refused, naming it.
    let options = ImportOptions {
        personal: Some("adresse".to_owned()),
        ..ImportOptions::default()
    };
    let error = sample::import(
        &db,
        Actor::Operator,
        "Démonstration",
        "liste.csv",
        "telephone\n05 56 12 34 57\n".as_bytes(),
        &options,
        &mut |_| {},
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("adresse"), "{error}");
}

#[tokio::test]
async fn weights_sum_to_the_population_of_the_communes() {
    let dir = tempfile::tempdir().unwrap();
    let (db, wave) = database(dir.path()).await;
    interview(&db, wave, "A-1", Some("33063"), "completed").await;
    interview(&db, wave, "A-2", Some("33318"), "completed").await;
    interview(&db, wave, "A-3", Some("33318"), "completed").await;
    let mut weighted = settings(ExportFormat::Csv);
    weighted.weighting = WeightingChoice::Given(weighting(
        "33063,Bordeaux,2023,1000\n33318,Pessac,2023,500\n",
    ));
    let out = dir.path().join("out");
    export_to(&db, Scope::Wave(wave), &weighted, &out)
        .await
        .unwrap();
    let manifest = manifest(&out);
    assert_eq!(manifest["weighting"]["variable"], "POIDS", "{manifest}");
    let csv = std::fs::read_to_string(out.join("donnees.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == "POIDS").unwrap();
    let total: f64 = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(at).unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((total - 1500.0).abs() < 1e-3, "{total}");
}

#[tokio::test]
async fn every_wave_of_the_survey_stacks_with_a_wave_column_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let (db, wave) = database(dir.path()).await;
    let mut tx = db.write().await.unwrap();
    let first = surveys::wave(&mut tx, wave).await.unwrap().unwrap();
    let (second, _) = surveys::ensure_wave(
        &mut tx,
        first.survey_id,
        "2027-1",
        first.questionnaire_version_id,
        WaveStatus::Open,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    interview(&db, wave, "A-1", Some("33063"), "completed").await;
    interview(&db, second, "A-1", Some("33063"), "completed").await;
    interview(&db, second, "A-2", Some("33318"), "completed").await;
    let out = dir.path().join("out");
    let summary = export_to(
        &db,
        Scope::Survey(first.survey_id),
        &settings(ExportFormat::Csv),
        &out,
    )
    .await
    .unwrap();
    assert_eq!(summary.manifest.rows, 3);
    let report = summary.report.unwrap();
    assert_eq!(report.waves.len(), 2);
    assert!(out.join(export::STACK_REPORT).exists());
    let csv = std::fs::read_to_string(out.join("donnees.csv")).unwrap();
    assert!(csv.starts_with("wave,id_repondant"), "{csv}");
    // The same sample record keeps its pseudonym from one wave to the next.
    let ids: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(ids[0], ids[1], "{csv}");
    assert_ne!(ids[1], ids[2]);
}

#[tokio::test]
async fn indicators_file_adds_the_indicator_table_to_a_wave_export() {
    let dir = tempfile::tempdir().unwrap();
    let (db, wave) = database(dir.path()).await;
    interview(&db, wave, "A-1", Some("33063"), "completed").await;
    interview(&db, wave, "A-2", Some("33318"), "completed").await;
    let mut with_indicators = settings(ExportFormat::Csv);
    with_indicators.indicators = Some(
        std::fs::read_to_string(observatory().with_file_name("observatoire.indicators.toml"))
            .unwrap(),
    );
    let out = dir.path().join("out");
    export_to(&db, Scope::Wave(wave), &with_indicators, &out)
        .await
        .unwrap();
    assert!(out.join("indicateurs.csv").exists());
    assert_eq!(manifest(&out)["indicators"]["file"], "indicateurs.csv");
}

fn indicator_count() -> usize {
    let source =
        std::fs::read_to_string(observatory().with_file_name("observatoire.indicators.toml"))
            .unwrap();
    source
        .lines()
        .filter(|l| l.trim() == "[[indicator]]")
        .count()
}

#[tokio::test]
async fn demo_survey_exports_its_stored_indicator_table_by_commune_with_calibration_variance() {
    let dir = tempfile::tempdir().unwrap();
    let (db, wave) = database(dir.path()).await;
    interview(&db, wave, "A-1", Some("33063"), "completed").await;
    interview(&db, wave, "A-2", Some("33318"), "completed").await;
    interview(&db, wave, "A-3", Some("33318"), "completed").await;
    // No `indicators` in the settings: the definition stored by the demo is used.
    let mut weighted = settings(ExportFormat::Csv);
    weighted.weighting = WeightingChoice::Given(weighting(
        "33063,Bordeaux,2023,1000\n33318,Pessac,2023,500\n",
    ));
    let out = dir.path().join("out");
    export_to(&db, Scope::Wave(wave), &weighted, &out)
        .await
        .unwrap();
    let manifest = manifest(&out);
    assert_eq!(
        manifest["indicators"]["file"], "indicateurs.csv",
        "{manifest}"
    );
    assert_eq!(manifest["indicators"]["variance"], "calibration");
    let table = std::fs::read_to_string(out.join("indicateurs.csv")).unwrap();
    let count = indicator_count();
    assert!(count > 0);
    assert_eq!(table.lines().count(), 1 + count * 3, "{table}");
    for domain in [",Ensemble,ensemble,", ",Bordeaux,33063,", ",Pessac,33318,"] {
        assert_eq!(
            table.lines().filter(|l| l.contains(domain)).count(),
            count,
            "{table}"
        );
    }
}

#[tokio::test]
async fn wave_with_a_single_completed_interview_exports_without_the_stored_indicator_table() {
    let dir = tempfile::tempdir().unwrap();
    let (db, wave) = database(dir.path()).await;
    interview(&db, wave, "A-1", Some("33063"), "completed").await;
    let out = dir.path().join("out");
    export_to(&db, Scope::Wave(wave), &settings(ExportFormat::Csv), &out)
        .await
        .unwrap();
    assert!(!out.join("indicateurs.csv").exists());
    assert!(manifest(&out)["indicators"].is_null());
}

#[tokio::test]
async fn indicators_definition_that_does_not_fit_the_questionnaire_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (db, wave) = database(dir.path()).await;
    let mut tx = db.write().await.unwrap();
    let row = surveys::wave(&mut tx, wave).await.unwrap().unwrap();
    let questionnaire = questionnaire::load(
        &std::fs::read_to_string(observatory()).unwrap(),
        "observatoire.toml",
    )
    .unwrap();
    let bad = "questionnaire = \"obs-inegalites-numeriques\"\n[[indicator]]\nname = \"x\"\nlabel = \"X\"\nexpr = \"VARIABLE_INCONNUE = 1\"\n";
    let error =
        export::indicators::store(&mut tx, row.questionnaire_version_id, &questionnaire, bad)
            .await
            .unwrap_err();
    assert!(matches!(error, ExportError::Indicators(_)), "{error}");
    // The stored definition is unchanged.
    let stored = surveys::questionnaire_indicators(&mut tx, row.questionnaire_version_id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.contains("sans_equipement"));
}

#[tokio::test]
async fn stacked_export_lists_its_report_and_records_each_wave_weighting() {
    let dir = tempfile::tempdir().unwrap();
    let (db, wave) = database(dir.path()).await;
    let mut tx = db.write().await.unwrap();
    let first = surveys::wave(&mut tx, wave).await.unwrap().unwrap();
    let (second, _) = surveys::ensure_wave(
        &mut tx,
        first.survey_id,
        "2027-1",
        first.questionnaire_version_id,
        WaveStatus::Open,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    interview(&db, wave, "A-1", Some("33063"), "completed").await;
    interview(&db, wave, "A-2", Some("33318"), "completed").await;
    interview(&db, second, "A-1", Some("33063"), "completed").await;
    interview(&db, second, "A-3", Some("33318"), "completed").await;
    let mut weighted = settings(ExportFormat::Csv);
    weighted.weighting = WeightingChoice::Given(weighting(
        "33063,Bordeaux,2023,1000\n33318,Pessac,2023,500\n",
    ));
    let out = dir.path().join("out");
    let summary = export_to(&db, Scope::Survey(first.survey_id), &weighted, &out)
        .await
        .unwrap();
    assert_eq!(summary.wave_weightings.len(), 2);
    let manifest = manifest(&out);
    let report = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == export::STACK_REPORT)
        .unwrap_or_else(|| panic!("report not listed: {manifest}"));
    let bytes = std::fs::metadata(out.join(export::STACK_REPORT))
        .unwrap()
        .len();
    assert_eq!(report["bytes"], bytes);
    assert_eq!(manifest["weighting"]["variable"], "POIDS", "{manifest}");
    let per_wave = manifest["weighting"]["per_wave"].as_array().unwrap();
    assert_eq!(per_wave.len(), 2);
    assert_eq!(per_wave[1]["wave"], "2027-1");
    assert!(
        per_wave
            .iter()
            .all(|w| w["method"].is_string() || w["method"].is_object())
    );
    assert!(
        per_wave.iter().all(|w| w["diagnostics"].is_object()),
        "{manifest}"
    );
}
