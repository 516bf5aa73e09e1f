//! The supervisors' dashboard (`/tableau-de-bord`): per-commune quota progress of a wave with a
//! projected completion date at the current pace and a warning when the sample left will not
//! suffice, a drill-down to the cells of a commune, a CSV download, live updates over
//! server-sent events and an SVG map of the 28 communes coloured by % of target (drawn by
//! `assets/dashboard.js` from the embedded GeoJSON).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Json, Redirect, Response};
use axum::routing::{get, post};
use futures_util::stream::{self, Stream};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use super::layout;
use crate::auth::CurrentUser;
use crate::error::{ApiForm, ApiPath, ApiQuery, AppError};
use crate::quota::{self, events};
use crate::sample::communes::COMMUNES;
use crate::state::AppState;
use crate::store::users::Role;
use crate::store::{Db, StoreError, on_pool, surveys};

const MANAGERS: &[Role] = &[Role::Supervisor, Role::Admin];
const DAY_MS: f64 = 86_400_000.0;

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
    vague: Option<i64>,
}

/// The figures of one commune.
#[derive(Clone, Debug, Serialize)]
pub struct CommuneFigures {
    /// INSEE code.
    pub code: String,
    /// Official name (the code when unknown).
    pub name: String,
    /// Completed interviews wanted.
    pub target: u64,
    /// Completed interviews.
    pub achieved: u64,
    /// Accepted interviews still running.
    pub in_progress: u64,
    /// Achieved as a percentage of the target (one decimal); `None` when the target is 0.
    pub percent: Option<f64>,
    /// Completed interviews still missing (target minus achieved, never negative).
    pub missing: u64,
    /// Cases of the commune not final yet.
    pub sample_left: i64,
    /// Cases of the commune already final.
    pub cases_used: i64,
    /// Completed interviews per day since the wave's first completion; `None` before it.
    pub pace_per_day: Option<f64>,
    /// Date (ISO, Europe/Paris) the target is reached at the current pace; `None` when reached
    /// or with no pace yet.
    pub projected_completion: Option<String>,
    /// The sample left will not suffice at the commune's observed completion rate.
    pub sample_short: bool,
}

/// The dashboard of a wave.
#[derive(Clone, Debug, Serialize)]
pub struct Dashboard {
    /// The wave.
    pub wave_id: i64,
    /// Its name.
    pub wave_name: String,
    /// The survey's title.
    pub survey_title: String,
    /// True when a quota design is attached.
    pub has_design: bool,
    /// First completed interview of the wave (local time), if any.
    pub first_completion: Option<String>,
    /// When the figures were computed (local time).
    pub computed_at: String,
    /// Sums over the communes.
    pub totals: Totals,
    /// One entry per commune of the design.
    pub communes: Vec<CommuneFigures>,
}

/// Sums over the communes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    /// Completed interviews wanted.
    pub target: u64,
    /// Completed interviews.
    pub achieved: u64,
    /// Accepted interviews still running.
    pub in_progress: u64,
    /// Achieved as a percentage of the target.
    pub percent: Option<f64>,
    /// Completed interviews still missing.
    pub missing: u64,
    /// Cases not final yet.
    pub sample_left: i64,
}

fn percent(achieved: u64, target: u64) -> Option<f64> {
    (target > 0).then(|| (achieved as f64 * 1000.0 / target as f64).round() / 10.0)
}

/// Completed interviews per day since the wave's first completion (at least one day counted,
/// so that the first hours do not extrapolate wildly); `None` before any completion.
fn pace(achieved: u64, first_completion_ms: Option<i64>, now_ms: i64) -> Option<f64> {
    let first = first_completion_ms?;
    if achieved == 0 {
        return None;
    }
    let days = ((now_ms - first) as f64 / DAY_MS).max(1.0);
    Some(achieved as f64 / days)
}

/// Days needed to complete `missing` interviews at `pace` per day.
fn days_to_target(missing: u64, pace: Option<f64>) -> Option<f64> {
    let pace = pace.filter(|p| *p > 0.0)?;
    (missing > 0).then(|| missing as f64 / pace)
}

