//! `Storage` on a real PostgreSQL, with two stores on one database standing for two hosts:
//! write scopes serialize one tenant's writes and leave other tenants' alone, configuration
//! cached on one host follows a change made on another, writes deferred to the next commit ride
//! along with it, the server key is the same on every host, and a database of the previous
//! schema is migrated.

mod support;

use std::sync::{Arc, Barrier};
use std::time::Duration;

use portico_core::storage::prelude::*;
use portico_core::storage::{EmailKey, Storage, WriteScope};
use portico_core::tenants::TenantSettings;
use portico_store_postgres::{PgConfig, PgError, PgStore, MIGRATIONS, SCHEMA_VERSION};
use support::{database, keys, other_keys, tenant, user, Postgres};

/// A second host: another store on the same database.
async fn second_host(server: &Postgres) -> Arc<PgStore> {
    let url = server.url("portico");
    Arc::new(
        PgStore::connect(&PgConfig::new(&url), keys())
            .await
            .unwrap(),
    )
}

/// Stores user `id` (email `id@example.com`).
fn add_user(tx: &mut dyn WriteTransaction, tenant: &str, id: &str) {
    let email = format!("{id}@example.com");
    let key = EmailKey {
        email: &email,
        skeleton: &email,
    };
    tx.insert_user(tenant, &user(id, &email), key).unwrap();
}

