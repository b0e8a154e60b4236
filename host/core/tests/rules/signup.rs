//! portal/signup.rs
use chrono::{DateTime, Duration, Utc};
use portico_core::domain::portal::signup::{indexed_links, live_links, prune_expired_links};
use portico_core::signup_links::SignupLink;
use portico_core::storage::prelude::*;
use portico_store_redb::Store;

fn link(expires_at: DateTime<Utc>) -> SignupLink {
    SignupLink {
        profile_id: "p".into(),
        with_sign: true,
        expires_at,
        confirmation_digest: None,
        failed_confirmations: 0,
        claims: Default::default(),
    }
}

/// Index entries carry the expiry (older ones do not: the link is read instead); expired
/// links are pruned, live ones kept and counted.
#[test]
fn expired_links_are_pruned_and_live_ones_counted() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let now = Utc::now();
    let (past, future) = (now - Duration::seconds(5), now + Duration::seconds(600));
    let mut tx = store.write().unwrap();
    for (digest, expires_at, indexed) in [
        ("expired", past, Some(past)),
        ("live", future, Some(future)),
        ("old-expired", past, None),
        ("old-live", future, None),
    ] {
        tx.insert_signup_link("t", digest, &link(expires_at))
            .unwrap();
        if indexed.is_none() {
            tx.index_signup_link_without_expiry("t", "p", digest);
        }
    }
    assert_eq!(live_links(&tx, "t", "p", now).unwrap(), 2);
    prune_expired_links(&mut tx, "t", "p", now).unwrap();
    let mut left: Vec<String> = indexed_links(&tx, "t", "p")
        .unwrap()
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    left.sort();
    assert_eq!(left, ["live", "old-live"]);
    assert!(tx.signup_link("t", "expired").unwrap().is_none());
    assert!(tx.signup_link("t", "old-expired").unwrap().is_none());
    assert_eq!(live_links(&tx, "t", "p", now).unwrap(), 2);
    tx.commit().unwrap();
}
