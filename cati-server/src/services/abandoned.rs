//! Cases left held by an interviewer who went away (no request for a while): released, so
//! that nobody's sample stays locked, with the partial interview kept for whoever resumes it
//! and its quota places given back (the respondent is screened again on resumption). Run by
//! the server every minute; the clock is an argument so that tests can move it.

use questionnaire::Record;

use crate::error::AppError;
use crate::store::audit::AuditAction;
use crate::store::interviews::{self, InterviewStatus};
use crate::store::{Db, StoreError, audit, cases, quotas};

/// How often the server looks for abandoned cases.
pub const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Releases the cases held since before `now - idle_ms` whose interview (if running) was not
/// saved since then; returns how many. Each release commits with its audit entry.
pub async fn release(db: &Db, now: i64, idle_ms: i64) -> Result<u64, AppError> {
    // The sweep runs every minute and almost always finds nothing: it looks first without the
    // write lock, and takes it (looking again, as a save may have come in between) only when
    // there is something to release.
    let mut look = db.read().await?;
    let any = !cases::abandoned(&mut look, now - idle_ms).await?.is_empty();
    look.commit().await?;
    if !any {
        return Ok(0);
    }
    let mut tx = db.write().await?;
    let mut released = 0;
    for case in cases::abandoned(&mut tx, now - idle_ms).await? {
        if !cases::release_abandoned(&mut tx, &case, now).await? {
            continue;
        }
        let running = interviews::by_case(&mut tx, case.id)
            .await?
            .filter(|i| i.status == InterviewStatus::InProgress);
        let mut quota_released = false;
        if let Some(interview) = running
            && quotas::release(&mut tx, interview.id).await? > 0
        {
            quota_released = true;
            let mut record: Record =
                serde_json::from_str(&interview.record).map_err(StoreError::from)?;
            record.quota = None;
            record.quota_cell = None;
            let record = serde_json::to_string(&record).map_err(StoreError::from)?;
            interviews::replace_record(&mut tx, interview.id, &record).await?;
        }
        audit::record(
            &mut tx,
            None,
            AuditAction::CaseReleaseAbandoned,
            &format!("case:{}", case.uuid),
            &serde_json::json!({
                "held_by": case.held_by,
                "held_since": case.held_at,
                "quota_places_released": quota_released,
            }),
        )
        .await?;
        released += 1;
    }
    tx.commit().await?;
    Ok(released)
}
