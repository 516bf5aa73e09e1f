//! What loading a phone list reads and writes besides the cases themselves: numbers already in
//! a wave, the survey's do-not-call list (keyed hashes only) and replicates.

use std::collections::HashSet;

use super::{StoreError, Tx, now_ms};

/// `$first, $first+1, …` for `count` parameters.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which of `numbers` (E.164) some case of the wave already has.
pub async fn numbers_in_wave(
    tx: &mut Tx,
    wave_id: i64,
    numbers: &[&str],
) -> Result<HashSet<String>, StoreError> {
    let mut found = HashSet::new();
    let per_list = tx.rows_per_statement(1);
    for chunk in numbers.chunks(per_list) {
        // Written so that both planners start from the numbers (their index) and check each
        // one's case by its key, rather than walk the wave's cases.
        let sql = format!(
            "select p.e164 from case_phones p where p.e164 in ({}) and exists \
             (select 1 from sample_cases c where c.id = p.case_id and c.wave_id = $1)",
            placeholders(2, chunk.len())
        );
        let mut statement = tx.query(&sql).bind(wave_id);
        for number in chunk {
            statement = statement.bind(*number);
        }
        let rows: Vec<(String,)> = statement.fetch_all().await?;
        found.extend(rows.into_iter().map(|(n,)| n));
    }
    Ok(found)
}

/// Whether the survey's do-not-call list has any entry.
pub async fn has_do_not_call(tx: &mut Tx, survey_id: i64) -> Result<bool, StoreError> {
    tx.query("select exists (select 1 from do_not_call where survey_id = $1)")
        .bind(survey_id)
        .fetch_scalar()
        .await
}

/// Which of `hashes` are on the survey's do-not-call list.
pub async fn do_not_call_among(
    tx: &mut Tx,
    survey_id: i64,
    hashes: &[String],
) -> Result<HashSet<String>, StoreError> {
    let mut found = HashSet::new();
    let per_list = tx.rows_per_statement(1);
    for chunk in hashes.chunks(per_list) {
        let sql = format!(
            "select number_hash from do_not_call where survey_id = $1 and number_hash in ({})",
            placeholders(2, chunk.len())
        );
        let mut statement = tx.query(&sql).bind(survey_id);
        for hash in chunk {
            statement = statement.bind(hash);
        }
        let rows: Vec<(String,)> = statement.fetch_all().await?;
        found.extend(rows.into_iter().map(|(h,)| h));
    }
    Ok(found)
}

/// Where a do-not-call entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DoNotCallSource {
    /// A list the manager imported.
    Import,
    /// The respondent asked during a call.
    Respondent,
}

impl DoNotCallSource {
    fn as_str(self) -> &'static str {
        match self {
            DoNotCallSource::Import => "import",
            DoNotCallSource::Respondent => "respondent",
        }
    }
}

/// Adds keyed hashes to the survey's do-not-call list; returns how many were new.
pub async fn add_do_not_call(
    tx: &mut Tx,
    survey_id: i64,
    hashes: &[String],
    source: DoNotCallSource,
) -> Result<u64, StoreError> {
    let now = now_ms();
    let mut added = 0;
    let per_statement = tx.rows_per_statement(1);
    for chunk in hashes.chunks(per_statement) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, ${}, $2, $3)", i + 4))
            .collect();
        let sql = format!(
            "insert into do_not_call (survey_id, number_hash, source, added_at) values {} \
             on conflict (survey_id, number_hash) do nothing",
            values.join(", ")
        );
        let mut statement = tx
            .query(&sql)
            .bind(survey_id)
            .bind(source.as_str())
            .bind(now);
        for hash in chunk {
            statement = statement.bind(hash);
        }
        added += statement.execute().await?;
    }
    Ok(added)
}

/// The cases of a wave loaded for replicates but not yet given one (replicate 0).
pub async fn unassigned_replicate_cases(tx: &mut Tx, wave_id: i64) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = tx
        .query("select id from sample_cases where wave_id = $1 and replicate = 0 order by id")
        .bind(wave_id)
        .fetch_all()
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The highest replicate number of a wave (0 when none).
pub async fn last_replicate(tx: &mut Tx, wave_id: i64) -> Result<i64, StoreError> {
    let row: (Option<i64>,) = tx
        .query("select max(replicate) from sample_cases where wave_id = $1")
        .bind(wave_id)
        .fetch_one()
        .await?;
    Ok(row.0.unwrap_or(0))
}

/// Puts cases in a replicate (not released).
pub async fn set_replicate(tx: &mut Tx, ids: &[i64], replicate: i64) -> Result<(), StoreError> {
    let per_list = tx.rows_per_statement(1);
    for chunk in ids.chunks(per_list) {
        let sql = format!(
            "update sample_cases set replicate = $1, released = false where id in ({})",
            placeholders(2, chunk.len())
        );
        let mut statement = tx.query(&sql).bind(replicate);
        for id in chunk {
            statement = statement.bind(*id);
        }
        statement.execute().await?;
    }
    Ok(())
}

/// Releases the wave's first replicate not released yet; returns its number and size, or
/// `None` when every replicate is out.
pub async fn release_next_replicate(
    tx: &mut Tx,
    wave_id: i64,
) -> Result<Option<(i64, u64)>, StoreError> {
    let next: (Option<i64>,) = tx
        .query(
            "select min(replicate) from sample_cases \
             where wave_id = $1 and not released and replicate > 0",
        )
        .bind(wave_id)
        .fetch_one()
        .await?;
    let Some(replicate) = next.0 else {
        return Ok(None);
    };
    // Released cases are due at once, never called (AAPOR 3.11).
    let released = tx
        .query(
            "update sample_cases set released = true, due = true, next_call_at = $3, \
             disposition = $4 where wave_id = $1 and replicate = $2",
        )
        .bind(wave_id)
        .bind(replicate)
        .bind(super::now_ms())
        .bind(super::cases::NOT_ATTEMPTED)
        .execute()
        .await?;
    tx.announce(super::Change::Wave(wave_id)).await?;
    Ok(Some((replicate, released)))
}

/// Adds `names` to the wave's personal fields (kept as a JSON array, each name once).
pub async fn add_personal_fields(
    tx: &mut Tx,
    wave_id: i64,
    names: &[String],
) -> Result<(), StoreError> {
    let mut fields = personal_fields(tx, wave_id).await?;
    for name in names {
        if !fields.contains(name) {
            fields.push(name.clone());
        }
    }
    let json = serde_json::to_string(&fields)?;
    tx.query("update waves set personal_fields = $1 where id = $2")
        .bind(json)
        .bind(wave_id)
        .execute()
        .await?;
    Ok(())
}

/// The sample columns flagged personal when loaded into the wave: never exported.
pub async fn personal_fields(tx: &mut Tx, wave_id: i64) -> Result<Vec<String>, StoreError> {
    let row: Option<(Option<String>,)> = tx
        .query("select personal_fields from waves where id = $1")
        .bind(wave_id)
        .fetch_optional()
        .await?;
    match row.and_then(|(json,)| json) {
        Some(json) => Ok(serde_json::from_str(&json)?),
        None => Ok(Vec::new()),
    }
}
