//! `GET /metrics`: the operator's Prometheus metrics, in the text exposition format. The crates
//! record through the `metrics` facade (requests here, operations in `blocking`, commits in the
//! store, plugin calls, sessions and sign-in failures in the rules); the binary installs the
//! recorder and hands this route its rendering. Gauges of what is in use now (operation threads,
//! plugin call and compile slots) are read when scraped. Operator token only: the labels name
//! tenants and their plugins.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

use axum::extract::State;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use metrics::{Counter, Histogram};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Operator;
use crate::{short_read, ApiError, AppState};

/// Renders the recorded metrics (the binary's Prometheus recorder).
pub type RenderMetrics = Arc<dyn Fn() -> String + Send + Sync>;

/// The content type of the text exposition format.
const EXPOSITION: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The `/metrics` route.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(scrape))
}

/// Sets the gauges of what is in use now.
fn sample_usage(s: &AppState) {
    let admission = s.domain.admission();
    let (running, queued) = admission.operations.usage();
    metrics::gauge!("portico_operation_threads_busy").set(running as f64);
    metrics::gauge!("portico_operation_queue_length").set(queued as f64);
    for (gate, name) in [
        (&admission.plugin_calls, "plugin_calls"),
        (&admission.compiles, "compiles"),
    ] {
        let usage = gate.usage();
        metrics::gauge!("portico_slots_in_use", "gate" => name).set(usage.held as f64);
        metrics::gauge!("portico_slots_waiting", "gate" => name).set(usage.waiting as f64);
        metrics::gauge!("portico_slots_capacity", "gate" => name).set(usage.capacity as f64);
    }
}

/// Sets the gauges of the delivery queues' backlogs (a store read; left as they were when the
/// store does not answer, which `/readyz` reports).
async fn sample_backlogs(s: &AppState) {
    let backlog = match short_read(s, |d| d.delivery_backlog()).await {
        Ok(backlog) => backlog,
        Err(e) => {
            tracing::warn!(error = %e.message, "delivery backlog not read for /metrics");
            return;
        }
    };
    let now = chrono::Utc::now();
    for (queue, backlog) in [
        ("outbox", backlog.outbox),
        ("hook_deliveries", backlog.hook_deliveries),
    ] {
        let late = backlog.oldest_due_at.map_or(0.0, |due| {
            ((now - due).num_milliseconds().max(0) as f64) / 1000.0
        });
        metrics::gauge!("portico_delivery_queue_length", "queue" => queue)
            .set(backlog.queued as f64);
        metrics::gauge!("portico_delivery_queue_oldest_age_seconds", "queue" => queue).set(late);
    }
}

/// The host's Prometheus metrics (text exposition format 0.0.4).
#[utoipa::path(get, path = "/metrics", tag = "host", operation_id = "metrics",
    security(("operatorToken" = [])),
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain", body = String),
        (status = 404, description = "`metrics_disabled`: the host was started with metrics off (`telemetry.metrics`)")))]
async fn scrape(_op: Operator, State(s): State<AppState>) -> Response {
    let Some(render) = s.render_metrics.clone() else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "metrics_disabled",
            "this host records no metrics (telemetry.metrics is off)",
        )
        .into_response();
    };
    sample_usage(&s);
    sample_backlogs(&s).await;
    ([(header::CONTENT_TYPE, EXPOSITION)], render()).into_response()
}

/// One route's handles for a method and status: its request counter and its latency histogram
/// (by method and route, so shared by that method's statuses).
struct RequestHandles {
    method: &'static str,
    status: u16,
    requests: Counter,
    duration: Histogram,
}

impl RequestHandles {
    fn new(method: &'static str, route: &str, status: u16) -> RequestHandles {
        let route = route.to_string();
        RequestHandles {
            method,
            status,
            requests: metrics::counter!("portico_http_requests_total",
                "method" => method, "route" => route.clone(), "status" => status.to_string()),
            duration: metrics::histogram!("portico_http_request_duration_seconds",
                "method" => method, "route" => route),
        }
    }
}

/// Handles by route template, then (method, status): looking a labelled metric up in the
/// recorder on every request (its key built, hashed and compared) cost more than recording.
static HANDLES: LazyLock<RwLock<HashMap<String, Vec<Arc<RequestHandles>>>>> =
    LazyLock::new(Default::default);

/// The method's label: its name when standard, else `other` (a caller choosing methods must not
/// choose how many series the host keeps).
fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "other",
    }
}

fn handles(method: &'static str, route: &str, status: u16) -> Arc<RequestHandles> {
    let found = |all: &HashMap<String, Vec<Arc<RequestHandles>>>| {
        all.get(route)?
            .iter()
            .find(|h| h.status == status && h.method == method)
            .cloned()
    };
    if let Some(known) = found(&HANDLES.read().unwrap_or_else(PoisonError::into_inner)) {
        return known;
    }
    let mut all = HANDLES.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = found(&all) {
        return known;
    }
    let new = Arc::new(RequestHandles::new(method, route, status));
    all.entry(route.to_string()).or_default().push(new.clone());
    new
}

/// Counts an answered request: by method, route template and status, with its latency.
pub fn record_request(method: &Method, route: &str, status: u16, seconds: f64) {
    let handles = handles(method_label(method), route, status);
    handles.requests.increment(1);
    handles.duration.record(seconds);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standard_methods_name_their_series() {
        assert_eq!(method_label(&Method::PUT), "PUT");
        assert_eq!(
            method_label(&Method::from_bytes(b"PURGE").unwrap()),
            "other"
        );
    }

    #[test]
    fn a_request_is_recorded_through_one_kept_handle_per_series() {
        let first = handles("GET", "/v1/tenants/{tenant}/users", 200);
        let again = handles("GET", "/v1/tenants/{tenant}/users", 200);
        assert!(Arc::ptr_eq(&first, &again));
        let other = handles("GET", "/v1/tenants/{tenant}/users", 404);
        assert!(!Arc::ptr_eq(&first, &other));
    }
}
