//! Store tests: staged writes, merged scans, and group commit under concurrent writers.

use std::sync::Arc;
use std::time::Duration;

use super::*;

fn open(policy: CommitPolicy) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), policy).unwrap();
    (dir, store)
}

fn put(store: &Store, key: &str, value: &str) {
    let mut tx = store.write().unwrap();
    tx.put(Table::Users, "t1", key, &value).unwrap();
    tx.commit().unwrap();
}

/// A user record stored under `id` (through the storage port, as the rules write).
fn user_record(id: &str) -> portico_core::users::UserRecord {
    crate::users::tests::user(id, &format!("{id}@example.com"))
}

fn keys(reader: &impl RawReader, prefix: &str, after: Option<&str>, limit: usize) -> Vec<String> {
    reader
        .scan_raw(Table::Users, "t1", prefix, after, limit)
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

#[test]
fn a_write_reads_its_own_staged_changes_in_key_order() {
    let (_dir, store) = open(CommitPolicy::default());
    for k in ["a1", "a3", "a5", "b1"] {
        put(&store, k, "stored");
    }
    let mut tx = store.write().unwrap();
    tx.put(Table::Users, "t1", "a2", &"staged").unwrap();
    tx.put(Table::Users, "t1", "a3", &"replaced").unwrap();
    assert!(tx.delete(Table::Users, "t1", "a5").unwrap());
    assert!(!tx.delete(Table::Users, "t1", "a9").unwrap());
    tx.put(Table::Users, "t2", "a4", &"other tenant").unwrap();
    assert_eq!(keys(&tx, "a", None, 10), ["a1", "a2", "a3"]);
    assert_eq!(keys(&tx, "a", Some("a1"), 10), ["a2", "a3"]);
    assert_eq!(keys(&tx, "a", None, 2), ["a1", "a2"]);
    assert_eq!(keys(&tx, "", None, 10), ["a1", "a2", "a3", "b1"]);
    assert_eq!(
        tx.get::<String>(Table::Users, "t1", "a3")
            .unwrap()
            .as_deref(),
        Some("replaced")
    );
    assert_eq!(tx.get::<String>(Table::Users, "t1", "a5").unwrap(), None);
    // Nothing is visible outside the write before it commits.
    assert_eq!(
        keys(&store.read().unwrap(), "a", None, 10),
        ["a1", "a3", "a5"]
    );
    tx.commit().unwrap();
    assert_eq!(
        keys(&store.read().unwrap(), "a", None, 10),
        ["a1", "a2", "a3"]
    );
}

#[test]
fn a_dropped_write_leaves_nothing() {
    let (_dir, store) = open(CommitPolicy::default());
    put(&store, "kept", "v");
    {
        let mut tx = store.write().unwrap();
        tx.put(Table::Users, "t1", "dropped", &"v").unwrap();
        tx.delete_tenant_data("t1").unwrap();
        assert!(keys(&tx, "", None, 10).is_empty());
    }
    put(&store, "later", "v");
    assert_eq!(
        keys(&store.read().unwrap(), "", None, 10),
        ["kept", "later"]
    );
}

#[test]
fn tenant_removal_and_system_tables_go_through_the_stage() {
    let (_dir, store) = open(CommitPolicy::default());
    put(&store, "u1", "v");
    let mut tx = store.write().unwrap();
    tx.system_put(SystemTable::Tenants, "t1", &"tenant")
        .unwrap();
    tx.system_put(SystemTable::Tenants, "t0", &"tenant")
        .unwrap();
    assert_eq!(
        tx.system_scan::<String>(SystemTable::Tenants, None, 10)
            .unwrap()
            .len(),
        2
    );
    tx.delete_tenant_data("t1").unwrap();
    assert!(tx.system_delete(SystemTable::Tenants, "t0").unwrap());
    tx.commit().unwrap();
    let read = store.read().unwrap();
    assert!(keys(&read, "", None, 10).is_empty());
    let tenants = read
        .system_scan::<String>(SystemTable::Tenants, None, 10)
        .unwrap();
    assert_eq!(tenants, [("t1".to_string(), "tenant".to_string())]);
}

/// Many writers at once: one in three is refused after staging its change; every accepted one
/// is stored, no refused one is, and the writes shared transactions.
#[test]
fn concurrent_writes_share_commits_and_refusals_stay_apart() {
    let (dir, store) = open(CommitPolicy {
        max_batch: 64,
        max_wait: Duration::from_millis(5),
        ..CommitPolicy::default()
    });
    let store = Arc::new(store);
    let writers = 48;
    std::thread::scope(|s| {
        for i in 0..writers {
            let store = store.clone();
            s.spawn(move || {
                for round in 0..5 {
                    let key = format!("w{i:02}-{round}");
                    let mut tx = store.write().unwrap();
                    tx.put(Table::Users, "t1", &key, &"v").unwrap();
                    if i % 3 == 0 {
                        continue; // refused: dropped after staging
                    }
                    tx.commit().unwrap();
                }
            });
        }
    });
    let stored = keys(&store.read().unwrap(), "", None, usize::MAX);
    let expected: Vec<String> = (0..writers)
        .filter(|i| i % 3 != 0)
        .flat_map(|i| (0..5).map(move |r| format!("w{i:02}-{r}")))
        .collect();
    assert_eq!(stored, expected);
    let stats = store.commit_stats();
    assert_eq!(stats.writes, expected.len() as u64);
    assert!(
        stats.commits < stats.writes,
        "writes were not grouped: {stats:?}"
    );
    assert!(stats.largest_batch <= 64);
    // Durable: a reopened file has them all.
    drop(store);
    let reopened = Store::open(dir.path()).unwrap();
    assert_eq!(
        keys(&reopened.read().unwrap(), "", None, usize::MAX),
        expected
    );
}

#[test]
fn one_write_per_transaction_when_the_batch_is_one() {
    let (_dir, store) = open(CommitPolicy {
        max_batch: 1,
        max_wait: Duration::ZERO,
        ..CommitPolicy::default()
    });
    let store = Arc::new(store);
    std::thread::scope(|s| {
        for i in 0..8 {
            let store = store.clone();
            s.spawn(move || put(&store, &format!("k{i}"), "v"));
        }
    });
    let stats = store.commit_stats();
    assert_eq!(
        (stats.commits, stats.writes, stats.largest_batch),
        (8, 8, 1)
    );
}

#[test]
fn a_write_that_changes_nothing_commits_nothing() {
    let (_dir, store) = open(CommitPolicy::default());
    put(&store, "k", "v");
    // A write that stages nothing, with nothing pending, returns without a commit.
    let before = store.commit_stats();
    store.write().unwrap().commit().unwrap();
    assert_eq!(store.commit_stats(), before);
}

#[test]
fn the_schema_version_is_recorded_and_a_newer_one_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(SCHEMA_VERSION));
        let mut tx = store.write().unwrap();
        tx.system_put(SystemTable::Meta, SCHEMA_VERSION_KEY, &(SCHEMA_VERSION + 1))
            .unwrap();
        tx.commit().unwrap();
    }
    assert!(matches!(
        Store::open(dir.path()),
        Err(StoreError::NewerSchema { .. })
    ));
}

