//! The interviewer's calls: taking the next case, seeing it, recording what happened.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::scheduling::outcomes::{CallOutcome, parse_appointment};
use crate::state::AppState;
use crate::store::cases::{self, AttemptRow, CaseRow, CaseStatus, NewAttempt};
use crate::store::interviews::{self, InterviewStatus};
use crate::store::sample::{self, DoNotCallSource};
use crate::store::users::Role;
use crate::store::{StoreError, Tx, exports, surveys};

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
    /// Agreed appointment (epoch ms), if any.
    pub appointment_at: Option<i64>,
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

/// What the interviewer records after dialling.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// Outcome name (see `CallOutcome`).
    pub outcome: String,
    /// Number dialled (E.164); defaults to the case's first number.
    #[serde(default)]
    pub number: Option<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
    /// Appointment, local time in France (`YYYY-MM-DDTHH:MM`) or RFC 3339; required for
    /// `appointment`.
    #[serde(default)]
    pub appointment_at: Option<String>,
}

/// Hands the interviewer the next case (or the one already held); `None` when nothing is due.
pub async fn next(state: &AppState, user: &CurrentUser) -> Result<Option<CaseView>, AppError> {
    user.require(&[Role::Interviewer])?;
    let mut tx = state.db.write().await?;
    // The case already held comes back as it is; only a new claim counts in the metrics.
    let held = cases::held_by(&mut tx, user.user.id).await?;
    let newly_claimed = held.is_none();
    let claimed = match held {
        Some(case) => Ok(Some(case)),
        None => cases::claim_next(&mut tx, user.user.id).await,
    };
    let claimed = match claimed {
        Ok(claimed) => {
            tx.commit().await?;
            claimed
        }
        // The same interviewer claimed twice at once: the other request won; return its case.
        Err(e) if e.is_unique_violation() => {
            tx.rollback().await?;
            return current(state, user).await;
        }
        Err(e) => return Err(e.into()),
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

/// Records a call outcome on the case the interviewer holds, and releases it.
pub async fn record_outcome(
    state: &AppState,
    user: &CurrentUser,
    case: Uuid,
    request: &OutcomeRequest,
) -> Result<(), AppError> {
    user.require(&[Role::Interviewer])?;
    let outcome = CallOutcome::parse(&request.outcome).ok_or_else(|| {
        AppError::Invalid(format!("issue d'appel inconnue : « {} »", request.outcome))
    })?;
    let appointment_at = match request.appointment_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(parse_appointment(text).ok_or_else(|| {
            AppError::Invalid("date de rendez-vous illisible (attendu AAAA-MM-JJTHH:MM)".to_owned())
        })?),
    };
    if let Some(at) = appointment_at
        && at <= crate::store::now_ms()
    {
        return Err(AppError::Invalid(
            "le rendez-vous doit être dans le futur".to_owned(),
        ));
    }
    let next = outcome.next(appointment_at).ok_or_else(|| {
        AppError::Invalid("un rendez-vous demande une date et une heure".to_owned())
    })?;
    let mut tx = state.db.write().await?;
    let case = cases::by_uuid(&mut tx, case)
        .await?
        .ok_or_else(|| AppError::not_found("cas inconnu"))?;
    if case.held_by != Some(user.user.id) {
        return Err(AppError::forbidden("vous ne détenez pas ce cas"));
    }
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
    let note = request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 2000) {
        return Err(AppError::Invalid(
            "note trop longue (2 000 caractères au plus)".to_owned(),
        ));
    }
    let attempt = NewAttempt {
        case_id: case.id,
        interviewer_id: user.user.id,
        number_dialled: number,
        outcome: outcome.as_str().to_owned(),
        aapor_code: outcome.aapor_code().to_owned(),
        note: note.map(str::to_owned),
        duration_s: cases::held_seconds(&case),
    };
    if !cases::close_call(&mut tx, &attempt, next).await? {
        return Err(AppError::forbidden("vous ne détenez pas ce cas"));
    }
    if outcome == CallOutcome::DoNotCall && !attempt.number_dialled.is_empty() {
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
        attempts,
        interview,
    })
}
