//! Interviews: the engine's record as JSON, plus one row per answer with its timestamp so that
//! answers are queryable; both are written in the same transaction.

use serde::Serialize;

use super::cases::{CaseNext, NewAttempt, close_call};
use super::{Db, StoreError, WritePool, now_ms, on_pool};

/// An interview as stored.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct InterviewRow {
    /// Identifier.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// The interviewer who started it.
    pub interviewer_id: i64,
    /// `in_progress`, `completed`, `screened_out` or `broken_off`.
    pub status: String,
    /// Randomisation seed (the engine's `u64`, stored bit for bit).
    pub seed: i64,
    /// The engine's record (JSON text).
    pub record: String,
    /// Steps answered, in route order (JSON array text).
    pub route: String,
    /// Bumped by every save.
    pub revision: i64,
    /// Start (epoch ms).
    pub started_at: i64,
    /// Last save (epoch ms).
    pub updated_at: i64,
    /// End (epoch ms).
    pub ended_at: Option<i64>,
}

/// One stored answer.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct AnswerRow {
    /// Variable.
    pub variable: String,
    /// The engine's answer (JSON text).
    pub answer: String,
    /// When it was given (epoch ms).
    pub answered_at: i64,
}

/// A change to save after the engine accepted an answer or moved back.
#[derive(Clone, Debug)]
pub struct Progress {
    /// The interview.
    pub interview_id: i64,
    /// The revision the change was computed from.
    pub revision: i64,
    /// The interviewer, who must hold the interview's case.
    pub interviewer_id: i64,
    /// The new record (JSON text).
    pub record: String,
    /// The new route (JSON array text).
    pub route: String,
    /// Answers added or changed: variable and answer JSON text.
    pub changed: Vec<(String, String)>,
    /// Variables whose answers were removed.
    pub removed: Vec<String>,
}

/// How an interview ends, with the call attempt that closes its case.
#[derive(Clone, Debug)]
pub struct Ending {
    /// New interview status (`completed`, `screened_out`, `broken_off`), or `in_progress` for a
    /// callback that resumes later.
    pub status: &'static str,
    /// The call attempt.
    pub attempt: NewAttempt,
    /// What becomes of the case.
    pub next: CaseNext,
}

/// Why a save was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Committed.
    Saved,
    /// The interview changed since it was read, or its case is not held by this interviewer.
    Stale,
}

const INTERVIEW_COLUMNS: &str = "id, case_id, interviewer_id, status, seed, record, route, \
     revision, started_at, updated_at, ended_at";

/// The interview of a case, if started.
pub async fn by_case(db: &Db, case_id: i64) -> Result<Option<InterviewRow>, StoreError> {
    let sql = format!("select {INTERVIEW_COLUMNS} from interviews where case_id = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, InterviewRow>(&sql)
        .bind(case_id)
        .fetch_optional(pool)
        .await?))
}

/// One interview.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<InterviewRow>, StoreError> {
    let sql = format!("select {INTERVIEW_COLUMNS} from interviews where id = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, InterviewRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// Starts the interview of a case held by `interviewer_id`, or returns the one already
/// started (a respondent called back resumes where they stopped). `None` when the case is not
/// held by this interviewer.
pub async fn start(
    db: &Db,
    case_id: i64,
    interviewer_id: i64,
    seed: i64,
    record: &str,
) -> Result<Option<InterviewRow>, StoreError> {
    let now = now_ms();
    let held = on_pool!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let held = sqlx::query(
            "update sample_cases set status = 'in_interview' where id = $1 and held_by = $2",
        )
        .bind(case_id)
        .bind(interviewer_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if held == 1 {
            sqlx::query(
                "insert into interviews (case_id, interviewer_id, status, seed, record, route, \
                 started_at, updated_at) values ($1, $2, 'in_progress', $3, $4, '[]', $5, $5) \
                 on conflict (case_id) do nothing",
            )
            .bind(case_id)
            .bind(interviewer_id)
            .bind(seed)
            .bind(record)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        held
    });
    if held == 1 {
        by_case(db, case_id).await
    } else {
        Ok(None)
    }
}

/// Saves progress (and, with `ending`, ends the interview and closes its case) in one
/// transaction, if the interview is still at `progress.revision`, in progress, and its case is
/// held by the interviewer.
pub async fn save(
    db: &Db,
    progress: &Progress,
    ending: Option<&Ending>,
) -> Result<SaveOutcome, StoreError> {
    let now = now_ms();
    let status = ending.map_or("in_progress", |e| e.status);
    let ended_at = ending.filter(|e| e.status != "in_progress").map(|_| now);
    let saved = on_pool!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let updated = sqlx::query(
            "update interviews set record = $1, route = $2, revision = revision + 1, \
             updated_at = $3, status = $4, ended_at = $5 \
             where id = $6 and revision = $7 and status = 'in_progress' and exists \
             (select 1 from sample_cases c where c.id = interviews.case_id and c.held_by = $8)",
        )
        .bind(&progress.record)
        .bind(&progress.route)
        .bind(now)
        .bind(status)
        .bind(ended_at)
        .bind(progress.interview_id)
        .bind(progress.revision)
        .bind(progress.interviewer_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 1 {
            for variable in &progress.removed {
                sqlx::query(
                    "delete from interview_answers where interview_id = $1 and variable = $2",
                )
                .bind(progress.interview_id)
                .bind(variable)
                .execute(&mut *tx)
                .await?;
            }
            for (variable, answer) in &progress.changed {
                sqlx::query(
                    "insert into interview_answers (interview_id, variable, answer, answered_at) \
                     values ($1, $2, $3, $4) on conflict (interview_id, variable) do update \
                     set answer = excluded.answer, answered_at = excluded.answered_at",
                )
                .bind(progress.interview_id)
                .bind(variable)
                .bind(answer)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(ending) = ending {
                close_call!(tx, &ending.attempt, ending.next);
            }
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        updated
    });
    Ok(if saved == 1 {
        SaveOutcome::Saved
    } else {
        SaveOutcome::Stale
    })
}

/// The stored answers of an interview, by variable.
pub async fn answers(db: &Db, interview_id: i64) -> Result<Vec<AnswerRow>, StoreError> {
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, AnswerRow>(
        "select variable, answer, answered_at from interview_answers where interview_id = $1 \
         order by answered_at, variable"
    )
    .bind(interview_id)
    .fetch_all(pool)
    .await?))
}

/// Counts of a wave's interviews by status (for analysts: no personal data).
pub async fn status_counts(db: &Db, wave_id: i64) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(on_pool!(db, |pool| sqlx::query_as(
        "select i.status, count(*) from interviews i join sample_cases c on c.id = i.case_id \
         where c.wave_id = $1 group by i.status order by i.status"
    )
    .bind(wave_id)
    .fetch_all(pool)
    .await?))
}
