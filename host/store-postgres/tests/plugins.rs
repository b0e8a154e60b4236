//! The plugins aggregate of the storage port on a real PostgreSQL, as the embedded engine's
//! test checks it: names unique in a tenant and version numbers unique in a plugin (lost races
//! answer the rules' conflict codes), versions in number order, the invocation log oldest first
//! and pruned from its oldest, a plugin deleted with what it owns; and bindings, counters and
//! limits as stored.

mod support;

use chrono::{DateTime, Utc};
use portico_core::domain::plugins::invocations::log_invocation;
use portico_core::plugin_records::{
    Binding, ByOutcome, Counters, FailurePolicy, InvocationRecord, PluginRecord, VersionRecord,
};
use portico_core::plugins::{Interface, LimitOverrides, Outcome};
use portico_core::storage::{PluginReads, PluginWrites, StorageError};
use serde_json::json;
use support::on_a_rules_thread;

/// A time as stored (to the microsecond).
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap()
}

fn plugin(id: &str, name: &str) -> PluginRecord {
    PluginRecord {
        id: id.into(),
        name: name.into(),
        active_version: None,
        latest_version: 0,
        activation_history: Vec::new(),
        created_at: now(),
        updated_at: now(),
    }
}

fn version(plugin_id: &str, version: u32) -> VersionRecord {
    VersionRecord {
        plugin_id: plugin_id.into(),
        version,
        sha256: format!("{:064x}", version),
        size: 1,
        exports: vec![Interface::FieldValidator],
        compiled_size: 1,
        created_at: now(),
    }
}

fn invocation(plugin_id: &str, id: &str) -> InvocationRecord {
    InvocationRecord {
        id: id.into(),
        plugin_id: plugin_id.into(),
        plugin_name: plugin_id.into(),
        version: 1,
        binding_id: None,
        interface: Interface::FieldValidator,
        function: "validate".into(),
        outcome: Outcome::Ok,
        error: None,
        fuel_used: 1,
        duration_us: 1,
        logs: String::new(),
        at: now(),
    }
}

fn binding(id: &str, plugin_id: &str, interface: Interface, enabled: bool) -> Binding {
    Binding {
        id: id.into(),
        plugin_id: plugin_id.into(),
        interface,
        target: "*".into(),
        version: None,
        settings: json!({"strict": true}),
        failure_policy: FailurePolicy::FailClosed,
        enabled,
        created_at: now(),
        updated_at: now(),
    }
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| id(i).to_string()).collect()
}

