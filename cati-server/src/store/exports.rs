//! What exports read: a wave's interviews with their case's sample data (never its phone
//! numbers), and the survey's pseudonymisation secret.

use rand::RngCore;

use super::{StoreError, Tx, now_ms};

/// Bytes of a newly generated survey secret (the exports need at least 16).
const SECRET_BYTES: usize = 32;

/// One interview of a wave with what the export needs about its case. There is deliberately
/// no phone number here.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExportInterviewRow {
    /// The case's public identifier (for error messages; never exported).
    pub case_uuid: uuid::Uuid,
    /// The case's identifier in the sample file, unique in the wave: only its keyed hash is
    /// exported, and the same sample record keeps the same pseudonym in every wave.
    pub external_id: String,
    /// INSEE code of the case's commune, from the sample file.
    pub commune_code: Option<String>,
    /// Preload fields (JSON object text); only used to recompute the route.
    pub preload: String,
    /// Call attempts on the case.
    pub attempts: i64,
    /// Final outcome name of the case, once final.
    pub final_outcome: Option<String>,
    /// Final AAPOR code of the case, once final.
    pub final_aapor: Option<String>,
    /// `in_progress`, `completed`, `screened_out` or `broken_off`.
    pub status: String,
    /// The engine's record (JSON text).
    pub record: String,
    /// The interviewer who started it.
    pub interviewer_id: i64,
    /// Start (epoch ms).
    pub started_at: i64,
    /// Last save (epoch ms).
    pub updated_at: i64,
    /// End (epoch ms).
    pub ended_at: Option<i64>,
}

/// Every interview of a wave, by case identifier (a stable order, so that exports are
/// reproducible).
pub async fn wave_interviews(
    tx: &mut Tx,
    wave_id: i64,
) -> Result<Vec<ExportInterviewRow>, StoreError> {
    tx.query(
        "select c.uuid as case_uuid, c.external_id, c.commune_code, c.preload, c.attempts, \
         c.final_outcome, c.final_aapor, i.status, i.record, i.interviewer_id, i.started_at, \
         i.updated_at, i.ended_at from interviews i join sample_cases c on c.id = i.case_id \
         where c.wave_id = $1 order by c.id",
    )
    .bind(wave_id)
    .fetch_all()
    .await
}

/// The survey's pseudonymisation secret, generated and stored on first use. Concurrent first
/// exports agree on one secret: the insert keeps the first and both read it back.
pub async fn survey_secret(tx: &mut Tx, survey_id: i64) -> Result<Vec<u8>, StoreError> {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::thread_rng().fill_bytes(&mut bytes);
    let candidate: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    tx.query(
        "insert into survey_secrets (survey_id, secret, created_at) values ($1, $2, $3) \
         on conflict (survey_id) do nothing",
    )
    .bind(survey_id)
    .bind(&candidate)
    .bind(now_ms())
    .execute()
    .await?;
    let secret: String = tx
        .query("select secret from survey_secrets where survey_id = $1")
        .bind(survey_id)
        .fetch_scalar()
        .await?;
    Ok(secret.into_bytes())
}
