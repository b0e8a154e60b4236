//! A request body read as the API reads it: through `ApiJson` (objects only at every depth,
//! integers within 64 bits, serde's shape errors), on a request built in memory.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::{Request, StatusCode};
use portico_http::{ApiError, ApiJson};
use serde::de::DeserializeOwned;

/// The body of a JSON request with `bytes`, as a handler taking `ApiJson<T>` receives it.
pub fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let request = Request::builder()
        .method("POST")
        .uri("/")
        .header("content-type", "application/json")
        .body(Body::from(bytes.to_vec()))
        .expect("a request with a JSON body");
    let result = ready(ApiJson::<T>::from_request(request, &())).map(|ApiJson(v)| v);
    if let Err(e) = &result {
        assert_client_error(e);
    }
    result
}

/// A refusal is the client's fault (4xx) with a stable code, never a server error.
pub fn assert_client_error(e: &ApiError) {
    assert!(
        e.status.is_client_error() && e.status != StatusCode::NOT_FOUND,
        "{} {}: {}",
        e.status,
        e.code,
        e.message
    );
    assert!(!e.code.is_empty());
}

/// Runs a future that needs no I/O (an in-memory body) to completion in one poll.
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut context = Context::from_waker(Waker::noop());
    match pin!(future).as_mut().poll(&mut context) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("an in-memory body is read in one poll"),
    }
}

/// The input as a body: bytes that start like JSON text are sent as they are (malformed ones
/// included), anything else is decoded into a JSON value with `vocabulary` and sent as text.
pub fn text(bytes: &[u8], vocabulary: &[&str]) -> Vec<u8> {
    match bytes.first() {
        Some(b'{') | Some(b' ') | Some(b'\n') => bytes.to_vec(),
        _ => crate::json_input::value(bytes, vocabulary)
            .unwrap_or_default()
            .to_string()
            .into_bytes(),
    }
}