#[test]
fn inside_a_deferring_scope_commits_return_early_and_reads_still_see_them() {
    let (_dir, store) = open(CommitPolicy::default());
    let ((), durability) = store.deferring(|| {
        put(&store, "a", "v");
        // Read-your-writes: the snapshot waits for the batch this thread owes.
        assert_eq!(keys(&store.read().unwrap(), "", None, 10), ["a"]);
        put(&store, "b", "v");
    });
    assert!(durability.is_pending());
    durability.wait_blocking().unwrap();
    assert_eq!(keys(&store.read().unwrap(), "", None, 10), ["a", "b"]);
}

#[test]
fn a_write_queued_for_the_next_commit_shares_its_turn() {
    let (_dir, store) = open(CommitPolicy::default());
    let before = store.commit_stats();
    let ((), durability) = store.deferring(|| {
        store
            .write_with_next_commit(Box::new(|tx| tx.update_user("t1", &user_record("log"))))
            .unwrap();
        put(&store, "data", "v");
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(durability.wait()).unwrap();
    let after = store.commit_stats();
    assert_eq!(after.writes - before.writes, 1, "{before:?} -> {after:?}");
    assert_eq!(keys(&store.read().unwrap(), "", None, 10), ["data", "log"]);
}

#[test]
fn a_queued_write_without_a_commit_gets_its_own_turn_when_the_scope_ends() {
    let (_dir, store) = open(CommitPolicy::default());
    let ((), durability) = store.deferring(|| {
        store
            .write_with_next_commit(Box::new(|tx| tx.update_user("t1", &user_record("log"))))
            .unwrap();
        // A write that is dropped does not take the queued one with it.
        let mut tx = store.write().unwrap();
        tx.put(Table::Users, "t1", "dropped", &"v").unwrap();
    });
    durability.wait_blocking().unwrap();
    assert_eq!(keys(&store.read().unwrap(), "", None, 10), ["log"]);

    // Outside a scope it is written (durably) at once.
    store
        .write_with_next_commit(Box::new(|tx| tx.update_user("t1", &user_record("now"))))
        .unwrap();
    assert_eq!(keys(&store.read().unwrap(), "", None, 10), ["log", "now"]);
}

#[test]
fn a_panic_inside_a_scope_closes_it() {
    let (_dir, store) = open(CommitPolicy::default());
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        store.deferring(|| panic!("on purpose"))
    }));
    assert!(panicked.is_err());
    // The thread is back to durable commits: the write is visible as soon as it returns.
    put(&store, "after", "v");
    assert_eq!(keys(&store.read().unwrap(), "", None, 10), ["after"]);
    // A nested scope runs inside the outer one.
    let (((), inner), outer) = store.deferring(|| store.deferring(|| put(&store, "x", "v")));
    assert!(!inner.is_pending());
    outer.wait_blocking().unwrap();
}

