//! The users aggregate of the storage port on a real PostgreSQL, as the embedded engine's test
//! checks it: the email and its confusable skeleton each have one holder in the tenant (a
//! second holder answers `email_taken`), the index follows a moved email and goes with a
//! deleted user; and what this engine stores beside the record: memberships and links in their
//! order, users by group, by provider and by kind, documents and statuses read back as written.

mod support;

use chrono::Utc;
use portico_core::groups::Group;
use portico_core::identity_providers::IdentityProvider;
use portico_core::storage::{
    EmailKey, EmailTaken, GroupWrites, IdentityProviderWrites, StorageError, StorageResult,
    UserReads, UserWrites,
};
use portico_core::users::{Membership, ProviderLink, UserKind, UserRecord, UserStatus};
use serde_json::json;
use support::{on_a_rules_thread, user};

fn key<'a>(email: &'a str, skeleton: &'a str) -> EmailKey<'a> {
    EmailKey { email, skeleton }
}

fn ids(users: Vec<UserRecord>) -> Vec<String> {
    users.into_iter().map(|u| u.id).collect()
}

fn is_email_taken<T: std::fmt::Debug>(result: StorageResult<T>) -> bool {
    let taken = matches!(
        result,
        Err(StorageError::Conflict {
            code: "email_taken",
            ..
        })
    );
    assert!(taken, "{result:?}");
    taken
}

#[tokio::test(flavor = "multi_thread")]
async fn the_email_index_follows_the_user_and_refuses_a_second_holder() {
    on_a_rules_thread(&["t", "other-tenant"], |store| {
        let mut tx = store.write().unwrap();
        tx.insert_user("t", &user("u1", "a@x"), key("a@x", "a-x"))
            .unwrap();
        tx.commit().unwrap();

        // A violated constraint aborts its transaction: each conflict in one of its own.
        let mut tx = store.write().unwrap();
        assert!(is_email_taken(tx.insert_user(
            "t",
            &user("u2", "a@x"),
            key("a@x", "other")
        )));
        drop(tx);
        let mut tx = store.write().unwrap();
        assert!(is_email_taken(tx.insert_user(
            "t",
            &user("u2", "b@x"),
            key("b@x", "a-x")
        )));
        drop(tx);

        let mut tx = store.write().unwrap();
        tx.insert_user("t", &user("u2", "b@x"), key("b@x", "b-x"))
            .unwrap();
        tx.commit().unwrap();
        let mut tx = store.write().unwrap();
        let onto_a = tx.move_user_email("t", "u2", key("b@x", "b-x"), key("a@x", "a-x"));
        assert!(is_email_taken(onto_a));
        drop(tx);
        let mut tx = store.write().unwrap();
        let onto_a_lookalike = tx.move_user_email("t", "u2", key("b@x", "b-x"), key("d@x", "a-x"));
        assert!(is_email_taken(onto_a_lookalike));
        drop(tx);

        let mut tx = store.write().unwrap();
        assert_eq!(
            tx.email_taken("t", key("a@x", "b-x")).unwrap(),
            Some(EmailTaken::Exact("u1".into()))
        );
        tx.move_user_email("t", "u1", key("a@x", "a-x"), key("c@x", "c-x"))
            .unwrap();
        tx.update_user("t", &user("u1", "c@x")).unwrap();
        assert_eq!(tx.user_id_by_email("t", "a@x").unwrap(), None);
        assert_eq!(
            tx.user_id_by_email("t", "c@x").unwrap().as_deref(),
            Some("u1")
        );
        assert_eq!(
            tx.email_taken("t", key("z@x", "c-x")).unwrap(),
            Some(EmailTaken::Lookalike("u1".into()))
        );
        tx.delete_user("t", "u1", key("c@x", "c-x")).unwrap();
        assert_eq!(tx.email_taken("t", key("c@x", "c-x")).unwrap(), None);
        assert!(!tx.user_exists("t", "u1").unwrap());
        assert!(tx.user_exists("t", "u2").unwrap());
        assert_eq!(tx.user_id_by_email("other-tenant", "b@x").unwrap(), None);
        tx.commit().unwrap();

        // The same email in another tenant is another index.
        let mut tx = store.write().unwrap();
        tx.insert_user("other-tenant", &user("u2", "b@x"), key("b@x", "b-x"))
            .unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert_eq!(
            read.user_id_by_email("other-tenant", "b@x")
                .unwrap()
                .as_deref(),
            Some("u2")
        );
        assert_eq!(read.user("t", "u2").unwrap().unwrap().email, "b@x");
    })
    .await;
}

fn group(id: &str) -> Group {
    Group {
        id: id.into(),
        name: id.into(),
        label: "People".into(),
        created_at: Utc::now(),
    }
}

fn provider(id: &str) -> IdentityProvider {
    IdentityProvider {
        id: id.into(),
        name: id.into(),
        created_at: Utc::now(),
    }
}

fn member(group_id: &str, primary: bool) -> Membership {
    Membership {
        group_id: group_id.into(),
        primary,
    }
}

