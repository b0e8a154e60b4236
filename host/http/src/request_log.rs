//! The request log (`PORTICO_LOG=debug`): method, path and query of each request, with the value
//! of every query parameter that may carry a secret (`?code=` of a reset link, `?token=` of a
//! signup link, anything unknown) replaced; headers, so `Authorization`, are never recorded.

use axum::http::{Request, Uri};
use tracing::Span;

/// Query parameters whose values are recorded as they are: paging and filters, never a
/// credential or personal data (`email` is not among them).
pub const LOGGED_QUERY_PARAMETERS: &[&str] = &[
    "limit", "cursor", "status", "kind", "group", "langCode", "name",
];

/// What a redacted value is recorded as.
pub const REDACTED: &str = "REDACTED";

/// The span of one request (tower-http's `TraceLayer` records its start and answer in it).
pub fn request_span<B>(request: &Request<B>) -> Span {
    tracing::debug_span!(
        "request",
        method = %request.method(),
        uri = %redacted_uri(request.uri()),
        version = ?request.version(),
    )
}

/// The path and query of `uri`, the values of parameters not in `LOGGED_QUERY_PARAMETERS`
/// replaced by `REDACTED`.
pub fn redacted_uri(uri: &Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.path().to_string();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if !LOGGED_QUERY_PARAMETERS.contains(&name) => {
                format!("{name}={REDACTED}")
            }
            None if !LOGGED_QUERY_PARAMETERS.contains(&pair) => REDACTED.to_string(),
            _ => pair.to_string(),
        })
        .collect();
    format!("{}?{}", uri.path(), pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::redacted_uri;

    fn redacted(uri: &str) -> String {
        redacted_uri(&uri.parse().unwrap())
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
