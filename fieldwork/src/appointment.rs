//! Appointments a respondent gives: hard (an exact time, kept by the interviewer who booked it
//! for a grace period, then by anyone) or soft (any time within a period), and when one is due
//! or missed.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::clock_time::minutes_after;

/// An appointment booked with a respondent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Appointment {
    /// Call at this exact time.
    Hard {
        /// The agreed time.
        at: Timestamp,
    },
    /// Call at any time within this period (« plutôt jeudi après-midi »).
    Soft {
        /// Start of the period.
        from: Timestamp,
        /// End of the period, excluded.
        until: Timestamp,
    },
}

/// Where an appointment stands at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    /// Its time has not come.
    Upcoming,
    /// It should be called now.
    Due,
    /// Its time passed without a call: supervisors must see it.
    Missed,
}

impl AppointmentStatus {
    /// The French name, for the supervisors' list of appointments.
    pub fn label(self) -> &'static str {
        match self {
            AppointmentStatus::Upcoming => "À venir",
            AppointmentStatus::Due => "À honorer",
            AppointmentStatus::Missed => "Manqué",
        }
    }
}

/// How appointments are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppointmentRules {
    /// Minutes after a hard appointment's time during which only the interviewer who booked
    /// it gets the case, when logged in; default 5 (the ±5 minutes of
    /// `fr-telephony.md` §3.3).
    pub hard_grace_minutes: u32,
    /// Minutes after a hard appointment's time after which, if nobody called, it is missed;
    /// default 30.
    pub missed_after_minutes: u32,
}

impl Default for AppointmentRules {
    fn default() -> AppointmentRules {
        AppointmentRules {
            hard_grace_minutes: 5,
            missed_after_minutes: 30,
        }
    }
}

impl Appointment {
    /// The earliest time the respondent may be called.
    pub fn earliest(&self) -> Timestamp {
        match *self {
            Appointment::Hard { at } => at,
            Appointment::Soft { from, .. } => from,
        }
    }

    /// The French name of its kind.
    pub fn kind_label(&self) -> &'static str {
        match self {
            Appointment::Hard { .. } => "Rendez-vous ferme",
            Appointment::Soft { .. } => "Rendez-vous souple",
        }
    }

    /// Until when a hard appointment stays with the interviewer who booked it; `None` for a
    /// soft one, which anyone may keep.
    pub fn reserved_until(&self, rules: &AppointmentRules) -> Option<Timestamp> {
        match *self {
            Appointment::Hard { at } => Some(minutes_after(at, rules.hard_grace_minutes)),
            Appointment::Soft { .. } => None,
        }
    }

    /// Where the appointment stands at `now`, when nobody has called yet: due from its time
    /// until the missed threshold (hard) or the end of its period (soft), then missed.
    pub fn status(&self, now: Timestamp, rules: &AppointmentRules) -> AppointmentStatus {
        let (start, missed_from) = match *self {
            Appointment::Hard { at } => (at, minutes_after(at, rules.missed_after_minutes)),
            Appointment::Soft { from, until } => (from, until),
        };
        if now < start {
            AppointmentStatus::Upcoming
        } else if now < missed_from {
            AppointmentStatus::Due
        } else {
            AppointmentStatus::Missed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("RFC 3339 instant")
    }

    #[test]
    fn hard_appointment_is_missed_after_the_threshold() {
        let rules = AppointmentRules::default();
        let appointment = Appointment::Hard {
            at: ts("2026-03-10T17:00:00Z"),
        };
        let status = |now| appointment.status(ts(now), &rules);
        assert_eq!(status("2026-03-10T16:59:59Z"), AppointmentStatus::Upcoming);
        assert_eq!(status("2026-03-10T17:00:00Z"), AppointmentStatus::Due);
        assert_eq!(status("2026-03-10T17:29:59Z"), AppointmentStatus::Due);
        assert_eq!(status("2026-03-10T17:30:00Z"), AppointmentStatus::Missed);
        assert_eq!(
            appointment.reserved_until(&rules),
            Some(ts("2026-03-10T17:05:00Z"))
        );
    }

    #[test]
    fn soft_appointment_is_due_during_its_period() {
        let rules = AppointmentRules::default();
        let appointment = Appointment::Soft {
            from: ts("2026-03-12T12:00:00Z"),
            until: ts("2026-03-12T17:00:00Z"),
        };
        assert_eq!(
            appointment.status(ts("2026-03-12T16:00:00Z"), &rules),
            AppointmentStatus::Due
        );
        assert_eq!(
            appointment.status(ts("2026-03-12T17:00:00Z"), &rules),
            AppointmentStatus::Missed
        );
        assert_eq!(appointment.reserved_until(&rules), None);
        assert_eq!(appointment.earliest(), ts("2026-03-12T12:00:00Z"));
    }

    #[test]
    fn appointments_serialize_with_their_kind() {
        let json = serde_json::to_string(&Appointment::Hard {
            at: ts("2026-03-10T17:00:00Z"),
        })
        .unwrap();
        assert_eq!(json, r#"{"kind":"hard","at":"2026-03-10T17:00:00Z"}"#);
    }
}
