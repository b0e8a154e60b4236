//! Brute-force lockout of portal sign-in. Failed sign-ins are counted per email, known or not
//! (so that locking says nothing about which emails have accounts); `maxFailedSignIns` in a row
//! lock the email for `lockoutSeconds`. A failure is remembered `FAILURE_MEMORY_SECS`: past
//! that the count starts again, and the record is deleted by later failures (an index by time
//! of last failure finds the oldest), so guessing at random emails cannot grow the table without
//! bound.

use chrono::{DateTime, Duration, Utc};

use super::{PortalSettings, MAX_LOCKOUT_SECS};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::retention::SHED_PER_NEW_RECORD;
use portico_core::storage::prelude::*;

/// How long a failed sign-in counts after it: as long as the longest lock, so that a record
/// past it never holds a lock.
pub const FAILURE_MEMORY_SECS: u64 = MAX_LOCKOUT_SECS;

/// The refusal of a sign-in, at `now`, of an email locked until `until`.
fn locked(until: DateTime<Utc>, now: DateTime<Utc>) -> DomainError {
    DomainError::TooManyRequests {
        code: "account_locked",
        message: format!(
            "too many failed sign-ins; try again after {}",
            until.to_rfc3339()
        ),
        retry_after_seconds: (until - now).num_seconds().max(1) as u64,
    }
}

/// Refuses a sign-in, at `now`, of a locked email (429 `account_locked`, with when to try
/// again).
pub(crate) fn check_not_locked(
    tx: &(impl SignInAttemptReads + ?Sized),
    tenant_id: &str,
    email: &str,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let attempts = tx.sign_in_attempts(tenant_id, email)?;
    match attempts.and_then(|a| a.locked_until).filter(|u| *u > now) {
        Some(until) => Err(locked(until, now)),
        None => Ok(()),
    }
}

/// Counts a failed sign-in of `email` at `at`; answers the error for it: `unknown` (the
/// caller's wrong credentials error), or `account_locked` when this failure locks the email.
pub(crate) fn record_failure(
    tx: &mut (impl SignInAttemptWrites + ?Sized),
    tenant_id: &str,
    email: &str,
    settings: &PortalSettings,
    unknown: DomainError,
    at: DateTime<Utc>,
) -> DomainResult<DomainError> {
    let forgotten_before = at - Duration::seconds(FAILURE_MEMORY_SECS as i64);
    let mut attempts = tx.sign_in_attempts(tenant_id, email)?.unwrap_or_default();
    if let Some(last) = attempts.last_failure_at {
        if last < forgotten_before {
            attempts.failures = 0;
        }
    }
    attempts.failures += 1;
    attempts.last_failure_at = Some(at);
    let mut answer = unknown;
    if attempts.failures >= settings.max_failed_sign_ins {
        let until = at + Duration::seconds(settings.lockout_seconds as i64);
        attempts.failures = 0;
        attempts.locked_until = Some(until);
        answer = locked(until, at);
    }
    tx.save_sign_in_attempts(tenant_id, email, &attempts)?;
    forget_old_failures(tx, tenant_id, forgotten_before)?;
    Ok(answer)
}

/// After a successful sign-in: the email's failures are forgotten.
pub(crate) fn clear_failures(
    tx: &mut (impl SignInAttemptWrites + ?Sized),
    tenant_id: &str,
    email: &str,
) -> DomainResult<()> {
    tx.delete_sign_in_attempts(tenant_id, email)?;
    Ok(())
}

/// Deletes the records of the emails whose last failure is the oldest, if it was before
/// `forgotten_before` (a few per failure: the table sheds as fast as it grows).
fn forget_old_failures(
    tx: &mut (impl SignInAttemptWrites + ?Sized),
    tenant_id: &str,
    forgotten_before: DateTime<Utc>,
) -> DomainResult<()> {
    tx.forget_sign_in_attempts_before(tenant_id, forgotten_before, SHED_PER_NEW_RECORD)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use portico_core::sign_in_attempts::SignInAttempts;

    fn wrong() -> DomainError {
        DomainError::unauthenticated("invalid_credentials", "wrong email or password")
    }

    /// A failure of `email` recorded `hours_ago`, as `record_failure` leaves it.
    fn failed_before(tx: &mut dyn WriteTransaction, email: &str, failures: u32, hours_ago: i64) {
        let at = Utc::now() - Duration::hours(hours_ago);
        let attempts = SignInAttempts {
            failures,
            locked_until: None,
            last_failure_at: Some(at),
        };
        tx.save_sign_in_attempts("t", email, &attempts).unwrap();
    }

    fn emails(store: &Store) -> (Vec<String>, Vec<String>) {
        store.read().unwrap().sign_in_attempt_emails("t")
    }

    fn fail(store: &Store, email: &str) -> DomainError {
        let mut tx = store.write().unwrap();
        let settings = PortalSettings::default();
        let answer = record_failure(&mut tx, "t", email, &settings, wrong(), Utc::now()).unwrap();
        tx.commit().unwrap();
        answer
    }

    #[test]
    fn failures_in_a_row_lock_and_a_success_forgets_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let max = PortalSettings::default().max_failed_sign_ins;
        for _ in 1..max {
            assert!(matches!(
                fail(&store, "a@x.com"),
                DomainError::Unauthenticated { .. }
            ));
            check_not_locked(&store.read().unwrap(), "t", "a@x.com", Utc::now()).unwrap();
        }
        assert!(matches!(
            fail(&store, "a@x.com"),
            DomainError::TooManyRequests { .. }
        ));
        assert!(check_not_locked(&store.read().unwrap(), "t", "a@x.com", Utc::now()).is_err());
        assert_eq!(
            emails(&store),
            (vec!["a@x.com".into()], vec!["a@x.com".into()])
        );

        let mut tx = store.write().unwrap();
        clear_failures(&mut tx, "t", "a@x.com").unwrap();
        tx.commit().unwrap();
        assert_eq!(emails(&store), (vec![], vec![]));
    }

    #[test]
    fn old_failures_start_again_and_are_deleted_by_new_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        let max = PortalSettings::default().max_failed_sign_ins;
        failed_before(&mut tx, "old1@x.com", 1, 50);
        failed_before(&mut tx, "old2@x.com", 1, 49);
        failed_before(&mut tx, "old3@x.com", max - 1, 48);
        failed_before(&mut tx, "recent@x.com", 1, 1);
        tx.commit().unwrap();

        // Two of the oldest go with each new failure.
        fail(&store, "new@x.com");
        let (records, indexed) = emails(&store);
        assert_eq!(records, ["new@x.com", "old3@x.com", "recent@x.com"]);
        assert_eq!(indexed, ["old3@x.com", "recent@x.com", "new@x.com"]);
        // old3 was one failure from a lock two days ago: it starts again from zero.
        assert!(matches!(
            fail(&store, "old3@x.com"),
            DomainError::Unauthenticated { .. }
        ));
        check_not_locked(&store.read().unwrap(), "t", "old3@x.com", Utc::now()).unwrap();
        // Within the memory nothing else goes.
        let (records, _) = emails(&store);
        assert_eq!(records, ["new@x.com", "old3@x.com", "recent@x.com"]);
    }
}
