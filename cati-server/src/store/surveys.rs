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
    /// Interrupted: no case is handed out; interviews already running may finish.
    Paused,
    /// Finished: no case is handed out, no answer accepted.
    Closed,
}

impl WaveStatus {
    /// Every status.
    pub const ALL: [WaveStatus; 4] = [
        WaveStatus::Planned,
        WaveStatus::Open,
        WaveStatus::Paused,
        WaveStatus::Closed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            WaveStatus::Planned => "planned",
            WaveStatus::Open => "open",
            WaveStatus::Paused => "paused",
            WaveStatus::Closed => "closed",
        }
    }

    /// The French label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            WaveStatus::Planned => "en préparation",
            WaveStatus::Open => "ouverte",
            WaveStatus::Paused => "en pause",
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
    /// The pinned questionnaire version's row id.
    #[serde(skip)]
    pub questionnaire_version_id: i64,
    /// The pinned questionnaire version (as the questionnaire file names it).
    pub questionnaire_version: String,
    /// First day of calls (`YYYY-MM-DD`), when set.
    pub field_start: Option<String>,
    /// Last day of calls (`YYYY-MM-DD`), when set.
    pub field_end: Option<String>,
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
     s.title as survey_title, w.name, w.status, w.questionnaire_version_id, \
     v.version as questionnaire_version, w.field_start, w.field_end \
     from waves w join surveys s on s.id = w.survey_id \
     join questionnaire_versions v on v.id = w.questionnaire_version_id";

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

/// A survey. Outside the server it is known by its UUID (serialised as `id`) or its name.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SurveyRow {
    /// Row id, for joins inside the server.
    #[serde(skip)]
    pub id: i64,
    /// Identifier outside the server.
    #[serde(rename = "id")]
    pub uuid: Uuid,
    /// Short name, unique (how the command line names the survey).
    #[serde(rename = "name")]
    pub code: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Creation (epoch ms).
    pub created_at: i64,
}

const SURVEY_SELECT: &str = "select id, uuid, code, title, description, created_at from surveys";

/// Creates a survey; `None` when the name is taken.
pub async fn create_survey(
    tx: &mut Tx,
    name: &str,
    title: &str,
    description: &str,
) -> Result<Option<SurveyRow>, StoreError> {
    let id: Option<(i64,)> = tx
        .query(
            "insert into surveys (uuid, code, title, description, created_at) \
             values ($1, $2, $3, $4, $5) on conflict (code) do nothing returning id",
        )
        .bind(new_public_id())
        .bind(name)
        .bind(title)
        .bind(description)
        .bind(now_ms())
        .fetch_optional()
        .await?;
    match id {
        Some((id,)) => survey(tx, id).await,
        None => Ok(None),
    }
}

/// Every survey, newest first.
pub async fn surveys(tx: &mut Tx) -> Result<Vec<SurveyRow>, StoreError> {
    let sql = format!("{SURVEY_SELECT} order by id desc");
    tx.query(&sql).fetch_all().await
}

/// One survey.
pub async fn survey(tx: &mut Tx, id: i64) -> Result<Option<SurveyRow>, StoreError> {
    let sql = format!("{SURVEY_SELECT} where id = $1");
    tx.query(&sql).bind(id).fetch_optional().await
}

/// One survey, by its public identifier.
pub async fn survey_by_uuid(tx: &mut Tx, uuid: Uuid) -> Result<Option<SurveyRow>, StoreError> {
    let sql = format!("{SURVEY_SELECT} where uuid = $1");
    tx.query(&sql).bind(uuid).fetch_optional().await
}

/// One survey, by its name.
pub async fn survey_by_name(tx: &mut Tx, name: &str) -> Result<Option<SurveyRow>, StoreError> {
    let sql = format!("{SURVEY_SELECT} where code = $1");
    tx.query(&sql).bind(name).fetch_optional().await
}

/// A stored questionnaire version, as listed (its source is read separately).
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct VersionRow {
    /// Row id, for joins inside the server.
    #[serde(skip)]
    pub id: i64,
    /// The version, as the questionnaire file names it (`[survey] version`).
    pub version: String,
    /// File name it was uploaded from.
    pub file_name: String,
    /// Whether an indicators definition is stored with it.
    pub has_indicators: bool,
    /// Upload (epoch ms).
    pub created_at: i64,
}