/// Whether `sample_left` cases, completing at the rate observed so far (`achieved` completes
/// out of `cases_used` final cases), give fewer than the `missing` completes. No warning before
/// any case is final (no observed rate).
fn sample_short(missing: u64, achieved: u64, cases_used: i64, sample_left: i64) -> bool {
    if missing == 0 || cases_used <= 0 {
        return false;
    }
    let expected = u128::from(achieved) * u128::try_from(sample_left.max(0)).unwrap_or(0);
    expected < u128::from(missing) * u128::try_from(cases_used).unwrap_or(0)
}

/// The ISO date (Europe/Paris) `days` after `now_ms`.
fn date_after(now_ms: i64, days: f64) -> Option<String> {
    let ms = now_ms.checked_add((days * DAY_MS).min(1.0e15) as i64)?;
    let zoned = jiff::Timestamp::from_millisecond(ms)
        .ok()?
        .in_tz("Europe/Paris")
        .ok()?;
    Some(zoned.strftime("%Y-%m-%d").to_string())
}

fn local(ms: i64) -> String {
    crate::scheduling::outcomes::format_local(ms)
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// The wave's first completed interview (epoch ms).
async fn first_completion(db: &Db, wave_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(on_pool!(db, |pool| sqlx::query_scalar::<_, Option<i64>>(
        "select min(i.ended_at) from interviews i join sample_cases c on c.id = i.case_id \
         where c.wave_id = $1 and i.status = 'completed'"
    )
    .bind(wave_id)
    .fetch_one(pool)
    .await?))
}

/// Final cases per commune of a wave.
async fn cases_used(db: &Db, wave_id: i64) -> Result<BTreeMap<String, i64>, StoreError> {
    let rows: Vec<(String, i64)> = on_pool!(db, |pool| sqlx::query_as(
        "select commune_code, count(*) from sample_cases \
         where wave_id = $1 and commune_code is not null and status = 'final' \
         group by commune_code"
    )
    .bind(wave_id)
    .fetch_all(pool)
    .await?);
    Ok(rows.into_iter().collect())
}

fn commune_name(code: &str) -> String {
    COMMUNES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(_, name)| (*name).to_owned())
}

/// The wave chosen by `?vague=`, or the most recent one.
async fn chosen_wave(db: &Db, choice: &WaveChoice) -> Result<surveys::WaveRow, AppError> {
    let wave = match choice.vague {
        Some(id) => surveys::wave(db, id).await?,
        None => surveys::waves(db).await?.into_iter().next(),
    };
    wave.ok_or_else(|| AppError::not_found("vague inconnue"))
}

/// Computes the dashboard of a wave from the quota counts and the sample.
pub async fn dashboard(db: &Db, wave: &surveys::WaveRow) -> Result<Dashboard, AppError> {
    let quotas = quota::wave_quotas(db, wave.id).await?;
    let first = first_completion(db, wave.id).await?;
    let used = cases_used(db, wave.id).await?;
    let now = now_ms();
    let mut totals = Totals::default();
    let communes: Vec<CommuneFigures> = quotas
        .communes
        .iter()
        .map(|c| {
            let missing = c.target.saturating_sub(c.achieved);
            let cases_used = used.get(&c.commune_code).copied().unwrap_or(0);
            let pace = pace(c.achieved, first, now);
            totals.target += c.target;
            totals.achieved += c.achieved;
            totals.in_progress += c.in_progress;
            totals.missing += missing;
            totals.sample_left += c.sample_left;
            CommuneFigures {
                name: commune_name(&c.commune_code),
                code: c.commune_code.clone(),
                target: c.target,
                achieved: c.achieved,
                in_progress: c.in_progress,
                percent: percent(c.achieved, c.target),
                missing,
                sample_left: c.sample_left,
                cases_used,
                pace_per_day: pace.map(|p| (p * 100.0).round() / 100.0),
                projected_completion: days_to_target(missing, pace)
                    .and_then(|days| date_after(now, days)),
                sample_short: sample_short(missing, c.achieved, cases_used, c.sample_left),
            }
        })
        .collect();
    totals.percent = percent(totals.achieved, totals.target);
    Ok(Dashboard {
        wave_id: wave.id,
        wave_name: wave.name.clone(),
        survey_title: wave.survey_title.clone(),
        has_design: quotas.has_design,
        first_completion: first.map(local),
        computed_at: local(now),
        totals,
        communes,
    })
}

fn show_percent(p: Option<f64>) -> String {
    p.map_or_else(
        || "—".to_owned(),
        |p| format!("{p:.1}\u{a0}%").replace('.', ","),
    )
}

