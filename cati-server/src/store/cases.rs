//! Sample cases, their phone numbers, handing cases out and call attempts.

use serde::Serialize;

use uuid::Uuid;

use super::{StoreError, Tx, new_public_id, now_ms};

/// Where a case stands in the calling process.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Waiting in the queue (never called, or to be called again).
    Pending,
    /// An appointment was made; handed out first when due.
    Appointment,
    /// An interview was started on it.
    InInterview,
    /// Finished: it has its final disposition.
    Final,
}

impl CaseStatus {
    /// Every status, in the order of the calling process.
    pub const ALL: [CaseStatus; 4] = [
        CaseStatus::Pending,
        CaseStatus::Appointment,
        CaseStatus::InInterview,
        CaseStatus::Final,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Pending => "pending",
            CaseStatus::Appointment => "appointment",
            CaseStatus::InInterview => "in_interview",
            CaseStatus::Final => "final",
        }
    }

    /// The French label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Pending => "à appeler",
            CaseStatus::Appointment => "rendez-vous",
            CaseStatus::InInterview => "entretien commencé",
            CaseStatus::Final => "terminé",
        }
    }
}

impl TryFrom<String> for CaseStatus {
    type Error = String;
    fn try_from(name: String) -> Result<CaseStatus, String> {
        CaseStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| format!("unknown case status {name:?}"))
    }
}

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
    /// The replicate (random batch) the case belongs to, released later; `None`: released now.
    pub replicate: Option<i64>,
}

/// A case as stored. Outside the server it is known by its UUID (serialised as `id`).
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CaseRow {
    /// Row id, for joins inside the server.
    #[serde(skip)]
    pub id: i64,
    /// Identifier outside the server.
    #[serde(rename = "id")]
    pub uuid: Uuid,
    /// Wave row id.
    #[serde(skip)]
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
    /// Where the case stands.
    #[sqlx(try_from = "String")]
    pub status: CaseStatus,
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
    /// Hand-out priority, lower first (`fieldwork::Priority::value`).
    pub priority: i64,
    /// Only refusal converters get it.
    pub needs_converter: bool,
    /// Interviewer who booked its hard appointment, who keeps it until `reserved_until`.
    #[serde(skip)]
    pub reserved_for: Option<i64>,
    /// Until when the booking interviewer keeps the appointment (epoch ms).
    pub reserved_until: Option<i64>,
    /// End of a soft appointment's period (epoch ms).
    pub appointment_until: Option<i64>,
    /// The respondent did not pick up at the appointment.
    pub missed_appointment: bool,
    /// Current AAPOR disposition (final once the case is final); none while not released.
    pub disposition: Option<String>,
}

/// One phone number of a case.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PhoneRow {
    /// Dialling order.
    pub position: i64,
    /// E.164 number.
    pub e164: String,
}

/// One call attempt.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
    /// End of the period of a soft appointment agreed (epoch ms).
    pub appointment_until: Option<i64>,
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
    /// When the call ended (epoch ms).
    pub ended_at: i64,
    /// The appointment it booked (epoch ms): the time of a hard one, the start of a soft one.
    pub appointment_at: Option<i64>,
    /// The end of a soft appointment's period (epoch ms).
    pub appointment_until: Option<i64>,
    /// The case's status while it was called.
    pub status_before: CaseStatus,
}

/// What becomes of a case after a call, as the calling rules decided it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseNext {
    /// Back in the queue.
    Queued(Queued),
    /// Finished, with its AAPOR disposition.
    Final {
        /// The final AAPOR disposition code.
        aapor: String,
    },
}

/// A case back in the queue: when, at which priority, for whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    /// Not handed out before (epoch ms); always inside a calling window.
    pub ready_at: i64,
    /// Hand-out priority, lower first.
    pub priority: i64,
    /// Only refusal converters get it.
    pub needs_converter: bool,
    /// The appointment it waits for: its time, or the start of its period (epoch ms).
    pub appointment_at: Option<i64>,
    /// The end of a soft appointment's period (epoch ms).
    pub appointment_until: Option<i64>,
    /// The interviewer who keeps a hard appointment until `reserved_until`.
    pub reserved_for: Option<i64>,
    /// Until when (epoch ms).
    pub reserved_until: Option<i64>,
    /// The respondent did not pick up at the appointment.
    pub missed_appointment: bool,
    /// Its AAPOR disposition so far.
    pub disposition: String,
}

