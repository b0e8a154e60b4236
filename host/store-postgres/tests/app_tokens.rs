//! The app tokens aggregate of the storage port on a real PostgreSQL, as the embedded engine's
//! test checks it: found by the digest of their secret, listed, counted and deleted by id per
//! tenant, gone with their tenant, and no secret in clear in the digest column.

mod support;

use chrono::Utc;
use portico_core::app_tokens::AppToken;
use portico_core::storage::{AppTokenReads, AppTokenWrites, StorageError, TenantWrites};
use portico_store_postgres::CONCURRENT_CHANGE;
use support::{database, digest, on_a_plain_thread, on_a_rules_thread};

fn app_token(id: &str, name: &str) -> AppToken {
    AppToken {
        id: id.into(),
        name: name.into(),
        created_at: Utc::now(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn app_tokens_are_found_by_digest_listed_counted_and_deleted_by_id_per_tenant() {
    on_a_rules_thread(&["t1", "t2"], |store| {
        let mut tx = store.write().unwrap();
        tx.insert_app_token("t1", &digest('b'), &app_token("a1", "web"))
            .unwrap();
        tx.insert_app_token("t1", &digest('a'), &app_token("a2", "mobile"))
            .unwrap();
        tx.insert_app_token("t2", &digest('c'), &app_token("a3", "web"))
            .unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let found = read.app_token("t1", &digest('a')).unwrap().unwrap();
        assert_eq!((found.id.as_str(), found.name.as_str()), ("a2", "mobile"));
        assert_eq!(read.app_token("t2", &digest('a')).unwrap(), None);
        assert_eq!(read.count_app_tokens("t1").unwrap(), 2);
        assert_eq!(read.count_app_tokens("t2").unwrap(), 1);
        assert_eq!(read.app_tokens("t1").unwrap().len(), 2);
        drop(read);

        let mut tx = store.write().unwrap();
        // Another tenant's id is not this tenant's to delete.
        assert!(!tx.delete_app_token("t2", "a1").unwrap());
        assert!(tx.delete_app_token("t1", "a1").unwrap());
        assert!(!tx.delete_app_token("t1", "a1").unwrap());
        assert_eq!(tx.app_token("t1", &digest('b')).unwrap(), None);
        assert_eq!(tx.count_app_tokens("t1").unwrap(), 1);
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        assert!(tx.delete_tenant("t1").unwrap());
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert!(read.app_tokens("t1").unwrap().is_empty());
        assert_eq!(read.count_app_tokens("t2").unwrap(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_of_a_tenant_deleted_meanwhile_is_a_conflict() {
    on_a_rules_thread(&[], |store| {
        let mut tx = store.write().unwrap();
        let lost = tx.insert_app_token("gone", &digest('d'), &app_token("a1", "web"));
        assert!(
            matches!(&lost, Err(StorageError::Conflict { code, .. }) if *code == CONCURRENT_CHANGE),
            "{lost:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_in_clear_does_not_fit_the_digest_column() {
    let (server, store) = database(&["t1"]).await;
    let db = server.connect("portico").await;
    let refused = db
        .execute(
            "INSERT INTO app_tokens (tenant_id, token_digest, id, name, created_at) \
             VALUES ('t1', 'pat_the-secret-itself', 'a1', 'web', now())",
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(
        refused.as_db_error().unwrap().code(),
        &tokio_postgres::error::SqlState::CHECK_VIOLATION
    );
    on_a_plain_thread(&store, |store| {
        assert_eq!(store.read().unwrap().count_app_tokens("t1").unwrap(), 0);
    })
    .await;
}
