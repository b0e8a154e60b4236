//! App tokens as stored: the credential of a tenant's public (browser) apps, sent as the
//! `x-app-token` header. Only the metadata is stored, under the digest of the secret (the secret
//! itself never is).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An app token's metadata, stored under the digest of its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AppToken {
    /// The token's id (what revoking names).
    pub id: String,
    /// Its name (which app it is for).
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// The id of the app token a request was authenticated by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct AppTokenId(pub String);
