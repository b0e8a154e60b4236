//! The request log: one access line per request (`portico::access`: status, latency), written,
//! as every line of the request is, with the request's context (`RequestContext`: its id,
//! method, path and query, tenant and route), the value of every query parameter that may
//! carry a secret (`?code=` of a reset link, `?token=` of a signup link, anything unknown)
//! replaced; headers, so `Authorization`, are never recorded.
//!
//! The context rides with the request (a task-local, and a thread-local on the operation
//! thread doing its work) and is written out by the log format only when a line is written.
//! A `tracing` span per request did the same at about four times the cost (its fields
//! formatted up front, entered and left at every poll, on two threads: `docs/performance.md`,
//! "What metrics and tracing cost"), so the request's span is made only when spans are
//! exported (`export_request_spans`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, Uri};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::request_id::{request_id_of, serve_as, working_for, MatchedRoute, RequestContext};

/// Query parameters whose values are recorded as they are: paging and filters, never a
/// credential or personal data (`email` is not among them).
pub const LOGGED_QUERY_PARAMETERS: &[&str] = &[
    "limit", "cursor", "status", "kind", "group", "langCode", "name",
];

/// What a redacted value is recorded as.
pub const REDACTED: &str = "REDACTED";

/// Whether each request gets a `tracing` span (for a trace exporter).
static REQUEST_SPANS: AtomicBool = AtomicBool::new(false);

/// Gives every request from now on a `tracing` span named `request` (its id, method, redacted
/// URI, tenant and route), entered wherever the request's work runs: for a trace exporter.
pub fn export_request_spans() {
    REQUEST_SPANS.store(true, Ordering::Relaxed);
}

/// Middleware, outermost: serves the request as its `RequestContext`, then writes one access
/// line (`portico::access`, info) with its status and latency, and records its metrics.
pub async fn observe(mut request: Request<Body>, next: Next) -> Response {
    let route = MatchedRoute::default();
    request.extensions_mut().insert(route.clone());
    let context = Arc::new(RequestContext {
        id: request_id_of(&request),
        method: request.method().clone(),
        uri: request.uri().clone(),
        route,
    });
    let started = Instant::now();
    let response = serve_as(context.clone(), next, request)
        .instrument(span_of(&context))
        .await;
    let seconds = started.elapsed().as_secs_f64();
    // To the microsecond: `4.627`, not `4.626812999999999`.
    let latency_ms = (seconds * 1e6).round() / 1e3;
    let status = response.status().as_u16();
    let route = context.matched_route().unwrap_or("unmatched");
    crate::metrics::record_request(&context.method, route, status, seconds);
    working_for(Some(context), || {
        tracing::info!(target: "portico::access", status, latency_ms, "request served");
    });
    response
}

/// The request's span when spans are exported, else none.
fn span_of(context: &RequestContext) -> tracing::Span {
    if !REQUEST_SPANS.load(Ordering::Relaxed) {
        return tracing::Span::none();
    }
    tracing::info_span!(
        "request",
        request_id = %context.id,
        method = %context.method,
        uri = %RedactedUri(&context.uri),
        tenant = context.tenant(),
        route = tracing::field::Empty,
    )
}

/// The path and query of a URI, the values of parameters not in `LOGGED_QUERY_PARAMETERS`
/// replaced by `REDACTED`; written straight into the log line (no string of its own).
pub struct RedactedUri<'u>(pub &'u Uri);

impl std::fmt::Display for RedactedUri<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.path())?;
        let Some(query) = self.0.query() else {
            return Ok(());
        };
        for (i, pair) in query.split('&').enumerate() {
            f.write_str(if i == 0 { "?" } else { "&" })?;
            match pair.split_once('=') {
                Some((name, _)) if !LOGGED_QUERY_PARAMETERS.contains(&name) => {
                    write!(f, "{name}={REDACTED}")?
                }
                None if !LOGGED_QUERY_PARAMETERS.contains(&pair) => f.write_str(REDACTED)?,
                _ => f.write_str(pair)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::RedactedUri;

    fn redacted(uri: &str) -> String {
        RedactedUri(&uri.parse().unwrap()).to_string()
    }

    #[test]
    fn secret_and_unknown_query_values_are_replaced() {
        assert_eq!(
            redacted("/v1/tenants/acme/portal/signup?token=psu_secret"),
            "/v1/tenants/acme/portal/signup?token=REDACTED"
        );
        assert_eq!(
            redacted("/v1/tenants/acme/password-reset?code=prc_secret&limit=5"),
            "/v1/tenants/acme/password-reset?code=REDACTED&limit=5"
        );
        assert_eq!(
            redacted("/v1/tenants/acme/users?email=a%40b.com&status=active&prc_bare"),
            "/v1/tenants/acme/users?email=REDACTED&status=active&REDACTED"
        );
        assert_eq!(redacted("/v1/health"), "/v1/health");
    }
}
