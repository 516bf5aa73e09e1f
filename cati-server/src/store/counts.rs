//! Figures kept up to date by the database itself (triggers of migration 0005, in the
//! transaction that changes the counted rows): cases per wave, commune and status, and each
//! wave's first completion. Reading them costs the same at a thousand and at a million cases.
//! On PostgreSQL a counter is split in shards (migration 0015), so readers add its rows.

use serde::Serialize;

use super::cases::CaseStatus;
use super::{StoreError, Tx};

/// Cases of one commune ('' when unknown) in one status.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct SampleCount {
    /// INSEE code, '' for cases without a commune.
    pub commune_code: String,
    /// Case status.
    #[sqlx(try_from = "String")]
    pub status: CaseStatus,
    /// Number of cases.
    pub cases: i64,
}

/// A wave's case counts per commune and status.
pub async fn sample(tx: &mut Tx, wave_id: i64) -> Result<Vec<SampleCount>, StoreError> {
    tx.query(
        "select commune_code, status, cast(sum(cases) as bigint) as cases from sample_counts \
         where wave_id = $1 group by commune_code, status order by commune_code, status",
    )
    .bind(wave_id)
    .fetch_all()
    .await
}

/// When the wave's first interview was completed (epoch ms), if any.
pub async fn first_completion(tx: &mut Tx, wave_id: i64) -> Result<Option<i64>, StoreError> {
    let row: Option<(Option<i64>,)> = tx
        .query("select first_completion_at from wave_figures where wave_id = $1")
        .bind(wave_id)
        .fetch_optional()
        .await?;
    Ok(row.and_then(|(at,)| at))
}

/// Cases of a wave with one current AAPOR disposition, in one commune and replicate.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DispositionCount {
    /// INSEE code ('' when unknown).
    pub commune_code: String,
    /// Replicate (0 when none).
    pub replicate: i64,
    /// AAPOR disposition code.
    pub code: String,
    /// Number of cases.
    pub cases: i64,
}

/// A wave's released cases by commune, replicate and current disposition, from the counters
/// (the AAPOR report never reads the sample).
pub async fn dispositions(tx: &mut Tx, wave_id: i64) -> Result<Vec<DispositionCount>, StoreError> {
    tx.query(
        "select commune_code, replicate, code, cast(sum(cases) as bigint) as cases \
         from disposition_counts where wave_id = $1 group by commune_code, replicate, code \
         having sum(cases) > 0 order by commune_code, replicate, code",
    )
    .bind(wave_id)
    .fetch_all()
    .await
}

/// A wave's calls since a moment of the day, for the dashboard's figures of the day.
#[derive(Clone, Copy, Debug, Default, sqlx::FromRow)]
pub struct RecentCalls {
    /// Calls since the start of the day.
    pub calls_today: i64,
    /// Of which ended in a completed interview (AAPOR 1.1).
    pub completes_today: i64,
    /// Calls in the last hour.
    pub calls_last_hour: i64,
    /// Interviewers who made a call in the last hour.
    pub interviewers_last_hour: i64,
}

/// The calls of a wave since `since_ms` (the start of the day) and since `hour_ago_ms`. Reads
/// the calls of the day through the index on their start, so it costs what the day's calls
/// cost, whatever the size of the sample: the unary `+` on `c.wave_id` keeps SQLite from
/// starting at the wave's cases instead (the whole sample, 1,000,000 rows in the benchmark).
pub async fn recent_calls(
    tx: &mut Tx,
    wave_id: i64,
    since_ms: i64,
    hour_ago_ms: i64,
) -> Result<RecentCalls, StoreError> {
    tx.query(
        "select count(*) as calls_today, \
           coalesce(sum(case when a.aapor_code = '1.1' then 1 else 0 end), 0) as completes_today, \
           coalesce(sum(case when a.started_at >= $3 then 1 else 0 end), 0) as calls_last_hour, \
           count(distinct case when a.started_at >= $3 then a.interviewer_id end) \
             as interviewers_last_hour \
         from call_attempts a join sample_cases c on c.id = a.case_id \
         where a.started_at >= $2 and +c.wave_id = $1",
    )
    .bind(wave_id)
    .bind(since_ms)
    .bind(hour_ago_ms)
    .fetch_one()
    .await
}
