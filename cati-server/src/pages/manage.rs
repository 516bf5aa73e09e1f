//! Pages for supervisors, admins and analysts: the sample, progress, users.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::layout;
use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiForm, ApiPath, AppError};
use crate::scheduling::outcomes::format_local;
use crate::services::accounts;
use crate::services::manage::{self, SampleCase};
use crate::state::AppState;
use crate::store::users::Role;

pub async fn sample(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, AppError> {
    let waves = manage::waves(&state.db, Actor::User(&user)).await?;
    let rows = match waves.first() {
        Some(wave) => manage::sample(&state, &user, wave.uuid, 0, 100).await?,
        None => Vec::new(),
    };
    Ok(Html(layout("Échantillon", Some(&user), html! {
        h1 { "Échantillon" }
        @for wave in &waves { p { (wave.survey_title) " — vague « " (wave.name) " » (" (wave.status.label()) ")" } }
        p { "Les 100 premiers cas de la vague la plus récente (liste complète : API /api/waves/{id}/sample)." }
        table {
            thead { tr { th { "Cas" } th { "Commune" } th { "Numéros" } th { "Statut" } th { "Appels" } th { "Dernier appel" } th { "Issue finale" } } }
            tbody {
                @for SampleCase { case, phones } in &rows {
                    tr {
                        td { (case.external_id) @if case.synthetic { " (synthétique)" } }
                        td { (case.commune_name.as_deref().unwrap_or("")) }
                        td { (phones.join(", ")) }
                        td { (case.status.label()) }
                        td { (case.attempts) }
                        td { (case.last_call_at.map(format_local).unwrap_or_default()) }
                        td { (case.final_aapor.as_deref().unwrap_or("")) }
                    }
                }
            }
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
