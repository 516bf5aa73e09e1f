//! Handing cases out without reading the sample.
//!
//! The calling rules decide, when a call is recorded, when a case is next callable
//! (`next_call_at`) and its priority (lower first); the hand-out then only picks:
//!
//! 1. [`promote`] marks `due` a bounded batch of waiting cases whose time has come (the
//!    `sample_cases_waiting` index, oldest first);
//! 2. [`reserved`], [`first_tiers`] and [`in_commune`] each find the best due case of one
//!    group by one seek in a partial index on due cases (`sample_cases_reserved`,
//!    `sample_cases_ready_first`, `sample_cases_ready`), every column before the order being
//!    fixed by equality, so the database reads the first entry and stops;
//! 3. [`take`] gives the case to the interviewer.
//!
//! On PostgreSQL each pick locks its row with `for update skip locked`, so concurrent claims
//! take different cases instead of queueing on the same one; on SQLite claims run one at a time
//! in the write transaction. A case reserved for the interviewer who booked its hard
//! appointment is skipped by others until `reserved_until`.

use super::cases::{CASE_COLUMNS, CaseRow};
use super::{Backend, StoreError, Tx};

/// Waiting cases marked due per claim: bounds the claim's work when many cases become due at
/// once (a window opening on the next-day recalls); the rest follow at the next claims.
pub const PROMOTE_BATCH: i64 = 500;

/// Who claims, and when.
#[derive(Clone, Copy, Debug)]
pub struct Claimant {
    /// The interviewer's row id.
    pub user_id: i64,
    /// Whether the interviewer converts refusals.
    pub converter: bool,
    /// The instant of the claim (epoch ms).
    pub now: i64,
}

/// A due case found, with what orders it against the other groups' finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub struct Pick {
    /// Priority, lower first.
    pub priority: i64,
    /// Ready since (epoch ms), oldest first.
    pub next_call_at: i64,
    /// The case.
    pub id: i64,
}

/// A case reserved for someone else is skipped until its reservation ends.
const NOT_RESERVED_FOR_OTHERS: &str =
    "(reserved_for is null or reserved_for = $2 or reserved_until <= $3)";

fn locking(tx: &Tx) -> &'static str {
    match tx.backend() {
        Backend::Sqlite => "",
        Backend::Postgres => " for update skip locked",
    }
}

/// Marks due at most `limit` waiting cases ready at `now`, oldest first; returns how many.
pub async fn promote(tx: &mut Tx, now: i64, limit: i64) -> Result<u64, StoreError> {
    let sql = format!(
        "update sample_cases set due = true where id in (select id from sample_cases \
         where not due and held_by is null and released \
           and status in ('pending', 'appointment') and next_call_at <= $1 \
         order by next_call_at limit $2{})",
        locking(tx)
    );
    tx.query(&sql).bind(now).bind(limit).execute().await
}

/// The best due case the claimant booked a hard appointment on.
pub async fn reserved(tx: &mut Tx, who: Claimant) -> Result<Option<Pick>, StoreError> {
    let sql = format!(
        "select priority, next_call_at, id from sample_cases \
         where reserved_for = $1 and due and wave_id in \
           (select id from waves where status = 'open') \
         order by priority, next_call_at limit 1{}",
        locking(tx)
    );
    tx.query(&sql).bind(who.user_id).fetch_optional().await
}

/// The best due case of a wave in the first tiers (appointments, missed appointments,
/// interrupted interviews: priority under 300), wherever it lives.
pub async fn first_tiers(
    tx: &mut Tx,
    wave_id: i64,
    who: Claimant,
) -> Result<Option<Pick>, StoreError> {
    let sql = format!(
        "select priority, next_call_at, id from sample_cases \
         where due and priority < 300 and wave_id = $1 and {NOT_RESERVED_FOR_OTHERS} \
           and (not needs_converter or $4) \
         order by priority, next_call_at limit 1{}",
        locking(tx)
    );
    tx.query(&sql)
        .bind(wave_id)
        .bind(who.user_id)
        .bind(who.now)
        .bind(who.converter)
        .fetch_optional()
        .await
}

/// One group of a commune's due cases: for converters or not, fixed lines or not.
#[derive(Clone, Copy, Debug)]
pub struct Group<'a> {
    /// The wave.
    pub wave_id: i64,
    /// INSEE code; `None` for cases without commune.
    pub commune: Option<&'a str>,
    /// Cases for refusal converters.
    pub needs_converter: bool,
    /// Cases whose first number is a fixed line.
    pub fixed_line: bool,
}

