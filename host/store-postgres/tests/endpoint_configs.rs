//! The endpoint configs aggregate of the storage port on a real PostgreSQL, as the embedded
//! engine's test checks it: a user's configurations replaced, deleted one by one or all
//! together, without touching another user's (one whose id starts with the first one's) or
//! another tenant's; and, here, deleted with their user.

mod support;

use portico_core::storage::{EmailKey, EndpointConfigReads, EndpointConfigWrites, UserWrites};
use portico_store_postgres::PgStore;
use serde_json::json;
use support::user;

fn key(email: &str) -> EmailKey<'_> {
    EmailKey {
        email,
        skeleton: email,
    }
}

/// Runs `check` on a plain thread, as the rules run, with tenant `t` and its users `u1` and
/// `u10`, and tenant `other`.
async fn on_a_rules_thread(check: impl FnOnce(&PgStore) + Send + 'static) {
    support::on_a_rules_thread(&["t", "other"], move |store| {
        let mut tx = store.write().unwrap();
        for id in ["u1", "u10"] {
            let user = user(id, &format!("{id}@x"));
            tx.insert_user("t", &user, key(&user.email)).unwrap();
        }
        tx.commit().unwrap();
        check(store)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_users_configurations_go_with_it_and_no_one_elses() {
    on_a_rules_thread(|store| {
        let mut tx = store.write().unwrap();
        tx.put_endpoint_config("t", "u1", "http", &json!({"a": 1}))
            .unwrap();
        tx.put_endpoint_config("t", "u1", "mail", &json!({"b": 2}))
            .unwrap();
        // An id that starts with the other one's.
        tx.put_endpoint_config("t", "u10", "http", &json!({"c": 3}))
            .unwrap();
        tx.put_endpoint_config(
            "t",
            "u1",
            "http",
            &json!({"a": 4, "nested": {"x": [1, "y"]}}),
        )
        .unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert_eq!(
            read.endpoint_config("t", "u1", "http").unwrap(),
            Some(json!({"a": 4, "nested": {"x": [1, "y"]}}))
        );
        assert_eq!(read.endpoint_config("other", "u1", "http").unwrap(), None);
        assert_eq!(read.endpoint_config("t", "u1", "sms").unwrap(), None);
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(tx.delete_endpoint_config("t", "u1", "mail").unwrap());
        assert!(!tx.delete_endpoint_config("t", "u1", "mail").unwrap());
        tx.put_endpoint_config("t", "u1", "mail", &json!({}))
            .unwrap();
        assert_eq!(
            tx.endpoint_config("t", "u1", "mail").unwrap(),
            Some(json!({}))
        );
        tx.delete_user_endpoint_configs("t", "u1").unwrap();
        assert_eq!(tx.endpoint_config("t", "u1", "http").unwrap(), None);
        assert_eq!(tx.endpoint_config("t", "u1", "mail").unwrap(), None);
        assert_eq!(
            tx.endpoint_config("t", "u10", "http").unwrap(),
            Some(json!({"c": 3}))
        );
        tx.commit().unwrap();

        // A deleted user's configurations go with it.
        let mut tx = store.write().unwrap();
        tx.delete_user("t", "u10", key("u10@x")).unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert_eq!(read.endpoint_config("t", "u10", "http").unwrap(), None);
    })
    .await;
}
