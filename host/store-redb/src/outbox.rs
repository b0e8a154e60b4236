//! The outbox port on redb: notifications in `Table::Notifications` by id (time-ordered ids, so
//! key order is queue order).

use portico_core::outbox::StoredNotification;
use portico_core::storage::{OutboxReads, OutboxWrites, StorageResult};

use super::{ReadTx, Reader, Table, WriteTx};

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
        }
    )*};
}
outbox_reads!(ReadTx, WriteTx<'_>);

impl OutboxWrites for WriteTx<'_> {
    fn insert_notification(
        &mut self,
        tenant: &str,
        notification: &StoredNotification,
    ) -> StorageResult<()> {
        Ok(self.put(Table::Notifications, tenant, &notification.id, notification)?)
    }

    fn delete_notification(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        Ok(self.delete(Table::Notifications, tenant, id)?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use portico_core::outbox::StoredNotification;
    use portico_core::storage::{OutboxReads, OutboxWrites};

    use crate::{Reader, Store, Table};

    fn message(id: &str) -> StoredNotification {
        StoredNotification {
            id: id.into(),
            recipient: "pat@example.com".into(),
            channel: "email".into(),
            template: "welcome".into(),
            sealed_data: Some("v1:sealed".into()),
            data: None,
            user_id: None,
            status: "pending".into(),
            created_at: Utc::now(),
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
}
