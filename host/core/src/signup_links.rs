//! Signup links as stored: each under the digest of its random token, for one profile.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A signup link as stored, under the digest of its token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignupLink {
    /// The profile that registers through the link.
    pub profile_id: String,
    /// Whether the link alone is enough to register (no confirmation code).
    pub with_sign: bool,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// Keyed digest of the confirmation code last sent, for links without `withSign`.
    pub confirmation_digest: Option<String>,
    /// Wrong confirmation codes given so far.
    pub failed_confirmations: u32,
    /// Claims a signup policy added; shown with the link and kept on registration.
    #[serde(default)]
    pub claims: serde_json::Map<String, serde_json::Value>,
}
