//! Starting, answering, going back, postponing and breaking off interviews.

use std::collections::BTreeMap;
use std::sync::Arc;

use uuid::Uuid;

use questionnaire::{
    AnswerError, AnswerInput, Interview, Preload, Questionnaire, QuotaDecision, Record, State,
};

use super::view::{AnswerRequest, InterviewView, LanguageChoice, Special, Step};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::services::dispatch::{self, Report};
use crate::services::quota;
use crate::state::AppState;
use crate::store::cases::{self, CaseRow, NewAttempt};
use crate::store::interviews::{
    self, Ending, InterviewRow, InterviewStatus, Progress, SaveOutcome,
};
use crate::store::surveys::WaveStatus;
use crate::store::users::Role;
use crate::store::{StoreError, Tx, surveys};
use fieldwork::{Appointment, Outcome};

/// An interview loaded with everything the engine needs.
struct Loaded {
    case: CaseRow,
    wave_status: WaveStatus,
    row: InterviewRow,
    questionnaire: Arc<Questionnaire>,
    preload: Preload,
    language: String,
    record: Record,
}

/// The engine over a loaded interview, borrowing only the fields it reads so that the
/// record stays mutable.
macro_rules! engine {
    ($loaded:expr) => {
        Interview {
            questionnaire: &$loaded.questionnaire,
            preload: &$loaded.preload,
            language: &$loaded.language,
        }
    };
}

/// Starts (or resumes) the interview of the case the interviewer holds.
pub async fn start(
    state: &AppState,
    user: &CurrentUser,
    case: Uuid,
) -> Result<InterviewView, AppError> {
    user.require(&[Role::Interviewer])?;
    let seed: u64 = rand::random();
    let record = Record::new(seed);
    let record_json = serde_json::to_string(&record).map_err(StoreError::from)?;
    let mut tx = state.db.write().await?;
    let case = cases::by_uuid(&mut tx, case)
        .await?
        .ok_or_else(|| AppError::not_found("cas inconnu"))?;
    let row = interviews::start(&mut tx, case.id, user.user.id, seed as i64, &record_json)
        .await?
        .ok_or_else(|| AppError::forbidden("vous ne détenez pas ce cas"))?;
    if row.status != InterviewStatus::InProgress {
        return Err(AppError::Conflict(
            "cet entretien est déjà terminé".to_owned(),
        ));
    }
    let mut loaded = load(state, &mut tx, row).await?;
    tx.commit().await?;
    if matches!(
        engine!(loaded).state(&loaded.record),
        State::QuotaPoint { .. }
    ) {
        // Resumed after its interviewer had gone: its quota places were given back, so the
        // respondent is screened again before the interview goes on.
        let before = loaded.record.clone();
        advance(state, user, &mut loaded, &before).await?;
    }
    Ok(view_of(&loaded))
}

/// The interview as it stands. Interviewers see only the interview of the case they hold;
/// supervisors and admins may look at any.
pub async fn view(
    state: &AppState,
    user: &CurrentUser,
    interview: Uuid,
) -> Result<InterviewView, AppError> {
    let loaded = load_by_uuid(state, interview).await?;
    if !user.role.manages_sample() {
        ensure_holder(user, &loaded)?;
    }
    Ok(view_of(&loaded))
}

/// Validates and stores an answer, then returns the next step.
pub async fn submit(
    state: &AppState,
    user: &CurrentUser,
    interview: Uuid,
    request: AnswerRequest,
) -> Result<InterviewView, AppError> {
    let mut loaded = load_by_uuid(state, interview).await?;
    ensure_holder(user, &loaded)?;
    let input = input_of(&request)?;
    let before = loaded.record.clone();
    engine!(loaded)
        .submit(&mut loaded.record, &request.var, input, request.confirm)
        .map_err(answer_error)?;
    advance(state, user, &mut loaded, &before).await?;
    state.metrics.answer_saved();
    Ok(view_of(&loaded))
}

