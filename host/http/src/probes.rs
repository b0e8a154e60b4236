//! The probes an orchestrator (Kubernetes) or a load balancer calls, without authentication:
//!
//! - `GET /livez`: the process is up and its HTTP server answers. It reads nothing else (no
//!   store, no operation thread), so a slow or unreachable database never gets a live process
//!   restarted.
//! - `GET /readyz`: the host should be sent requests. 200 only when every check passes, else
//!   503; both name each check and its state (`{"status", "checks": {...}}`):
//!   - `storage`: the store answers a cheap read (its schema version) within
//!     `STORAGE_CHECK_TIMEOUT` (`ok`, `unreachable`);
//!   - `schema`: it holds the schema this build runs, migrations done (`ok`, `mismatch`: another
//!     host migrated it further, `unknown`: not read);
//!   - `plugins`: the start's stored plugin artifacts are loaded (`ok`, `loading`);
//!   - `shutdown`: the server is not shutting down (`ok`, `draining`: from the shutdown signal
//!     on, so a load balancer stops sending before the server stops accepting).
//!
//! The store is read at most once per `STORAGE_CHECK_REUSE` whatever the probes' rate (the
//! answer is shared by the probes within it, and probes arriving during a read wait for it), so
//! the unauthenticated route costs the store next to nothing. The read never holds an async
//! worker for long: the binary hands in how to read its store (an async statement on
//! PostgreSQL, bounded by the timeout; a read from memory on the embedded file).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{short_read, AppState};

/// Longest the readiness probe waits for the store's answer; past it the store counts as
/// unreachable (under the 1 s that Kubernetes waits for a probe's answer by default).
pub const STORAGE_CHECK_TIMEOUT: Duration = Duration::from_millis(800);

/// How long one read of the store answers the readiness probes that follow it.
pub const STORAGE_CHECK_REUSE: Duration = Duration::from_secs(1);

/// What a read of the store for the probe answers: its schema version, or why it failed.
pub type StorageCheckResult = Result<Option<u32>, String>;

/// How the readiness probe reads the store: a future that never blocks its async worker for
/// long (the probe bounds it with `STORAGE_CHECK_TIMEOUT`).
pub type StorageCheck =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = StorageCheckResult> + Send>> + Send + Sync>;

/// What the readiness probe checks, shared between the server's start and stop (which set its
/// flags) and the probe.
pub struct Readiness {
    /// The schema version this build runs; `None`: any the store answers.
    schema_version: Option<u32>,
    /// How the store is read; `None`: a short read through the rules' store (`short_read`).
    storage: Option<StorageCheck>,
    /// The start's stored plugin artifacts are loaded.
    plugins_loaded: AtomicBool,
    /// The server is shutting down.
    draining: AtomicBool,
    /// What the last probe answered, to log each change once.
    was_ready: AtomicBool,
    /// The last read of the store and when it was made; locked while a read runs.
    last: tokio::sync::Mutex<Option<(Instant, Storage)>>,
}

/// The store's state as the last read found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Storage {
    /// It answered with this schema version.
    Answered(Option<u32>),
    /// It failed or did not answer in time.
    Unreachable,
}

impl Default for Readiness {
    /// Ready once the store answers: no start-up work to wait for, any schema version.
    fn default() -> Readiness {
        Readiness {
            schema_version: None,
            storage: None,
            plugins_loaded: AtomicBool::new(true),
            draining: AtomicBool::new(false),
            was_ready: AtomicBool::new(true),
            last: tokio::sync::Mutex::new(None),
        }
    }
}

impl Readiness {
    /// Ready once `plugins_loaded` is called, while `storage` answers `schema_version`.
    pub fn new(schema_version: u32, storage: StorageCheck) -> Readiness {
        Readiness {
            schema_version: Some(schema_version),
            storage: Some(storage),
            plugins_loaded: AtomicBool::new(false),
            ..Readiness::default()
        }
    }

