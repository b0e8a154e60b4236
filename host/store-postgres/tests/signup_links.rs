//! The signup links aggregate of the storage port on a real PostgreSQL, as the embedded engine's
//! test checks it: each profile's links listed with their expiry in digest order, an update
//! kept, a delete taking the link and its entry (a delete of a link that is gone changes
//! nothing). Here the profile's index is the links themselves, so no entry is ever without its
//! link; and a deleted profile takes its links with it.

mod support;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use portico_core::signup_links::SignupLink;
use portico_core::storage::{ProfileWrites, SignupLinkReads, SignupLinkWrites};
use portico_store_postgres::PgStore;
use support::{database, digest, on_a_plain_thread};

/// A link of `profile` (times to the microsecond, as stored).
fn link(profile: &str, expires_in_secs: i64) -> SignupLink {
    SignupLink {
        profile_id: profile.into(),
        with_sign: true,
        expires_at: (Utc::now() + Duration::seconds(expires_in_secs)).trunc_subsecs(6),
        confirmation_digest: None,
        failed_confirmations: 0,
        claims: Default::default(),
    }
}

fn entries(tx: &impl SignupLinkReads, profile: &str) -> Vec<(String, Option<DateTime<Utc>>)> {
    tx.signup_links_of_profile("t", profile).unwrap()
}

/// Runs `check` on a plain thread, as the rules run, over a database holding tenants `t` and
/// `other` and profiles `p`, `q` of `t` (a link's profile must exist).
async fn on_a_rules_thread(check: impl FnOnce(&PgStore) + Send + 'static) {
    let (server, store) = database(&["t", "other"]).await;
    server
        .connect("portico")
        .await
        .batch_execute(
            "INSERT INTO profiles (tenant_id, id, data, blocked, access_granted, created_at, \
             updated_at) VALUES ('t', 'p', '{}', false, false, now(), now()), \
             ('t', 'q', '{}', false, false, now(), now())",
        )
        .await
        .unwrap();
    on_a_plain_thread(&store, check).await;
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profile_index_keeps_each_links_expiry() {
    on_a_rules_thread(|store| {
        let mut tx = store.write().unwrap();
        let (a, b, c) = (link("p", 60), link("p", 120), link("q", 60));
        tx.insert_signup_link("t", &digest('b'), &b).unwrap();
        tx.insert_signup_link("t", &digest('a'), &a).unwrap();
        tx.insert_signup_link("t", &digest('c'), &c).unwrap();
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        assert_eq!(
            entries(&tx, "p"),
            [
                (digest('a'), Some(a.expires_at)),
                (digest('b'), Some(b.expires_at)),
            ]
        );
        let mut confirmed = a.clone();
        confirmed.failed_confirmations = 1;
        confirmed.confirmation_digest = Some(format!("hmac-sha256:{}", digest('e')));
        confirmed
            .claims
            .insert("plan".into(), serde_json::json!("gold"));
        tx.update_signup_link("t", &digest('a'), &confirmed)
            .unwrap();
        tx.delete_signup_link("t", "p", &digest('b')).unwrap();
        tx.delete_signup_link("t", "p", &digest('f')).unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert_eq!(entries(&read, "p"), [(digest('a'), Some(a.expires_at))]);
        let stored = read.signup_link("t", &digest('a')).unwrap().unwrap();
        assert_eq!(stored.failed_confirmations, 1);
        assert_eq!(stored.confirmation_digest, confirmed.confirmation_digest);
        assert_eq!(stored.claims, confirmed.claims);
        assert_eq!(stored.profile_id, "p");
        assert!(stored.with_sign);
        assert_eq!(stored.expires_at, a.expires_at);
        assert!(read.signup_link("t", &digest('b')).unwrap().is_none());
        assert_eq!(entries(&read, "q").len(), 1);
        assert!(read
            .signup_links_of_profile("other", "p")
            .unwrap()
            .is_empty());
        assert!(read.signup_link("other", &digest('a')).unwrap().is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_profile_takes_its_links() {
    on_a_rules_thread(|store| {
        let mut tx = store.write().unwrap();
        tx.insert_signup_link("t", &digest('a'), &link("p", 60))
            .unwrap();
        tx.insert_signup_link("t", &digest('c'), &link("q", 60))
            .unwrap();
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        assert!(tx.delete_profile("t", "p").unwrap());
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert!(read.signup_link("t", &digest('a')).unwrap().is_none());
        assert!(entries(&read, "p").is_empty());
        assert_eq!(entries(&read, "q").len(), 1);
    })
    .await;
}
