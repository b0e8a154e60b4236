//! The outbox port on redb: notifications in `Table::Notifications` by id (time-ordered ids, so
//! key order is queue order), and the queue of due messages in the system table
//! `SystemTable::OutboxDue` (one scan finds due messages of every tenant), keyed
//! `due (ms, 20 digits) \u{1f} tenant id \u{1f} message id` -> (), written only here.
//!
//! A lease is stored on the message (`leased_until`, `leased_by`) and moves its queue entry to
//! the lease's end, so a leased message is due to nobody until the lease ends or expires. Write
//! transactions run in turn, so two leases never take the same message.

use chrono::{DateTime, Utc};
use portico_core::outbox::{
    fair_share_messages, DueMessage, OutboxLease, StoredNotification, OUTBOX_DUE_SCAN_LIMIT,
};
use portico_core::storage::{OutboxReads, OutboxWrites, QueueBacklog, StorageResult};

use super::{composite_key, ReadTx, Reader, SystemTable, Table, WriteTx, KEY_SEPARATOR};

/// The digits of a due key's time.
const DUE_TIME_DIGITS: usize = 20;

/// The queue key of an attempt at message `id` of `tenant` due at `at`.
fn due_key(at: DateTime<Utc>, tenant: &str, id: &str) -> String {
    let at = format!("{:020}", at.timestamp_millis().max(0));
    composite_key(&at, &composite_key(tenant, id))
}

/// The entry of a queue key.
fn parse_due_key(key: &str) -> Option<DueMessage> {
    let mut parts = key.splitn(3, KEY_SEPARATOR);
    let due_at = DateTime::from_timestamp_millis(parts.next()?.parse().ok()?)?;
    Some(DueMessage {
        due_at,
        tenant_id: parts.next()?.to_string(),
        message_id: parts.next()?.to_string(),
    })
}

/// The queue entries due at `now` (to the millisecond), in due order, at most
/// `OUTBOX_DUE_SCAN_LIMIT`.
fn due_entries<R: Reader>(tx: &R, now: DateTime<Utc>) -> StorageResult<Vec<DueMessage>> {
    let now = format!("{:020}", now.timestamp_millis());
    let keys = tx.system_scan::<()>(SystemTable::OutboxDue, None, OUTBOX_DUE_SCAN_LIMIT)?;
    Ok(keys
        .into_iter()
        .map_while(|(key, ())| {
            let at = key.get(..DUE_TIME_DIGITS)?;
            (at <= now.as_str()).then_some(key)
        })
        .filter_map(|key| parse_due_key(&key))
        .collect())
}

/// The outbox queue's backlog: its length and its first (earliest) entry.
pub(super) fn backlog(tx: &ReadTx) -> StorageResult<QueueBacklog> {
    let first = tx.system_scan::<()>(SystemTable::OutboxDue, None, 1)?;
    Ok(QueueBacklog {
        queued: tx.system_len(SystemTable::OutboxDue)?,
        oldest_due_at: first
            .first()
            .and_then(|(key, ())| parse_due_key(key))
            .map(|d| d.due_at),
    })
}