#[test]
fn configuration_values_are_reused_until_configuration_is_written() {
    let (_dir, store) = open(CommitPolicy::default());
    let loads = std::cell::Cell::new(0);
    let limits = |store: &Store| -> Arc<Option<String>> {
        store
            .config_cached("limits", |tx| -> StoreResult<Option<String>> {
                loads.set(loads.get() + 1);
                tx.get(Table::PluginLimits, "t1", "limits")
            })
            .unwrap()
    };
    assert_eq!(*limits(&store), None);
    assert_eq!(*limits(&store), None);
    assert_eq!(loads.get(), 1, "the second read is served from the cache");

    // A write to a table that is not configuration keeps the value.
    put(&store, "u1", "v");
    assert_eq!(*limits(&store), None);
    assert_eq!(loads.get(), 1);

    // A committed configuration write is seen by the next read.
    let mut tx = store.write().unwrap();
    tx.put(Table::PluginLimits, "t1", "limits", &"strict")
        .unwrap();
    tx.commit().unwrap();
    assert_eq!(limits(&store).as_deref(), Some("strict"));
    assert_eq!(loads.get(), 2);

    // A dropped configuration write changes nothing.
    let mut tx = store.write().unwrap();
    tx.put(Table::PluginLimits, "t1", "limits", &"dropped")
        .unwrap();
    drop(tx);
    assert_eq!(limits(&store).as_deref(), Some("strict"));

    // Inside a deferring scope, the thread's own uncommitted change is waited for, not hidden.
    let ((), durability) = store.deferring(|| {
        let mut tx = store.write().unwrap();
        tx.put(Table::PluginLimits, "t1", "limits", &"loose")
            .unwrap();
        tx.commit().unwrap();
        assert_eq!(limits(&store).as_deref(), Some("loose"));
    });
    durability.wait_blocking().unwrap();

    // A system configuration table (tenants) invalidates too.
    let mut tx = store.write().unwrap();
    tx.system_put(SystemTable::Tenants, "t1", &"tenant")
        .unwrap();
    tx.commit().unwrap();
    let before = loads.get();
    limits(&store);
    assert_eq!(loads.get(), before + 1);
}

