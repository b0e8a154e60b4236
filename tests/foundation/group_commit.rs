//! Group commit through the API: concurrent writes share durable transactions, a refused write
//! (a duplicate) never takes its neighbours down, and everything acknowledged survives a restart.
//! The batches are the embedded engine's; on PostgreSQL the same concurrent writes and
//! duplicates are checked without them.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{assert_error, store, Api, Server, StoreKind, TenantApi};

/// Sends 64 user creations at once: 48 distinct emails, 8 of them sent twice more.
async fn concurrent_creates(
    server: &Server,
    t: &TenantApi,
    round: usize,
) -> Vec<(String, StatusCode)> {
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..64 {
        let n = if i < 48 { i } else { i % 8 };
        let email = format!("r{round}-user{n}@example.com");
        let api = tenant_client(server, t);
        requests.spawn(async move {
            let body = json!({"firstName": "F", "lastName": "L", "email": email, "sendWelcomeEmail": false});
            let status = api.post("/users", body).await.0;
            (email, status)
        });
    }
    requests.join_all().await
}

fn tenant_client(server: &Server, t: &TenantApi) -> Api {
    Api::new(&server.base_url, Some(&t.key)).scoped(&format!("/v1/tenants/{}", t.namespace))
}

async fn user_emails(t: &Api) -> HashSet<String> {
    let mut emails = HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/users?limit=100&cursor={c}"),
            None => "/users?limit=100".to_string(),
        };
        let (status, page) = t.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for user in page["items"].as_array().expect("items") {
            emails.insert(user["email"].as_str().unwrap().to_string());
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return emails,
        }
    }
}

fn check_round(results: &[(String, StatusCode)]) -> HashSet<String> {
    let mut created = HashSet::new();
    for (email, status) in results {
        match *status {
            StatusCode::CREATED => assert!(created.insert(email.clone()), "{email} created twice"),
            StatusCode::CONFLICT => {}
            other => panic!("{email}: unexpected {other}"),
        }
    }
    assert_eq!(created.len(), 48, "every distinct email is created once");
    created
}

#[tokio::test]
async fn concurrent_writes_share_commits_and_a_duplicate_refuses_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_in(dir.path(), Some(crate::support::OPERATOR_TOKEN));
    let t = server.tenant("batch").await;
    let mut created = HashSet::new();
    let mut stats = Value::Null;
    for round in 0..3 {
        created.extend(check_round(&concurrent_creates(&server, &t, round).await));
        let (status, body) = server.operator().get("/v1/storage").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        stats = body;
        // PostgreSQL commits each transaction itself: one round checks the duplicates.
        if store() == StoreKind::Postgres || stats["largestBatch"].as_u64().unwrap() > 1 {
            break;
        }
    }
    if store() == StoreKind::Embedded {
        assert!(
            stats["largestBatch"].as_u64().unwrap() > 1,
            "concurrent writes never shared a commit: {stats}"
        );
        assert!(
            stats["writes"].as_u64() > stats["commits"].as_u64(),
            "{stats}"
        );
        assert_eq!(stats["maxBatch"], 256);
    }
    assert_eq!(user_emails(&tenant_client(&server, &t)).await, created);

    // Every acknowledged write is durable.
    assert!(server.stop().success());
    let server = Server::start_in(dir.path(), Some(crate::support::OPERATOR_TOKEN));
    assert_eq!(user_emails(&tenant_client(&server, &t)).await, created);
}

#[tokio::test]
async fn a_batch_of_one_commits_every_write_alone() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        Some(crate::support::OPERATOR_TOKEN),
        &["--commit-batch-max", "1"],
    );
    let t = server.tenant("alone").await;
    check_round(&concurrent_creates(&server, &t, 0).await);
    let (_, stats) = server.operator().get("/v1/storage").await;
    assert_eq!(stats["maxBatch"], 1);
    assert_eq!(stats["largestBatch"], 1, "{stats}");
    assert_eq!(stats["writes"], stats["commits"], "{stats}");
}

#[tokio::test]
async fn storage_stats_are_for_the_operator_only() {
    let server = Server::start();
    let t = server.tenant("nosy").await;
    assert_error(
        server.anonymous().get("/v1/storage").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let tenant_key = Api::new(&server.base_url, Some(&t.key));
    assert_error(
        tenant_key.get("/v1/storage").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

#[test]
fn commit_flags_out_of_range_are_refused() {
    for (flag, value) in [
        ("--commit-batch-max", "0"),
        ("--commit-batch-max", "100000"),
        ("--commit-batch-wait-us", "5000000"),
        ("--commit-batch-wait-us", "soon"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(dir.path())
            .args([flag, value])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{flag} {value} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(flag), "{flag} {value}: {stderr}");
    }
}

#[tokio::test]
async fn one_operation_thread_serves_concurrent_writes_and_reads() {
    // No operation waits for another one: with a single operation thread, 64 concurrent
    // creates (some refused as duplicates) and the reads after them all complete.
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        Some(crate::support::OPERATOR_TOKEN),
        &["--operation-threads", "1"],
    );
    let t = server.tenant("one_thread").await;
    let created = check_round(&concurrent_creates(&server, &t, 0).await);
    assert_eq!(user_emails(&tenant_client(&server, &t)).await, created);
}

#[test]
fn operation_threads_must_be_at_least_one() {
    let stderr = crate::support::serve_refuses(&["--operation-threads", "0"]);
    assert!(stderr.contains("--operation-threads"), "{stderr}");
}