/// After the record moved on: settles the quota point if the route reached it, ends the
/// interview if it is over, and saves the change.
async fn advance(
    state: &AppState,
    user: &CurrentUser,
    loaded: &mut Loaded,
    before: &Record,
) -> Result<(), AppError> {
    settle(state, loaded).await?;
    let ending = match engine!(loaded).state(&loaded.record) {
        State::Completed { .. } => Some(Finish::of(Outcome::Completed, None)),
        State::ScreenedOut { reason, .. } => {
            let outcome = if reason == "quota" {
                Outcome::QuotaFull
            } else {
                Outcome::ScreenedOut
            };
            Some(Finish::of(outcome, Some(reason)))
        }
        _ => None,
    };
    persist(state, user, loaded, before, ending.as_ref()).await
}

/// Goes back to an earlier step (the previous one when `to` is `None`).
pub async fn back(
    state: &AppState,
    user: &CurrentUser,
    interview: Uuid,
    to: Option<&str>,
) -> Result<InterviewView, AppError> {
    let mut loaded = load_by_uuid(state, interview).await?;
    ensure_holder(user, &loaded)?;
    let before = loaded.record.clone();
    engine!(loaded)
        .back(&mut loaded.record, to)
        .map_err(answer_error)?;
    persist(state, user, &mut loaded, &before, None).await?;
    Ok(view_of(&loaded))
}

/// Switches the interview to another language of its questionnaire: the current question and
/// the next ones are read in it, answers already given stay as they are, and the choice is
/// kept when the interview resumes.
pub async fn switch_language(
    state: &AppState,
    user: &CurrentUser,
    interview: Uuid,
    language: &str,
) -> Result<InterviewView, AppError> {
    let mut loaded = load_by_uuid(state, interview).await?;
    ensure_holder(user, &loaded)?;
    let languages = loaded.questionnaire.languages();
    if !languages.iter().any(|l| l == language) {
        let offered: Vec<String> = languages
            .iter()
            .map(|l| LanguageChoice::of(l).name)
            .collect();
        return Err(AppError::Invalid(format!(
            "langue « {language} » inconnue : ce questionnaire est en {}",
            offered.join(", ")
        )));
    }
    let mut tx = state.db.write().await?;
    if !interviews::set_language(&mut tx, loaded.row.id, user.user.id, language).await? {
        return Err(stale());
    }
    tx.commit().await?;
    language.clone_into(&mut loaded.language);
    Ok(view_of(&loaded))
}

/// The respondent asks to be called back: the partial interview is kept and resumes where it
/// stopped when the appointment comes up.
pub async fn postpone(
    state: &AppState,
    user: &CurrentUser,
    interview: Uuid,
    appointment: Appointment,
    note: Option<String>,
) -> Result<InterviewView, AppError> {
    let mut loaded = load_by_uuid(state, interview).await?;
    ensure_holder(user, &loaded)?;
    let note = crate::services::calls::checked_note(note.as_deref())?;
    let mut ending = Finish::of(Outcome::InterviewCallback, note);
    ending.appointment = Some(appointment);
    let before = loaded.record.clone();
    persist(state, user, &mut loaded, &before, Some(&ending)).await?;
    Ok(InterviewView {
        step: Step::Ended,
        ..view_of(&loaded)
    })
}

/// The respondent breaks the interview off: final, AAPOR 2.12.
pub async fn break_off(
    state: &AppState,
    user: &CurrentUser,
    interview: Uuid,
    note: Option<String>,
) -> Result<InterviewView, AppError> {
    let mut loaded = load_by_uuid(state, interview).await?;
    ensure_holder(user, &loaded)?;
    let note = crate::services::calls::checked_note(note.as_deref())?;
    let ending = Finish::of(Outcome::BrokenOff, note);
    let before = loaded.record.clone();
    persist(state, user, &mut loaded, &before, Some(&ending)).await?;
    Ok(InterviewView {
        step: Step::Ended,
        ..view_of(&loaded)
    })
}

