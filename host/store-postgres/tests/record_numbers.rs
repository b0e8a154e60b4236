//! The record number sequences on a real PostgreSQL: concurrent inserts of one tenant from two
//! hosts never get the same number, the sequence stops at the largest safe number, and users
//! and forms stored before schema 6 get their numbers from the migration.

mod support;

use std::sync::{Arc, Barrier};

use portico_core::storage::prelude::*;
use portico_core::storage::{
    EmailKey, NumberSequence, Storage, StorageError, MAX_RECORD_NUMBER, RECORD_NUMBERS_EXHAUSTED,
};
use portico_store_postgres::{PgConfig, PgStore, MIGRATIONS};
use support::{database, keys, on_a_plain_thread, user, Postgres};

async fn second_host(server: &Postgres) -> Arc<PgStore> {
    let url = server.url("portico");
    let store = PgStore::connect(&PgConfig::new(&url), keys()).await;
    Arc::new(store.unwrap())
}

/// Creates user `id` in its own record scope (so creations run at once), numbered as the
/// rules number it; answers the number.
fn create_user(store: &(dyn Storage + 'static), id: &str) -> u64 {
    let mut tx = store.write_record("t", &format!("user/{id}")).unwrap();
    let mut record = user(id, &format!("{id}@example.com"));
    record.number = tx.next_number("t", NumberSequence::Users).unwrap();
    let key = EmailKey {
        email: &record.email,
        skeleton: &record.email,
    };
    tx.insert_user("t", &record, key).unwrap();
    tx.commit().unwrap();
    record.number
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_creations_on_two_hosts_get_distinct_numbers_from_one() {
    let (server, first) = database(&["t"]).await;
    let second = second_host(&server).await;
    const EACH: usize = 8;
    let barrier = Arc::new(Barrier::new(2 * EACH));
    let mut threads = Vec::new();
    for (host, store) in [first.clone(), second.clone()].into_iter().enumerate() {
        for i in 0..EACH {
            let (store, barrier) = (store.clone(), barrier.clone());
            threads.push(std::thread::spawn(move || {
                barrier.wait();
                create_user(&*store, &format!("u{host}-{i}"))
            }));
        }
    }
    let mut numbers: Vec<u64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    numbers.sort();
    let expected: Vec<u64> = (1..=2 * EACH as u64).collect();
    assert_eq!(numbers, expected);
    on_a_plain_thread(&first, |store| {
        let read = store.read().unwrap();
        let users = read.users_after("t", None, 100).unwrap();
        let mut stored: Vec<u64> = users.iter().map(|u| u.number).collect();
        stored.sort();
        assert_eq!(stored, (1..=2 * EACH as u64).collect::<Vec<_>>());
        assert_eq!(
            read.last_number("t", NumberSequence::Users).unwrap(),
            2 * EACH as u64
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_number_is_not_reused_and_a_dropped_write_hands_none_out() {
    let (_server, store) = database(&["t", "t2"]).await;
    on_a_plain_thread(&store, |store| {
        let mut tx = store.write().unwrap();
        assert_eq!(tx.next_number("t", NumberSequence::Forms).unwrap(), 1);
        assert_eq!(tx.next_number("t", NumberSequence::Forms).unwrap(), 2);
        assert_eq!(tx.next_number("t2", NumberSequence::Forms).unwrap(), 1);
        assert_eq!(
            tx.next_number("t", NumberSequence::AuthProviders).unwrap(),
            1
        );
        tx.commit().unwrap();
        let mut tx = store.write().unwrap();
        assert_eq!(tx.next_number("t", NumberSequence::Forms).unwrap(), 3);
        drop(tx);
        let mut tx = store.write().unwrap();
        assert_eq!(tx.next_number("t", NumberSequence::Forms).unwrap(), 3);
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert_eq!(read.last_number("t", NumberSequence::Forms).unwrap(), 3);
        assert_eq!(read.last_number("t", NumberSequence::Users).unwrap(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_safe_number_is_handed_out_and_the_one_past_it_is_refused() {
    let (server, store) = database(&["t"]).await;
    let client = server.connect("portico").await;
    let almost = i64::try_from(MAX_RECORD_NUMBER - 1).unwrap();
    client
        .execute(
            "INSERT INTO record_numbers (tenant_id, sequence, last_number) \
             VALUES ('t', 'users', $1)",
            &[&almost],
        )
        .await
        .unwrap();
    on_a_plain_thread(&store, |store| {
        let mut tx = store.write().unwrap();
        let last = tx.next_number("t", NumberSequence::Users).unwrap();
        assert_eq!(last, MAX_RECORD_NUMBER);
        tx.commit().unwrap();
        let mut tx = store.write().unwrap();
        match tx.next_number("t", NumberSequence::Users) {
            Err(StorageError::Conflict { code, message }) => {
                assert_eq!(code, RECORD_NUMBERS_EXHAUSTED);
                assert!(
                    message.contains(&MAX_RECORD_NUMBER.to_string()),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn users_and_forms_stored_before_schema_6_are_numbered_in_creation_order() {
    let server = Postgres::start(&[]);
    let url = server.create_database("portico").await;
    let client = server.connect("portico").await;
    client
        .batch_execute(
            "CREATE TABLE portico_schema_migrations (version integer PRIMARY KEY, \
             name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .await
        .unwrap();
    for migration in MIGRATIONS.iter().filter(|m| m.version < 6) {
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
        .batch_execute(
            "INSERT INTO tenants (id, namespace, name, created_at) VALUES \
                 ('t1', 't1', 'T1', now()), ('t2', 't2', 'T2', now());
             INSERT INTO users (tenant_id, id, kind, first_name, last_name, email, status, \
                 password_expired, created_at, updated_at) VALUES \
                 ('t1', 'u-b', 'portal', 'A', 'B', 'b@x', 'active', false, \
                  '2026-01-01 00:00:02Z', now()), \
                 ('t1', 'u-a', 'portal', 'A', 'B', 'a@x', 'active', false, \
                  '2026-01-01 00:00:03Z', now()), \
                 ('t1', 'u-0', 'portal', 'A', 'B', '0@x', 'active', false, \
                  '2026-01-01 00:00:02Z', now()), \
                 ('t2', 'u-z', 'portal', 'A', 'B', 'z@x', 'active', false, now(), now());
             INSERT INTO forms (tenant_id, identifier, title, fields, created_at, updated_at) \
                 VALUES ('t1', 'reg', '{}', '[]', '2026-01-02Z', now()), \
                        ('t1', 'a-form', '{}', '[]', '2026-01-03Z', now());",
        )
        .await
        .unwrap();
    let store = Arc::new(
        PgStore::connect(&PgConfig::new(&url), keys())
            .await
            .unwrap(),
    );
    on_a_plain_thread(&store, |store| {
        let read = store.read().unwrap();
        let number = |tenant, id| read.user(tenant, id).unwrap().unwrap().number;
        assert_eq!(
            [
                number("t1", "u-0"),
                number("t1", "u-b"),
                number("t1", "u-a")
            ],
            [1, 2, 3]
        );
        assert_eq!(number("t2", "u-z"), 1);
        assert_eq!(read.form("t1", "reg").unwrap().unwrap().number, 1);
        assert_eq!(read.form("t1", "a-form").unwrap().unwrap().number, 2);
        drop(read);
        let mut tx = store.write().unwrap();
        assert_eq!(tx.next_number("t1", NumberSequence::Users).unwrap(), 4);
        assert_eq!(tx.next_number("t1", NumberSequence::Forms).unwrap(), 3);
        assert_eq!(tx.next_number("t2", NumberSequence::Forms).unwrap(), 1);
        tx.commit().unwrap();
    })
    .await;
}
