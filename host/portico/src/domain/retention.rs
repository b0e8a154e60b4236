//! Retention of time-ordered records (record ids are time-ordered, so a tenant's oldest come
//! first): each new record sheds a few expired old ones, so a table grows no faster than its
//! retention allows, without a sweep of its own.

use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;

use super::error::DomainResult;
use crate::store::{Reader, Table, WriteTx};

/// Old records looked at (oldest first) each time a record is added.
pub(crate) const SHED_PER_NEW_RECORD: usize = 2;

/// Of a tenant's oldest records (oldest first; the caller reads `SHED_PER_NEW_RECORD` of them),
/// those to delete: created more than `retention_secs` before `now` and let go by `finished`
/// (an unfinished one stays, and the ones after it are still looked at); the look stops at the
/// first record within the retention.
pub(crate) fn expired<T>(
    oldest: Vec<T>,
    retention_secs: u64,
    now: DateTime<Utc>,
    created_at: impl Fn(&T) -> DateTime<Utc>,
    finished: impl Fn(&T) -> bool,
) -> Vec<T> {
    let cutoff = now - Duration::seconds(retention_secs as i64);
    oldest
        .into_iter()
        .take_while(|record| created_at(record) < cutoff)
        .filter(|record| finished(record))
        .collect()
}

/// Looks at the tenant's `SHED_PER_NEW_RECORD` oldest records of `table` and deletes the
/// `expired` ones.
pub(crate) fn shed_expired<T: DeserializeOwned>(
    tx: &mut WriteTx,
    table: Table,
    tenant_id: &str,
    retention_secs: u64,
    now: DateTime<Utc>,
    created_at: impl Fn(&T) -> DateTime<Utc>,
    finished: impl Fn(&T) -> bool,
) -> DomainResult<()> {
    let oldest: Vec<(String, T)> = tx.scan(table, tenant_id, "", None, SHED_PER_NEW_RECORD)?;
    let created_at = |(_, record): &(String, T)| created_at(record);
    let finished = |(_, record): &(String, T)| finished(record);
    for (key, _) in expired(oldest, retention_secs, now, created_at, finished) {
        tx.delete(table, tenant_id, &key)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::store::Store;

    #[derive(Serialize, Deserialize)]
    struct Record {
        created_at: DateTime<Utc>,
        finished: bool,
    }

    const DAY: u64 = 24 * 3600;

    fn keys(store: &Store) -> Vec<String> {
        store
            .read()
            .unwrap()
            .scan::<Record>(Table::HookDeliveries, "t", "", None, 100)
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    }

    #[test]
    fn expired_finished_records_go_oldest_first_and_unfinished_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = Utc::now();
        let mut tx = store.write().unwrap();
        for (key, days_ago, finished) in [
            ("1-old-pending", 50, false),
            ("2-old-done", 40, true),
            ("3-old-done", 35, true),
            ("4-recent-done", 5, true),
        ] {
            let record = Record {
                created_at: now - Duration::days(days_ago),
                finished,
            };
            tx.put(Table::HookDeliveries, "t", key, &record).unwrap();
        }
        tx.commit().unwrap();
        let shed = || {
            let mut tx = store.write().unwrap();
            shed_expired(
                &mut tx,
                Table::HookDeliveries,
                "t",
                30 * DAY,
                now,
                |r: &Record| r.created_at,
                |r| r.finished,
            )
            .unwrap();
            tx.commit().unwrap();
        };
        // The two oldest are looked at: the unfinished one stays, the one after it goes.
        shed();
        assert_eq!(
            keys(&store),
            ["1-old-pending", "3-old-done", "4-recent-done"]
        );
        shed();
        assert_eq!(keys(&store), ["1-old-pending", "4-recent-done"]);
        // Within the retention: nothing more goes.
        shed();
        assert_eq!(keys(&store), ["1-old-pending", "4-recent-done"]);
    }
}
