//! The outcomes an interviewer records after dialling, each with its AAPOR disposition code
//! (AAPOR *Standard Definitions*, telephone surveys; codes as used by queXS) and its effect
//! on the case.

use serde::{Deserialize, Serialize};

use crate::store::cases::{CaseNext, minutes_from_now};

/// An outcome of a call that did not lead to (or did not finish) an interview.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// Nobody answered.
    NoAnswer,
    /// The line was busy.
    Busy,
    /// An answering machine, unknown whether a household.
    AnsweringMachine,
    /// Someone refused to take part.
    Refusal,
    /// The number is wrong, not assigned or out of service.
    NotInService,
    /// A business, not a household.
    Business,
    /// A fax or data line.
    Fax,
    /// No common language with the respondent.
    Language,
    /// The respondent is physically or mentally unable to answer.
    Unable,
    /// The respondent asked to be called at a given date and time.
    Appointment,
    /// The person asked never to be called again: a refusal, and the number goes on the
    /// survey's do-not-call list.
    DoNotCall,
}

/// How an outcome affects the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Call again after this many minutes.
    RecallAfter(i64),
    /// Call again at the agreed time.
    Appointment,
    /// No further calls.
    Final,
}

impl CallOutcome {
    /// Every outcome, in the order shown to interviewers (the keyboard shortcut is the
    /// position, from 1).
    pub const ALL: [CallOutcome; 11] = [
        CallOutcome::NoAnswer,
        CallOutcome::Busy,
        CallOutcome::AnsweringMachine,
        CallOutcome::Appointment,
        CallOutcome::Refusal,
        CallOutcome::NotInService,
        CallOutcome::Business,
        CallOutcome::Fax,
        CallOutcome::Language,
        CallOutcome::Unable,
        CallOutcome::DoNotCall,
    ];

    /// The name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::Busy => "busy",
            CallOutcome::AnsweringMachine => "answering_machine",
            CallOutcome::Refusal => "refusal",
            CallOutcome::NotInService => "not_in_service",
            CallOutcome::Business => "business",
            CallOutcome::Fax => "fax",
            CallOutcome::Language => "language",
            CallOutcome::Unable => "unable",
            CallOutcome::Appointment => "appointment",
            CallOutcome::DoNotCall => "do_not_call",
        }
    }

    /// Parses an outcome name.
    pub fn parse(name: &str) -> Option<CallOutcome> {
        CallOutcome::ALL.into_iter().find(|o| o.as_str() == name)
    }

    /// The French label shown to interviewers.
    pub fn label(self) -> &'static str {
        match self {
            CallOutcome::NoAnswer => "Pas de réponse",
            CallOutcome::Busy => "Occupé",
            CallOutcome::AnsweringMachine => "Répondeur",
            CallOutcome::Refusal => "Refus",
            CallOutcome::NotInService => "Faux numéro / numéro non attribué",
            CallOutcome::Business => "Entreprise, pas un ménage",
            CallOutcome::Fax => "Fax ou ligne de données",
            CallOutcome::Language => "Barrière de la langue",
            CallOutcome::Unable => "Personne dans l'incapacité de répondre",
            CallOutcome::Appointment => "Rendez-vous",
            CallOutcome::DoNotCall => "Refus : ne plus m'appeler",
        }
    }

    /// The AAPOR disposition code.
    pub fn aapor_code(self) -> &'static str {
        match self {
            CallOutcome::NoAnswer => "3.13",
            CallOutcome::Busy => "3.12",
            CallOutcome::AnsweringMachine => "3.14",
            CallOutcome::Refusal | CallOutcome::DoNotCall => "2.111",
            CallOutcome::NotInService => "4.30",
            CallOutcome::Business => "4.51",
            CallOutcome::Fax => "4.20",
            CallOutcome::Language => "2.331",
            CallOutcome::Unable => "2.32",
            // AAPOR has no appointment code; a respondent never available in the end is 2.21.
            CallOutcome::Appointment => "2.21",
        }
    }

    /// What the outcome does to the case. The delays follow queXS's defaults (3 hours after
    /// no answer or a machine); a busy line is retried sooner.
    pub fn effect(self) -> Effect {
        match self {
            CallOutcome::NoAnswer | CallOutcome::AnsweringMachine => Effect::RecallAfter(180),
            CallOutcome::Busy => Effect::RecallAfter(30),
            CallOutcome::Appointment => Effect::Appointment,
            CallOutcome::Refusal
            | CallOutcome::DoNotCall
            | CallOutcome::NotInService
            | CallOutcome::Business
            | CallOutcome::Fax
            | CallOutcome::Language
            | CallOutcome::Unable => Effect::Final,
        }
    }

    /// The case's next state; `appointment_at` (epoch ms) is required for appointments.
    pub fn next(self, appointment_at: Option<i64>) -> Option<CaseNext> {
        match self.effect() {
            Effect::RecallAfter(minutes) => Some(CaseNext::Retry {
                not_before: minutes_from_now(minutes),
            }),
            Effect::Appointment => appointment_at.map(|at| CaseNext::Appointment { at }),
            Effect::Final => Some(CaseNext::Final),
        }
    }
}

/// Dispositions recorded when an interview ends.
pub mod interview {
    /// A completed interview.
    pub const COMPLETED: (&str, &str) = ("completed", "1.1");
    /// Screened out: no eligible respondent.
    pub const SCREENED_OUT: (&str, &str) = ("screened_out", "4.70");
    /// Screened out because the quota cell is full.
    pub const QUOTA_FULL: (&str, &str) = ("quota_full", "4.80");
    /// The respondent broke the interview off.
    pub const BROKEN_OFF: (&str, &str) = ("broken_off", "2.12");
    /// The respondent asked to finish later: a partial interview with an appointment.
    pub const CALLBACK: (&str, &str) = ("interview_callback", "1.2");
}

/// Parses an appointment typed as local time in France (`YYYY-MM-DDTHH:MM`, as sent by
/// `<input type="datetime-local">`, or with seconds or an RFC 3339 offset) into epoch ms.
pub fn parse_appointment(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts.as_millisecond());
    }
    let civil: jiff::civil::DateTime = text.parse().ok()?;
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
    fn every_outcome_name_round_trips() {
        for outcome in CallOutcome::ALL {
            assert_eq!(CallOutcome::parse(outcome.as_str()), Some(outcome));
        }
    }

    #[test]
    fn appointment_needs_a_time() {
        assert_eq!(CallOutcome::Appointment.next(None), None);
        assert_eq!(
            CallOutcome::Appointment.next(Some(5)),
            Some(CaseNext::Appointment { at: 5 })
        );
    }

    #[test]
    fn appointment_typed_in_paris_winter_time_is_utc_plus_one() {
        let ms = parse_appointment("2026-01-15T18:30").unwrap();
        assert_eq!(ms, parse_appointment("2026-01-15T17:30:00Z").unwrap());
        assert_eq!(format_local(ms), "15/01/2026 18:30");
    }
}
