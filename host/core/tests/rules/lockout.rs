//! portal/lockout.rs
use chrono::Duration;
use chrono::Utc;
use portico_core::domain::portal::lockout::{check_not_locked, clear_failures, record_failure};
use portico_core::domain::*;
use portico_core::portal::PortalSettings;
use portico_core::sign_in_attempts::SignInAttempts;
use portico_core::storage::WriteTransaction;
use portico_store_redb::Store;

fn wrong() -> DomainError {
    DomainError::unauthenticated("invalid_credentials", "wrong email or password")
}

/// A failure of `email` recorded `hours_ago`, as `record_failure` leaves it.
fn failed_before(tx: &mut dyn WriteTransaction, email: &str, failures: u32, hours_ago: i64) {
    let at = Utc::now() - Duration::hours(hours_ago);
    let attempts = SignInAttempts {
        failures,
        locked_until: None,
        last_failure_at: Some(at),
    };
    tx.save_sign_in_attempts("t", email, &attempts).unwrap();
}

fn emails(store: &Store) -> (Vec<String>, Vec<String>) {
    store.read().unwrap().sign_in_attempt_emails("t")
}

fn fail(store: &Store, email: &str) -> DomainError {
    let mut tx = store.write().unwrap();
    let settings = PortalSettings::default();
    let answer = record_failure(&mut tx, "t", email, &settings, wrong(), Utc::now()).unwrap();
    tx.commit().unwrap();
    answer
}

#[test]
fn failures_in_a_row_lock_and_a_success_forgets_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let max = PortalSettings::default().max_failed_sign_ins;
    for _ in 1..max {
        assert!(matches!(
            fail(&store, "a@x.com"),
            DomainError::Unauthenticated { .. }
        ));
        check_not_locked(&store.read().unwrap(), "t", "a@x.com", Utc::now()).unwrap();
    }
    assert!(matches!(
        fail(&store, "a@x.com"),
        DomainError::TooManyRequests { .. }
    ));
    assert!(check_not_locked(&store.read().unwrap(), "t", "a@x.com", Utc::now()).is_err());
    assert_eq!(
        emails(&store),
        (vec!["a@x.com".into()], vec!["a@x.com".into()])
    );

    let mut tx = store.write().unwrap();
    clear_failures(&mut tx, "t", "a@x.com").unwrap();
    tx.commit().unwrap();
    assert_eq!(emails(&store), (vec![], vec![]));
}

#[test]
fn old_failures_start_again_and_are_deleted_by_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut tx = store.write().unwrap();
    let max = PortalSettings::default().max_failed_sign_ins;
    failed_before(&mut tx, "old1@x.com", 1, 50);
    failed_before(&mut tx, "old2@x.com", 1, 49);
    failed_before(&mut tx, "old3@x.com", max - 1, 48);
    failed_before(&mut tx, "recent@x.com", 1, 1);
    tx.commit().unwrap();

    // Two of the oldest go with each new failure.
    fail(&store, "new@x.com");
    let (records, indexed) = emails(&store);
    assert_eq!(records, ["new@x.com", "old3@x.com", "recent@x.com"]);
    assert_eq!(indexed, ["old3@x.com", "recent@x.com", "new@x.com"]);
    // old3 was one failure from a lock two days ago: it starts again from zero.
    assert!(matches!(
        fail(&store, "old3@x.com"),
        DomainError::Unauthenticated { .. }
    ));
    check_not_locked(&store.read().unwrap(), "t", "old3@x.com", Utc::now()).unwrap();
    // Within the memory nothing else goes.
    let (records, _) = emails(&store);
    assert_eq!(records, ["new@x.com", "old3@x.com", "recent@x.com"]);
}
