//! Identity providers of a tenant (`slack`, `google`...) as stored. A provider's name is unique
//! in its tenant; users hold their links to providers (`users::ProviderLink`), and a (provider,
//! external id) pair belongs to at most one user of the tenant.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An identity provider as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IdentityProvider {
    /// The provider's id.
    pub id: String,
    /// Its name: unique in the tenant.
    pub name: String,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}
