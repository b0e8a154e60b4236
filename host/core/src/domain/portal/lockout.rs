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
use crate::storage::prelude::*;

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
pub fn check_not_locked(
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
pub fn record_failure(
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
    metrics::counter!("portico_sign_in_failures_total").increment(1);
    let mut answer = unknown;
    if attempts.failures >= settings.max_failed_sign_ins {
        let until = at + Duration::seconds(settings.lockout_seconds as i64);
        attempts.failures = 0;
        attempts.locked_until = Some(until);
        answer = locked(until, at);
        metrics::counter!("portico_lockouts_total").increment(1);
    }
    tx.save_sign_in_attempts(tenant_id, email, &attempts)?;
    forget_old_failures(tx, tenant_id, forgotten_before)?;
    Ok(answer)
}

/// After a successful sign-in: the email's failures are forgotten.
pub fn clear_failures(
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
