//! « Résultats » (`/resultats`): a wave's indicators for the whole métropole and per commune,
//! the table and the map side by side, publishable or not and why, the change since the
//! previous wave with its test, and the downloads (table CSV, map SVG, open data). Plain links
//! and forms: it works without script. Managers change the wave's publication rules here.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use exports::publication::{ResultRow, decimal, percent};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{Refused, form_page, layout, refusal};
use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiForm, ApiQuery, AppError};
use crate::services::manage;
use crate::services::publication::{self, PublicationRequest};
use crate::services::results::{self, OVERALL, WaveResults};
use crate::state::AppState;
use crate::store::surveys::WaveRow;
use crate::store::users::Role;

/// Which wave and indicator the page shows.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsQuery {
    /// The wave (default: the latest).
    #[serde(default)]
    pub vague: Option<Uuid>,
    /// The indicator (default: the first).
    #[serde(default)]
    pub indicateur: Option<String>,
}

/// The publication rules form.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesForm {
    vague: Uuid,
    #[serde(default)]
    indicateur: Option<String>,
    min_n: usize,
    min_effective_n: f64,
    max_half_width: f64,
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<ResultsQuery>,
) -> Result<Response, AppError> {
    render(&state, &user, &query, None).await
}

pub async fn set_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiForm(form): ApiForm<RulesForm>,
) -> Result<Response, AppError> {
    let request = PublicationRequest {
        min_n: Some(form.min_n),
        min_effective_n: Some(form.min_effective_n),
        max_half_width: Some(form.max_half_width),
    };
    let done = publication::set(
        &state.db,
        Actor::User(&user),
        &form.vague.to_string(),
        &request,
    )
    .await;
    let query = ResultsQuery {
        vague: Some(form.vague),
        indicateur: form.indicateur.clone(),
    };
    match refusal(done)? {
        Ok(_) => Ok(Redirect::to(&address(&query)).into_response()),
        Err(refused) => render(&state, &user, &query, Some(&refused)).await,
    }
}

/// `/resultats?vague=…&indicateur=…`.
fn address(query: &ResultsQuery) -> String {
    let mut url = "/resultats".to_owned();
    if let Some(wave) = query.vague {
        url.push_str(&format!("?vague={wave}"));
        if let Some(indicator) = query.indicateur.as_deref().filter(|i| !i.is_empty()) {
            url.push_str(&format!("&indicateur={}", encode(indicator)));
        }
    }
    url
}

/// `text` for a query string.
fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    query: &ResultsQuery,
    refused: Option<&Refused>,
) -> Result<Response, AppError> {
    let waves = manage::waves(&state.db, Actor::User(user)).await?;
    let chosen = match query.vague {
        Some(id) => waves
            .iter()
            .find(|w| w.uuid == id)
            .ok_or_else(|| AppError::not_found("vague inconnue"))?,
        None => match waves.iter().max_by_key(|w| w.id) {
            Some(wave) => wave,
            None => {
                let body = html! { h1 { "Résultats" } p { "Aucune vague." } };
                return Ok(form_page(refused, layout("Résultats", Some(user), body)));
            }
        },
    };
    let computed = results::compute(&state.db, Actor::User(user), &chosen.uuid.to_string()).await?;
    // A wave without the indicator asked for (chosen on another wave) shows its first one.
    let indicator = computed
        .indicator(query.indicateur.as_deref())
        .or_else(|_| computed.indicator(None))
        .ok()
        .cloned();
    let body = html! {
        h1 { "Résultats — " (chosen.survey_title) }
        (choice(&waves, chosen, &computed, indicator.as_ref().map(|i| i.name.as_str())))
        @if let Some(refused) = refused {
            p.error role="alert" { (refused.message) }
        }
        @if let Some(note) = &computed.note {
            p.notice { (note) }
        }
        @if let Some(detail) = &computed.note_detail {
            details.notice {
                summary { "Pourquoi ?" }
                pre { (detail) }
            }
        }
        @if let Some(indicator) = &indicator {
            (figures(&computed, &indicator.name, &indicator.label)?)
        }
        (rules_section(user, &computed, indicator.as_ref().map(|i| i.name.as_str())))
    };
    Ok(form_page(refused, layout("Résultats", Some(user), body)))
}

/// The wave and indicator chooser (a GET form).
fn choice(
    waves: &[WaveRow],
    chosen: &WaveRow,
    computed: &WaveResults,
    indicator: Option<&str>,
) -> Markup {
    html! {
        form id="results-choice" method="get" action="/resultats" {
            label {
                "Vague : "
                select name="vague" {
                    @for wave in waves.iter().rev() {
                        option value=(wave.uuid) selected[wave.uuid == chosen.uuid] { (wave.survey_title) " — " (wave.name) }
                    }
                }
            }
            label {
                "Indicateur : "
                select name="indicateur" {
                    @for i in &computed.indicators {
                        option value=(i.name) selected[Some(i.name.as_str()) == indicator] { (i.label) }
                    }
                }
            }
            button type="submit" { "Afficher" }
        }
    }
}