/// A second write of a deferring scope reads while it holds its turn: the batch its first write
/// joined must not be the one that turn holds open (it could never commit).
#[test]
fn a_read_inside_a_later_write_of_a_scope_does_not_wait_on_its_own_turn() {
    let (_dir, store) = open(CommitPolicy {
        max_wait: Duration::from_secs(1),
        ..CommitPolicy::default()
    });
    let store = Arc::new(store);
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let in_scope = store.clone();
    std::thread::spawn(move || {
        let store = &in_scope;
        let ((), durability) = store.deferring(|| {
            put(store, "first", "v");
            let mut tx = store.write().unwrap();
            assert_eq!(keys(&store.read().unwrap(), "", None, 10), ["first"]);
            tx.put(Table::Users, "t1", "second", &"v").unwrap();
            tx.commit().unwrap();
        });
        durability.wait_blocking().unwrap();
        done_tx.send(()).unwrap();
    });
    done_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the scope's second write deadlocked on its own batch");
    assert_eq!(
        keys(&store.read().unwrap(), "", None, 10),
        ["first", "second"]
    );
}

/// Writes `a` = "first" on another thread and returns once the committer has taken its batch
/// (the store's `commit_delay` then holds it before the fsync).
fn first_write_held_by_the_committer(store: &Arc<Store>) -> std::thread::JoinHandle<()> {
    let first = {
        let store = store.clone();
        std::thread::spawn(move || put(&store, "a", "first"))
    };
    while store.shared.group.open_batch_id() == 1 {
        std::thread::sleep(Duration::from_millis(5));
    }
    first
}

#[test]
fn a_writer_takes_its_turn_while_the_previous_batch_commits_and_reads_it() {
    let (_dir, store) = open(CommitPolicy {
        commit_delay: Duration::from_millis(400),
        ..CommitPolicy::default()
    });
    let store = Arc::new(store);
    let first = first_write_held_by_the_committer(&store);
    let mut tx = store.write().unwrap();
    // The turn sees the committing batch's write, which no read snapshot holds yet.
    assert_eq!(
        tx.get::<String>(Table::Users, "t1", "a")
            .unwrap()
            .as_deref(),
        Some("first")
    );
    assert_eq!(keys(&tx, "", None, 10), ["a"]);
    assert!(!store
        .read()
        .unwrap()
        .exists(Table::Users, "t1", "a")
        .unwrap());
    tx.put(Table::Users, "t1", "b", &"second").unwrap();
    tx.delete(Table::Users, "t1", "a").unwrap();
    tx.commit().unwrap();
    first.join().unwrap();
    let read = store.read().unwrap();
    assert_eq!(keys(&read, "", None, 10), ["b"]);
    assert_eq!(store.commit_stats().commits, 2);
}

#[test]
fn with_batches_of_one_a_turn_begins_only_after_the_previous_write_is_durable() {
    let (_dir, store) = open(CommitPolicy {
        max_batch: 1,
        commit_delay: Duration::from_millis(200),
        ..CommitPolicy::default()
    });
    let store = Arc::new(store);
    let first = first_write_held_by_the_committer(&store);
    // The committer holds the first write; this turn waits for it to be durable.
    let tx = store.write().unwrap();
    assert!(store
        .read()
        .unwrap()
        .exists(Table::Users, "t1", "a")
        .unwrap());
    drop(tx);
    first.join().unwrap();
}
