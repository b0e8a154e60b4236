//! Retention of time-ordered records (record ids are time-ordered, so a tenant's oldest come
//! first): each new record sheds a few expired old ones, so a table grows no faster than its
//! retention allows, without a sweep of its own.

use chrono::{DateTime, Duration, Utc};

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

#[cfg(test)]
mod tests {
    use super::*;

    struct Record {
        key: &'static str,
        created_at: DateTime<Utc>,
        finished: bool,
    }

    const DAY: u64 = 24 * 3600;

    /// Records by key, in key order, as a tenant's table holds them.
    type Records = std::collections::BTreeMap<&'static str, Record>;

    fn keys(records: &Records) -> Vec<&'static str> {
        records.keys().copied().collect()
    }

    /// What adding a record sheds.
    fn shed(records: &mut Records, now: DateTime<Utc>) {
        let oldest: Vec<&Record> = records.values().take(SHED_PER_NEW_RECORD).collect();
        let expired: Vec<&'static str> =
            expired(oldest, 30 * DAY, now, |r| r.created_at, |r| r.finished)
                .into_iter()
                .map(|r| r.key)
                .collect();
        for key in expired {
            records.remove(key);
        }
    }

    #[test]
    fn expired_finished_records_go_oldest_first_and_unfinished_ones_stay() {
        let now = Utc::now();
        let mut records = Records::new();
        for (key, days_ago, finished) in [
            ("1-old-pending", 50, false),
            ("2-old-done", 40, true),
            ("3-old-done", 35, true),
            ("4-recent-done", 5, true),
        ] {
            let record = Record {
                key,
                created_at: now - Duration::days(days_ago),
                finished,
            };
            records.insert(key, record);
        }
        // The two oldest are looked at: the unfinished one stays, the one after it goes.
        shed(&mut records, now);
        assert_eq!(
            keys(&records),
            ["1-old-pending", "3-old-done", "4-recent-done"]
        );
        shed(&mut records, now);
        assert_eq!(keys(&records), ["1-old-pending", "4-recent-done"]);
        // Within the retention: nothing more goes.
        shed(&mut records, now);
        assert_eq!(keys(&records), ["1-old-pending", "4-recent-done"]);
    }
}
