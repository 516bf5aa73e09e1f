//! The interviewer's workstation: next call, the case screen, outcomes, the interview one
//! question at a time. Every page works from the keyboard alone (keys shown on screen, handled
//! by `assets/workstation.js`); without the script the forms still work with the mouse.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout;
use crate::auth::CurrentUser;
use crate::error::{ApiForm, AppError};
use crate::scheduling::outcomes::format_local;
use crate::services::calls::appointment_of;
use crate::services::calls::{self, CaseView, OutcomeRequest};
use crate::services::interview::service;
use crate::services::interview::view::{
    AnswerRequest, InterviewView, QuestionDto, QuestionKind, Special, Step,
};
use crate::state::AppState;
use crate::store::interviews::InterviewStatus;
use fieldwork::{Outcome, OutcomeFrame};

fn see(path: &str) -> Response {
    Redirect::to(path).into_response()
}

fn page(title: &str, user: &CurrentUser, body: Markup) -> Html<String> {
    Html(layout(title, Some(user), body).into_string())
}

/// Formats +33XXXXXXXXX as 0X XX XX XX XX for reading.
fn national(e164: &str) -> String {
    match e164.strip_prefix("+33") {
        Some(rest) if rest.len() == 9 => {
            let digits = format!("0{rest}");
            digits
                .as_bytes()
                .chunks(2)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        }
        _ => e164.to_owned(),
    }
}

pub async fn home(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    if calls::current(&state, &user).await?.is_some() {
        return Ok(see("/poste/cas"));
    }
    Ok(page(
        "Poste d'enquête",
        &user,
        html! {
            h1 { "Poste d'enquête" }
            p { "Vous ne détenez aucun cas." }
            form method="post" action="/poste/suivant" {
                button #next type="submit" autofocus { "Appel suivant" }
                " " kbd { "Entrée" }
            }
        },
    )
    .into_response())
}

pub async fn next(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    match calls::next(&state, &user).await? {
        Some(_) => Ok(see("/poste/cas")),
        None => Ok(page("Poste d'enquête", &user, html! {
            h1 { "Poste d'enquête" }
            p.notice role="status" { "Aucun cas à appeler pour le moment (rappels pas encore dus ou échantillon épuisé)." }
            form method="post" action="/poste/suivant" {
                button #next type="submit" autofocus { "Réessayer" }
            }
        }).into_response()),
    }
}

fn outcome_label(name: &str) -> String {
    crate::scheduling::outcomes::label(name)
}

