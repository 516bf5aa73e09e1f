//! The calling rules of a wave: windows, slots, attempt caps, recall delays per outcome,
//! refusal conversion and appointments, with French defaults from
//! `../shared/research/fr-telephony.md` §3.3, stored as JSON per wave.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::appointment::AppointmentRules;
use crate::config_error::{ConfigError, ConfigErrors};
use crate::slots::{Slot, SlotBoundaries};
use crate::windows::{CallingWindows, WindowsConfig};

/// The longest recall delay accepted: 366 days, in minutes.
pub const MAX_DELAY_MINUTES: u32 = 366 * 24 * 60;

/// How long after a call a case is called again, by outcome, in minutes. A recall always lands
/// in a calling window, so the actual wait is often longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecallDelays {
    /// Busy line: 15.
    pub busy_minutes: u32,
    /// No answer: 180, and in a slot not tried yet (queXS).
    pub no_answer_minutes: u32,
    /// Answering machine: 180, like no answer (queXS).
    pub answering_machine_minutes: u32,
    /// Soft refusal: 10,080 (7 days), then to a refusal converter (queXS).
    pub soft_refusal_minutes: u32,
    /// A respondent who did not pick up at the appointment: 15, then the ordinary delays.
    pub missed_appointment_minutes: u32,
    /// Any other outcome a survey made non-final (a language barrier…): 1,440 (a day).
    pub other_minutes: u32,
}

impl Default for RecallDelays {
    fn default() -> RecallDelays {
        RecallDelays {
            busy_minutes: 15,
            no_answer_minutes: 180,
            answering_machine_minutes: 180,
            soft_refusal_minutes: 7 * 24 * 60,
            missed_appointment_minutes: 15,
            other_minutes: 24 * 60,
        }
    }
}

impl RecallDelays {
    /// Each delay with its French name, for checks and pages.
    pub fn named(&self) -> [(&'static str, u32); 6] {
        [
            ("occupé", self.busy_minutes),
            ("pas de réponse", self.no_answer_minutes),
            ("répondeur", self.answering_machine_minutes),
            ("refus temporaire", self.soft_refusal_minutes),
            ("rendez-vous manqué", self.missed_appointment_minutes),
            ("autre issue", self.other_minutes),
        ]
    }
}

/// A wave's calling rules as a manager writes them; checked by [`RulesConfig::validate`].
/// Every field has its French default, so a stored configuration may leave any out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RulesConfig {
    /// When calls may happen.
    pub windows: WindowsConfig,
    /// Where the weekday slots start.
    pub slots: SlotBoundaries,
    /// Calls per case, after which it is final: 8.
    pub max_attempts: u32,
    /// Calls per case and local day: 2 (appointments the respondent asked for excepted).
    pub max_attempts_per_day: u32,
    /// Soft refusals a case may go through before a further one is final: 1 (one conversion
    /// attempt, by a refusal converter).
    pub refusal_conversions: u32,
    /// Recall delays by outcome.
    pub recall: RecallDelays,
    /// How appointments are kept.
    pub appointments: AppointmentRules,
    /// Completed interviews expected per 100 numbers used, which the dashboard's sample alert
    /// starts from before the wave's own figures; none: the previous wave's yield, else 7.
    pub expected_yield_percent: Option<u32>,
}

impl Default for RulesConfig {
    fn default() -> RulesConfig {
        RulesConfig {
            windows: WindowsConfig::default(),
            slots: SlotBoundaries::default(),
            max_attempts: 8,
            max_attempts_per_day: 2,
            refusal_conversions: 1,
            recall: RecallDelays::default(),
            appointments: AppointmentRules::default(),
            expected_yield_percent: None,
        }
    }
}

impl RulesConfig {
    /// The default rules with calls allowed at any hour of every day, public holidays
    /// included: for a demonstration, a training session or a test, never for real fieldwork.
    pub fn around_the_clock() -> RulesConfig {
        let day = vec![crate::clock_time::TimeRange::new(
            crate::clock_time::ClockTime::MIDNIGHT,
            crate::clock_time::ClockTime::END_OF_DAY,
        )];
        let mut config = RulesConfig::default();
        config.windows.hours = crate::windows::WeekHours {
            monday: day.clone(),
            tuesday: day.clone(),
            wednesday: day.clone(),
            thursday: day.clone(),
            friday: day.clone(),
            saturday: day.clone(),
            sunday: day,
        };
        config.windows.closed_on_public_holidays = false;
        config
    }