/// The best due case of one group.
pub async fn in_commune(
    tx: &mut Tx,
    group: Group<'_>,
    who: Claimant,
) -> Result<Option<Pick>, StoreError> {
    let commune = match group.commune {
        Some(_) => "commune_code = $6",
        None => "commune_code is null",
    };
    let sql = format!(
        "select priority, next_call_at, id from sample_cases \
         where due and wave_id = $1 and {commune} and needs_converter = $4 \
           and fixed_line = $5 and {NOT_RESERVED_FOR_OTHERS} \
         order by priority, next_call_at limit 1{}",
        locking(tx)
    );
    let mut query = tx
        .query(&sql)
        .bind(group.wave_id)
        .bind(who.user_id)
        .bind(who.now)
        .bind(group.needs_converter)
        .bind(group.fixed_line);
    if let Some(code) = group.commune {
        query = query.bind(code);
    }
    query.fetch_optional().await
}

/// Gives the due case `case_id` to the claimant and returns it; `None` when it is no longer
/// due or its wave no longer open.
pub async fn take(tx: &mut Tx, case_id: i64, who: Claimant) -> Result<Option<CaseRow>, StoreError> {
    let sql = format!(
        "update sample_cases set held_by = $1, held_at = $2, due = false \
         where id = $3 and due and wave_id in (select id from waves where status = 'open') \
         returning {CASE_COLUMNS}"
    );
    tx.query(&sql)
        .bind(who.user_id)
        .bind(who.now)
        .bind(case_id)
        .fetch_optional()
        .await
}

/// What a claim needs to know of the interviewer and the queue before it takes the write lock.
#[derive(Clone, Copy, Debug, Default, sqlx::FromRow)]
pub struct Outlook {
    /// The interviewer converts refusals.
    pub converter: bool,
    /// A hard appointment the interviewer booked has come.
    pub reserved_ready: bool,
    /// Some waiting case's time has come: the claim must mark it due first.
    pub waiting_ready: bool,
}

/// The [`Outlook`] of the interviewer `user_id` at `now`, in one read by three indexes.
pub async fn outlook(tx: &mut Tx, user_id: i64, now: i64) -> Result<Outlook, StoreError> {
    let row: Option<Outlook> = tx
        .query(
            "select u.refusal_converter as converter, \
               exists (select 1 from sample_cases r where r.reserved_for = u.id \
                 and r.held_by is null and r.next_call_at <= $2) as reserved_ready, \
               exists (select 1 from sample_cases w where not w.due and w.held_by is null \
                 and w.released and w.status in ('pending', 'appointment') \
                 and w.next_call_at <= $2) as waiting_ready \
             from users u where u.id = $1",
        )
        .bind(user_id)
        .bind(now)
        .fetch_optional()
        .await?;
    Ok(row.unwrap_or_default())
}

/// An open wave, with what decides whether it may be called now.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OpenWave {
    /// Row id.
    pub id: i64,
    /// Its calling rules (JSON text; `None`: the defaults).
    pub calling_rules: Option<String>,
    /// Its last day of calls (`YYYY-MM-DD`).
    pub field_end: Option<String>,
}

/// The open waves.
pub async fn open_waves(tx: &mut Tx) -> Result<Vec<OpenWave>, StoreError> {
    tx.query("select id, calling_rules, field_end from waves where status = 'open' order by id")
        .fetch_all()
        .await
}

/// The communes of a wave's sample ('' for cases without commune), from the counters.
pub async fn sample_communes(tx: &mut Tx, wave_id: i64) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = tx
        .query(
            "select commune_code from sample_counts \
             where wave_id = $1 and status in ('pending', 'appointment') \
             group by commune_code having sum(cases) > 0 order by commune_code",
        )
        .bind(wave_id)
        .fetch_all()
        .await?;
    Ok(rows.into_iter().map(|(code,)| code).collect())
}

/// Marks an interviewer as a refusal converter or not; false when no such user.
pub async fn set_converter(tx: &mut Tx, user_id: i64, converter: bool) -> Result<bool, StoreError> {
    let changed = tx
        .query("update users set refusal_converter = $1 where id = $2")
        .bind(converter)
        .bind(user_id)
        .execute()
        .await?;
    Ok(changed == 1)
}
