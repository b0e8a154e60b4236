//! The tenants aggregate of the storage port on a real PostgreSQL, as the embedded engine's
//! test checks it: the namespace unique (a lost race answers the rules' conflict code), the
//! tenant's data going with it, API keys by the digest of their secret, the operator token.

mod support;

use chrono::Utc;
use portico_core::storage::{StorageError, TenantReads, TenantWrites};
use portico_core::tenants::{ApiKey, Tenant, TenantSettings};
use portico_store_postgres::CONCURRENT_CHANGE;
use support::{digest, on_a_rules_thread};

fn tenant(id: &str, namespace: &str) -> Tenant {
    Tenant {
        namespace: namespace.into(),
        name: namespace.into(),
        ..support::tenant(id)
    }
}

fn api_key(id: &str) -> ApiKey {
    ApiKey {
        id: id.into(),
        name: "default".into(),
        created_at: Utc::now(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_namespace_is_unique_and_deleting_a_tenant_deletes_its_data() {
    on_a_rules_thread(&[], |store| {
        let mut tx = store.write().unwrap();
        tx.insert_tenant(&tenant("t2", "beta")).unwrap();
        tx.insert_tenant(&tenant("t1", "acme")).unwrap();
        tx.put_tenant_settings("t1", &TenantSettings::default())
            .unwrap();
        tx.insert_api_key("t1", &digest('b'), &api_key("k1"))
            .unwrap();
        tx.insert_api_key("t1", &digest('a'), &api_key("k2"))
            .unwrap();
        tx.commit().unwrap();

        // Another host's tenant with the same namespace loses with the rules' code.
        let mut tx = store.write().unwrap();
        let taken = tx.insert_tenant(&tenant("t3", "acme"));
        assert!(
            matches!(
                taken,
                Err(StorageError::Conflict {
                    code: "namespace_taken",
                    ..
                })
            ),
            "{taken:?}"
        );
        drop(tx);

        let read = store.read().unwrap();
        assert_eq!(read.tenant_by_namespace("acme").unwrap().unwrap().id, "t1");
        let ids: Vec<String> = read
            .tenants_after(None, 10)
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(ids, ["t1", "t2"]);
        assert_eq!(read.tenants_after(Some("t1"), 10).unwrap().len(), 1);
        assert!(read.has_api_key("t1", &digest('a')).unwrap());
        assert!(!read.has_api_key("t2", &digest('a')).unwrap());
        assert_eq!(
            read.tenant_settings("t1")
                .unwrap()
                .unwrap()
                .password_min_length,
            TenantSettings::default().password_min_length
        );
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(tx.delete_api_key("t1", "k2").unwrap());
        assert!(!tx.delete_api_key("t1", "k2").unwrap());
        assert!(!tx.has_api_key("t1", &digest('a')).unwrap());
        assert_eq!(tx.api_keys("t1").unwrap().len(), 1);
        assert!(tx.delete_tenant("t1").unwrap());
        assert!(!tx.delete_tenant("t1").unwrap());
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert!(read.tenant("t1").unwrap().is_none());
        assert_eq!(read.tenant_id_by_namespace("acme").unwrap(), None);
        assert!(read.tenant_settings("t1").unwrap().is_none());
        assert!(read.api_keys("t1").unwrap().is_empty());
        assert_eq!(
            read.tenant_id_by_namespace("beta").unwrap().as_deref(),
            Some("t2")
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_written_before_allowed_origins_still_load_and_origins_round_trip() {
    let (server, store) = support::database(&["t1", "t2"]).await;
    // A row as schema 3 wrote it: the column added later takes its default.
    server
        .connect("portico")
        .await
        .execute(
            "INSERT INTO tenant_settings (tenant_id, reset_code_ttl_seconds, password_min_length) \
             VALUES ('t1', 3600, 10)",
            &[],
        )
        .await
        .unwrap();
    support::on_a_plain_thread(&store, |store| {
        let mut tx = store.write().unwrap();
        let with_origins = TenantSettings {
            allowed_origins: vec![
                "https://app.example.com".into(),
                "http://localhost:3000".into(),
            ],
            ..TenantSettings::default()
        };
        tx.put_tenant_settings("t2", &with_origins).unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        let old = read.tenant_settings("t1").unwrap().unwrap();
        assert_eq!(
            (old.reset_code_ttl_seconds, old.password_min_length),
            (3600, 10)
        );
        assert!(old.allowed_origins.is_empty());
        let new = read.tenant_settings("t2").unwrap().unwrap();
        assert_eq!(
            new.allowed_origins,
            ["https://app.example.com", "http://localhost:3000"]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mail_sender_round_trips_and_rows_written_before_it_read_as_unset() {
    let (server, store) = support::database(&["t1", "t2"]).await;
    // A row as schema 9 wrote it: the sender columns added later are NULL.
    server
        .connect("portico")
        .await
        .execute(
            "INSERT INTO tenant_settings (tenant_id, reset_code_ttl_seconds, password_min_length) \
             VALUES ('t1', 3600, 10)",
            &[],
        )
        .await
        .unwrap();
    support::on_a_plain_thread(&store, |store| {
        let read = store.read().unwrap();
        let old = read.tenant_settings("t1").unwrap().unwrap();
        assert_eq!(
            (
                old.mail_sender_name,
                old.mail_sender_address,
                old.mail_reply_to
            ),
            (None, None, None)
        );
        drop(read);

        let mut tx = store.write().unwrap();
        let with_sender = TenantSettings {
            mail_sender_name: Some("Acme Support".into()),
            mail_sender_address: Some("no-reply@acme.example".into()),
            mail_reply_to: Some("help@acme.example".into()),
            ..TenantSettings::default()
        };
        tx.put_tenant_settings("t2", &with_sender).unwrap();
        tx.commit().unwrap();
        let new = store
            .read()
            .unwrap()
            .tenant_settings("t2")
            .unwrap()
            .unwrap();
        assert_eq!(new.mail_sender_name.as_deref(), Some("Acme Support"));
        assert_eq!(
            new.mail_sender_address.as_deref(),
            Some("no-reply@acme.example")
        );
        assert_eq!(new.mail_reply_to.as_deref(), Some("help@acme.example"));

        // Cleared again by the upsert.
        let mut tx = store.write().unwrap();
        let cleared = TenantSettings {
            mail_sender_name: Some("Acme Support".into()),
            ..TenantSettings::default()
        };
        tx.put_tenant_settings("t2", &cleared).unwrap();
        tx.commit().unwrap();
        let after = store
            .read()
            .unwrap()
            .tenant_settings("t2")
            .unwrap()
            .unwrap();
        assert_eq!(after.mail_sender_name.as_deref(), Some("Acme Support"));
        assert_eq!(
            (after.mail_sender_address, after.mail_reply_to),
            (None, None)
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mail_language_round_trips_and_rows_written_before_it_read_as_english() {
    let (server, store) = support::database(&["t1", "t2"]).await;
    // A row as schema 10 wrote it: the language column added later takes its default.
    server
        .connect("portico")
        .await
        .execute(
            "INSERT INTO tenant_settings (tenant_id, reset_code_ttl_seconds, password_min_length) \
             VALUES ('t1', 3600, 10)",
            &[],
        )
        .await
        .unwrap();
    support::on_a_plain_thread(&store, |store| {
        let read = store.read().unwrap();
        let old = read.tenant_settings("t1").unwrap().unwrap();
        assert_eq!(old.mail_language, "en_US");
        drop(read);

        let mut tx = store.write().unwrap();
        let turkish = TenantSettings {
            mail_language: "tr_TR".into(),
            ..TenantSettings::default()
        };
        tx.put_tenant_settings("t2", &turkish).unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        let new = read.tenant_settings("t2").unwrap().unwrap();
        assert_eq!(new.mail_language, "tr_TR");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_dropped_without_commit_leaves_nothing() {
    on_a_rules_thread(&[], |store| {
        let mut tx = store.write().unwrap();
        tx.insert_tenant(&tenant("t1", "acme")).unwrap();
        drop(tx);
        assert!(store.read().unwrap().tenant("t1").unwrap().is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_operator_token_digest_is_replaced() {
    on_a_rules_thread(&[], |store| {
        let mut tx = store.write().unwrap();
        assert_eq!(tx.operator_token_digest().unwrap(), None);
        tx.set_operator_token_digest(&digest('1')).unwrap();
        let keyed = format!("hmac-sha256:{}", digest('2'));
        tx.set_operator_token_digest(&keyed).unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert_eq!(read.operator_token_digest().unwrap(), Some(keyed));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_of_a_tenant_deleted_meanwhile_is_a_conflict() {
    on_a_rules_thread(&[], |store| {
        // The rules saw the tenant in their snapshot; another host deleted it before the write.
        let mut tx = store.write().unwrap();
        let lost = tx.insert_api_key("gone", &digest('c'), &api_key("k1"));
        assert!(
            matches!(&lost, Err(StorageError::Conflict { code, .. }) if *code == CONCURRENT_CHANGE),
            "{lost:?}"
        );
    })
    .await;
}
