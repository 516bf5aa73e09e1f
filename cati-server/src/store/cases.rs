//! Sample cases, their phone numbers, handing cases out and call attempts.

use serde::Serialize;

use super::{Db, StoreError, WritePool, now_ms, on_pool};

/// A case to add to a wave's sample.
#[derive(Clone, Debug)]
pub struct NewCase {
    /// Identifier in the sample file, unique in the wave.
    pub external_id: String,
    /// INSEE code of the commune, when known.
    pub commune_code: Option<String>,
    /// Name of the commune, when known.
    pub commune_name: Option<String>,
    /// Preload fields, as a JSON object of strings.
    pub preload: serde_json::Value,
    /// True for generated, fictitious cases.
    pub synthetic: bool,
    /// Phone numbers in E.164, in dialling order.
    pub phones: Vec<String>,
}

/// A case as stored.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct CaseRow {
    /// Identifier.
    pub id: i64,
    /// Wave.
    pub wave_id: i64,
    /// Identifier in the sample file.
    pub external_id: String,
    /// INSEE code of the commune.
    pub commune_code: Option<String>,
    /// Name of the commune.
    pub commune_name: Option<String>,
    /// Preload fields (JSON object text).
    pub preload: String,
    /// Generated, fictitious case.
    pub synthetic: bool,
    /// `pending`, `appointment`, `in_interview` or `final`.
    pub status: String,
    /// The interviewer holding the case.
    pub held_by: Option<i64>,
    /// Since when it is held (epoch ms).
    pub held_at: Option<i64>,
    /// Not to be called before (epoch ms).
    pub next_call_at: Option<i64>,
    /// Agreed appointment (epoch ms).
    pub appointment_at: Option<i64>,
    /// Call attempts so far.
    pub attempts: i64,
    /// Last call (epoch ms).
    pub last_call_at: Option<i64>,
    /// Final outcome name, once final.
    pub final_outcome: Option<String>,
    /// Final AAPOR disposition code, once final.
    pub final_aapor: Option<String>,
}

/// One phone number of a case.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct PhoneRow {
    /// Dialling order.
    pub position: i64,
    /// E.164 number.
    pub e164: String,
}

/// One call attempt.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct AttemptRow {
    /// Identifier.
    pub id: i64,
    /// Interviewer's login name.
    pub interviewer: String,
    /// Start of the call (epoch ms).
    pub started_at: i64,
    /// Number dialled.
    pub number_dialled: String,
    /// Outcome name.
    pub outcome: String,
    /// AAPOR disposition code.
    pub aapor_code: String,
    /// Interviewer's note.
    pub note: Option<String>,
    /// Duration in seconds.
    pub duration_s: i64,
    /// Appointment agreed (epoch ms).
    pub appointment_at: Option<i64>,
}

/// A call attempt to record.
#[derive(Clone, Debug)]
pub struct NewAttempt {
    /// The case.
    pub case_id: i64,
    /// The interviewer, who must hold the case.
    pub interviewer_id: i64,
    /// Number dialled.
    pub number_dialled: String,
    /// Outcome name.
    pub outcome: String,
    /// AAPOR disposition code.
    pub aapor_code: String,
    /// Note.
    pub note: Option<String>,
    /// Duration in seconds.
    pub duration_s: i64,
}

/// What becomes of a case after a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseNext {
    /// Back in the queue, not before the given time (epoch ms).
    Retry {
        /// Earliest next call.
        not_before: i64,
    },
    /// An appointment at the given time (epoch ms), handed out first when due.
    Appointment {
        /// The appointment.
        at: i64,
    },
    /// Finished with this disposition.
    Final,
}

