//! The analysts' page: waves with their interview counts and, for each, a form that downloads
//! the export as one zip. No phone number, no personal data.

use axum::extract::State;
use axum::response::{Html, Response};
use maud::html;

use super::layout;
use crate::api::exports::{ExportQuery, export_zip};
use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiPath, ApiQuery, AppError};
use crate::services::manage::{self, InterviewCount};
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

/// Weighting methods offered, with their French names.
const METHODS: [(&str, &str); 4] = [
    ("raking", "Calage par raking (ratissage)"),
    ("linear", "Calage linéaire"),
    ("poststrat", "Post-stratification"),
    ("none", "Sans pondération"),
];

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
    let mut waves = Vec::new();
    for wave in manage::waves(&state.db, Actor::User(&user)).await? {
        let progress = manage::progress(&state, &user, wave.uuid).await?;
        waves.push((wave, tally(&progress.interviews_by_status)));
    }
    let populations = state.settings.populations.as_ref();
    let vintages: Vec<String> = populations
        .and_then(|path| std::fs::read_to_string(path).ok())
        .and_then(|csv| quotas::population_vintages(&csv).ok())
        .unwrap_or_default();
    let weighted = populations.is_some() && !vintages.is_empty();
    let body = html! {
        h1 { "Analyses et exports" }
        @if weighted {
            p { "Pondération : calage des entretiens complets sur les populations légales des communes." }
        } @else {
            p.notice {
                "Aucun fichier de populations légales n'est configuré sur le serveur (option "
                code { "--populations" } " ou variable " code { "CATI_POPULATIONS" }
                ") : les exports ne sont pas pondérés, et le manifeste l'indique."
            }
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
        @for (wave, (completed, partial, screened_out)) in &waves {
            section {
                h2 { (wave.survey_title) " — vague « " (wave.name) " »" }
                table {
                    thead { tr { th { "Complets" } th { "Partiels" } th { "Non éligibles" } } }
                    tbody { tr { td { (completed) } td { (partial) } td { (screened_out) } } }
                }
                form method="get" action={ "/analyses/vagues/" (wave.uuid) "/export" } {
                    label {
                        "Format : "
                        select name="format" {
                            @for (value, name) in FORMATS { option value=(value) { (name) } }
                        }
                    }
                    label { input type="checkbox" name="include_partial" value="on"; " Inclure les entretiens partiels" }
                    label { input type="checkbox" name="include_screened_out" value="on"; " Inclure les personnes non éligibles" }
                    @if weighted {
                        label {
                            "Pondération : "
                            select name="method" {
                                @for (value, name) in METHODS { option value=(value) { (name) } }
                            }
                        }
                        label {
                            "Millésime des populations : "
                            select name="vintage" {
                                @for (i, vintage) in vintages.iter().enumerate().rev() {
                                    option value=(vintage) selected[i + 1 == vintages.len()] { (vintage) }
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
