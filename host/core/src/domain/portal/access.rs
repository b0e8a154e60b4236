//! Portal access: `grantAccess` / `denyAccess`, `addUser` (an Invited portal user plus an
//! invitation), `addUserWithoutConfirmation` (an active portal user with OAuth2 credentials that
//! can never change), and `setPortalUserAsInternal`.
//!
//! The OAuth2 rule of `setPortalUserAsInternal`: internal users reach the tenant's internal data,
//! and an OAuth2 credential created for a portal user was never vetted for that. Converting such a
//! user is refused (400 `oauth_user`) unless `unsafeIgnoreOauth` is set; then the user becomes
//! internal and the credential stays as an ordinary identity-provider link that can be changed or
//! removed like any other. Either way the user's portal sessions end and its licence is freed.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::hooks::{queue_after_hook, Lifecycle};
use super::load_settings;
use super::profiles::records::{link, profile_arg, save_profile, Profile};
use super::sessions::tokens::end_user_sessions;
use super::signup::links::{issue_link, revoke_links};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::ids::new_id;
use crate::domain::notifications::enqueue_email;
use crate::domain::page_links::pages_base;
use crate::domain::tenants::Tenant;
use crate::domain::users::identity_links::{attach_link, find as find_provider};
use crate::domain::users::records::{
    ensure_email_free, insert_user, load_user, save_user, UserKind, UserRecord, UserStatus,
};
use crate::domain::users::views::{view, UserView};
use crate::domain::Portal;
use crate::storage::{StorageReads, WriteTransaction};

/// OAuth2 credentials of `addUserWithoutConfirmation`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OAuthCredentials {
    /// Identity provider id or name (registered under `/identity-providers`).
    pub provider: String,
    /// The user's id at that provider.
    pub external_id: String,
}

fn count_portal_users<R: StorageReads + ?Sized>(tx: &R, tenant_id: &str) -> DomainResult<u64> {
    Ok(tx.count_users(tenant_id, UserKind::Portal)?)
}

/// The checks `addUser` and `addUserWithoutConfirmation` share: 409 for a used email or a profile
/// that already has a user, 412 when no licence is left. Answers the profile's email.
fn check_new_portal_user<R: StorageReads + ?Sized>(
    tx: &R,
    tenant_id: &str,
    profile: &Profile,
) -> DomainResult<String> {
    let email = profile.email.clone().ok_or_else(|| {
        DomainError::bad_request(
            "profile_without_email",
            "the profile has no email; set one before adding a user",
        )
    })?;
    if profile.user_id.is_some() {
        return Err(DomainError::conflict(
            "profile_has_user",
            "the profile already has a portal user",
        ));
    }
    ensure_email_free(tx, tenant_id, &email)?;
    let max = load_settings(tx, tenant_id)?.max_portal_users;
    if count_portal_users(tx, tenant_id)? >= max {
        return Err(DomainError::PreconditionFailed {
            code: "no_portal_licenses",
            message: format!("all {max} portal licences are in use"),
        });
    }
    Ok(email)
}

/// A new portal user for `profile`, created `at`.
fn new_portal_user(
    profile: &Profile,
    email: String,
    status: UserStatus,
    at: DateTime<Utc>,
) -> UserRecord {
    let local_part = email.split('@').next().unwrap_or_default().to_string();
    UserRecord {
        id: new_id(),
        number: 0,
        kind: UserKind::Portal,
        first_name: profile.first_name.clone().unwrap_or(local_part),
        last_name: profile.last_name.clone().unwrap_or_default(),
        email,
        status,
        groups: Vec::new(),
        identity_providers: Vec::new(),
        oauth_provider_id: None,
        password_hash: None,
        password_expired: false,
        reset_code_digest: None,
        notification_data: None,
        state: None,
        created_at: at,
        updated_at: at,
    }
}

/// Stores a new portal user for `profile` and links them `now`; access is granted with the
/// account.
fn store_portal_user(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    profile: &mut Profile,
    user: &mut UserRecord,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    user.updated_at = now;
    insert_user(tx, tenant_id, user)?;
    profile.access_granted = true;
    link(tx, tenant_id, profile, &user.id, now)
}

