//! The server's clock: the system time, or a manual clock that moves only when told, so that
//! tests and simulations can play days of fieldwork (calling windows, recall delays,
//! appointments) in seconds. Every fieldwork decision reads the time from here, never from the
//! system directly.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A clock shared by the whole server.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// `None`: the system time; otherwise the current instant in epoch milliseconds.
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system time.
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock standing at `start_ms` (epoch ms) until moved.
    pub fn manual(start_ms: i64) -> Clock {
        Clock {
            manual: Some(Arc::new(AtomicI64::new(start_ms))),
        }
    }

    /// Whether this is a manual clock.
    pub fn is_manual(&self) -> bool {
        self.manual.is_some()
    }

    /// The current instant, epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        match &self.manual {
            Some(at) => at.load(Ordering::SeqCst),
            None => crate::store::now_ms(),
        }
    }

    /// The current instant.
    pub fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.now_ms()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }

    /// Moves a manual clock to `at_ms`, never backwards; false on the system clock or when
    /// `at_ms` is in its past.
    pub fn set(&self, at_ms: i64) -> bool {
        match &self.manual {
            Some(at) => at
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                    (at_ms >= now).then_some(at_ms)
                })
                .is_ok(),
            None => false,
        }
    }

    /// Moves a manual clock forward by `ms`; false on the system clock.
    pub fn advance(&self, ms: i64) -> bool {
        match &self.manual {
            Some(at) => {
                at.fetch_add(ms.max(0), Ordering::SeqCst);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_forward_and_only_when_told() {
        let clock = Clock::manual(1_000);
        let copy = clock.clone();
        assert_eq!(clock.now_ms(), 1_000);
        assert!(copy.advance(500));
        assert_eq!(clock.now_ms(), 1_500);
        assert!(!clock.set(1_200));
        assert!(clock.set(3_000));
        assert_eq!(copy.now_ms(), 3_000);
    }

    #[test]
    fn the_system_clock_cannot_be_moved() {
        let clock = Clock::system();
        assert!(!clock.set(0) && !clock.advance(1));
        assert!(clock.now_ms() > 1_700_000_000_000);
    }
}
