//! A user as the API shows it: its record with its group memberships and identity links.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::identity_links::{link_views, LinkView};
use super::memberships::{membership_views, MembershipView};
use super::records::{UserKind, UserRecord, UserStatus};
use crate::domain::error::DomainResult;
use crate::storage::StorageReads;

/// The password-related part of a user as the API shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationView {
    /// Whether the user has set a password (the hash itself is never shown).
    pub has_password: bool,
    /// The user must choose a new password at next sign-in.
    pub password_expired: bool,
}

/// A user as the API shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    /// The user's id.
    pub id: String,
    /// The user's number in the tenant: given at creation, never changed or reused.
    pub number: u64,
    /// Internal or portal user.
    pub kind: UserKind,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// The email in normal form.
    pub email: String,
    /// Lifecycle status.
    pub status: UserStatus,
    /// The user's groups in the order they were joined, each with its name, label and whether
    /// it is the primary one.
    pub groups: Vec<MembershipView>,
    /// The user's links to identity providers, with the providers' names.
    pub identity_providers: Vec<LinkView>,
    /// Whether the user has a password and must change it.
    pub authentication: AuthenticationView,
    /// Contact channels set by `updateUser`, if any.
    pub notification_data: Option<serde_json::Value>,
    /// Free JSON kept for the user by `updateUser`, if any.
    pub state: Option<serde_json::Value>,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// When the user last changed.
    pub updated_at: DateTime<Utc>,
}

/// `user` as the API shows it, its groups and identity providers read in `tx`.
pub(crate) fn view<R: StorageReads + ?Sized>(
    tx: &R,
    tenant_id: &str,
    user: &UserRecord,
) -> DomainResult<UserView> {
    Ok(UserView {
        id: user.id.clone(),
        number: user.number,
        kind: user.kind,
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        email: user.email.clone(),
        status: user.status,
        groups: membership_views(tx, tenant_id, &user.groups)?,
        identity_providers: link_views(tx, tenant_id, &user.identity_providers)?,
        authentication: AuthenticationView {
            has_password: user.password_hash.is_some(),
            password_expired: user.password_expired,
        },
        notification_data: user.notification_data.clone(),
        state: user.state.clone(),
        created_at: user.created_at,
        updated_at: user.updated_at,
    })
}
