//! OneEntry's error shape on the layer: `{statusCode, message, pageData, timestamp}` (what the
//! SDK reads to tell an error from an answer) plus Portico's `code`, `details` and `requestId`. Every error
//! answer of the layer passes through `oneentry_error_shape`, the extractors' rejections and
//! the fallbacks included, so no route can answer Portico's `/v1` shape here.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{json, Value};

use crate::error::ApiError;

/// Largest error body the layer reads to rewrite (Portico's error bodies are far smaller; past
/// it the answer keeps its status with the status's own message).
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// Rewrites an error answer (4xx, 5xx) into OneEntry's shape, keeping its status and headers
/// (`Retry-After`, `Allow`...).
pub async fn oneentry_error_shape(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let portico: Value = to_bytes(body, MAX_ERROR_BODY_BYTES)
        .await
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null);
    let error = &portico["error"];
    let message = error["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string());
    let shaped = json!({
        "statusCode": status.as_u16(),
        "message": message,
        "pageData": null,
        "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "code": error["code"].as_str().unwrap_or("error"),
        "details": error.get("details").cloned().unwrap_or(Value::Null),
        "requestId": error["requestId"]
            .as_str()
            .map(str::to_string)
            .or_else(crate::request_id::current_request_id),
    });
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(shaped.to_string()))
}

/// A path under the layer that is not one of its routes.
pub async fn route_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "route_not_found",
        "no such route in the OneEntry layer; see docs/oneentry.md",
    )
}

/// A route of the layer asked with a method it does not answer.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not answer that method",
    )
}
