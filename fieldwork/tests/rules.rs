//! The calling rules on a controllable clock: random rules (weekly hours, caps, conversions,
//! field end) and random sequences of calls starting anywhere in 2026–2028 in Europe/Paris,
//! each call made some time after the case became ready. Whatever happens: a case is never
//! ready outside a calling window, before the present, after the field end or before its
//! appointment; it is never called more than the maximum and is final at the cap; once final
//! it stays final; and no slot is tried twice before every slot was tried once.

mod common;

use common::{instant, week_hours};
use fieldwork::{
    Appointment, Attempt, CallingRules, CaseHistory, CaseState, Closure, Outcome, OutcomeFrame,
    RulesConfig, Slot, decide,
};
use jiff::{SignedDuration, Timestamp, ToSpan};
use proptest::prelude::*;

/// What an interviewer records at one call.
#[derive(Debug, Clone)]
struct Step {
    outcome: Outcome,
    /// Minutes between the case becoming ready and the dial (time in the queue).
    late: i64,
    /// Minutes the call lasted.
    length: i64,
    /// For an appointment: hard (else soft), how many minutes ahead, how long a soft period.
    hard: bool,
    ahead: i64,
    period: i64,
}

fn step() -> impl Strategy<Value = Step> {
    let outcome = prop_oneof![
        8 => prop::sample::select(vec![
            Outcome::NoAnswer,
            Outcome::Busy,
            Outcome::AnsweringMachine,
            Outcome::Appointment,
            Outcome::SoftRefusal,
            Outcome::InterviewCallback,
        ]),
        1 => prop::sample::select(Outcome::ALL.to_vec()),
    ];
    (
        outcome,
        0i64..600,
        1i64..40,
        any::<bool>(),
        1i64..20_000,
        30i64..3_000,
    )
        .prop_map(|(outcome, late, length, hard, ahead, period)| Step {
            outcome,
            late,
            length,
            hard,
            ahead,
            period,
        })
}

#[derive(Debug, Clone)]
struct Scenario {
    config: RulesConfig,
    start: Timestamp,
    steps: Vec<Step>,
}

fn scenario(steps: impl Strategy<Value = Step>) -> impl Strategy<Value = Scenario> {
    (
        week_hours(0),
        instant(),
        1u32..=12,
        1u32..=3,
        0u32..=2,
        prop::option::of(0i64..=90),
        prop::collection::vec(steps, 1..25),
    )
        .prop_map(
            |(hours, start, max_attempts, per_day, conversions, end_after, steps)| {
                let mut config = RulesConfig {
                    max_attempts,
                    max_attempts_per_day: per_day,
                    refusal_conversions: conversions,
                    ..RulesConfig::default()
                };
                config.windows.hours = hours;
                config.windows.field_end = end_after.map(|days| {
                    let paris = jiff::tz::TimeZone::get("Europe/Paris").expect("bundled");
                    let first = start.to_zoned(paris).date();
                    first.checked_add(days.days()).expect("in range")
                });
                Scenario {
                    config,
                    start,
                    steps,
                }
            },
        )
}

/// One recorded call and what it led to.
#[derive(Debug)]
struct Record {
    call: Attempt,
    now: Timestamp,
    state: CaseState,
}

