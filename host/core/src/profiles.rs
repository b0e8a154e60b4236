//! External-user profiles as stored (ELMA's `_user_profiles` collection): records with their own
//! data, optionally linked to one user of the tenant.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A profile as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// The profile's id.
    pub id: String,
    /// The email in normal form, if the profile has one.
    pub email: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// The profile's own data (a JSON object); hooks see it (e.g. `"vip": true`).
    pub data: serde_json::Value,
    /// The user this profile belongs to, if linked: a user has at most one profile.
    pub user_id: Option<String>,
    /// Whether the profile is blocked (`block` / `unblock`).
    pub blocked: bool,
    /// Whether the profile may use the portal (`grantAccess` / `denyAccess`).
    pub access_granted: bool,
    /// When the profile was created.
    pub created_at: DateTime<Utc>,
    /// When the profile last changed.
    pub updated_at: DateTime<Utc>,
}
