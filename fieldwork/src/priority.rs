//! The order in which ready cases are handed out, as one integer a database can index:
//! **lower is handed out first**.
//!
//! `value = tier × 100 + attempts` (attempts capped at 99), with the tiers, best first:
//!
//! | tier | cases |
//! |---|---|
//! | 0 | an appointment (hard or soft), from its time on |
//! | 1 | a missed appointment (the respondent did not pick up at the agreed time) |
//! | 2 | an interrupted interview (a partial interview waits to be finished) |
//! | 3 | a refusal conversion (a soft refusal, for refusal converters) |
//! | 4 | fresh sample, never called |
//! | 5 | other recalls (no answer, busy, answering machine…) |
//!
//! Within a tier, cases with fewer attempts come first. The claim orders by `value`, then by
//! ready time (oldest first). The server may put the lag of a commune's quotas between the
//! tier and the attempts (`ORDER BY value / 100, lag, value`), as issue 10 asks.

use serde::{Deserialize, Serialize};

/// A priority tier, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// An appointment, from its time on.
    Appointment,
    /// The respondent did not pick up at the agreed time.
    MissedAppointment,
    /// A partial interview waits to be finished.
    InterruptedInterview,
    /// A soft refusal to convert.
    RefusalConversion,
    /// Never called.
    FreshSample,
    /// Any other recall.
    Retry,
}

/// Where a ready case stands in the hand-out order: by tier, then by attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Priority {
    /// The tier.
    pub tier: Tier,
    /// Calls made on the case so far.
    pub attempts: u32,
}

impl Priority {
    /// The priority of a case never called.
    pub const FRESH: Priority = Priority {
        tier: Tier::FreshSample,
        attempts: 0,
    };

    /// The integer stored on the case: `tier × 100 + min(attempts, 99)`; lower first.
    pub fn value(self) -> i32 {
        let tier = match self.tier {
            Tier::Appointment => 0,
            Tier::MissedAppointment => 1,
            Tier::InterruptedInterview => 2,
            Tier::RefusalConversion => 3,
            Tier::FreshSample => 4,
            Tier::Retry => 5,
        };
        // At most 99 after `min`.
        tier * 100 + self.attempts.min(99) as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_appointments_come_before_everything() {
        let appointment = Priority {
            tier: Tier::Appointment,
            attempts: 7,
        };
        let fresh = Priority::FRESH;
        assert!(appointment.value() < fresh.value());
        assert!(appointment < fresh);
        assert_eq!(appointment.value(), 7);
        assert_eq!(fresh.value(), 400);
    }

    #[test]
    fn fewer_attempts_come_first_within_a_tier_and_never_cross_tiers() {
        let retry = |attempts| Priority {
            tier: Tier::Retry,
            attempts,
        };
        assert!(retry(1).value() < retry(2).value());
        assert_eq!(retry(500).value(), 599);
        let conversion = Priority {
            tier: Tier::RefusalConversion,
            attempts: 1_000,
        };
        assert!(conversion.value() < Priority::FRESH.value());
    }
}
