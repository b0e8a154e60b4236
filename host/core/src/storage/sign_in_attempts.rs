//! The sign-in attempts port: failed sign-in counters and lockouts by email, and the index of
//! their last failures in time order (the oldest are forgotten first), which the adapter keeps
//! with the records.

use chrono::{DateTime, Utc};

use super::StorageResult;
use crate::sign_in_attempts::SignInAttempts;

/// Reading failed sign-ins.
pub trait SignInAttemptReads {
    /// The failed sign-ins of `email`.
    fn sign_in_attempts(&self, tenant: &str, email: &str) -> StorageResult<Option<SignInAttempts>>;
}

/// Writing failed sign-ins. Each write keeps the time index with the record.
pub trait SignInAttemptWrites: SignInAttemptReads {
    /// Stores the failed sign-ins of `email`, indexed by `last_failure_at`.
    fn save_sign_in_attempts(
        &mut self,
        tenant: &str,
        email: &str,
        attempts: &SignInAttempts,
    ) -> StorageResult<()>;
    /// Deletes the failed sign-ins of `email`.
    fn delete_sign_in_attempts(&mut self, tenant: &str, email: &str) -> StorageResult<()>;
    /// Deletes the records of the emails whose last failure is among the tenant's `limit`
    /// oldest and before `before`; answers how many went.
    fn forget_sign_in_attempts_before(
        &mut self,
        tenant: &str,
        before: DateTime<Utc>,
        limit: usize,
    ) -> StorageResult<usize>;
}
