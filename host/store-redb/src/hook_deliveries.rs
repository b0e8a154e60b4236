//! The hook deliveries port on redb: deliveries in `Table::HookDeliveries` by id, and the queue
//! of due ones in the system table `SystemTable::HookDue` (one scan finds due events of every
//! tenant), keyed `next attempt (ms, 20 digits) \u{1f} tenant id \u{1f} delivery id` -> (),
//! written only here.

use chrono::{DateTime, Utc};
use portico_core::hook_deliveries::{
    fair_share, DeliveryStatus, DueHook, HookDelivery, HookLease, HOOK_DUE_SCAN_LIMIT,
};
use portico_core::storage::{HookDeliveryReads, HookDeliveryWrites, QueueBacklog, StorageResult};

use super::{composite_key, ReadTx, Reader, SystemTable, Table, WriteTx, KEY_SEPARATOR};

/// Deliveries read per scan while filtering by status.
const FILTER_SCAN_BATCH: usize = 256;

/// The digits of a due key's time.
const DUE_TIME_DIGITS: usize = 20;

fn due_time(at: DateTime<Utc>) -> String {
    format!("{:020}", at.timestamp_millis().max(0))
}

/// The queue key of an attempt of delivery `id` of `tenant` due at `at`.
fn due_key(at: DateTime<Utc>, tenant: &str, id: &str) -> String {
    composite_key(&due_time(at), &composite_key(tenant, id))
}

/// The entry of a queue key.
fn parse_due_key(key: &str) -> Option<DueHook> {
    let mut parts = key.splitn(3, KEY_SEPARATOR);
    let due_at = DateTime::from_timestamp_millis(parts.next()?.parse().ok()?)?;
    Some(DueHook {
        due_at,
        tenant_id: parts.next()?.to_string(),
        delivery_id: parts.next()?.to_string(),
    })
}

/// The hook queue's backlog: its length and its first (earliest) entry.
pub(super) fn backlog(tx: &ReadTx) -> StorageResult<QueueBacklog> {
    let first = tx.system_scan::<()>(SystemTable::HookDue, None, 1)?;
    Ok(QueueBacklog {
        queued: tx.system_len(SystemTable::HookDue)?,
        oldest_due_at: first
            .first()
            .and_then(|(key, ())| parse_due_key(key))
            .map(|d| d.due_at),
    })
}

fn hook_delivery<R: Reader>(tx: &R, tenant: &str, id: &str) -> StorageResult<Option<HookDelivery>> {
    Ok(tx.get(Table::HookDeliveries, tenant, id)?)
}

fn hook_deliveries_after<R: Reader>(
    tx: &R,
    tenant: &str,
    status: Option<DeliveryStatus>,
    after: Option<&str>,
    limit: usize,
) -> StorageResult<Vec<HookDelivery>> {
    let batch_size = if status.is_some() {
        FILTER_SCAN_BATCH
    } else {
        limit
    };
    let mut found = Vec::new();
    let mut cursor = after.map(str::to_string);
    while found.len() < limit {
        let batch: Vec<(String, HookDelivery)> = tx.scan(
            Table::HookDeliveries,
            tenant,
            "",
            cursor.as_deref(),
            batch_size,
        )?;
        let exhausted = batch.len() < batch_size;
        cursor = batch.last().map(|(k, _)| k.clone());
        found.extend(
            batch
                .into_iter()
                .map(|(_, d)| d)
                .filter(|d| status.is_none_or(|s| d.status == s)),
        );
        if exhausted {
            break;
        }
    }
    found.truncate(limit);
    Ok(found)
}

fn due_hook_deliveries<R: Reader>(
    tx: &R,
    now: DateTime<Utc>,
    limit: usize,
    per_tenant: usize,
    skip: &dyn Fn(&DueHook) -> bool,
) -> StorageResult<Vec<DueHook>> {
    let now = format!("{:020}", now.timestamp_millis());
    let keys = tx.system_scan::<()>(SystemTable::HookDue, None, HOOK_DUE_SCAN_LIMIT)?;
    let due = keys
        .into_iter()
        .map_while(|(key, ())| {
            let at = key.get(..DUE_TIME_DIGITS)?;
            (at <= now.as_str()).then_some(key)
        })
        .filter_map(|key| parse_due_key(&key));
    Ok(fair_share(due, limit, per_tenant, skip))
}

