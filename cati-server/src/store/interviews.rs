//! Interviews: the engine's record as JSON, plus one row per answer with its timestamp so that
//! answers are queryable; both are written in the same transaction.

use serde::Serialize;
use uuid::Uuid;

use super::cases::{CaseNext, NewAttempt, close_call};
use super::{StoreError, Tx, new_public_id, now_ms};

/// Where an interview stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum InterviewStatus {
    /// Started and not finished (it may resume after a callback).
    InProgress,
    /// Every question asked.
    Completed,
    /// Not eligible, or its quota cells were full.
    ScreenedOut,
    /// Stopped before the end.
    BrokenOff,
}

impl InterviewStatus {
    /// Every status.
    pub const ALL: [InterviewStatus; 4] = [
        InterviewStatus::InProgress,
        InterviewStatus::Completed,
        InterviewStatus::ScreenedOut,
        InterviewStatus::BrokenOff,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            InterviewStatus::InProgress => "in_progress",
            InterviewStatus::Completed => "completed",
            InterviewStatus::ScreenedOut => "screened_out",
            InterviewStatus::BrokenOff => "broken_off",
        }
    }

    /// The French label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            InterviewStatus::InProgress => "en cours",
            InterviewStatus::Completed => "complet",
            InterviewStatus::ScreenedOut => "non éligible",
            InterviewStatus::BrokenOff => "interrompu",
        }
    }
}

impl TryFrom<String> for InterviewStatus {
    type Error = String;
    fn try_from(name: String) -> Result<InterviewStatus, String> {
        InterviewStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| format!("unknown interview status {name:?}"))
    }
}

/// An interview as stored.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct InterviewRow {
    /// Row id, for joins inside the server.
    #[serde(skip)]
    pub id: i64,
    /// Identifier outside the server.
    #[serde(rename = "id")]
    pub uuid: Uuid,
    /// The case.
    pub case_id: i64,
    /// The interviewer who started it.
    pub interviewer_id: i64,
    /// Where it stands.
    #[sqlx(try_from = "String")]
    pub status: InterviewStatus,
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
    /// The language the interviewer switched the interview to; `None`: the questionnaire's
    /// primary language.
    pub language: Option<String>,
}

/// One stored answer.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
    pub status: InterviewStatus,
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

const INTERVIEW_COLUMNS: &str = "id, uuid, case_id, interviewer_id, status, seed, record, route, \
     revision, started_at, updated_at, ended_at, language";

/// The interview of a case, if one was started.
pub async fn by_case(tx: &mut Tx, case_id: i64) -> Result<Option<InterviewRow>, StoreError> {
    let sql = format!("select {INTERVIEW_COLUMNS} from interviews where case_id = $1");
    tx.query(&sql).bind(case_id).fetch_optional().await
}

/// One interview.
pub async fn by_id(tx: &mut Tx, id: i64) -> Result<Option<InterviewRow>, StoreError> {
    let sql = format!("select {INTERVIEW_COLUMNS} from interviews where id = $1");
    tx.query(&sql).bind(id).fetch_optional().await
}

/// One interview, by its public identifier.
pub async fn by_uuid(tx: &mut Tx, uuid: Uuid) -> Result<Option<InterviewRow>, StoreError> {
    let sql = format!("select {INTERVIEW_COLUMNS} from interviews where uuid = $1");
    tx.query(&sql).bind(uuid).fetch_optional().await
}

/// Replaces the record of a running interview without an answer change (its quota decision
/// withdrawn); the revision moves on, so a tab still open on the old one is refused.
pub async fn replace_record(
    tx: &mut Tx,
    interview_id: i64,
    record: &str,
) -> Result<bool, StoreError> {
    let changed = tx
        .query(
            "update interviews set record = $1, revision = revision + 1, updated_at = $2 \
             where id = $3 and status = 'in_progress'",
        )
        .bind(record)
        .bind(now_ms())
        .bind(interview_id)
        .execute()
        .await?;
    Ok(changed == 1)
}

/// Switches a running interview, whose case the interviewer holds, to `language`; `false` when
/// the interview ended or the case changed hands. The record and its revision stay as they are:
/// a language is how questions are read, not an answer.
pub async fn set_language(
    tx: &mut Tx,
    interview_id: i64,
    interviewer_id: i64,
    language: &str,
) -> Result<bool, StoreError> {
    let changed = tx
        .query(
            "update interviews set language = $1, updated_at = $2 \
             where id = $3 and status = 'in_progress' and exists \
             (select 1 from sample_cases c where c.id = interviews.case_id and c.held_by = $4)",
        )
        .bind(language)
        .bind(now_ms())
        .bind(interview_id)
        .bind(interviewer_id)
        .execute()
        .await?;
    Ok(changed == 1)
}

