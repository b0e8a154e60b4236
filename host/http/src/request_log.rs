//! The request log: one access line per request (`portico::access`: status, latency) in the
//! request's span (its id, tenant, route, method, and the path and query, with the value
//! of every query parameter that may carry a secret (`?code=` of a reset link, `?token=` of a
//! signup link, anything unknown) replaced; headers, so `Authorization`, are never recorded.

use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, Uri};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::request_id::{request_id_of, with_request_id, MatchedRoute};

/// Query parameters whose values are recorded as they are: paging and filters, never a
/// credential or personal data (`email` is not among them).
pub const LOGGED_QUERY_PARAMETERS: &[&str] = &[
    "limit", "cursor", "status", "kind", "group", "langCode", "name",
];

/// What a redacted value is recorded as.
pub const REDACTED: &str = "REDACTED";

/// Middleware, outermost: serves the request in its span (its id, method, redacted URI,
/// tenant, and the route once matched), then writes one access line (`portico::access`, info)
/// with its status and latency.
pub async fn observe(mut request: Request<Body>, next: Next) -> Response {
    let id = request_id_of(&request);
    let route = MatchedRoute::default();
    request.extensions_mut().insert(route.clone());
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        uri = %RedactedUri(request.uri()),
        tenant = namespace_of(request.uri().path()),
        route = tracing::field::Empty,
    );
    let started = Instant::now();
    let method = request.method().clone();
    let response = with_request_id(id, request, next)
        .instrument(span.clone())
        .await;
    let seconds = started.elapsed().as_secs_f64();
    // To the microsecond: `4.627`, not `4.626812999999999`.
    let latency_ms = (seconds * 1e6).round() / 1e3;
    let status = response.status().as_u16();
    let matched = route.0.get().map_or("unmatched", String::as_str);
    crate::metrics::record_request(&method, matched, status, seconds);
    span.in_scope(|| {
        tracing::info!(target: "portico::access", status, latency_ms, "request served");
    });
    response
}

/// The tenant a path names (`/v1/tenants/{ns}/...`, `/portal/{ns}/...`), for the span.
fn namespace_of(path: &str) -> Option<&str> {
    path.strip_prefix("/v1/tenants/")
        .or_else(|| path.strip_prefix("/portal/"))
        .and_then(|rest| rest.split('/').next())
        .filter(|ns| !ns.is_empty())
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
