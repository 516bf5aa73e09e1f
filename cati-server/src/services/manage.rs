//! What managers and analysts read about fieldwork: the waves, a wave's sample (with phone
//! numbers: supervisors and admins only) and its progress counts (also analysts: no personal
//! data).

use serde::Serialize;
use uuid::Uuid;

use crate::auth::{Actor, CurrentUser};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::cases::{self, CaseRow, CaseStatus};
use crate::store::interviews::{self, InterviewStatus};
use crate::store::surveys::{self, WaveRow};
use crate::store::users::Role;
use crate::store::{Db, Tx};

/// Every wave, newest first.
pub async fn waves(db: &Db, actor: Actor<'_>) -> Result<Vec<WaveRow>, AppError> {
    actor.require(Role::READERS)?;
    let mut tx = db.read().await?;
    let waves = surveys::waves(&mut tx).await?;
    tx.commit().await?;
    Ok(waves)
}

/// The wave known outside as `uuid`, or "unknown wave".
pub(crate) async fn known_wave(tx: &mut Tx, uuid: Uuid) -> Result<WaveRow, AppError> {
    surveys::wave_by_uuid(tx, uuid)
        .await?
        .ok_or_else(|| AppError::not_found("vague inconnue"))
}

/// A case of the sample with its phone numbers.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SampleCase {
    /// The case.
    #[serde(flatten)]
    pub case: CaseRow,
    /// Its numbers (E.164), in dialling order.
    pub phones: Vec<String>,
}

/// A page of a wave's sample, by case identifier: `limit` (1 to 1,000) cases from `offset`
/// (0 or more); anything else is refused.
pub async fn sample(
    state: &AppState,
    user: &CurrentUser,
    wave: Uuid,
    offset: i64,
    limit: i64,
) -> Result<Vec<SampleCase>, AppError> {
    user.require(Role::MANAGERS)?;
    if offset < 0 || !(1..=1000).contains(&limit) {
        return Err(AppError::BadRequest(
            "pagination invalide : offset ≥ 0 et limit entre 1 et 1 000".to_owned(),
        ));
    }
    let mut tx = state.db.read().await?;
    let wave = known_wave(&mut tx, wave).await?;
    let mut page = Vec::new();
    for case in cases::list(&mut tx, wave.id, offset, limit).await? {
        let phones = cases::phones(&mut tx, case.id)
            .await?
            .into_iter()
            .map(|p| p.e164)
            .collect();
        page.push(SampleCase { case, phones });
    }
    tx.commit().await?;
    Ok(page)
}

/// How many cases are in one status.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CaseCount {
    /// The status.
    pub status: CaseStatus,
    /// Cases in it.
    pub count: i64,
}

/// How many interviews are in one status.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InterviewCount {
    /// The status.
    pub status: InterviewStatus,
    /// Interviews in it.
    pub count: i64,
}

/// A wave's progress counts.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Progress {
    /// The wave.
    pub wave_id: Uuid,
    /// Cases in the sample.
    pub cases: i64,
    /// Cases per status.
    pub cases_by_status: Vec<CaseCount>,
    /// Interviews per status.
    pub interviews_by_status: Vec<InterviewCount>,
}

/// The progress counts of a wave.
pub async fn progress(
    state: &AppState,
    user: &CurrentUser,
    wave: Uuid,
) -> Result<Progress, AppError> {
    user.require(Role::READERS)?;
    let mut tx = state.db.read().await?;
    let wave = known_wave(&mut tx, wave).await?;
    let cases_by_status: Vec<CaseCount> = cases::status_counts(&mut tx, wave.id)
        .await?
        .into_iter()
        .map(|(status, count)| CaseCount { status, count })
        .collect();
    let progress = Progress {
        wave_id: wave.uuid,
        cases: cases_by_status.iter().map(|c| c.count).sum(),
        cases_by_status,
        interviews_by_status: interviews::status_counts(&mut tx, wave.id)
            .await?
            .into_iter()
            .map(|(status, count)| InterviewCount { status, count })
            .collect(),
    };
    tx.commit().await?;
    Ok(progress)
}
