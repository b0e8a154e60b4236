//! The hook deliveries aggregate of the storage port on a real PostgreSQL, as the embedded
//! engine's test checks it: the queue of due deliveries follows the deliveries, in due order,
//! shared fairly between tenants; a tenant's deliveries in id order, by status, after a cursor.
//! Here the queue is the table itself: `drop_due_hook` ends a lease, and a delivery leased to
//! a host is not due to the others. Hosts leasing at once get disjoint entries; a lease that
//! expired is taken over.

mod support;

use chrono::{DateTime, Duration, Utc};
use std::sync::mpsc;
use std::time::Duration as Wait;

use portico_core::hook_deliveries::{DeliveryStatus, DueHook, HookDelivery, HookLease};
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

/// Stores pending deliveries `(tenant, id, due after secs)`.
fn store_deliveries(store: &PgStore, deliveries: &[(&str, &str, i64)]) {
    let mut tx = store.write().unwrap();
    for (tenant, id, secs) in deliveries {
        tx.insert_hook_delivery(tenant, &delivery(id, at(*secs)))
            .unwrap();
    }
    tx.commit().unwrap();
}

/// A lease of `holder` until `until` secs.
fn lease(holder: &str, until: i64) -> HookLease {
    HookLease {
        holder: holder.into(),
        until: at(until),
    }
}

/// The entries `tx` leases at `now` secs to `holder` until `until` secs (10 at most, 10 of a
/// tenant).
fn lease_in(tx: &mut impl HookDeliveryWrites, now: i64, holder: &str, until: i64) -> Vec<String> {
    tx.lease_due_hook_deliveries(at(now), &lease(holder, until), 10, 10, &|_| false)
        .unwrap()
        .into_iter()
        .map(|d| d.delivery_id)
        .collect()
}

/// The entries leased at `now` secs to `holder` until `until` secs, in a transaction of their
/// own, committed.
fn lease_entries(store: &PgStore, now: i64, holder: &str, until: i64) -> Vec<DueHook> {
    let mut tx = store.write().unwrap();
    let leased = tx
        .lease_due_hook_deliveries(at(now), &lease(holder, until), 10, 10, &|_| false)
        .unwrap();
    tx.commit().unwrap();
    leased
}

/// `lease_in` a transaction of its own, committed.
fn lease_now(store: &PgStore, now: i64, holder: &str, until: i64) -> Vec<String> {
    let mut tx = store.write().unwrap();
    let leased = lease_in(&mut tx, now, holder, until);
    tx.commit().unwrap();
    leased
}

#[tokio::test(flavor = "multi_thread")]
async fn hosts_leasing_at_once_get_disjoint_entries() {
    on_a_rules_thread(|store, _| {
        store_deliveries(
            store,
            &[
                ("a", "a1", 1),
                ("a", "a2", 2),
                ("a", "a3", 3),
                ("b", "b1", 4),
                ("b", "b2", 5),
            ],
        );
        // Host 1 leases its fair share (two of a tenant, three in all) and has not committed.
        let mut first = store.write().unwrap();
        let leased = first
            .lease_due_hook_deliveries(at(10), &lease("host-1", 70), 3, 2, &|_| false)
            .unwrap();
        let ids: Vec<&str> = leased.iter().map(|d| d.delivery_id.as_str()).collect();
        assert_eq!(ids, ["a1", "b1", "a2"]);
        // Meanwhile host 2 leases on another connection: it passes over host 1's rows
        // without waiting for them.
        let (answer, second_leased) = mpsc::channel();
        let first = std::thread::scope(|scope| {
            scope.spawn(|| {
                let mut second = store.write().unwrap();
                let leased = lease_in(&mut second, 10, "host-2", 70);
                second.commit().unwrap();
                answer.send(leased).unwrap();
            });
            let Ok(second) = second_leased.recv_timeout(Wait::from_secs(30)) else {
                // Rolling back lets host 2 go on, so the test ends.
                drop(first);
                panic!("host 2 waited for host 1's uncommitted lease");
            };
            assert_eq!(second, ["a3", "b2"]);
            first
        });
        first.commit().unwrap();
        // Once both are committed, neither's entries are due to a third host.
        assert_eq!(lease_now(store, 10, "host-3", 70), Vec::<String>::new());
        assert_eq!(due(&store.read().unwrap(), at(10)), []);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_lease_is_taken_over_by_another_holder() {
    on_a_rules_thread(|store, _| {
        store_deliveries(store, &[("a", "a1", 1)]);
        assert_eq!(lease_now(store, 10, "host-1", 60), ["a1"]);
        // Another host leaves it alone until the lease expires; its holder may lease it again.
        assert_eq!(lease_now(store, 59, "host-2", 120), Vec::<String>::new());
        assert_eq!(lease_now(store, 20, "host-1", 60), ["a1"]);
        // Host 1 died mid-delivery: at its lease's end host 2 takes the delivery over.
        assert_eq!(lease_now(store, 60, "host-2", 120), ["a1"]);
        assert_eq!(due(&store.read().unwrap(), at(61)), []);
        assert_eq!(lease_now(store, 61, "host-1", 121), Vec::<String>::new());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_a_due_entry_ends_its_lease() {
    on_a_rules_thread(|store, _| {
        store_deliveries(store, &[("a", "a1", 1), ("a", "a2", 2), ("a", "a3", 3)]);
        let leased = lease_entries(store, 10, "host-1", 60);
        // a1's attempt failed (retried at 12 s), a2 was delivered, a3's attempt runs on.
        let mut tx = store.write().unwrap();
        let mut a1 = tx.hook_delivery("a", "a1").unwrap().unwrap();
        a1.attempts = 1;
        a1.next_attempt_at = Some(at(12));
        tx.update_hook_delivery("a", &a1).unwrap();
        let mut a2 = tx.hook_delivery("a", "a2").unwrap().unwrap();
        a2.status = DeliveryStatus::Delivered;
        a2.next_attempt_at = None;
        tx.update_hook_delivery("a", &a2).unwrap();
        tx.drop_due_hook(&leased[0]).unwrap();
        tx.drop_due_hook(&leased[1]).unwrap();
        tx.commit().unwrap();
        // Only the one still pending with a next attempt is due again, to every host.
        assert_eq!(lease_now(store, 11, "host-2", 70), Vec::<String>::new());
        assert_eq!(lease_now(store, 20, "host-2", 70), ["a1"]);
        assert_eq!(lease_now(store, 59, "host-3", 70), Vec::<String>::new());
        assert_eq!(lease_now(store, 60, "host-3", 120), ["a3"]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_handed_back_lease_ends_at_once_and_only_for_its_holder() {
    on_a_rules_thread(|store, _| {
        store_deliveries(store, &[("a", "a1", 1), ("a", "a2", 2)]);
        let leased = lease_entries(store, 10, "host-1", 60);
        // Another holder handing them back changes nothing.
        let mut tx = store.write().unwrap();
        tx.hand_back_hook_leases("host-2", &leased).unwrap();
        tx.commit().unwrap();
        assert_eq!(lease_now(store, 11, "host-2", 70), Vec::<String>::new());
        // Host 1 stops before attempting a2: another host takes it at once, not at 60 s.
        let mut tx = store.write().unwrap();
        tx.hand_back_hook_leases("host-1", &leased[1..]).unwrap();
        tx.commit().unwrap();
        assert_eq!(lease_now(store, 12, "host-2", 70), ["a2"]);
        assert_eq!(lease_now(store, 13, "host-3", 70), Vec::<String>::new());
    })
    .await;
}