macro_rules! hook_delivery_reads {
    ($($t:ty),*) => {$(
        impl HookDeliveryReads for $t {
            fn hook_delivery(
                &self,
                tenant: &str,
                id: &str,
            ) -> StorageResult<Option<HookDelivery>> {
                hook_delivery(self, tenant, id)
            }
            fn hook_deliveries_after(
                &self,
                tenant: &str,
                status: Option<DeliveryStatus>,
                after: Option<&str>,
                limit: usize,
            ) -> StorageResult<Vec<HookDelivery>> {
                hook_deliveries_after(self, tenant, status, after, limit)
            }
            fn due_hook_deliveries(
                &self,
                now: DateTime<Utc>,
                limit: usize,
                per_tenant: usize,
                skip: &dyn Fn(&DueHook) -> bool,
            ) -> StorageResult<Vec<DueHook>> {
                due_hook_deliveries(self, now, limit, per_tenant, skip)
            }
        }
    )*};
}
hook_delivery_reads!(ReadTx, WriteTx<'_>);

/// The queue key of the stored delivery `id`, if it is queued.
fn stored_due_key(tx: &WriteTx<'_>, tenant: &str, id: &str) -> StorageResult<Option<String>> {
    let stored = hook_delivery(tx, tenant, id)?;
    Ok(stored
        .and_then(|d| d.due_at())
        .map(|at| due_key(at, tenant, id)))
}

/// Moves delivery `id` in the queue from `old` to `new` (either absent).
fn requeue(tx: &mut WriteTx<'_>, old: Option<String>, new: Option<String>) -> StorageResult<()> {
    if old == new {
        return Ok(());
    }
    if let Some(old) = old {
        tx.system_delete(SystemTable::HookDue, &old)?;
    }
    if let Some(new) = new {
        tx.system_put(SystemTable::HookDue, &new, &())?;
    }
    Ok(())
}

impl HookDeliveryWrites for WriteTx<'_> {
    fn insert_hook_delivery(&mut self, tenant: &str, delivery: &HookDelivery) -> StorageResult<()> {
        self.update_hook_delivery(tenant, delivery)
    }

    fn update_hook_delivery(&mut self, tenant: &str, delivery: &HookDelivery) -> StorageResult<()> {
        let old = stored_due_key(self, tenant, &delivery.id)?;
        let new = delivery
            .due_at()
            .map(|at| due_key(at, tenant, &delivery.id));
        requeue(self, old, new)?;
        Ok(self.put(Table::HookDeliveries, tenant, &delivery.id, delivery)?)
    }

    fn delete_hook_delivery(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        let old = stored_due_key(self, tenant, id)?;
        requeue(self, old, None)?;
        Ok(self.delete(Table::HookDeliveries, tenant, id)?)
    }

    fn drop_due_hook(&mut self, due: &DueHook) -> StorageResult<()> {
        let key = due_key(due.due_at, &due.tenant_id, &due.delivery_id);
        self.system_delete(SystemTable::HookDue, &key)?;
        Ok(())
    }

    /// The embedded engine has a single host: no other host can take an entry, and that host's
    /// delivery workers keep from taking one twice among themselves (their in-process
    /// dispatch is the lease). So the due entries are answered as the due scan chooses them
    /// and nothing is stored for the lease.
    fn lease_due_hook_deliveries(
        &mut self,
        now: DateTime<Utc>,
        _lease: &HookLease,
        limit: usize,
        per_tenant: usize,
        skip: &dyn Fn(&DueHook) -> bool,
    ) -> StorageResult<Vec<DueHook>> {
        due_hook_deliveries(self, now, limit, per_tenant, skip)
    }

    /// No lease is stored (see `lease_due_hook_deliveries`): an entry taken and not attempted
    /// is due again as soon as the dispatch that took it is gone.
    fn hand_back_hook_leases(&mut self, _holder: &str, _due: &[DueHook]) -> StorageResult<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};
    use portico_core::hook_deliveries::{DeliveryStatus, DueHook, HookDelivery, HookLease};
    use portico_core::storage::{HookDeliveryReads, HookDeliveryWrites};

    use crate::Store;

    fn delivery(id: &str, due_at: DateTime<Utc>) -> HookDelivery {
        HookDelivery {
            id: id.into(),
            hook: "after-block".into(),
            profile_id: "p".into(),
            event: serde_json::json!({}),
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: Some(due_at),
            done_bindings: Vec::new(),
            last_error: None,
            effect_errors: Vec::new(),
            created_at: due_at,
            delivered_at: None,
        }
    }

    fn due(tx: &impl HookDeliveryReads, now: DateTime<Utc>) -> Vec<(String, String)> {
        tx.due_hook_deliveries(now, 10, 2, &|_| false)
            .unwrap()
            .into_iter()
            .map(|d| (d.tenant_id, d.delivery_id))
            .collect()
    }

    fn pair(tenant: &str, id: &str) -> (String, String) {
        (tenant.into(), id.into())
    }

    #[test]
    fn the_queue_follows_the_deliveries_in_due_order_fairly() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let start = DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
        let at = |secs| start + Duration::seconds(secs);
        let mut tx = store.write().unwrap();
        for (tenant, id, secs) in [
            ("a", "a1", 1),
            ("a", "a2", 2),
            ("a", "a3", 3),
            ("b", "b1", 4),
        ] {
            tx.insert_hook_delivery(tenant, &delivery(id, at(secs)))
                .unwrap();
        }
        tx.insert_hook_delivery("b", &delivery("b2", at(100)))
            .unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert_eq!(due(&read, at(0)), []);
        // Two of tenant a at most, then b's turn; b2 is not due yet.
        assert_eq!(
            due(&read, at(10)),
            [pair("a", "a1"), pair("b", "b1"), pair("a", "a2")]
        );
        let skip_a1 = |d: &DueHook| d.delivery_id == "a1";
        let skipped = read.due_hook_deliveries(at(10), 10, 2, &skip_a1).unwrap();
        assert_eq!(skipped[0].delivery_id, "a2");
        assert_eq!(skipped[0].due_at, at(2));
        drop(read);

        let mut tx = store.write().unwrap();
        // Delivered: off the queue. Retried later: moves in the queue.
        let mut a1 = tx.hook_delivery("a", "a1").unwrap().unwrap();
        a1.status = DeliveryStatus::Delivered;
        a1.next_attempt_at = None;
        tx.update_hook_delivery("a", &a1).unwrap();
        let mut a2 = tx.hook_delivery("a", "a2").unwrap().unwrap();
        a2.next_attempt_at = Some(at(50));
        tx.update_hook_delivery("a", &a2).unwrap();
        assert!(tx.delete_hook_delivery("b", "b1").unwrap());
        assert_eq!(due(&tx, at(10)), [pair("a", "a3")]);
        // One host: a lease answers the due entries as the due scan chooses them.
        let lease = HookLease {
            holder: "host".into(),
            until: at(400),
        };
        let leased = tx
            .lease_due_hook_deliveries(at(100), &lease, 10, 2, &|_| false)
            .unwrap();
        assert_eq!(
            leased,
            tx.due_hook_deliveries(at(100), 10, 2, &|_| false).unwrap()
        );
        assert_eq!(
            due(&tx, at(100)),
            [pair("a", "a3"), pair("b", "b2"), pair("a", "a2")]
        );
        // An entry whose delivery is gone is dropped by the worker.
        let a3 = tx.due_hook_deliveries(at(10), 1, 1, &|_| false).unwrap();
        tx.drop_due_hook(&a3[0]).unwrap();
        assert_eq!(due(&tx, at(10)), []);
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let ids = |status, after| -> Vec<String> {
            read.hook_deliveries_after("a", status, after, 10)
                .unwrap()
                .into_iter()
                .map(|d| d.id)
                .collect()
        };
        assert_eq!(ids(None, None), ["a1", "a2", "a3"]);
        assert_eq!(ids(Some(DeliveryStatus::Pending), None), ["a2", "a3"]);
        assert_eq!(ids(Some(DeliveryStatus::Pending), Some("a2")), ["a3"]);
        assert_eq!(
            ids(Some(DeliveryStatus::Failed), None),
            Vec::<String>::new()
        );
        assert_eq!(
            read.hook_deliveries_after("a", None, None, 1)
                .unwrap()
                .len(),
            1
        );
    }
}
