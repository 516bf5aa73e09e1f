//! Fieldwork figures managers report: AAPOR outcome rates of a wave, overall or by commune or
//! replicate, from the disposition counters (never from the sample), with the eligibility
//! estimate `e` and its basis stated as AAPOR requires; interviewers' productivity over a
//! period, overall and per day, from the calls of that period.

use std::collections::BTreeMap;

use fieldwork::{
    AaporCode, CallRecord, DispositionCounts, EligibilityRate, Outcome, OutcomeRates, Productivity,
    outcome_rates, productivity, productivity_by_day,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::AppError;
use crate::sample::communes::COMMUNES;
use crate::services::waves::find;
use crate::store::users::Role;
use crate::store::{Db, cases, counts};

/// How the cases are grouped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportBy {
    /// The whole wave.
    #[default]
    Wave,
    /// Each commune.
    Commune,
    /// Each replicate.
    Replicate,
}

impl ReportBy {
    /// Parses `wave`, `commune` or `replicate` (French names accepted too).
    pub fn parse(name: &str) -> Option<ReportBy> {
        match name.trim() {
            "wave" | "vague" => Some(ReportBy::Wave),
            "commune" => Some(ReportBy::Commune),
            "replicate" | "replicat" | "réplicat" => Some(ReportBy::Replicate),
            _ => None,
        }
    }
}

/// The AAPOR report of a wave.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AaporReport {
    /// The wave.
    pub wave_id: Uuid,
    /// Its name.
    pub wave_name: String,
    /// How the rows are grouped.
    pub by: ReportBy,
    /// The whole wave first, then each group.
    pub rows: Vec<AaporRow>,
}

/// The rates of one group of cases.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AaporRow {
    /// « Ensemble », a commune (code and name) or « Réplicat N ».
    pub group: String,
    /// Rates, counts by disposition group, `e` and its basis.
    #[schema(value_type = Object)]
    pub rates: OutcomeRates,
    /// The basis of `e`, in French.
    pub eligibility_basis: String,
}

/// The AAPOR rates of the wave `key`, grouped `by`, with `e` estimated as `rate` says.
pub async fn aapor(
    db: &Db,
    actor: Actor<'_>,
    key: &str,
    by: ReportBy,
    rate: &EligibilityRate,
) -> Result<AaporReport, AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.read().await?;
    let wave = find(&mut tx, key).await?;
    let stored = counts::dispositions(&mut tx, wave.id).await?;
    tx.commit().await?;
    let mut total = DispositionCounts::default();
    let mut groups: BTreeMap<(i64, String), DispositionCounts> = BTreeMap::new();
    for row in &stored {
        let group = AaporCode::new(&row.code)
            .map_err(|e| AppError::Internal(format!("stored disposition unreadable: {e}")))?
            .group();
        let key = match by {
            ReportBy::Wave => None,
            ReportBy::Commune => Some((0, row.commune_code.clone())),
            ReportBy::Replicate => Some((row.replicate, String::new())),
        };
        let cases = u64::try_from(row.cases).unwrap_or_default();
        total.add_cases(group, cases);
        if let Some(key) = key {
            groups.entry(key).or_default().add_cases(group, cases);
        }
    }
    let row = |name: String, counts: &DispositionCounts| -> Result<AaporRow, AppError> {
        let rates = outcome_rates(counts, rate).map_err(|e| AppError::Invalid(e.to_string()))?;
        Ok(AaporRow {
            group: name,
            eligibility_basis: rates.eligibility.basis.describe(),
            rates,
        })
    };
    let mut rows = vec![row("Ensemble".to_owned(), &total)?];
    for ((replicate, commune), counts) in &groups {
        let name = match by {
            ReportBy::Commune => commune_name(commune),
            _ if *replicate == 0 => "Hors réplicats".to_owned(),
            _ => format!("Réplicat {replicate}"),
        };
        rows.push(row(name, counts)?);
    }
    Ok(AaporReport {
        wave_id: wave.uuid,
        wave_name: wave.name,
        by,
        rows,
    })
}

fn commune_name(code: &str) -> String {
    if code.is_empty() {
        return "Commune inconnue".to_owned();
    }
    COMMUNES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(c, name)| format!("{name} ({c})"))
}

/// Interviewers' productivity over a period.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProductivityReport {
    /// The wave.
    pub wave_id: Uuid,
    /// Its name.
    pub wave_name: String,
    /// First day (local date, included).
    #[schema(value_type = String)]
    pub from: Date,
    /// Last day (local date, included).
    #[schema(value_type = String)]
    pub to: Date,
    /// Each interviewer who called in the period.
    pub interviewers: Vec<InterviewerFigures>,
}

/// One interviewer's figures.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InterviewerFigures {
    /// Login name.
    pub interviewer: String,
    /// Over the period.
    #[schema(value_type = Object)]
    pub overall: Productivity,
    /// Per local day: pairs `[date, figures]`.
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub by_day: Vec<(Date, Productivity)>,
}

