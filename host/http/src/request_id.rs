//! Every request's id: the caller's `x-request-id` when it is a sensible one, else a new one.
//! It names the request's span (so every log line of the request carries it, the lines written
//! on an operation thread and in plugin calls included: `blocking` enters the span there), is
//! returned in the answer's `x-request-id` header and in every error body (`requestId`), so a
//! person quoting an error lets the operator find its log lines.

use std::sync::{Arc, OnceLock};

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;

/// The header carrying the id, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// Longest id taken from a caller; a longer (or otherwise odd) one is replaced by a new id.
pub const MAX_REQUEST_ID_LEN: usize = 128;

tokio::task_local! {
    /// The id of the request being served.
    static REQUEST_ID: String;
}

/// The id of the request being served on this task, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The caller's id when it is 1 to `MAX_REQUEST_ID_LEN` visible ASCII characters without
/// quotes or backslashes (it goes into logs and JSON as it is).
fn acceptable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}

/// A new id: 16 random bytes, hex.
fn new_request_id() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes: [u8; 16] = rand::rng().random();
    let mut id = String::with_capacity(2 * bytes.len());
    for b in bytes {
        id.push(char::from(HEX[usize::from(b >> 4)]));
        id.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    id
}

/// The request's id: its header's, when acceptable, else a new one.
pub fn request_id_of(request: &Request) -> String {
    request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| acceptable(id))
        .map_or_else(new_request_id, str::to_string)
}

/// Runs `next` as the request `id` (for `current_request_id`) and returns the id in the answer.
pub async fn with_request_id(id: String, request: Request, next: Next) -> Response {
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Where the route a request matched is written, for the observer outside the router (which
/// runs before routing and so cannot read `MatchedPath` itself).
#[derive(Clone, Default)]
pub struct MatchedRoute(pub Arc<OnceLock<String>>);

/// Route middleware: records the template of the route the request matched
/// (`/v1/tenants/{tenant}/users/{id}`) in its `MatchedRoute` and its span.
pub async fn record_route(request: Request, next: Next) -> Response {
    if let (Some(path), Some(slot)) = (
        request.extensions().get::<MatchedPath>(),
        request.extensions().get::<MatchedRoute>(),
    ) {
        let _ = slot.0.set(path.as_str().to_string());
        tracing::Span::current().record("route", path.as_str());
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sensible_ids_are_taken() {
        assert!(acceptable("req-42.abc_DEF"));
        assert!(acceptable(&"a".repeat(MAX_REQUEST_ID_LEN)));
        assert!(!acceptable(&"a".repeat(MAX_REQUEST_ID_LEN + 1)));
        assert!(!acceptable(""));
        assert!(!acceptable("has space"));
        assert!(!acceptable("quote\"d"));
        assert!(!acceptable("line\nbreak"));
        let id = new_request_id();
        assert_eq!(id.len(), 32);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(id, new_request_id());
    }
}
