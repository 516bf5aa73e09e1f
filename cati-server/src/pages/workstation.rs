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
use crate::error::{ApiForm, ApiQuery, AppError};
use crate::scheduling::outcomes::format_local;
use crate::services::calls::appointment_of;
use crate::services::calls::{self, AppointmentHelp, CaseView, OutcomeRequest};
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

/// What the screen between calls was sent: what was just saved, and whether the interviewer
/// paused.
#[derive(Debug, Default, Deserialize)]
pub struct HomeQuery {
    /// The outcome just saved (its name).
    #[serde(default)]
    enregistre: Option<String>,
    /// The case it was saved on (its identifier in the sample file).
    #[serde(default)]
    cas: Option<String>,
    /// The appointment booked (epoch ms).
    #[serde(default)]
    rdv: Option<i64>,
    /// The interviewer is on a break: no case is claimed until they say they are ready.
    #[serde(default)]
    pause: Option<String>,
}

/// Where to go after saving `outcome` on the case `case`: the screen between calls, which
/// confirms it.
fn saved(outcome: Outcome, case: &str, appointment: Option<i64>) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("enregistre", outcome.as_str());
    query.append_pair("cas", case);
    if let Some(at) = appointment {
        query.append_pair("rdv", &at.to_string());
    }
    see(&format!("/poste?{}", query.finish()))
}

/// The confirmation of what was saved, in French.
fn confirmation(query: &HomeQuery) -> Option<String> {
    let outcome = Outcome::parse(query.enregistre.as_deref()?)?;
    let mut text = format!(
        "Enregistré : « {} »",
        OutcomeFrame::default().spec(outcome).label
    );
    if let Some(case) = &query.cas {
        text.push_str(&format!(" pour le cas {case}"));
    }
    text.push('.');
    if let Some(at) = query.rdv {
        text.push_str(&format!(" Rappel prévu le {}.", format_local(at)));
    }
    Some(text)
}

/// The choice between calls: take the next call (Enter), or pause (P). Nothing is claimed
/// until the interviewer chooses.
fn ready_choice(saved: Option<&str>) -> Markup {
    html! {
        @if let Some(saved) = saved { p.saved role="status" { (saved) } }
        p.state { "Prêt pour l'appel suivant ?" }
        form #ready-form method="post" action="/poste/suivant" {
            button #next type="submit" autofocus { "Appel suivant" } " " kbd { "Entrée" }
            " " a #pause-link href="/poste?pause=1" { "Faire une pause" } " " kbd { "P" }
        }
    }
}

