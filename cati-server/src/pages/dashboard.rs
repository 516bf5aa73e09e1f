//! The supervisors' dashboard (`/tableau-de-bord`): per-commune quota progress of a wave with a
//! projected completion date at the current pace and a warning when the sample left will not
//! suffice, a drill-down to the cells of a commune, a CSV download, live updates over
//! server-sent events and an SVG map of the 28 communes coloured by % of target (drawn by
//! `assets/dashboard.js` from the embedded GeoJSON).

use std::convert::Infallible;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event, Sse};
use axum::response::{Html, IntoResponse, Json, Redirect, Response};
use axum::routing::{get, post};
use futures_util::stream::Stream;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout;
use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiForm, ApiPath, ApiQuery, AppError};
use crate::services::dashboard::{self, Dashboard, SampleAlert};
use crate::services::{manage, quota};
use crate::state::AppState;
use crate::store::surveys;

/// The dashboard routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/tableau-de-bord", get(page))
        .route("/tableau-de-bord/donnees", get(data))
        .route("/tableau-de-bord/quotas.csv", get(csv))
        .route("/tableau-de-bord/evenements", get(events_stream))
        .route("/tableau-de-bord/commune/{code}", get(commune_page))
        .route("/tableau-de-bord/cellules/{id}", post(change_cell))
}

/// `?vague=ID` (default: the most recent wave).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WaveChoice {
    vague: Option<uuid::Uuid>,
}

fn show_percent(p: Option<f64>) -> String {
    p.map_or_else(
        || "—".to_owned(),
        |p| format!("{p:.1}\u{a0}%").replace('.', ","),
    )
}

async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(choice): ApiQuery<WaveChoice>,
) -> Result<Html<String>, AppError> {
    let board = dashboard::dashboard(&state, &user, choice.vague).await?;
    let others = manage::waves(&state.db, Actor::User(&user)).await?;
    Ok(Html(
        layout("Tableau de bord", Some(&user), body(&board, &others)).into_string(),
    ))
}

