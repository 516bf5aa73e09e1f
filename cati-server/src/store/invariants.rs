//! Reads for the invariant checks of `cati simulate --check` (`crate::simulate::check`): the
//! raw history of a wave (calls, interviews, answers, quota reservations, cases) read as it
//! stands, so that the checks recount from it rather than trust the counters and the
//! simulator's own tally. Read-only; one SQL text for both backends.

use uuid::Uuid;

use super::{StoreError, Tx};

/// Two calls of one case by different interviewers that overlap in time.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OverlappingCalls {
    /// The case.
    pub case_uuid: Uuid,
    /// The first call's interviewer (login name).
    pub first: String,
    /// The second call's interviewer.
    pub second: String,
    /// When the second call started (epoch ms).
    pub at: i64,
}

/// Margin, in ms, granted to call times: a call's start is stored as its end minus its
/// duration in whole seconds.
pub const CALL_TIME_SLACK_MS: i64 = 1_000;

/// Up to `limit` pairs of calls of the same case, by different interviewers, whose times
/// overlap by more than [`CALL_TIME_SLACK_MS`]: the case was held by two interviewers at once.
pub async fn overlapping_calls(
    tx: &mut Tx,
    wave_id: i64,
    limit: i64,
) -> Result<Vec<OverlappingCalls>, StoreError> {
    tx.query(
        "select c.uuid as case_uuid, ua.username as first, ub.username as second, \
           b.started_at as at \
         from call_attempts a \
         join call_attempts b on b.case_id = a.case_id and b.id > a.id \
           and b.interviewer_id <> a.interviewer_id \
         join sample_cases c on c.id = a.case_id \
         join users ua on ua.id = a.interviewer_id \
         join users ub on ub.id = b.interviewer_id \
         where c.wave_id = $1 \
           and a.started_at + $2 < b.ended_at and b.started_at + $2 < a.ended_at \
         order by b.started_at limit $3",
    )
    .bind(wave_id)
    .bind(CALL_TIME_SLACK_MS)
    .bind(limit)
    .fetch_all()
    .await
}

/// A quota cell with its counter and a recount from the interviews.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CellRecount {
    /// `commune=33063,sexe=2,age=1`.
    pub cell_key: String,
    /// `hard` or `soft`.
    pub kind: String,
    /// Target.
    pub target: i64,
    /// Most completes accepted (the target for a hard cell, plus the tolerance for a soft one).
    pub capacity: i64,
    /// The counter the server keeps.
    pub achieved: i64,
    /// Completed interviews holding a place in the cell that was not given back.
    pub recounted: i64,
}

/// Every quota cell of the wave, its counter and the completed interviews counted in it from
/// their reservations.
pub async fn cell_recounts(tx: &mut Tx, wave_id: i64) -> Result<Vec<CellRecount>, StoreError> {
    tx.query(
        "select q.cell_key, q.kind, q.target, q.capacity, q.achieved, \
           (select count(distinct r.interview_id) from quota_reservations r \
              join interviews i on i.id = r.interview_id \
            where r.cell_id = q.id and r.state <> 'released' and i.status = 'completed') \
             as recounted \
         from quota_cells q where q.wave_id = $1 order by q.margin, q.cell_key",
    )
    .bind(wave_id)
    .fetch_all()
    .await
}

/// A stored answer, by interview.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredAnswer {
    /// The interview.
    pub interview_uuid: Uuid,
    /// The variable.
    pub variable: String,
    /// The answer (`questionnaire::Answer` as JSON).
    pub answer: String,
}

/// Every stored answer of the wave.
pub async fn answers(tx: &mut Tx, wave_id: i64) -> Result<Vec<StoredAnswer>, StoreError> {
    tx.query(
        "select i.uuid as interview_uuid, ans.variable, ans.answer \
         from interview_answers ans \
         join interviews i on i.id = ans.interview_id \
         join sample_cases c on c.id = i.case_id \
         where c.wave_id = $1",
    )
    .bind(wave_id)
    .fetch_all()
    .await
}

/// The wave's completed interviews.
pub async fn completed_interviews(tx: &mut Tx, wave_id: i64) -> Result<Vec<Uuid>, StoreError> {
    let rows: Vec<(Uuid,)> = tx
        .query(
            "select i.uuid from interviews i join sample_cases c on c.id = i.case_id \
             where c.wave_id = $1 and i.status = 'completed'",
        )
        .bind(wave_id)
        .fetch_all()
        .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

/// A case as the disposition checks read it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CaseDisposition {
    /// Row id (to match its calls).
    pub id: i64,
    /// The case.
    pub uuid: Uuid,
    /// INSEE code ('' when unknown).
    pub commune_code: String,
    /// Replicate (0 when none).
    pub replicate: i64,
    /// 1 when released.
    pub released: i64,
    /// `final` once closed.
    pub status: String,
    /// Current AAPOR disposition.
    pub disposition: Option<String>,
    /// The disposition it was closed with.
    pub final_aapor: Option<String>,
}

/// Every case of the wave, in id order.
pub async fn cases(tx: &mut Tx, wave_id: i64) -> Result<Vec<CaseDisposition>, StoreError> {
    tx.query(
        "select id, uuid, coalesce(commune_code, '') as commune_code, \
           coalesce(replicate, 0) as replicate, \
           cast(case when released then 1 else 0 end as bigint) as released, \
           status, disposition, final_aapor \
         from sample_cases where wave_id = $1 order by id",
    )
    .bind(wave_id)
    .fetch_all()
    .await
}

/// One call's outcome.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CallOutcome {
    /// The case's row id.
    pub case_id: i64,
    /// The outcome's name.
    pub outcome: String,
}

/// Every call of the wave, by case and in the order they were recorded.
pub async fn call_outcomes(tx: &mut Tx, wave_id: i64) -> Result<Vec<CallOutcome>, StoreError> {
    tx.query(
        "select a.case_id, a.outcome from call_attempts a \
         join sample_cases c on c.id = a.case_id \
         where c.wave_id = $1 order by a.case_id, a.id",
    )
    .bind(wave_id)
    .fetch_all()
    .await
}

/// The sample's phone numbers (E.164) and preload documents (JSON) of the wave: what must never
/// reach an analyst.
pub async fn personal_data(
    tx: &mut Tx,
    wave_id: i64,
) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let phones: Vec<(String,)> = tx
        .query(
            "select p.e164 from case_phones p join sample_cases c on c.id = p.case_id \
             where c.wave_id = $1",
        )
        .bind(wave_id)
        .fetch_all()
        .await?;
    let preloads: Vec<(String,)> = tx
        .query("select preload from sample_cases where wave_id = $1")
        .bind(wave_id)
        .fetch_all()
        .await?;
    Ok((
        phones.into_iter().map(|(p,)| p).collect(),
        preloads.into_iter().map(|(p,)| p).collect(),
    ))
}
