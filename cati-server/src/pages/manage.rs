//! Pages for supervisors, admins and analysts: the sample, progress, users.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use uuid::Uuid;

use super::{layout, refusal};
use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiForm, ApiPath, ApiQuery, AppError};
use crate::sample::communes::COMMUNES;
use crate::scheduling::outcomes;
use crate::scheduling::outcomes::format_local;
use crate::services::accounts;
use crate::services::calls;
use crate::services::manage::{self, CaseAction, SampleCase, SampleQuery};
use crate::state::AppState;
use crate::store::audit::AuditAction;
use crate::store::cases::CaseStatus;
use crate::store::users::Role;
use fieldwork::{Finality, Outcome};

/// The sample search: `?vague=…` and the filters of [`SampleQuery`] (`after` pages on).
#[derive(Debug, Default, Deserialize)]
pub struct SampleSearch {
    #[serde(default)]
    vague: Option<Uuid>,
    #[serde(flatten)]
    query: SampleQuery,
}

/// `GET /echantillon`: a wave's cases, searched and paged.
pub async fn sample(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(search): ApiQuery<SampleSearch>,
) -> Result<Html<String>, AppError> {
    let waves = manage::waves(&state.db, Actor::User(&user)).await?;
    let wave = match search.vague {
        Some(id) => waves.iter().find(|w| w.uuid == id),
        None => waves.first(),
    };
    let query = SampleQuery {
        limit: Some(100),
        ..search.query.clone()
    };
    let rows = match wave {
        Some(wave) => manage::sample(&state, &user, wave.uuid, &query).await?,
        None => Vec::new(),
    };
    let selected = |v: &Option<String>| v.clone().unwrap_or_default();
    let next = rows.last().filter(|_| rows.len() == 100).map(|last| {
        let mut params: Vec<(String, String)> = Vec::new();
        if let Some(wave) = wave {
            params.push(("vague".into(), wave.uuid.to_string()));
        }
        for (key, value) in [
            ("external_id", &search.query.external_id),
            ("phone", &search.query.phone),
            ("commune", &search.query.commune),
            ("aapor", &search.query.aapor),
        ] {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                params.push((key.into(), v.to_owned()));
            }
        }
        if let Some(status) = search.query.status {
            params.push(("status".into(), status.as_str().into()));
        }
        params.push(("after".into(), last.case.uuid.to_string()));
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish()
    });
    Ok(Html(layout("Échantillon", Some(&user), html! {
        h1 { "Échantillon" }
        form method="get" action="/echantillon" {
            label { "Vague " select name="vague" {
                @for w in &waves { option value=(w.uuid) selected[Some(w.uuid) == wave.map(|w| w.uuid)] { (w.survey_title) " — " (w.name) " (" (w.status.label()) ")" } }
            } }
            label { " Identifiant " input name="external_id" value=(selected(&search.query.external_id)) size="10"; }
            label { " Numéro " input name="phone" value=(selected(&search.query.phone)) size="14"; }
            label { " Commune " select name="commune" {
                option value="" { "(toutes)" }
                @for (code, name) in COMMUNES { option value=(code) selected[search.query.commune.as_deref() == Some(code)] { (name) } }
            } }
            label { " Statut " select name="status" {
                option value="" { "(tous)" }
                @for status in CaseStatus::ALL { option value=(status.as_str()) selected[search.query.status == Some(status)] { (status.label()) } }
            } }
            label { " Disposition AAPOR " input name="aapor" value=(selected(&search.query.aapor)) size="6"; }
            button type="submit" { "Chercher" }
        }
        @if rows.is_empty() { p { "Aucun cas ne correspond." } }
        @else {
            table {
                thead { tr { th { "Cas" } th { "Commune" } th { "Numéros" } th { "Statut" } th { "Appels" } th { "Dernier appel" } th { "Issue finale" } } }
                tbody {
                    @for SampleCase { case, phones } in &rows {
                        tr {
                            td { a href={ "/echantillon/cas/" (case.uuid) } { (case.external_id) } @if case.synthetic { " (synthétique)" } }
                            td { (case.commune_name.as_deref().unwrap_or("")) }
                            td { (phones.join(", ")) }
                            td { (case.status.label()) @if case.held_by.is_some() { " — détenu" } }
                            td { (case.attempts) }
                            td { (case.last_call_at.map(format_local).unwrap_or_default()) }
                            td { (case.final_aapor.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
            @if let Some(next) = &next { p { a href={ "/echantillon?" (next) } { "Page suivante" } } }
        }
    }).into_string()))
}

/// `GET /echantillon/cas/{id}`: one case, its numbers, its calls and the manager's actions.
pub async fn case_page(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Html<String>, AppError> {
    case_view(&state, &user, id, None).await
}

/// The action form of the case page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseActionForm {
    action: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    interviewer: String,
}

/// `POST /echantillon/cas/{id}/action`.
pub async fn case_action(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiForm(form): ApiForm<CaseActionForm>,
) -> Result<Html<String>, AppError> {
    let action = match form.action.as_str() {
        "release" => CaseAction::Release,
        "reschedule" => CaseAction::Reschedule { at: form.at },
        "finalise" => CaseAction::Finalise {
            outcome: form.outcome,
        },
        "assign" => CaseAction::Assign {
            interviewer: form.interviewer,
        },
        other => return Err(AppError::BadRequest(format!("action inconnue : {other}"))),
    };
    let notice = refusal(manage::act_on_case(&state.db, Actor::User(&user), id, &action).await)?
        .map(|_| "Fait.".to_owned());
    case_view(&state, &user, id, Some(notice)).await
}

async fn case_view(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    notice: Option<Result<String, String>>,
) -> Result<Html<String>, AppError> {
    user.require(Role::MANAGERS)?;
    let case = calls::case(state, user, id).await?;
    Ok(Html(layout("Cas", Some(user), html! {
        h1 { "Cas " (case.external_id) }
        @match &notice {
            Some(Ok(done)) => { div.notice role="status" { p { (done) } } }
            Some(Err(refusal)) => { div.error role="alert" { p { (refusal) } } }
            None => {}
        }
        p { (case.commune_name.as_deref().unwrap_or("commune inconnue")) " — " (case.status.label())
            @if let Some(at) = case.appointment_at {
                " — rendez-vous le " (format_local(at))
                @if let Some(until) = case.appointment_until { " (souple, jusqu'au " (format_local(until)) ")" }
            } }
        p {
            "Disposition AAPOR actuelle : " (case.disposition.as_deref().unwrap_or("— (réplicat non libéré)"))
            @if let Some(next) = case.next_call_at { " — prochain appel possible le " (format_local(next)) }
            @if case.missed_appointment { " — rendez-vous manqué" }
            @if case.needs_converter { " — réservé aux enquêteurs qui reconvertissent les refus" }
        }
        p { "Numéros : " (case.phones.join(", ")) }
        @if let Some(interview) = &case.interview { p { "Entretien : " (interview.status.label()) } }
        h2 { "Appels" }
        @if case.attempts.is_empty() { p { "Aucun appel." } }
        @else {
            table {
                thead { tr { th { "Date" } th { "Enquêteur" } th { "Numéro" } th { "Issue" } th { "AAPOR" } th { "Note" } } }
                tbody { @for a in &case.attempts { tr {
                    td { (format_local(a.started_at)) } td { (a.interviewer) } td { (a.number_dialled) }
                    td { (outcomes::label(&a.outcome)) }
                    td { (a.aapor_code) } td { (a.note.as_deref().unwrap_or("")) }
                } } }
            }
        }
        h2 { "Actions" }
        form.inline method="post" action={ "/echantillon/cas/" (id) "/action" } {
            input type="hidden" name="action" value="release";
            button type="submit" { "Libérer (reprendre à l'enquêteur)" }
        }
        form.inline method="post" action={ "/echantillon/cas/" (id) "/action" } {
            input type="hidden" name="action" value="reschedule";
            label { "Rappeler à partir du " input type="datetime-local" name="at" required; }
            button type="submit" { "Reprogrammer" }
        }
        form.inline method="post" action={ "/echantillon/cas/" (id) "/action" } {
            input type="hidden" name="action" value="assign";
            label { "Confier à l'enquêteur " input name="interviewer" required size="12"; }
            button type="submit" { "Confier" }
        }
        form.inline method="post" action={ "/echantillon/cas/" (id) "/action" } {
            input type="hidden" name="action" value="finalise";
            label { "Clore avec l'issue " select name="outcome" {
                @for outcome in Outcome::CALLS { @if outcome.finality() != Finality::Never { option value=(outcome.as_str()) { (outcomes::label(outcome.as_str())) } } }
            } }
            button type="submit" { "Clore" }
        }
    }).into_string()))
}

pub async fn progress(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, AppError> {
    let mut waves = Vec::new();
    for wave in manage::waves(&state.db, Actor::User(&user)).await? {
        let progress = manage::progress(&state, &user, wave.uuid).await?;
        waves.push((
            wave,
            progress.cases_by_status,
            progress.interviews_by_status,
        ));
    }
    Ok(Html(
        layout(
            "Suivi",
            Some(&user),
            html! {
                h1 { "Suivi de terrain" }
                @for (wave, cases, done) in &waves {
                    h2 { (wave.survey_title) " — " (wave.name) }
                    table {
                        thead { tr { th { "Cas par statut" } th { "Nombre" } } }
                        tbody { @for c in cases { tr { td { (c.status.label()) } td { (c.count) } } } }
                    }
                    table {
                        thead { tr { th { "Entretiens par statut" } th { "Nombre" } } }
                        tbody { @for c in done { tr { td { (c.status.label()) } td { (c.count) } } } }
                    }
                }
            },
        )
        .into_string(),
    ))
}

pub async fn users(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, AppError> {
    let accounts = accounts::list(&state.db, Actor::User(&user)).await?;
    Ok(Html(layout("Utilisateurs", Some(&user), html! {
        h1 { "Utilisateurs" }
        table {
            thead { tr { th { "Identifiant" } th { "Nom" } th { "Rôle" } th { "État" } th { "Actions" } } }
            tbody {
                @for account in &accounts {
                    tr {
                        td { (account.username) }
                        td { (account.display_name) }
                        td { (account.role().label()) }
                        td { @if account.disabled { "désactivé" } @else { "actif" } }
                        td {
                            form.inline method="post" action={ "/admin/utilisateurs/" (account.id) "/etat" } {
                                input type="hidden" name="disabled" value=(if account.disabled { "0" } else { "1" });
                                button type="submit" { @if account.disabled { "Réactiver" } @else { "Désactiver" } }
                            }
                            form.inline method="post" action={ "/admin/utilisateurs/" (account.id) "/mot-de-passe" } {
                                input type="password" name="password" placeholder="nouveau mot de passe" minlength="10" required;
                                button type="submit" { "Changer" }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Nouvel utilisateur" }
        form method="post" action="/admin/utilisateurs" {
            label { "Identifiant " input name="username" required; }
            label { "Nom affiché " input name="display_name"; }
            label { "Rôle " select name="role" { @for role in Role::ALL { option value=(role.as_str()) { (role.label()) } } } }
            label { "Mot de passe " input type="password" name="password" minlength="10" required; }
            button type="submit" { "Créer" }
        }
    }).into_string()))
}

/// The new-user form.
#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    username: String,
    #[serde(default)]
    display_name: String,
    role: String,
    password: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiForm(form): ApiForm<NewUserForm>,
) -> Result<Response, AppError> {
    let role =
        Role::parse(&form.role).ok_or_else(|| AppError::Invalid("rôle inconnu".to_owned()))?;
    accounts::create(
        &state.db,
        Actor::User(&user),
        &form.username,
        &form.display_name,
        role,
        &form.password,
    )
    .await?;
    Ok(Redirect::to("/admin/utilisateurs").into_response())
}

/// Enable/disable form.
#[derive(Debug, Deserialize)]
pub struct ToggleForm {
    disabled: String,
}

pub async fn toggle_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiForm(form): ApiForm<ToggleForm>,
) -> Result<Response, AppError> {
    let disabled = form.disabled == "1";
    accounts::set_disabled(&state.db, Actor::User(&user), id, disabled).await?;
    Ok(Redirect::to("/admin/utilisateurs").into_response())
}

/// New-password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiForm(form): ApiForm<PasswordForm>,
) -> Result<Response, AppError> {
    accounts::change_password(&state.db, Actor::User(&user), id, &form.password).await?;
    Ok(Redirect::to("/admin/utilisateurs").into_response())
}

/// The journal's filters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    cible: String,
    #[serde(default)]
    avant: Option<i64>,
}

/// `GET /journal`: who changed what and when, with the before/after values (supervisors and
/// admins).
pub async fn journal(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<JournalQuery>,
) -> Result<Html<String>, AppError> {
    let action = AuditAction::ALL
        .into_iter()
        .find(|a| a.as_str() == query.action);
    let entries = accounts::journal(
        &state.db,
        Actor::User(&user),
        action,
        Some(query.cible.as_str()),
        query.avant,
        100,
    )
    .await?;
    let next = entries.last().filter(|_| entries.len() == 100).map(|last| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("action", &query.action)
            .append_pair("cible", &query.cible)
            .append_pair("avant", &last.id.to_string())
            .finish()
    });
    Ok(Html(layout("Journal", Some(&user), html! {
        h1 { "Journal des modifications" }
        form method="get" action="/journal" {
            label { "Action " select name="action" {
                option value="" { "(toutes)" }
                @for a in AuditAction::ALL { option value=(a.as_str()) selected[action == Some(a)] { (a.label()) } }
            } }
            label { " Cible contenant " input name="cible" value=(query.cible) size="20"; }
            button type="submit" { "Filtrer" }
        }
        @if entries.is_empty() { p { "Aucune entrée." } }
        @else {
            table {
                thead { tr { th { "Date" } th { "Qui" } th { "Action" } th { "Cible" } th { "Détails" } } }
                tbody { @for e in &entries { tr {
                    td { (format_local(e.at)) }
                    td { (e.username.as_deref().unwrap_or("ligne de commande / serveur")) }
                    td { (e.action.label()) }
                    td { (e.target) }
                    td { code { (e.details) } }
                } } }
            }
            @if let Some(next) = &next { p { a href={ "/journal?" (next) } { "Entrées plus anciennes" } } }
        }
    }).into_string()))
}