/// Settles the quota point: the quota service reserves a place in each of the respondent's
/// cells or refuses (the interview then ends screened out, AAPOR 4.80, its screening answers
/// kept). A wave without a quota design accepts everyone.
async fn settle(state: &AppState, loaded: &mut Loaded) -> Result<(), AppError> {
    while let State::QuotaPoint { cell } = engine!(loaded).state(&loaded.record) {
        let screening = quota::screen(&state.db, loaded.case.wave_id, loaded.row.id, &cell).await?;
        let decision = match screening {
            quota::Screening::NoQuotas => QuotaDecision::Accepted,
            quota::Screening::Accepted => {
                state.metrics.quota_reserved();
                QuotaDecision::Accepted
            }
            quota::Screening::Refused { reason } => {
                tracing::info!(interview = %loaded.row.uuid, %reason, "quota: screened out");
                state.metrics.quota_screened_out();
                QuotaDecision::Refused
            }
        };
        engine!(loaded)
            .record_quota(&mut loaded.record, decision)
            .map_err(answer_error)?;
    }
    Ok(())
}

/// How an interview ends (or pauses for an appointment), before the rules decide what
/// becomes of its case.
#[derive(Clone, Debug)]
struct Finish {
    outcome: Outcome,
    note: Option<String>,
    appointment: Option<Appointment>,
}

impl Finish {
    fn of(outcome: Outcome, note: Option<String>) -> Finish {
        Finish {
            outcome,
            note,
            appointment: None,
        }
    }

    /// The interview's status once ended this way: a callback keeps it running.
    fn status(&self) -> InterviewStatus {
        match self.outcome {
            Outcome::Completed => InterviewStatus::Completed,
            Outcome::ScreenedOut | Outcome::QuotaFull => InterviewStatus::ScreenedOut,
            Outcome::InterviewCallback => InterviewStatus::InProgress,
            _ => InterviewStatus::BrokenOff,
        }
    }
}

/// The store's ending for `finish`: the call attempt that closes the case's call, and what the
/// rules make of the case.
async fn ending_of(
    state: &AppState,
    tx: &mut Tx,
    loaded: &Loaded,
    user: &CurrentUser,
    finish: &Finish,
) -> Result<Ending, AppError> {
    let now = state.settings.clock.now_ms();
    let duration_s = cases::held_seconds(&loaded.case, now);
    let report = Report {
        outcome: finish.outcome,
        appointment: finish.appointment,
        dialled_at: now - duration_s * 1000,
    };
    let plan = dispatch::plan(tx, &state.dispatch, &loaded.case, user.user.id, report, now).await?;
    Ok(Ending {
        status: finish.status(),
        attempt: NewAttempt {
            case_id: loaded.case.id,
            interviewer_id: user.user.id,
            number_dialled: first_phone(tx, loaded.case.id).await?,
            outcome: finish.outcome.as_str().to_owned(),
            aapor_code: plan.aapor,
            note: finish.note.clone(),
            duration_s,
            ended_at: now,
            appointment_at: finish.appointment.map(|a| a.earliest().as_millisecond()),
            appointment_until: match finish.appointment {
                Some(Appointment::Soft { until, .. }) => Some(until.as_millisecond()),
                _ => None,
            },
            status_before: loaded.case.status,
        },
        next: plan.next,
    })
}

