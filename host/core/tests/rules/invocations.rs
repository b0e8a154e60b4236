//! plugins/invocations.rs
use chrono::Utc;
use portico_core::domain::ids::new_id;
use portico_core::domain::plugins::invocations::log_invocation;
use portico_core::domain::plugins::invocations::MAX_PRUNED_PER_CALL;
use portico_core::domain::plugins::load_counters;
use portico_core::plugin_records::InvocationRecord;
use portico_core::plugins::{Interface, Outcome};
use portico_core::storage::prelude::*;
use portico_store_redb::Store;

fn record(id: String) -> InvocationRecord {
    InvocationRecord {
        id,
        plugin_id: "p".into(),
        plugin_name: "p".into(),
        version: 1,
        binding_id: None,
        interface: Interface::FieldValidator,
        function: "validate".into(),
        outcome: Outcome::Ok,
        error: None,
        fuel_used: 1,
        duration_us: 1,
        logs: String::new(),
        at: Utc::now(),
    }
}

#[test]
fn a_much_lower_maximum_shrinks_the_log_a_bounded_run_per_call() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let logged = || {
        store
            .read()
            .unwrap()
            .plugin_invocations_after("t", "p", None, usize::MAX)
            .unwrap()
            .len() as u64
    };
    let call = |kept| {
        let mut tx = store.write().unwrap();
        log_invocation(&mut tx, "t", &record(new_id()), kept).unwrap();
        tx.commit().unwrap();
    };
    // 1,500 records kept under a maximum of 10,000.
    let mut tx = store.write().unwrap();
    for _ in 0..1_500 {
        log_invocation(&mut tx, "t", &record(new_id()), 10_000).unwrap();
    }
    tx.commit().unwrap();
    assert_eq!(logged(), 1_500);
    // Restarted with a maximum of 10: one call deletes at most 1,000, the next the rest.
    call(10);
    assert_eq!(logged(), 1_501 - MAX_PRUNED_PER_CALL);
    call(10);
    assert_eq!(logged(), 10);
    let counters = load_counters(&store.read().unwrap(), "t", "p").unwrap();
    assert_eq!((counters.total, counters.logged), (1_502, 10));
}