fn assert_conflict(result: Result<(), StorageError>, code: &str) {
    match result {
        Err(StorageError::Conflict { code: c, .. }) if c == code => {}
        other => panic!("expected the conflict {code}, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn names_and_version_numbers_are_unique_and_a_plugin_goes_with_what_it_owns() {
    on_a_rules_thread(&["t", "u"], |store| {
        let mut tx = store.write().unwrap();
        tx.insert_plugin("t", &plugin("p1", "checker")).unwrap();
        tx.insert_plugin("t", &plugin("p2", "other")).unwrap();
        tx.insert_plugin("u", &plugin("p1", "other")).unwrap();
        // Numbers sort as numbers (10 after 9), and stay within their plugin.
        for v in [1, 9, 10] {
            tx.insert_plugin_version("t", &version("p1", v)).unwrap();
        }
        tx.insert_plugin_version("t", &version("p2", 1)).unwrap();
        for id in ["i1", "i2", "i3"] {
            tx.insert_plugin_invocation("t", &invocation("p1", id))
                .unwrap();
        }
        tx.insert_plugin_invocation("t", &invocation("p2", "i0"))
            .unwrap();
        let counters = Counters {
            total: 3,
            by_outcome: ByOutcome {
                ok: 3,
                ..ByOutcome::default()
            },
            logged: 3,
        };
        for _ in 0..3 {
            tx.count_plugin_call("t", "p1", Outcome::Ok, 1).unwrap();
        }
        tx.commit().unwrap();

        // Another host's plugin with the same name, or version with the same number, loses
        // with the rules' code (each in a transaction of its own: the failure aborts it).
        let mut tx = store.write().unwrap();
        assert_conflict(
            tx.insert_plugin("t", &plugin("p3", "checker")),
            "plugin_name_taken",
        );
        drop(tx);
        let mut tx = store.write().unwrap();
        assert_conflict(
            tx.insert_plugin_version("t", &version("p1", 9)),
            "plugin_version_exists",
        );
        drop(tx);

        let read = store.read().unwrap();
        let numbers = |after| -> Vec<u32> {
            read.plugin_versions_after("t", "p1", after, 10)
                .unwrap()
                .iter()
                .map(|v| v.version)
                .collect()
        };
        assert_eq!(numbers(None), vec![1, 9, 10]);
        assert_eq!(numbers(Some(1)), vec![9, 10]);
        assert_eq!(
            read.plugin_versions_after("t", "p1", None, 2)
                .unwrap()
                .len(),
            2
        );
        let v9 = read.plugin_version("t", "p1", 9).unwrap().unwrap();
        assert_eq!(v9.sha256, format!("{:064x}", 9));
        assert_eq!(v9.exports, [Interface::FieldValidator]);
        assert!(read.plugin_version("t", "p1", 2).unwrap().is_none());
        let all = read.tenant_plugin_versions("t").unwrap();
        let keys: Vec<(&str, u32)> = all
            .iter()
            .map(|v| (v.plugin_id.as_str(), v.version))
            .collect();
        assert_eq!(keys, [("p1", 1), ("p1", 9), ("p1", 10), ("p2", 1)]);
        assert_eq!(
            read.plugin_by_name("t", "checker").unwrap().unwrap().id,
            "p1"
        );
        assert_eq!(read.plugin_by_name("u", "other").unwrap().unwrap().id, "p1");
        assert_eq!(
            ids(&read.plugins_after("t", None, 10).unwrap(), |p| &p.id),
            ["p1", "p2"]
        );
        assert_eq!(
            ids(&read.plugins_after("t", Some("p1"), 10).unwrap(), |p| &p.id),
            ["p2"]
        );
        assert_eq!(read.plugin_counters("t", "p1").unwrap(), Some(counters));
        drop(read);

        let mut tx = store.write().unwrap();
        assert_eq!(
            tx.delete_oldest_plugin_invocations("t", "p1", 2, 0)
                .unwrap(),
            2
        );
        let left = tx.plugin_invocations_after("t", "p1", None, 10).unwrap();
        assert_eq!(ids(&left, |r| &r.id), ["i3"]);
        assert!(tx.delete_plugin("t", "p1").unwrap());
        assert!(!tx.delete_plugin("t", "p1").unwrap());
        assert!(tx.plugin_by_name("t", "checker").unwrap().is_none());
        assert!(tx
            .plugin_invocations_after("t", "p1", None, 10)
            .unwrap()
            .is_empty());
        assert!(tx.plugin_counters("t", "p1").unwrap().is_none());
        let versions = tx.tenant_plugin_versions("t").unwrap();
        assert_eq!(versions.len(), 1, "p2's version stays");
        assert_eq!(
            tx.plugin_invocations_after("t", "p2", None, 10)
                .unwrap()
                .len(),
            1
        );
        // The name is free again.
        tx.insert_plugin("t", &plugin("p3", "checker")).unwrap();
        assert_eq!(tx.plugin_by_name("t", "checker").unwrap().unwrap().id, "p3");
        assert!(tx
            .plugin_by_name("other-tenant", "other")
            .unwrap()
            .is_none());
        assert!(tx.plugin("u", "p1").unwrap().is_some(), "another tenant's");
        tx.commit().unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plugin_is_updated_and_its_log_read_after_a_cursor() {
    on_a_rules_thread(&["t", "u"], |store| {
        let mut tx = store.write().unwrap();
        let mut p = plugin("p1", "checker");
        tx.insert_plugin("t", &p).unwrap();
        p.active_version = Some(2);
        p.latest_version = 3;
        p.activation_history = vec![1, 3];
        tx.update_plugin("t", &p).unwrap();
        let mut record = invocation("p1", "i1");
        record.binding_id = Some("b1".into());
        record.interface = Interface::LifecycleHooks;
        record.function = "after-block".into();
        record.outcome = Outcome::OutOfFuel;
        record.error = Some("fuel\0out".into());
        record.logs = "line\0two".into();
        record.fuel_used = u64::from(u32::MAX) + 1;
        tx.insert_plugin_invocation("t", &record).unwrap();
        tx.insert_plugin_invocation("t", &invocation("p1", "i2"))
            .unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let stored = read.plugin("t", "p1").unwrap().unwrap();
        assert_eq!(stored.active_version, Some(2));
        assert_eq!(stored.latest_version, 3);
        assert_eq!(stored.activation_history, [1, 3]);
        assert_eq!(stored.updated_at, p.updated_at);
        let log = read.plugin_invocations_after("t", "p1", None, 10).unwrap();
        assert_eq!(ids(&log, |r| &r.id), ["i1", "i2"]);
        let first = &log[0];
        assert_eq!(first.binding_id.as_deref(), Some("b1"));
        assert_eq!(first.interface, Interface::LifecycleHooks);
        assert_eq!(first.function, "after-block");
        assert_eq!(first.outcome, Outcome::OutOfFuel);
        assert_eq!(first.error.as_deref(), Some("fuel\u{fffd}out"));
        assert_eq!(first.logs, "line\u{fffd}two");
        assert_eq!(first.fuel_used, u64::from(u32::MAX) + 1);
        assert_eq!(first.at, record.at);
        let after = read
            .plugin_invocations_after("t", "p1", Some("i1"), 10)
            .unwrap();
        assert_eq!(ids(&after, |r| &r.id), ["i2"]);
        assert_eq!(
            read.plugin_invocations_after("t", "p1", None, 1)
                .unwrap()
                .len(),
            1
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bindings_are_listed_in_id_order_and_keep_their_plugin() {
    on_a_rules_thread(&["t", "u"], |store| {
        let mut tx = store.write().unwrap();
        tx.insert_plugin("t", &plugin("p1", "checker")).unwrap();
        tx.insert_plugin("t", &plugin("p2", "other")).unwrap();
        tx.insert_plugin_binding("t", &binding("b3", "p1", Interface::FieldValidator, true))
            .unwrap();
        tx.insert_plugin_binding("t", &binding("b1", "p2", Interface::FieldValidator, true))
            .unwrap();
        tx.insert_plugin_binding("t", &binding("b2", "p1", Interface::SignupPolicy, true))
            .unwrap();
        tx.insert_plugin_binding("t", &binding("b4", "p1", Interface::FieldValidator, false))
            .unwrap();
        let mut changed = binding("b2", "p1", Interface::SignupPolicy, true);
        changed.version = Some(4);
        changed.target = "registration".into();
        changed.failure_policy = FailurePolicy::FailOpen;
        changed.settings = json!({"list": ["a\0b"]});
        tx.update_plugin_binding("t", &changed).unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let all = read.plugin_bindings_after("t", None, 10).unwrap();
        assert_eq!(ids(&all, |b| &b.id), ["b1", "b2", "b3", "b4"]);
        let after = read.plugin_bindings_after("t", Some("b2"), 1).unwrap();
        assert_eq!(ids(&after, |b| &b.id), ["b3"]);
        let using = read.bindings_using_plugin("t", "p1").unwrap();
        assert_eq!(ids(&using, |b| &b.id), ["b2", "b3", "b4"]);
        let enabled = read
            .enabled_plugin_bindings("t", Interface::FieldValidator)
            .unwrap();
        assert_eq!(ids(&enabled, |b| &b.id), ["b1", "b3"]);
        assert!(read
            .enabled_plugin_bindings("t", Interface::LifecycleHooks)
            .unwrap()
            .is_empty());
        let b2 = read.plugin_binding("t", "b2").unwrap().unwrap();
        assert_eq!(b2.version, Some(4));
        assert_eq!(b2.target, "registration");
        assert_eq!(b2.failure_policy, FailurePolicy::FailOpen);
        assert_eq!(b2.settings, json!({"list": ["a\u{fffd}b"]}));
        assert!(read.plugin_binding("u", "b2").unwrap().is_none());
        drop(read);

        // A plugin a binding uses cannot be deleted.
        let mut tx = store.write().unwrap();
        let in_use = tx.delete_plugin("t", "p1").map(|_| ());
        assert_conflict(in_use, "plugin_in_use");
        for id in ["b2", "b3", "b4"] {
            assert!(tx.delete_plugin_binding("t", id).unwrap());
        }
        assert!(!tx.delete_plugin_binding("t", "b2").unwrap());
        assert!(tx.delete_plugin("t", "p1").unwrap());
        tx.commit().unwrap();
        let read = store.read().unwrap();
        let left = read.plugin_bindings_after("t", None, 10).unwrap();
        assert_eq!(ids(&left, |b| &b.id), ["b1"]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn limits_are_replaced_with_unset_ones_left_out() {
    on_a_rules_thread(&["t", "u"], |store| {
        let mut tx = store.write().unwrap();
        assert_eq!(tx.plugin_limit_overrides("t").unwrap(), None);
        assert_eq!(tx.operator_plugin_limits().unwrap(), None);
        let first = LimitOverrides {
            fuel: Some(1_000_000),
            memory_bytes: Some(64 << 20),
            ..LimitOverrides::default()
        };
        tx.set_plugin_limit_overrides("t", &first).unwrap();
        let second = LimitOverrides {
            deadline_ms: Some(50),
            versions: Some(10),
            stored_bytes: Some(u64::from(u32::MAX) * 4),
            ..LimitOverrides::default()
        };
        tx.set_plugin_limit_overrides("t", &second).unwrap();
        tx.set_operator_plugin_limits(&first).unwrap();
        tx.set_operator_plugin_limits(&second).unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert_eq!(
            read.plugin_limit_overrides("t").unwrap(),
            Some(second.clone())
        );
        assert_eq!(read.plugin_limit_overrides("u").unwrap(), None);
        assert_eq!(read.operator_plugin_limits().unwrap(), Some(second));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn counters_count_every_call_of_concurrent_threads() {
    on_a_rules_thread(&["t"], |store| {
        std::thread::scope(|threads| {
            for thread in 0..8 {
                threads.spawn(move || {
                    for call in 0..10 {
                        let mut tx = store.write().unwrap();
                        let outcome = if call % 2 == 0 {
                            Outcome::Ok
                        } else {
                            Outcome::Trap
                        };
                        // The last thread's calls each prune two records counted elsewhere.
                        let logged_change = if thread == 7 { -1 } else { 1 };
                        tx.count_plugin_call("t", "p1", outcome, logged_change)
                            .unwrap();
                        tx.commit().unwrap();
                    }
                });
            }
        });
        let counters = store
            .read()
            .unwrap()
            .plugin_counters("t", "p1")
            .unwrap()
            .unwrap();
        assert_eq!(counters.total, 80);
        assert_eq!(counters.by_outcome.ok, 40);
        assert_eq!(counters.by_outcome.trap, 40);
        assert_eq!(counters.logged, 70 - 10);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_pruner_of_a_plugins_log_at_a_time_and_the_others_do_not_wait() {
    on_a_rules_thread(&["t"], |store| {
        let mut tx = store.write().unwrap();
        for i in 0..6 {
            tx.insert_plugin_invocation("t", &invocation("p1", &format!("i{i}")))
                .unwrap();
        }
        tx.commit().unwrap();
        // Inside: the first pruner deletes the oldest records...
        let mut first = store.write().unwrap();
        assert_eq!(
            first
                .delete_oldest_plugin_invocations("t", "p1", 2, 0)
                .unwrap(),
            2
        );
        // ...past it: a second one meanwhile deletes nothing, at once, instead of waiting.
        let mut second = store.write().unwrap();
        assert_eq!(
            second
                .delete_oldest_plugin_invocations("t", "p1", 2, 0)
                .unwrap(),
            0
        );
        drop(second);
        first.commit().unwrap();
        let left = store
            .read()
            .unwrap()
            .plugin_invocations_after("t", "p1", None, 10)
            .unwrap();
        assert_eq!(left.len(), 4);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plugins_log_stays_bounded_while_many_calls_log_at_once() {
    /// Records kept; the rules let the log reach a tenth more before pruning.
    const KEPT: u64 = 400;
    const THREADS: usize = 16;
    const CALLS: usize = 150;
    on_a_rules_thread(&["t"], |store| {
        let mut tx = store.write().unwrap();
        tx.insert_plugin("t", &plugin("p1", "checker")).unwrap();
        tx.commit().unwrap();
        std::thread::scope(|s| {
            for t in 0..THREADS {
                s.spawn(move || {
                    for i in 0..CALLS {
                        // Ids in call order across the threads, as time-ordered ids are.
                        let record = invocation("p1", &format!("{i:04}-{t:02}"));
                        let mut tx = store.write().unwrap();
                        log_invocation(&mut tx, "t", &record, KEPT).unwrap();
                        tx.commit().unwrap();
                    }
                });
            }
        });
        let read = store.read().unwrap();
        let left = read
            .plugin_invocations_after("t", "p1", None, 1_000)
            .unwrap();
        let counters = read.plugin_counters("t", "p1").unwrap().unwrap();
        assert_eq!(counters.total, (THREADS * CALLS) as u64);
        assert_eq!(
            counters.logged,
            left.len() as u64,
            "the count follows the log"
        );
        // Calls that found the log full while another pruned add theirs before the next prune.
        let bound = KEPT + KEPT / 10 + THREADS as u64;
        assert!(
            left.len() as u64 <= bound,
            "{} records kept, at most {bound}",
            left.len()
        );
        assert!(left.len() as u64 >= KEPT, "the newest {KEPT} stay");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pruning_never_cuts_into_the_newest_records_to_keep() {
    on_a_rules_thread(&["t"], |store| {
        let mut tx = store.write().unwrap();
        tx.insert_plugin("t", &plugin("p1", "checker")).unwrap();
        for i in 0..6 {
            tx.insert_plugin_invocation("t", &invocation("p1", &format!("i{i}")))
                .unwrap();
        }
        // A count a moment old asks for 5; the newest 4 stay whatever it asks.
        assert_eq!(
            tx.delete_oldest_plugin_invocations("t", "p1", 5, 4)
                .unwrap(),
            2
        );
        let left = tx.plugin_invocations_after("t", "p1", None, 10).unwrap();
        assert_eq!(ids(&left, |r| &r.id), ["i2", "i3", "i4", "i5"]);
        tx.commit().unwrap();
    })
    .await;
}
