//! The sign-in attempts aggregate on PostgreSQL: `sign_in_attempts` by email. The index of last
//! failures in time order is `sign_in_attempts_last_failure_idx` on the table itself, so it
//! moves with every write.

use chrono::{DateTime, Utc};
use portico_core::sign_in_attempts::SignInAttempts;
use portico_core::storage::{SignInAttemptReads, SignInAttemptWrites, StorageError, StorageResult};

use crate::transaction::PgTx;

impl SignInAttemptReads for PgTx {
    fn sign_in_attempts(&self, tenant: &str, email: &str) -> StorageResult<Option<SignInAttempts>> {
        let row = self.query_opt(
            "SELECT failures, locked_until, last_failure_at FROM sign_in_attempts \
             WHERE tenant_id = $1 AND email = $2",
            &[&tenant, &email],
        )?;
        let Some(row) = row else { return Ok(None) };
        let failures: i32 = row.get("failures");
        let failures = u32::try_from(failures).map_err(|_| StorageError::Corrupt {
            what: "sign_in_attempts",
            key: email.to_string(),
            message: format!("failures is {failures}"),
        })?;
        Ok(Some(SignInAttempts {
            failures,
            locked_until: row.get("locked_until"),
            last_failure_at: Some(row.get("last_failure_at")),
        }))
    }
}

impl SignInAttemptWrites for PgTx {
    /// A record without `last_failure_at` is refused: only records the embedded engine wrote
    /// before schema 4 lack it (its upgrade dates them), and every record here is dated
    /// (`last_failure_at` is NOT NULL, so each one is in the time order).
    fn save_sign_in_attempts(
        &mut self,
        tenant: &str,
        email: &str,
        attempts: &SignInAttempts,
    ) -> StorageResult<()> {
        let Some(last_failure_at) = attempts.last_failure_at else {
            return Err(StorageError::Unavailable(format!(
                "the failed sign-ins of {email} have no last failure"
            )));
        };
        let failures = i32::try_from(attempts.failures).map_err(|_| {
            StorageError::Unavailable(format!(
                "sign_in_attempts.failures: {} is beyond the database's range",
                attempts.failures
            ))
        })?;
        self.execute(
            "INSERT INTO sign_in_attempts (tenant_id, email, failures, locked_until, \
             last_failure_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, email) \
             DO UPDATE SET failures = $3, locked_until = $4, last_failure_at = $5",
            &[
                &tenant,
                &email,
                &failures,
                &attempts.locked_until,
                &last_failure_at,
            ],
        )?;
        Ok(())
    }

    fn delete_sign_in_attempts(&mut self, tenant: &str, email: &str) -> StorageResult<()> {
        self.execute(
            "DELETE FROM sign_in_attempts WHERE tenant_id = $1 AND email = $2",
            &[&tenant, &email],
        )?;
        Ok(())
    }

    /// Of the `limit` oldest (by last failure, then email, as the embedded engine's time
    /// index), those before `before` to the microsecond are exactly the `limit` oldest of the
    /// ones before it.
    fn forget_sign_in_attempts_before(
        &mut self,
        tenant: &str,
        before: DateTime<Utc>,
        limit: usize,
    ) -> StorageResult<usize> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let forgotten = self.execute(
            "DELETE FROM sign_in_attempts WHERE tenant_id = $1 AND email IN ( \
             SELECT email FROM sign_in_attempts WHERE tenant_id = $1 AND last_failure_at < $2 \
             ORDER BY last_failure_at, email LIMIT $3)",
            &[&tenant, &before, &limit],
        )?;
        Ok(usize::try_from(forgotten).unwrap_or(usize::MAX))
    }
}
