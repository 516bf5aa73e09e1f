//! « Journal » (supervisors and admins): who changed what and when, with the values before and
//! after — in French: the audit log stores its targets and details as codes and JSON for
//! programs, and this page puts them into words.

use axum::extract::State;
use axum::response::Html;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use super::layout;
use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiQuery, AppError};
use crate::scheduling::outcomes::{self, format_local};
use crate::services::accounts;
use crate::state::AppState;
use crate::store::audit::AuditAction;
use crate::store::cases::CaseStatus;
use crate::store::surveys::WaveStatus;
use crate::store::users::Role;

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
pub async fn page(
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
                    td { (target(&e.target)) }
                    // The stored JSON stays in the page for scripts (and the tests) that read it.
                    td { (details(e.action, &e.details)) }
                } } }
            }
            @if let Some(next) = &next { p { a href={ "/journal?" (next) } { "Entrées plus anciennes" } } }
        }
    }).into_string()))
}

/// A target such as `case:<id>` or `wave:<id>/quota:<cell>` in words; a case links to its page.
fn target(text: &str) -> Markup {
    html! {
        @for (i, part) in text.split('/').enumerate() {
            @if i > 0 { ", " }
            @match part.split_once(':') {
                Some(("case", id)) => { a href={ "/echantillon/cas/" (id) } { "cas" } }
                Some((kind, id)) => {
                    (match kind {
                        "user" => "compte",
                        "wave" => "vague",
                        "survey" => "enquête",
                        "quota" => "cellule de quota",
                        other => other,
                    })
                    " " (id)
                }
                None => { (part) }
            }
        }
    }
}

/// An entry's details, one line per field: its French name and its value in words.
fn details(action: AuditAction, json: &str) -> Markup {
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(json) else {
        return html! { (json) };
    };
    html! {
        @for (key, value) in &fields {
            div { (field_name(key)) " : " (value_text(action, key, value)) }
        }
    }
}

/// The French name of a detail field (the audit entries' keys, and the calling rules' and
/// outcome frame's fields for their before/after); an unknown one in plain words.
fn field_name(key: &str) -> String {
    let name = match key {
        "before" => "avant",
        "after" => "après",
        "username" => "identifiant",
        "role" => "rôle",
        "held_by" => "détenu par (compte)",
        "held_since" => "détenu depuis",
        "quota_places_released" => "places de quota rendues",
        "cell_id" => "cellule",
        "target" => "objectif",
        "capacity" => "capacité",
        "closed" => "fermée",
        "refusal_converter" => "reconvertit les refus",
        "file" => "fichier",
        "accepted" => "lignes acceptées",
        "rejected" => "lignes refusées",
        "imported" => "cas chargés",
        "already_present" => "déjà présents",
        "replicates" => "réplicats",
        "replicate" => "réplicat",
        "stored" => "enregistrés",
        "version" => "version",
        "indicators" => "avec indicateurs",
        "survey" => "enquête",
        "name" => "nom",
        "title" => "titre",
        "questionnaire_version" => "version du questionnaire",
        "from_wave" => "à partir de la vague",
        "released_cases" => "cas libérés",
        "status_before" => "statut avant",
        "outcome" => "issue",
        "aapor" => "code AAPOR",
        "design" => "plan de quotas",
        "cells" => "cellules",
        "cases" => "cas",
        "added" => "ajoutés",
        "interviewer" => "enquêteur",
        "max_attempts" => "appels au plus par cas",
        "max_attempts_per_day" => "appels au plus par jour",
        "refusal_conversions" => "reconversions de refus",
        "recall" => "rappels",
        "windows" => "plages d'appel",
        "hours" => "heures",
        "closed_on_public_holidays" => "fermé les jours fériés",
        "adresse" => "adresse",
        "compte" => "compte",
        "echecs" => "échecs",
        "attente_secondes" => "attente (secondes)",
        other => return other.replace('_', " "),
    };
    name.to_owned()
}

/// A detail's value in words: codes by their French labels, times in Paris time, yes/no;
/// before/after as « avant → après ».
fn value_text(action: AuditAction, key: &str, value: &Value) -> String {
    match value {
        Value::Null => "—".to_owned(),
        Value::Bool(yes) => if *yes { "oui" } else { "non" }.to_owned(),
        Value::Number(n) => match n.as_i64() {
            Some(ms) if key == "held_since" || action == AuditAction::CaseReschedule => {
                format_local(ms)
            }
            _ => n.to_string(),
        },
        Value::String(code) => code_label(action, key, code),
        Value::Array(items) => items
            .iter()
            .map(|item| value_text(action, key, item))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(fields) => match (fields.get("before"), fields.get("after")) {
            (Some(before), Some(after)) if fields.len() == 2 => format!(
                "{} → {}",
                value_text(action, key, before),
                value_text(action, key, after)
            ),
            _ => fields
                .iter()
                .map(|(k, v)| format!("{} : {}", field_name(k), value_text(action, k, v)))
                .collect::<Vec<_>>()
                .join(" ; "),
        },
    }
}

/// The French label of a code stored in a detail, known by the field that holds it.
fn code_label(action: AuditAction, key: &str, code: &str) -> String {
    let label = match (action, key) {
        (_, "role") => Role::parse(code).map(Role::label),
        (_, "status_before") => CaseStatus::try_from(code.to_owned())
            .ok()
            .map(CaseStatus::label),
        (AuditAction::WaveStatus, "before" | "after") => WaveStatus::try_from(code.to_owned())
            .ok()
            .map(WaveStatus::label),
        (_, "outcome") => return outcomes::label(code),
        _ => None,
    };
    label.map_or_else(|| code.to_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(action: AuditAction, json: &str) -> String {
        details(action, json).into_string()
    }

    #[test]
    fn a_created_account_reads_with_its_french_role() {
        let shown = text(
            AuditAction::UserCreate,
            r#"{"role":"interviewer","username":"martin"}"#,
        );
        assert_eq!(
            shown,
            "<div>rôle : Enquêteur</div><div>identifiant : martin</div>"
        );
    }

    #[test]
    fn a_wave_status_change_reads_before_and_after_in_french() {
        let shown = text(
            AuditAction::WaveStatus,
            r#"{"after":"paused","before":"open","released_cases":2}"#,
        );
        assert!(shown.contains("après : en pause"), "{shown}");
        assert!(shown.contains("avant : ouverte"), "{shown}");
        assert!(shown.contains("cas libérés : 2"), "{shown}");
    }

    #[test]
    fn a_closed_case_shows_the_outcome_label_not_its_code() {
        let shown = text(
            AuditAction::CaseFinalise,
            r#"{"aapor":"2.111","outcome":"refusal","status_before":"pending"}"#,
        );
        assert!(!shown.contains("refusal"), "{shown}");
        assert!(shown.contains("statut avant : à appeler"), "{shown}");
    }

    #[test]
    fn a_case_target_links_to_its_page_and_others_read_in_french() {
        assert_eq!(
            target("case:abc").into_string(),
            r#"<a href="/echantillon/cas/abc">cas</a>"#
        );
        assert_eq!(
            target("wave:w1/quota:33063").into_string(),
            "vague w1, cellule de quota 33063"
        );
        assert_eq!(target("user:6").into_string(), "compte 6");
    }
}
