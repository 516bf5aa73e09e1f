//! Pages for supervisors, admins and analysts: the sample, progress, users.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use uuid::Uuid;

use super::{Refused, form_page, layout, refusal};
use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiForm, ApiPath, ApiQuery, AppError};
use crate::sample::communes::COMMUNES;
use crate::scheduling::outcomes;
use crate::scheduling::outcomes::format_local;
use crate::services::accounts;
use crate::services::calls;
use crate::services::manage::{self, CaseAction, SampleCase, SampleQuery};
use crate::state::AppState;
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
) -> Result<Response, AppError> {
    case_view(&state, &user, id, CaseNotice::None).await
}

/// The action form of the case page (one form per action, told apart by `action`).
#[derive(Clone, Debug, Default, Deserialize)]
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
) -> Result<Response, AppError> {
    let action = match form.action.as_str() {
        "release" => CaseAction::Release,
        "reschedule" => CaseAction::Reschedule {
            at: form.at.clone(),
        },
        "finalise" => CaseAction::Finalise {
            outcome: form.outcome.clone(),
        },
        "assign" => CaseAction::Assign {
            interviewer: form.interviewer.clone(),
        },
        other => return Err(AppError::BadRequest(format!("action inconnue : {other}"))),
    };
    match refusal(manage::act_on_case(&state.db, Actor::User(&user), id, &action).await)? {
        Ok(_) => case_view(&state, &user, id, CaseNotice::Done).await,
        Err(refused) => case_view(&state, &user, id, CaseNotice::Refused(form, refused)).await,
    }
}

/// What the case page says of the last action: nothing, done, or refused next to the action's
/// form, kept as it was typed.
enum CaseNotice {
    None,
    Done,
    Refused(CaseActionForm, Refused),
}

async fn case_view(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    notice: CaseNotice,
) -> Result<Response, AppError> {
    user.require(Role::MANAGERS)?;
    let case = calls::case(state, user, id).await?;
    let (typed, refused) = match &notice {
        CaseNotice::Refused(form, refused) => (Some(form), Some(refused)),
        _ => (None, None),
    };
    let typed = typed.cloned().unwrap_or_default();
    let refused_at = |action: &str| {
        refused
            .filter(|_| typed.action == action)
            .map(|r| html! { p.error role="alert" { (r.message) } })
    };
    Ok(form_page(
        refused,
        layout(
            "Cas",
            Some(user),
            html! {
                h1 { "Cas " (case.external_id) }
                @if let CaseNotice::Done = notice { div.notice role="status" { p { "Fait." } } }
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
                    (refused_at("release").unwrap_or_default())
                }
                form.inline method="post" action={ "/echantillon/cas/" (id) "/action" } {
                    input type="hidden" name="action" value="reschedule";
                    label { "Rappeler à partir du " input type="datetime-local" name="at" value=(typed.at) required; }
                    button type="submit" { "Reprogrammer" }
                    (refused_at("reschedule").unwrap_or_default())
                }
                form.inline method="post" action={ "/echantillon/cas/" (id) "/action" } {
                    input type="hidden" name="action" value="assign";
                    label { "Confier à l'enquêteur " input name="interviewer" value=(typed.interviewer) required size="12"; }
                    button type="submit" { "Confier" }
                    (refused_at("assign").unwrap_or_default())
                }
                form.inline method="post" action={ "/echantillon/cas/" (id) "/action" } {
                    input type="hidden" name="action" value="finalise";
                    label { "Clore avec l'issue " select name="outcome" {
                        @for outcome in Outcome::CALLS { @if outcome.finality() != Finality::Never { option value=(outcome.as_str()) selected[typed.outcome == outcome.as_str()] { (outcomes::label(outcome.as_str())) } } }
                    } }
                    button type="submit" { "Clore" }
                    (refused_at("finalise").unwrap_or_default())
                }
            },
        ),
    ))
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

/// `GET /admin/utilisateurs`: the accounts, each with its actions, and the new-user form.
pub async fn users(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    users_page(&state, &user, None, None).await
}

/// Where a refusal of the users page is shown: next to the field of the new-user form, or in
/// the row of the account acted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spot {
    /// At the top of the new-user form.
    NewUser,
    /// Next to the new user's name.
    Username,
    /// In the row of this account.
    Account(i64),
}

