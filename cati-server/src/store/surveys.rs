//! Surveys, questionnaire versions (their TOML source) and waves.

use serde::Serialize;

use super::{Db, StoreError, WritePool, now_ms, on_pool};

/// A wave with the questionnaire version it pins.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct WaveRow {
    /// Wave identifier.
    pub id: i64,
    /// Survey identifier.
    pub survey_id: i64,
    /// Survey title.
    pub survey_title: String,
    /// Wave name.
    pub name: String,
    /// `planned`, `open` or `closed`.
    pub status: String,
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
pub async fn ensure_survey(db: &Db, code: &str, title: &str) -> Result<i64, StoreError> {
    let (id,): (i64,) = on_pool!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            "insert into surveys (code, title, created_at) values ($1, $2, $3) \
             on conflict (code) do nothing",
        )
        .bind(code)
        .bind(title)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let id = sqlx::query_as("select id from surveys where code = $1")
            .bind(code)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        id
    });
    Ok(id)
}

/// Stores a questionnaire version unless that version already exists; returns its identifier.
pub async fn ensure_questionnaire_version(
    db: &Db,
    survey_id: i64,
    version: &str,
    file_name: &str,
    source: &str,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = on_pool!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            "insert into questionnaire_versions (survey_id, version, file_name, source, created_at) \
             values ($1, $2, $3, $4, $5) on conflict (survey_id, version) do nothing",
        )
        .bind(survey_id)
        .bind(version)
        .bind(file_name)
        .bind(source)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let id = sqlx::query_as(
            "select id from questionnaire_versions where survey_id = $1 and version = $2",
        )
        .bind(survey_id)
        .bind(version)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        id
    });
    Ok(id)
}

/// Creates the wave `name` of a survey if absent; returns its identifier and whether it is new.
pub async fn ensure_wave(
    db: &Db,
    survey_id: i64,
    name: &str,
    questionnaire_version_id: i64,
    status: &str,
) -> Result<(i64, bool), StoreError> {
    let row: Option<(i64,)> = on_pool!(db, |pool| sqlx::query_as(
        "insert into waves (survey_id, name, questionnaire_version_id, status, created_at) \
         values ($1, $2, $3, $4, $5) on conflict (survey_id, name) do nothing returning id"
    )
    .bind(survey_id)
    .bind(name)
    .bind(questionnaire_version_id)
    .bind(status)
    .bind(now_ms())
    .fetch_optional(pool)
    .await?);
    if let Some((id,)) = row {
        return Ok((id, true));
    }
    let (id,): (i64,) = on_pool!(db, |pool| sqlx::query_as(
        "select id from waves where survey_id = $1 and name = $2"
    )
    .bind(survey_id)
    .bind(name)
    .fetch_one(pool)
    .await?);
    Ok((id, false))
}

const WAVE_SELECT: &str = "select w.id, w.survey_id, s.title as survey_title, w.name, w.status, \
     w.questionnaire_version_id from waves w join surveys s on s.id = w.survey_id";

/// Every wave, newest first.
pub async fn waves(db: &Db) -> Result<Vec<WaveRow>, StoreError> {
    let sql = format!("{WAVE_SELECT} order by w.id desc");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, WaveRow>(&sql)
        .fetch_all(pool)
        .await?))
}

/// One wave.
pub async fn wave(db: &Db, id: i64) -> Result<Option<WaveRow>, StoreError> {
    let sql = format!("{WAVE_SELECT} where w.id = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, WaveRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// The source of a questionnaire version.
pub async fn questionnaire_source(
    db: &Db,
    version_id: i64,
) -> Result<Option<QuestionnaireSource>, StoreError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, QuestionnaireSource>(
            "select id, file_name, source from questionnaire_versions where id = $1",
        )
        .bind(version_id)
        .fetch_optional(pool)
        .await?
    }))
}

/// The indicators definition (TOML text) stored with a questionnaire version, if any.
pub async fn questionnaire_indicators(
    db: &Db,
    version_id: i64,
) -> Result<Option<String>, StoreError> {
    let row: Option<(Option<String>,)> = on_pool!(db, |pool| sqlx::query_as(
        "select indicators from questionnaire_versions where id = $1"
    )
    .bind(version_id)
    .fetch_optional(pool)
    .await?);
    Ok(row.and_then(|(text,)| text))
}

/// Stores (or, with `None`, removes) the indicators definition of a questionnaire version. The
/// caller validates it against the questionnaire first.
pub async fn set_questionnaire_indicators(
    db: &Db,
    version_id: i64,
    indicators: Option<&str>,
) -> Result<(), StoreError> {
    on_pool!(db, |pool| {
        sqlx::query("update questionnaire_versions set indicators = $1 where id = $2")
            .bind(indicators)
            .bind(version_id)
            .execute(pool)
            .await?;
    });
    Ok(())
}
