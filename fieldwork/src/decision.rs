//! What becomes of a case when a call's outcome is recorded: final with its disposition, or
//! callable again from a ready time, with a priority and the flags the hand-out routes on.
//!
//! In order:
//!
//! 1. a closed case stays closed, whatever is recorded;
//! 2. a final outcome closes the case;
//! 3. at the maximum number of calls the case is closed (2.30 / 3.90), even when the last call
//!    booked an appointment: the cap is never exceeded;
//! 4. a soft refusal beyond the allowed conversions closes the case;
//! 5. otherwise the case is ready again at:
//!    - an appointment's time (hard) or the first open instant of its period (soft), which
//!      must be inside the calling windows and before the field end (else the call is refused
//!      with an error the interviewer can act on);
//!    - after a respondent missed an appointment (no contact at the call made for it): the
//!      missed-appointment delay, flagged and raised in priority;
//!    - otherwise the outcome's delay, moved to the next local day once the day's calls are
//!      used up, in a slot not tried yet for no answer and answering machine
//!      ([`next_in_rotation`]), and always into a calling window;
//! 6. when no calling window opens before the field end, the case is closed (field closed).
//!
//! The ready time is therefore never outside a window, never after the field end, never
//! before an appointment's time and never before `now`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::appointment::Appointment;
use crate::clock_time::{ClockTime, minutes_after};
use crate::disposition::{Disposition, final_disposition};
use crate::frame::OutcomeFrame;
use crate::history::{Attempt, CaseHistory};
use crate::outcome::Outcome;
use crate::priority::{Priority, Tier};
use crate::rules::CallingRules;
use crate::slots::{Slot, next_in_rotation};

/// A case's state after a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CaseState {
    /// To be called again.
    Callable(Callable),
    /// Never called again.
    Final(Closure),
}

/// A case waiting for its next call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Callable {
    /// The earliest time it may be handed out, inside a calling window.
    pub ready_at: Timestamp,
    /// Its place in the hand-out order.
    pub priority: Priority,
    /// Only refusal converters may get it (it went through a soft refusal).
    pub needs_converter: bool,
    /// The appointment it is ready for, if any.
    pub appointment: Option<Appointment>,
    /// Until when only the interviewer who booked the (hard) appointment gets it, when logged
    /// in; anyone after.
    pub reserved_until: Option<Timestamp>,
    /// The respondent did not pick up at the last appointment, and nobody was reached since.
    pub missed_appointment: bool,
}

/// How a case was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    /// Why.
    pub reason: ClosureReason,
    /// Its final disposition.
    pub disposition: Disposition,
}

/// Why a case was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    /// A final outcome was recorded.
    FinalOutcome,
    /// The maximum number of calls was reached.
    MaxAttempts,
    /// A soft refusal came after the allowed refusal conversions.
    RefusalConfirmed,
    /// No calling window opens before the field end.
    FieldClosed,
}

impl ClosureReason {
    /// The French name, for the case page.
    pub fn label(self) -> &'static str {
        match self {
            ClosureReason::FinalOutcome => "Issue finale",
            ClosureReason::MaxAttempts => "Nombre maximal d'appels atteint",
            ClosureReason::RefusalConfirmed => "Refus maintenu après reconversion",
            ClosureReason::FieldClosed => "Fin du terrain",
        }
    }
}

/// Why a call could not be recorded as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// The call is dated after the present.
    #[error("l'appel est daté après l'instant présent")]
    CallInFuture,
    /// The call is dated before the case's previous call.
    #[error("l'appel est daté avant l'appel précédent du cas")]
    CallBeforePrevious,
    /// An outcome that books an appointment came without one.
    #[error("l'issue « {0} » demande la date du rendez-vous")]
    AppointmentMissing(Outcome),
    /// An appointment came with an outcome that books none.
    #[error("l'issue « {0} » ne prend pas de rendez-vous")]
    AppointmentNotExpected(Outcome),
    /// The appointment is not in the future.
    #[error("le rendez-vous doit être dans le futur")]
    AppointmentInPast,
    /// A soft appointment's period does not start before it ends.
    #[error("la période du rendez-vous doit commencer avant de finir")]
    EmptyPeriod,
    /// The appointment falls after the field end.
    #[error("le rendez-vous tombe après la fin du terrain ({0})")]
    AfterFieldEnd(String),
    /// A hard appointment outside the calling windows.
    #[error("le rendez-vous du {0} tombe hors des horaires d'appel")]
    OutsideWindows(String),
    /// A soft appointment whose period has no calling window.
    #[error("aucun horaire d'appel n'est ouvert pendant la période du rendez-vous")]
    NoOpeningInPeriod,
}