pub async fn home(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<HomeQuery>,
) -> Result<Response, AppError> {
    if calls::current(&state, &user).await?.is_some() {
        return Ok(see("/poste/cas"));
    }
    let saved = confirmation(&query);
    Ok(page(
        "Poste d'enquête",
        &user,
        html! {
            h1 { "Poste d'enquête" }
            @if query.pause.is_some() {
                p.state role="status" { "En pause : aucun appel ne vous est attribué." }
                p { a #ready href="/poste" autofocus { "Je suis prêt, reprendre" } " " kbd { "Entrée" } }
            } @else {
                (ready_choice(saved.as_deref()))
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
            form #ready-form method="post" action="/poste/suivant" {
                button #next type="submit" autofocus { "Réessayer" }
                " " a #pause-link href="/poste?pause=1" { "Faire une pause" } " " kbd { "P" }
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
                                td { (outcome_label(&a.outcome)) }
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
    Ok(case_screen(&state, &user, &case, None)
        .await?
        .into_response())
}

/// The appointment fields of a form: quick choices, the calling windows, the date and the note
/// (typed after the date, or after a quick choice that moves the focus there).
fn appointment_fields(help: &AppointmentHelp, flexible: bool) -> Markup {
    html! {
        fieldset.appointment {
            legend { "Rendez-vous" }
            p.windows { "Heures d'appel : " (help.windows.join(" ; ")) }
            @if !help.choices.is_empty() {
                p.quick {
                    @for (label, at) in &help.choices {
                        button type="button" data-at=(at) aria-pressed="false" { (label) } " "
                    }
                }
            }
            label { "Date et heure (JJ/MM/AAAA HH:MM) "
                input type="text" name="appointment_at" placeholder="JJ/MM/AAAA HH:MM" autocomplete="off" inputmode="numeric"; }
            @if flexible {
                label { " jusqu'à (rendez-vous souple, facultatif) "
                    input type="text" name="appointment_until" placeholder="JJ/MM/AAAA HH:MM" autocomplete="off" inputmode="numeric"; }
            }
        }
    }
}

/// The case page with the appointment help its outcome form offers.
async fn case_screen(
    state: &AppState,
    user: &CurrentUser,
    case: &CaseView,
    error: Option<&str>,
) -> Result<Html<String>, AppError> {
    let help = calls::appointment_help(state, user, case.case_id).await?;
    Ok(case_page(user, case, &help, error))
}

fn case_page(
    user: &CurrentUser,
    case: &CaseView,
    help: &AppointmentHelp,
    error: Option<&str>,
) -> Html<String> {
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
                            kbd { (key) } " " (spec.label)
                        }
                    }
                }
                @if case.phones.len() > 1 {
                    label { "Numéro composé "
                        select name="number" { @for p in &case.phones { option value=(p) { (national(p)) } } }
                    }
                }
                (appointment_fields(help, true))
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
            case_screen(&state, &user, &case, Some("Choisissez une issue.")).await?,
        )
            .into_response());
    };
    let booked = Outcome::parse(&outcome)
        .filter(|o| o.books_appointment())
        .and_then(|_| {
            appointment_of(
                form.appointment_at.as_deref(),
                form.appointment_until.as_deref(),
            )
            .ok()
            .flatten()
        })
        .map(|a| a.earliest().as_millisecond());
    let request = OutcomeRequest {
        outcome,
        number: form.number,
        note: form.note,
        appointment_at: form.appointment_at,
        appointment_until: form.appointment_until,
    };
    match calls::record_outcome(&state, &user, case.case_id, &request).await {
        Ok(()) => Ok(match Outcome::parse(&request.outcome) {
            Some(outcome) => saved(outcome, &case.external_id, booked),
            None => see("/poste"),
        }),
        Err(e @ AppError::Invalid(_)) => Ok((
            e.status(),
            case_screen(&state, &user, &case, Some(&e.to_string())).await?,
        )
            .into_response()),
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

/// The case the interviewer holds and its interview under way, if any.
async fn current_interview(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Option<(CaseView, uuid::Uuid)>, AppError> {
    Ok(calls::current(state, user).await?.and_then(|case| {
        let id = case
            .interview
            .as_ref()
            .filter(|i| i.status == InterviewStatus::InProgress)?
            .id;
        Some((case, id))
    }))
}

pub async fn interview(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let Some((case, id)) = current_interview(&state, &user).await? else {
        return Ok(see("/poste"));
    };
    let view = service::view(&state, &user, id).await?;
    Ok(interview_screen(&state, &user, &case, &view, None)
        .await?
        .into_response())
}

/// What the interviewer typed, to show it again with an error.
#[derive(Default)]
struct Typed {
    codes: Vec<i64>,
    value: Option<String>,
    other: std::collections::BTreeMap<i64, String>,
    confirm_offered: bool,
    /// The error concerns the « Interrompre l'entretien » panel, shown open.
    interrupting: bool,
}

/// The interview page with the appointment help its « Interrompre » panel offers: read only
/// when a question is shown (not on the answers that redirect, nor at the end, when the case
/// is already released).
async fn interview_screen(
    state: &AppState,
    user: &CurrentUser,
    case: &CaseView,
    view: &InterviewView,
    error: Option<(&str, Typed)>,
) -> Result<Html<String>, AppError> {
    let help = match view.step {
        Step::Question(_) => calls::appointment_help(state, user, case.case_id).await?,
        _ => AppointmentHelp::default(),
    };
    Ok(interview_page(user, case, &help, view, error))
}

fn interview_page(
    user: &CurrentUser,
    case: &CaseView,
    help: &AppointmentHelp,
    view: &InterviewView,
    error: Option<(&str, Typed)>,
) -> Html<String> {
    let (message, typed) = match error {
        Some((message, typed)) => (Some(message), typed),
        None => (None, Typed::default()),
    };
    let saved = |outcome: Outcome| {
        confirmation(&HomeQuery {
            enregistre: Some(outcome.as_str().to_owned()),
            cas: Some(case.external_id.clone()),
            ..HomeQuery::default()
        })
    };
    page(
        "Entretien",
        user,
        html! {
            @match &view.step {
                Step::Question(q) => {
                    (call_bar(case))
                    (language_bar(view))
                    (question(q, &view.language, view.languages.len() > 1, help, message, &typed))
                }
                Step::Completed { closing } => {
                    h1 { "Entretien terminé" }
                    p.closing { (closing) }
                    (ready_choice(saved(Outcome::Completed).as_deref()))
                }
                Step::ScreenedOut { reason, closing } => {
                    h1 { "Fin de l'entretien (hors cible)" }
                    p { "Motif : " (reason) }
                    p.closing { (closing) }
                    (ready_choice(saved(Outcome::ScreenedOut).as_deref()))
                }
                Step::Ended => { h1 { "Entretien interrompu" } (ready_choice(None)) }
            }
        },
    )
}

/// The call under way, above the question: the case, its commune, the numbers to redial and
/// how long the call has lasted (ticking in `workstation.js`).
fn call_bar(case: &CaseView) -> Markup {
    html! {
        section.call aria-label="Appel en cours" {
            span { "Cas " strong #case-ref { (case.external_id) } }
            span { "Commune : " (case.commune_name.as_deref().unwrap_or("inconnue")) }
            @for phone in &case.phones {
                span.phone { a href={ "tel:" (phone) } title="Recomposer ce numéro" { (national(phone)) } }
            }
            @if let Some(since) = case.held_since {
                span { "Durée : " span #elapsed data-since=(since) { "—" } }
            }
            @if case.synthetic { span.synthetic { "numéro fictif" } }
        }
    }
}

/// The questionnaire's languages, when it has several: the one in use is marked, and F8 (in
/// `workstation.js`) presses the next one's button.
fn language_bar(view: &InterviewView) -> Markup {
    let current = view
        .languages
        .iter()
        .position(|choice| choice.code == view.language)
        .unwrap_or(0);
    html! {
        @if view.languages.len() > 1 {
            form #language-form .languages method="post" action="/poste/entretien/langue" {
                span { "Langue de l'entretien : " }
                @for (i, choice) in view.languages.iter().enumerate() {
                    " "
                    button type="submit" name="language" value=(choice.code) lang=(choice.code)
                        aria-pressed=(i == current) disabled[i == current]
                        data-next[i == (current + 1) % view.languages.len()] { (choice.name) }
                }
                " " kbd { "F8" }
            }
        }
    }
}

/// The question in `language` (marked so, for screen readers), with the interface around it
/// in French.
fn question(
    q: &QuestionDto,
    language: &str,
    several_languages: bool,
    help: &AppointmentHelp,
    error: Option<&str>,
    typed: &Typed,
) -> Markup {
    let chosen = |code: i64| typed.codes.contains(&code) || q.current_codes.contains(&code);
    let value = typed
        .value
        .clone()
        .or_else(|| q.current_value.clone())
        .unwrap_or_default();
    html! {
        p.section { (q.section) " — " span #progress { "question " (q.number) " / " (q.total) } }
        @if let Some(header) = &q.header { p.header { (header) } }
        @if let Some(place) = q.grid_item { p #grid-item { "Élément " (place.item) " sur " (place.of) } }
        h1 #question-text lang=(language) { (q.text) }
        @if let Some(instruction) = &q.instruction { p.instruction lang=(language) { (instruction) } }
        @if let Some(error) = error.filter(|_| !typed.interrupting) {
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
                    fieldset lang=(language) {
                        legend lang="fr" { @if q.kind == QuestionKind::Single { "Une réponse" } @else { "Plusieurs réponses possibles" } }
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
                li { kbd { "F4" } " interrompre l'entretien (rendez-vous ou abandon)" }
                @if several_languages { li { kbd { "F8" } " passer l'entretien dans la langue suivante" } }
            }
        }
        details #interrupt .interrupt open[typed.interrupting] {
            summary { "Interrompre l'entretien " kbd { "F4" } }
            @if let Some(error) = error.filter(|_| typed.interrupting) { p.error role="alert" { (error) } }
            form #callback-form method="post" action="/poste/entretien/rappel" {
                (appointment_fields(help, false))
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
    let Some((case, id)) = current_interview(&state, &user).await? else {
        return Ok(see("/poste"));
    };
    let (request, mut typed) = parse_answer(&body);
    let answered = request.var.clone();
    let kind_hint = request.codes.is_none() && request.value.is_none() && request.special.is_none();
    if kind_hint {
        // Nothing chosen on a choice question: say so rather than "continue".
        let view = service::view(&state, &user, id).await?;
        if let Step::Question(q) = &view.step
            && q.kind != QuestionKind::Info
            && q.var == answered
        {
            return Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                interview_screen(
                    &state,
                    &user,
                    &case,
                    &view,
                    Some(("Choisissez ou saisissez une réponse.", typed)),
                )
                .await?,
            )
                .into_response());
        }
    }
    match service::submit(&state, &user, id, request).await {
        // The interview has ended and the case is released: show the closing text now.
        Ok(view) if !matches!(view.step, Step::Question(_)) => {
            Ok(interview_screen(&state, &user, &case, &view, None)
                .await?
                .into_response())
        }
        Ok(_) => Ok(see("/poste/entretien")),
        Err(
            e @ (AppError::Invalid(_) | AppError::NeedsConfirmation(_) | AppError::Conflict(_)),
        ) => {
            typed.confirm_offered = matches!(e, AppError::NeedsConfirmation(_));
            let view = service::view(&state, &user, id).await?;
            let message = match &view.step {
                // A page left open in another tab answered a question that is no longer the
                // current one: quote the question the interview is at, as the interviewer
                // reads it.
                Step::Question(q) if q.var != answered => {
                    typed = Typed::default();
                    format!(
                        "Cette page n'était plus à jour (entretien ouvert dans un autre onglet ?) : \
                         votre réponse n'a pas été enregistrée. La question en cours est « {} ».",
                        q.text
                    )
                }
                _ => e.to_string(),
            };
            Ok((
                e.status(),
                interview_screen(&state, &user, &case, &view, Some((&message, typed))).await?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn back(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    if let Some((_, id)) = current_interview(&state, &user).await? {
        service::back(&state, &user, id, None).await?;
    }
    Ok(see("/poste/entretien"))
}

/// The language form: the button pressed names the language.
#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    language: String,
}

pub async fn language(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiForm(form): ApiForm<LanguageForm>,
) -> Result<Response, AppError> {
    if let Some((_, id)) = current_interview(&state, &user).await? {
        service::switch_language(&state, &user, id, &form.language).await?;
    }
    Ok(see("/poste/entretien"))
}

/// The callback form.
#[derive(Debug, Deserialize)]
pub struct CallbackForm {
    #[serde(default)]
    appointment_at: String,
    #[serde(default)]
    note: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiForm(form): ApiForm<CallbackForm>,
) -> Result<Response, AppError> {
    let Some((case, id)) = current_interview(&state, &user).await? else {
        return Ok(see("/poste"));
    };
    let appointment = appointment_of(Some(&form.appointment_at), None).and_then(|a| {
        a.ok_or_else(|| {
            AppError::Invalid("un rendez-vous demande une date et une heure".to_owned())
        })
    });
    let refused = match appointment {
        Ok(appointment) => match service::postpone(
            &state,
            &user,
            id,
            appointment,
            form.note.filter(|n| !n.trim().is_empty()),
        )
        .await
        {
            Ok(_) => {
                let at = appointment.earliest().as_millisecond();
                return Ok(saved(
                    Outcome::InterviewCallback,
                    &case.external_id,
                    Some(at),
                ));
            }
            Err(e @ AppError::Invalid(_)) => e,
            Err(e) => return Err(e),
        },
        Err(e) => e,
    };
    // The panel opens again with the message, rather than a page that loses the interview.
    let view = service::view(&state, &user, id).await?;
    let typed = Typed {
        interrupting: true,
        ..Typed::default()
    };
    Ok((
        refused.status(),
        interview_screen(
            &state,
            &user,
            &case,
            &view,
            Some((&refused.to_string(), typed)),
        )
        .await?,
    )
        .into_response())
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
    let Some((case, id)) = current_interview(&state, &user).await? else {
        return Ok(see("/poste"));
    };
    service::break_off(
        &state,
        &user,
        id,
        form.note.filter(|n| !n.trim().is_empty()),
    )
    .await?;
    Ok(saved(Outcome::BrokenOff, &case.external_id, None))
}
