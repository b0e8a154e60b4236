//! The outbox aggregate of the storage port on a real PostgreSQL, as the embedded engine's test
//! checks it: notifications in queue (id) order per tenant after a cursor, stored sealed and
//! never in clear, deleted once; due messages leased fairly, workers leasing at once get
//! disjoint messages, a lease ends with the outcome written, and an expired lease is taken
//! over.

mod support;

use std::sync::mpsc;
use std::time::Duration as Wait;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use portico_core::outbox::{
    DeliveryState, DueMessage, MessageStatus, OutboxLease, StoredNotification,
};
use portico_core::storage::{OutboxReads, OutboxWrites};
use portico_store_postgres::PgStore;
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
        status: MessageStatus::Pending,
        created_at: Utc::now().trunc_subsecs(6),
        delivery: DeliveryState::default(),
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

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_700_000_000_000).unwrap() + Duration::seconds(secs)
}

fn due_message(id: &str, secs: i64) -> StoredNotification {
    let mut m = message(id);
    m.delivery.next_attempt_at = Some(at(secs));
    m
}

fn lease(holder: &str, until: i64) -> OutboxLease {
    OutboxLease {
        holder: holder.into(),
        until: at(until),
    }
}

fn ids_of(due: Vec<DueMessage>) -> Vec<String> {
    due.into_iter().map(|d| d.message_id).collect()
}

/// The messages `tx` leases at `now` secs to `holder` until `until` secs (10 at most, 10 of a
/// tenant).
fn lease_in(tx: &mut impl OutboxWrites, now: i64, holder: &str, until: i64) -> Vec<String> {
    ids_of(
        tx.lease_due_notifications(at(now), &lease(holder, until), 10, 10)
            .unwrap(),
    )
}

/// `lease_in` a transaction of its own, committed.
fn lease_now(store: &PgStore, now: i64, holder: &str, until: i64) -> Vec<String> {
    let mut tx = store.write().unwrap();
    let leased = lease_in(&mut tx, now, holder, until);
    tx.commit().unwrap();
    leased
}

fn store_messages(store: &PgStore, messages: &[(&str, &str, i64)]) {
    let mut tx = store.write().unwrap();
    for (tenant, id, secs) in messages {
        tx.insert_notification(tenant, &due_message(id, *secs))
            .unwrap();
    }
    tx.commit().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn workers_leasing_at_once_get_disjoint_messages() {
    on_a_rules_thread(&["a", "b"], |store| {
        store_messages(
            store,
            &[
                ("a", "a1", 1),
                ("a", "a2", 2),
                ("a", "a3", 3),
                ("b", "b1", 4),
                ("b", "b2", 5),
            ],
        );
        // Nothing is due before its next attempt.
        assert_eq!(lease_now(store, 0, "w0", 60), Vec::<String>::new());
        // Worker 1 leases its fair share (two of a tenant, three in all), not yet committed.
        let mut first = store.write().unwrap();
        let leased = first
            .lease_due_notifications(at(10), &lease("w1", 70), 3, 2)
            .unwrap();
        assert_eq!(ids_of(leased), ["a1", "b1", "a2"]);
        // Meanwhile worker 2 leases on another connection: it passes over worker 1's rows
        // without waiting for them.
        let (answer, second_leased) = mpsc::channel();
        let first = std::thread::scope(|scope| {
            scope.spawn(|| {
                let mut second = store.write().unwrap();
                let leased = lease_in(&mut second, 10, "w2", 70);
                second.commit().unwrap();
                answer.send(leased).unwrap();
            });
            let Ok(second) = second_leased.recv_timeout(Wait::from_secs(30)) else {
                drop(first);
                panic!("worker 2 waited for worker 1's uncommitted lease");
            };
            assert_eq!(second, ["a3", "b2"]);
            first
        });
        first.commit().unwrap();
        assert_eq!(lease_now(store, 10, "w3", 70), Vec::<String>::new());
        let a1 = store
            .read()
            .unwrap()
            .notification("a", "a1")
            .unwrap()
            .unwrap();
        assert_eq!(a1.delivery.leased_by.as_deref(), Some("w1"));
        assert_eq!(a1.delivery.leased_until, Some(at(70)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_lease_is_taken_over_and_an_outcome_ends_the_lease() {
    on_a_rules_thread(&["a"], |store| {
        store_messages(store, &[("a", "a1", 1), ("a", "a2", 2)]);
        assert_eq!(lease_now(store, 10, "w1", 60), ["a1", "a2"]);
        // Left alone until the lease expires, by its holder too.
        assert_eq!(lease_now(store, 59, "w2", 120), Vec::<String>::new());
        assert_eq!(lease_now(store, 59, "w1", 120), Vec::<String>::new());
        // a1 was sent: the outcome ends its lease and it is never due again.
        let mut tx = store.write().unwrap();
        let mut a1 = tx.notification("a", "a1").unwrap().unwrap();
        a1.status = MessageStatus::Sent;
        a1.delivery = DeliveryState {
            attempts: 1,
            sent_at: Some(at(20)),
            ..DeliveryState::default()
        };
        assert!(tx.update_notification("a", &a1).unwrap());
        tx.commit().unwrap();
        let read = store
            .read()
            .unwrap()
            .notification("a", "a1")
            .unwrap()
            .unwrap();
        assert_eq!(read.status, MessageStatus::Sent);
        assert_eq!(read.delivery, a1.delivery);
        // w1 died with a2: at its lease's end w2 takes it over.
        assert_eq!(lease_now(store, 60, "w2", 120), ["a2"]);
        assert_eq!(lease_now(store, 61, "w3", 180), Vec::<String>::new());
        // A retry: due again at its next attempt, the lease ended, the answer kept.
        let mut tx = store.write().unwrap();
        let mut a2 = tx.notification("a", "a2").unwrap().unwrap();
        a2.delivery = DeliveryState {
            attempts: 1,
            next_attempt_at: Some(at(90)),
            last_error: Some("451 busy\0".into()),
            ..DeliveryState::default()
        };
        assert!(tx.update_notification("a", &a2).unwrap());
        tx.commit().unwrap();
        assert_eq!(lease_now(store, 89, "w3", 180), Vec::<String>::new());
        assert_eq!(lease_now(store, 90, "w3", 180), ["a2"]);
        let read = store
            .read()
            .unwrap()
            .notification("a", "a2")
            .unwrap()
            .unwrap();
        assert_eq!(
            read.delivery.last_error.as_deref(),
            Some("451 busy\u{fffd}")
        );
        // Acknowledged: gone, and an outcome written after changes nothing.
        let mut tx = store.write().unwrap();
        assert!(tx.delete_notification("a", "a2").unwrap());
        assert!(!tx.update_notification("a", &a2).unwrap());
        tx.commit().unwrap();
        assert_eq!(lease_now(store, 1_000, "w4", 2_000), Vec::<String>::new());
    })
    .await;
}