fn body(board: &Dashboard, waves: &[surveys::WaveRow]) -> Markup {
    let suffix = format!("?vague={}", board.wave_id);
    html! {
        h1 { "Tableau de bord des quotas" }
        @if waves.len() > 1 {
            form.inline method="get" action="/tableau-de-bord" {
                label { "Vague " select name="vague" {
                    @for w in waves {
                        option value=(w.uuid) selected[w.uuid == board.wave_id] { (w.survey_title) " — " (w.name) }
                    }
                } }
                " " button type="submit" { "Afficher" }
            }
        }
        div #dashboard data-wave=(board.wave_id) data-live="off" {
            p {
                (board.survey_title) " — vague « " (board.wave_name) " ». "
                "Premier entretien complet : "
                span #first-completion { (board.first_completion.as_deref().unwrap_or("aucun")) } ". "
                "Chiffres du " span #computed-at { (board.computed_at) } " "
                span #live-status { "(mise à jour en direct : connexion…)" }
            }
            section #summary aria-label="Vue d'ensemble" {
                div { span.figure data-summary="percent" { (show_percent(board.totals.percent)) } span.caption { "de l'objectif (" span data-summary="achieved" { (board.totals.achieved) } " / " span data-summary="target" { (board.totals.target) } ")" } }
                div { span.figure data-summary="completes" { (board.today.completes) } span.caption { "entretiens complets aujourd'hui" } }
                div { span.figure data-summary="interviewers" { (board.today.interviewers_last_hour) } span.caption { "enquêteurs actifs (dernière heure)" } }
                div { span.figure data-summary="calls_last_hour" { (board.today.calls_last_hour) } span.caption { "appels dans la dernière heure (" span data-summary="calls" { (board.today.calls) } " aujourd'hui)" } }
            }
            @if !board.has_design {
                p.error { "Cette vague n'a pas de plan de quotas : aucun objectif par commune." }
            }
            p {
                a href={ "/tableau-de-bord/quotas.csv" (suffix) } download { "Télécharger le tableau (CSV)" }
            }
            div.board {
                table #quota-table {
                    thead { tr {
                        th data-sort="name" { "Commune" } th data-sort="target" { "Objectif" }
                        th data-sort="achieved" { "Atteints" } th data-sort="in_progress" { "En cours" }
                        th data-sort="percent" { "%" } th data-sort="missing" { "Manquants" }
                        th data-sort="sample_left" { "Restants" } th data-sort="cases_used" { "Utilisés" }
                        th { "Achèvement prévu" } th data-sort="alert" { "Alerte" }
                    } }
                    tbody {
                        @for c in &board.communes {
                            tr id={ "commune-" (c.code) } data-code=(c.code) class=[c.alert.is_some().then_some("warning")] {
                                td { a href={ "/tableau-de-bord/commune/" (c.code) (suffix) } { (c.name) } }
                                td data-field="target" { (c.target) }
                                td data-field="achieved" { (c.achieved) }
                                td data-field="in_progress" { (c.in_progress) }
                                td data-field="percent" { (show_percent(c.percent)) }
                                td data-field="missing" { (c.missing) }
                                td data-field="sample_left" { (c.sample_left) }
                                td data-field="cases_used" { (c.cases_used) }
                                td data-field="projection_text" { (c.projection_text) }
                                td data-field="alert_message" { (c.alert_message) }
                            }
                        }
                    }
                    tfoot { tr #totals {
                        th { "Total" }
                        td data-field="target" { (board.totals.target) }
                        td data-field="achieved" { (board.totals.achieved) }
                        td data-field="in_progress" { (board.totals.in_progress) }
                        td data-field="percent" { (show_percent(board.totals.percent)) }
                        td data-field="missing" { (board.totals.missing) }
                        td data-field="sample_left" { (board.totals.sample_left) }
                        td {} td {} td {}
                    } }
                }
                figure #map-figure {
                    svg #commune-map role="img" aria-label="Carte des 28 communes, colorées selon le pourcentage de l'objectif atteint" viewBox="0 0 600 600" width="600" height="600" {}
                    figcaption #map-legend { "Part de l'objectif atteinte" }
                }
            }
            p {
                "Achèvement prévu : au rythme moyen de la commune depuis le premier entretien complet de la vague, avec sa fourchette à 95 % ; « — » tant que la commune compte moins de 10 entretiens complets. "
                "Alerte : « hors d'atteinte » quand l'échantillon restant ne peut pas atteindre l'objectif même à un rendement optimiste ; « insuffisant » quand il ne l'atteint pas au rendement attendu. "
                "Rendement attendu (entretiens complets par cas utilisé) : au départ "
                span #prior-yield { (show_percent(Some((board.prior_yield.rate * 1000.0).round() / 10.0))) " (" (board.prior_yield.from) ")" }
                ", puis, commune par commune, celui qu'on observe à mesure que des cas sont clos."
            }
        }
        script src="/assets/dashboard.js" defer {}
    }
}

