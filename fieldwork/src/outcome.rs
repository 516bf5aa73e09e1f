//! The outcomes recorded on a case: after a dial (no answer, busy, refusal…) and when an
//! interview ends (completed, screened out…). What each one means for rates (its AAPOR code,
//! contact, finality) is the survey's [`OutcomeFrame`](crate::OutcomeFrame); what it does to
//! the case is fixed here where the scheduler depends on it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An outcome of a call or of an interview. The names are those of the API and the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Nobody answered.
    NoAnswer,
    /// The line was busy.
    Busy,
    /// An answering machine, unknown whether a household.
    AnsweringMachine,
    /// The respondent asked to be called at a given time or within a period.
    Appointment,
    /// A refusal that may be converted: no call before a while, then a refusal converter.
    SoftRefusal,
    /// A definitive refusal: never called again.
    Refusal,
    /// The person asked never to be called again: a definitive refusal whose number also goes
    /// on the survey's do-not-call list.
    DoNotCall,
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
    /// The interview was completed.
    Completed,
    /// The respondent stopped the interview and asked to finish it at an appointment.
    InterviewCallback,
    /// The respondent broke the interview off.
    BrokenOff,
    /// The screener found no eligible respondent (outside the area, under age…).
    ScreenedOut,
    /// The respondent's quota cell was full.
    QuotaFull,
}

/// Whether a survey may choose if an outcome ends the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finality {
    /// Always ends the case (a complete, a definitive refusal).
    Always,
    /// Never ends the case by itself (no answer, an appointment).
    Never,
    /// Ends the case unless the survey decides to call again (a language barrier, a number
    /// out of service).
    Configurable,
}

impl Outcome {
    /// Every outcome: the call outcomes in the order shown to interviewers (the keyboard
    /// shortcut is the position, from 1), then the interview endings.
    pub const ALL: [Outcome; 17] = [
        Outcome::NoAnswer,
        Outcome::Busy,
        Outcome::AnsweringMachine,
        Outcome::Appointment,
        Outcome::SoftRefusal,
        Outcome::Refusal,
        Outcome::NotInService,
        Outcome::Business,
        Outcome::Fax,
        Outcome::Language,
        Outcome::Unable,
        Outcome::DoNotCall,
        Outcome::Completed,
        Outcome::InterviewCallback,
        Outcome::BrokenOff,
        Outcome::ScreenedOut,
        Outcome::QuotaFull,
    ];

    /// The outcomes an interviewer records after dialling, in the order shown (the keyboard
    /// shortcut is the position, from 1); the others end an interview.
    pub const CALLS: [Outcome; 12] = [
        Outcome::NoAnswer,
        Outcome::Busy,
        Outcome::AnsweringMachine,
        Outcome::Appointment,
        Outcome::SoftRefusal,
        Outcome::Refusal,
        Outcome::NotInService,
        Outcome::Business,
        Outcome::Fax,
        Outcome::Language,
        Outcome::Unable,
        Outcome::DoNotCall,
    ];

    /// The name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NoAnswer => "no_answer",
            Outcome::Busy => "busy",
            Outcome::AnsweringMachine => "answering_machine",
            Outcome::Appointment => "appointment",
            Outcome::SoftRefusal => "soft_refusal",
            Outcome::Refusal => "refusal",
            Outcome::DoNotCall => "do_not_call",
            Outcome::NotInService => "not_in_service",
            Outcome::Business => "business",
            Outcome::Fax => "fax",
            Outcome::Language => "language",
            Outcome::Unable => "unable",
            Outcome::Completed => "completed",
            Outcome::InterviewCallback => "interview_callback",
            Outcome::BrokenOff => "broken_off",
            Outcome::ScreenedOut => "screened_out",
            Outcome::QuotaFull => "quota_full",
        }
    }

    /// Parses an outcome name.
    pub fn parse(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == name)
    }

    /// Whether a survey may choose if the outcome ends the case.
    pub fn finality(self) -> Finality {
        match self {
            Outcome::Completed
            | Outcome::ScreenedOut
            | Outcome::QuotaFull
            | Outcome::Refusal
            | Outcome::DoNotCall => Finality::Always,
            Outcome::NoAnswer
            | Outcome::Busy
            | Outcome::AnsweringMachine
            | Outcome::Appointment
            | Outcome::SoftRefusal
            | Outcome::InterviewCallback => Finality::Never,
            Outcome::NotInService
            | Outcome::Business
            | Outcome::Fax
            | Outcome::Language
            | Outcome::Unable
            | Outcome::BrokenOff => Finality::Configurable,
        }
    }

    /// Whether recording the outcome books an appointment (its time is then required).
    pub fn books_appointment(self) -> bool {
        matches!(self, Outcome::Appointment | Outcome::InterviewCallback)
    }
}

impl fmt::Display for Outcome {
    /// Writes the API name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_outcomes_are_the_outcomes_before_the_interview_endings() {
        assert_eq!(Outcome::CALLS[..], Outcome::ALL[..12]);
        assert!(!Outcome::CALLS.contains(&Outcome::Completed));
    }

    #[test]
    fn every_outcome_name_round_trips() {
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
            let json = serde_json::to_string(&outcome).unwrap();
            assert_eq!(json, format!("\"{}\"", outcome.as_str()));
        }
        assert_eq!(Outcome::parse("nope"), None);
    }

    #[test]
    fn the_server_outcome_names_are_kept() {
        let names = [
            "no_answer",
            "busy",
            "answering_machine",
            "refusal",
            "not_in_service",
            "business",
            "fax",
            "language",
            "unable",
            "appointment",
            "completed",
            "screened_out",
            "quota_full",
            "broken_off",
            "interview_callback",
            "do_not_call",
        ];
        for name in names {
            assert!(Outcome::parse(name).is_some(), "{name}");
        }
    }
}
