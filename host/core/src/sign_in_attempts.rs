//! Failed portal sign-ins as stored: one record per email (known or not), with its lock.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Failed sign-ins of one email.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignInAttempts {
    /// Failures in a row since the last lock or success.
    pub failures: u32,
    /// Until when sign-ins of the email are refused, if it was locked.
    pub locked_until: Option<DateTime<Utc>>,
    /// When the last failure was; absent only in records written before schema 4, whose
    /// upgrade dates them.
    #[serde(default)]
    pub last_failure_at: Option<DateTime<Utc>>,
}