/// Starts the interview of a case the interviewer holds (or returns the one already started);
/// `None` when the interviewer does not hold the case.
pub async fn start(
    tx: &mut Tx,
    case_id: i64,
    interviewer_id: i64,
    seed: i64,
    record: &str,
) -> Result<Option<InterviewRow>, StoreError> {
    let now = now_ms();
    let held = tx
        .query("update sample_cases set status = 'in_interview' where id = $1 and held_by = $2")
        .bind(case_id)
        .bind(interviewer_id)
        .execute()
        .await?;
    if held != 1 {
        return Ok(None);
    }
    tx.query(
        "insert into interviews (uuid, case_id, interviewer_id, status, seed, record, route, \
         started_at, updated_at) values ($1, $2, $3, 'in_progress', $4, $5, '[]', $6, $6) \
         on conflict (case_id) do nothing",
    )
    .bind(new_public_id())
    .bind(case_id)
    .bind(interviewer_id)
    .bind(seed)
    .bind(record)
    .bind(now)
    .execute()
    .await?;
    by_case(tx, case_id).await
}

/// Saves a change of an interview the interviewer holds, at the revision it was computed
/// from; with an ending, also records the call attempt, releases the case and moves the
/// interview's quota places (achieved for a completed interview, given back otherwise), all in
/// the caller's transaction. [`SaveOutcome::Stale`] (nothing written) when the revision moved
/// on, the interview ended or the case changed hands.
pub async fn save(
    tx: &mut Tx,
    progress: &Progress,
    ending: Option<&Ending>,
) -> Result<SaveOutcome, StoreError> {
    let now = now_ms();
    let status = ending.map_or(InterviewStatus::InProgress, |e| e.status);
    let ended_at = (status != InterviewStatus::InProgress).then_some(now);
    let updated = tx
        .query(
            "update interviews set record = $1, route = $2, revision = revision + 1, \
             updated_at = $3, status = $4, ended_at = $5 \
             where id = $6 and revision = $7 and status = 'in_progress' and exists \
             (select 1 from sample_cases c where c.id = interviews.case_id and c.held_by = $8)",
        )
        .bind(&progress.record)
        .bind(&progress.route)
        .bind(now)
        .bind(status.as_str())
        .bind(ended_at)
        .bind(progress.interview_id)
        .bind(progress.revision)
        .bind(progress.interviewer_id)
        .execute()
        .await?;
    if updated != 1 {
        return Ok(SaveOutcome::Stale);
    }
    for variable in &progress.removed {
        tx.query("delete from interview_answers where interview_id = $1 and variable = $2")
            .bind(progress.interview_id)
            .bind(variable)
            .execute()
            .await?;
    }
    for (variable, answer) in &progress.changed {
        tx.query(
            "insert into interview_answers (interview_id, variable, answer, answered_at) \
             values ($1, $2, $3, $4) on conflict (interview_id, variable) do update \
             set answer = excluded.answer, answered_at = excluded.answered_at",
        )
        .bind(progress.interview_id)
        .bind(variable)
        .bind(answer)
        .bind(now)
        .execute()
        .await?;
    }
    match status {
        InterviewStatus::InProgress => {}
        InterviewStatus::Completed => {
            super::quotas::achieve(tx, progress.interview_id).await?;
        }
        InterviewStatus::ScreenedOut | InterviewStatus::BrokenOff => {
            super::quotas::release(tx, progress.interview_id).await?;
        }
    }
    if let Some(ending) = ending {
        close_call(tx, &ending.attempt, &ending.next).await?;
    }
    Ok(SaveOutcome::Saved)
}

/// An interview's stored answers, in the order they were given.
pub async fn answers(tx: &mut Tx, interview_id: i64) -> Result<Vec<AnswerRow>, StoreError> {
    tx.query(
        "select variable, answer, answered_at from interview_answers where interview_id = $1 \
         order by answered_at, variable",
    )
    .bind(interview_id)
    .fetch_all()
    .await
}

/// Interviews of a wave by status.
pub async fn status_counts(
    tx: &mut Tx,
    wave_id: i64,
) -> Result<Vec<(InterviewStatus, i64)>, StoreError> {
    let rows: Vec<(String, i64)> = tx
        .query(
            "select i.status, count(*) from interviews i join sample_cases c on c.id = i.case_id \
             where c.wave_id = $1 group by i.status order by i.status",
        )
        .bind(wave_id)
        .fetch_all()
        .await?;
    rows.into_iter()
        .map(|(status, n)| {
            Ok((
                InterviewStatus::try_from(status).map_err(StoreError::Invalid)?,
                n,
            ))
        })
        .collect()
}