fn link(provider_id: &str, external_id: Option<&str>) -> ProviderLink {
    ProviderLink {
        provider_id: provider_id.into(),
        external_id: external_id.map(Into::into),
    }
}

/// A user with every field set, memberships and links in an order that is not id order.
fn full_user() -> UserRecord {
    UserRecord {
        kind: UserKind::Internal,
        status: UserStatus::Invited,
        groups: vec![member("g2", false), member("g1", true)],
        identity_providers: vec![link("p2", Some("U1")), link("p1", None)],
        oauth_provider_id: Some("p2".into()),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        password_expired: true,
        reset_code_digest: Some("a".repeat(64)),
        notification_data: Some(json!({"email": "f@x"})),
        state: Some(json!({"step": 2, "note": "nul\u{0}here"})),
        ..user("u3", "f@x")
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn memberships_and_links_are_written_with_the_user() {
    on_a_rules_thread(&["t", "other-tenant"], |store| {
        let mut tx = store.write().unwrap();
        for id in ["g1", "g2"] {
            tx.insert_group("t", &group(id)).unwrap();
        }
        for id in ["p1", "p2"] {
            tx.insert_identity_provider("t", &provider(id)).unwrap();
        }
        tx.insert_user("t", &full_user(), key("f@x", "f-x"))
            .unwrap();
        let mut plain = user("u1", "a@x");
        plain.groups = vec![member("g1", true)];
        plain.notification_data = Some(serde_json::Value::Null);
        tx.insert_user("t", &plain, key("a@x", "a-x")).unwrap();
        tx.insert_user("t", &user("u2", "b@x"), key("b@x", "b-x"))
            .unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let u3 = read.user("t", "u3").unwrap().unwrap();
        let want = full_user();
        assert_eq!((u3.kind, u3.status), (want.kind, want.status));
        let groups: Vec<(&str, bool)> = u3
            .groups
            .iter()
            .map(|m| (m.group_id.as_str(), m.primary))
            .collect();
        assert_eq!(groups, [("g2", false), ("g1", true)]);
        let links: Vec<(&str, Option<&str>)> = u3
            .identity_providers
            .iter()
            .map(|l| (l.provider_id.as_str(), l.external_id.as_deref()))
            .collect();
        assert_eq!(links, [("p2", Some("U1")), ("p1", None)]);
        assert_eq!(u3.oauth_provider_id, want.oauth_provider_id);
        assert_eq!(u3.password_hash, want.password_hash);
        assert!(u3.password_expired);
        assert_eq!(u3.reset_code_digest, want.reset_code_digest);
        assert_eq!(u3.notification_data, want.notification_data);
        assert_eq!(
            u3.state,
            Some(json!({"step": 2, "note": "nul\u{fffd}here"}))
        );
        assert_eq!(
            read.user("t", "u1").unwrap().unwrap().notification_data,
            None
        );

        assert_eq!(ids(read.users_in_group("t", "g1").unwrap()), ["u1", "u3"]);
        assert_eq!(ids(read.users_in_group("t", "g2").unwrap()), ["u3"]);
        assert_eq!(ids(read.users_linked_to("t", "p1").unwrap()), ["u3"]);
        assert_eq!(read.count_users("t", UserKind::Portal).unwrap(), 2);
        assert_eq!(read.count_users("t", UserKind::Internal).unwrap(), 1);
        assert_eq!(
            read.count_users("other-tenant", UserKind::Portal).unwrap(),
            0
        );
        assert_eq!(ids(read.users_after("t", None, 2).unwrap()), ["u1", "u2"]);
        assert_eq!(ids(read.users_after("t", Some("u2"), 10).unwrap()), ["u3"]);
        assert!(read
            .users_after("other-tenant", None, 10)
            .unwrap()
            .is_empty());
        drop(read);

        // An update rewrites memberships and links, and keeps the email index.
        let mut tx = store.write().unwrap();
        let mut u3 = full_user();
        u3.groups = vec![member("g2", true)];
        u3.identity_providers = vec![link("p1", Some("U9"))];
        u3.status = UserStatus::Blocked;
        tx.update_user("t", &u3).unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        let stored = read.user("t", "u3").unwrap().unwrap();
        assert_eq!(stored.status, UserStatus::Blocked);
        assert_eq!(ids(read.users_in_group("t", "g1").unwrap()), ["u1"]);
        assert!(read.users_linked_to("t", "p2").unwrap().is_empty());
        assert_eq!(
            read.email_taken("t", key("q@x", "f-x")).unwrap(),
            Some(EmailTaken::Lookalike("u3".into()))
        );
        drop(read);

        // Deleting the user deletes its memberships and links.
        let mut tx = store.write().unwrap();
        tx.delete_user("t", "u3", key("f@x", "f-x")).unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert!(read.user("t", "u3").unwrap().is_none());
        assert!(read.users_in_group("t", "g2").unwrap().is_empty());
        assert!(read.users_linked_to("t", "p1").unwrap().is_empty());
    })
    .await;
}