fn minutes(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

/// The appointment an interviewer would book at `now` for `step`: a hard one at the first
/// opening `ahead` minutes on, or a soft period starting then.
fn appointment(rules: &CallingRules, step: &Step, now: Timestamp) -> Option<Appointment> {
    let from = now + minutes(step.ahead);
    if step.hard {
        let at = rules.windows().next_open(from)?;
        Some(Appointment::Hard { at })
    } else {
        Some(Appointment::Soft {
            from,
            until: from + minutes(step.period),
        })
    }
}

/// Plays a scenario: each call is made `late` minutes after the case is ready and its outcome
/// recorded `length` minutes later. An appointment the rules refuse (outside the windows,
/// after the field end) is not recorded, as an interviewer would pick another time.
fn play(scenario: &Scenario) -> (CallingRules, Vec<Record>) {
    let rules = scenario.config.validate().expect("random rules are valid");
    let frame = OutcomeFrame::default();
    let mut history = CaseHistory::default();
    let mut records = Vec::new();
    let Some(mut ready) = rules.windows().next_open(scenario.start) else {
        return (rules, records);
    };
    for step in &scenario.steps {
        let at = ready + minutes(step.late);
        let now = at + minutes(step.length);
        let booked = if step.outcome.books_appointment() {
            appointment(&rules, step, now)
        } else {
            None
        };
        let call = Attempt {
            at,
            outcome: step.outcome,
            appointment: booked,
        };
        let state = match decide(&rules, &frame, &history, &call, now) {
            Ok(state) => state,
            Err(_) if step.outcome.books_appointment() => continue,
            Err(error) => panic!("{error} for {call:?}"),
        };
        history.attempts.push(call.clone());
        match &state {
            CaseState::Callable(callable) => ready = callable.ready_at,
            CaseState::Final(closure) => history.closed = Some(closure.clone()),
        }
        records.push(Record { call, now, state });
    }
    (rules, records)
}

/// The records up to and including the one that closed the case.
fn until_closed(records: &[Record]) -> &[Record] {
    let end = records
        .iter()
        .position(|r| matches!(r.state, CaseState::Final(_)))
        .map_or(records.len(), |i| i + 1);
    &records[..end]
}

proptest! {
    #[test]
    fn ready_time_is_inside_a_calling_window_and_not_before_now(s in scenario(step())) {
        let (rules, records) = play(&s);
        for record in &records {
            if let CaseState::Callable(callable) = &record.state {
                prop_assert!(rules.windows().is_open(callable.ready_at), "{:?}", record);
                prop_assert!(callable.ready_at >= record.now, "{:?}", record);
            }
        }
    }

    #[test]
    fn ready_time_is_never_after_the_field_end(s in scenario(step())) {
        let (rules, records) = play(&s);
        let Some(end) = rules.windows().field_end() else { return Ok(()) };
        for record in &records {
            if let CaseState::Callable(callable) = &record.state {
                prop_assert!(rules.windows().local_date(callable.ready_at) <= end);
            }
        }
    }

    #[test]
    fn ready_time_is_never_before_the_appointment(s in scenario(step())) {
        let (_, records) = play(&s);
        for record in until_closed(&records) {
            let (CaseState::Callable(callable), Some(appointment)) =
                (&record.state, record.call.appointment)
            else {
                continue;
            };
            prop_assert!(callable.ready_at >= appointment.earliest(), "{:?}", record);
            if let Appointment::Hard { at } = appointment {
                prop_assert_eq!(callable.ready_at, at);
            }
            if let Appointment::Soft { until, .. } = appointment {
                prop_assert!(callable.ready_at < until);
            }
        }
    }

    #[test]
    fn calls_never_exceed_the_maximum_and_the_case_is_final_at_the_cap(
        s in scenario(step()),
    ) {
        let (rules, records) = play(&s);
        let max = rules.config().max_attempts as usize;
        let made = until_closed(&records);
        prop_assert!(made.len() <= max);
        for (i, record) in made.iter().enumerate() {
            if i + 1 == max {
                prop_assert!(matches!(record.state, CaseState::Final(_)), "{:?}", record);
            }
        }
    }

    #[test]
    fn final_case_stays_final(s in scenario(step())) {
        let (_, records) = play(&s);
        let mut closed: Option<&Closure> = None;
        for record in &records {
            match (&record.state, closed) {
                (CaseState::Final(closure), None) => closed = Some(closure),
                (state, Some(first)) => {
                    prop_assert_eq!(state, &CaseState::Final(first.clone()));
                }
                (CaseState::Callable(_), None) => {}
            }
        }
    }

    #[test]
    fn no_slot_is_tried_twice_before_every_slot_was_tried_once(
        s in scenario(Just(Step {
            outcome: Outcome::NoAnswer,
            late: 0,
            length: 2,
            hard: false,
            ahead: 0,
            period: 0,
        })),
    ) {
        let mut s = s;
        s.config.windows.field_end = None;
        s.config.max_attempts = 12;
        let (rules, records) = play(&s);
        let offered = rules.config().slots.offered(rules.windows());
        let mut tried: Vec<Slot> = Vec::new();
        for record in until_closed(&records) {
            let slot = rules.slot_of(record.call.at);
            let times = |wanted: Slot| tried.iter().filter(|s| **s == wanted).count();
            let least = offered.iter().map(|s| times(*s)).min().unwrap_or(0);
            prop_assert_eq!(times(slot), least, "{:?} after {:?}", slot, tried);
            tried.push(slot);
        }
    }
}
