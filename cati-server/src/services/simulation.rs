//! The simulated clock of a server started with `--simulated-clock`: read and moved forward by
//! an admin (the fieldwork simulator), so that days of calls play in seconds. A server on the
//! system clock has no such thing: its time cannot be moved.

use serde::{Deserialize, Serialize};

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::users::Role;

/// The simulated time.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClockView {
    /// Now, RFC 3339 (UTC).
    pub now: String,
    /// Now in Paris, `AAAA-MM-JJ HH:MM`.
    pub paris: String,
    /// Now, epoch milliseconds.
    pub now_ms: i64,
}

/// How far to move the simulated clock.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockMove {
    /// Minutes to move forward (at most 10 years' worth).
    pub advance_minutes: u32,
}

/// The simulated clock as it stands; admins only, and only on a simulated clock.
pub fn now(state: &AppState, user: &CurrentUser) -> Result<ClockView, AppError> {
    user.require(&[Role::Admin])?;
    simulated(state)?;
    Ok(view(state))
}

/// Moves the simulated clock forward; admins only.
pub fn advance(
    state: &AppState,
    user: &CurrentUser,
    change: &ClockMove,
) -> Result<ClockView, AppError> {
    user.require(&[Role::Admin])?;
    simulated(state)?;
    if change.advance_minutes > 10 * 366 * 24 * 60 {
        return Err(AppError::Invalid(
            "avance trop grande : dix ans au plus".to_owned(),
        ));
    }
    state
        .settings
        .clock
        .advance(i64::from(change.advance_minutes) * 60_000);
    Ok(view(state))
}

fn simulated(state: &AppState) -> Result<(), AppError> {
    if state.settings.clock.is_manual() {
        Ok(())
    } else {
        Err(AppError::not_found(
            "ce serveur suit l'heure réelle : pas d'horloge simulée",
        ))
    }
}

fn view(state: &AppState) -> ClockView {
    let now = state.settings.clock.now();
    let paris = now
        .in_tz("Europe/Paris")
        .map(|z| z.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    ClockView {
        now: now.to_string(),
        paris,
        now_ms: now.as_millisecond(),
    }
}

/// The instant `local` (`AAAA-MM-JJTHH:MM`, Paris time) names, for `--simulated-clock`.
pub fn parse_start(local: &str) -> Result<i64, String> {
    let civil: jiff::civil::DateTime = local.trim().parse().map_err(|e| {
        format!(
            "--simulated-clock : date et heure AAAA-MM-JJTHH:MM attendues, reçu « {local} » ({e})"
        )
    })?;
    civil
        .in_tz("Europe/Paris")
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|e| format!("--simulated-clock : {e}"))
}

#[cfg(test)]
mod tests {
    use super::parse_start;

    #[test]
    fn the_start_is_read_in_paris_time() {
        // 1 March 2027, 09:00 in Paris is 08:00 UTC (winter time).
        assert_eq!(
            parse_start("2027-03-01T09:00"),
            Ok(jiff::Timestamp::from_second(1_803_888_000)
                .unwrap()
                .as_millisecond())
        );
        assert!(
            parse_start("demain")
                .unwrap_err()
                .contains("AAAA-MM-JJTHH:MM")
        );
    }
}
