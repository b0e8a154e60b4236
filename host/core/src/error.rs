//! The rules' errors: each names what went wrong in words an API caller can act on. The HTTP
//! layer maps each kind to its status.

use std::time::Duration;

use crate::storage::StorageError;

/// Seconds a caller refused for the host's capacity is told to wait (`Retry-After`).
pub const RETRY_AFTER_SECONDS: u64 = 1;

/// Why a rule refused or failed. In every variant, `code` is stable and machine-readable and
/// `message` says what to do in words.
#[derive(Debug, thiserror::Error)]
#[allow(missing_docs)] // The variant fields: `code`, `message`, and those documented inline.
pub enum DomainError {
    /// The input is malformed or breaks a rule (HTTP 400). `code` is stable and machine-readable.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// The named thing does not exist in this tenant (HTTP 404).
    #[error("{what} not found")]
    NotFound { what: &'static str, id: String },
    /// A uniqueness rule would break (HTTP 409).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Missing or invalid credentials (HTTP 401).
    #[error("{0}")]
    Unauthorized(String),
    /// Valid credentials that do not grant this (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// Credentials refused for a named reason (HTTP 401), e.g. `invalid_credentials`.
    #[error("{message}")]
    Unauthenticated { code: &'static str, message: String },
    /// The operation is refused for a named reason (HTTP 403), e.g. `profile_blocked` or a
    /// plugin's veto.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    /// A precondition of the tenant's state fails (HTTP 412), e.g. no portal licences left.
    #[error("{message}")]
    PreconditionFailed { code: &'static str, message: String },
    /// Too many attempts (HTTP 429); retry after the given number of seconds.
    #[error("{message}")]
    TooManyRequests {
        code: &'static str,
        message: String,
        retry_after_seconds: u64,
    },
    /// A shared resource of the host (operation threads, plugin slots, compile slots) stayed
    /// busy for the longest wait (nothing ran), or the store cannot be reached (HTTP 503).
    #[error("{message}")]
    Unavailable {
        code: &'static str,
        message: String,
        retry_after_seconds: u64,
    },
    /// Submitted field values break rules (HTTP 422): every violation of every field; nothing
    /// was written.
    #[error("{} field violation(s)", .0.len())]
    Validation(Vec<crate::fields::Violation>),
    /// Storage or another internal failure (HTTP 500); the details go to the log, not the caller.
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    /// A 400 with `code`.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        DomainError::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// A 409 with `code`.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Conflict {
            code,
            message: message.into(),
        }
    }

    /// A 403 with `code`.
    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Refused {
            code,
            message: message.into(),
        }
    }

    /// A 401 with `code`.
    pub fn unauthenticated(code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Unauthenticated {
            code,
            message: message.into(),
        }
    }

    /// A 404 for `what` with id `id`.
    pub fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        DomainError::NotFound {
            what,
            id: id.into(),
        }
    }
}

impl DomainError {
    /// The answer to a caller whose turn at the host's shared resource `gate` did not come
    /// within `waited`.
    pub fn busy(code: &'static str, gate: &str, waited: Duration) -> Self {
        DomainError::Unavailable {
            code,
            message: format!(
                "every slot of the host's {gate} this tenant may use stayed busy for {} ms; nothing was done, retry later",
                waited.as_millis()
            ),
            retry_after_seconds: RETRY_AFTER_SECONDS,
        }
    }
}

impl From<StorageError> for DomainError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Conflict { code, message } => DomainError::Conflict { code, message },
            // The request cannot be met by this installation's engine, whatever its input.
            StorageError::Unsupported { code, message } => DomainError::Conflict { code, message },
            StorageError::Unavailable(detail) => {
                // The detail (a connection error, a path) is for the operator's log only.
                tracing::warn!(%detail, "the store is unavailable");
                DomainError::Unavailable {
                    code: "storage_unavailable",
                    message: "the database cannot be reached or failed; retry later".into(),
                    retry_after_seconds: RETRY_AFTER_SECONDS,
                }
            }
            other => DomainError::Internal(other.to_string()),
        }
    }
}

/// The result of a rule.
pub type DomainResult<T> = Result<T, DomainError>;
