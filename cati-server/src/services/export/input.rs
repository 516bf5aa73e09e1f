//! From stored rows to what `exports::build` takes: one `InterviewInput` per interview, with
//! the final disposition and its French label, the interview's date and length.

use exports::build::{CaseStatus, Disposition, InterviewInput};
use exports::dataset::Timestamp;
use questionnaire::date::Date;
use questionnaire::{Answer, Preload, Record};

use crate::store::exports::ExportInterviewRow;
use fieldwork::Outcome;

/// Why a stored row could not be turned into an export input.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The stored record is not the engine's JSON.
    #[error("l'entretien du cas {case} a un enregistrement illisible : {source}")]
    Record {
        /// The case.
        case: uuid::Uuid,
        /// The parse error.
        source: serde_json::Error,
    },
}

/// The export input of one stored interview.
pub fn interview_input(row: &ExportInterviewRow) -> Result<InterviewInput, InputError> {
    let record: Record =
        serde_json::from_str(&row.record).map_err(|source| InputError::Record {
            case: row.case_uuid,
            source,
        })?;
    let status = match row.status.as_str() {
        "completed" => CaseStatus::Completed,
        "screened_out" => CaseStatus::ScreenedOut,
        _ => CaseStatus::Partial,
    };
    let last = row.ended_at.unwrap_or(row.updated_at);
    let seconds = (last - row.started_at).max(0) / 1000;
    Ok(InterviewInput {
        case_key: row.external_id.clone(),
        status,
        preload: preload_of(&row.preload),
        quota_cell: quota_cell(&record),
        record,
        commune: row.commune_code.clone().filter(|c| !c.is_empty()),
        disposition: disposition(row),
        interview_date: paris_date(last),
        duration_seconds: u32::try_from(seconds).ok(),
        call_attempts: u32::try_from(row.attempts.max(0)).unwrap_or(u32::MAX),
        interviewer: Some(row.interviewer_id.to_string()),
    })
}

/// The case's preload fields (stored JSON object) as the engine takes them: text values, `null`
/// fields left out, anything unreadable read as no field. One reading for the interview flow and
/// the exports, so that an export recomputes the route the interviewer saw.
pub fn preload_of(json: &str) -> Preload {
    let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let mut preload = Preload::new();
    if let serde_json::Value::Object(map) = value {
        for (key, value) in map {
            let text = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => continue,
                other => other.to_string(),
            };
            preload.insert(key, text);
        }
    }
    preload
}

/// The final disposition: the case's when it is final, else the one the interview's status
/// implies (an interview to be resumed is a partial, 1.2).
fn disposition(row: &ExportInterviewRow) -> Disposition {
    let frame = fieldwork::OutcomeFrame::default();
    let from_status = match row.status.as_str() {
        "completed" => Outcome::Completed,
        "screened_out" => Outcome::ScreenedOut,
        "broken_off" => Outcome::BrokenOff,
        _ => Outcome::InterviewCallback,
    };
    let (outcome, code) = match (&row.final_outcome, &row.final_aapor) {
        (Some(outcome), Some(code)) if row.status != "in_progress" => {
            (outcome.clone(), code.clone())
        }
        _ => (
            from_status.as_str().to_owned(),
            frame.spec(from_status).aapor.as_str().to_owned(),
        ),
    };
    Disposition {
        code,
        label: crate::scheduling::outcomes::label(&outcome),
    }
}

/// The quota cell the decision was taken for, as `VAR=code` pairs in variable order.
fn quota_cell(record: &Record) -> Option<String> {
    let cell = record.quota_cell.as_ref()?;
    let parts: Vec<String> = cell
        .iter()
        .filter_map(|(var, answer)| match answer {
            Answer::Choice { code, .. } => Some(format!("{var}={code}")),
            Answer::Integer(n) => Some(format!("{var}={n}")),
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(";"))
}

/// The calendar date in France of an epoch-ms instant.
fn paris_date(ms: i64) -> Option<Date> {
    let zoned = jiff::Timestamp::from_millisecond(ms)
        .ok()?
        .in_tz("Europe/Paris")
        .ok()?;
    Date::parse(&zoned.strftime("%Y-%m-%d").to_string())
}

/// The UTC timestamp of an epoch-ms instant, written into the files as their creation time.
pub fn utc_timestamp(ms: i64) -> Option<Timestamp> {
    let at = jiff::Timestamp::from_millisecond(ms).ok()?;
    let civil = at.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    Timestamp::new(
        u16::try_from(civil.year()).ok()?,
        u8::try_from(civil.month()).ok()?,
        u8::try_from(civil.day()).ok()?,
        u8::try_from(civil.hour()).ok()?,
        u8::try_from(civil.minute()).ok()?,
        u8::try_from(civil.second()).ok()?,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str, outcome: Option<&str>, aapor: Option<&str>) -> ExportInterviewRow {
        ExportInterviewRow {
            case_uuid: uuid::Uuid::now_v7(),
            external_id: "SYNTH-00007".to_owned(),
            commune_code: Some("33063".to_owned()),
            preload: r#"{"commune": "Bordeaux", "nom_contact": null}"#.to_owned(),
            attempts: 2,
            final_outcome: outcome.map(str::to_owned),
            final_aapor: aapor.map(str::to_owned),
            status: status.to_owned(),
            record: serde_json::to_string(&Record::new(3)).unwrap(),
            interviewer_id: 4,
            started_at: 1_767_225_600_000,
            updated_at: 1_767_226_200_000,
            ended_at: Some(1_767_226_500_000),
        }
    }

    #[test]
    fn completed_interview_keeps_its_case_disposition_length_and_paris_date() {
        let input = interview_input(&row("completed", Some("completed"), Some("1.1"))).unwrap();
        assert_eq!(input.status, CaseStatus::Completed);
        assert_eq!(input.disposition.code, "1.1");
        assert_eq!(input.disposition.label, "Entretien complet");
        assert_eq!(input.duration_seconds, Some(900));
        assert_eq!(input.call_attempts, 2);
        assert_eq!(input.case_key, "SYNTH-00007");
        // 2026-01-01T00:15Z is already 01:15 on 1 January in Paris.
        assert_eq!(input.interview_date.unwrap().to_string(), "2026-01-01");
        assert_eq!(
            input.preload.get("commune").map(String::as_str),
            Some("Bordeaux")
        );
        assert!(!input.preload.contains_key("nom_contact"));
    }

    #[test]
    fn interview_to_resume_is_a_partial_whatever_the_case_says() {
        let input = interview_input(&row("in_progress", None, None)).unwrap();
        assert_eq!(input.status, CaseStatus::Partial);
        assert_eq!(input.disposition.code, "1.2");
    }

    #[test]
    fn unreadable_record_is_an_error_naming_the_case() {
        let mut bad = row("completed", None, None);
        bad.record = "{".to_owned();
        let error = interview_input(&bad).unwrap_err().to_string();
        assert!(error.contains(&format!("cas {}", bad.case_uuid)), "{error}");
    }

    #[test]
    fn creation_time_is_utc() {
        let ts = utc_timestamp(1_767_225_600_000).unwrap();
        assert_eq!(ts.rfc3339(), "2026-01-01T00:00:00Z");
    }
}
