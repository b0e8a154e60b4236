//! The identity providers aggregate of the storage port on a real PostgreSQL, as the embedded
//! engine's test checks it: the name unique in its tenant, a (provider, external id) pair held
//! by one user (a second holder answers `external_id_taken`, at the check and at the user
//! write), unlinking freeing the pair, pages in id order, a deleted provider's name free again.
//! Here the links are stored with their users, so the test writes the users that hold them.

mod support;

use chrono::Utc;
use portico_core::identity_providers::IdentityProvider;
use portico_core::storage::{
    EmailKey, IdentityProviderReads, IdentityProviderWrites, StorageError, StorageResult,
    UserReads, UserWrites,
};
use portico_core::users::{ProviderLink, UserRecord};
use support::on_a_rules_thread;

fn provider(id: &str, name: &str) -> IdentityProvider {
    IdentityProvider {
        id: id.into(),
        name: name.into(),
        created_at: Utc::now(),
    }
}

/// User `id` linked to each (provider, external id) of `links`.
fn user(id: &str, links: &[(&str, &str)]) -> UserRecord {
    UserRecord {
        identity_providers: links
            .iter()
            .map(|(provider_id, external_id)| ProviderLink {
                provider_id: provider_id.to_string(),
                external_id: Some(external_id.to_string()),
            })
            .collect(),
        ..support::user(id, &format!("{id}@x"))
    }
}

fn insert_user(tx: &mut impl UserWrites, user: &UserRecord) -> StorageResult<()> {
    let skeleton = format!("{}-skeleton", user.email);
    let key = EmailKey {
        email: &user.email,
        skeleton: &skeleton,
    };
    tx.insert_user("t", user, key)
}

fn is_conflict<T: std::fmt::Debug>(result: StorageResult<T>, code: &str) -> bool {
    let conflict = matches!(&result, Err(StorageError::Conflict { code: c, .. }) if *c == code);
    assert!(conflict, "{result:?}");
    conflict
}

#[tokio::test(flavor = "multi_thread")]
async fn names_and_external_ids_have_one_holder() {
    on_a_rules_thread(&["t", "other"], |store| {
        let mut tx = store.write().unwrap();
        tx.insert_identity_provider("t", &provider("p2", "slack"))
            .unwrap();
        tx.insert_identity_provider("t", &provider("p1", "google"))
            .unwrap();
        tx.insert_identity_provider("other", &provider("p9", "slack"))
            .unwrap();
        tx.commit().unwrap();

        // A violated constraint aborts its transaction: the conflict in one of its own.
        let mut tx = store.write().unwrap();
        let taken = tx.insert_identity_provider("t", &provider("p3", "slack"));
        assert!(is_conflict(taken, "identity_provider_name_taken"));
        drop(tx);

        let mut tx = store.write().unwrap();
        // A new user's link is checked before the user is stored.
        tx.link_external_id("t", "p2", "U123", "u1").unwrap();
        insert_user(&mut tx, &user("u1", &[("p2", "U123")])).unwrap();
        // The holder may link again; another user may not.
        tx.link_external_id("t", "p2", "U123", "u1").unwrap();
        let linked = tx.link_external_id("t", "p2", "U123", "u2");
        assert!(is_conflict(linked, "external_id_taken"));
        tx.link_external_id("t", "p1", "U123", "u2").unwrap();
        insert_user(&mut tx, &user("u2", &[("p1", "U123")])).unwrap();
        tx.commit().unwrap();

        // Another host's user written with a pair that is taken loses with the rules' code.
        let mut tx = store.write().unwrap();
        let written = tx.update_user("t", &user("u2", &[("p1", "U123"), ("p2", "U123")]));
        assert!(is_conflict(written, "external_id_taken"));
        drop(tx);

        let read = store.read().unwrap();
        assert_eq!(
            read.user_with_external_id("t", "p2", "U123")
                .unwrap()
                .as_deref(),
            Some("u1")
        );
        let by_name = read.identity_provider_by_name("t", "slack").unwrap();
        assert_eq!(by_name.unwrap().id, "p2");
        assert_eq!(
            read.identity_provider("t", "p1").unwrap().unwrap().name,
            "google"
        );
        assert!(read.identity_provider_name_taken("t", "google").unwrap());
        let ids: Vec<String> = read
            .identity_providers_after("t", None, 10)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, ["p1", "p2"]);
        let after = read.identity_providers_after("t", Some("p1"), 10).unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(
            read.identity_providers_after("t", None, 1).unwrap().len(),
            1
        );
        assert_eq!(
            read.user_with_external_id("other", "p2", "U123").unwrap(),
            None
        );
        drop(read);

        // Moving the pair to another user in one transaction, as the rules do.
        let mut tx = store.write().unwrap();
        tx.unlink_external_id("t", "p2", "U123").unwrap();
        tx.link_external_id("t", "p2", "U123", "u2").unwrap();
        tx.update_user("t", &user("u1", &[])).unwrap();
        tx.update_user("t", &user("u2", &[("p1", "U123"), ("p2", "U123")]))
            .unwrap();
        assert_eq!(
            tx.user_with_external_id("t", "p2", "U123")
                .unwrap()
                .as_deref(),
            Some("u2")
        );
        assert!(tx.delete_identity_provider("t", "p2").unwrap());
        assert!(!tx.delete_identity_provider("t", "p2").unwrap());
        assert!(!tx.identity_provider_name_taken("t", "slack").unwrap());
        assert!(tx.identity_provider_name_taken("other", "slack").unwrap());
        assert!(tx.identity_provider("t", "p2").unwrap().is_none());
        tx.commit().unwrap();

        // The deleted provider's links went with it.
        let read = store.read().unwrap();
        assert_eq!(read.user_with_external_id("t", "p2", "U123").unwrap(), None);
        let u2 = read.user("t", "u2").unwrap().unwrap();
        assert_eq!(u2.identity_providers.len(), 1);
        assert_eq!(u2.identity_providers[0].provider_id, "p1");
    })
    .await;
}