impl Portal {
    /// Refuses early (400/409/412), before hooks run; the write checks again.
    fn check_can_add_portal_user(&self, tenant: &Tenant, profile_id: &str) -> DomainResult<()> {
        let tx = self.ctx.store.read()?;
        check_new_portal_user(
            &*tx,
            &tenant.id,
            &profile_arg(&*tx, &tenant.id, profile_id)?,
        )?;
        Ok(())
    }

    /// `grantAccess` / `denyAccess` (idempotent: no change, no hooks). `before-*` hooks may veto;
    /// denying ends the user's sessions at once and revokes the profile's signup links (the
    /// `addUser` invitation's too), even when access was already denied, so that no link issued
    /// before the denial can register; the `after-*` event is queued with the change.
    pub fn set_portal_access(
        &self,
        tenant: &Tenant,
        profile_id: &str,
        granted: bool,
    ) -> DomainResult<Profile> {
        let lifecycle = if granted {
            Lifecycle::GrantAccess
        } else {
            Lifecycle::DenyAccess
        };
        let current = profile_arg(&*self.ctx.store.read()?, &tenant.id, profile_id)?;
        if current.access_granted == granted {
            if !granted {
                let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
                revoke_links(&mut *tx, &tenant.id, &current.id)?;
                tx.commit()?;
            }
            return Ok(current);
        }
        self.hooks.run_before_hooks(tenant, lifecycle, profile_id)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut profile = profile_arg(&*tx, &tenant.id, profile_id)?;
        if profile.access_granted != granted {
            let now = self.ctx.now();
            profile.access_granted = granted;
            save_profile(&mut *tx, &tenant.id, &mut profile, now)?;
            queue_after_hook(&mut *tx, &tenant.id, lifecycle, &profile, now)?;
        }
        if !granted {
            if let Some(user_id) = &profile.user_id {
                end_user_sessions(&mut *tx, &tenant.id, user_id)?;
            }
            revoke_links(&mut *tx, &tenant.id, &profile.id)?;
        }
        tx.commit()?;
        Ok(profile)
    }

    /// `addUser(profile)`: a portal user with status Invited, and an invitation in the outbox
    /// carrying a signup link (the email itself confirms the contact, so the link is signed).
    pub fn add_portal_user(&self, tenant: &Tenant, profile_id: &str) -> DomainResult<UserView> {
        self.check_can_add_portal_user(tenant, profile_id)?;
        self.hooks
            .run_before_hooks(tenant, Lifecycle::AddUser, profile_id)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut profile = profile_arg(&*tx, &tenant.id, profile_id)?;
        let email = check_new_portal_user(&*tx, &tenant.id, &profile)?;
        let settings = load_settings(&*tx, &tenant.id)?;
        let now = self.ctx.now();
        let mut user = new_portal_user(&profile, email, UserStatus::Invited, now);
        store_portal_user(&mut *tx, &tenant.id, &mut profile, &mut user, now)?;
        let link = issue_link(
            &mut *tx,
            tenant,
            &pages_base(&self.ctx.public_url, &tenant.namespace, &settings),
            &profile.id,
            true,
            settings.signup_link_ttl_seconds,
            now,
        )?;
        let data = serde_json::json!({
            "userId": user.id,
            "profileId": profile.id,
            "loginTitle": settings.shown_login_title(),
            "signupLink": link.url,
            "expiresAt": link.expires_at.to_rfc3339(),
        });
        enqueue_email(
            &mut *tx,
            &tenant.id,
            &user.email,
            Some(&user.id),
            "portal_invitation",
            data,
            now,
        )?;
        queue_after_hook(&mut *tx, &tenant.id, Lifecycle::AddUser, &profile, now)?;
        let view = view(&*tx, &tenant.id, &user)?;
        tx.commit()?;
        Ok(view)
    }

