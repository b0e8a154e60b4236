//! Where the domain reads the time: every TTL, expiry, lockout, retention and retry rule, and
//! every timestamp the domain writes, asks a `Clock`. Production runs on `SystemClock`; tests
//! run on a `ManualClock` and move it forward instead of sleeping, so a rule's both sides (just
//! before its boundary and just after) are checked exactly.
//!
//! This module depends on nothing but `std` and `chrono`.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// A source of the current time. Shared between threads (the request threads and the
/// background workers read the same clock).
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system's wall clock (`chrono::Utc::now`): the clock of a running server. It reads to
/// the microsecond, what every storage engine keeps (PostgreSQL's `timestamptz` has no finer
/// unit): a time written reads back the same, and the API answers the same time on a write as
/// on every later read.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// A clock that stands still until it is set or advanced, for tests. Clones share the same
/// time: keep one to move it while the code under test holds another (or the same behind an
/// `Arc<dyn Clock>`).
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock showing `start` until it is moved.
    pub fn new(start: DateTime<Utc>) -> ManualClock {
        ManualClock {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock (and every clone of it) by `by`; a negative duration moves it back.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }

    /// Sets the clock (and every clone of it) to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_its_clones_follow() {
        let start = DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = ManualClock::new(start);
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        assert_eq!(shared.now(), start);
        clock.advance(Duration::seconds(90));
        assert_eq!(shared.now(), start + Duration::seconds(90));
        clock.advance(Duration::seconds(-30));
        assert_eq!(shared.now(), start + Duration::seconds(60));
        clock.set(start);
        assert_eq!(shared.now(), start);
    }

    #[test]
    fn the_system_clock_follows_the_wall_clock_to_the_microsecond() {
        let before = Utc::now().trunc_subsecs(6);
        let now = SystemClock.now();
        assert!(before <= now && now <= Utc::now());
        assert_eq!(now.timestamp_subsec_nanos() % 1_000, 0, "{now:?}");
    }
}