async fn data(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(choice): ApiQuery<WaveChoice>,
) -> Result<Json<Dashboard>, AppError> {
    Ok(Json(
        dashboard::dashboard(&state, &user, choice.vague).await?,
    ))
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The quota table as CSV: comma-separated, UTF-8, one header line, `.` as decimal point.
pub fn to_csv(board: &Dashboard) -> String {
    let mut out = String::from(
        "commune_code,commune,target,achieved,in_progress,percent,missing,sample_left,cases_used,pace_per_day,projected_completion,projected_earliest,projected_latest,expected_yield,alert\n",
    );
    for c in &board.communes {
        let fields = [
            c.code.clone(),
            c.name.clone(),
            c.target.to_string(),
            c.achieved.to_string(),
            c.in_progress.to_string(),
            c.percent.map(|p| format!("{p:.1}")).unwrap_or_default(),
            c.missing.to_string(),
            c.sample_left.to_string(),
            c.cases_used.to_string(),
            c.pace_per_day
                .map(|p| format!("{p:.2}"))
                .unwrap_or_default(),
            c.projected_completion.clone().unwrap_or_default(),
            c.projected_earliest.clone().unwrap_or_default(),
            c.projected_latest.clone().unwrap_or_default(),
            format!("{:.3}", c.expected_yield),
            match c.alert {
                Some(SampleAlert::Unreachable) => "unreachable",
                Some(SampleAlert::Short) => "short",
                None => "",
            }
            .to_owned(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

async fn csv(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(choice): ApiQuery<WaveChoice>,
) -> Result<Response, AppError> {
    let board = dashboard::dashboard(&state, &user, choice.vague).await?;
    let disposition = format!(
        "attachment; filename=\"quotas-vague-{}.csv\"",
        board.wave_id
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        to_csv(&board),
    )
        .into_response())
}

async fn commune_page(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(code): ApiPath<String>,
    ApiQuery(choice): ApiQuery<WaveChoice>,
) -> Result<Html<String>, AppError> {
    let (wave, cells) = dashboard::commune_cells(&state, &user, choice.vague, &code).await?;
    let name = dashboard::commune_name(&code);
    Ok(Html(layout(&name, Some(&user), html! {
        h1 { (name) " (" (code) ")" }
        p { (wave.survey_title) " — vague « " (wave.name) " ». " a href={ "/tableau-de-bord?vague=" (wave.uuid) } { "Retour au tableau de bord" } }
        table {
            thead { tr {
                th { "Cellule" } th { "Règle" } th { "Objectif" } th { "Capacité" } th { "Atteints" }
                th { "En cours" } th { "Places restantes" } th { "Manque" } th { "État" } th { "Modifier" }
            } }
            tbody {
                @for c in &cells {
                    tr {
                        td { (c.cell.cell_key) }
                        td { @if c.cell.kind == "hard" { "stricte" } @else { "souple (" (c.cell.tolerance_bp as f64 / 100.0) " %)" } }
                        td { (c.cell.target) }
                        td { (c.cell.capacity) }
                        td { (c.cell.achieved) }
                        td { (c.cell.in_progress) }
                        td { (c.remaining) }
                        td { (c.gap) }
                        td { @if c.cell.closed { "fermée" } @else { "ouverte" } }
                        td {
                            form.inline method="post" action={ "/tableau-de-bord/cellules/" (c.cell.id) } {
                                input type="hidden" name="vague" value=(wave.uuid);
                                label { "Objectif " input.narrow type="number" name="objectif" min="0" value=(c.cell.target); }
                                " "
                                select name="etat" aria-label="État de la cellule" {
                                    option value="ouverte" selected[!c.cell.closed] { "ouverte" }
                                    option value="fermee" selected[c.cell.closed] { "fermée" }
                                }
                                " "
                                button type="submit" { "Enregistrer" }
                            }
                        }
                    }
                }
            }
        }
        p { "Chaque modification d'objectif, fermeture ou réouverture est inscrite au journal d'audit (aussi possible par l'API : POST /api/quota-cells/{id})." }
    }).into_string()))
}

/// A supervisor's change to one cell, from the commune page's form.
#[derive(Debug, Deserialize)]
struct CellForm {
    vague: uuid::Uuid,
    objectif: i64,
    etat: String,
}

/// Changes a cell's target and state (audit-logged by the quota service), then shows the
/// commune's cells again.
async fn change_cell(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(cell_id): ApiPath<i64>,
    ApiForm(form): ApiForm<CellForm>,
) -> Result<Response, AppError> {
    let closed = match form.etat.as_str() {
        "ouverte" => false,
        "fermee" => true,
        other => {
            return Err(AppError::Invalid(format!(
                "état de cellule inconnu « {other} »"
            )));
        }
    };
    let change = quota::CellChange {
        target: Some(form.objectif),
        closed: Some(closed),
    };
    let cell = quota::change_cell(&state.db, Actor::User(&user), cell_id, change).await?;
    let commune = cell.commune_code.unwrap_or_default();
    Ok(Redirect::to(&format!(
        "/tableau-de-bord/commune/{commune}?vague={}",
        form.vague
    ))
    .into_response())
}

/// The dashboard's figures as server-sent events (the page's live updates).
async fn events_stream(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(choice): ApiQuery<WaveChoice>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    Ok(crate::api::dashboard::stream_of(
        state.live.subscribe(&user, choice.vague).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_shows_one_decimal_with_a_comma() {
        assert_eq!(show_percent(Some(33.3)), "33,3\u{a0}%");
        assert_eq!(show_percent(None), "—");
    }

    #[test]
    fn csv_fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_field("Bordeaux"), "Bordeaux");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("dit \"x\""), "\"dit \"\"x\"\"\"");
    }
}
