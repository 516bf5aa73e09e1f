//! The analysts' page: waves with their interview counts, the weighting each is exported with
//! (method and population margins) and a form that downloads the export as one zip. No phone
//! number, no personal data.

use axum::extract::State;
use axum::response::{Html, Response};
use maud::{Markup, html};

use super::layout;
use crate::api::exports::{ExportQuery, export_zip};
use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiPath, ApiQuery, AppError};
use crate::services::manage::{self, InterviewCount};
use crate::services::weighting::{self, WeightingView, method_label};
use crate::state::AppState;
use crate::store::interviews::InterviewStatus;

/// Formats offered, with their French names.
const FORMATS: [(&str, &str); 6] = [
    (
        "all",
        "Tous les formats (CSV, SPSS, Stata, Parquet, dictionnaire)",
    ),
    ("csv", "CSV (trois variantes) et descripteur Frictionless"),
    ("sav", "SPSS (.sav)"),
    ("dta", "Stata (.dta)"),
    ("parquet", "Parquet"),
    ("codebook", "Dictionnaire des variables seul"),
];

/// Weighting methods offered instead of the wave's own (those without bounds to give).
const METHODS: [&str; 3] = ["raking", "linear", "poststrat"];

/// Interview counts of a wave: completed, partial (broken off or to be resumed), screened out.
fn tally(counts: &[InterviewCount]) -> (i64, i64, i64) {
    let of = |wanted: &[InterviewStatus]| -> i64 {
        counts
            .iter()
            .filter(|c| wanted.contains(&c.status))
            .map(|c| c.count)
            .sum()
    };
    (
        of(&[InterviewStatus::Completed]),
        of(&[InterviewStatus::InProgress, InterviewStatus::BrokenOff]),
        of(&[InterviewStatus::ScreenedOut]),
    )
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, AppError> {
    let all = manage::waves(&state.db, Actor::User(&user)).await?;
    let weightings = weighting::views(&state.db, Actor::User(&user), &all).await?;
    let mut waves = Vec::new();
    for (wave, weighting) in all.into_iter().zip(weightings) {
        let progress = manage::progress(&state, &user, wave.uuid).await?;
        waves.push((wave, tally(&progress.interviews_by_status), weighting));
    }
    let body = html! {
        h1 { "Analyses et exports" }
        p {
            "Chaque vague est exportée avec la pondération réglée pour elle (méthode et marges "
            "de population, ci-dessous) ; vous pouvez demander une autre méthode, un autre "
            "millésime ou un export non pondéré. Le manifeste de l'export dit ce qui a été appliqué."
        }
        p {
            "Les identifiants des répondants et des enquêteurs sont pseudonymes et stables d'un export à l'autre. "
            "Aucun numéro de téléphone ni champ personnel de l'échantillon n'est exporté."
        }
        p {
            "Quand le questionnaire de la vague a une définition d'indicateurs, l'export contient aussi "
            code { "indicateurs.csv" }
            " : chaque indicateur pour l'ensemble et par commune, avec son intervalle de confiance à 95 % "
            "(variance de calage quand l'export est pondéré ; au moins deux entretiens complets)."
        }
        @if waves.is_empty() {
            p { "Aucune vague." }
        }
        @for (wave, (completed, partial, screened_out), weighting) in &waves {
            section {
                h2 { (wave.survey_title) " — vague « " (wave.name) " »" }
                table {
                    thead { tr { th { "Complets" } th { "Partiels" } th { "Non éligibles" } } }
                    tbody { tr { td { (completed) } td { (partial) } td { (screened_out) } } }
                }
                (weighting_summary(weighting))
                form method="get" action={ "/analyses/vagues/" (wave.uuid) "/export" } {
                    label {
                        "Format : "
                        select name="format" {
                            @for (value, name) in FORMATS { option value=(value) { (name) } }
                        }
                    }
                    label { input type="checkbox" name="include_partial" value="on"; " Inclure les entretiens partiels" }
                    label { input type="checkbox" name="include_screened_out" value="on"; " Inclure les personnes non éligibles" }
                    label { input type="checkbox" name="include_preload" value="on"; " Inclure les champs de l'échantillon déclarés par le questionnaire (jamais les personnels)" }
                    @if weighting.weighted {
                        label {
                            "Pondération : "
                            select name="method" {
                                option value="" selected { "Celle de la vague" }
                                @for method in METHODS {
                                    @if weighting.method.as_deref() != Some(method) {
                                        option value=(method) { (method_label(method)) }
                                    }
                                }
                                option value="none" { "Sans pondération" }
                            }
                        }
                        label {
                            "Millésime des populations : "
                            select name="vintage" {
                                @for vintage in weighting.vintages.iter().rev() {
                                    option value=(vintage) selected[weighting.vintage.as_ref() == Some(vintage)] { (vintage) }
                                }
                            }
                        }
                    }
                    button type="submit" { "Télécharger l'export (zip)" }
                }
            }
        }
    };
    Ok(Html(layout("Analyses", Some(&user), body).into_string()))
}

/// The weighting a wave is exported with: its method and source in one sentence, and its
/// population margins by commune.
fn weighting_summary(weighting: &WeightingView) -> Markup {
    html! {
        @if weighting.weighted {
            p.weighting { "Pondération : " (weighting.summary) }
            details {
                summary { "Marges de population par commune" }
                table.compact {
                    thead { tr { th { "Code" } th { "Commune" } th.num { "Population" } th.num { "Part" } } }
                    tbody {
                        @for commune in &weighting.communes {
                            tr {
                                td { (commune.code) }
                                td { (commune.name) }
                                td.num { (thousands(commune.population)) }
                                td.num { (format!("{:.1} %", commune.share * 100.0).replace('.', ",")) }
                            }
                        }
                    }
                }
            }
        } @else {
            p.notice { (weighting.summary) " Un responsable la règle dans « Mise en place »." }
        }
    }
}

/// 260958 → « 260 958 » (narrow no-break space, as French typography writes thousands).
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<uuid::Uuid>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    export_zip(&state, &user, wave_id, &query).await
}

#[cfg(test)]
mod tests {
    use super::tally;
    use crate::services::manage::InterviewCount;
    use crate::store::interviews::InterviewStatus;

    #[test]
    fn partial_counts_broken_off_and_resumable_interviews() {
        let count = |status, count| InterviewCount { status, count };
        let counts = vec![
            count(InterviewStatus::BrokenOff, 2),
            count(InterviewStatus::Completed, 5),
            count(InterviewStatus::InProgress, 1),
            count(InterviewStatus::ScreenedOut, 3),
        ];
        assert_eq!(tally(&counts), (5, 3, 3));
    }
}