/// The case's state once `call` is added to `history`, decided at `now` (the clock is always
/// passed in). See the module documentation for the rules.
pub fn decide(
    rules: &CallingRules,
    frame: &OutcomeFrame,
    history: &CaseHistory,
    call: &Attempt,
    now: Timestamp,
) -> Result<CaseState, DecisionError> {
    if let Some(closure) = &history.closed {
        return Ok(CaseState::Final(closure.clone()));
    }
    if call.at > now {
        return Err(DecisionError::CallInFuture);
    }
    if history
        .attempts
        .last()
        .is_some_and(|last| last.at > call.at)
    {
        return Err(DecisionError::CallBeforePrevious);
    }
    let booked_for = appointment_time(rules, call, now)?;
    let mut attempts = history.attempts.clone();
    attempts.push(call.clone());
    let case = Case {
        rules,
        frame,
        attempts: &attempts,
    };

    let config = rules.config();
    let soft_refusals = case.count(|o| o == Outcome::SoftRefusal);
    let closing = if frame.spec(call.outcome).is_final {
        Some(ClosureReason::FinalOutcome)
    } else if attempts.len() as u64 >= u64::from(config.max_attempts) {
        Some(ClosureReason::MaxAttempts)
    } else if soft_refusals as u64 > u64::from(config.refusal_conversions) {
        Some(ClosureReason::RefusalConfirmed)
    } else {
        None
    };
    if let Some(reason) = closing {
        return Ok(CaseState::Final(case.closure(reason)));
    }
    let Some(ready_at) = booked_for.or_else(|| case.recall(call, now)) else {
        return Ok(CaseState::Final(case.closure(ClosureReason::FieldClosed)));
    };

    let missed_appointment = case.missed_appointment();
    let tier = case.tier(booked_for.is_some(), missed_appointment);
    // Checked above: present exactly when the outcome books one.
    let appointment = call.appointment;
    Ok(CaseState::Callable(Callable {
        ready_at,
        priority: Priority {
            tier,
            attempts: u32::try_from(attempts.len()).unwrap_or(u32::MAX),
        },
        needs_converter: soft_refusals > 0,
        appointment,
        reserved_until: appointment.and_then(|a| a.reserved_until(&config.appointments)),
        missed_appointment,
    }))
}

/// When the appointment `call` books is ready, checked against the windows; `None` when the
/// outcome books none.
fn appointment_time(
    rules: &CallingRules,
    call: &Attempt,
    now: Timestamp,
) -> Result<Option<Timestamp>, DecisionError> {
    let windows = rules.windows();
    let local = |at: Timestamp| {
        at.to_zoned(windows.time_zone().clone())
            .strftime("%d/%m/%Y à %H:%M")
            .to_string()
    };
    let after_field_end = |at: Timestamp| {
        windows
            .field_end()
            .filter(|end| windows.local_date(at) > *end)
            .map(|end| DecisionError::AfterFieldEnd(end.strftime("%d/%m/%Y").to_string()))
    };
    let appointment = match (call.outcome.books_appointment(), call.appointment) {
        (false, None) => return Ok(None),
        (false, Some(_)) => return Err(DecisionError::AppointmentNotExpected(call.outcome)),
        (true, None) => return Err(DecisionError::AppointmentMissing(call.outcome)),
        (true, Some(appointment)) => appointment,
    };
    match appointment {
        Appointment::Hard { at } => {
            if at <= now {
                return Err(DecisionError::AppointmentInPast);
            }
            if let Some(error) = after_field_end(at) {
                return Err(error);
            }
            if !windows.is_open(at) {
                return Err(DecisionError::OutsideWindows(local(at)));
            }
            Ok(Some(at))
        }
        Appointment::Soft { from, until } => {
            if from >= until {
                return Err(DecisionError::EmptyPeriod);
            }
            if until <= now {
                return Err(DecisionError::AppointmentInPast);
            }
            let start = from.max(now);
            if let Some(error) = after_field_end(start) {
                return Err(error);
            }
            windows
                .next_open(start)
                .filter(|at| *at < until)
                .map(Some)
                .ok_or(DecisionError::NoOpeningInPeriod)
        }
    }
}