/// Records a call attempt and releases the case; returns false, changing nothing, when the
/// interviewer does not hold the case. A final outcome also ends the case's interview if it was
/// left partial, and gives back the quota places that interview held.
///
/// Live views hear of the call only when the case changes status: a recall (no answer, busy…)
/// changes no dashboard figure, and on PostgreSQL a notifying transaction commits alone (the
/// notification queue is locked until its commit is flushed), which made outcome saves queue
/// behind each other under load.
pub async fn close_call(
    tx: &mut Tx,
    attempt: &NewAttempt,
    next: &CaseNext,
) -> Result<bool, StoreError> {
    let now = attempt.ended_at;
    let updated: Option<(i64,)> = match next {
        CaseNext::Queued(queued) => {
            let status = match queued.appointment_at {
                Some(_) => CaseStatus::Appointment,
                None => CaseStatus::Pending,
            };
            tx.query(
                "update sample_cases set held_by = null, held_at = null, status = $1, \
                 next_call_at = $2, appointment_at = $3, attempts = attempts + 1, \
                 last_call_at = $4, priority = $5, due = false, needs_converter = $6, \
                 reserved_for = $7, reserved_until = $8, appointment_until = $9, \
                 missed_appointment = $10, disposition = $11 \
                 where id = $12 and held_by = $13 returning wave_id",
            )
            .bind(status.as_str())
            .bind(queued.ready_at)
            .bind(queued.appointment_at)
            .bind(now)
            .bind(queued.priority)
            .bind(queued.needs_converter)
            .bind(queued.reserved_for)
            .bind(queued.reserved_until)
            .bind(queued.appointment_until)
            .bind(queued.missed_appointment)
            .bind(&queued.disposition)
            .bind(attempt.case_id)
            .bind(attempt.interviewer_id)
            .fetch_optional()
            .await?
        }
        CaseNext::Final { aapor } => {
            tx.query(
                "update sample_cases set held_by = null, held_at = null, status = 'final', \
                 next_call_at = null, appointment_at = null, attempts = attempts + 1, \
                 last_call_at = $1, due = false, reserved_for = null, reserved_until = null, \
                 appointment_until = null, missed_appointment = false, final_outcome = $2, \
                 final_aapor = $3, disposition = $3 where id = $4 and held_by = $5 \
                 returning wave_id",
            )
            .bind(now)
            .bind(&attempt.outcome)
            .bind(aapor)
            .bind(attempt.case_id)
            .bind(attempt.interviewer_id)
            .fetch_optional()
            .await?
        }
    };
    let Some((wave_id,)) = updated else {
        return Ok(false);
    };
    let status_after = match next {
        CaseNext::Queued(queued) if queued.appointment_at.is_some() => CaseStatus::Appointment,
        CaseNext::Queued(_) => CaseStatus::Pending,
        CaseNext::Final { .. } => CaseStatus::Final,
    };
    if matches!(next, CaseNext::Final { .. }) {
        let left: Option<(i64,)> = tx
            .query(
                "update interviews set status = 'broken_off', ended_at = $1 \
                 where case_id = $2 and status = 'in_progress' returning id",
            )
            .bind(now)
            .bind(attempt.case_id)
            .fetch_optional()
            .await?;
        if let Some((interview_id,)) = left {
            super::quotas::release(tx, interview_id).await?;
        }
    }
    tx.query(
        "insert into call_attempts (case_id, interviewer_id, started_at, ended_at, \
         number_dialled, outcome, aapor_code, note, duration_s, appointment_at, \
         appointment_until) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(attempt.case_id)
    .bind(attempt.interviewer_id)
    .bind(attempt.started_at())
    .bind(now)
    .bind(&attempt.number_dialled)
    .bind(&attempt.outcome)
    .bind(&attempt.aapor_code)
    .bind(&attempt.note)
    .bind(attempt.duration_s)
    .bind(attempt.appointment_at)
    .bind(attempt.appointment_until)
    .execute()
    .await?;
    if status_after != attempt.status_before {
        tx.announce(super::Change::Wave(wave_id)).await?;
    }
    Ok(true)
}

impl NewAttempt {
    /// When the number was dialled (epoch ms).
    pub fn started_at(&self) -> i64 {
        self.ended_at - self.duration_s * 1000
    }
}

/// Whether `e164` is a French geographic line (01 to 05) or a box line (09): the respondent
/// lives where the sample says, so a commune whose quotas are exhausted skips it.
pub fn is_fixed_line(e164: &str) -> bool {
    ["+331", "+332", "+333", "+334", "+335", "+339"]
        .iter()
        .any(|prefix| e164.starts_with(prefix))
}

/// `($1, …, $n), ($n+1, …), …`: the values of a multi-row `insert` of `rows` rows of
/// `per_row` parameters.
fn rows_of_placeholders(rows: usize, per_row: usize) -> String {
    (0..rows)
        .map(|row| {
            let row: Vec<String> = (1..=per_row)
                .map(|column| format!("${}", row * per_row + column))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds cases to a wave, skipping external identifiers already present; returns how many were
/// added. Cases go in by multi-row statements, hundreds at a time (one round trip each rather
/// than one per case and per number). A case with a replicate waits for its release; one
/// without is dialled at once.
pub async fn insert_cases(
    tx: &mut Tx,
    wave_id: i64,
    cases: &[NewCase],
    now: i64,
) -> Result<u64, StoreError> {
    let mut added = 0;
    let cases_per_statement = tx.rows_per_statement(15);
    let phones_per_statement = tx.rows_per_statement(3);
    for batch in cases.chunks(cases_per_statement) {
        let sql = format!(
            "insert into sample_cases (uuid, wave_id, external_id, commune_code, commune_name, \
             preload, synthetic, status, created_at, replicate, released, next_call_at, due, \
             fixed_line, disposition) values {} \
             on conflict (wave_id, external_id) do nothing returning id, external_id",
            rows_of_placeholders(batch.len(), 15)
        );
        let mut statement = tx.query(&sql);
        for case in batch {
            statement = statement
                .bind(new_public_id())
                .bind(wave_id)
                .bind(&case.external_id)
                .bind(&case.commune_code)
                .bind(&case.commune_name)
                .bind(case.preload.to_string())
                .bind(case.synthetic)
                .bind(CaseStatus::Pending.as_str())
                .bind(now)
                .bind(case.replicate)
                .bind(case.replicate.is_none())
                .bind(now)
                .bind(case.replicate.is_none())
                .bind(case.phones.first().is_some_and(|p| is_fixed_line(p)))
                .bind(case.replicate.is_none().then_some(NOT_ATTEMPTED));
        }
        let inserted: Vec<(i64, String)> = statement.fetch_all().await?;
        added += inserted.len() as u64;
        let by_key: std::collections::HashMap<&str, &NewCase> = batch
            .iter()
            .map(|case| (case.external_id.as_str(), case))
            .collect();
        let phones: Vec<(i64, i64, &str)> = inserted
            .iter()
            .filter_map(|(id, key)| by_key.get(key.as_str()).map(|case| (*id, *case)))
            .flat_map(|(id, case)| {
                (1_i64..)
                    .zip(&case.phones)
                    .map(move |(position, phone)| (id, position, phone.as_str()))
            })
            .collect();
        for chunk in phones.chunks(phones_per_statement) {
            let sql = format!(
                "insert into case_phones (case_id, position, e164) values {}",
                rows_of_placeholders(chunk.len(), 3)
            );
            let mut statement = tx.query(&sql);
            for (id, position, phone) in chunk {
                statement = statement.bind(*id).bind(*position).bind(*phone);
            }
            statement.execute().await?;
        }
    }
    if added > 0 {
        tx.announce(super::Change::Wave(wave_id)).await?;
    }
    Ok(added)
}

/// The AAPOR disposition of a released case never called.
pub const NOT_ATTEMPTED: &str = "3.11";

pub(super) const CASE_COLUMNS: &str = "id, uuid, wave_id, external_id, commune_code, commune_name, preload, \
     synthetic, status, held_by, held_at, next_call_at, appointment_at, attempts, last_call_at, \
     final_outcome, final_aapor, priority, needs_converter, reserved_for, reserved_until, \
     appointment_until, missed_appointment, disposition";

/// One case.
pub async fn case(tx: &mut Tx, id: i64) -> Result<Option<CaseRow>, StoreError> {
    let sql = format!("select {CASE_COLUMNS} from sample_cases where id = $1");
    tx.query(&sql).bind(id).fetch_optional().await
}

/// One case, by its public identifier.
pub async fn by_uuid(tx: &mut Tx, uuid: Uuid) -> Result<Option<CaseRow>, StoreError> {
    let sql = format!("select {CASE_COLUMNS} from sample_cases where uuid = $1");
    tx.query(&sql).bind(uuid).fetch_optional().await
}

/// The case an interviewer holds, if any.
pub async fn held_by(tx: &mut Tx, user_id: i64) -> Result<Option<CaseRow>, StoreError> {
    let sql = format!("select {CASE_COLUMNS} from sample_cases where held_by = $1");
    tx.query(&sql).bind(user_id).fetch_optional().await
}

/// A page of a wave's sample, by identifier.
pub async fn list(
    tx: &mut Tx,
    wave_id: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<CaseRow>, StoreError> {
    let sql = format!(
        "select {CASE_COLUMNS} from sample_cases where wave_id = $1 order by id limit $2 offset $3"
    );
    tx.query(&sql)
        .bind(wave_id)
        .bind(limit)
        .bind(offset)
        .fetch_all()
        .await
}

/// What a manager searches the sample for (every field optional, all must match).
#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    /// Identifier in the sample file.
    pub external_id: Option<String>,
    /// A phone number (E.164).
    pub phone: Option<String>,
    /// INSEE code of the commune.
    pub commune_code: Option<String>,
    /// Status.
    pub status: Option<CaseStatus>,
    /// Final AAPOR disposition code.
    pub aapor: Option<String>,
}

/// A page of a wave's cases matching `filter`, by identifier, after the case `after` (its row
/// id; keyset paging, so that page 5,000 costs what page 1 costs).
pub async fn search(
    tx: &mut Tx,
    wave_id: i64,
    filter: &CaseFilter,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<CaseRow>, StoreError> {
    let mut sql = format!("select {CASE_COLUMNS} from sample_cases where wave_id = $1");
    let mut params: Vec<super::Param> = vec![wave_id.into()];
    let mut condition = |sql: &mut String, clause: &str, value: super::Param| {
        params.push(value);
        sql.push_str(&format!(" and {clause} ${}", params.len()));
    };
    if let Some(v) = &filter.external_id {
        condition(&mut sql, "external_id =", v.into());
    }
    if let Some(v) = &filter.commune_code {
        condition(&mut sql, "commune_code =", v.into());
    }
    if let Some(v) = filter.status {
        condition(&mut sql, "status =", v.as_str().into());
    }
    if let Some(v) = &filter.aapor {
        condition(&mut sql, "final_aapor =", v.into());
    }
    if let Some(v) = &filter.phone {
        params.push(v.into());
        sql.push_str(&format!(
            " and id in (select case_id from case_phones where e164 = ${})",
            params.len()
        ));
    }
    if let Some(after) = after {
        params.push(after.into());
        sql.push_str(&format!(" and id > ${}", params.len()));
    }
    params.push(limit.into());
    sql.push_str(&format!(" order by id limit ${}", params.len()));
    let mut statement = tx.query(&sql);
    for param in params {
        statement = statement.bind(param);
    }
    statement.fetch_all().await
}

/// Releases a case an interviewer holds (a manager's action); false when nobody held it.
pub async fn release(tx: &mut Tx, case_id: i64) -> Result<bool, StoreError> {
    let released = tx
        .query(&format!(
            "update sample_cases set held_by = null, held_at = null, \
                 priority = {INTERRUPTED_PRIORITY}, \
                 status = case when status = 'in_interview' then 'pending' else status end \
                 where id = $1 and held_by is not null returning wave_id"
        ))
        .bind(case_id)
        .fetch_optional::<(i64,)>()
        .await?;
    if let Some((wave_id,)) = released {
        tx.announce(super::Change::Wave(wave_id)).await?;
    }
    Ok(released.is_some())
}

/// Hands a case nobody holds and not final to an interviewer who holds none (a manager's
/// action); false when the case is held or final. The interviewer already holding a case is
/// refused by the unique index on `held_by` (a unique violation the caller reports).
pub async fn assign(
    tx: &mut Tx,
    case_id: i64,
    interviewer_id: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let assigned = tx
        .query(
            "update sample_cases set held_by = $1, held_at = $2, due = false \
             where id = $3 and held_by is null and status <> 'final'",
        )
        .bind(interviewer_id)
        .bind(now)
        .bind(case_id)
        .execute()
        .await?;
    Ok(assigned == 1)
}

/// Sets when a case not held and not final is next called (a manager's action); false when it
/// is held or final.
pub async fn reschedule(tx: &mut Tx, case_id: i64, at: i64) -> Result<bool, StoreError> {
    let changed = tx
        .query(
            "update sample_cases set next_call_at = $1, due = false, \
             status = case when status = 'appointment' then 'appointment' else 'pending' end, \
             appointment_at = case when status = 'appointment' then $1 else appointment_at end \
             where id = $2 and held_by is null and status <> 'final'",
        )
        .bind(at)
        .bind(case_id)
        .execute()
        .await?;
    Ok(changed == 1)
}

/// Closes a case not held with a final disposition (a manager's action): a partial interview
/// ends broken off and gives back its quota places. False when it is held or already final.
pub async fn finalise(
    tx: &mut Tx,
    case_id: i64,
    outcome: &str,
    aapor: &str,
) -> Result<bool, StoreError> {
    let closed: Option<(i64,)> = tx
        .query(
            "update sample_cases set status = 'final', final_outcome = $1, final_aapor = $2, \
             disposition = $2, next_call_at = null, appointment_at = null, due = false, \
             reserved_for = null, reserved_until = null \
             where id = $3 and held_by is null and status <> 'final' returning wave_id",
        )
        .bind(outcome)
        .bind(aapor)
        .bind(case_id)
        .fetch_optional()
        .await?;
    let Some((wave_id,)) = closed else {
        return Ok(false);
    };
    let left: Option<(i64,)> = tx
        .query(
            "update interviews set status = 'broken_off', ended_at = $1 \
             where case_id = $2 and status = 'in_progress' returning id",
        )
        .bind(now_ms())
        .bind(case_id)
        .fetch_optional()
        .await?;
    if let Some((interview_id,)) = left {
        super::quotas::release(tx, interview_id).await?;
    }
    tx.announce(super::Change::Wave(wave_id)).await?;
    Ok(true)
}

/// A case's phone numbers in dialling order.
pub async fn phones(tx: &mut Tx, case_id: i64) -> Result<Vec<PhoneRow>, StoreError> {
    tx.query("select position, e164 from case_phones where case_id = $1 order by position")
        .bind(case_id)
        .fetch_all()
        .await
}

/// A case's call attempts, oldest first.
pub async fn attempts(tx: &mut Tx, case_id: i64) -> Result<Vec<AttemptRow>, StoreError> {
    tx.query(
        "select a.id, u.username as interviewer, a.started_at, a.number_dialled, a.outcome, \
         a.aapor_code, a.note, a.duration_s, a.appointment_at, a.appointment_until \
         from call_attempts a \
         join users u on u.id = a.interviewer_id where a.case_id = $1 order by a.id",
    )
    .bind(case_id)
    .fetch_all()
    .await
}

/// Cases of a wave by status (from the counters: the cost does not grow with the sample).
pub async fn status_counts(
    tx: &mut Tx,
    wave_id: i64,
) -> Result<Vec<(CaseStatus, i64)>, StoreError> {
    let mut counts: Vec<(CaseStatus, i64)> = Vec::new();
    for row in super::counts::sample(tx, wave_id).await? {
        match counts.iter_mut().find(|(s, _)| *s == row.status) {
            Some((_, n)) => *n += row.cases,
            None => counts.push((row.status, row.cases)),
        }
    }
    counts.retain(|(_, n)| *n > 0);
    counts.sort_by_key(|(s, _)| s.as_str());
    Ok(counts)
}

/// Number of cases in a wave (from the counters).
pub async fn count(tx: &mut Tx, wave_id: i64) -> Result<i64, StoreError> {
    Ok(status_counts(tx, wave_id)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum())
}

/// Releases every case of a wave that an interviewer still holds (the wave closes); returns
/// how many. Their interviews, if any, stay as they are.
pub async fn release_holds(tx: &mut Tx, wave_id: i64) -> Result<u64, StoreError> {
    tx.query(
        "update sample_cases set held_by = null, held_at = null \
         where wave_id = $1 and held_by is not null",
    )
    .bind(wave_id)
    .execute()
    .await
}

/// Cases held since before `cutoff` (epoch ms) whose interview, if one is running, was not
/// saved since either: their interviewer has gone. Reads only the held cases (the partial
/// unique index on `held_by`), never the sample.
pub async fn abandoned(tx: &mut Tx, cutoff: i64) -> Result<Vec<CaseRow>, StoreError> {
    let sql = format!(
        "select {CASE_COLUMNS} from sample_cases c where c.held_by is not null \
         and c.held_at < $1 and not exists (select 1 from interviews i where i.case_id = c.id \
           and i.status = 'in_progress' and i.updated_at >= $1)"
    );
    tx.query(&sql).bind(cutoff).fetch_all().await
}

/// The priority of a case whose interview was interrupted (`fieldwork::Tier::InterruptedInterview`,
/// by attempts), when a held case goes back to the queue in the middle of its interview.
const INTERRUPTED_PRIORITY: &str = "case when status = 'in_interview' then 200 + (case when attempts > 99 then 99 \
     else attempts end) else priority end";

/// Puts an abandoned case back in the queue, callable at once (at `now`): a case whose
/// interview had started goes back to `pending` with the priority of an interrupted interview
/// (it resumes with whoever gets it), an appointment stays an appointment. False when someone
/// else changed it meanwhile.
pub async fn release_abandoned(tx: &mut Tx, case: &CaseRow, now: i64) -> Result<bool, StoreError> {
    let status = match case.status {
        CaseStatus::InInterview => CaseStatus::Pending,
        other => other,
    };
    let released = tx
        .query(&format!(
            "update sample_cases set held_by = null, held_at = null, status = $1, \
                 priority = {INTERRUPTED_PRIORITY}, next_call_at = $5, due = false \
                 where id = $2 and held_by = $3 and held_at = $4"
        ))
        .bind(status.as_str())
        .bind(case.id)
        .bind(case.held_by)
        .bind(case.held_at)
        .bind(now)
        .execute()
        .await?;
    if released == 1 {
        tx.announce(super::Change::Wave(case.wave_id)).await?;
    }
    Ok(released == 1)
}

/// How long the case has been held, in seconds (the length of the call, as far as the server
/// can tell).
pub fn held_seconds(case: &CaseRow, now: i64) -> i64 {
    case.held_at
        .map_or(0, |at| ((now - at).max(0) / 1000).min(86_400))
}

/// One call of a wave, for productivity figures.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CallLine {
    /// Interviewer's login name.
    pub interviewer: String,
    /// Start (epoch ms).
    pub started_at: i64,
    /// End (epoch ms).
    pub ended_at: i64,
    /// Outcome name.
    pub outcome: String,
}

/// The calls of a wave started in `[from, to)` (epoch ms), by the index on call start: the cost
/// follows the calls of the period, not the sample.
pub async fn calls_between(
    tx: &mut Tx,
    wave_id: i64,
    from: i64,
    to: i64,
) -> Result<Vec<CallLine>, StoreError> {
    tx.query(
        "select u.username as interviewer, a.started_at, a.ended_at, a.outcome \
         from call_attempts a join sample_cases c on c.id = a.case_id \
         join users u on u.id = a.interviewer_id \
         where a.started_at >= $2 and a.started_at < $3 and c.wave_id = $1 \
         order by u.username, a.started_at",
    )
    .bind(wave_id)
    .bind(from)
    .bind(to)
    .fetch_all()
    .await
}

/// A wave's cases waiting for an appointment, soonest first (at most `limit`).
pub async fn appointments(
    tx: &mut Tx,
    wave_id: i64,
    limit: i64,
) -> Result<Vec<CaseRow>, StoreError> {
    let sql = format!(
        "select {CASE_COLUMNS} from sample_cases where wave_id = $1 and status = 'appointment' \
         and held_by is null order by appointment_at limit $2"
    );
    tx.query(&sql).bind(wave_id).bind(limit).fetch_all().await
}
