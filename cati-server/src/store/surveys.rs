//! Surveys, questionnaire versions (their TOML source) and waves.

use serde::Serialize;

use uuid::Uuid;

use super::{StoreError, Tx, new_public_id, now_ms};

/// Where a wave stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WaveStatus {
    /// Being prepared: no case is handed out.
    Planned,
    /// In the field.
    Open,
    /// Finished: no case is handed out, no answer accepted.
    Closed,
}

impl WaveStatus {
    /// Every status.
    pub const ALL: [WaveStatus; 3] = [WaveStatus::Planned, WaveStatus::Open, WaveStatus::Closed];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            WaveStatus::Planned => "planned",
            WaveStatus::Open => "open",
            WaveStatus::Closed => "closed",
        }
    }

    /// The French label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            WaveStatus::Planned => "en préparation",
            WaveStatus::Open => "ouverte",
            WaveStatus::Closed => "close",
        }
    }
}

impl TryFrom<String> for WaveStatus {
    type Error = String;
    fn try_from(name: String) -> Result<WaveStatus, String> {
        WaveStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| format!("unknown wave status {name:?}"))
    }
}

/// A wave with the questionnaire version it pins. Outside the server the wave and its survey
/// are known by their UUIDs (serialised as `id` and `survey_id`); the row ids stay inside.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct WaveRow {
    /// Row id, for joins inside the server.
    #[serde(skip)]
    pub id: i64,
    /// Wave identifier.
    #[serde(rename = "id")]
    pub uuid: Uuid,
    /// Survey row id.
    #[serde(skip)]
    pub survey_id: i64,
    /// Survey identifier.
    #[serde(rename = "survey_id")]
    pub survey_uuid: Uuid,
    /// Survey title.
    pub survey_title: String,
    /// Wave name.
    pub name: String,
    /// Where it stands.
    #[sqlx(try_from = "String")]
    pub status: WaveStatus,
    /// The pinned questionnaire version.
    pub questionnaire_version_id: i64,
}

/// A stored questionnaire version.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct QuestionnaireSource {
    /// Identifier.
    pub id: i64,
    /// File name the source came from (for error locations).
    pub file_name: String,
    /// The TOML text.
    pub source: String,
}

/// Creates the survey `code` if absent and returns its identifier.
pub async fn ensure_survey(tx: &mut Tx, code: &str, title: &str) -> Result<i64, StoreError> {
    tx.query(
        "insert into surveys (uuid, code, title, created_at) values ($1, $2, $3, $4) \
         on conflict (code) do nothing",
    )
    .bind(new_public_id())
    .bind(code)
    .bind(title)
    .bind(now_ms())
    .execute()
    .await?;
    tx.query("select id from surveys where code = $1")
        .bind(code)
        .fetch_scalar()
        .await
}

/// Stores a questionnaire version unless that version already exists; returns its identifier.
pub async fn ensure_questionnaire_version(
    tx: &mut Tx,
    survey_id: i64,
    version: &str,
    file_name: &str,
    source: &str,
) -> Result<i64, StoreError> {
    tx.query(
        "insert into questionnaire_versions (survey_id, version, file_name, source, created_at) \
         values ($1, $2, $3, $4, $5) on conflict (survey_id, version) do nothing",
    )
    .bind(survey_id)
    .bind(version)
    .bind(file_name)
    .bind(source)
    .bind(now_ms())
    .execute()
    .await?;
    tx.query("select id from questionnaire_versions where survey_id = $1 and version = $2")
        .bind(survey_id)
        .bind(version)
        .fetch_scalar()
        .await
}

/// Creates the wave `name` of a survey if absent; returns its identifier and whether it is new.
pub async fn ensure_wave(
    tx: &mut Tx,
    survey_id: i64,
    name: &str,
    questionnaire_version_id: i64,
    status: WaveStatus,
) -> Result<(i64, bool), StoreError> {
    let row: Option<(i64,)> = tx
        .query(
            "insert into waves (uuid, survey_id, name, questionnaire_version_id, status, \
             created_at) values ($1, $2, $3, $4, $5, $6) on conflict (survey_id, name) do nothing \
             returning id",
        )
        .bind(new_public_id())
        .bind(survey_id)
        .bind(name)
        .bind(questionnaire_version_id)
        .bind(status.as_str())
        .bind(now_ms())
        .fetch_optional()
        .await?;
    if let Some((id,)) = row {
        return Ok((id, true));
    }
    let id = tx
        .query("select id from waves where survey_id = $1 and name = $2")
        .bind(survey_id)
        .bind(name)
        .fetch_scalar()
        .await?;
    Ok((id, false))
}

const WAVE_SELECT: &str = "select w.id, w.uuid, w.survey_id, s.uuid as survey_uuid, \
     s.title as survey_title, w.name, w.status, w.questionnaire_version_id \
     from waves w join surveys s on s.id = w.survey_id";

/// Every wave, newest first.
pub async fn waves(tx: &mut Tx) -> Result<Vec<WaveRow>, StoreError> {
    let sql = format!("{WAVE_SELECT} order by w.id desc");
    tx.query(&sql).fetch_all().await
}

/// One wave.
pub async fn wave(tx: &mut Tx, id: i64) -> Result<Option<WaveRow>, StoreError> {
    let sql = format!("{WAVE_SELECT} where w.id = $1");
    tx.query(&sql).bind(id).fetch_optional().await
}

/// One wave, by its public identifier.
pub async fn wave_by_uuid(tx: &mut Tx, uuid: Uuid) -> Result<Option<WaveRow>, StoreError> {
    let sql = format!("{WAVE_SELECT} where w.uuid = $1");
    tx.query(&sql).bind(uuid).fetch_optional().await
}

/// The source of a questionnaire version.
pub async fn questionnaire_source(
    tx: &mut Tx,
    version_id: i64,
) -> Result<Option<QuestionnaireSource>, StoreError> {
    tx.query("select id, file_name, source from questionnaire_versions where id = $1")
        .bind(version_id)
        .fetch_optional()
        .await
}

/// The indicators definition (TOML text) stored with a questionnaire version, if any.
pub async fn questionnaire_indicators(
    tx: &mut Tx,
    version_id: i64,
) -> Result<Option<String>, StoreError> {
    let row: Option<(Option<String>,)> = tx
        .query("select indicators from questionnaire_versions where id = $1")
        .bind(version_id)
        .fetch_optional()
        .await?;
    Ok(row.and_then(|(text,)| text))
}

/// Stores (or, with `None`, removes) the indicators definition of a questionnaire version. The
/// caller validates it against the questionnaire first.
pub async fn set_questionnaire_indicators(
    tx: &mut Tx,
    version_id: i64,
    indicators: Option<&str>,
) -> Result<(), StoreError> {
    tx.query("update questionnaire_versions set indicators = $1 where id = $2")
        .bind(indicators)
        .bind(version_id)
        .execute()
        .await?;
    Ok(())
}