/// The métropole's figure, the downloads, then the table and the map side by side.
fn figures(computed: &WaveResults, indicator: &str, label: &str) -> Result<Markup, AppError> {
    let map = computed.map(indicator)?;
    let rows: Vec<&ResultRow> = computed.rows_of(indicator).collect();
    let overall = rows.iter().find(|r| r.cell.code_domaine == OVERALL);
    let communes: Vec<&&ResultRow> = rows
        .iter()
        .filter(|r| r.cell.code_domaine != OVERALL)
        .collect();
    let id = computed.wave.id;
    let previous = computed.previous_wave.as_ref().map(|p| p.name.as_str());
    Ok(html! {
        section id="metropole" data-indicator=(indicator) {
            h2 { (label) }
            @if let Some(overall) = overall {
                p.figure {
                    "Ensemble de la métropole : "
                    strong id="metropole-estimate" { (estimate(overall)) }
                    @if let (Some(low), Some(high)) = (overall.cell.ic_bas, overall.cell.ic_haut) {
                        " (IC à 95 % : " (percent(low)) " – " (percent(high)) ")"
                    }
                    ", n = " (overall.cell.n)
                    @if let Some(eff) = overall.cell.n_effectif.filter(|e| e.is_finite()) { ", n effectif = " (decimal(eff, 0)) }
                    @if let (Some(change), Some(previous)) = (overall.change, previous) {
                        " ; évolution depuis la vague « " (previous) " » : " (points(change.difference))
                        " (" (significance(overall)) ")"
                    }
                }
            }
            p.weighting { (computed.weighting) }
            p { "Règles de publication : " (computed.rules_summary)
                " Les communes qui ne les respectent pas sont hachurées sur la carte et signalées dans le tableau." }
            @if previous.is_none() {
                p { "Pas de vague précédente : pas d'évolution." }
            } @else {
                p { "Évolution : différence avec la vague « " (previous.unwrap_or_default()) " », testée avec l'erreur type de chaque vague (échantillons indépendants, test bilatéral à 5 %)." }
            }
            p.downloads {
                "Télécharger : "
                a id="download-csv" href={ "/api/waves/" (id) "/results.csv?indicator=" (encode(indicator)) } { "le tableau (CSV)" } " · "
                a id="download-svg" href={ "/api/waves/" (id) "/map.svg?indicator=" (encode(indicator)) } { "la carte (SVG)" } " · "
                a id="download-open-data" href={ "/api/waves/" (id) "/open-data.zip" } { "les données ouvertes (zip : cellules publiables, descripteur, cartes)" }
            }
        }
        div.results {
            table.compact id="results-table" {
                thead { tr {
                    th { "Commune" } th.num { "Estimation" } th { "IC à 95 %" } th.num { "n" } th.num { "n effectif" }
                    th.num { "Évolution" } th { "Significative ?" } th { "Publication" }
                } }
                tbody {
                    @for row in &communes {
                        tr data-code=(row.cell.code_domaine) class=[(!row.verdict.publishable).then_some("withheld")] {
                            td { (row.cell.domaine) }
                            td.num { (estimate(row)) }
                            td { @if let (Some(low), Some(high)) = (row.cell.ic_bas, row.cell.ic_haut) { (percent(low)) " – " (percent(high)) } @else { "—" } }
                            td.num { (row.cell.n) }
                            td.num { @if let Some(eff) = row.cell.n_effectif.filter(|e| e.is_finite()) { (decimal(eff, 1)) } @else { "—" } }
                            td.num { @if let Some(change) = row.change { (points(change.difference)) } @else { "—" } }
                            td { @if row.change.is_some() { (significance(row)) } @else { "—" } }
                            td.publication {
                                @if row.verdict.publishable { "publiable" }
                                @else { strong { "non publiable" } " : " (row.verdict.reasons.join(" ; ")) }
                            }
                        }
                    }
                }
            }
            figure id="results-map" {
                (PreEscaped(map))
            }
        }
    })
}

fn estimate(row: &ResultRow) -> String {
    row.cell.proportion.map_or_else(|| "—".to_owned(), percent)
}

/// −0.012 → « −1,2 point » (proportion points, signed).
fn points(difference: f64) -> String {
    let value = difference * 100.0;
    let sign = if value > 0.0 {
        "+"
    } else if value < 0.0 {
        "−"
    } else {
        ""
    };
    let unit = if value.abs() >= 2.0 {
        "points"
    } else {
        "point"
    };
    format!("{sign}{} {unit}", decimal(value.abs(), 1))
}

/// « significative (p = 0,012) », « non significative (p = 0,41) », and whether the change
/// may be published.
fn significance(row: &ResultRow) -> String {
    let Some(change) = row.change else {
        return String::new();
    };
    let p = change
        .p_value
        .map(|p| format!(" (p = {})", decimal(p, 3)))
        .unwrap_or_default();
    let verdict = if change.significant {
        "significative"
    } else {
        "non significative"
    };
    let published = if row.change_publishable {
        ""
    } else {
        ", non publiable"
    };
    format!("{verdict}{p}{published}")
}

/// The rules, and the form that changes them for managers.
fn rules_section(user: &CurrentUser, computed: &WaveResults, indicator: Option<&str>) -> Markup {
    let rules = &computed.rules;
    html! {
        @if Role::MANAGERS.contains(&user.role) {
            details id="publication-rules" {
                summary { "Règles de publication de la vague" }
                form method="post" action="/resultats/regles" {
                    input type="hidden" name="vague" value=(computed.wave.id);
                    @if let Some(indicator) = indicator { input type="hidden" name="indicateur" value=(indicator); }
                    label { "Nombre minimal de répondants : " input.narrow type="number" name="min_n" min="0" step="1" value=(rules.min_n); }
                    label { "n effectif minimal : " input.narrow type="number" name="min_effective_n" min="0" step="any" value=(rules.min_effective_n); }
                    label { "Demi-largeur maximale de l'intervalle (proportion ; 0,15 = ±15 points) : "
                        input.narrow type="number" name="max_half_width" min="0.001" max="1" step="any" value=(rules.max_half_width); }
                    button type="submit" { "Enregistrer les règles" }
                }
            }
        }
    }
}
