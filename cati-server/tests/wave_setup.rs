//! Setting up a survey without SQL, through the services the CLI, the pages and the API share:
//! surveys, questionnaire versions (checked, compared), waves created from scratch or from the
//! previous one, and their life (open, paused, closed).

use cati_server::auth::Actor;
use cati_server::services::quota;
use cati_server::services::surveys::{self, NewSurvey, Upload};
use cati_server::services::waves::{self, WaveRequest};
use cati_server::store::audit::AuditAction;
use cati_server::store::cases::{self, NewCase};
use cati_server::store::surveys::WaveStatus;
use cati_server::store::users::{self, Role};
use cati_server::store::{audit, quotas as quota_store};

mod common;
use common::{Scratch, on_both_backends};

const OBSERVATORY: &str = include_str!("../../questionnaires/observatoire.toml");
const INDICATORS: &str = include_str!("../../questionnaires/observatoire.indicators.toml");

fn upload(source: &str, indicators: Option<&str>) -> Upload {
    Upload {
        file_name: "observatoire.toml".to_owned(),
        source: source.to_owned(),
        indicators: indicators.map(str::to_owned),
    }
}

/// The observatory questionnaire as version 2027.1, its tablet option relabelled and a new
/// equipment option.
fn next_version() -> String {
    OBSERVATORY
        .replace("version = \"2026.1\"", "version = \"2027.1\"")
        .replace(
            "  { code = 5, label = { fr = \"Une tablette\", en = \"A tablet\" } },",
            "  { code = 5, label = { fr = \"Une tablette tactile\", en = \"A touchscreen tablet\" } },\n  { code = 8, label = { fr = \"Une montre connectée\", en = \"A smartwatch\" } },",
        )
}

fn request(survey: &str, name: &str) -> WaveRequest {
    WaveRequest {
        survey: survey.to_owned(),
        name: name.to_owned(),
        ..WaveRequest::default()
    }
}

async fn a_survey_is_set_up_and_its_next_wave_carries_the_previous_set_up(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    let new = NewSurvey {
        name: "obs-numerique".to_owned(),
        title: None,
        description: "Observatoire des inégalités numériques".to_owned(),
        questionnaire: Some(upload(OBSERVATORY, Some(INDICATORS))),
    };
    let survey = surveys::create(db, Actor::Operator, &new)
        .await
        .expect("survey");
    assert_eq!(
        survey.survey.title, "Observatoire des inégalités numériques de Bordeaux Métropole",
        "the title defaults to the questionnaire's"
    );
    assert_eq!(survey.versions.len(), 1);
    assert_eq!(survey.versions[0].version, "2026.1");
    assert!(survey.versions[0].has_indicators);

    // A second survey of the same name is refused.
    let again = surveys::create(db, Actor::Operator, &new).await;
    assert!(matches!(&again, Err(e) if e.status() == 409), "{again:?}");

    // A questionnaire with an error is refused with its line; nothing is stored.
    let broken = OBSERVATORY.replace("type = \"multiple\"", "type = \"multiplee\"");
    let refused =
        surveys::upload(db, Actor::Operator, "obs-numerique", &upload(&broken, None)).await;
    let message = refused.expect_err("refused").to_string();
    assert!(message.starts_with("questionnaire refusé"), "{message}");
    assert!(message.contains("observatoire.toml:"), "{message}");
    // The same version twice is refused.
    let twice = surveys::upload(
        db,
        Actor::Operator,
        "obs-numerique",
        &upload(OBSERVATORY, None),
    )
    .await;
    assert!(matches!(&twice, Err(e) if e.status() == 409), "{twice:?}");
    // A newer version is stored, and compared with the first.
    let version = surveys::upload(
        db,
        Actor::Operator,
        &survey.survey.uuid.to_string(),
        &upload(&next_version(), None),
    )
    .await
    .expect("version 2027.1");
    assert_eq!(version.version, "2027.1");
    assert!(!version.has_indicators);
    let diff = surveys::compare(db, Actor::Operator, "obs-numerique", "2026.1", "2027.1")
        .await
        .expect("diff");
    assert!(!diff.is_empty());
    let lines = diff.lines().join("\n");
    assert!(lines.contains("EQUIP"), "{lines}");

    // Wave 1 uses the latest version unless told; here the first one, then a quota design.
    let mut first = request("obs-numerique", "2026-1");
    first.questionnaire_version = Some("2026.1".to_owned());
    first.field_start = Some("2026-03-02".to_owned());
    first.field_end = Some("2026-04-30".to_owned());
    let wave1 = waves::create(db, Actor::Operator, &first)
        .await
        .expect("wave 1");
    assert_eq!(wave1.wave.status, WaveStatus::Planned);
    assert_eq!(wave1.wave.questionnaire_version, "2026.1");
    assert_eq!(wave1.wave.field_end.as_deref(), Some("2026-04-30"));
    assert!(wave1.comparability.is_none());
    let mut tx = db.write().await.expect("write");
    let design = quota::demo::design(500).expect("design");
    quota::attach(&mut tx, wave1.wave.id, &design)
        .await
        .expect("attach");
    tx.commit().await.expect("commit");
    let duplicate = waves::create(db, Actor::Operator, &first).await;
    assert!(
        matches!(&duplicate, Err(e) if e.status() == 409),
        "{duplicate:?}"
    );
    let mut backwards = request("obs-numerique", "à l'envers");
    backwards.field_start = Some("2026-05-01".to_owned());
    backwards.field_end = Some("2026-04-01".to_owned());
    let backwards = waves::create(db, Actor::Operator, &backwards).await;
    assert!(
        matches!(&backwards, Err(e) if e.status() == 422),
        "{backwards:?}"
    );

    // Wave 2 from wave 1 with the newer questionnaire: design and indicators carried, the
    // changes reported.
    let mut second = request(&survey.survey.uuid.to_string(), "2027-1");
    second.from_wave = Some("2026-1".to_owned());
    second.questionnaire_version = Some("2027.1".to_owned());
    let wave2 = waves::create(db, Actor::Operator, &second)
        .await
        .expect("wave 2");
    assert_eq!(wave2.wave.questionnaire_version, "2027.1");
    let report = wave2.comparability.expect("a comparability report");
    assert_eq!(report.previous_wave, "2026-1");
    assert_eq!(report.questionnaire_versions, ["2026.1", "2027.1"]);
    let lines = report.lines.join("\n");
    assert!(lines.contains("Questionnaire 2026.1 → 2027.1"), "{lines}");
    assert!(lines.contains("EQUIP"), "{lines}");
    assert!(lines.contains("Plan de quotas repris"), "{lines}");
    assert!(
        lines.contains("Indicateurs repris de la version précédente"),
        "{lines}"
    );
    let mut tx = db.read().await.expect("read");
    let cells1 = quota_store::cells(&mut tx, wave1.wave.id)
        .await
        .expect("cells");
    let cells2 = quota_store::cells(&mut tx, wave2.wave.id)
        .await
        .expect("cells");
    assert_eq!(cells1.len(), cells2.len());
    assert!(cells2.iter().all(|c| c.achieved == 0 && c.in_progress == 0));
    let entries = audit::recent(&mut tx, 50).await.expect("audit");
    tx.commit().await.expect("commit");
    for action in [
        AuditAction::SurveyCreate,
        AuditAction::QuestionnaireUpload,
        AuditAction::WaveCreate,
    ] {
        assert!(
            entries.iter().any(|e| e.action == action),
            "{action:?} audited"
        );
    }
    scratch.drop_database().await;
}