    /// Checks the rules and returns them ready to use, or every problem found.
    pub fn validate(&self) -> Result<CallingRules, ConfigErrors> {
        let mut errors = Vec::new();
        let windows = self.windows.check(&mut errors);
        self.slots.check(&mut errors);
        if self.max_attempts == 0 {
            errors.push(ConfigError::ZeroMaximum("par cas"));
        }
        if self.max_attempts_per_day == 0 {
            errors.push(ConfigError::ZeroMaximum("par jour"));
        }
        for (name, minutes) in self.recall.named() {
            if minutes > MAX_DELAY_MINUTES {
                errors.push(ConfigError::DelayTooLong {
                    name,
                    minutes,
                    max: MAX_DELAY_MINUTES,
                });
            }
        }
        if let Some(percent) = self.expected_yield_percent
            && !(1..=100).contains(&percent)
        {
            errors.push(ConfigError::YieldOutOfRange(percent));
        }
        let appointments = self.appointments;
        if appointments.hard_grace_minutes > appointments.missed_after_minutes {
            errors.push(ConfigError::GraceBeyondMissed {
                grace: appointments.hard_grace_minutes,
                missed: appointments.missed_after_minutes,
            });
        }
        match windows {
            Some(windows) if errors.is_empty() => Ok(CallingRules {
                config: RulesConfig {
                    windows: windows.config().clone(),
                    ..self.clone()
                },
                windows,
            }),
            _ => Err(ConfigErrors(errors)),
        }
    }
}

/// Checked calling rules, ready for [`decide`](crate::decide).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RulesConfig", into = "RulesConfig")]
pub struct CallingRules {
    config: RulesConfig,
    windows: CallingWindows,
}

impl CallingRules {
    /// The checked configuration.
    pub fn config(&self) -> &RulesConfig {
        &self.config
    }

    /// The calling windows.
    pub fn windows(&self) -> &CallingWindows {
        &self.windows
    }

    /// The slot a call at `at` counts in.
    pub fn slot_of(&self, at: Timestamp) -> Slot {
        self.config.slots.slot_of(at, self.windows.time_zone())
    }
}

impl TryFrom<RulesConfig> for CallingRules {
    type Error = ConfigErrors;

    fn try_from(config: RulesConfig) -> Result<CallingRules, ConfigErrors> {
        config.validate()
    }
}

impl From<CallingRules> for RulesConfig {
    fn from(rules: CallingRules) -> RulesConfig {
        rules.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expected_yield_is_a_percentage_of_1_to_100() {
        for (percent, valid) in [
            (Some(7), true),
            (Some(100), true),
            (None, true),
            (Some(0), false),
            (Some(101), false),
        ] {
            let config = RulesConfig {
                expected_yield_percent: percent,
                ..RulesConfig::default()
            };
            assert_eq!(config.validate().is_ok(), valid, "{percent:?}");
        }
    }

    #[test]
    fn french_defaults_are_valid() {
        let rules = RulesConfig::default().validate().expect("defaults");
        let config = rules.config();
        assert_eq!(config.max_attempts, 8);
        assert_eq!(config.max_attempts_per_day, 2);
        assert_eq!(config.recall.busy_minutes, 15);
        assert_eq!(config.recall.no_answer_minutes, 180);
        assert_eq!(config.recall.soft_refusal_minutes, 10_080);
        assert_eq!(config.windows.time_zone, "Europe/Paris");
    }

    #[test]
    fn around_the_clock_rules_are_open_at_any_hour_even_on_christmas_sunday() {
        let rules = RulesConfig::around_the_clock().validate().expect("valid");
        for at in [
            "2022-12-25T03:00:00Z",
            "2026-03-29T01:30:00Z", // the night clocks go forward
            "2026-07-14T22:59:00Z",
        ] {
            let at: Timestamp = at.parse().unwrap();
            assert!(rules.windows().is_open(at), "{at}");
        }
    }

    #[test]
    fn rules_stored_as_json_may_leave_defaults_out() {
        let rules: CallingRules =
            serde_json::from_str(r#"{"max_attempts": 12, "recall": {"busy_minutes": 10}}"#)
                .expect("partial rules");
        assert_eq!(rules.config().max_attempts, 12);
        assert_eq!(rules.config().recall.busy_minutes, 10);
        assert_eq!(rules.config().recall.no_answer_minutes, 180);
        let json = serde_json::to_string(&rules).unwrap();
        assert_eq!(serde_json::from_str::<CallingRules>(&json).unwrap(), rules);
    }

    #[test]
    fn invalid_rules_list_every_problem_in_french() {
        let mut config = RulesConfig {
            max_attempts: 0,
            max_attempts_per_day: 0,
            ..RulesConfig::default()
        };
        config.recall.other_minutes = MAX_DELAY_MINUTES + 1;
        config.appointments.hard_grace_minutes = 60;
        config.windows.time_zone = "Mars/Olympus".to_owned();
        let errors = config.validate().unwrap_err().to_string();
        for expected in [
            "fuseau horaire inconnu : « Mars/Olympus »",
            "le nombre maximal d'appels par cas doit être d'au moins 1",
            "le nombre maximal d'appels par jour doit être d'au moins 1",
            "le délai « autre issue » (527041 min) dépasse la limite de 527040 min (366 jours)",
            "un rendez-vous ferme ne peut rester réservé (60 min) plus longtemps qu'il ne faut pour le déclarer manqué (30 min)",
        ] {
            assert!(errors.contains(expected), "{errors}");
        }
    }

    #[test]
    fn reading_invalid_rules_fails_with_the_french_message() {
        let error = serde_json::from_str::<CallingRules>(r#"{"max_attempts": 0}"#).unwrap_err();
        assert!(error.to_string().contains("au moins 1"), "{error}");
    }
}