    /// The start's stored plugin artifacts are loaded.
    pub fn plugins_loaded(&self) {
        self.plugins_loaded.store(true, Ordering::Release);
    }

    /// The server is shutting down: not ready from now on.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::Release);
    }

    /// Whether `start_draining` was called.
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }

    /// The store's state: the last read's if recent, else a new read (one at a time).
    async fn storage(&self, state: &AppState) -> Storage {
        let mut last = self.last.lock().await;
        if let Some((at, storage)) = *last {
            if at.elapsed() < STORAGE_CHECK_REUSE {
                return storage;
            }
        }
        let read = async {
            match &self.storage {
                Some(check) => check().await,
                None => short_read(state, |d| Ok(d.store().schema_version()?))
                    .await
                    .map_err(|e| format!("{}: {}", e.code, e.message)),
            }
        };
        let storage = match tokio::time::timeout(STORAGE_CHECK_TIMEOUT, read).await {
            Ok(Ok(version)) => Storage::Answered(version),
            Ok(Err(error)) => {
                tracing::debug!(%error, "readiness: the store did not answer");
                Storage::Unreachable
            }
            Err(_) => {
                tracing::debug!("readiness: the store did not answer in time");
                Storage::Unreachable
            }
        };
        *last = Some((Instant::now(), storage));
        storage
    }

    /// Every check's state, and whether all pass.
    async fn checks(&self, state: &AppState) -> (bool, serde_json::Value) {
        let storage = self.storage(state).await;
        let schema = match (storage, self.schema_version) {
            (Storage::Answered(Some(found)), Some(expected)) if found != expected => "mismatch",
            (Storage::Answered(Some(_)), _) => "ok",
            _ => "unknown",
        };
        let storage = match storage {
            Storage::Answered(_) => "ok",
            Storage::Unreachable => "unreachable",
        };
        let plugins = match self.plugins_loaded.load(Ordering::Acquire) {
            true => "ok",
            false => "loading",
        };
        let shutdown = match self.is_draining() {
            true => "draining",
            false => "ok",
        };
        let ready = [storage, schema, plugins, shutdown]
            .iter()
            .all(|state| *state == "ok");
        let checks = json!({
            "storage": storage,
            "schema": schema,
            "plugins": plugins,
            "shutdown": shutdown,
        });
        if self.was_ready.swap(ready, Ordering::AcqRel) != ready {
            match ready {
                true => tracing::info!("ready: /readyz answers 200"),
                false => tracing::warn!(%checks, "not ready: /readyz answers 503"),
            }
        }
        (ready, checks)
    }
}

/// `/livez` and `/readyz`.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(livez))
        .routes(routes!(readyz))
}

/// A probe's answer.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the JSON the probes build
struct ProbeAnswer {
    /// `ok` or `unavailable`.
    status: String,
    /// `/readyz` only: each check's result (`ok`, or why not).
    #[schema(required = false)]
    checks: Option<serde_json::Value>,
}

/// Liveness: the process is up and answering (touches no store).
#[utoipa::path(get, path = "/livez", tag = "host", operation_id = "livez",
    responses((status = 200, body = ProbeAnswer)))]
async fn livez() -> Response {
    uncached(StatusCode::OK, json!({ "status": "ok" }))
}

/// Readiness: storage reachable, schema current, plugin artifacts loaded, not draining.
#[utoipa::path(get, path = "/readyz", tag = "host", operation_id = "readyz",
    responses((status = 200, body = ProbeAnswer), (status = 503, description = "Not ready: `checks` names each failing check", body = ProbeAnswer)))]
async fn readyz(State(state): State<AppState>) -> Response {
    let (ready, checks) = state.readiness.checks(&state).await;
    match ready {
        true => uncached(StatusCode::OK, json!({ "status": "ok", "checks": checks })),
        false => uncached(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "unavailable", "checks": checks }),
        ),
    }
}

/// A probe's answer, never kept by a cache on the way.
fn uncached(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
#[path = "probes_tests.rs"]
mod tests;