const VERSION_SELECT: &str = "select id, version, file_name, indicators is not null as \
     has_indicators, created_at from questionnaire_versions";

/// Stores a new questionnaire version of a survey; `None` when that version already exists.
pub async fn add_questionnaire_version(
    tx: &mut Tx,
    survey_id: i64,
    version: &str,
    file_name: &str,
    source: &str,
) -> Result<Option<i64>, StoreError> {
    let id: Option<(i64,)> = tx
        .query(
            "insert into questionnaire_versions (survey_id, version, file_name, source, \
             created_at) values ($1, $2, $3, $4, $5) \
             on conflict (survey_id, version) do nothing returning id",
        )
        .bind(survey_id)
        .bind(version)
        .bind(file_name)
        .bind(source)
        .bind(now_ms())
        .fetch_optional()
        .await?;
    Ok(id.map(|(id,)| id))
}

/// The questionnaire versions of a survey, oldest first.
pub async fn versions(tx: &mut Tx, survey_id: i64) -> Result<Vec<VersionRow>, StoreError> {
    let sql = format!("{VERSION_SELECT} where survey_id = $1 order by id");
    tx.query(&sql).bind(survey_id).fetch_all().await
}

/// One questionnaire version of a survey, by its version name.
pub async fn version_named(
    tx: &mut Tx,
    survey_id: i64,
    version: &str,
) -> Result<Option<VersionRow>, StoreError> {
    let sql = format!("{VERSION_SELECT} where survey_id = $1 and version = $2");
    tx.query(&sql)
        .bind(survey_id)
        .bind(version)
        .fetch_optional()
        .await
}

/// A wave to create.
#[derive(Clone, Debug)]
pub struct NewWave<'a> {
    /// Its survey.
    pub survey_id: i64,
    /// Its name, unique in the survey.
    pub name: &'a str,
    /// The questionnaire version it pins.
    pub questionnaire_version_id: i64,
    /// First day of calls (`YYYY-MM-DD`).
    pub field_start: Option<&'a str>,
    /// Last day of calls (`YYYY-MM-DD`).
    pub field_end: Option<&'a str>,
    /// The wave it continues, if any.
    pub previous_wave_id: Option<i64>,
}

/// Creates a wave, in preparation; `None` when its survey already has a wave of that name.
pub async fn create_wave(tx: &mut Tx, wave: &NewWave<'_>) -> Result<Option<WaveRow>, StoreError> {
    let id: Option<(i64,)> = tx
        .query(
            "insert into waves (uuid, survey_id, name, questionnaire_version_id, status, \
             field_start, field_end, previous_wave_id, created_at) \
             values ($1, $2, $3, $4, 'planned', $5, $6, $7, $8) \
             on conflict (survey_id, name) do nothing returning id",
        )
        .bind(new_public_id())
        .bind(wave.survey_id)
        .bind(wave.name)
        .bind(wave.questionnaire_version_id)
        .bind(wave.field_start)
        .bind(wave.field_end)
        .bind(wave.previous_wave_id)
        .bind(now_ms())
        .fetch_optional()
        .await?;
    match id {
        Some((id,)) => self::wave(tx, id).await,
        None => Ok(None),
    }
}

/// The waves of a survey, newest first.
pub async fn survey_waves(tx: &mut Tx, survey_id: i64) -> Result<Vec<WaveRow>, StoreError> {
    let sql = format!("{WAVE_SELECT} where w.survey_id = $1 order by w.id desc");
    tx.query(&sql).bind(survey_id).fetch_all().await
}

/// Sets a wave's status; dashboards of the wave hear of it.
pub async fn set_wave_status(
    tx: &mut Tx,
    wave_id: i64,
    status: WaveStatus,
) -> Result<(), StoreError> {
    tx.query("update waves set status = $1 where id = $2")
        .bind(status.as_str())
        .bind(wave_id)
        .execute()
        .await?;
    tx.announce(super::Change::Wave(wave_id)).await
}

