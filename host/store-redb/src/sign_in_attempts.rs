//! The sign-in attempts port on redb: records in `Table::SignInAttempts` by email, and the
//! index of their last failures in `Table::SignInAttemptTimes` (`last failure (microseconds,
//! 20 digits) \u{1f} email` -> ()), written only here.

use chrono::{DateTime, Utc};
use portico_core::sign_in_attempts::SignInAttempts;
use portico_core::storage::{SignInAttemptReads, SignInAttemptWrites, StorageResult};

use super::{time_ordered_key, ReadTx, Reader, Table, WriteTx, KEY_SEPARATOR};

/// The key of `email`'s entry in the time index: its last failure, in time order.
fn time_key(at: DateTime<Utc>, email: &str) -> String {
    time_ordered_key(at.timestamp_micros(), email)
}

macro_rules! sign_in_attempt_reads {
    ($($t:ty),*) => {$(
        impl SignInAttemptReads for $t {
            fn sign_in_attempts(
                &self,
                tenant: &str,
                email: &str,
            ) -> StorageResult<Option<SignInAttempts>> {
                Ok(self.get(Table::SignInAttempts, tenant, email)?)
            }
        }
    )*};
}
sign_in_attempt_reads!(ReadTx, WriteTx<'_>);

/// Removes the time index entry of `email`'s stored record, if it has one.
fn unindex(tx: &mut WriteTx<'_>, tenant: &str, email: &str) -> StorageResult<()> {
    let stored = tx.sign_in_attempts(tenant, email)?;
    if let Some(last) = stored.and_then(|a| a.last_failure_at) {
        tx.delete(Table::SignInAttemptTimes, tenant, &time_key(last, email))?;
    }
    Ok(())
}

impl SignInAttemptWrites for WriteTx<'_> {
    fn save_sign_in_attempts(
        &mut self,
        tenant: &str,
        email: &str,
        attempts: &SignInAttempts,
    ) -> StorageResult<()> {
        unindex(self, tenant, email)?;
        self.put(Table::SignInAttempts, tenant, email, attempts)?;
        if let Some(at) = attempts.last_failure_at {
            self.put(Table::SignInAttemptTimes, tenant, &time_key(at, email), &())?;
        }
        Ok(())
    }

    fn delete_sign_in_attempts(&mut self, tenant: &str, email: &str) -> StorageResult<()> {
        unindex(self, tenant, email)?;
        self.delete(Table::SignInAttempts, tenant, email)?;
        Ok(())
    }

    fn forget_sign_in_attempts_before(
        &mut self,
        tenant: &str,
        before: DateTime<Utc>,
        limit: usize,
    ) -> StorageResult<usize> {
        let oldest: Vec<(String, ())> =
            self.scan(Table::SignInAttemptTimes, tenant, "", None, limit)?;
        let before = time_key(before, "");
        let mut forgotten = 0;
        for (key, ()) in oldest {
            if key >= before {
                break;
            }
            let email = key.split_once(KEY_SEPARATOR).map_or("", |(_, email)| email);
            self.delete(Table::SignInAttemptTimes, tenant, &key)?;
            self.delete(Table::SignInAttempts, tenant, email)?;
            forgotten += 1;
        }
        Ok(forgotten)
    }
}

// Fixtures for the rules' tests (states an earlier build could leave).
#[cfg(any(test, feature = "test-knobs"))]
impl ReadTx {
    /// The emails with a record, in email order, and those in the time index, in time order.
    pub fn sign_in_attempt_emails(&self, tenant: &str) -> (Vec<String>, Vec<String>) {
        let records = self
            .scan::<SignInAttempts>(Table::SignInAttempts, tenant, "", None, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        let indexed = self
            .scan::<()>(Table::SignInAttemptTimes, tenant, "", None, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|(k, _)| k.split_once(KEY_SEPARATOR).unwrap().1.to_string())
            .collect();
        (records, indexed)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};
    use portico_core::sign_in_attempts::SignInAttempts;
    use portico_core::storage::{SignInAttemptReads, SignInAttemptWrites};

    use crate::Store;

    fn failed(hours_ago: i64) -> SignInAttempts {
        SignInAttempts {
            failures: 1,
            locked_until: None,
            last_failure_at: Some(Utc::now() - Duration::hours(hours_ago)),
        }
    }

    #[test]
    fn the_time_index_follows_the_last_failure_and_forgets_the_oldest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        tx.save_sign_in_attempts("t", "a@x", &failed(5)).unwrap();
        tx.save_sign_in_attempts("t", "b@x", &failed(4)).unwrap();
        tx.save_sign_in_attempts("t", "c@x", &failed(3)).unwrap();
        tx.save_sign_in_attempts("t", "d@x", &failed(1)).unwrap();
        // a@x fails again: it is now the most recent.
        tx.save_sign_in_attempts("t", "a@x", &failed(0)).unwrap();
        tx.delete_sign_in_attempts("t", "d@x").unwrap();
        tx.commit().unwrap();
        let emails = |store: &Store| store.read().unwrap().sign_in_attempt_emails("t");
        assert_eq!(
            emails(&store),
            (
                vec!["a@x".into(), "b@x".into(), "c@x".into()],
                vec!["b@x".into(), "c@x".into(), "a@x".into()]
            )
        );

        // Of the two oldest, only those before the cutoff go.
        let mut tx = store.write().unwrap();
        let cutoff = Utc::now() - Duration::minutes(210);
        assert_eq!(
            tx.forget_sign_in_attempts_before("t", cutoff, 2).unwrap(),
            1
        );
        assert!(tx.sign_in_attempts("t", "b@x").unwrap().is_none());
        assert_eq!(
            tx.forget_sign_in_attempts_before("other", Utc::now(), 2)
                .unwrap(),
            0
        );
        tx.commit().unwrap();
        assert_eq!(
            emails(&store),
            (
                vec!["a@x".into(), "c@x".into()],
                vec!["c@x".into(), "a@x".into()]
            )
        );
    }
}