/// Commits the new record, the changed answer rows and the optional ending; then refreshes
/// the loaded revision.
async fn persist(
    state: &AppState,
    user: &CurrentUser,
    loaded: &mut Loaded,
    before: &Record,
    ending: Option<&Finish>,
) -> Result<(), AppError> {
    let old = answers_json(before)?;
    let new = answers_json(&loaded.record)?;
    let changed = new
        .iter()
        .filter(|(var, answer)| old.get(*var) != Some(answer))
        .map(|(var, answer)| (var.clone(), answer.to_string()))
        .collect();
    let removed = old
        .keys()
        .filter(|var| !new.contains_key(*var))
        .cloned()
        .collect();
    let route = engine!(loaded).route(&loaded.record);
    let progress = Progress {
        interview_id: loaded.row.id,
        revision: loaded.row.revision,
        interviewer_id: user.user.id,
        record: serde_json::to_string(&loaded.record).map_err(StoreError::from)?,
        route: serde_json::to_string(&route).map_err(StoreError::from)?,
        changed,
        removed,
    };
    let Some(finish) = ending else {
        // An answer that does not end the interview: written with the others waiting.
        return match state.answer_saves.save(progress).await? {
            SaveOutcome::Saved => {
                loaded.row.revision += 1;
                Ok(())
            }
            SaveOutcome::Stale => Err(stale()),
        };
    };
    let mut tx = state.db.write().await?;
    let ending = Some(ending_of(state, &mut tx, loaded, user, finish).await?);
    match interviews::save(&mut tx, &progress, ending.as_ref()).await? {
        SaveOutcome::Saved => {
            tx.commit().await?;
            loaded.row.revision += 1;
            if let Some(ending) = ending {
                loaded.row.status = ending.status;
            }
            Ok(())
        }
        SaveOutcome::Stale => Err(stale()),
    }
}

/// The interview moved on, ended or changed hands since this request's page was shown.
fn stale() -> AppError {
    AppError::Conflict(
        "l'entretien a changé entre-temps (autre onglet ?) : rechargez la page".to_owned(),
    )
}

async fn first_phone(tx: &mut Tx, case_id: i64) -> Result<String, AppError> {
    Ok(cases::phones(tx, case_id)
        .await?
        .into_iter()
        .next()
        .map(|p| p.e164)
        .unwrap_or_default())
}

fn answers_json(record: &Record) -> Result<BTreeMap<String, serde_json::Value>, AppError> {
    let value = serde_json::to_value(record).map_err(StoreError::from)?;
    Ok(match value.get("answers") {
        Some(serde_json::Value::Object(map)) => map.clone().into_iter().collect(),
        _ => BTreeMap::new(),
    })
}

fn ensure_holder(user: &CurrentUser, loaded: &Loaded) -> Result<(), AppError> {
    user.require(&[Role::Interviewer])?;
    if loaded.case.held_by != Some(user.user.id) {
        return Err(AppError::forbidden(
            "cet entretien concerne un cas que vous ne détenez pas",
        ));
    }
    if loaded.row.status != InterviewStatus::InProgress {
        return Err(AppError::Conflict("cet entretien est terminé".to_owned()));
    }
    if loaded.wave_status == WaveStatus::Closed {
        return Err(AppError::Conflict(
            "la vague est close : aucune réponse n'est plus enregistrée".to_owned(),
        ));
    }
    Ok(())
}

/// Loads an interview for a request. Its rows are read each in its own snapshot (saving the
/// round trips of a transaction on every answer): what an answer's save relies on, the
/// interview's revision and status and its case's holder, the save checks again as it writes.
async fn load_by_uuid(state: &AppState, interview: Uuid) -> Result<Loaded, AppError> {
    let mut tx = state.db.read_autocommit().await?;
    let row = interviews::by_uuid(&mut tx, interview)
        .await?
        .ok_or_else(|| AppError::not_found("entretien inconnu"))?;
    let loaded = load(state, &mut tx, row).await?;
    tx.commit().await?;
    Ok(loaded)
}

