//! A real PostgreSQL for the tests (`portico_test_postgres::Postgres`), and the fixtures the aggregates' tests share: a migrated database with its
//! store, a way to run the store's calls as the rules do, and the records they store.

// Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use chrono::Utc;
use portico_core::storage::TenantWrites;
use portico_core::tenants::Tenant;
use portico_core::users::{UserKind, UserRecord, UserStatus};
use portico_store_postgres::{KeyFile, PgConfig, PgStore};
pub use portico_test_postgres::Postgres;
use tempfile::TempDir;

/// A fresh server with database `portico` migrated and tenants `tenants` stored (see
/// [`tenant`]), and the store on it.
pub async fn database(tenants: &[&str]) -> (Postgres, Arc<PgStore>) {
    let server = Postgres::start(&[]);
    let url = server.create_database("portico").await;
    let store = Arc::new(
        PgStore::connect(&PgConfig::new(&url), keys())
            .await
            .unwrap(),
    );
    if !tenants.is_empty() {
        let ids: Vec<String> = tenants.iter().map(|id| id.to_string()).collect();
        on_a_plain_thread(&store, move |store| {
            let mut tx = store.write().unwrap();
            for id in &ids {
                tx.insert_tenant(&tenant(id)).unwrap();
            }
            tx.commit().unwrap();
        })
        .await;
    }
    (server, store)
}

/// The server key every store of this test process uses (one key file, as the hosts of a
/// cluster share one).
pub fn keys() -> KeyFile {
    static DIR: OnceLock<TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("a temporary directory"));
    KeyFile::load_or_create(dir.path()).expect("the test key file")
}

/// A server key of its own (another host's, misconfigured).
pub fn other_keys() -> (TempDir, KeyFile) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let keys = KeyFile::load_or_create(dir.path()).expect("a key file");
    (dir, keys)
}

/// Runs `check` on a plain thread, as the rules run (the engine blocks on its connections).
pub async fn on_a_plain_thread(
    store: &Arc<PgStore>,
    check: impl FnOnce(&PgStore) + Send + 'static,
) {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || check(&store))
        .await
        .unwrap();
}

/// Runs `check` on a plain thread, as the rules run, over a fresh [`database`] holding
/// tenants `tenants`.
pub async fn on_a_rules_thread(tenants: &[&str], check: impl FnOnce(&PgStore) + Send + 'static) {
    let (server, store) = database(tenants).await;
    on_a_plain_thread(&store, check).await;
    drop(server);
}

/// A digest as the rules store one (64 hex digits).
pub fn digest(c: char) -> String {
    c.to_string().repeat(64)
}

/// Tenant `id`, its namespace and name `id` too.
pub fn tenant(id: &str) -> Tenant {
    Tenant {
        id: id.into(),
        namespace: id.into(),
        name: id.into(),
        created_at: Utc::now(),
    }
}

/// A number no other record of this test process has (as a tenant's sequence hands out).
pub fn unique_number() -> u64 {
    static LAST: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    LAST.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1
}

/// An active portal user with this id and email, in no group and linked to no provider, with a
/// number of its own.
pub fn user(id: &str, email: &str) -> UserRecord {
    UserRecord {
        id: id.into(),
        number: unique_number(),
        kind: UserKind::Portal,
        first_name: "A".into(),
        last_name: "B".into(),
        email: email.into(),
        status: UserStatus::Active,
        groups: Vec::new(),
        identity_providers: Vec::new(),
        oauth_provider_id: None,
        password_hash: None,
        password_expired: false,
        reset_code_digest: None,
        notification_data: None,
        state: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}
