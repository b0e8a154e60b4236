//! Portico's HTTP API: JSON under `/v1`, bearer-token auth, errors as `{"error": {...}}`, the
//! probes of an orchestrator (`/livez`, `/readyz`: `probes`), and the connection handling in
//! front of it (caps, read timeouts, graceful drain). Handlers parse
//! and authenticate, then run the rules' operation on an operation thread (storage and argon2
//! block) so the async runtime keeps serving other requests.
//!
//! It depends on the core (the rules, their errors and entities), on the admission crate
//! (operation threads) and on the mail crate (a leaf: the check of a tenant's own mail
//! templates when they are saved), never on a storage engine or the plugin runtime: the
//! `portico` binary wires those in.

mod admission_keys;
pub mod app_tokens;
mod auth;
mod auth_providers;
pub mod backup;
mod body_deadline;
pub mod connections;
mod error;
mod extractors;
mod forms;
mod groups;
mod identity_providers;
mod json_body;
mod mail_templates;
pub mod metrics;
mod oneentry;
pub mod openapi;
mod operator_token;
mod pages;
mod passwords;
mod plugins;
mod portal;
mod portal_public;
pub mod probes;
mod profiles;
pub mod request_id;
pub mod request_log;
mod tenants;
mod users;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::middleware;

use admission_keys::{
    admission_key, learn_tenant_id, scope_by_namespace, AdmissionKey, TenantIdsByNamespace,
};

pub use body_deadline::{BodyTimeout, DeadlineBody};
pub use error::{ApiError, ApiResult};
pub use extractors::{body_read_error, ApiJson, ApiPath, ApiQuery, OptionalJson};
use portico_core::domain::{Domain, DomainError, DomainResult, PageRequest};
pub use probes::Readiness;

/// Largest JSON body any endpoint accepts: bounds memory per request; real documents (users,
/// settings, endpoint configurations of at most 64 KiB) fit easily.
pub const MAX_JSON_BODY_BYTES: usize = 256 * 1024;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The rules every request runs.
    pub domain: Arc<Domain>,
    /// Tenant ids this host's operations found, for the admission keys of a store whose reads
    /// wait for the network.
    tenant_ids: Arc<TenantIdsByNamespace>,
    /// Renders `/metrics` (none: the route answers an empty page).
    render_metrics: Option<metrics::RenderMetrics>,
    /// What `/readyz` checks; the server's start and stop set its flags.
    pub readiness: Arc<Readiness>,
    /// Whether a backup is being taken or sent (one at a time).
    backups: Arc<backup::BackupGate>,
}

impl AppState {
    /// The state of a server running `domain`'s rules, ready whenever its store answers.
    pub fn new(domain: Arc<Domain>) -> AppState {
        AppState {
            domain,
            tenant_ids: Arc::default(),
            render_metrics: None,
            readiness: Arc::default(),
            backups: Arc::default(),
        }
    }

    /// The same state, `/metrics` rendered by `render`.
    pub fn with_metrics(mut self, render: metrics::RenderMetrics) -> AppState {
        self.render_metrics = Some(render);
        self
    }

    /// The same state with the readiness its server keeps (`probes`).
    pub fn with_readiness(self, readiness: Arc<Readiness>) -> AppState {
        AppState { readiness, ..self }
    }
}

/// How long operations waited for an operation thread (the handle kept: every operation records
/// one sample, and the recorder is installed before the first request).
static OPERATION_QUEUE_WAIT: std::sync::LazyLock<::metrics::Histogram> =
    std::sync::LazyLock::new(|| ::metrics::histogram!("portico_operation_queue_wait_seconds"));

/// Runs a domain operation on one of the operation threads (`admission::OperationPool`: the
/// tenant's turn, within its share; past the queue wait, 503 `server_busy`) and maps its
/// error. The thread is released when the operation's work is done; the answer waits (as an
/// async task) until the operation's writes are durable.
pub async fn blocking<T, F>(state: &AppState, op: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Domain) -> DomainResult<T> + Send + 'static,
{
    let domain = state.domain.clone();
    let AdmissionKey { key, to_learn } = admission_key(&domain, &state.tenant_ids);
    let (pool, wait) = (
        domain.admission().operations.clone(),
        domain.admission().operation_queue_wait,
    );
    let known = state.tenant_ids.clone();
    // The request (and its span, when spans are exported) goes with its work, so the lines
    // the operation writes (plugin calls included) carry the request's id.
    let (request, span) = (request_id::current_request(), tracing::Span::current());
    let queued = std::time::Instant::now();
    let run = move || {
        let _entered = span.enter();
        request_id::working_for(request, || {
            let waited = queued.elapsed();
            OPERATION_QUEUE_WAIT.record(waited.as_secs_f64());
            let waited_us = waited.as_micros() as u64;
            let answer = domain
                .deferring(|d| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| op(d))));
            tracing::debug!(target: "portico::operation", waited_us, "operation ran");
            if let (Some(namespace), (Ok(Ok(_)), _)) = (to_learn, &answer) {
                learn_tenant_id(&domain, &known, namespace);
            }
            answer
        })
    };
    let (result, durability) = pool
        .run(&key, wait, run)
        .await
        .map_err(|busy| ApiError::from(DomainError::busy("server_busy", busy.gate, busy.waited)))?;
    let Ok(result) = result else {
        return Err(ApiError::internal("operation panicked"));
    };
    let stored = durability.wait().await;
    match (result, stored) {
        (Ok(_), Err(e)) => Err(ApiError::from(portico_core::domain::DomainError::from(e))),
        (result, _) => result.map_err(ApiError::from),
    }
}

