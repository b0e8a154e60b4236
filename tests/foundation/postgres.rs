//! What only a host on PostgreSQL has, on a PostgreSQL of each test's own (so these run in
//! every pass, whatever this run's store): a database that goes away and comes back while
//! Portico serves, a database that cannot be used at start, the server key file every host
//! of one database must share, and token checks that wait for an operation thread.

use std::time::{Duration, Instant};

use portico_test_postgres::Postgres;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::portal::{publish, registered_user};
use crate::support::{
    assert_error, create_user, serve_refuses, serve_refuses_in, Api, Server, TenantApi,
};

/// Longest an answer may take while the database is away: the pool's wait (5 s) and a margin.
const UNAVAILABLE_ANSWER_WITHIN: Duration = Duration::from_secs(15);

/// A PostgreSQL with an empty database `portico`, and its URL.
async fn database() -> (Postgres, String) {
    let postgres = Postgres::start(&[]);
    let url = postgres.create_database("portico").await;
    (postgres, url)
}

/// Sends `GET path` and answers what came back, checking it came within the pool's wait.
async fn get_promptly(api: &Api, path: &str) -> (StatusCode, Value) {
    let started = Instant::now();
    let answer = api.get(path).await;
    assert!(
        started.elapsed() < UNAVAILABLE_ANSWER_WITHIN,
        "GET {path} took {:?}",
        started.elapsed()
    );
    answer
}

/// Waits until `GET path` answers 200 again (the pool opens new connections on demand).
async fn wait_for_ok(api: &Api, path: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = get_promptly(api, path).await;
        if status == StatusCode::OK {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "GET {path} still {status}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_stopped_database_answers_503_until_it_is_back() {
    let (postgres, url) = database().await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_on_database(dir.path(), &url);
    let t: TenantApi = server.tenant("acme").await;
    create_user(&t, "a@example.com").await;

    postgres.stop();
    let health = get_promptly(&server.anonymous(), "/v1/health").await;
    assert_error(
        health,
        StatusCode::SERVICE_UNAVAILABLE,
        "storage_unavailable",
    );
    let users = get_promptly(&t, "/users").await;
    assert_error(
        users,
        StatusCode::SERVICE_UNAVAILABLE,
        "storage_unavailable",
    );

    // Back without restarting Portico, with what was written before.
    postgres.restart();
    let health = wait_for_ok(&server.anonymous(), "/v1/health").await;
    assert_eq!(health["status"], "ok", "{health}");
    let users = wait_for_ok(&t, "/users").await;
    assert_eq!(users["items"][0]["email"], "a@example.com", "{users}");
}

#[test]
fn a_database_url_that_is_not_one_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let stderr = serve_refuses_in(&data, &["--database", "postgres://[::1"]);
    assert!(stderr.contains("database URL"), "{stderr}");
    assert!(
        !data.exists(),
        "nothing written before the settings were checked"
    );
}

#[test]
fn an_unreachable_database_is_refused_at_start() {
    // A port nobody listens on: bound, then freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/portico");
    let started = Instant::now();
    let stderr = serve_refuses(&["--database", &url]);
    assert!(
        started.elapsed() < UNAVAILABLE_ANSWER_WITHIN,
        "{:?}",
        started.elapsed()
    );
    assert!(stderr.contains("PostgreSQL database"), "{stderr}");
    assert!(stderr.contains("unavailable"), "{stderr}");
}

#[tokio::test]
async fn every_host_of_a_database_needs_the_same_key_file() {
    let (_postgres, url) = database().await;
    let first_dir = tempfile::tempdir().unwrap();
    let first = Server::start_on_database(first_dir.path(), &url);
    first.tenant("acme").await;

    // Another data directory: a key file of its own, refused.
    let other_dir = tempfile::tempdir().unwrap();
    let stderr = serve_refuses_in(other_dir.path(), &["--database", &url]);
    assert!(
        stderr.contains("every host of a database needs the same key file"),
        "{stderr}"
    );

    // The first host's key file copied: a second host serving the same tenants.
    let second_dir = tempfile::tempdir().unwrap();
    let key = first_dir.path().join("portico.key");
    std::fs::copy(&key, second_dir.path().join("portico.key")).unwrap();
    let second = Server::start_on_database(second_dir.path(), &url);
    let (status, tenants) = second.operator().get("/v1/tenants").await;
    assert_eq!(status, StatusCode::OK, "{tenants}");
    assert_eq!(tenants["items"][0]["namespace"], "acme", "{tenants}");
}

/// Concurrent requests of every authenticated kind, on one client each: answers their statuses.
async fn authenticated_requests_at_once(
    operator: Api,
    tenant: Api,
    portal_user: Api,
) -> Vec<StatusCode> {
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..24 {
        let (api, path) = match i % 3 {
            0 => (operator.clone(), "/v1/tenants"),
            1 => (tenant.clone(), "/users"),
            _ => (portal_user.clone(), "/portal/me"),
        };
        requests.spawn(async move { api.get(path).await });
    }
    let mut statuses = Vec::new();
    while let Some(answer) = requests.join_next().await {
        let (status, body) = answer.expect("a request task");
        assert_eq!(status, StatusCode::OK, "{body}");
        statuses.push(status);
    }
    statuses
}

/// Reads on PostgreSQL wait for the network, so token checks take an operation thread (in the
/// tenant's turn) before the operation they guard takes one again: with a single thread,
/// concurrent operator, API-key and portal-session requests all still complete.
#[tokio::test]
async fn token_checks_share_a_single_operation_thread() {
    let (_postgres, url) = database().await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_on_database_with(dir.path(), &url, &["--operation-threads", "1"]);
    let t = server.tenant("acme").await;
    create_user(&t, "a@example.com").await;
    publish(&t).await;
    registered_user(&server, &t, "pat@example.com", "portal-password").await;
    let anonymous = server.anonymous().scoped("/v1/tenants/acme");
    let (status, tokens) = anonymous
        .post(
            "/portal/sessions",
            json!({"email": "pat@example.com", "password": "portal-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let portal_user =
        Api::new(&server.base_url, tokens["accessToken"].as_str()).scoped("/v1/tenants/acme");

    let statuses = authenticated_requests_at_once(server.operator(), t.api.clone(), portal_user);
    assert_eq!(statuses.await.len(), 24);
}