/// A wave's calling rules as stored (JSON text; `None`: the defaults).
pub async fn calling_rules(tx: &mut Tx, wave_id: i64) -> Result<Option<String>, StoreError> {
    let row: Option<(Option<String>,)> = tx
        .query("select calling_rules from waves where id = $1")
        .bind(wave_id)
        .fetch_optional()
        .await?;
    Ok(row.and_then(|(rules,)| rules))
}

/// Stores a wave's calling rules (JSON text, already checked).
pub async fn set_calling_rules(tx: &mut Tx, wave_id: i64, rules: &str) -> Result<(), StoreError> {
    tx.query("update waves set calling_rules = $1 where id = $2")
        .bind(rules)
        .bind(wave_id)
        .execute()
        .await?;
    Ok(())
}

/// A wave's weighting set-up as stored (JSON text; `None`: unweighted).
pub async fn weighting(tx: &mut Tx, wave_id: i64) -> Result<Option<String>, StoreError> {
    let row: Option<(Option<String>,)> = tx
        .query("select weighting from waves where id = $1")
        .bind(wave_id)
        .fetch_optional()
        .await?;
    Ok(row.and_then(|(weighting,)| weighting))
}

/// Every wave's weighting set-up, by wave id (waves without one are left out).
pub async fn weightings(tx: &mut Tx) -> Result<std::collections::HashMap<i64, String>, StoreError> {
    let rows: Vec<(i64, String)> = tx
        .query("select id, weighting from waves where weighting is not null")
        .fetch_all()
        .await?;
    Ok(rows.into_iter().collect())
}

/// Stores (or with `None` removes) a wave's weighting set-up (JSON text, already checked).
pub async fn set_weighting(
    tx: &mut Tx,
    wave_id: i64,
    weighting: Option<&str>,
) -> Result<(), StoreError> {
    tx.query("update waves set weighting = $1 where id = $2")
        .bind(weighting)
        .bind(wave_id)
        .execute()
        .await?;
    Ok(())
}

/// A wave's publication rules as stored (JSON text; `None`: the defaults).
pub async fn publication(tx: &mut Tx, wave_id: i64) -> Result<Option<String>, StoreError> {
    let row: Option<(Option<String>,)> = tx
        .query("select publication from waves where id = $1")
        .bind(wave_id)
        .fetch_optional()
        .await?;
    Ok(row.and_then(|(publication,)| publication))
}

/// Stores a wave's publication rules (JSON text, already checked).
pub async fn set_publication(
    tx: &mut Tx,
    wave_id: i64,
    publication: &str,
) -> Result<(), StoreError> {
    tx.query("update waves set publication = $1 where id = $2")
        .bind(publication)
        .bind(wave_id)
        .execute()
        .await?;
    Ok(())
}

/// The wave a wave's results are compared with: the one it was created from, else the latest
/// earlier wave of its survey; `None` for a survey's first wave.
pub async fn previous_wave_id(tx: &mut Tx, wave_id: i64) -> Result<Option<i64>, StoreError> {
    let row: Option<(Option<i64>,)> = tx
        .query(
            "select coalesce(w.previous_wave_id, (select max(p.id) from waves p \
             where p.survey_id = w.survey_id and p.id < w.id)) from waves w where w.id = $1",
        )
        .bind(wave_id)
        .fetch_optional()
        .await?;
    Ok(row.and_then(|(id,)| id))
}

/// A survey's outcome code frame as stored (JSON text; `None`: the default frame).
pub async fn outcome_frame(tx: &mut Tx, survey_id: i64) -> Result<Option<String>, StoreError> {
    let row: Option<(Option<String>,)> = tx
        .query("select outcome_frame from surveys where id = $1")
        .bind(survey_id)
        .fetch_optional()
        .await?;
    Ok(row.and_then(|(frame,)| frame))
}

/// Stores a survey's outcome code frame (JSON text, already checked).
pub async fn set_outcome_frame(tx: &mut Tx, survey_id: i64, frame: &str) -> Result<(), StoreError> {
    tx.query("update surveys set outcome_frame = $1 where id = $2")
        .bind(frame)
        .bind(survey_id)
        .execute()
        .await?;
    Ok(())
}