async fn a_wave_hands_out_cases_only_while_open(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    let new = NewSurvey {
        name: "obs".to_owned(),
        title: Some("Observatoire".to_owned()),
        description: String::new(),
        questionnaire: Some(upload(OBSERVATORY, None)),
    };
    surveys::create(db, Actor::Operator, &new)
        .await
        .expect("survey");
    let wave = waves::create(db, Actor::Operator, &request("obs", "2026-1"))
        .await
        .expect("wave")
        .wave;
    let mut tx = db.write().await.expect("write");
    // Tests run at any hour: outside the default calling windows nothing would be handed out.
    cati_server::services::rules::allow_around_the_clock(&mut tx, wave.id)
        .await
        .expect("rules");
    let sample: Vec<NewCase> = (0..3)
        .map(|i| NewCase {
            external_id: format!("C{i}"),
            commune_code: Some("33063".to_owned()),
            commune_name: Some("Bordeaux".to_owned()),
            preload: serde_json::json!({}),
            synthetic: true,
            phones: vec![format!("+3363998000{i}")],
            replicate: None,
        })
        .collect();
    cases::insert_cases(&mut tx, wave.id, &sample, cati_server::store::now_ms())
        .await
        .expect("sample");
    let interviewer = users::insert(&mut tx, "enq", "Enquêtrice", Role::Interviewer, "!")
        .await
        .expect("user")
        .expect("new user");
    let other = users::insert(&mut tx, "enq2", "Enquêteur", Role::Interviewer, "!")
        .await
        .expect("user")
        .expect("new user");
    tx.commit().await.expect("commit");

    let claim = |user: i64| async move {
        let mut tx = db.write().await.expect("write");
        let case =
            cati_server::services::dispatch::claim(&mut tx, user, cati_server::store::now_ms())
                .await
                .expect("claim");
        tx.commit().await.expect("commit");
        case
    };
    assert!(claim(interviewer).await.is_none(), "a wave in preparation");
    let key = wave.uuid.to_string();
    let paused_early = waves::set_status(db, Actor::Operator, &key, WaveStatus::Paused).await;
    assert!(
        matches!(&paused_early, Err(e) if e.status() == 409),
        "{paused_early:?}"
    );
    waves::set_status(db, Actor::Operator, &key, WaveStatus::Open)
        .await
        .expect("open");
    let held = claim(interviewer).await.expect("an open wave hands out");
    waves::set_status(db, Actor::Operator, "2026-1", WaveStatus::Paused)
        .await
        .expect("pause");
    assert!(
        claim(other).await.is_none(),
        "a paused wave hands out nothing"
    );
    let closed = waves::set_status(db, Actor::Operator, &key, WaveStatus::Closed)
        .await
        .expect("close");
    assert_eq!(closed.status, WaveStatus::Closed);
    let mut tx = db.read().await.expect("read");
    let case = cases::case(&mut tx, held.id)
        .await
        .expect("case")
        .expect("exists");
    tx.commit().await.expect("commit");
    assert_eq!(case.held_by, None, "closing releases the cases still held");
    assert!(
        claim(other).await.is_none(),
        "a closed wave hands out nothing"
    );
    let back = waves::set_status(db, Actor::Operator, &key, WaveStatus::Planned).await;
    assert!(matches!(&back, Err(e) if e.status() == 409), "{back:?}");
    scratch.drop_database().await;
}

on_both_backends!(a_survey_is_set_up_and_its_next_wave_carries_the_previous_set_up);
on_both_backends!(a_wave_hands_out_cases_only_while_open);
