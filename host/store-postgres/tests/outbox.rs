//! The outbox aggregate of the storage port on a real PostgreSQL, as the embedded engine's test
//! checks it: notifications in queue (id) order per tenant after a cursor, stored sealed and
//! never in clear, deleted once.

mod support;

use chrono::{SubsecRound, Utc};
use portico_core::outbox::StoredNotification;
use portico_core::storage::{OutboxReads, OutboxWrites};
use support::on_a_rules_thread;

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
        created_at: Utc::now().trunc_subsecs(6),
    }
}

fn ids(messages: Vec<StoredNotification>) -> Vec<String> {
    messages.into_iter().map(|n| n.id).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn notifications_come_in_queue_order_per_tenant() {
    on_a_rules_thread(&["t", "other"], |store| {
        let mut tx = store.write().unwrap();
        for id in ["0003", "0001", "0002"] {
            tx.insert_notification("t", &message(id)).unwrap();
        }
        tx.insert_notification("other", &message("0000")).unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let first = read.notifications_after("t", None, 1).unwrap().remove(0);
        let sent = message("0001");
        assert_eq!(first.sealed_data.as_deref(), Some("v1:sealed"));
        assert!(first.data.is_none());
        assert_eq!(first.recipient, sent.recipient);
        assert_eq!(first.channel, sent.channel);
        assert_eq!(first.template, sent.template);
        assert_eq!(first.status, sent.status);
        assert_eq!(first.user_id, None);
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
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_reads_back_whole_and_an_unsealed_one_is_refused() {
    on_a_rules_thread(&["t", "other"], |store| {
        let mut tx = store.write().unwrap();
        let mut sent = message("0001");
        sent.user_id = Some("u1".into());
        tx.insert_notification("t", &sent).unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        let stored = read.notifications_after("t", None, 10).unwrap().remove(0);
        assert_eq!(stored.user_id.as_deref(), Some("u1"));
        assert_eq!(stored.created_at, sent.created_at);
        drop(read);

        let mut tx = store.write().unwrap();
        let mut clear = message("0002");
        clear.sealed_data = None;
        clear.data = Some(serde_json::json!({"code": "123456"}));
        assert!(tx.insert_notification("t", &clear).is_err());
        assert_eq!(tx.notifications_after("t", None, 10).unwrap().len(), 1);
    })
    .await;
}
