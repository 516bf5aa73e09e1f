//! The interviewer's calls: taking the next case, seeing it, recording what happened.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::scheduling::outcomes::parse_appointment;
use crate::scheduling::quick;
use crate::services::dispatch::{self, Report};
use crate::services::text;
use crate::state::AppState;
use crate::store::cases::{self, AttemptRow, CaseRow, CaseStatus, NewAttempt};
use crate::store::interviews::{self, InterviewStatus};
use crate::store::sample::{self, DoNotCallSource};
use crate::store::users::Role;
use crate::store::{StoreError, Tx, exports, surveys};
use fieldwork::{Appointment, Outcome};

/// A case as the interviewer holding it (or a supervisor) sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    /// Case identifier.
    pub case_id: Uuid,
    /// Identifier in the sample file.
    pub external_id: String,
    /// Commune code, when known.
    pub commune_code: Option<String>,
    /// Commune name, when known.
    pub commune_name: Option<String>,
    /// Generated, fictitious case.
    pub synthetic: bool,
    /// Case status.
    pub status: CaseStatus,
    /// Numbers to dial (E.164), in order.
    pub phones: Vec<String>,
    /// Agreed appointment (epoch ms), if any: its time, or the start of its period.
    pub appointment_at: Option<i64>,
    /// End of a flexible appointment's period (epoch ms).
    pub appointment_until: Option<i64>,
    /// Not called again before (epoch ms), when waiting in the queue.
    pub next_call_at: Option<i64>,
    /// Current AAPOR disposition (final once the case is final).
    pub disposition: Option<String>,
    /// Only refusal converters get it.
    pub needs_converter: bool,
    /// The respondent did not pick up at an appointment.
    pub missed_appointment: bool,
    /// Since when the interviewer holding the case has had it (epoch ms): the call's start.
    pub held_since: Option<i64>,
    /// Earlier attempts, oldest first.
    pub attempts: Vec<AttemptRow>,
    /// The interview, if started: its id and status.
    pub interview: Option<InterviewRef>,
}

/// A reference to a case's interview.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InterviewRef {
    /// Interview identifier.
    pub id: Uuid,
    /// Interview status.
    pub status: InterviewStatus,
}

/// What helps an interviewer book an appointment for the case they hold: quick choices inside
/// the wave's calling windows, and those windows for today and tomorrow.
#[derive(Clone, Debug, Default)]
pub struct AppointmentHelp {
    /// « Ce soir, 18:30 »… with the value the appointment field takes (`JJ/MM/AAAA HH:MM`).
    pub choices: Vec<(String, String)>,
    /// « Aujourd'hui : 09:00–20:30 »…
    pub windows: Vec<String>,
}

/// What the interviewer records after dialling.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// Outcome name (see `GET /api/outcomes`).
    pub outcome: String,
    /// Number dialled (E.164); defaults to the case's first number.
    #[serde(default)]
    pub number: Option<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
    /// Appointment, local time in France (`YYYY-MM-DDTHH:MM` or `JJ/MM/AAAA HH:MM`) or RFC 3339; required for
    /// `appointment`: the agreed time (a firm appointment) or, with `appointment_until`, the
    /// start of the period the respondent gave (a flexible one).
    #[serde(default)]
    pub appointment_at: Option<String>,
    /// End of a flexible appointment's period, same formats; absent for a firm appointment.
    #[serde(default)]
    pub appointment_until: Option<String>,
}

/// Hands the interviewer the next case (or the one already held); `None` when nothing is due.
pub async fn next(state: &AppState, user: &CurrentUser) -> Result<Option<CaseView>, AppError> {
    user.require(&[Role::Interviewer])?;
    let now = state.settings.clock.now_ms();
    // What the claim needs to read is read first, without the write lock.
    let mut look = state.db.read().await?;
    let plan = dispatch::prepare(&mut look, &state.dispatch, user.user.id, now).await?;
    look.commit().await?;
    let mut tx = state.db.write().await?;
    // The case already held comes back as it is; only a new claim counts in the metrics.
    let held = cases::held_by(&mut tx, user.user.id).await?;
    let newly_claimed = held.is_none();
    let claimed = match held {
        Some(case) => Ok(Some(case)),
        None => dispatch::claim_planned(&mut tx, &plan, user.user.id, now).await,
    };
    let claimed = match claimed {
        Ok(claimed) => {
            tx.commit().await?;
            claimed
        }
        // The same interviewer claimed twice at once: the other request won; return its case.
        Err(AppError::Store(e)) if e.is_unique_violation() => {
            tx.rollback().await?;
            return current(state, user).await;
        }
        Err(e) => return Err(e),
    };
    match claimed {
        Some(case) => {
            if newly_claimed {
                state.metrics.case_claimed();
            }
            let mut tx = state.db.read().await?;
            let view = view(&mut tx, case).await?;
            tx.commit().await?;
            Ok(Some(view))
        }
        None => Ok(None),
    }
}