macro_rules! outbox_reads {
    ($($t:ty),*) => {$(
        impl OutboxReads for $t {
            fn notifications_after(
                &self,
                tenant: &str,
                after: Option<&str>,
                limit: usize,
            ) -> StorageResult<Vec<StoredNotification>> {
                let rows: Vec<(String, StoredNotification)> =
                    self.scan(Table::Notifications, tenant, "", after, limit)?;
                Ok(rows.into_iter().map(|(_, n)| n).collect())
            }

            fn notification(
                &self,
                tenant: &str,
                id: &str,
            ) -> StorageResult<Option<StoredNotification>> {
                Ok(self.get(Table::Notifications, tenant, id)?)
            }
        }
    )*};
}
outbox_reads!(ReadTx, WriteTx<'_>);

/// The queue key of the stored message `id`, if it is queued.
fn stored_due_key(tx: &WriteTx<'_>, tenant: &str, id: &str) -> StorageResult<Option<String>> {
    let stored = tx.notification(tenant, id)?;
    Ok(stored
        .and_then(|n| n.due_at())
        .map(|at| due_key(at, tenant, id)))
}

/// Moves message `id` in the queue from `old` to `new` (either absent).
fn requeue(tx: &mut WriteTx<'_>, old: Option<String>, new: Option<String>) -> StorageResult<()> {
    if old == new {
        return Ok(());
    }
    if let Some(old) = old {
        tx.system_delete(SystemTable::OutboxDue, &old)?;
    }
    if let Some(new) = new {
        tx.system_put(SystemTable::OutboxDue, &new, &())?;
    }
    Ok(())
}

/// Stores `notification` and moves its queue entry to follow it.
fn store(
    tx: &mut WriteTx<'_>,
    tenant: &str,
    notification: &StoredNotification,
) -> StorageResult<()> {
    let old = stored_due_key(tx, tenant, &notification.id)?;
    let new = notification
        .due_at()
        .map(|at| due_key(at, tenant, &notification.id));
    requeue(tx, old, new)?;
    Ok(tx.put(Table::Notifications, tenant, &notification.id, notification)?)
}

impl OutboxWrites for WriteTx<'_> {
    fn insert_notification(
        &mut self,
        tenant: &str,
        notification: &StoredNotification,
    ) -> StorageResult<()> {
        store(self, tenant, notification)
    }

    fn update_notification(
        &mut self,
        tenant: &str,
        notification: &StoredNotification,
    ) -> StorageResult<bool> {
        if self.notification(tenant, &notification.id)?.is_none() {
            return Ok(false);
        }
        store(self, tenant, notification)?;
        Ok(true)
    }

    fn delete_notification(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        let old = stored_due_key(self, tenant, id)?;
        requeue(self, old, None)?;
        Ok(self.delete(Table::Notifications, tenant, id)?)
    }

    /// A chosen entry whose message is gone or is no longer due there (its tenant deleted,
    /// or a stale key) is taken off the queue instead; the next lease fills its place.
    fn lease_due_notifications(
        &mut self,
        now: DateTime<Utc>,
        lease: &OutboxLease,
        limit: usize,
        per_tenant: usize,
    ) -> StorageResult<Vec<DueMessage>> {
        let chosen = fair_share_messages(due_entries(self, now)?, limit, per_tenant);
        let mut leased = Vec::with_capacity(chosen.len());
        for entry in chosen {
            let (tenant, id) = (entry.tenant_id.as_str(), entry.message_id.as_str());
            let key = due_key(entry.due_at, tenant, id);
            let stored = self.notification(tenant, id)?;
            let still_due = stored
                .as_ref()
                .and_then(StoredNotification::due_at)
                .is_some_and(|at| due_key(at, tenant, id) == key);
            match stored.filter(|_| still_due) {
                Some(mut message) => {
                    message.delivery.leased_until = Some(lease.until);
                    message.delivery.leased_by = Some(lease.holder.clone());
                    store(self, tenant, &message)?;
                    leased.push(entry);
                }
                None => {
                    self.system_delete(SystemTable::OutboxDue, &key)?;
                }
            }
        }
        Ok(leased)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};
    use portico_core::outbox::{
        DeliveryState, DueMessage, MessageStatus, OutboxLease, StoredNotification,
    };
    use portico_core::storage::{OutboxReads, OutboxWrites};

    use crate::{Reader, Store, Table};

    fn message(id: &str) -> StoredNotification {
        due_message(id, None)
    }

    fn due_message(id: &str, due: Option<DateTime<Utc>>) -> StoredNotification {
        StoredNotification {
            id: id.into(),
            recipient: "pat@example.com".into(),
            channel: "email".into(),
            template: "welcome".into(),
            sealed_data: Some("v1:sealed".into()),
            data: None,
            user_id: None,
            status: MessageStatus::Pending,
            created_at: Utc::now(),
            delivery: DeliveryState {
                next_attempt_at: due,
                ..DeliveryState::default()
            },
        }
    }

    fn ids(messages: Vec<StoredNotification>) -> Vec<String> {
        messages.into_iter().map(|n| n.id).collect()
    }

    #[test]
    fn notifications_come_in_queue_order_per_tenant() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        for id in ["0003", "0001", "0002"] {
            tx.insert_notification("t", &message(id)).unwrap();
        }
        tx.insert_notification("other", &message("0000")).unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let raw: serde_json::Value = read
            .get(Table::Notifications, "t", "0001")
            .unwrap()
            .unwrap();
        assert_eq!(raw["sealedData"], "v1:sealed");
        assert!(raw.get("data").is_none(), "{raw}");
        assert_eq!(
            ids(read.notifications_after("t", None, 2).unwrap()),
            ["0001", "0002"]
        );
        assert_eq!(
            ids(read.notifications_after("t", Some("0001"), 10).unwrap()),
            ["0002", "0003"]
        );
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(tx.delete_notification("t", "0001").unwrap());
        assert!(!tx.delete_notification("t", "0001").unwrap());
        assert_eq!(
            ids(tx.notifications_after("t", None, 10).unwrap()),
            ["0002", "0003"]
        );
        assert_eq!(
            ids(tx.notifications_after("other", None, 10).unwrap()),
            ["0000"]
        );
    }

    fn start() -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_700_000_000_000).unwrap()
    }

    fn at(secs: i64) -> DateTime<Utc> {
        start() + Duration::seconds(secs)
    }

    fn lease(holder: &str, until: i64) -> OutboxLease {
        OutboxLease {
            holder: holder.into(),
            until: at(until),
        }
    }

    fn pairs(due: &[DueMessage]) -> Vec<(&str, &str)> {
        due.iter()
            .map(|d| (d.tenant_id.as_str(), d.message_id.as_str()))
            .collect()
    }

    #[test]
    fn old_messages_read_with_default_delivery_state_and_are_not_due() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        let old = serde_json::json!({
            "id": "0001", "recipient": "pat@example.com", "channel": "email",
            "template": "welcome", "sealedData": "v1:x", "userId": null,
            "status": "pending", "createdAt": "2024-01-01T00:00:00Z",
        });
        tx.put(Table::Notifications, "t", "0001", &old).unwrap();
        let read = tx.notification("t", "0001").unwrap().unwrap();
        assert_eq!(read.status, MessageStatus::Pending);
        assert_eq!(read.delivery, DeliveryState::default());
        let leased = tx
            .lease_due_notifications(at(1_000_000), &lease("w", 1_000_100), 10, 10)
            .unwrap();
        assert!(leased.is_empty());
    }

    #[test]
    fn leases_are_fair_exclusive_and_end_with_the_outcome_or_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        for (tenant, id, secs) in [
            ("a", "a1", 1),
            ("a", "a2", 2),
            ("a", "a3", 3),
            ("b", "b1", 4),
        ] {
            tx.insert_notification(tenant, &due_message(id, Some(at(secs))))
                .unwrap();
        }
        tx.insert_notification("b", &due_message("b2", Some(at(100))))
            .unwrap();
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        assert!(tx
            .lease_due_notifications(at(0), &lease("w1", 60), 10, 2)
            .unwrap()
            .is_empty());
        let first = tx
            .lease_due_notifications(at(10), &lease("w1", 70), 10, 2)
            .unwrap();
        assert_eq!(pairs(&first), [("a", "a1"), ("b", "b1"), ("a", "a2")]);
        let stored = tx.notification("a", "a1").unwrap().unwrap();
        assert_eq!(stored.delivery.leased_by.as_deref(), Some("w1"));
        assert_eq!(stored.delivery.leased_until, Some(at(70)));
        // Another worker gets only what is not leased.
        let second = tx
            .lease_due_notifications(at(10), &lease("w2", 70), 10, 2)
            .unwrap();
        assert_eq!(pairs(&second), [("a", "a3")]);
        tx.commit().unwrap();

        // a1 sent: its lease ends and it is never due again; the others stay leased.
        let mut tx = store.write().unwrap();
        let mut a1 = tx.notification("a", "a1").unwrap().unwrap();
        a1.status = MessageStatus::Sent;
        a1.delivery.leased_by = None;
        a1.delivery.leased_until = None;
        assert!(tx.update_notification("a", &a1).unwrap());
        assert!(tx
            .lease_due_notifications(at(69), &lease("w3", 200), 10, 10)
            .unwrap()
            .is_empty());
        // At the lease's end, w1's and w2's leases are taken over; b2 is due too.
        let taken = tx
            .lease_due_notifications(at(100), &lease("w3", 400), 10, 10)
            .unwrap();
        assert_eq!(
            pairs(&taken),
            [("a", "a2"), ("b", "b1"), ("a", "a3"), ("b", "b2")]
        );
        let a2 = tx.notification("a", "a2").unwrap().unwrap();
        assert_eq!(a2.delivery.leased_by.as_deref(), Some("w3"));
        // Acknowledged while leased: gone from the queue too.
        assert!(tx.delete_notification("a", "a2").unwrap());
        assert!(!tx.update_notification("a", &a2).unwrap());
        assert!(tx.notification("a", "a2").unwrap().is_none());
        let later = tx
            .lease_due_notifications(at(1_000), &lease("w4", 2_000), 10, 10)
            .unwrap();
        assert_eq!(pairs(&later), [("a", "a3"), ("b", "b1"), ("b", "b2")]);
    }
}
