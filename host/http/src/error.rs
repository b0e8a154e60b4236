//! The API's error shape, `{"error": {"code", "message", "details"}}`, and how each of the
//! rules' errors maps to a status.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use portico_core::domain::DomainError;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable error code (`email_taken`).
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// Structured details (violations per field), when any.
    pub details: Option<serde_json::Value>,
}

impl ApiError {
    /// An error answer with `status`, `code` and `message`.
    pub fn new(
        status: StatusCode,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            details: None,
        }
    }

    /// The same answer carrying `details`.
    pub fn with_details(mut self, details: serde_json::Value) -> ApiError {
        self.details = Some(details);
        self
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 500 `internal`; the cause goes to the log, not to the client.
    pub fn internal(message: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %message, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; see the server log",
        )
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> ApiError {
        match e {
            DomainError::BadRequest { code, message } => {
                ApiError::new(StatusCode::BAD_REQUEST, code, message)
            }
            DomainError::NotFound { what, ref id } => ApiError::new(
                StatusCode::NOT_FOUND,
                format!("{}_not_found", what.replace(' ', "_").to_lowercase()),
                e.to_string(),
            )
            .with_details(json!({ "resource": what, "id": id })),
            DomainError::Conflict { code, message } => {
                ApiError::new(StatusCode::CONFLICT, code, message)
            }
            DomainError::Unauthorized(message) => ApiError::unauthorized(message),
            DomainError::Forbidden(message) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
            }
            DomainError::Unauthenticated { code, message } => {
                ApiError::new(StatusCode::UNAUTHORIZED, code, message)
            }
            DomainError::Refused { code, message } => {
                ApiError::new(StatusCode::FORBIDDEN, code, message)
            }
            DomainError::PreconditionFailed { code, message } => {
                ApiError::new(StatusCode::PRECONDITION_FAILED, code, message)
            }
            DomainError::TooManyRequests {
                code,
                message,
                retry_after_seconds,
            } => ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, message)
                .with_details(json!({ "retryAfterSeconds": retry_after_seconds })),
            DomainError::Unavailable {
                code,
                message,
                retry_after_seconds,
            } => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
                .with_details(json!({ "retryAfterSeconds": retry_after_seconds })),
            DomainError::Validation(violations) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                format!(
                    "{} field value(s) are invalid; nothing was written",
                    violations.len()
                ),
            )
            .with_details(json!({ "violations": violations })),
            DomainError::Internal(message) => ApiError::internal(message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(details) = &self.details {
            error["details"] = details.clone();
        }
        // The request's id, so a person quoting the error leads the operator to its log lines.
        if let Some(id) = crate::request_id::current_request_id() {
            error["requestId"] = id.into();
        }
        let mut response = (self.status, axum::Json(json!({ "error": error }))).into_response();
        if let Some(retry) = self
            .details
            .as_ref()
            .and_then(|d| d["retryAfterSeconds"].as_u64())
        {
            if let Ok(value) = header::HeaderValue::from_str(&retry.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        if self.status == StatusCode::REQUEST_TIMEOUT {
            // The rest of the body may still come: the connection cannot be read on.
            response.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// A handler's result.
pub type ApiResult<T> = Result<T, ApiError>;
