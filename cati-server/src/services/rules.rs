//! A wave's calling rules (windows, attempt caps, recall delays, refusal conversion,
//! appointments) as managers read and change them, and the refusal converters among the
//! interviewers. Changes are checked in full (every problem listed in French) and audited.

use fieldwork::{CallingRules, RulesConfig};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::AppError;
use crate::services::waves::find;
use crate::store::audit::{self, AuditAction};
use crate::store::users::Role;
use crate::store::{Db, dispatch, surveys, users};

/// A wave's calling rules as shown to managers.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RulesView {
    /// The wave.
    pub wave_id: Uuid,
    /// Its name.
    pub wave_name: String,
    /// Whether these are the French defaults (nothing stored for the wave).
    pub defaults: bool,
    /// The rules (`fieldwork::RulesConfig`: windows, slots, caps, delays, appointments).
    #[schema(value_type = Object)]
    pub rules: RulesConfig,
    /// The same, in French sentences.
    pub summary: Vec<String>,
}

/// The calling rules of the wave `key` (its identifier or name).
pub async fn show(db: &Db, actor: Actor<'_>, key: &str) -> Result<RulesView, AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.read().await?;
    let wave = find(&mut tx, key).await?;
    let stored = surveys::calling_rules(&mut tx, wave.id).await?;
    tx.commit().await?;
    let rules = match &stored {
        Some(json) => serde_json::from_str(json)
            .map_err(|e| AppError::Internal(format!("stored calling rules unreadable: {e}")))?,
        None => RulesConfig::default(),
    };
    Ok(view(wave.uuid, wave.name, stored.is_none(), rules))
}

/// Replaces the calling rules of the wave `key`; refused with every problem found.
pub async fn set(
    db: &Db,
    actor: Actor<'_>,
    key: &str,
    rules: &RulesConfig,
) -> Result<RulesView, AppError> {
    actor.require(Role::MANAGERS)?;
    let checked: CallingRules = rules
        .validate()
        .map_err(|e| AppError::Invalid(format!("règles d'appel refusées : {e}")))?;
    let json =
        serde_json::to_string(checked.config()).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = db.write().await?;
    let wave = find(&mut tx, key).await?;
    let before = surveys::calling_rules(&mut tx, wave.id).await?;
    surveys::set_calling_rules(&mut tx, wave.id, &json).await?;
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::WaveRules,
        &format!("wave:{}", wave.uuid),
        &serde_json::json!({
            "before": before.and_then(|b| serde_json::from_str::<serde_json::Value>(&b).ok()),
            "after": checked.config(),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(view(wave.uuid, wave.name, false, checked.config().clone()))
}

/// Reads a rules file: TOML, or JSON when its name ends in `.json`; any field left out keeps
/// its default.
pub fn parse_file(name: &str, text: &str) -> Result<RulesConfig, AppError> {
    super::settings_file::parse(name, text, "règles d'appel")
}

/// Marks the interviewer `key` (login name, or account number) as a refusal converter (or
/// not).
pub async fn set_converter(
    db: &Db,
    actor: Actor<'_>,
    key: &str,
    converter: bool,
) -> Result<(), AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.write().await?;
    let account = match key.parse::<i64>() {
        Ok(id) => users::by_id(&mut tx, id).await?,
        Err(_) => users::by_username(&mut tx, key).await?,
    }
    .filter(|u| u.role == Role::Interviewer.as_str())
    .ok_or_else(|| AppError::not_found(&format!("enquêteur inconnu : « {key} »")))?;
    dispatch::set_converter(&mut tx, account.id, converter).await?;
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::UserConverter,
        &format!("user:{}", account.username),
        &serde_json::json!({ "refusal_converter": converter }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn view(wave_id: Uuid, wave_name: String, defaults: bool, rules: RulesConfig) -> RulesView {
    RulesView {
        wave_id,
        wave_name,
        defaults,
        summary: summary(&rules),
        rules,
    }
}

/// The rules in French sentences.
pub fn summary(rules: &RulesConfig) -> Vec<String> {
    let mut lines: Vec<String> = fieldwork::WEEK
        .into_iter()
        .map(|day| {
            let name = fieldwork::day_name(day).to_lowercase();
            let ranges: Vec<String> = rules
                .windows
                .hours
                .on(day)
                .iter()
                .map(|r| format!("{}–{}", r.start, r.end))
                .collect();
            if ranges.is_empty() {
                format!("{name} : pas d'appel")
            } else {
                format!("{name} : {}", ranges.join(", "))
            }
        })
        .collect();
    lines.push(format!(
        "Fuseau horaire {} ; jours fériés {}",
        rules.windows.time_zone,
        if rules.windows.closed_on_public_holidays {
            "fermés"
        } else {
            "ouverts"
        }
    ));
    lines.push(format!(
        "{} appels au plus par cas, {} par jour",
        rules.max_attempts, rules.max_attempts_per_day
    ));
    let delays: Vec<String> = rules
        .recall
        .named()
        .iter()
        .map(|(name, minutes)| format!("{name} {minutes} min"))
        .collect();
    lines.push(format!("Rappels : {}", delays.join(", ")));
    lines.push(format!(
        "Reconversions de refus : {} ; rendez-vous ferme réservé {} min, manqué après {} min",
        rules.refusal_conversions,
        rules.appointments.hard_grace_minutes,
        rules.appointments.missed_after_minutes
    ));
    lines.push(match rules.expected_yield_percent {
        Some(percent) => format!(
            "Rendement attendu : {percent} entretiens complets pour 100 numéros utilisés"
        ),
        None => "Rendement attendu : celui de la vague précédente, sinon 7 entretiens complets pour 100 numéros".to_owned(),
    });
    lines
}

/// Lets a wave be called at any hour (`RulesConfig::around_the_clock`): for the demonstration,
/// benchmarks and tests, which run whatever the time of day.
pub async fn allow_around_the_clock(
    tx: &mut crate::store::Tx,
    wave_id: i64,
) -> Result<(), AppError> {
    let rules = serde_json::to_string(&RulesConfig::around_the_clock())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    surveys::set_calling_rules(tx, wave_id, &rules).await?;
    Ok(())
}
