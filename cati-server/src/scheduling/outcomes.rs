//! Call outcomes as people read them, and appointment times as they type them. What each
//! outcome means for a case (finality, recall delay, AAPOR code) is the survey's outcome frame
//! and the wave's calling rules (`fieldwork`, applied in `services::dispatch`).

use fieldwork::{Outcome, OutcomeFrame};

/// The French label of a stored outcome name, in the default frame; the name itself when
/// unknown (a database written by another program).
pub fn label(name: &str) -> String {
    Outcome::parse(name).map_or_else(
        || name.to_owned(),
        |outcome| OutcomeFrame::default().spec(outcome).label.clone(),
    )
}

/// Parses an appointment typed as local time in France (`JJ/MM/AAAA HH:MM` as the workstation's
/// field reads, `YYYY-MM-DDTHH:MM` as sent by `<input type="datetime-local">`, or with seconds
/// or an RFC 3339 offset) into epoch ms.
pub fn parse_appointment(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts.as_millisecond());
    }
    let civil: jiff::civil::DateTime = text
        .parse()
        .or_else(|_| jiff::civil::DateTime::strptime("%d/%m/%Y %H:%M", text))
        .ok()?;
    let zoned = civil.in_tz("Europe/Paris").ok()?;
    Some(zoned.timestamp().as_millisecond())
}

/// Formats epoch ms as local time in France, for pages.
pub fn format_local(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .ok()
        .and_then(|ts| ts.in_tz("Europe/Paris").ok())
        .map_or_else(String::new, |z| z.strftime("%d/%m/%Y %H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_french_and_unknown_names_stay_as_they_are() {
        assert_eq!(label("no_answer"), "Pas de réponse");
        assert_eq!(label("strange"), "strange");
    }

    #[test]
    fn appointment_typed_in_paris_winter_time_is_utc_plus_one() {
        let ms = parse_appointment("2026-01-15T18:30").unwrap();
        assert_eq!(ms, parse_appointment("2026-01-15T17:30:00Z").unwrap());
        assert_eq!(format_local(ms), "15/01/2026 18:30");
    }
}
