//! Password reset codes as stored, under the digest of the code (the code itself never is).
//! A user holds the digest of its one valid code (`users::UserRecord::reset_code_digest`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why a reset code was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResetPurpose {
    /// `resetPassword`.
    Reset,
    /// First password of a user created without one (welcome link).
    SetPassword,
}

/// A reset code as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResetCode {
    /// The user it lets choose a password.
    pub user_id: String,
    /// Why it was issued.
    pub purpose: ResetPurpose,
    /// When it stops being valid.
    pub expires_at: DateTime<Utc>,
}
