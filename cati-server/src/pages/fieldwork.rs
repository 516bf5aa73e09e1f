//! « Terrain »: a wave's fieldwork for supervisors and admins — its calling rules (changed from
//! a form), its AAPOR rates by commune, the interviewers' productivity over the last seven days
//! and the appointments waiting.

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{Refused, form_page, layout, refusal};
use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiForm, ApiQuery, AppError};
use crate::scheduling::outcomes::format_local;
use crate::services::report::{self, ReportBy};
use crate::services::{manage, rules};
use crate::state::AppState;
use fieldwork::{ClockTime, EligibilityRate, RulesConfig, TimeRange, WEEK, day_name};

/// `?vague=…`
#[derive(Debug, Default, Deserialize)]
pub struct WaveQuery {
    #[serde(default)]
    vague: Option<Uuid>,
}

/// The rules form: the main figures and each day's calling hours as `09:00-20:30` (several
/// ranges separated by commas, empty for no call). A refused form comes back as typed.
#[derive(Clone, Debug, Deserialize)]
pub struct RulesForm {
    vague: Uuid,
    max_attempts: u32,
    max_attempts_per_day: u32,
    refusal_conversions: u32,
    busy_minutes: u32,
    no_answer_minutes: u32,
    answering_machine_minutes: u32,
    soft_refusal_minutes: u32,
    /// Completes per 100 numbers expected (empty: the previous wave's, else 7).
    #[serde(default)]
    expected_yield_percent: String,
    #[serde(default)]
    holidays_open: Option<String>,
    lundi: String,
    mardi: String,
    mercredi: String,
    jeudi: String,
    vendredi: String,
    samedi: String,
    dimanche: String,
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<WaveQuery>,
) -> Result<Response, AppError> {
    render(&state, &user, query.vague, None).await
}

pub async fn set_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiForm(form): ApiForm<RulesForm>,
) -> Result<Response, AppError> {
    let result = match config_of(&state, &user, &form).await {
        Ok(config) => rules::set(
            &state.db,
            Actor::User(&user),
            &form.vague.to_string(),
            &config,
        )
        .await
        .map(|_| "Règles d'appel enregistrées.".to_owned()),
        Err(e) => Err(e),
    };
    let notice = match refusal(result)? {
        Ok(done) => Ok(done),
        Err(refused) => Err((refused, form.clone())),
    };
    render(&state, &user, Some(form.vague), Some(notice)).await
}

impl RulesForm {
    /// The form filled in with the wave's rules.
    fn of(wave: Uuid, config: &RulesConfig) -> RulesForm {
        let [lundi, mardi, mercredi, jeudi, vendredi, samedi, dimanche] =
            WEEK.map(|day| hours_text(config, day));
        RulesForm {
            vague: wave,
            max_attempts: config.max_attempts,
            max_attempts_per_day: config.max_attempts_per_day,
            refusal_conversions: config.refusal_conversions,
            busy_minutes: config.recall.busy_minutes,
            no_answer_minutes: config.recall.no_answer_minutes,
            answering_machine_minutes: config.recall.answering_machine_minutes,
            soft_refusal_minutes: config.recall.soft_refusal_minutes,
            expected_yield_percent: config
                .expected_yield_percent
                .map(|p| p.to_string())
                .unwrap_or_default(),
            holidays_open: (!config.windows.closed_on_public_holidays).then(|| "1".to_owned()),
            lundi,
            mardi,
            mercredi,
            jeudi,
            vendredi,
            samedi,
            dimanche,
        }
    }

    /// Each day's calling hours as typed, Monday first (the order of `WEEK`).
    fn days(&self) -> [&String; 7] {
        [
            &self.lundi,
            &self.mardi,
            &self.mercredi,
            &self.jeudi,
            &self.vendredi,
            &self.samedi,
            &self.dimanche,
        ]
    }
}

