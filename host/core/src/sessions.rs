//! Portal session tokens as stored: each under the digest of its random token, for one user.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a session token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Where the session came from and when; each token of a session carries it.
    #[serde(default, flatten)]
    pub meta: SessionMeta,
}

/// What a session records about its start: listed to its user (`getActiveSessionsByMarker`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionMeta {
    /// The auth provider (its marker) the session was opened through; `None` for the API's own
    /// sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The device that opened it, as the client described itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceInfo>,
    /// When it began (the sign-in; refreshes keep it). `None` for sessions stored before it was
    /// recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// A refresh token kept for a short grace after it was traded, so that a second tab
    /// refreshing with it at once gets a pair of the same session instead of signing out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rotated: bool,
}

/// A device as a client describes itself (OneEntry's `x-device-metadata` `deviceInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfo {
    /// Operating system (`Linux`, `Node.js`...).
    pub os: String,
    /// Browser or client (`Chrome/120`...).
    pub browser: String,
    /// Locale or place the client reports (`en-US`).
    pub location: String,
}
