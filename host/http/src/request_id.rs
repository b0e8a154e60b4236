//! Every request's id: the caller's `x-request-id` when it is a sensible one, else a new one.
//! It is returned in the answer's `x-request-id` header and in every error body (`requestId`),
//! so a person quoting an error lets the operator find its log lines: every line written while
//! the request is served carries it (`RequestContext`, the lines written on an operation
//! thread and in plugin calls included: `blocking` takes the context there).

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method, Uri};
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;

/// The header carrying the id, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// Longest id taken from a caller; a longer (or otherwise odd) one is replaced by a new id.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// What the log lines written while a request is served say of it. Its fields are written out
/// only when a line is (a request that logs nothing but its access line formats them once).
pub struct RequestContext {
    /// The request's id.
    pub id: String,
    /// Its method.
    pub method: Method,
    /// Its path and query, as received (written redacted: `request_log::RedactedUri`).
    pub uri: Uri,
    /// The route template it matched, once routed.
    pub route: MatchedRoute,
}

impl RequestContext {
    /// The tenant its path names (`/v1/tenants/{ns}/...`, `/portal/{ns}/...`).
    pub fn tenant(&self) -> Option<&str> {
        let path = self.uri.path();
        path.strip_prefix("/v1/tenants/")
            .or_else(|| path.strip_prefix("/portal/"))
            .and_then(|rest| rest.split('/').next())
            .filter(|ns| !ns.is_empty())
    }

    /// The route template, once matched.
    pub fn matched_route(&self) -> Option<&str> {
        self.route.0.get().map(String::as_str)
    }
}

tokio::task_local! {
    /// The request being served on this task.
    static REQUEST: Arc<RequestContext>;
}

thread_local! {
    /// The request whose work runs on this thread outside its task (an operation thread).
    static ON_THREAD: RefCell<Option<Arc<RequestContext>>> = const { RefCell::new(None) };
}

/// The request being served here: on this task, or whose work this thread is doing.
pub fn current_request() -> Option<Arc<RequestContext>> {
    REQUEST
        .try_with(Clone::clone)
        .ok()
        .or_else(|| ON_THREAD.with(|on| on.borrow().clone()))
}

/// The id of the request being served here, if any.
pub fn current_request_id() -> Option<String> {
    current_request().map(|request| request.id.clone())
}

/// Runs `work` on this thread as part of `request` (its log lines carry it).
pub fn working_for<T>(request: Option<Arc<RequestContext>>, work: impl FnOnce() -> T) -> T {
    /// Puts back what the thread was doing before, even if `work` panics.
    struct Restore(Option<Arc<RequestContext>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            ON_THREAD.with(|on| *on.borrow_mut() = self.0.take());
        }
    }
    let _restore = Restore(ON_THREAD.with(|on| on.replace(request)));
    work()
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

/// Runs `next` as `request` (for `current_request`) and returns its id in the answer.
pub async fn serve_as(request: Arc<RequestContext>, next: Next, http: Request) -> Response {
    let id = request.id.clone();
    let mut response = REQUEST.scope(request, next.run(http)).await;
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
/// (`/v1/tenants/{tenant}/users/{id}`) in its `MatchedRoute` and in its exported span.
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