/// The wave's current rules with the form's values put in.
async fn config_of(
    state: &AppState,
    user: &CurrentUser,
    form: &RulesForm,
) -> Result<RulesConfig, AppError> {
    let current = rules::show(&state.db, Actor::User(user), &form.vague.to_string()).await?;
    let mut config = current.rules;
    config.max_attempts = form.max_attempts;
    config.max_attempts_per_day = form.max_attempts_per_day;
    config.refusal_conversions = form.refusal_conversions;
    config.recall.busy_minutes = form.busy_minutes;
    config.recall.no_answer_minutes = form.no_answer_minutes;
    config.recall.answering_machine_minutes = form.answering_machine_minutes;
    config.recall.soft_refusal_minutes = form.soft_refusal_minutes;
    config.windows.closed_on_public_holidays = form.holidays_open.is_none();
    let yield_text = form.expected_yield_percent.trim();
    config.expected_yield_percent = if yield_text.is_empty() {
        None
    } else {
        Some(yield_text.parse().map_err(|_| {
            AppError::Invalid(format!(
                "rendement attendu : nombre entier de 1 à 100 attendu, reçu « {yield_text} »"
            ))
        })?)
    };
    for (day, text) in WEEK.into_iter().zip(form.days()) {
        let mut ranges = Vec::new();
        for range in text.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            let (start, end) = range.split_once('-').ok_or_else(|| {
                AppError::Invalid(format!(
                    "{} : plage « {range} » illisible (attendu 09:00-20:30)",
                    day_name(day).to_lowercase()
                ))
            })?;
            let time = |text: &str| {
                text.parse::<ClockTime>()
                    .map_err(|e| AppError::Invalid(format!("horaires d'appel refusés : {e}")))
            };
            ranges.push(TimeRange::new(time(start)?, time(end)?));
        }
        *config.windows.hours.on_mut(day) = ranges;
    }
    Ok(config)
}

fn hours_text(config: &RulesConfig, day: jiff::civil::Weekday) -> String {
    config
        .windows
        .hours
        .on(day)
        .iter()
        .map(|r| format!("{}-{}", r.start, r.end))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The page, with what the rules form did: saved, or refused with the form as it was typed.
async fn render(
    state: &AppState,
    user: &CurrentUser,
    wave: Option<Uuid>,
    notice: Option<Result<String, (Refused, RulesForm)>>,
) -> Result<Response, AppError> {
    let actor = Actor::User(user);
    let waves = manage::waves(&state.db, actor).await?;
    let chosen = wave
        .and_then(|id| waves.iter().find(|w| w.uuid == id))
        .or_else(|| waves.first());
    let body = match chosen {
        None => html! { p { "Aucune vague." } },
        Some(chosen) => {
            let key = chosen.uuid.to_string();
            let rules_view = rules::show(&state.db, actor, &key).await?;
            let aapor = report::aapor(
                &state.db,
                actor,
                &key,
                ReportBy::Commune,
                &EligibilityRate::Proportional,
            )
            .await?;
            let now = state.settings.clock.now();
            let productivity =
                report::interviewer_productivity(&state.db, actor, &key, (None, None), now).await?;
            let appointments =
                report::appointments(&state.db, actor, &key, now.as_millisecond()).await?;
            let typed = match &notice {
                Some(Err((_, typed))) if typed.vague == chosen.uuid => typed.clone(),
                _ => RulesForm::of(chosen.uuid, &rules_view.rules),
            };
            let refused = match &notice {
                Some(Err((refused, _))) => Some(refused.message.as_str()),
                _ => None,
            };
            sections(
                (&typed, refused),
                &rules_view,
                &aapor,
                &productivity,
                &appointments,
            )
        }
    };
    let refused = match &notice {
        Some(Err((refused, _))) => Some(refused),
        _ => None,
    };
    Ok(form_page(
        refused,
        layout(
            "Terrain",
            Some(user),
            html! {
                h1 { "Terrain" }
                @match &notice {
                    Some(Ok(done)) => p.notice role="status" { (done) },
                    _ => {},
                }
                form method="get" action="/terrain" {
                    label { "Vague " select name="vague" {
                        @for w in &waves {
                            option value=(w.uuid) selected[chosen.is_some_and(|c| c.uuid == w.uuid)] {
                                (w.survey_title) " — " (w.name) " (" (w.status.label()) ")"
                            }
                        }
                    } }
                    " " button type="submit" { "Afficher" }
                }
                (body)
            },
        ),
    ))
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1} %", r * 100.0))
}

