//! `/livez` and `/readyz` through the whole router, over the real embedded store, with the
//! store's read replaced where a test needs it to fail, hang or find another schema.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use portico_core::domain::Domain;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::{Readiness, StorageCheck, StorageCheckResult, STORAGE_CHECK_TIMEOUT};
use crate::{router, AppState};

/// The schema version the tests' fake store reads answer.
const SCHEMA: u32 = 6;

struct Fixture {
    state: AppState,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(portico_store_redb::Store::open(dir.path()).unwrap());
    let domain = Domain::new(store, "http://portico.test".into());
    Fixture {
        state: AppState::new(Arc::new(domain)),
        _dir: dir,
    }
}

impl Fixture {
    /// The same server with `readiness`.
    fn with(self, readiness: Readiness) -> Fixture {
        Fixture {
            state: self.state.with_readiness(Arc::new(readiness)),
            ..self
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = router(self.state.clone())
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        assert_eq!(response.headers()["cache-control"], "no-store");
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }
}

/// A store read that answers `answer` (after `delay`), counting its calls.
fn check(answer: StorageCheckResult, delay: Duration, calls: Arc<AtomicUsize>) -> StorageCheck {
    Arc::new(move || {
        calls.fetch_add(1, Ordering::SeqCst);
        let answer = answer.clone();
        Box::pin(async move {
            tokio::time::sleep(delay).await;
            answer
        })
    })
}

/// Readiness over a store read answering `answer` at once, the plugin artifacts loaded.
fn started(answer: StorageCheckResult) -> Readiness {
    let readiness = Readiness::new(SCHEMA, check(answer, Duration::ZERO, Arc::default()));
    readiness.plugins_loaded();
    readiness
}

fn all_ok() -> Value {
    json!({"storage": "ok", "schema": "ok", "plugins": "ok", "shutdown": "ok"})
}

#[tokio::test]
async fn live_and_ready_on_the_embedded_store() {
    let server = fixture();
    assert_eq!(
        server.get("/livez").await,
        (StatusCode::OK, json!({"status": "ok"}))
    );
    assert_eq!(
        server.get("/readyz").await,
        (StatusCode::OK, json!({"status": "ok", "checks": all_ok()}))
    );
}

#[tokio::test]
async fn not_ready_until_the_plugin_artifacts_are_loaded() {
    let readiness = Readiness::new(
        SCHEMA,
        check(Ok(Some(SCHEMA)), Duration::ZERO, Arc::default()),
    );
    let server = fixture().with(readiness);
    let (status, body) = server.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"]["plugins"], "loading", "{body}");
    assert_eq!(body["checks"]["storage"], "ok", "{body}");
    // Alive all the same.
    assert_eq!(server.get("/livez").await.0, StatusCode::OK);
    server.state.readiness.plugins_loaded();
    assert_eq!(server.get("/readyz").await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_unreachable_store_is_not_ready_and_still_live() {
    let server = fixture().with(started(Err("connection refused".into())));
    let (status, body) = server.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body["checks"],
        json!({"storage": "unreachable", "schema": "unknown", "plugins": "ok", "shutdown": "ok"})
    );
    assert!(
        !body.to_string().contains("refused"),
        "no error text: {body}"
    );
    assert_eq!(server.get("/livez").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_store_that_does_not_answer_in_time_is_unreachable() {
    let calls = Arc::new(AtomicUsize::new(0));
    let readiness = Readiness::new(
        SCHEMA,
        check(Ok(Some(SCHEMA)), Duration::from_secs(60), calls),
    );
    readiness.plugins_loaded();
    let server = fixture().with(readiness);
    let started = Instant::now();
    let (status, body) = server.get("/readyz").await;
    assert!(started.elapsed() < STORAGE_CHECK_TIMEOUT + Duration::from_millis(500));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["checks"]["storage"], "unreachable", "{body}");
}

#[tokio::test]
async fn a_schema_another_host_migrated_further_is_not_ready() {
    let server = fixture().with(started(Ok(Some(SCHEMA + 1))));
    let (status, body) = server.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["checks"]["schema"], "mismatch", "{body}");
    assert_eq!(body["checks"]["storage"], "ok", "{body}");
}

#[tokio::test]
async fn a_draining_server_is_not_ready_and_still_live() {
    let server = fixture().with(started(Ok(Some(SCHEMA))));
    assert_eq!(server.get("/readyz").await.0, StatusCode::OK);
    server.state.readiness.start_draining();
    let (status, body) = server.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["checks"]["shutdown"], "draining", "{body}");
    assert_eq!(server.get("/livez").await.0, StatusCode::OK);
}

#[tokio::test]
async fn probes_in_quick_succession_share_one_read_of_the_store() {
    let calls = Arc::new(AtomicUsize::new(0));
    let readiness = Readiness::new(
        SCHEMA,
        check(Ok(Some(SCHEMA)), Duration::from_millis(50), calls.clone()),
    );
    readiness.plugins_loaded();
    let server = fixture().with(readiness);
    let mut probes = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let app = router(server.state.clone());
        probes.spawn(async move {
            let request = Request::get("/readyz").body(Body::empty()).unwrap();
            app.oneshot(request).await.unwrap().status()
        });
    }
    for status in probes.join_all().await {
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
