//! Fieldwork rules and figures for telephone surveys, with no I/O: calling windows in local
//! time with French public holidays ([`CallingWindows`]), time slots and their rotation
//! ([`next_in_rotation`]), the calling rules of a wave ([`RulesConfig`], [`CallingRules`]) and
//! the decision they make when a call's outcome is recorded ([`decide`]), the AAPOR outcome
//! code frame ([`OutcomeFrame`]), a case's final disposition ([`final_disposition`]), AAPOR
//! outcome rates ([`outcome_rates`]) and interviewer productivity ([`productivity`]).
//!
//! The clock is always an argument (`now: jiff::Timestamp`); nothing here reads the system
//! time. Defaults and their sources are in `fieldwork/README.md`.

mod aapor;
mod appointment;
mod clock_time;
mod config_error;
mod decision;
mod disposition;
mod frame;
mod history;
mod holidays;
mod outcome;
mod priority;
mod productivity;
mod rates;
mod rules;
mod slots;
mod windows;

pub use aapor::{AaporCode, Eligibility, RateGroup};
pub use appointment::{Appointment, AppointmentRules, AppointmentStatus};
pub use clock_time::{ClockTime, TimeRange};
pub use config_error::{ConfigError, ConfigErrors, day_name};
pub use decision::{Callable, CaseState, Closure, ClosureReason, DecisionError, decide};
pub use disposition::{Disposition, DispositionBasis, final_disposition};
pub use frame::{OutcomeFrame, OutcomeSpec};
pub use history::{Attempt, CaseHistory};
pub use holidays::{PublicHoliday, easter_sunday, public_holiday_on, public_holidays};
pub use outcome::{Finality, Outcome};
pub use priority::{Priority, Tier};
pub use productivity::{
    CallRecord, Productivity, ProductivityError, productivity, productivity_by_day,
};
pub use rates::{
    DispositionCounts, EligibilityBasis, EligibilityEstimate, EligibilityRate, OutcomeRates,
    RatesError, outcome_rates,
};
pub use rules::{CallingRules, MAX_DELAY_MINUTES, RecallDelays, RulesConfig};
pub use slots::{Slot, SlotBoundaries, next_in_rotation, next_in_slot};
pub use windows::{CallingWindows, Opening, SEARCH_HORIZON_DAYS, WEEK, WeekHours, WindowsConfig};
