//! The auth providers aggregate on a real PostgreSQL, mirroring the embedded engine's test:
//! markers unique per tenant, providers in number order, the form look-up; a used form cannot
//! be deleted under the rules' feet; a change made on one host is seen by the cached list of
//! another.

mod support;

use std::sync::Arc;

use chrono::Utc;
use portico_core::auth_providers::{AuthProvider, AuthProviderType};
use portico_core::forms::Form;
use portico_core::storage::prelude::*;
use portico_core::storage::{Storage, StorageError};
use portico_store_postgres::{PgConfig, PgStore, CONCURRENT_CHANGE};
use serde_json::json;
use support::{database, keys, on_a_rules_thread, unique_number};

fn provider(identifier: &str, number: u64, form: &str) -> AuthProvider {
    AuthProvider {
        identifier: identifier.into(),
        number,
        provider_type: AuthProviderType::Email,
        form_identifier: form.into(),
        user_group_identifier: Some("customers".into()),
        is_active: true,
        is_check_code: true,
        self_signup: false,
        localize_infos: serde_json::from_value(json!({"en_US": {"title": "Email\u{0}"}})).unwrap(),
        config: serde_json::from_value(json!({"deleteNoneActiveUsersAfterDays": 2})).unwrap(),
        version: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn form(identifier: &str) -> Form {
    serde_json::from_value(json!({
        "identifier": identifier, "number": unique_number(), "title": {}, "fields": [],
        "loginMarker": null, "passwordMarker": null,
        "createdAt": Utc::now(), "updatedAt": Utc::now(),
    }))
    .unwrap()
}

/// `found` as it should read back: `expected` with the stored times and U+0000 replaced.
fn same(found: &AuthProvider, expected: &AuthProvider) {
    assert_eq!(found.identifier, expected.identifier);
    assert_eq!(found.number, expected.number);
    assert_eq!(found.form_identifier, expected.form_identifier);
    assert_eq!(found.user_group_identifier, expected.user_group_identifier);
    assert_eq!(
        (found.is_active, found.is_check_code, found.self_signup),
        (
            expected.is_active,
            expected.is_check_code,
            expected.self_signup
        )
    );
    assert_eq!(found.localize_infos["en_US"]["title"], "Email\u{fffd}");
    assert_eq!(found.config, expected.config);
    assert_eq!(found.version, expected.version);
}

#[tokio::test(flavor = "multi_thread")]
async fn markers_are_unique_per_tenant_and_providers_list_in_number_order() {
    on_a_rules_thread(&["t", "t2"], |store| {
        let mut tx = store.write().unwrap();
        for f in ["reg", "other"] {
            tx.insert_form("t", &form(f)).unwrap();
        }
        tx.insert_form("t2", &form("reg")).unwrap();
        tx.insert_auth_provider("t", &provider("b-phone", 1, "reg"))
            .unwrap();
        tx.insert_auth_provider("t", &provider("a-email", 2, "other"))
            .unwrap();
        tx.insert_auth_provider("t", &provider("c-mail", 3, "reg"))
            .unwrap();
        tx.insert_auth_provider("t2", &provider("a-email", 1, "reg"))
            .unwrap();
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        let taken = tx.insert_auth_provider("t", &provider("a-email", 4, "reg"));
        assert!(matches!(
            taken,
            Err(StorageError::Conflict {
                code: "auth_provider_identifier_taken",
                ..
            })
        ));
        drop(tx);

        let read = store.read().unwrap();
        let numbers: Vec<u64> = read
            .auth_providers("t")
            .unwrap()
            .iter()
            .map(|p| p.number)
            .collect();
        assert_eq!(numbers, [1, 2, 3]);
        assert_eq!(
            read.auth_providers_using_form("t", "reg").unwrap(),
            ["b-phone", "c-mail"]
        );
        assert!(read
            .auth_providers_using_form("t", "none")
            .unwrap()
            .is_empty());
        let found = read.auth_provider("t", "a-email").unwrap().unwrap();
        same(&found, &provider("a-email", 2, "other"));
        assert!(read.auth_provider("t3", "a-email").unwrap().is_none());
        drop(read);

        let mut tx = store.write().unwrap();
        let mut changed = provider("a-email", 2, "reg");
        changed.version = 2;
        changed.user_group_identifier = None;
        tx.update_auth_provider("t", &changed).unwrap();
        let found = tx.auth_provider("t", "a-email").unwrap().unwrap();
        same(&found, &changed);
        assert!(tx.delete_auth_provider("t", "a-email").unwrap());
        assert!(!tx.delete_auth_provider("t", "a-email").unwrap());
        assert_eq!(tx.auth_providers("t2").unwrap().len(), 1);
        tx.commit().unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_form_in_use_is_not_deleted_and_a_provider_needs_its_form() {
    on_a_rules_thread(&["t"], |store| {
        let mut tx = store.write().unwrap();
        tx.insert_form("t", &form("reg")).unwrap();
        tx.insert_auth_provider("t", &provider("email", 1, "reg"))
            .unwrap();
        tx.commit().unwrap();
        // A concurrent delete the rules did not see: the foreign key refuses it.
        let mut tx = store.write().unwrap();
        match tx.delete_form("t", "reg") {
            Err(StorageError::Conflict { code, .. }) => assert_eq!(code, CONCURRENT_CHANGE),
            other => panic!("{other:?}"),
        }
        drop(tx);
        let mut tx = store.write().unwrap();
        let missing = tx.insert_auth_provider("t", &provider("other", 2, "gone"));
        assert!(
            matches!(missing, Err(StorageError::Conflict { .. })),
            "{missing:?}"
        );
        drop(tx);
        // Deleting the tenant takes both.
        let mut tx = store.write().unwrap();
        assert!(tx.delete_tenant("t").unwrap());
        tx.commit().unwrap();
        assert!(store
            .read()
            .unwrap()
            .auth_providers("t")
            .unwrap()
            .is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_provider_written_on_one_host_is_seen_by_the_cached_list_of_another() {
    let (server, first) = database(&["t"]).await;
    let url = server.url("portico");
    let second = Arc::new(
        PgStore::connect(&PgConfig::new(&url), keys())
            .await
            .unwrap(),
    );
    let (first, second): (Arc<dyn Storage>, Arc<dyn Storage>) = (first, second);

    tokio::task::spawn_blocking(move || {
        let cached = |store: &(dyn Storage + 'static)| {
            store
                .config_cached("auth-providers/t", |tx| Ok(tx.auth_providers("t")?))
                .unwrap()
        };
        assert!(cached(&*first).is_empty());
        let mut tx = second.write_tenant("t").unwrap();
        tx.insert_form("t", &form("reg")).unwrap();
        tx.insert_auth_provider("t", &provider("email", 1, "reg"))
            .unwrap();
        tx.commit().unwrap();
        assert_eq!(cached(&*first).len(), 1);
        let mut tx = second.write_tenant("t").unwrap();
        assert!(tx.delete_auth_provider("t", "email").unwrap());
        tx.commit().unwrap();
        assert!(cached(&*first).is_empty());
    })
    .await
    .unwrap();
}