/// Records a call attempt and releases the case inside an open write transaction; expands to
/// the number of case rows updated (0 when the interviewer does not hold the case).
macro_rules! close_call {
    ($tx:expr, $attempt:expr, $next:expr) => {{
        let attempt: &$crate::store::cases::NewAttempt = $attempt;
        let next: $crate::store::cases::CaseNext = $next;
        let now = $crate::store::now_ms();
        let (status, next_call_at, appointment_at, final_outcome) = match next {
            $crate::store::cases::CaseNext::Retry { not_before } => {
                ("pending", Some(not_before), None, None)
            }
            $crate::store::cases::CaseNext::Appointment { at } => {
                ("appointment", Some(at), Some(at), None)
            }
            $crate::store::cases::CaseNext::Final => {
                ("final", None, None, Some(attempt.outcome.as_str()))
            }
        };
        let final_aapor = final_outcome.map(|_| attempt.aapor_code.as_str());
        let updated = sqlx::query(
            "update sample_cases set held_by = null, held_at = null, status = $1, \
             next_call_at = $2, appointment_at = $3, attempts = attempts + 1, last_call_at = $4, \
             final_outcome = $5, final_aapor = $6 where id = $7 and held_by = $8",
        )
        .bind(status)
        .bind(next_call_at)
        .bind(appointment_at)
        .bind(now)
        .bind(final_outcome)
        .bind(final_aapor)
        .bind(attempt.case_id)
        .bind(attempt.interviewer_id)
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        if updated == 1 && final_outcome.is_some() {
            // A final outcome on a case whose interview was left partial ends that interview.
            sqlx::query(
                "update interviews set status = 'broken_off', ended_at = $1 \
                 where case_id = $2 and status = 'in_progress'",
            )
            .bind(now)
            .bind(attempt.case_id)
            .execute(&mut *$tx)
            .await?;
        }
        if updated == 1 {
            sqlx::query(
                "insert into call_attempts (case_id, interviewer_id, started_at, ended_at, \
                 number_dialled, outcome, aapor_code, note, duration_s, appointment_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(attempt.case_id)
            .bind(attempt.interviewer_id)
            .bind(now - attempt.duration_s * 1000)
            .bind(now)
            .bind(&attempt.number_dialled)
            .bind(&attempt.outcome)
            .bind(&attempt.aapor_code)
            .bind(&attempt.note)
            .bind(attempt.duration_s)
            .bind(appointment_at)
            .execute(&mut *$tx)
            .await?;
        }
        updated
    }};
}
pub(crate) use close_call;

/// Adds cases to a wave, skipping external identifiers already present; returns how many were
/// added.
pub async fn insert_cases(db: &Db, wave_id: i64, cases: &[NewCase]) -> Result<u64, StoreError> {
    let now = now_ms();
    let added = on_pool!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let mut added = 0;
        for case in cases {
            let id: Option<(i64,)> = sqlx::query_as(
                "insert into sample_cases (wave_id, external_id, commune_code, commune_name, \
                 preload, synthetic, status, created_at) values ($1, $2, $3, $4, $5, $6, 'pending', $7) \
                 on conflict (wave_id, external_id) do nothing returning id",
            )
            .bind(wave_id)
            .bind(&case.external_id)
            .bind(&case.commune_code)
            .bind(&case.commune_name)
            .bind(case.preload.to_string())
            .bind(case.synthetic)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((id,)) = id else { continue };
            added += 1;
            for (position, phone) in (1_i64..).zip(&case.phones) {
                sqlx::query(
                    "insert into case_phones (case_id, position, e164) values ($1, $2, $3)",
                )
                .bind(id)
                .bind(position)
                .bind(phone)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        added
    });
    Ok(added)
}

const CASE_COLUMNS: &str = "id, wave_id, external_id, commune_code, commune_name, preload, \
     synthetic, status, held_by, held_at, next_call_at, appointment_at, attempts, last_call_at, \
     final_outcome, final_aapor";

/// One case.
pub async fn case(db: &Db, id: i64) -> Result<Option<CaseRow>, StoreError> {
    let sql = format!("select {CASE_COLUMNS} from sample_cases where id = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, CaseRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// The case an interviewer holds, if any.
pub async fn held_by(db: &Db, user_id: i64) -> Result<Option<CaseRow>, StoreError> {
    let sql = format!("select {CASE_COLUMNS} from sample_cases where held_by = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, CaseRow>(&sql)
        .bind(user_id)
        .fetch_optional(pool)
        .await?))
}

/// A page of a wave's sample, by identifier.
pub async fn list(
    db: &Db,
    wave_id: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<CaseRow>, StoreError> {
    let sql = format!(
        "select {CASE_COLUMNS} from sample_cases where wave_id = $1 order by id limit $2 offset $3"
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, CaseRow>(&sql)
        .bind(wave_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?))
}

/// A case's phone numbers in dialling order.
pub async fn phones(db: &Db, case_id: i64) -> Result<Vec<PhoneRow>, StoreError> {
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, PhoneRow>(
        "select position, e164 from case_phones where case_id = $1 order by position"
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?))
}

/// A case's call attempts, oldest first.
pub async fn attempts(db: &Db, case_id: i64) -> Result<Vec<AttemptRow>, StoreError> {
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, AttemptRow>(
        "select a.id, u.username as interviewer, a.started_at, a.number_dialled, a.outcome, \
         a.aapor_code, a.note, a.duration_s, a.appointment_at from call_attempts a \
         join users u on u.id = a.interviewer_id where a.case_id = $1 order by a.id"
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?))
}

/// Which case comes next: appointments that are due, then cases never called, then the fewest
/// attempts and the oldest last call. Cases whose recall delay has not elapsed wait.
///
/// Quotas: a case whose first number is a fixed line (`+331`…`+335`, `+339`: the respondent
/// lives where the sample says) is not handed out while its commune is exhausted (in some margin
/// of the wave's quota design, every cell of the commune is closed or full); within each group,
/// communes furthest from their targets (remaining need over target) come first.
const NEXT_CASE: &str = "select id from sample_cases \
     where held_by is null and status in ('pending', 'appointment') \
       and (next_call_at is null or next_call_at <= $2) \
       and wave_id in (select id from waves where status = 'open') \
       and not (commune_code is not null \
         and exists (select 1 from case_phones p where p.case_id = sample_cases.id \
           and p.position = 1 \
           and substr(p.e164, 1, 4) in ('+331', '+332', '+333', '+334', '+335', '+339')) \
         and exists (select 1 from quota_cells q where q.wave_id = sample_cases.wave_id \
           and q.commune_code = sample_cases.commune_code group by q.margin \
           having sum(case when not q.closed and q.achieved + q.in_progress < q.capacity \
             then 1 else 0 end) = 0)) \
     order by case when status = 'appointment' then 0 when attempts = 0 then 1 else 2 end, \
       case when status = 'appointment' then 0 else coalesce((select 1.0 * sum(case \
         when q.closed or q.target <= q.achieved + q.in_progress then 0 \
         else q.target - q.achieved - q.in_progress end) / nullif(sum(q.target), 0) \
         from quota_cells q where q.wave_id = sample_cases.wave_id \
           and q.commune_code = sample_cases.commune_code), 0) end desc, \
       coalesce(appointment_at, 0), attempts, coalesce(last_call_at, 0), id \
     limit 1";

/// Hands the next case to an interviewer, or returns the case they already hold.
///
/// Two interviewers never hold the same case: on SQLite the claim is one `update … returning`
/// inside a `BEGIN IMMEDIATE` transaction (writers are serialised); on PostgreSQL the candidate
/// row is locked with `for update skip locked`, so concurrent claims take different rows
/// instead of waiting on each other. A unique index on `held_by` keeps one case per interviewer.
pub async fn claim_next(db: &Db, user_id: i64) -> Result<Option<CaseRow>, StoreError> {
    if let Some(held) = held_by(db, user_id).await? {
        return Ok(Some(held));
    }
    let now = now_ms();
    let claimed: Result<Option<(i64,)>, sqlx::Error> = match db {
        Db::Sqlite(pool) => {
            let sql = format!(
                "update sample_cases set held_by = $1, held_at = $2 where id = ({NEXT_CASE}) \
                 returning id"
            );
            async {
                let mut tx = pool.begin_write().await?;
                let held: Option<(i64,)> =
                    sqlx::query_as("select id from sample_cases where held_by = $1")
                        .bind(user_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let claimed = match held {
                    Some(id) => Some(id),
                    None => {
                        sqlx::query_as(&sql)
                            .bind(user_id)
                            .bind(now)
                            .fetch_optional(&mut *tx)
                            .await?
                    }
                };
                tx.commit().await?;
                Ok(claimed)
            }
            .await
        }
        Db::Postgres(pool) => {
            let sql = format!(
                "update sample_cases set held_by = $1, held_at = $2 \
                 where id = ({NEXT_CASE} for update skip locked) returning id"
            );
            sqlx::query_as(&sql)
                .bind(user_id)
                .bind(now)
                .fetch_optional(pool)
                .await
        }
    };
    match claimed {
        Ok(Some((id,))) => case(db, id).await,
        Ok(None) => Ok(None),
        // The same interviewer claimed twice at once: the other request won, return its case.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => held_by(db, user_id).await,
        Err(e) => Err(e.into()),
    }
}

/// Records a call attempt and what becomes of the case; false when the interviewer does not
/// hold the case.
pub async fn record_attempt(
    db: &Db,
    attempt: &NewAttempt,
    next: CaseNext,
) -> Result<bool, StoreError> {
    let updated = on_pool!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let updated = close_call!(tx, attempt, next);
        tx.commit().await?;
        updated
    });
    Ok(updated == 1)
}

/// Counts of a wave's cases by status, for the supervisor's overview.
pub async fn status_counts(db: &Db, wave_id: i64) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as(
        "select status, count(*) from sample_cases where wave_id = $1 group by status order by status"
    )
    .bind(wave_id)
    .fetch_all(pool)
    .await?
    }))
}

/// Number of cases in a wave.
pub async fn count(db: &Db, wave_id: i64) -> Result<i64, StoreError> {
    let (n,): (i64,) = on_pool!(db, |pool| sqlx::query_as(
        "select count(*) from sample_cases where wave_id = $1"
    )
    .bind(wave_id)
    .fetch_one(pool)
    .await?);
    Ok(n)
}

/// How long the case has been held, in seconds (the length of the call, as far as the server
/// can tell).
pub fn held_seconds(case: &CaseRow) -> i64 {
    case.held_at
        .map_or(0, |at| ((now_ms() - at).max(0) / 1000).min(86_400))
}

/// The moment (epoch ms) `minutes` from now.
pub fn minutes_from_now(minutes: i64) -> i64 {
    now_ms() + minutes * 60_000
}