/// A case's calls, the new one last, with the rules and frame that read them.
struct Case<'a> {
    rules: &'a CallingRules,
    frame: &'a OutcomeFrame,
    attempts: &'a [Attempt],
}

impl Case<'_> {
    /// How many calls had an outcome matching `wanted`.
    fn count(&self, wanted: impl Fn(Outcome) -> bool) -> usize {
        self.attempts.iter().filter(|a| wanted(a.outcome)).count()
    }

    /// Whether a person was reached by `attempt`.
    fn reached(&self, attempt: &Attempt) -> bool {
        self.frame.spec(attempt.outcome).contact
    }

    /// The closure for `reason`, with the disposition of the calls.
    fn closure(&self, reason: ClosureReason) -> Closure {
        let outcomes: Vec<Outcome> = self.attempts.iter().map(|a| a.outcome).collect();
        Closure {
            reason,
            disposition: final_disposition(self.frame, &outcomes, self.rules.config().max_attempts),
        }
    }

    /// The priority tier of the case, callable again: its appointment, a missed appointment,
    /// a partial interview, a soft refusal, in that order; else an ordinary recall.
    fn tier(&self, booked: bool, missed_appointment: bool) -> Tier {
        if booked {
            Tier::Appointment
        } else if missed_appointment {
            Tier::MissedAppointment
        } else if self.count(|o| o == Outcome::InterviewCallback) > 0 {
            Tier::InterruptedInterview
        } else if self.count(|o| o == Outcome::SoftRefusal) > 0 {
            Tier::RefusalConversion
        } else {
            Tier::Retry
        }
    }

    /// Whether the last appointment booked was followed by calls that reached nobody.
    fn missed_appointment(&self) -> bool {
        let Some(booking) = self
            .attempts
            .iter()
            .rposition(|a| a.outcome.books_appointment())
        else {
            return false;
        };
        let since = &self.attempts[booking + 1..];
        !since.is_empty() && since.iter().all(|a| !self.reached(a))
    }

    /// When a case without a new appointment is ready again; `None` when no window opens
    /// before the field end.
    fn recall(&self, call: &Attempt, now: Timestamp) -> Option<Timestamp> {
        let config = self.rules.config();
        let windows = self.rules.windows();
        let delays = &config.recall;
        let previous = self.attempts.iter().rev().nth(1);
        let at_appointment = previous.is_some_and(|a| a.outcome.books_appointment());
        if at_appointment && !self.reached(call) {
            // The respondent asked for this time: one quick retry, even past the day's cap.
            return windows.next_open(minutes_after(now, delays.missed_appointment_minutes));
        }
        let (minutes, rotate) = match call.outcome {
            Outcome::Busy => (delays.busy_minutes, false),
            Outcome::NoAnswer => (delays.no_answer_minutes, true),
            Outcome::AnsweringMachine => (delays.answering_machine_minutes, true),
            Outcome::SoftRefusal => (delays.soft_refusal_minutes, false),
            _ => (delays.other_minutes, false),
        };
        let mut from = minutes_after(now, minutes);
        let today = windows.local_date(now);
        let calls_today = self
            .attempts
            .iter()
            .filter(|a| windows.local_date(a.at) == today)
            .count();
        if calls_today as u64 >= u64::from(config.max_attempts_per_day) {
            let tomorrow = ClockTime::MIDNIGHT.on(today.tomorrow().ok()?, windows.time_zone())?;
            from = from.max(tomorrow);
        }
        if rotate {
            let tried: Vec<Slot> = self
                .attempts
                .iter()
                .map(|a| self.rules.slot_of(a.at))
                .collect();
            next_in_rotation(windows, &config.slots, &tried, from)
        } else {
            windows.next_open(from)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aapor::AaporCode;
    use crate::rules::RulesConfig;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("RFC 3339 instant")
    }

    fn rules() -> CallingRules {
        RulesConfig::default().validate().unwrap()
    }

    fn call(at: &str, outcome: Outcome) -> Attempt {
        Attempt {
            at: ts(at),
            outcome,
            appointment: None,
        }
    }

    fn history(calls: &[Attempt]) -> CaseHistory {
        CaseHistory {
            attempts: calls.to_vec(),
            closed: None,
        }
    }

    fn decide_at(history: &CaseHistory, call: &Attempt) -> Result<CaseState, DecisionError> {
        decide(&rules(), &OutcomeFrame::default(), history, call, call.at)
    }

    fn callable(state: CaseState) -> Callable {
        match state {
            CaseState::Callable(callable) => callable,
            CaseState::Final(closure) => panic!("closed: {closure:?}"),
        }
    }

    fn closure(state: CaseState) -> Closure {
        match state {
            CaseState::Final(closure) => closure,
            CaseState::Callable(callable) => panic!("callable: {callable:?}"),
        }
    }

    // Thursday 15 January 2026 is in winter time: local = UTC + 1.

    #[test]
    fn busy_line_is_recalled_after_fifteen_minutes() {
        let next = callable(
            decide_at(&history(&[]), &call("2026-01-15T09:00:00Z", Outcome::Busy)).unwrap(),
        );
        assert_eq!(next.ready_at, ts("2026-01-15T09:15:00Z"));
        assert_eq!(
            next.priority,
            Priority {
                tier: Tier::Retry,
                attempts: 1
            }
        );
    }

    #[test]
    fn no_answer_is_recalled_three_hours_later_in_another_slot() {
        // 10:00 local, morning: 13:00 local is the afternoon, a slot not tried yet.
        let next = callable(
            decide_at(
                &history(&[]),
                &call("2026-01-15T09:00:00Z", Outcome::NoAnswer),
            )
            .unwrap(),
        );
        assert_eq!(next.ready_at, ts("2026-01-15T12:00:00Z"));
        // 09:10 local, morning: three hours later is 12:10 local, the afternoon.
        let next = callable(
            decide_at(
                &history(&[]),
                &call("2026-01-15T08:10:00Z", Outcome::AnsweringMachine),
            )
            .unwrap(),
        );
        assert_eq!(next.ready_at, ts("2026-01-15T11:10:00Z"));
    }

    #[test]
    fn no_answer_in_the_morning_skips_a_late_morning_recall() {
        // With Thursday opening at 08:00: a no answer at 08:00 local, three hours later, is
        // 11:00, still the morning already tried; the recall waits for the afternoon, 12:00.
        let mut config = RulesConfig::default();
        config.windows.hours.thursday[0].start = ClockTime::hm(8, 0);
        let rules = config.validate().unwrap();
        let first = call("2026-01-15T07:00:00Z", Outcome::NoAnswer);
        let next = callable(
            decide(
                &rules,
                &OutcomeFrame::default(),
                &history(&[]),
                &first,
                first.at,
            )
            .unwrap(),
        );
        assert_eq!(next.ready_at, ts("2026-01-15T11:00:00Z"));
    }

    #[test]
    fn second_call_of_the_day_moves_the_recall_to_another_day() {
        let first = call("2026-01-15T08:30:00Z", Outcome::Busy);
        let second = call("2026-01-15T08:45:00Z", Outcome::Busy);
        let next = callable(decide_at(&history(&[first]), &second).unwrap());
        // Friday 09:00 local.
        assert_eq!(next.ready_at, ts("2026-01-16T08:00:00Z"));
    }

    #[test]
    fn soft_refusal_waits_a_week_for_a_refusal_converter() {
        let refusal = call("2026-01-15T17:00:00Z", Outcome::SoftRefusal);
        let next = callable(decide_at(&history(&[]), &refusal).unwrap());
        assert_eq!(next.ready_at, ts("2026-01-22T17:00:00Z"));
        assert!(next.needs_converter);
        assert_eq!(next.priority.tier, Tier::RefusalConversion);
    }

    #[test]
    fn a_second_soft_refusal_after_conversion_is_final() {
        let first = call("2026-01-15T17:00:00Z", Outcome::SoftRefusal);
        let second = call("2026-01-22T17:00:00Z", Outcome::SoftRefusal);
        let closure = closure(decide_at(&history(&[first]), &second).unwrap());
        assert_eq!(closure.reason, ClosureReason::RefusalConfirmed);
        assert_eq!(closure.disposition.code.as_str(), "2.111");
    }

    #[test]
    fn hard_refusal_is_final() {
        let closure = closure(
            decide_at(
                &history(&[]),
                &call("2026-01-15T17:00:00Z", Outcome::Refusal),
            )
            .unwrap(),
        );
        assert_eq!(closure.reason, ClosureReason::FinalOutcome);
        assert_eq!(closure.disposition.code, AaporCode::new("2.111").unwrap());
    }

    #[test]
    fn case_is_final_at_the_maximum_number_of_calls() {
        let days = ["12", "13", "14", "15", "16", "19", "20"];
        let calls: Vec<Attempt> = days
            .iter()
            .map(|d| call(&format!("2026-01-{d}T09:00:00Z"), Outcome::NoAnswer))
            .collect();
        let eighth = call("2026-01-21T09:00:00Z", Outcome::NoAnswer);
        let closure = closure(decide_at(&history(&calls), &eighth).unwrap());
        assert_eq!(closure.reason, ClosureReason::MaxAttempts);
        assert_eq!(closure.disposition.code.as_str(), "3.90");
    }

    #[test]
    fn hard_appointment_is_ready_at_its_time_reserved_to_its_interviewer() {
        let at = ts("2026-01-16T17:30:00Z");
        let booking = Attempt {
            appointment: Some(Appointment::Hard { at }),
            ..call("2026-01-15T17:00:00Z", Outcome::Appointment)
        };
        let next = callable(decide_at(&history(&[]), &booking).unwrap());
        assert_eq!(next.ready_at, at);
        assert_eq!(next.priority.tier, Tier::Appointment);
        assert_eq!(next.reserved_until, Some(ts("2026-01-16T17:35:00Z")));
        assert_eq!(next.appointment, Some(Appointment::Hard { at }));
    }

    #[test]
    fn appointments_ignore_the_daily_cap() {
        let first = call("2026-01-15T08:30:00Z", Outcome::NoAnswer);
        let at = ts("2026-01-15T18:00:00Z");
        let booking = Attempt {
            appointment: Some(Appointment::Hard { at }),
            ..call("2026-01-15T12:00:00Z", Outcome::Appointment)
        };
        assert_eq!(
            callable(decide_at(&history(&[first]), &booking).unwrap()).ready_at,
            at
        );
    }

    #[test]
    fn hard_appointment_outside_the_windows_is_refused() {
        let booking = Attempt {
            appointment: Some(Appointment::Hard {
                at: ts("2026-01-15T20:00:00Z"),
            }),
            ..call("2026-01-15T17:00:00Z", Outcome::Appointment)
        };
        let error = decide_at(&history(&[]), &booking).unwrap_err();
        assert_eq!(
            error.to_string(),
            "le rendez-vous du 15/01/2026 à 21:00 tombe hors des horaires d'appel"
        );
    }

    #[test]
    fn appointment_after_the_field_end_is_refused() {
        let mut config = RulesConfig::default();
        config.windows.field_end = Some(jiff::civil::date(2026, 1, 16));
        let rules = config.validate().unwrap();
        let booking = Attempt {
            appointment: Some(Appointment::Hard {
                at: ts("2026-01-19T10:00:00Z"),
            }),
            ..call("2026-01-15T17:00:00Z", Outcome::Appointment)
        };
        let error = decide(
            &rules,
            &OutcomeFrame::default(),
            &history(&[]),
            &booking,
            booking.at,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "le rendez-vous tombe après la fin du terrain (16/01/2026)"
        );
    }

    #[test]
    fn soft_appointment_is_ready_at_the_first_opening_of_its_period() {
        // Saturday 17 January from 07:00 local (closed until 10:00) to 12:00 local.
        let booking = Attempt {
            appointment: Some(Appointment::Soft {
                from: ts("2026-01-17T06:00:00Z"),
                until: ts("2026-01-17T11:00:00Z"),
            }),
            ..call("2026-01-15T17:00:00Z", Outcome::Appointment)
        };
        let next = callable(decide_at(&history(&[]), &booking).unwrap());
        assert_eq!(next.ready_at, ts("2026-01-17T09:00:00Z"));
        assert_eq!(next.reserved_until, None);
        // A Sunday period has no opening.
        let sunday = Attempt {
            appointment: Some(Appointment::Soft {
                from: ts("2026-01-18T08:00:00Z"),
                until: ts("2026-01-18T16:00:00Z"),
            }),
            ..booking
        };
        assert_eq!(
            decide_at(&history(&[]), &sunday),
            Err(DecisionError::NoOpeningInPeriod)
        );
    }

    #[test]
    fn appointment_outcomes_need_an_appointment_and_others_refuse_one() {
        let missing = call("2026-01-15T17:00:00Z", Outcome::InterviewCallback);
        assert_eq!(
            decide_at(&history(&[]), &missing).unwrap_err().to_string(),
            "l'issue « interview_callback » demande la date du rendez-vous"
        );
        let unexpected = Attempt {
            appointment: Some(Appointment::Hard {
                at: ts("2026-01-16T10:00:00Z"),
            }),
            ..call("2026-01-15T17:00:00Z", Outcome::Busy)
        };
        assert_eq!(
            decide_at(&history(&[]), &unexpected),
            Err(DecisionError::AppointmentNotExpected(Outcome::Busy))
        );
    }

    #[test]
    fn missed_appointment_is_retried_soon_and_raised_in_priority() {
        let booking = Attempt {
            appointment: Some(Appointment::Hard {
                at: ts("2026-01-16T17:30:00Z"),
            }),
            ..call("2026-01-15T17:00:00Z", Outcome::Appointment)
        };
        let first = call("2026-01-15T08:30:00Z", Outcome::NoAnswer);
        let at_appointment = call("2026-01-16T17:31:00Z", Outcome::NoAnswer);
        let next = callable(decide_at(&history(&[first, booking]), &at_appointment).unwrap());
        assert!(next.missed_appointment);
        assert_eq!(next.priority.tier, Tier::MissedAppointment);
        assert_eq!(next.ready_at, ts("2026-01-16T17:46:00Z"));
        assert_eq!(next.appointment, None);
    }

    #[test]
    fn reaching_the_respondent_clears_a_missed_appointment() {
        let booking = Attempt {
            appointment: Some(Appointment::Hard {
                at: ts("2026-01-16T17:30:00Z"),
            }),
            ..call("2026-01-15T17:00:00Z", Outcome::Appointment)
        };
        let missed = call("2026-01-16T17:31:00Z", Outcome::NoAnswer);
        let reached = call("2026-01-16T17:50:00Z", Outcome::SoftRefusal);
        let next = callable(decide_at(&history(&[booking, missed]), &reached).unwrap());
        assert!(!next.missed_appointment);
        assert_eq!(next.priority.tier, Tier::RefusalConversion);
    }

    #[test]
    fn interrupted_interview_comes_before_refusal_conversion_and_fresh_sample() {
        let callback = Attempt {
            appointment: Some(Appointment::Hard {
                at: ts("2026-01-16T17:30:00Z"),
            }),
            ..call("2026-01-15T17:00:00Z", Outcome::InterviewCallback)
        };
        let not_now = call("2026-01-16T17:30:00Z", Outcome::SoftRefusal);
        let next = callable(decide_at(&history(&[callback]), &not_now).unwrap());
        assert_eq!(next.priority.tier, Tier::InterruptedInterview);
        assert!(next.needs_converter);
        assert!(next.priority.value() < Priority::FRESH.value());
    }

    #[test]
    fn recall_past_the_field_end_closes_the_case() {
        let mut config = RulesConfig::default();
        config.windows.field_end = Some(jiff::civil::date(2026, 1, 15));
        let rules = config.validate().unwrap();
        // 19:00 local on the last day: three hours later is after the window.
        let last = call("2026-01-15T18:00:00Z", Outcome::AnsweringMachine);
        let state = decide(
            &rules,
            &OutcomeFrame::default(),
            &history(&[]),
            &last,
            last.at,
        )
        .unwrap();
        let closure = closure(state);
        assert_eq!(closure.reason, ClosureReason::FieldClosed);
        assert_eq!(closure.disposition.code.as_str(), "3.14");
    }

    #[test]
    fn closed_case_stays_closed() {
        let closed = closure(
            decide_at(
                &history(&[]),
                &call("2026-01-15T17:00:00Z", Outcome::Completed),
            )
            .unwrap(),
        );
        let case = CaseHistory {
            attempts: vec![call("2026-01-15T17:00:00Z", Outcome::Completed)],
            closed: Some(closed.clone()),
        };
        let again = decide_at(&case, &call("2026-01-16T17:00:00Z", Outcome::NoAnswer)).unwrap();
        assert_eq!(again, CaseState::Final(closed));
    }

    #[test]
    fn calls_out_of_order_are_refused() {
        let first = call("2026-01-15T17:00:00Z", Outcome::Busy);
        let earlier = call("2026-01-15T16:00:00Z", Outcome::Busy);
        assert_eq!(
            decide_at(&history(&[first]), &earlier),
            Err(DecisionError::CallBeforePrevious)
        );
        let future = call("2026-01-15T17:00:00Z", Outcome::Busy);
        assert_eq!(
            decide(
                &rules(),
                &OutcomeFrame::default(),
                &history(&[]),
                &future,
                ts("2026-01-15T16:00:00Z")
            ),
            Err(DecisionError::CallInFuture)
        );
    }
}
