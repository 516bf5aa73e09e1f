//! Fieldwork figures managers report: AAPOR outcome rates of a wave, overall or by commune or
//! replicate, from the disposition counters (never from the sample), with the eligibility
//! estimate `e` and its basis stated as AAPOR requires.

use std::collections::BTreeMap;

use fieldwork::{AaporCode, DispositionCounts, EligibilityRate, OutcomeRates, outcome_rates};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::AppError;
use crate::sample::communes::COMMUNES;
use crate::services::waves::find;
use crate::store::users::Role;
use crate::store::{Db, counts};

/// How the cases are grouped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportBy {
    /// The whole wave.
    #[default]
    Wave,
    /// Each commune.
    Commune,
    /// Each replicate.
    Replicate,
}

impl ReportBy {
    /// Parses `wave`, `commune` or `replicate` (French names accepted too).
    pub fn parse(name: &str) -> Option<ReportBy> {
        match name.trim() {
            "wave" | "vague" => Some(ReportBy::Wave),
            "commune" => Some(ReportBy::Commune),
            "replicate" | "replicat" | "réplicat" => Some(ReportBy::Replicate),
            _ => None,
        }
    }
}

/// The AAPOR report of a wave.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AaporReport {
    /// The wave.
    pub wave_id: Uuid,
    /// Its name.
    pub wave_name: String,
    /// How the rows are grouped.
    pub by: ReportBy,
    /// The whole wave first, then each group.
    pub rows: Vec<AaporRow>,
}

/// The rates of one group of cases.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AaporRow {
    /// « Ensemble », a commune (code and name) or « Réplicat N ».
    pub group: String,
    /// Rates, counts by disposition group, `e` and its basis.
    #[schema(value_type = Object)]
    pub rates: OutcomeRates,
    /// The basis of `e`, in French.
    pub eligibility_basis: String,
}

/// The AAPOR rates of the wave `key`, grouped `by`, with `e` estimated as `rate` says.
pub async fn aapor(
    db: &Db,
    actor: Actor<'_>,
    key: &str,
    by: ReportBy,
    rate: &EligibilityRate,
) -> Result<AaporReport, AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.read().await?;
    let wave = find(&mut tx, key).await?;
    let stored = counts::dispositions(&mut tx, wave.id).await?;
    tx.commit().await?;
    let mut total = DispositionCounts::default();
    let mut groups: BTreeMap<(i64, String), DispositionCounts> = BTreeMap::new();
    for row in &stored {
        let group = AaporCode::new(&row.code)
            .map_err(|e| AppError::Internal(format!("stored disposition unreadable: {e}")))?
            .group();
        let key = match by {
            ReportBy::Wave => None,
            ReportBy::Commune => Some((0, row.commune_code.clone())),
            ReportBy::Replicate => Some((row.replicate, String::new())),
        };
        for _ in 0..row.cases.max(0) {
            total.add(group);
            if let Some(key) = &key {
                groups.entry(key.clone()).or_default().add(group);
            }
        }
    }
    let row = |name: String, counts: &DispositionCounts| -> Result<AaporRow, AppError> {
        let rates = outcome_rates(counts, rate).map_err(|e| AppError::Invalid(e.to_string()))?;
        Ok(AaporRow {
            group: name,
            eligibility_basis: rates.eligibility.basis.describe(),
            rates,
        })
    };
    let mut rows = vec![row("Ensemble".to_owned(), &total)?];
    for ((replicate, commune), counts) in &groups {
        let name = match by {
            ReportBy::Commune => commune_name(commune),
            _ if *replicate == 0 => "Hors réplicats".to_owned(),
            _ => format!("Réplicat {replicate}"),
        };
        rows.push(row(name, counts)?);
    }
    Ok(AaporReport {
        wave_id: wave.uuid,
        wave_name: wave.name,
        by,
        rows,
    })
}

fn commune_name(code: &str) -> String {
    if code.is_empty() {
        return "Commune inconnue".to_owned();
    }
    COMMUNES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(c, name)| format!("{name} ({c})"))
}