/// Runs a short read-only domain operation (a few record reads and a SHA-256: the token checks
/// of every authenticated request). On a store that answers from memory or the page cache it
/// runs on the async worker itself: a hop to an operation thread and back costs more than such
/// an operation (two thread wake-ups). On a store whose reads wait for the network it goes
/// through `blocking` (in the request's tenant's turn), since a round trip would hold the async
/// worker. Never for a write, a password hash or a plugin call: those always use `blocking`.
pub async fn short_read<T, F>(state: &AppState, op: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Domain) -> DomainResult<T> + Send + 'static,
{
    if state.domain.store().reads_wait_for_network() {
        blocking(state, op).await
    } else {
        op(&state.domain).map_err(ApiError::from)
    }
}

/// `?limit=&cursor=` of every list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Most items per page (`DEFAULT_PAGE_SIZE` when absent).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
    /// Where the previous page ended.
    pub cursor: Option<String>,
}

impl From<PageParams> for PageRequest {
    fn from(p: PageParams) -> PageRequest {
        PageRequest {
            limit: p.limit,
            cursor: p.cursor,
        }
    }
}

/// The whole API. The JSON routes are registered with their OpenAPI description (`openapi`);
/// the portal pages (HTML) are not part of the document.
pub fn router(state: AppState) -> Router {
    let (api, mut document) = OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(health))
        .routes(routes!(storage_stats))
        .merge(openapi::routes())
        .merge(tenants::routes())
        .merge(passwords::routes())
        .merge(portal_public::routes())
        .merge(plugins::operator_routes())
        .merge(metrics::routes())
        .merge(backup::operator_routes())
        .merge(operator_token::operator_routes())
        .nest(
            "/v1/tenants/{tenant}",
            users::routes()
                .merge(groups::routes())
                .merge(forms::routes())
                .merge(identity_providers::routes())
                .merge(profiles::routes())
                .merge(portal::routes())
                .merge(plugins::routes())
                .merge(app_tokens::tenant_scoped_routes())
                .merge(auth_providers::routes())
                .merge(mail_templates::routes())
                .merge(tenants::tenant_scoped_routes())
                .nest(oneentry::PREFIX, oneentry::routes(state.clone())),
        )
        .split_for_parts();
    let (probes, probes_document) = probes::routes().split_for_parts();
    document.merge(probes_document);
    openapi::publish(document);
    api.merge(pages::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY_BYTES))
        .route_layer(middleware::from_fn(request_id::record_route))
        .layer(middleware::from_fn(scope_by_namespace))
        .layer(middleware::from_fn(request_log::observe))
        // Outside the request log: an orchestrator calls them every few seconds (`/readyz`
        // logs when its answer changes instead).
        .merge(probes)
        .with_state(state)
}

/// Server health and the storage schema's version.
#[utoipa::path(get, path = "/v1/health", tag = "host", operation_id = "health",
    responses((status = 200, body = openapi::Health)))]
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> ApiResult<Json<serde_json::Value>> {
    let version = blocking(&state, |d| Ok(d.store().schema_version()?)).await?;
    Ok(Json(
        serde_json::json!({ "status": "ok", "schemaVersion": version }),
    ))
}

/// Operator diagnostics: the group-commit policy and how many writes shared each commit.
#[utoipa::path(get, path = "/v1/storage", tag = "host", operation_id = "storageStats",
    security(("operatorToken" = [])),
    responses((status = 200, body = portico_core::domain::StorageStats)))]
async fn storage_stats(
    _op: auth::Operator,
    axum::extract::State(state): axum::extract::State<AppState>,
) -> ApiResult<Json<portico_core::domain::StorageStats>> {
    Ok(Json(blocking(&state, |d| Ok(d.storage_stats())).await?))
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "route_not_found",
        "no such route; see the README for the API",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not accept that method",
    )
}