async fn load(state: &AppState, tx: &mut Tx, row: InterviewRow) -> Result<Loaded, AppError> {
    let case = cases::case(tx, row.case_id)
        .await?
        .ok_or_else(|| AppError::not_found("cas inconnu"))?;
    let wave = surveys::wave(tx, case.wave_id)
        .await?
        .ok_or_else(|| AppError::not_found("vague inconnue"))?;
    let questionnaire = state
        .questionnaires
        .get(tx, wave.questionnaire_version_id)
        .await?;
    let record: Record = serde_json::from_str(&row.record).map_err(StoreError::from)?;
    let preload = crate::services::export::input::preload_of(&case.preload);
    // A language the questionnaire no longer has (a new version dropped it) falls back to the
    // primary one.
    let language = row
        .language
        .clone()
        .filter(|l| questionnaire.languages().contains(l))
        .unwrap_or_else(|| questionnaire.primary_language().to_owned());
    Ok(Loaded {
        case,
        wave_status: wave.status,
        row,
        questionnaire,
        preload,
        language,
        record,
    })
}

fn view_of(loaded: &Loaded) -> InterviewView {
    let engine = engine!(loaded);
    let mut step = if loaded.row.status == InterviewStatus::BrokenOff {
        Step::Ended
    } else {
        Step::from_state(&engine.state(&loaded.record))
    };
    let route = engine.route(&loaded.record);
    if let Step::Question(question) = &mut step {
        question.locate(&loaded.questionnaire, &route);
    }
    InterviewView {
        interview_id: loaded.row.uuid,
        case_id: loaded.case.uuid,
        status: loaded.row.status,
        step,
        route,
        language: loaded.language.clone(),
        languages: loaded
            .questionnaire
            .languages()
            .iter()
            .map(|code| LanguageChoice::of(code))
            .collect(),
    }
}

fn input_of(request: &AnswerRequest) -> Result<AnswerInput, AppError> {
    let given = usize::from(request.codes.is_some())
        + usize::from(request.value.is_some())
        + usize::from(request.special.is_some());
    if given > 1 {
        return Err(AppError::BadRequest(
            "donnez une seule forme de réponse : codes, value ou special".to_owned(),
        ));
    }
    Ok(match (&request.codes, &request.value, request.special) {
        (Some(codes), _, _) => AnswerInput::Codes {
            codes: codes.clone(),
            other: request.other.clone().unwrap_or_default(),
        },
        (_, Some(value), _) => AnswerInput::Raw(value.clone()),
        (_, _, Some(Special::DontKnow)) => AnswerInput::DontKnow,
        (_, _, Some(Special::Refused)) => AnswerInput::Refused,
        _ => AnswerInput::Continue,
    })
}

fn answer_error(error: AnswerError) -> AppError {
    let message = error.to_string();
    match error {
        AnswerError::SoftCheck(_) => AppError::NeedsConfirmation(message),
        AnswerError::NotCurrent { .. } | AnswerError::Finished => AppError::Conflict(message),
        _ => AppError::Invalid(message),
    }
}

/// The stored answers of an interview: for supervisors and admins, and for the interviewer
/// holding its case. Analysts read answers in the exports, pseudonymised, never here (raw
/// answers carry internal identifiers and timestamps to the millisecond).
pub async fn stored_answers(
    state: &AppState,
    user: &CurrentUser,
    interview: Uuid,
) -> Result<Vec<interviews::AnswerRow>, AppError> {
    if user.role == Role::Analyst {
        return Err(AppError::forbidden(
            "les réponses se lisent dans les exports, pseudonymisées",
        ));
    }
    let mut tx = state.db.read().await?;
    let row = interviews::by_uuid(&mut tx, interview)
        .await?
        .ok_or_else(|| AppError::not_found("entretien inconnu"))?;
    if user.role == Role::Interviewer {
        let case = cases::case(&mut tx, row.case_id).await?;
        if case.and_then(|c| c.held_by) != Some(user.user.id) {
            return Err(AppError::forbidden(
                "cet entretien concerne un cas que vous ne détenez pas",
            ));
        }
    }
    let answers = interviews::answers(&mut tx, row.id).await?;
    tx.commit().await?;
    Ok(answers)
}
