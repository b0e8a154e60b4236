//! `/livez` answers whenever the process serves; `/readyz` only while it should be sent
//! requests: not while it drains at shutdown, nor while its database cannot be reached.

use std::time::{Duration, Instant};

use portico_test_postgres::Postgres;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::http_server::Portico;
use crate::support::{Api, Server};

/// Every check passing.
fn all_ok() -> Value {
    json!({"storage": "ok", "schema": "ok", "plugins": "ok", "shutdown": "ok"})
}

/// Polls `GET /readyz` until it answers `status`; answers its body. Panics after 30 s.
async fn wait_for_readyz(api: &Api, status: StatusCode) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (got, body) = api.get("/readyz").await;
        if got == status {
            return body;
        }
        assert!(Instant::now() < deadline, "/readyz still {got}: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_running_server_is_live_and_ready_without_credentials() {
    let server = Server::start();
    let api = server.anonymous();
    assert_eq!(
        api.get("/livez").await,
        (StatusCode::OK, json!({"status": "ok"}))
    );
    assert_eq!(
        api.get("/readyz").await,
        (StatusCode::OK, json!({"status": "ok", "checks": all_ok()}))
    );
    // The health route keeps its answer.
    let (status, health) = api.get("/v1/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn readyz_answers_503_while_the_server_drains_and_it_serves_on_until_the_delay() {
    let mut server = Portico::start(&["--shutdown-delay-secs", "4"], "warn", None);
    let api = Api::new(&server.base_url, None);
    assert_eq!(api.get("/readyz").await.0, StatusCode::OK);

    server.terminate();
    let terminated = Instant::now();
    let body = wait_for_readyz(&api, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(body["status"], "unavailable", "{body}");
    assert_eq!(
        body["checks"],
        json!({"storage": "ok", "schema": "ok", "plugins": "ok", "shutdown": "draining"})
    );
    // Still live, still serving requests (and accepting connections) during the delay.
    assert_eq!(api.get("/livez").await.0, StatusCode::OK);
    let fresh = Api::new(&server.base_url, None);
    assert_eq!(fresh.get("/v1/health").await.0, StatusCode::OK);
    assert!(
        terminated.elapsed() < Duration::from_secs(4),
        "the checks outlasted the delay"
    );

    let status = server
        .exit_within(Duration::from_secs(30))
        .expect("still running 30 s after SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(
        terminated.elapsed() >= Duration::from_secs(4),
        "stopped before the delay: {:?}",
        terminated.elapsed()
    );
}

#[tokio::test]
async fn readyz_answers_503_while_the_database_is_unreachable_and_livez_200() {
    let postgres = Postgres::start(&[]);
    let url = postgres.create_database("portico").await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_on_database(dir.path(), &url);
    let api = server.anonymous();
    assert_eq!(
        api.get("/readyz").await,
        (StatusCode::OK, json!({"status": "ok", "checks": all_ok()}))
    );

    postgres.stop();
    let body = wait_for_readyz(&api, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(
        body["checks"],
        json!({"storage": "unreachable", "schema": "unknown", "plugins": "ok", "shutdown": "ok"})
    );
    // Live all the same, and promptly: the liveness probe reads no store.
    let started = Instant::now();
    assert_eq!(
        api.get("/livez").await,
        (StatusCode::OK, json!({"status": "ok"}))
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // The readiness probe answers within its own bound, not the pool's wait.
    let started = Instant::now();
    assert_eq!(api.get("/readyz").await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    postgres.restart();
    let body = wait_for_readyz(&api, StatusCode::OK).await;
    assert_eq!(body["checks"], all_ok());
}