fn case_panel(case: &CaseView) -> Markup {
    html! {
        section.case {
            @if case.synthetic { p.synthetic { "Cas synthétique de démonstration : numéro fictif." } }
            p { "Cas " strong { (case.external_id) } }
            @for phone in &case.phones {
                p.phone { "Numéro à composer : " a href={ "tel:" (phone) } { strong { (national(phone)) } } " (" (phone) ")" }
            }
            p { "Commune : " (case.commune_name.as_deref().unwrap_or("inconnue")) }
            @if let Some(at) = case.appointment_at { p.notice { "Rendez-vous : " (format_local(at))
                @if let Some(until) = case.appointment_until { " – " (format_local(until)) " (souple)" } } }
            @if !case.attempts.is_empty() {
                h2 { "Appels précédents" }
                table {
                    thead { tr { th { "Date" } th { "Enquêteur" } th { "Numéro" } th { "Issue" } th { "Note" } } }
                    tbody {
                        @for a in &case.attempts {
                            tr {
                                td { (format_local(a.started_at)) }
                                td { (a.interviewer) }
                                td { (national(&a.number_dialled)) }
                                td { (outcome_label(&a.outcome)) " (" (a.aapor_code) ")" }
                                td { (a.note.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn case(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let Some(case) = calls::current(&state, &user).await? else {
        return Ok(see("/poste"));
    };
    Ok(case_page(&user, &case, None).into_response())
}

fn case_page(user: &CurrentUser, case: &CaseView, error: Option<&str>) -> Html<String> {
    // The default frame: a survey's own labels are not shown here yet.
    let frame = OutcomeFrame::default();
    let resuming = case
        .interview
        .as_ref()
        .is_some_and(|i| i.status == InterviewStatus::InProgress);
    page(
        "Cas à appeler",
        user,
        html! {
            h1 { "Cas à appeler" }
            @if let Some(error) = error { p.error role="alert" { (error) } }
            (case_panel(case))
            form #start-form method="post" action="/poste/entretien" {
                button type="submit" data-shortcut="i" {
                    @if resuming { "Reprendre l'entretien" } @else { "Commencer l'entretien" }
                }
                " " kbd { "I" }
            }
            h2 { "Issue de l'appel" }
            form #outcome-form method="post" action="/poste/issue" {
                fieldset {
                    legend { "Choisissez l'issue (touche du chiffre), puis Entrée" }
                    @for (i, outcome) in Outcome::CALLS.iter().enumerate() {
                        @let key = (i + 1) % 10;
                        @let spec = frame.spec(*outcome);
                        label.option {
                            input type="radio" name="outcome" value=(outcome.as_str()) data-key=(key);
                            kbd { (key) } " " (spec.label) " "
                            small { "(AAPOR " (spec.aapor.as_str()) ")" }
                        }
                    }
                }
                @if case.phones.len() > 1 {
                    label { "Numéro composé "
                        select name="number" { @for p in &case.phones { option value=(p) { (national(p)) } } }
                    }
                }
                label { "Rendez-vous (pour « Rendez-vous ») " input type="datetime-local" name="appointment_at"; }
                label { " jusqu'à (rendez-vous souple, facultatif) " input type="datetime-local" name="appointment_until"; }
                label { "Note " input type="text" name="note" maxlength="2000"; }
                button type="submit" { "Enregistrer l'issue" }
            }
        },
    )
}

/// The outcome form.
#[derive(Debug, Deserialize)]
pub struct OutcomeForm {
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    appointment_at: Option<String>,
    /// End of a flexible appointment's period; empty for a firm one.
    #[serde(default)]
    appointment_until: Option<String>,
}

pub async fn outcome(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiForm(form): ApiForm<OutcomeForm>,
) -> Result<Response, AppError> {
    let Some(case) = calls::current(&state, &user).await? else {
        return Ok(see("/poste"));
    };
    let Some(outcome) = form.outcome.filter(|o| !o.is_empty()) else {
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            case_page(&user, &case, Some("Choisissez une issue.")),
        )
            .into_response());
    };
    let request = OutcomeRequest {
        outcome,
        number: form.number,
        note: form.note,
        appointment_at: form.appointment_at,
        appointment_until: form.appointment_until,
    };
    match calls::record_outcome(&state, &user, case.case_id, &request).await {
        Ok(()) => Ok(see("/poste")),
        Err(e @ AppError::Invalid(_)) => {
            Ok((e.status(), case_page(&user, &case, Some(&e.to_string()))).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn start(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let Some(case) = calls::current(&state, &user).await? else {
        return Ok(see("/poste"));
    };
    service::start(&state, &user, case.case_id).await?;
    Ok(see("/poste/entretien"))
}

/// The interview of the held case, if any.
async fn current_interview(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Option<uuid::Uuid>, AppError> {
    Ok(calls::current(state, user)
        .await?
        .and_then(|c| c.interview)
        .filter(|i| i.status == InterviewStatus::InProgress)
        .map(|i| i.id))
}

pub async fn interview(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let Some(id) = current_interview(&state, &user).await? else {
        return Ok(see("/poste"));
    };
    let view = service::view(&state, &user, id).await?;
    Ok(interview_page(&user, &view, None).into_response())
}

/// What the interviewer typed, to show it again with an error.
#[derive(Default)]
struct Typed {
    codes: Vec<i64>,
    value: Option<String>,
    other: std::collections::BTreeMap<i64, String>,
    confirm_offered: bool,
}

fn interview_page(
    user: &CurrentUser,
    view: &InterviewView,
    error: Option<(&str, Typed)>,
) -> Html<String> {
    let (message, typed) = match error {
        Some((message, typed)) => (Some(message), typed),
        None => (None, Typed::default()),
    };
    page(
        "Entretien",
        user,
        html! {
            @match &view.step {
                Step::Question(q) => { (question(q, message, &typed)) }
                Step::Completed { closing } => {
                    h1 { "Entretien terminé" }
                    p.closing { (closing) }
                    (next_call_form())
                }
                Step::ScreenedOut { reason, closing } => {
                    h1 { "Fin de l'entretien (hors cible)" }
                    p { "Motif : " (reason) }
                    p.closing { (closing) }
                    (next_call_form())
                }
                Step::Ended => { h1 { "Entretien interrompu" } (next_call_form()) }
            }
        },
    )
}

fn next_call_form() -> Markup {
    html! {
        form method="post" action="/poste/suivant" {
            button #next type="submit" autofocus { "Appel suivant" } " " kbd { "Entrée" }
        }
    }
}

fn question(q: &QuestionDto, error: Option<&str>, typed: &Typed) -> Markup {
    let chosen = |code: i64| typed.codes.contains(&code) || q.current_codes.contains(&code);
    let value = typed
        .value
        .clone()
        .or_else(|| q.current_value.clone())
        .unwrap_or_default();
    html! {
        p.section { (q.section) " — question " (q.number) }
        @if let Some(header) = &q.header { p.header { (header) } }
        h1 #question-text { (q.text) }
        @if let Some(instruction) = &q.instruction { p.instruction { (instruction) } }
        @if let Some(error) = error {
            p.error role="alert" { (error) }
            @if typed.confirm_offered { p.notice { "Appuyez sur Entrée pour confirmer cette réponse, ou corrigez-la." } }
        }
        form #answer-form method="post" action="/poste/entretien/reponse" data-kind=(q.kind.as_str()) tabindex="-1" {
            input type="hidden" name="var" value=(q.var);
            input #special type="hidden" name="special" value="";
            @if typed.confirm_offered { input type="hidden" name="confirm" value="1"; }
            @match q.kind {
                QuestionKind::Single | QuestionKind::Multiple => {
                    @let input_type = if q.kind == QuestionKind::Single { "radio" } else { "checkbox" };
                    fieldset {
                        legend { @if q.kind == QuestionKind::Single { "Une réponse" } @else { "Plusieurs réponses possibles" } }
                        @for (i, option) in q.options.iter().enumerate() {
                            label.option {
                                input type=(input_type) name="codes" value=(option.code) data-key=(i + 1) checked[chosen(option.code)];
                                kbd { (i + 1) } " " (option.label)
                                @if option.other {
                                    " " input type="text" name={ "other_" (option.code) } maxlength="200" placeholder="précisez"
                                        value=(typed.other.get(&option.code).cloned().unwrap_or_default());
                                }
                            }
                        }
                    }
                }
                QuestionKind::Scale => {
                    fieldset.scale {
                        legend { (q.min_label.as_deref().unwrap_or("")) " … " (q.max_label.as_deref().unwrap_or("")) }
                        @let min: i64 = q.min.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0);
                        @let max: i64 = q.max.as_deref().and_then(|v| v.parse().ok()).unwrap_or(10);
                        @for v in min..=max {
                            label.option { input type="radio" name="value" value=(v) data-key=(v) checked[value == v.to_string()]; kbd { (v) } }
                        }
                    }
                }
                QuestionKind::Integer | QuestionKind::Decimal => {
                    label { "Réponse "
                        input #value type="text" inputmode="decimal" name="value" value=(value) autofocus autocomplete="off";
                    }
                    @if q.min.is_some() || q.max.is_some() {
                        small { " (de " (q.min.as_deref().unwrap_or("…")) " à " (q.max.as_deref().unwrap_or("…")) ")" }
                    }
                }
                QuestionKind::Text => {
                    label { "Réponse " input #value type="text" name="value" value=(value) autofocus autocomplete="off" maxlength=[q.max_length]; }
                }
                QuestionKind::Date => {
                    label { "Date (JJ/MM/AAAA) " input #value type="text" name="value" value=(value) autofocus autocomplete="off"; }
                }
                QuestionKind::Info => { p { em { "Information : lisez le texte puis continuez." } } }
            }
            p.actions {
                button type="submit" { @if q.kind == QuestionKind::Info { "Continuer" } @else { "Valider" } } " " kbd { "Entrée" }
                @if q.allow_dont_know { " " button type="submit" name="special" value="dont_know" { "Ne sait pas" } " " kbd { "F2" } }
                @if q.allow_refused { " " button type="submit" name="special" value="refused" { "Refus" } " " kbd { "F3" } }
            }
        }
        @if q.can_go_back {
            form #back-form method="post" action="/poste/entretien/retour" {
                button type="submit" { "Question précédente" } " " kbd { "Échap" }
            }
        }
        details.keys {
            summary { "Raccourcis clavier" }
            ul {
                li { kbd { "1" } "…" kbd { "9" } " choisir une réponse (deux chiffres rapides pour 10 et plus)" }
                li { kbd { "Entrée" } " valider" }
                li { kbd { "Échap" } " question précédente" }
                li { kbd { "F2" } " ou " kbd { "/" } " ne sait pas ; " kbd { "F3" } " ou " kbd { "*" } " refus (" kbd { "/" } " et " kbd { "*" } " hors champ texte)" }
            }
        }
        details.interrupt {
            summary { "Interrompre l'entretien" }
            form method="post" action="/poste/entretien/rappel" {
                label { "Rappel demandé le " input type="datetime-local" name="appointment_at" required; }
                label { "Note " input type="text" name="note" maxlength="2000"; }
                button type="submit" { "Enregistrer le rendez-vous" }
            }
            form method="post" action="/poste/entretien/abandon" {
                label { "Note " input type="text" name="note" maxlength="2000"; }
                button type="submit" { "Abandon (la personne arrête)" }
            }
        }
    }
}

/// Reads the answer form (repeated `codes` fields, `other_<code>` texts).
fn parse_answer(body: &[u8]) -> (AnswerRequest, Typed) {
    let mut request = AnswerRequest {
        var: String::new(),
        codes: None,
        other: None,
        value: None,
        special: None,
        confirm: false,
    };
    let mut typed = Typed::default();
    let mut codes = Vec::new();
    let mut special = None;
    for (key, value) in form_urlencoded::parse(body) {
        match key.as_ref() {
            "var" => request.var = value.into_owned(),
            "codes" => {
                if let Ok(code) = value.trim().parse::<i64>() {
                    codes.push(code);
                }
            }
            "value" => request.value = Some(value.into_owned()),
            "special" => match value.as_ref() {
                "dont_know" => special = Some(Special::DontKnow),
                "refused" => special = Some(Special::Refused),
                _ => {}
            },
            "confirm" => request.confirm = value == "1",
            other => {
                if let Some(code) = other
                    .strip_prefix("other_")
                    .and_then(|c| c.parse::<i64>().ok())
                    && !value.trim().is_empty()
                {
                    typed.other.insert(code, value.into_owned());
                }
            }
        }
    }
    typed.codes.clone_from(&codes);
    typed.value.clone_from(&request.value);
    if special.is_some() {
        request.special = special;
        request.value = None;
    } else if !codes.is_empty() || request.value.is_none() && !typed.other.is_empty() {
        let other = typed
            .other
            .iter()
            .filter(|(c, _)| codes.contains(c))
            .map(|(c, t)| (*c, t.clone()))
            .collect();
        request.codes = Some(codes);
        request.other = Some(other);
    } else if request
        .value
        .as_deref()
        .is_some_and(|v| v.trim().is_empty())
    {
        request.value = Some(String::new());
    }
    (request, typed)
}

pub async fn answer(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Bytes,
) -> Result<Response, AppError> {
    let Some(id) = current_interview(&state, &user).await? else {
        return Ok(see("/poste"));
    };
    let (request, mut typed) = parse_answer(&body);
    let kind_hint = request.codes.is_none() && request.value.is_none() && request.special.is_none();
    let request = if kind_hint {
        // Nothing chosen on a choice question: say so rather than "continue".
        let view = service::view(&state, &user, id).await?;
        if let Step::Question(q) = &view.step
            && q.kind != QuestionKind::Info
        {
            return Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                interview_page(
                    &user,
                    &view,
                    Some(("Choisissez ou saisissez une réponse.", typed)),
                ),
            )
                .into_response());
        }
        request
    } else {
        request
    };
    match service::submit(&state, &user, id, request).await {
        // The interview has ended and the case is released: show the closing text now.
        Ok(view) if !matches!(view.step, Step::Question(_)) => {
            Ok(interview_page(&user, &view, None).into_response())
        }
        Ok(_) => Ok(see("/poste/entretien")),
        Err(
            e @ (AppError::Invalid(_) | AppError::NeedsConfirmation(_) | AppError::Conflict(_)),
        ) => {
            typed.confirm_offered = matches!(e, AppError::NeedsConfirmation(_));
            let view = service::view(&state, &user, id).await?;
            Ok((
                e.status(),
                interview_page(&user, &view, Some((&e.to_string(), typed))),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn back(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    if let Some(id) = current_interview(&state, &user).await? {
        service::back(&state, &user, id, None).await?;
    }
    Ok(see("/poste/entretien"))
}

/// The callback form.
#[derive(Debug, Deserialize)]
pub struct CallbackForm {
    appointment_at: String,
    #[serde(default)]
    note: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiForm(form): ApiForm<CallbackForm>,
) -> Result<Response, AppError> {
    let Some(id) = current_interview(&state, &user).await? else {
        return Ok(see("/poste"));
    };
    let appointment = appointment_of(Some(&form.appointment_at), None)?.ok_or_else(|| {
        AppError::Invalid("un rendez-vous demande une date et une heure".to_owned())
    })?;
    service::postpone(
        &state,
        &user,
        id,
        appointment,
        form.note.filter(|n| !n.trim().is_empty()),
    )
    .await?;
    Ok(see("/poste"))
}

/// The break-off form.
#[derive(Debug, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: Option<String>,
}

pub async fn break_off(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiForm(form): ApiForm<NoteForm>,
) -> Result<Response, AppError> {
    let Some(id) = current_interview(&state, &user).await? else {
        return Ok(see("/poste"));
    };
    service::break_off(
        &state,
        &user,
        id,
        form.note.filter(|n| !n.trim().is_empty()),
    )
    .await?;
    Ok(see("/poste"))
}
