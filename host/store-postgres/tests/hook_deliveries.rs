//! The hook deliveries aggregate of the storage port on a real PostgreSQL, as the embedded
//! engine's test checks it: the queue of due deliveries follows the deliveries, in due order,
//! shared fairly between tenants; a tenant's deliveries in id order, by status, after a cursor.
//! Here the queue is the table itself: `drop_due_hook` ends a lease, and a delivery leased to
//! a host is not due to the others.

mod support;

use chrono::{DateTime, Duration, Utc};
use portico_core::hook_deliveries::{DeliveryStatus, DueHook, HookDelivery};
use portico_core::storage::{HookDeliveryReads, HookDeliveryWrites};
use portico_store_postgres::PgStore;
use support::{database, on_a_plain_thread};

fn delivery(id: &str, due_at: DateTime<Utc>) -> HookDelivery {
    HookDelivery {
        id: id.into(),
        hook: "after-block".into(),
        profile_id: "p".into(),
        event: serde_json::json!({"profile": {"id": "p"}}),
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

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_700_000_000_000).unwrap() + Duration::seconds(secs)
}

/// Runs `check` on a plain thread, as the rules run, with tenants `a` and `b` stored; `check`
/// also gets the database's URL for the test's own statements.
async fn on_a_rules_thread(check: impl FnOnce(&PgStore, &str) + Send + 'static) {
    let (server, store) = database(&["a", "b"]).await;
    let url = server.url("portico");
    on_a_plain_thread(&store, move |store| check(store, &url)).await;
    drop(server);
}

/// Runs `sql` on a connection of its own (from a rules thread).
fn run_sql(url: &str, sql: &str) {
    let runtime = tokio::runtime::Handle::current();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client.batch_execute(sql).await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn the_queue_follows_the_deliveries_in_due_order_fairly() {
    on_a_rules_thread(|store, _| {
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
        assert_eq!(due(&read, at(1) - Duration::microseconds(1)), []);
        assert_eq!(due(&read, at(1)), [pair("a", "a1")]);
        drop(read);

        let mut tx = store.write().unwrap();
        // Delivered: off the queue. Retried later: moves in the queue.
        let mut a1 = tx.hook_delivery("a", "a1").unwrap().unwrap();
        a1.status = DeliveryStatus::Delivered;
        a1.next_attempt_at = None;
        a1.delivered_at = Some(at(5));
        tx.update_hook_delivery("a", &a1).unwrap();
        let mut a2 = tx.hook_delivery("a", "a2").unwrap().unwrap();
        a2.next_attempt_at = Some(at(50));
        a2.attempts = 1;
        a2.last_error = Some("trap\0here".into());
        a2.effect_errors = vec!["unknown group g".into()];
        a2.done_bindings = vec!["b1".into()];
        tx.update_hook_delivery("a", &a2).unwrap();
        assert!(tx.delete_hook_delivery("b", "b1").unwrap());
        assert!(!tx.delete_hook_delivery("b", "b1").unwrap());
        assert_eq!(due(&tx, at(10)), [pair("a", "a3")]);
        assert_eq!(
            due(&tx, at(100)),
            [pair("a", "a3"), pair("b", "b2"), pair("a", "a2")]
        );
        // The queue is the deliveries: an entry stays due while its delivery is.
        let a3 = tx.due_hook_deliveries(at(10), 1, 1, &|_| false).unwrap();
        tx.drop_due_hook(&a3[0]).unwrap();
        assert_eq!(due(&tx, at(10)), [pair("a", "a3")]);
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
        assert_eq!(ids(None, Some("a1")), ["a2", "a3"]);
        assert_eq!(ids(Some(DeliveryStatus::Pending), None), ["a2", "a3"]);
        assert_eq!(ids(Some(DeliveryStatus::Pending), Some("a2")), ["a3"]);
        assert_eq!(ids(Some(DeliveryStatus::Delivered), None), ["a1"]);
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
        let a2 = read.hook_delivery("a", "a2").unwrap().unwrap();
        assert_eq!(a2.attempts, 1);
        assert_eq!(a2.last_error.as_deref(), Some("trap\u{fffd}here"));
        assert_eq!(a2.effect_errors, ["unknown group g"]);
        assert_eq!(a2.done_bindings, ["b1"]);
        assert_eq!(a2.event["profile"]["id"], "p");
        let a1 = read.hook_delivery("a", "a1").unwrap().unwrap();
        assert_eq!(a1.status, DeliveryStatus::Delivered);
        assert_eq!(a1.delivered_at, Some(at(5)));
        assert!(read.hook_delivery("b", "a1").unwrap().is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delivery_leased_to_a_host_is_not_due_until_its_attempt_ends() {
    on_a_rules_thread(|store, url| {
        let mut tx = store.write().unwrap();
        tx.insert_hook_delivery("a", &delivery("a1", at(1)))
            .unwrap();
        tx.insert_hook_delivery("b", &delivery("b1", at(2)))
            .unwrap();
        tx.commit().unwrap();
        // Another host holds a1's lease until at(60); b1's lease has expired.
        run_sql(
            url,
            "UPDATE hook_deliveries SET leased_by = 'host-2', leased_until = \
             to_timestamp(1700000060) WHERE id = 'a1'; \
             UPDATE hook_deliveries SET leased_by = 'host-3', leased_until = \
             to_timestamp(1700000005) WHERE id = 'b1'",
        );
        assert_eq!(due(&store.read().unwrap(), at(10)), [pair("b", "b1")]);
        assert_eq!(
            due(&store.read().unwrap(), at(60)),
            [pair("a", "a1"), pair("b", "b1")]
        );

        // An update during the attempt keeps the lease; ending the attempt ends it.
        let mut tx = store.write().unwrap();
        let mut a1 = tx.hook_delivery("a", "a1").unwrap().unwrap();
        a1.done_bindings.push("binding".into());
        tx.update_hook_delivery("a", &a1).unwrap();
        assert_eq!(due(&tx, at(10)), [pair("b", "b1")]);
        let entry = DueHook {
            due_at: at(1),
            tenant_id: "a".into(),
            delivery_id: "a1".into(),
        };
        tx.drop_due_hook(&entry).unwrap();
        tx.commit().unwrap();
        assert_eq!(
            due(&store.read().unwrap(), at(10)),
            [pair("a", "a1"), pair("b", "b1")]
        );
    })
    .await;
}