/// The wave's figures, then its rules and their form (as typed, with its refusal, when the
/// form was refused).
fn sections(
    (form, refused): (&RulesForm, Option<&str>),
    rules_view: &rules::RulesView,
    aapor: &report::AaporReport,
    productivity: &report::ProductivityReport,
    appointments: &[report::AppointmentLine],
) -> Markup {
    html! {
        h2 { "Taux AAPOR" }
        @if let Some(total) = aapor.rows.first() { p { (total.eligibility_basis) } }
        table {
            thead { tr { th { "" } th { "RR1" } th { "RR3" } th { "RR5" } th { "COOP1" } th { "REF1" } th { "CON1" } th { "Complets" } } }
            tbody { @for row in &aapor.rows { tr {
                td { (row.group) }
                td { (percent(row.rates.rr1)) } td { (percent(row.rates.rr3)) } td { (percent(row.rates.rr5)) }
                td { (percent(row.rates.coop1)) } td { (percent(row.rates.ref1)) } td { (percent(row.rates.con1)) }
                td { (row.rates.counts.complete) }
            } } }
        }
        h2 { "Productivité des enquêteurs, du " (productivity.from) " au " (productivity.to) }
        @if productivity.interviewers.is_empty() { p { "Aucun appel sur la période." } }
        @else {
            table {
                thead { tr { th { "Enquêteur" } th { "Appels" } th { "Complets" } th { "Appels / h" } th { "Complets / h" } th { "Contact" } th { "Refus" } th { "Durée médiane" } } }
                tbody { @for f in &productivity.interviewers { tr {
                    td { (f.interviewer) } td { (f.overall.calls) } td { (f.overall.completes) }
                    td { (f.overall.calls_per_hour.map_or("—".to_owned(), |v| format!("{v:.1}"))) }
                    td { (f.overall.completes_per_hour.map_or("—".to_owned(), |v| format!("{v:.2}"))) }
                    td { (percent(f.overall.contact_rate)) } td { (percent(f.overall.refusal_rate)) }
                    td { (f.overall.median_interview_length.map_or("—".to_owned(), |d| format!("{} min", d.as_secs() / 60))) }
                } } }
            }
        }
        h2 { "Rendez-vous" }
        @if appointments.is_empty() { p { "Aucun rendez-vous en attente." } }
        @else {
            table {
                thead { tr { th { "Quand" } th { "Type" } th { "État" } th { "Cas" } th { "Commune" } } }
                tbody { @for a in appointments { tr {
                    td { (format_local(a.at)) @if let Some(until) = a.until { " – " (format_local(until)) } }
                    td { (a.kind) }
                    td { (a.status) @if a.missed_before { " (déjà manqué)" } }
                    td { a href={ "/echantillon/cas/" (a.case_id) } { (a.external_id) } }
                    td { (a.commune_name.as_deref().unwrap_or("")) }
                } } }
            }
        }
        h2 { "Règles d'appel" @if rules_view.defaults { " (par défaut)" } }
        ul { @for line in &rules_view.summary { li { (line) } } }
        form #rules method="post" action="/terrain/regles" {
            @if let Some(refused) = refused { p.error role="alert" { (refused) } }
            input type="hidden" name="vague" value=(form.vague);
            fieldset {
                legend { "Plages d'appel (heure de Paris ; plusieurs plages séparées par des virgules ; vide : pas d'appel)" }
                @for (day, hours) in WEEK.into_iter().zip(form.days()) {
                    @let name = day_name(day).to_lowercase();
                    label { (name) " " input name=(name) value=(hours) size="24"; } br;
                }
                label { input type="checkbox" name="holidays_open" value="1" checked[form.holidays_open.is_some()]; " Appeler les jours fériés" }
            }
            fieldset {
                legend { "Tentatives et rappels" }
                label { "Appels au plus par cas " input type="number" min="1" name="max_attempts" value=(form.max_attempts); } br;
                label { "Appels au plus par jour " input type="number" min="1" name="max_attempts_per_day" value=(form.max_attempts_per_day); } br;
                label { "Rendement attendu (entretiens complets pour 100 numéros ; vide : celui de la vague précédente, sinon 7) " input type="number" min="1" max="100" name="expected_yield_percent" value=(form.expected_yield_percent); } br;
                label { "Reconversions de refus " input type="number" min="0" name="refusal_conversions" value=(form.refusal_conversions); } br;
                label { "Rappel après « occupé » (min) " input type="number" min="0" name="busy_minutes" value=(form.busy_minutes); } br;
                label { "Rappel après « pas de réponse » (min) " input type="number" min="0" name="no_answer_minutes" value=(form.no_answer_minutes); } br;
                label { "Rappel après « répondeur » (min) " input type="number" min="0" name="answering_machine_minutes" value=(form.answering_machine_minutes); } br;
                label { "Rappel après un refus temporaire (min) " input type="number" min="0" name="soft_refusal_minutes" value=(form.soft_refusal_minutes); }
            }
            button type="submit" { "Enregistrer les règles" }
        }
    }
}
