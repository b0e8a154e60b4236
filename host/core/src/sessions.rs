//! Portal session tokens as stored: each under the digest of its random token, for one user.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a session token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A short-lived access token.
    Access,
    /// A refresh token, traded once for a new pair.
    Refresh,
    /// The single-use token of an app link.
    App,
}

/// A session token as stored, under its digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionToken {
    /// The portal user the token signs in.
    pub user_id: String,
    /// What the token is for.
    pub kind: TokenKind,
    /// Tokens issued together (an access/refresh pair) share a family; sign-out ends the family.
    pub family: String,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
}