/// The longest period a productivity report covers, in days.
pub const MAX_PERIOD_DAYS: i64 = 92;

/// Interviewers' productivity on the wave `key` from `from` to `to` (local dates in the wave's
/// time zone, included); by default the seven days ending on the day of `now` there.
pub async fn interviewer_productivity(
    db: &Db,
    actor: Actor<'_>,
    key: &str,
    (from, to): (Option<Date>, Option<Date>),
    now: Timestamp,
) -> Result<ProductivityReport, AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.read().await?;
    let wave = find(&mut tx, key).await?;
    let rules = crate::services::dispatch::rules(&mut tx, &wave).await?;
    let frame = crate::services::dispatch::frame(&mut tx, wave.survey_id).await?;
    let zone = rules.windows().time_zone().clone();
    let invalid = |e: jiff::Error| AppError::BadRequest(format!("date invalide : {e}"));
    let to = to.unwrap_or_else(|| now.to_zoned(zone.clone()).date());
    let from = match from {
        Some(from) => from,
        None => to.checked_sub(jiff::Span::new().days(6)).map_err(invalid)?,
    };
    if to < from {
        return Err(AppError::BadRequest(
            "la période finit avant de commencer".to_owned(),
        ));
    }
    if (to - from).get_days() as i64 >= MAX_PERIOD_DAYS {
        return Err(AppError::BadRequest(format!(
            "période trop longue ({MAX_PERIOD_DAYS} jours au plus)"
        )));
    }
    let bound = |day: Date| -> Result<i64, AppError> {
        Ok(day
            .to_zoned(zone.clone())
            .map_err(invalid)?
            .timestamp()
            .as_millisecond())
    };
    let end = to.tomorrow().map_err(invalid)?;
    let lines = cases::calls_between(&mut tx, wave.id, bound(from)?, bound(end)?).await?;
    tx.commit().await?;
    let mut by_interviewer: BTreeMap<String, Vec<CallRecord>> = BTreeMap::new();
    for line in lines {
        let (Some(outcome), Ok(start), Ok(end)) = (
            Outcome::parse(&line.outcome),
            Timestamp::from_millisecond(line.started_at),
            Timestamp::from_millisecond(line.ended_at),
        ) else {
            continue;
        };
        by_interviewer
            .entry(line.interviewer)
            .or_default()
            .push(CallRecord {
                start,
                end: end.max(start),
                outcome,
            });
    }
    let interviewers = by_interviewer
        .into_iter()
        .map(|(interviewer, records)| {
            let overall =
                productivity(&frame, &records).map_err(|e| AppError::Internal(e.to_string()))?;
            let by_day = productivity_by_day(&frame, &records, &zone)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(InterviewerFigures {
                interviewer,
                overall,
                by_day,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(ProductivityReport {
        wave_id: wave.uuid,
        wave_name: wave.name,
        from,
        to,
        interviewers,
    })
}

/// An appointment waiting on a wave, as the supervisors' list shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AppointmentLine {
    /// The case.
    pub case_id: Uuid,
    /// Identifier in the sample file.
    pub external_id: String,
    /// Commune name, when known.
    pub commune_name: Option<String>,
    /// Its time (firm) or the start of its period (flexible), epoch ms.
    pub at: i64,
    /// End of a flexible appointment's period, epoch ms.
    pub until: Option<i64>,
    /// « Rendez-vous ferme » or « Rendez-vous souple ».
    pub kind: String,
    /// « À venir », « À honorer » or « Manqué ».
    pub status: String,
    /// The respondent did not pick up at an earlier appointment.
    pub missed_before: bool,
}

/// The appointments of the wave `key`, soonest first (200 at most), with where each stands at
/// `now` (epoch ms).
pub async fn appointments(
    db: &Db,
    actor: Actor<'_>,
    key: &str,
    now: i64,
) -> Result<Vec<AppointmentLine>, AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.read().await?;
    let wave = find(&mut tx, key).await?;
    let rules = crate::services::dispatch::rules(&mut tx, &wave).await?;
    let rows = cases::appointments(&mut tx, wave.id, 200).await?;
    tx.commit().await?;
    let instant = |ms: i64| Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    Ok(rows
        .into_iter()
        .filter_map(|case| {
            let at = case.appointment_at?;
            let appointment = match case.appointment_until {
                Some(until) => fieldwork::Appointment::Soft {
                    from: instant(at),
                    until: instant(until),
                },
                None => fieldwork::Appointment::Hard { at: instant(at) },
            };
            Some(AppointmentLine {
                case_id: case.uuid,
                external_id: case.external_id,
                commune_name: case.commune_name,
                at,
                until: case.appointment_until,
                kind: appointment.kind_label().to_owned(),
                status: appointment
                    .status(instant(now), &rules.config().appointments)
                    .label()
                    .to_owned(),
                missed_before: case.missed_appointment,
            })
        })
        .collect())
}
