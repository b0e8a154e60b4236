//! Users of a tenant as stored: internal users who work in the tenant and portal users of its
//! portal, with their group memberships and identity-provider links.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Lifecycle status of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    /// May sign in and be used.
    Active,
    /// Deactivated by the tenant.
    Inactive,
    /// Blocked by the tenant (or by a profile's block).
    Blocked,
    /// A portal user created by `addUser` who has not registered yet.
    Invited,
}

/// Internal users work in the tenant; portal users are external users of its portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum UserKind {
    /// A user of the tenant itself.
    #[default]
    Internal,
    /// An external user of the tenant's portal.
    Portal,
}

/// A membership as stored on the user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    /// The group's id.
    pub group_id: String,
    /// Whether it is the user's primary group (exactly one is, when there are any).
    pub primary: bool,
}

/// A user's link to an identity provider, as stored on the user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProviderLink {
    /// The provider's id.
    pub provider_id: String,
    /// The user's id at the provider, once known.
    pub external_id: Option<String>,
}

/// A user as stored. Secrets (the password hash) never leave the rules: the API shows a view.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserRecord {
    /// The user's id.
    pub id: String,
    /// The user's number in the tenant (`NumberSequence::Users`): given at creation, never
    /// changed or reused (0 only in a record read before its store was upgraded).
    #[serde(default)]
    pub number: u64,
    /// Internal or portal user.
    #[serde(default)]
    pub kind: UserKind,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// The email in normal form (see the emails rule): unique in the tenant, lookalikes too.
    pub email: String,
    /// Lifecycle status.
    pub status: UserStatus,
    /// Memberships in the order they were added; exactly one is primary when there are any.
    pub groups: Vec<Membership>,
    /// Links to identity providers.
    pub identity_providers: Vec<ProviderLink>,
    /// The provider id of OAuth2 credentials set by `addUserWithoutConfirmation`: that link can
    /// never be changed or removed.
    #[serde(default)]
    pub oauth_provider_id: Option<String>,
    /// argon2id PHC string; `None` until the user sets a password.
    pub password_hash: Option<String>,
    /// The user must choose a new password at next sign-in.
    pub password_expired: bool,
    /// Digest of the one reset code currently valid for this user, if any.
    pub reset_code_digest: Option<String>,
    /// Contact channels set by `updateUser` (`notificationData`: email, phonePush, phoneSMS).
    #[serde(default)]
    pub notification_data: Option<serde_json::Value>,
    /// Free JSON kept for the user by `updateUser` (`state`).
    #[serde(default)]
    pub state: Option<serde_json::Value>,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// When the user last changed.
    pub updated_at: DateTime<Utc>,
}