    /// `addUserWithoutConfirmation(profile, auth)`: an active portal user who signs in through the
    /// OAuth2 provider; those credentials can never be changed afterwards.
    pub fn add_portal_user_without_confirmation(
        &self,
        tenant: &Tenant,
        profile_id: &str,
        auth: Option<OAuthCredentials>,
    ) -> DomainResult<UserView> {
        let auth = auth
            .filter(|a| !a.provider.trim().is_empty() && !a.external_id.trim().is_empty())
            .ok_or_else(|| {
                DomainError::bad_request(
                    "missing_oauth_credentials",
                    "auth {provider, externalId} is required: the OAuth2 credentials the user signs in with",
                )
            })?;
        self.check_can_add_portal_user(tenant, profile_id)?;
        self.hooks
            .run_before_hooks(tenant, Lifecycle::AddUser, profile_id)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut profile = profile_arg(&*tx, &tenant.id, profile_id)?;
        let provider = find_provider(&*tx, &tenant.id, &auth.provider)?.ok_or_else(|| {
            DomainError::bad_request(
                "unknown_identity_provider",
                format!("there is no identity provider '{}'", auth.provider),
            )
        })?;
        let email = check_new_portal_user(&*tx, &tenant.id, &profile)?;
        let now = self.ctx.now();
        let mut user = new_portal_user(&profile, email, UserStatus::Active, now);
        attach_link(
            &mut *tx,
            &tenant.id,
            &mut user,
            &provider,
            Some(auth.external_id),
        )?;
        user.oauth_provider_id = Some(provider.id.clone());
        store_portal_user(&mut *tx, &tenant.id, &mut profile, &mut user, now)?;
        queue_after_hook(&mut *tx, &tenant.id, Lifecycle::AddUser, &profile, now)?;
        let view = view(&*tx, &tenant.id, &user)?;
        tx.commit()?;
        Ok(view)
    }

    /// `setPortalUserAsInternal(user, unsafeIgnoreOauth)`; see the module comment for the rule.
    pub fn set_portal_user_as_internal(
        &self,
        tenant: &Tenant,
        user_id: &str,
        unsafe_ignore_oauth: bool,
    ) -> DomainResult<UserView> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut user = load_user(&*tx, &tenant.id, user_id)?;
        if user.kind != UserKind::Portal {
            return Err(DomainError::bad_request(
                "not_a_portal_user",
                "the user is not a portal user",
            ));
        }
        if user.oauth_provider_id.is_some() && !unsafe_ignore_oauth {
            return Err(DomainError::bad_request(
                "oauth_user",
                "this portal user signs in with OAuth2 credentials that were never vetted for internal access; \
                 pass unsafeIgnoreOauth: true to convert anyway",
            ));
        }
        user.kind = UserKind::Internal;
        user.oauth_provider_id = None;
        if user.status == UserStatus::Invited {
            user.status = UserStatus::Active;
        }
        end_user_sessions(&mut *tx, &tenant.id, &user.id)?;
        save_user(&mut *tx, &tenant.id, &mut user, self.ctx.now())?;
        let view = view(&*tx, &tenant.id, &user)?;
        tx.commit()?;
        Ok(view)
    }
}

/// A new portal user, created `now`, for a profile registering through a signup link without
/// one: the same checks as `addUser` (email free, a licence left); the user is stored
/// here.
/// A portal user who signed themselves up (OneEntry's `signUp`) for the new `profile` (stored
/// here, then linked, with portal access): the licence and email rules of `addUser` hold.
pub(crate) fn new_self_signed_up_user(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    profile: &mut Profile,
    status: UserStatus,
    now: DateTime<Utc>,
) -> DomainResult<UserRecord> {
    let email = check_new_portal_user(tx, tenant_id, profile)?;
    let mut user = new_portal_user(profile, email, status, now);
    tx.insert_profile(tenant_id, profile)?;
    store_portal_user(tx, tenant_id, profile, &mut user, now)?;
    Ok(user)
}

pub(crate) fn new_portal_user_for_signup(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    profile: &mut Profile,
    now: DateTime<Utc>,
) -> DomainResult<UserRecord> {
    let email = check_new_portal_user(tx, tenant_id, profile)?;
    let mut user = new_portal_user(profile, email, UserStatus::Active, now);
    insert_user(tx, tenant_id, &mut user)?;
    Ok(user)
}