/// The case the interviewer holds, if any.
pub async fn current(state: &AppState, user: &CurrentUser) -> Result<Option<CaseView>, AppError> {
    user.require(&[Role::Interviewer])?;
    let mut tx = state.db.read().await?;
    let view = match cases::held_by(&mut tx, user.user.id).await? {
        Some(case) => Some(view(&mut tx, case).await?),
        None => None,
    };
    tx.commit().await?;
    Ok(view)
}

/// One case: interviewers only the case they hold; supervisors and admins any.
pub async fn case(state: &AppState, user: &CurrentUser, case: Uuid) -> Result<CaseView, AppError> {
    user.require(&[Role::Interviewer, Role::Supervisor, Role::Admin])?;
    let mut tx = state.db.read().await?;
    let case = cases::by_uuid(&mut tx, case)
        .await?
        .ok_or_else(|| AppError::not_found("cas inconnu"))?;
    if user.role == Role::Interviewer && case.held_by != Some(user.user.id) {
        return Err(AppError::forbidden("vous ne détenez pas ce cas"));
    }
    let view = view(&mut tx, case).await?;
    tx.commit().await?;
    Ok(view)
}

/// The case `case`, refused unless `user` holds it.
async fn held_case(tx: &mut Tx, user: &CurrentUser, case: Uuid) -> Result<CaseRow, AppError> {
    let case = cases::by_uuid(tx, case)
        .await?
        .ok_or_else(|| AppError::not_found("cas inconnu"))?;
    if case.held_by != Some(user.user.id) {
        return Err(AppError::forbidden("vous ne détenez pas ce cas"));
    }
    Ok(case)
}

/// The appointment help for the case `case` the interviewer holds, computed at the server's
/// time in the case's wave's calling windows.
pub async fn appointment_help(
    state: &AppState,
    user: &CurrentUser,
    case: Uuid,
) -> Result<AppointmentHelp, AppError> {
    user.require(&[Role::Interviewer])?;
    let mut tx = state.db.read().await?;
    let case = held_case(&mut tx, user, case).await?;
    let (_, rules) = state.dispatch.wave(&mut tx, case.wave_id).await?;
    tx.commit().await?;
    let now = jiff::Timestamp::from_millisecond(state.settings.clock.now_ms())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let windows = rules.windows();
    Ok(AppointmentHelp {
        choices: quick::quick_choices(windows, now)
            .into_iter()
            .map(|choice| (choice.label, quick::typed(windows, choice.at)))
            .collect(),
        windows: quick::window_lines(windows, now),
    })
}

