//! The PostgreSQL engine against a real PostgreSQL: connecting, the pool's bounds, durable
//! commits, and the migrations (from an empty database, again, from several hosts at once, and
//! a newer schema refused).

mod support;

use std::future::Future;

use portico_store_postgres::{
    PgConfig, PgError, PgStore, MAX_POOL_SIZE, MIGRATIONS, POOL_WAIT, SCHEMA_VERSION,
};
use support::Postgres;

async fn versions(server: &Postgres) -> Vec<(i32, String)> {
    server
        .connect("portico")
        .await
        .query(
            "SELECT version, name FROM portico_schema_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_database_is_migrated_once_and_a_restart_changes_nothing() {
    let server = Postgres::start(&[]);
    let url = server.create_database("portico").await;
    let store = PgStore::connect(&PgConfig::new(&url), support::keys())
        .await
        .unwrap();
    assert_eq!(store.schema_version(), SCHEMA_VERSION);
    let applied = versions(&server).await;
    let expected: Vec<u32> = MIGRATIONS.iter().map(|m| m.version).collect();
    let found: Vec<u32> = applied.iter().map(|(v, _)| *v as u32).collect();
    assert_eq!(found, expected, "{applied:?}");
    assert_eq!(applied.last().unwrap().0 as u32, SCHEMA_VERSION);
    drop(store);
    // A second start finds everything applied.
    let again = PgStore::connect(&PgConfig::new(&url), support::keys())
        .await
        .unwrap();
    assert_eq!(again.schema_version(), SCHEMA_VERSION);
    assert_eq!(versions(&server).await, applied);
}

#[tokio::test(flavor = "multi_thread")]
async fn hosts_starting_together_apply_each_migration_once() {
    let server = Postgres::start(&[]);
    let url = server.create_database("portico").await;
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let config = PgConfig::new(&url);
            tokio::spawn(async move {
                PgStore::connect(&config, support::keys())
                    .await
                    .map(|s| s.schema_version())
            })
        })
        .collect();
    for start in starts {
        assert_eq!(start.await.unwrap().unwrap(), SCHEMA_VERSION);
    }
    assert_eq!(versions(&server).await.len(), MIGRATIONS.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_a_newer_portico_migrated_is_refused() {
    let server = Postgres::start(&[]);
    let url = server.create_database("portico").await;
    PgStore::connect(&PgConfig::new(&url), support::keys())
        .await
        .unwrap();
    let newer = SCHEMA_VERSION as i32 + 1;
    server
        .connect("portico")
        .await
        .execute(
            "INSERT INTO portico_schema_migrations (version, name) VALUES ($1, 'from the future')",
            &[&newer],
        )
        .await
        .unwrap();
    let refused = PgStore::connect(&PgConfig::new(&url), support::keys())
        .await
        .err()
        .unwrap();
    assert!(
        matches!(refused, PgError::NewerSchema { found, supported } if found == newer as u32 && supported == SCHEMA_VERSION),
        "{refused}"
    );
    assert!(refused.to_string().contains("newer Portico"), "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_connection_commits_durably_whatever_the_servers_default() {
    // The server's default is off; Portico's connections turn it on.
    let server = Postgres::start(&["synchronous_commit=off"]);
    let url = server.create_database("portico").await;
    let store = PgStore::connect(&PgConfig::new(&url), support::keys())
        .await
        .unwrap();
    let client = store.client().await.unwrap();
    let row = client
        .query_one("SHOW synchronous_commit", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "on");
    let other = server.connect("portico").await;
    let row = other
        .query_one("SHOW synchronous_commit", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "off", "the server's own default");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_database_is_a_clear_error() {
    let server = Postgres::start(&[]);
    let url = server.create_database("portico").await;
    let port = server.port;
    drop(server);
    let refused = PgStore::connect(&PgConfig::new(&url), support::keys())
        .await
        .err()
        .unwrap();
    assert!(matches!(refused, PgError::Unavailable(_)), "{refused}");
    assert!(refused.to_string().contains("unavailable"), "{refused}");
    assert!(url.contains(&port.to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pool_size_is_bounded() {
    let server = Postgres::start(&[]);
    let url = server.create_database("portico").await;
    // Inside: the largest pool works.
    let largest = PgConfig {
        url: url.clone(),
        pool_size: MAX_POOL_SIZE,
    };
    PgStore::connect(&largest, support::keys()).await.unwrap();
    // Past it (and none at all): refused, naming the bound.
    for pool_size in [0, MAX_POOL_SIZE + 1] {
        let config = PgConfig {
            url: url.clone(),
            pool_size,
        };
        let refused = PgStore::connect(&config, support::keys())
            .await
            .err()
            .unwrap();
        assert!(refused.to_string().contains("MAX_POOL_SIZE"), "{refused}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_url_is_a_configuration_error() {
    let refused = PgStore::connect(&PgConfig::new("postgres://[::1"), support::keys())
        .await
        .err()
        .unwrap();
    assert!(matches!(refused, PgError::Config(_)), "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caller_waits_at_most_pool_wait_for_a_connection() {
    let server = Postgres::start(&[]);
    let url = server.create_database("portico").await;
    let store = PgStore::connect(&PgConfig { url, pool_size: 1 }, support::keys())
        .await
        .unwrap();
    // Inside: the one connection is handed from one caller to the next.
    let held = store.client().await.unwrap();
    let waiting = {
        let next = store.client();
        tokio::pin!(next);
        // Polled once, it waits in the pool's queue: the only connection is held.
        let waits =
            std::future::poll_fn(|cx| std::task::Poll::Ready(next.as_mut().poll(cx).is_pending()))
                .await;
        assert!(waits, "a second connection from a pool of one");
        drop(held);
        next.await
    };
    let again = waiting.unwrap();
    // Past it: with the connection held longer than POOL_WAIT, the next caller is refused,
    // naming the bound.
    let started = std::time::Instant::now();
    let refused = store.client().await.err().unwrap();
    assert!(started.elapsed() >= POOL_WAIT);
    assert!(refused.to_string().contains("POOL_WAIT"), "{refused}");
    drop(again);
}