fn min_length(store: &(dyn Storage + 'static), tenant: &str) -> usize {
    let tx = store.read().unwrap();
    tx.tenant_settings(tenant)
        .unwrap()
        .unwrap_or_default()
        .password_min_length
}

/// Adds one to the tenant's minimum password length: a read and a write that only a
/// serialized scope keeps from losing another host's update.
fn increment(store: &(dyn Storage + 'static), tenant: &str) {
    let mut tx = store.write_tenant(tenant).unwrap();
    let mut settings = tx.tenant_settings(tenant).unwrap().unwrap_or_default();
    settings.password_min_length += 1;
    tx.put_tenant_settings(tenant, &settings).unwrap();
    tx.commit().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn one_tenants_writes_from_two_hosts_lose_no_update() {
    let (server, first) = database(&["t"]).await;
    let second = second_host(&server).await;
    const EACH: usize = 10;
    let hosts: Vec<Arc<dyn Storage>> = vec![first.clone(), second, first.clone(), first.clone()];
    let start = Arc::new(Barrier::new(hosts.len()));
    let writers: Vec<_> = hosts
        .iter()
        .map(|host| {
            let (host, start) = (host.clone(), start.clone());
            tokio::task::spawn_blocking(move || {
                start.wait();
                for _ in 0..EACH {
                    increment(&*host, "t");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let store: Arc<dyn Storage> = first;
    let total = tokio::task::spawn_blocking(move || min_length(&*store, "t"))
        .await
        .unwrap();
    assert_eq!(
        total,
        TenantSettings::default().password_min_length + 4 * EACH
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tenants_open_write_leaves_other_tenants_writing() {
    let (_server, store) = database(&["a", "b"]).await;
    let store: Arc<dyn Storage> = store;
    let (held, release) = std::sync::mpsc::channel::<()>();
    let holder = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || {
            let mut tx = store.write_tenant("a").unwrap();
            add_user(&mut *tx, "a", "u1");
            release.recv().unwrap();
            tx.commit().unwrap();
        })
    };
    // While tenant a's transaction is open, tenant b's write commits.
    let other = store.clone();
    tokio::time::timeout(
        Duration::from_secs(10),
        tokio::task::spawn_blocking(move || increment(&*other, "b")),
    )
    .await
    .expect("tenant b does not wait for tenant a")
    .unwrap();
    held.send(()).unwrap();
    holder.await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn configuration_changed_on_one_host_is_seen_by_the_next_operation_on_another() {
    let (server, first) = database(&["t"]).await;
    let second = second_host(&server).await;
    let (first, second): (Arc<dyn Storage>, Arc<dyn Storage>) = (first, second);
    tokio::task::spawn_blocking(move || {
        let cached = |store: &(dyn Storage + 'static)| {
            store
                .config_cached("settings/t", |tx| {
                    Ok(tx.tenant_settings("t")?.unwrap_or_default())
                })
                .unwrap()
        };
        let before = cached(&*first);
        assert_eq!(before.password_min_length, 8);
        // A write that is not configuration keeps the cached value.
        let mut tx = second.write_tenant("t").unwrap();
        add_user(&mut *tx, "t", "u1");
        tx.commit().unwrap();
        assert!(Arc::ptr_eq(&before, &cached(&*first)), "still cached");
        // A configuration change acknowledged on the second host...
        increment(&*second, "t");
        // ...is seen by the first host's next operation.
        assert_eq!(cached(&*first).password_min_length, 9);
        let (after, durability) = first.deferring(|| cached(&*first));
        durability.wait_blocking().unwrap();
        assert_eq!(after.password_min_length, 9);
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_deferred_to_the_next_commit_ride_along_or_commit_at_the_end() {
    let (_server, store) = database(&["t"]).await;
    let store: Arc<dyn Storage> = store;
    tokio::task::spawn_blocking(move || {
        let defer_user = |store: &(dyn Storage + 'static), id: &str| {
            let id = id.to_string();
            store
                .write_with_next_commit(
                    WriteScope::Tenant("t"),
                    Box::new(move |tx| {
                        add_user(tx, "t", &id);
                        Ok(())
                    }),
                )
                .unwrap();
        };
        let commits = store.stats().commits;
        // With the operation's own commit: one transaction for both.
        let ((), durability) = store.deferring(|| {
            defer_user(&*store, "deferred");
            assert!(store
                .read()
                .unwrap()
                .user("t", "deferred")
                .unwrap()
                .is_none());
            increment(&*store, "t");
        });
        assert!(!durability.is_pending());
        assert!(store
            .read()
            .unwrap()
            .user("t", "deferred")
            .unwrap()
            .is_some());
        assert_eq!(store.stats().commits, commits + 1);
        // Without one: committed when the operation ends.
        let ((), durability) = store.deferring(|| defer_user(&*store, "alone"));
        durability.wait_blocking().unwrap();
        assert!(store.read().unwrap().user("t", "alone").unwrap().is_some());
        // Outside an operation: at once.
        defer_user(&*store, "now");
        assert!(store.read().unwrap().user("t", "now").unwrap().is_some());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_with_another_server_key_is_refused() {
    let (server, _store) = database(&[]).await;
    let url = server.url("portico");
    // Inside: the same key on a second host.
    PgStore::connect(&PgConfig::new(&url), keys())
        .await
        .unwrap();
    // Past it: another key, refused with what to do.
    let (_dir, other) = other_keys();
    let refused = PgStore::connect(&PgConfig::new(&url), other)
        .await
        .err()
        .unwrap();
    assert!(matches!(refused, PgError::KeyMismatch), "{refused}");
    assert!(refused.to_string().contains("same key file"), "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_of_the_previous_schema_is_migrated_with_its_records() {
    let server = Postgres::start(&[]);
    let url = server.create_database("portico").await;
    // A database as the previous version left it: migrations up to SCHEMA_VERSION - 1, a tenant.
    let client = server.connect("portico").await;
    client
        .batch_execute(
            "CREATE TABLE portico_schema_migrations (version integer PRIMARY KEY, \
             name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .await
        .unwrap();
    for migration in &MIGRATIONS[..MIGRATIONS.len() - 1] {
        client.batch_execute(migration.sql).await.unwrap();
        client
            .execute(
                "INSERT INTO portico_schema_migrations (version, name) VALUES ($1, $2)",
                &[&(migration.version as i32), &migration.name],
            )
            .await
            .unwrap();
    }
    client
        .execute(
            "INSERT INTO tenants (id, namespace, name, created_at) VALUES ('t', 't', 'T', now())",
            &[],
        )
        .await
        .unwrap();
    let store = Arc::new(
        PgStore::connect(&PgConfig::new(&url), keys())
            .await
            .unwrap(),
    );
    assert_eq!(store.schema_version(), SCHEMA_VERSION);
    let store: Arc<dyn Storage> = store;
    let found = tokio::task::spawn_blocking(move || store.read().unwrap().tenant("t").unwrap())
        .await
        .unwrap();
    assert_eq!(found.unwrap().namespace, tenant("t").namespace);
}

/// Reads run on an async worker (as an authenticated request's token check does) while every
/// worker and blocking thread of the caller's runtime is taken: they still complete, since the
/// store's connections run on a runtime of their own. (On the caller's runtime, each read's
/// `block_in_place` needed a new thread to drive the sockets, and past the blocking-thread
/// limit none came: every read waited forever.)
#[test]
fn reads_on_async_workers_complete_with_every_runtime_thread_taken() {
    let server = Postgres::start(&[]);
    let url = server.create_database_blocking("portico");
    let (finished, all_read) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let store = Arc::new(
                PgStore::connect(&PgConfig::new(&url), keys())
                    .await
                    .unwrap(),
            );
            let readers: Vec<_> = (0..16)
                .map(|_| {
                    let store = Arc::clone(&store);
                    tokio::spawn(async move { min_length(store.as_ref(), "t") })
                })
                .collect();
            for reader in readers {
                reader.await.unwrap();
            }
        });
        finished.send(()).unwrap();
    });
    all_read
        .recv_timeout(Duration::from_secs(60))
        .expect("reads on async workers never completed");
}

#[tokio::test(flavor = "multi_thread")]
async fn record_writes_run_at_once_and_a_tenant_write_waits_for_them() {
    let (_server, store) = database(&["t"]).await;
    let store: Arc<dyn Storage> = store;
    let (held, release) = std::sync::mpsc::channel::<()>();
    let holder = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || {
            let mut tx = store.write_record("t", "user/u1").unwrap();
            add_user(&mut *tx, "t", "u1");
            release.recv().unwrap();
            tx.commit().unwrap();
        })
    };
    // Another record of the tenant commits while the first is held.
    let other = store.clone();
    tokio::time::timeout(
        Duration::from_secs(10),
        tokio::task::spawn_blocking(move || {
            let mut tx = other.write_record("t", "user/u2").unwrap();
            add_user(&mut *tx, "t", "u2");
            tx.commit().unwrap();
        }),
    )
    .await
    .expect("another record does not wait")
    .unwrap();
    // A whole-tenant write waits for the held record, then sees its user.
    let tenant_wide = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || {
            let tx = store.write_tenant("t").unwrap();
            tx.user("t", "u1").unwrap().is_some()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!tenant_wide.is_finished(), "the tenant write waits");
    held.send(()).unwrap();
    holder.await.unwrap();
    assert!(
        tenant_wide.await.unwrap(),
        "and then reads the record's commit"
    );
}