/// Records a call outcome on the case the interviewer holds, and releases it.
pub async fn record_outcome(
    state: &AppState,
    user: &CurrentUser,
    case: Uuid,
    request: &OutcomeRequest,
) -> Result<(), AppError> {
    user.require(&[Role::Interviewer])?;
    let outcome = Outcome::parse(&request.outcome)
        .filter(|o| Outcome::CALLS.contains(o))
        .ok_or_else(|| {
            AppError::Invalid(format!("issue d'appel inconnue : « {} »", request.outcome))
        })?;
    let appointment = appointment_of(
        request.appointment_at.as_deref(),
        request.appointment_until.as_deref(),
    )?;
    let now = state.settings.clock.now_ms();
    // Everything is read and decided before the write lock: the case is held by this
    // interviewer, so nobody else can add a call to it meanwhile (the write checks the hold).
    let mut tx = state.db.read().await?;
    let case = held_case(&mut tx, user, case).await?;
    let phones: Vec<String> = cases::phones(&mut tx, case.id)
        .await?
        .into_iter()
        .map(|p| p.e164)
        .collect();
    let number = match &request.number {
        Some(number) if phones.contains(number) => number.clone(),
        Some(_) => {
            return Err(AppError::Invalid(
                "ce numéro n'appartient pas au cas".to_owned(),
            ));
        }
        None => phones.first().cloned().unwrap_or_default(),
    };
    let note = checked_note(request.note.as_deref())?;
    let duration_s = cases::held_seconds(&case, now);
    let report = Report {
        outcome,
        // The form offers the appointment field whatever the outcome: a time typed with an
        // outcome that books none is ignored.
        appointment: appointment.filter(|_| outcome.books_appointment()),
        dialled_at: now - duration_s * 1000,
    };
    if outcome.books_appointment() && appointment.is_none() {
        return Err(AppError::Invalid(
            "un rendez-vous demande une date et une heure".to_owned(),
        ));
    }
    let plan = dispatch::plan(&mut tx, &state.dispatch, &case, user.user.id, report, now).await?;
    let attempt = NewAttempt {
        case_id: case.id,
        interviewer_id: user.user.id,
        number_dialled: number,
        outcome: outcome.as_str().to_owned(),
        aapor_code: plan.aapor.clone(),
        note,
        duration_s,
        ended_at: now,
        appointment_at: report.appointment.map(|a| a.earliest().as_millisecond()),
        appointment_until: match report.appointment {
            Some(Appointment::Soft { until, .. }) => Some(until.as_millisecond()),
            _ => None,
        },
        status_before: case.status,
    };
    tx.commit().await?;
    let mut tx = state.db.write().await?;
    if !cases::close_call(&mut tx, &attempt, &plan.next).await? {
        return Err(AppError::forbidden("vous ne détenez pas ce cas"));
    }
    if outcome == Outcome::DoNotCall && !attempt.number_dialled.is_empty() {
        let wave = surveys::wave(&mut tx, case.wave_id)
            .await?
            .ok_or_else(|| AppError::not_found("vague inconnue"))?;
        let secret = exports::survey_secret(&mut tx, wave.survey_id).await?;
        let hash = crate::services::sample::number_hash(&secret, &attempt.number_dialled);
        sample::add_do_not_call(
            &mut tx,
            wave.survey_id,
            &[hash],
            DoNotCallSource::Respondent,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A note as stored: trimmed, `None` when empty; refused beyond [`text::NOTE_MAX_CHARS`].
pub fn checked_note(note: Option<&str>) -> Result<Option<String>, AppError> {
    let note = note
        .map(|n| text::bounded("la note", n, text::NOTE_MAX_CHARS))
        .transpose()?;
    Ok(note.filter(|n| !n.is_empty()).map(str::to_owned))
}

/// The appointment typed by the interviewer: a firm one at `at`, or a flexible one from `at`
/// until `until`; `None` when no time was given.
pub fn appointment_of(
    at: Option<&str>,
    until: Option<&str>,
) -> Result<Option<Appointment>, AppError> {
    let parse = |text: &str| {
        parse_appointment(text)
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .ok_or_else(|| {
                AppError::Invalid(
                    "date de rendez-vous illisible (attendu JJ/MM/AAAA HH:MM)".to_owned(),
                )
            })
    };
    match (text::given(at), text::given(until)) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(AppError::Invalid(
            "un rendez-vous souple demande aussi son début".to_owned(),
        )),
        (Some(at), None) => Ok(Some(Appointment::Hard { at: parse(at)? })),
        (Some(from), Some(until)) => Ok(Some(Appointment::Soft {
            from: parse(from)?,
            until: parse(until)?,
        })),
    }
}

async fn view(tx: &mut Tx, case: CaseRow) -> Result<CaseView, StoreError> {
    let phones = cases::phones(tx, case.id)
        .await?
        .into_iter()
        .map(|p| p.e164)
        .collect();
    let attempts = cases::attempts(tx, case.id).await?;
    let interview = interviews::by_case(tx, case.id)
        .await?
        .map(|i| InterviewRef {
            id: i.uuid,
            status: i.status,
        });
    Ok(CaseView {
        case_id: case.uuid,
        external_id: case.external_id,
        commune_code: case.commune_code,
        commune_name: case.commune_name,
        synthetic: case.synthetic,
        status: case.status,
        phones,
        appointment_at: case.appointment_at,
        appointment_until: case.appointment_until,
        next_call_at: case
            .next_call_at
            .filter(|_| case.status != CaseStatus::Final),
        disposition: case.disposition,
        needs_converter: case.needs_converter,
        missed_appointment: case.missed_appointment,
        held_since: case.held_at.filter(|_| case.held_by.is_some()),
        attempts,
        interview,
    })
}