/// `2026-12-01` → `01/12/2026`.
fn show_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

fn show_projection(c: &CommuneFigures) -> String {
    if c.missing == 0 {
        return "atteint".to_owned();
    }
    c.projected_completion
        .as_deref()
        .map_or_else(|| "—".to_owned(), show_date)
}

fn warning_text(c: &CommuneFigures) -> &'static str {
    if c.sample_short {
        "⚠ échantillon insuffisant au rythme observé"
    } else {
        ""
    }
}

async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(choice): ApiQuery<WaveChoice>,
) -> Result<Html<String>, AppError> {
    user.require(MANAGERS)?;
    let wave = chosen_wave(&state.db, &choice).await?;
    let board = dashboard(&state.db, &wave).await?;
    let others = surveys::waves(&state.db).await?;
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
                        option value=(w.id) selected[w.id == board.wave_id] { (w.survey_title) " — " (w.name) }
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
            @if !board.has_design {
                p.error { "Cette vague n'a pas de plan de quotas : aucun objectif par commune." }
            }
            p {
                a href={ "/tableau-de-bord/quotas.csv" (suffix) } download { "Télécharger le tableau (CSV)" }
            }
            figure #map-figure {
                svg #commune-map role="img" aria-label="Carte des 28 communes, colorées selon le pourcentage de l'objectif atteint" viewBox="0 0 600 600" width="600" height="600" {}
                figcaption #map-legend { "Part de l'objectif atteinte" }
            }
            table #quota-table {
                thead { tr {
                    th { "Commune" } th { "Objectif" } th { "Atteints" } th { "En cours" } th { "%" }
                    th { "Manquants" } th { "Échantillon restant" } th { "Cas utilisés" }
                    th { "Achèvement prévu" } th { "Alerte" }
                } }
                tbody {
                    @for c in &board.communes {
                        tr id={ "commune-" (c.code) } data-code=(c.code) class=[c.sample_short.then_some("warning")] {
                            td { a href={ "/tableau-de-bord/commune/" (c.code) (suffix) } { (c.name) } }
                            td data-field="target" { (c.target) }
                            td data-field="achieved" { (c.achieved) }
                            td data-field="in_progress" { (c.in_progress) }
                            td data-field="percent" { (show_percent(c.percent)) }
                            td data-field="missing" { (c.missing) }
                            td data-field="sample_left" { (c.sample_left) }
                            td data-field="cases_used" { (c.cases_used) }
                            td data-field="projected_completion" { (show_projection(c)) }
                            td data-field="sample_short" { (warning_text(c)) }
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
            p {
                "Achèvement prévu : au rythme moyen de la commune depuis le premier entretien complet de la vague (« — » tant qu'aucun rythme n'est observé). "
                "Alerte : l'échantillon restant, au taux d'entretiens complets par cas utilisé observé dans la commune, ne suffira pas à atteindre l'objectif."
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
    user.require(MANAGERS)?;
    let wave = chosen_wave(&state.db, &choice).await?;
    Ok(Json(dashboard(&state.db, &wave).await?))
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
        "commune_code,commune,target,achieved,in_progress,percent,missing,sample_left,cases_used,pace_per_day,projected_completion,sample_short\n",
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
            c.sample_short.to_string(),
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
    user.require(MANAGERS)?;
    let wave = chosen_wave(&state.db, &choice).await?;
    let board = dashboard(&state.db, &wave).await?;
    let disposition = format!("attachment; filename=\"quotas-vague-{}.csv\"", wave.id);
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
    user.require(MANAGERS)?;
    let wave = chosen_wave(&state.db, &choice).await?;
    let quotas = quota::wave_quotas(&state.db, wave.id).await?;
    let cells: Vec<_> = quotas
        .cells
        .iter()
        .filter(|c| c.cell.commune_code.as_deref() == Some(code.as_str()))
        .collect();
    if cells.is_empty() {
        return Err(AppError::not_found(
            "aucune cellule de quota pour cette commune dans cette vague",
        ));
    }
    let name = commune_name(&code);
    Ok(Html(layout(&name, Some(&user), html! {
        h1 { (name) " (" (code) ")" }
        p { (wave.survey_title) " — vague « " (wave.name) " ». " a href={ "/tableau-de-bord?vague=" (wave.id) } { "Retour au tableau de bord" } }
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
                                input type="hidden" name="vague" value=(wave.id);
                                label { "Objectif " input type="number" name="objectif" min="0" value=(c.cell.target) style="width: 6em"; }
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
    vague: i64,
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
    user.require(MANAGERS)?;
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
    let cell = quota::change_cell(&state.db, Some(user.user.id), cell_id, change).await?;
    let commune = cell.commune_code.unwrap_or_default();
    Ok(Redirect::to(&format!(
        "/tableau-de-bord/commune/{commune}?vague={}",
        form.vague
    ))
    .into_response())
}

/// Waits for the next notification concerning `wave_id`, then drains the ones already queued
/// (one recomputation for a burst); false when the stream should end (server shutting down).
async fn next_change(
    receiver: &mut tokio::sync::broadcast::Receiver<events::QuotaChanged>,
    wave_id: i64,
) -> bool {
    loop {
        tokio::select! {
            () = events::shutdown() => return false,
            received = receiver.recv() => match received {
                Ok(change) if change.concerns(wave_id) => break,
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => break,
                Err(RecvError::Closed) => return false,
            },
        }
    }
    // Let a burst (reservation, then completion) settle into one update.
    tokio::time::sleep(Duration::from_millis(100)).await;
    loop {
        match receiver.try_recv() {
            Ok(_) | Err(TryRecvError::Lagged(_)) => {}
            Err(TryRecvError::Empty) => return true,
            Err(TryRecvError::Closed) => return false,
        }
    }
}

fn figures_event(board: Result<Dashboard, AppError>) -> Event {
    let failed = |message: String| Event::default().event("erreur").data(message);
    match board {
        Ok(board) => Event::default()
            .event("quotas")
            .json_data(&board)
            .unwrap_or_else(|e| failed(e.to_string())),
        Err(e) => failed(e.to_string()),
    }
}

async fn events_stream(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(choice): ApiQuery<WaveChoice>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    user.require(MANAGERS)?;
    let wave = chosen_wave(&state.db, &choice).await?;
    let receiver = events::subscribe();
    // The current figures first, then new ones after each change, until shutdown.
    let stream = stream::unfold(
        (state.db, wave, receiver, true),
        |(db, wave, mut receiver, first)| async move {
            if !first && !next_change(&mut receiver, wave.id).await {
                return None;
            }
            let event = figures_event(dashboard(&db, &wave).await);
            Some((Ok(event), (db, wave, receiver, false)))
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_is_no_pace_before_the_first_completion() {
        assert_eq!(pace(0, None, 1_000), None);
        assert_eq!(pace(0, Some(0), 1_000), None);
    }

    #[test]
    fn pace_counts_at_least_one_day() {
        assert_eq!(pace(5, Some(0), 3_600_000), Some(5.0));
        assert_eq!(pace(10, Some(0), 4 * 86_400_000), Some(2.5));
    }

    #[test]
    fn days_to_target_divides_the_missing_completes_by_the_pace() {
        assert_eq!(days_to_target(10, Some(2.5)), Some(4.0));
        assert_eq!(days_to_target(0, Some(2.5)), None);
        assert_eq!(days_to_target(10, None), None);
    }

    #[test]
    fn projected_date_is_a_paris_calendar_date() {
        // 2026-01-01T00:00:00Z is 01:00 in Paris; four days later.
        assert_eq!(
            date_after(1_767_225_600_000, 4.0).as_deref(),
            Some("2026-01-05")
        );
    }

    #[test]
    fn sample_is_short_when_the_observed_rate_cannot_fill_the_gap() {
        // 2 completes out of 10 final cases: 20 cases left give 4, fewer than the 5 missing.
        assert!(sample_short(5, 2, 10, 20));
        // 25 cases left give 5: enough.
        assert!(!sample_short(5, 2, 10, 25));
        // No case final yet: no observed rate, no warning.
        assert!(!sample_short(5, 0, 0, 3));
        // Target reached: no warning.
        assert!(!sample_short(0, 5, 10, 0));
    }

    #[test]
    fn percent_has_one_decimal_and_none_for_a_zero_target() {
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(0, 0), None);
        assert_eq!(show_percent(Some(33.3)), "33,3\u{a0}%");
    }

    #[test]
    fn csv_fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_field("Bordeaux"), "Bordeaux");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("dit \"x\""), "\"dit \"\"x\"\"\"");
    }
}
