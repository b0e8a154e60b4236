//! The profiles aggregate of the storage port on a real PostgreSQL, as the embedded engine's
//! test checks it: the linked user follows the profile, a user already linked answers the
//! rules' conflict code, profiles are listed in id order after a cursor, and a deleted profile
//! takes its link with it.

mod support;

use chrono::Utc;
use portico_core::profiles::Profile;
use portico_core::storage::{ProfileReads, ProfileWrites, StorageError, StorageResult};
use portico_store_postgres::PgStore;
use support::{database, on_a_plain_thread};

fn profile(id: &str, user_id: Option<&str>) -> Profile {
    Profile {
        id: id.into(),
        email: None,
        first_name: None,
        last_name: None,
        data: serde_json::json!({}),
        user_id: user_id.map(Into::into),
        blocked: false,
        access_granted: false,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn holder(tx: &impl ProfileReads, user: &str) -> Option<String> {
    tx.profile_id_of_user("t", user).unwrap()
}

fn is_user_has_profile(result: &StorageResult<()>) -> bool {
    matches!(
        result,
        Err(StorageError::Conflict {
            code: "user_has_profile",
            ..
        })
    )
}

/// Runs `check` on a plain thread, as the rules run, over a database holding tenants `t` and
/// `other` and users `u1`, `u2` of `t` (a profile's user must exist).
async fn on_a_rules_thread(check: impl FnOnce(&PgStore) + Send + 'static) {
    let (server, store) = database(&["t", "other"]).await;
    server
        .connect("portico")
        .await
        .batch_execute(
            "INSERT INTO users (tenant_id, id, kind, first_name, last_name, email, status, \
             password_expired, created_at, updated_at, number) VALUES \
             ('t', 'u1', 'portal', 'A', 'A', 'u1@x', 'active', false, now(), now(), 1), \
             ('t', 'u2', 'portal', 'B', 'B', 'u2@x', 'active', false, now(), now(), 2)",
        )
        .await
        .unwrap();
    on_a_plain_thread(&store, check).await;
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_user_index_follows_the_profile_and_refuses_a_second_profile() {
    on_a_rules_thread(|store| {
        let mut tx = store.write().unwrap();
        tx.insert_profile("t", &profile("p1", None)).unwrap();
        tx.insert_profile("t", &profile("p2", None)).unwrap();
        tx.update_profile("t", &profile("p1", Some("u1"))).unwrap();
        assert_eq!(holder(&tx, "u1").as_deref(), Some("p1"));
        tx.commit().unwrap();

        // A broken constraint aborts its transaction: each conflict in a transaction of its own.
        let mut tx = store.write().unwrap();
        let taken = tx.update_profile("t", &profile("p2", Some("u1")));
        assert!(is_user_has_profile(&taken), "{taken:?}");
        drop(tx);
        let mut tx = store.write().unwrap();
        let taken = tx.insert_profile("t", &profile("p3", Some("u1")));
        assert!(is_user_has_profile(&taken), "{taken:?}");
        drop(tx);

        let mut tx = store.write().unwrap();
        tx.update_profile("t", &profile("p1", Some("u2"))).unwrap();
        assert_eq!(holder(&tx, "u1"), None);
        assert_eq!(tx.profile_of_user("t", "u2").unwrap().unwrap().id, "p1");
        tx.update_profile("t", &profile("p2", Some("u1"))).unwrap();
        assert!(tx.delete_profile("t", "p1").unwrap());
        assert!(!tx.delete_profile("t", "p1").unwrap());
        assert_eq!(holder(&tx, "u2"), None);
        assert!(!tx.profile_exists("t", "p1").unwrap());
        assert_eq!(holder(&tx, "u1").as_deref(), Some("p2"));
        assert_eq!(tx.profile_id_of_user("other", "u1").unwrap(), None);
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let ids: Vec<String> = read
            .profiles_after("t", None, 10)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, ["p2"]);
        assert!(read.profiles_after("t", Some("p2"), 10).unwrap().is_empty());
        assert!(read.profile("t", "p3").unwrap().is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_reads_back_whole_in_id_order() {
    on_a_rules_thread(|store| {
        let mut tx = store.write().unwrap();
        let mut full = profile("p2", Some("u1"));
        full.email = Some("pat@example.com".into());
        full.first_name = Some("Pat".into());
        full.last_name = Some("Lee".into());
        full.data = serde_json::json!({"vip": true, "tags": ["a", "b"]});
        full.blocked = true;
        full.access_granted = true;
        tx.insert_profile("t", &full).unwrap();
        tx.insert_profile("t", &profile("p1", None)).unwrap();
        tx.insert_profile("t", &profile("p3", None)).unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let stored = read.profile("t", "p2").unwrap().unwrap();
        assert_eq!(stored.email.as_deref(), Some("pat@example.com"));
        assert_eq!(stored.first_name.as_deref(), Some("Pat"));
        assert_eq!(stored.last_name.as_deref(), Some("Lee"));
        assert_eq!(stored.data, full.data);
        assert_eq!(stored.user_id.as_deref(), Some("u1"));
        assert!(stored.blocked && stored.access_granted);
        // Stored to the microsecond.
        let micros = |t: chrono::DateTime<Utc>| t.timestamp_micros();
        assert_eq!(micros(stored.created_at), micros(full.created_at));
        let ids = |after| -> Vec<String> {
            read.profiles_after("t", after, 2)
                .unwrap()
                .into_iter()
                .map(|p| p.id)
                .collect()
        };
        assert_eq!(ids(None), ["p1", "p2"]);
        assert_eq!(ids(Some("p1")), ["p2", "p3"]);
        assert!(read.profiles_after("other", None, 10).unwrap().is_empty());
    })
    .await;
}
