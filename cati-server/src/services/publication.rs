//! A wave's publication rules: the minimum n, minimum effective n and maximum interval
//! half-width a cell of its indicator table must meet to be published on the results page's
//! map and in the open data. Stored with the wave (the defaults until a manager changes them),
//! carried to the next wave created from it, changed by managers (audited), read by analysts.

use exports::publication::PublicationRules;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::AppError;
use crate::services::waves::find;
use crate::store::audit::{self, AuditAction};
use crate::store::surveys::{self, WaveRow};
use crate::store::users::Role;
use crate::store::{Db, Tx};

/// A wave's publication rules as managers and analysts read them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicationView {
    /// The wave.
    pub wave_id: Uuid,
    /// Its name.
    pub wave_name: String,
    /// Fewest respondents with a value.
    pub min_n: usize,
    /// Smallest effective sample size.
    pub min_effective_n: f64,
    /// Largest half-width of the 95 % interval, as a proportion (0.15: ±15 points).
    pub max_half_width: f64,
    /// Whether these are the defaults (never changed for this wave).
    pub default: bool,
    /// The rules in one French sentence.
    pub summary: String,
}

/// The rules to set; a field left out keeps its current value.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicationRequest {
    /// Fewest respondents with a value (e.g. 30).
    #[serde(default)]
    pub min_n: Option<usize>,
    /// Smallest effective sample size (e.g. 20).
    #[serde(default)]
    pub min_effective_n: Option<f64>,
    /// Largest half-width of the 95 % interval, as a proportion (e.g. 0.15).
    #[serde(default)]
    pub max_half_width: Option<f64>,
}

/// The publication rules of the wave `key` (identifier or name); managers and analysts.
pub async fn show(db: &Db, actor: Actor<'_>, key: &str) -> Result<PublicationView, AppError> {
    actor.require(Role::READERS)?;
    let mut tx = db.read().await?;
    let wave = find(&mut tx, key).await?;
    let stored = stored(&mut tx, wave.id).await?;
    tx.commit().await?;
    Ok(view(&wave, stored))
}

/// Changes the publication rules of the wave `key` (managers), audited with the rules before
/// and after.
pub async fn set(
    db: &Db,
    actor: Actor<'_>,
    key: &str,
    request: &PublicationRequest,
) -> Result<PublicationView, AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.write().await?;
    let wave = find(&mut tx, key).await?;
    let before = stored(&mut tx, wave.id).await?;
    let current = before.unwrap_or_default();
    let rules = PublicationRules {
        min_n: request.min_n.unwrap_or(current.min_n),
        min_effective_n: request.min_effective_n.unwrap_or(current.min_effective_n),
        max_half_width: request.max_half_width.unwrap_or(current.max_half_width),
    };
    rules
        .validate()
        .map_err(|e| AppError::Invalid(format!("règles de publication refusées : {e}")))?;
    surveys::set_publication(&mut tx, wave.id, &to_json(&rules)?).await?;
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::WavePublication,
        &format!("wave:{}", wave.uuid),
        &serde_json::json!({ "before": current, "after": rules }),
    )
    .await?;
    tx.commit().await?;
    Ok(view(&wave, Some(rules)))
}

/// The rules of a wave: the stored ones, else the defaults.
pub async fn rules(tx: &mut Tx, wave_id: i64) -> Result<PublicationRules, AppError> {
    Ok(stored(tx, wave_id).await?.unwrap_or_default())
}

/// Gives `wave` the publication rules of `previous`; the line of the comparability report.
pub async fn carry(tx: &mut Tx, previous: &WaveRow, wave: &WaveRow) -> Result<String, AppError> {
    let Some(rules) = stored(tx, previous.id).await? else {
        return Ok(
            "Règles de publication : celles par défaut, comme la vague précédente.".to_owned(),
        );
    };
    surveys::set_publication(tx, wave.id, &to_json(&rules)?).await?;
    Ok(format!(
        "Règles de publication reprises : {}",
        summary(&rules)
    ))
}

/// In French: « au moins 30 répondants, un n effectif d'au moins 20 et un intervalle de
/// confiance de demi-largeur au plus 15 points. »
pub fn summary(rules: &PublicationRules) -> String {
    format!(
        "au moins {} répondants, un n effectif d'au moins {} et un intervalle de confiance à 95 % \
         de demi-largeur au plus {} points.",
        rules.min_n,
        exports::publication::decimal(rules.min_effective_n, 0),
        exports::publication::decimal(rules.max_half_width * 100.0, 0)
    )
}

async fn stored(tx: &mut Tx, wave_id: i64) -> Result<Option<PublicationRules>, AppError> {
    surveys::publication(tx, wave_id)
        .await?
        .map(|json| {
            serde_json::from_str(&json).map_err(|e| {
                AppError::Internal(format!("stored publication rules unreadable: {e}"))
            })
        })
        .transpose()
}

fn to_json(rules: &PublicationRules) -> Result<String, AppError> {
    serde_json::to_string(rules).map_err(|e| AppError::Internal(e.to_string()))
}

fn view(wave: &WaveRow, stored: Option<PublicationRules>) -> PublicationView {
    let rules = stored.unwrap_or_default();
    PublicationView {
        wave_id: wave.uuid,
        wave_name: wave.name.clone(),
        min_n: rules.min_n,
        min_effective_n: rules.min_effective_n,
        max_half_width: rules.max_half_width,
        default: stored.is_none(),
        summary: summary(&rules),
    }
}
