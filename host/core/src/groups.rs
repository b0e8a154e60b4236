//! Groups of a tenant as stored. A group's name is unique in its tenant; users hold their
//! memberships (`users::Membership`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A group as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// The group's id.
    pub id: String,
    /// Its name: unique in the tenant.
    pub name: String,
    /// Its label (free text; several groups may share one).
    pub label: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}