/// The users page; a refused form comes back as typed (but for passwords), its message at its
/// spot, with the refusal's status.
async fn users_page(
    state: &AppState,
    user: &CurrentUser,
    typed: Option<&NewUserForm>,
    refused: Option<(Spot, Refused)>,
) -> Result<Response, AppError> {
    let accounts = accounts::list(&state.db, Actor::User(user)).await?;
    let message = |spot: Spot| {
        refused
            .as_ref()
            .filter(|(at, _)| *at == spot)
            .map(|(_, r)| {
                html! { p.error #refusal role="alert" { (r.message) } }
            })
    };
    let username_refused = message(Spot::Username);
    let role = typed
        .and_then(|t| Role::parse(&t.role))
        .unwrap_or(Role::Interviewer);
    let page = layout(
        "Utilisateurs",
        Some(user),
        html! {
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
                                    input type="password" name="password" placeholder="nouveau mot de passe" minlength="10" maxlength="200" required;
                                    button type="submit" { "Changer" }
                                }
                                @if let Some(refusal) = message(Spot::Account(account.id)) { (refusal) }
                            }
                        }
                    }
                }
            }
            h2 { "Nouvel utilisateur" }
            form method="post" action="/admin/utilisateurs" {
                @if let Some(refusal) = message(Spot::NewUser) { (refusal) }
                label {
                    "Identifiant (lettres, chiffres, « . », « _ », « - ») "
                    input name="username" required maxlength="64" pattern="[A-Za-z0-9._\\-]+"
                        value=(typed.map_or("", |t| t.username.as_str()))
                        autofocus[username_refused.is_some()]
                        aria-invalid=[username_refused.as_ref().map(|_| "true")]
                        aria-describedby=[username_refused.as_ref().map(|_| "refusal")];
                }
                @if let Some(refusal) = username_refused { (refusal) }
                label { "Nom affiché " input name="display_name" maxlength="100" value=(typed.map_or("", |t| t.display_name.as_str())); }
                label { "Rôle " select name="role" { @for r in Role::ALL { option value=(r.as_str()) selected[r == role] { (r.label()) } } } }
                label { "Mot de passe (10 caractères au moins) " input type="password" name="password" minlength="10" maxlength="200" required; }
                button type="submit" { "Créer" }
            }
        },
    );
    Ok(form_page(refused.as_ref().map(|(_, r)| r), page))
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

/// `POST /admin/utilisateurs`: creates the account, or shows the form again with the refusal
/// (a name already taken: next to the name; anything else: at the top of the form).
pub async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiForm(form): ApiForm<NewUserForm>,
) -> Result<Response, AppError> {
    let created = match Role::parse(&form.role) {
        Some(role) => {
            accounts::create(
                &state.db,
                Actor::User(&user),
                &form.username,
                &form.display_name,
                role,
                &form.password,
            )
            .await
        }
        None => Err(AppError::Invalid("rôle inconnu".to_owned())),
    };
    match refusal(created)? {
        Ok(_) => Ok(Redirect::to("/admin/utilisateurs").into_response()),
        Err(refused) => {
            // Of the service's refusals, only a name already taken is a conflict.
            let spot = if refused.status == StatusCode::CONFLICT {
                Spot::Username
            } else {
                Spot::NewUser
            };
            users_page(&state, &user, Some(&form), Some((spot, refused))).await
        }
    }
}

/// Enable/disable form.
#[derive(Debug, Deserialize)]
pub struct ToggleForm {
    disabled: String,
}

/// `POST /admin/utilisateurs/{id}/etat`: disables or re-enables an account; a refusal (one's own
/// account) is shown in its row.
pub async fn toggle_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiForm(form): ApiForm<ToggleForm>,
) -> Result<Response, AppError> {
    let disabled = form.disabled == "1";
    let result = accounts::set_disabled(&state.db, Actor::User(&user), id, disabled).await;
    account_done(&state, &user, id, result).await
}

/// New-password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    password: String,
}

/// `POST /admin/utilisateurs/{id}/mot-de-passe`: replaces a password; a refusal is shown in the
/// account's row.
pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiForm(form): ApiForm<PasswordForm>,
) -> Result<Response, AppError> {
    let result = accounts::change_password(&state.db, Actor::User(&user), id, &form.password).await;
    account_done(&state, &user, id, result).await
}

/// Back to the list when an account's action is done, or the list with the refusal in the row.
async fn account_done(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    result: Result<(), AppError>,
) -> Result<Response, AppError> {
    match refusal(result)? {
        Ok(()) => Ok(Redirect::to("/admin/utilisateurs").into_response()),
        Err(refused) => users_page(state, user, None, Some((Spot::Account(id), refused))).await,
    }
}
