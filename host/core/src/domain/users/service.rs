//! Users' own operations: creating internal users (with their groups, password and welcome
//! email), reading and listing them, changing their names, email and status, deleting them with
//! everything that is theirs.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::identity_links::unindex_link;
use super::memberships::{add_membership, resolve as resolve_group};
use super::records::{
    change_email, ensure_email_free, insert_user, load_user, lookup_form, normalize_email,
    remove_user, save_user, UserKind, UserRecord, UserStatus,
};
use super::reset_codes::{issue_code, ResetPurpose};
use super::views::{view, UserView};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::forms::{delete_owner_form_data, FormDataOwner};
use crate::domain::ids::new_id;
use crate::domain::notifications::enqueue_email;
use crate::domain::page::{Page, PageRequest};
use crate::domain::page_links::stored_pages_base;
use crate::domain::portal::profiles::records::{profile_of_user, unlink as unlink_profile};
use crate::domain::portal::sessions::tokens::end_user_sessions;
use crate::domain::portal::user_update::{queue_after_user_update, UpdateActor, UserChanges};
use crate::domain::secrets::{check_password_policy, hash_password};
use crate::domain::tenants::{validate_name, Tenant};
use crate::domain::Users;
use crate::storage::WriteTransaction;

/// How many users a filtered list examines per store read while filling a page.
const FILTER_SCAN_BATCH: usize = 256;

/// Password options at creation, as in `sys.users`: `generatePassword` and `passwordExpired`
/// default to true, and while `generatePassword` is true the password fields are ignored.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUserAuth {
    /// Leave the user without a password; the welcome email then carries a link to choose one
    /// (default true).
    pub generate_password: Option<bool>,
    /// The user must choose a new password at first sign-in (default true).
    pub password_expired: Option<bool>,
    /// The initial password, under the tenant's password policy.
    pub password: Option<String>,
    /// Must equal the password when one is given.
    pub password_confirmation: Option<String>,
    /// Accepted as a synonym of `password` (the seed's samples set both).
    pub new_password: Option<String>,
}

/// Body of "create user".
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUser {
    /// First name.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
            max_length = 200
        )
    )]
    pub first_name: String,
    /// Last name.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
            max_length = 200
        )
    )]
    pub last_name: String,
    /// Email, unique in the tenant (lookalikes too); stored in normal form.
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    /// Queue a welcome notification (default true).
    pub send_welcome_email: Option<bool>,
    /// Password options (all defaults when absent).
    pub authentication: Option<NewUserAuth>,
    /// Groups to join, by id, name or label; the first marked primary (or else the first) is primary.
    #[serde(default)]
    pub groups: Vec<NewMembership>,
}

/// A group to join at creation.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMembership {
    /// The group's id, name or label.
    pub group: String,
    /// Make it the user's primary group.
    #[serde(default)]
    pub primary: bool,
}

/// Body of "update user"; absent fields keep their value.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserPatch {
    /// New first name.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
            max_length = 200
        )
    )]
    pub first_name: Option<String>,
    /// New last name.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
            max_length = 200
        )
    )]
    pub last_name: Option<String>,
    /// New email, refused when another user has it or a lookalike of it.
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: Option<String>,
}

/// Filters of "list users"; all given filters must match.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Only users with this status.
    pub status: Option<UserStatus>,
    /// Only internal or only portal users.
    pub kind: Option<UserKind>,
    /// Only the user with this email (compared in lookup form; answered from the email index).
    pub email: Option<String>,
    /// Group id, name or label.
    pub group: Option<String>,
}

/// The hash of the password `auth` gives a new user, checked against the tenant's policy
/// (`min_length`) and its confirmation; `None` with `generatePassword` (the default) or when no
/// password is given.
fn initial_password_hash(auth: &NewUserAuth, min_length: usize) -> DomainResult<Option<String>> {
    if auth.generate_password.unwrap_or(true) {
        return Ok(None);
    }
    let Some(password) = auth.password.as_ref().or(auth.new_password.as_ref()) else {
        return Ok(None);
    };
    if auth.password_confirmation.as_deref() != Some(password.as_str()) {
        return Err(DomainError::bad_request(
            "password_mismatch",
            "authentication.passwordConfirmation must equal authentication.password",
        ));
    }
    check_password_policy(password, min_length)?;
    Ok(Some(hash_password(password)?))
}

impl Users {
    /// Creates an active internal user in the given groups and queues its welcome email unless
    /// told not to. A user left without a password (`generatePassword`, the default) finds a
    /// link to choose one in that email.
    pub fn create_user(&self, tenant: &Tenant, new: NewUser) -> DomainResult<UserView> {
        let first_name = validate_name("firstName", &new.first_name)?;
        let last_name = validate_name("lastName", &new.last_name)?;
        let email = normalize_email(&new.email)?;
        let settings = self.tenants.tenant_settings(tenant)?;
        let auth = new.authentication.unwrap_or_default();
        let password_hash = initial_password_hash(&auth, settings.password_min_length)?;

        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        ensure_email_free(&*tx, &tenant.id, &email)?;
        let at = self.ctx.now();
        let mut user = UserRecord {
            id: new_id(),
            number: 0,
            kind: UserKind::Internal,
            first_name,
            last_name,
            email,
            status: UserStatus::Active,
            groups: Vec::new(),
            identity_providers: Vec::new(),
            oauth_provider_id: None,
            password_hash,
            password_expired: auth.password_expired.unwrap_or(true),
            reset_code_digest: None,
            notification_data: None,
            state: None,
            created_at: at,
            updated_at: at,
        };
        for m in &new.groups {
            let group = resolve_group(&*tx, &tenant.id, &m.group)?;
            add_membership(&mut user, &group.id, m.primary);
        }
        if new.send_welcome_email.unwrap_or(true) {
            let ttl = settings.reset_code_ttl_seconds;
            self.queue_welcome_email(&mut *tx, tenant, &mut user, ttl, at)?;
        }
        insert_user(&mut *tx, &tenant.id, &mut user)?;
        let view = view(&*tx, &tenant.id, &user)?;
        tx.commit()?;
        Ok(view)
    }

    /// Queues the welcome email of the new `user`, in `tx`, at `at`. A user without a password
    /// gets a link to choose one, valid `reset_code_ttl_seconds` (the code is stored hashed).
    fn queue_welcome_email(
        &self,
        tx: &mut dyn WriteTransaction,
        tenant: &Tenant,
        user: &mut UserRecord,
        reset_code_ttl_seconds: u64,
        at: DateTime<Utc>,
    ) -> DomainResult<()> {
        let mut data = serde_json::json!({
            "userId": user.id,
            "firstName": user.first_name,
            "lastName": user.last_name,
        });
        if user.password_hash.is_none() {
            let pages_base = stored_pages_base(&*tx, &self.ctx.public_url, tenant)?;
            let issued = issue_code(
                tx,
                tenant,
                &pages_base,
                user,
                ResetPurpose::SetPassword,
                reset_code_ttl_seconds,
                at,
            )?;
            data["setPasswordLink"] = issued.link.into();
            data["expiresAt"] = issued.expires_at.to_rfc3339().into();
        }
        enqueue_email(
            tx,
            &tenant.id,
            &user.email,
            Some(&user.id),
            "welcome",
            data,
            at,
        )
    }

    /// A user by id.
    pub fn get_user(&self, tenant: &Tenant, user_id: &str) -> DomainResult<UserView> {
        let tx = self.ctx.store.read()?;
        let user = load_user(&*tx, &tenant.id, user_id)?;
        view(&*tx, &tenant.id, &user)
    }

    /// The tenant's users matching `filter`, ordered by id, one page from `page`'s cursor.
    pub fn list_users(
        &self,
        tenant: &Tenant,
        filter: &UserFilter,
        page: &PageRequest,
    ) -> DomainResult<Page<UserView>> {
        let size = page.size()?;
        let tx = self.ctx.store.read()?;
        let group_id = match &filter.group {
            Some(g) => Some(resolve_group(&*tx, &tenant.id, g)?.id),
            None => None,
        };
        let email = filter.email.as_deref().map(lookup_form);
        let matches = |u: &UserRecord| {
            filter.status.is_none_or(|s| u.status == s)
                && filter.kind.is_none_or(|k| u.kind == k)
                && email.as_deref().is_none_or(|e| u.email == e)
                && group_id
                    .as_deref()
                    .is_none_or(|g| u.groups.iter().any(|m| m.group_id == g))
        };
        let mut found: Vec<(String, UserRecord)> = Vec::new();
        if let Some(email) = &email {
            // The email index answers an email filter without a scan.
            let id = tx.user_id_by_email(&tenant.id, email)?;
            if let Some(user) = id.map(|id| load_user(&*tx, &tenant.id, &id)).transpose()? {
                let after_cursor = page.cursor.as_deref().is_none_or(|c| user.id.as_str() > c);
                if matches(&user) && after_cursor {
                    found.push((user.id.clone(), user));
                }
            }
        } else {
            let mut cursor = page.cursor.clone();
            loop {
                let batch = tx.users_after(&tenant.id, cursor.as_deref(), FILTER_SCAN_BATCH)?;
                let exhausted = batch.len() < FILTER_SCAN_BATCH;
                cursor = batch.last().map(|u| u.id.clone());
                found.extend(
                    batch
                        .into_iter()
                        .filter(|u| matches(u))
                        .map(|u| (u.id.clone(), u)),
                );
                if exhausted || found.len() > size {
                    break;
                }
            }
        }
        found.truncate(size + 1);
        let page = Page::from_fetched(found, size);
        Ok(Page {
            items: page
                .items
                .iter()
                .map(|u| view(&*tx, &tenant.id, u))
                .collect::<DomainResult<_>>()?,
            next_cursor: page.next_cursor,
        })
    }

    /// Changes a user's names and email (`patch`'s absent fields keep their value). For a user
    /// with a profile, `before-update-user` runs first (a veto refuses the update with 403) and
    /// `after-update-user` is queued with the change; `details.changes` names what `patch` sets
    /// (`firstName`, `lastName`, `email` in normal form).
    pub fn update_user(
        &self,
        tenant: &Tenant,
        user_id: &str,
        patch: UserPatch,
    ) -> DomainResult<UserView> {
        let first_name = patch
            .first_name
            .as_deref()
            .map(|n| validate_name("firstName", n))
            .transpose()?;
        let last_name = patch
            .last_name
            .as_deref()
            .map(|n| validate_name("lastName", n))
            .transpose()?;
        let email = patch.email.as_deref().map(normalize_email).transpose()?;
        let changes = self.hooks.user_updates_hooked(&tenant.id)?.then(|| {
            let mut changes = UserChanges::new(user_id, UpdateActor::ApiKey);
            changes.set("firstName", first_name.clone().map(Value::from));
            changes.set("lastName", last_name.clone().map(Value::from));
            changes.set("email", email.clone().map(Value::from));
            changes
        });
        let after = self.hooks.before_user_update(tenant, changes)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut user = load_user(&*tx, &tenant.id, user_id)?;
        if let Some(first_name) = first_name {
            user.first_name = first_name;
        }
        if let Some(last_name) = last_name {
            user.last_name = last_name;
        }
        if let Some(email) = email.filter(|e| *e != user.email) {
            change_email(&mut *tx, &tenant.id, &mut user, email)?;
        }
        let now = self.ctx.now();
        save_user(&mut *tx, &tenant.id, &mut user, now)?;
        queue_after_user_update(&mut *tx, &tenant.id, &after, now)?;
        let view = view(&*tx, &tenant.id, &user)?;
        tx.commit()?;
        Ok(view)
    }

    /// Deletes a user with its indexes, identity links, endpoint configurations, reset code,
    /// sessions, form data and profile link (the profile stays).
    pub fn delete_user(&self, tenant: &Tenant, user_id: &str) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let user = load_user(&*tx, &tenant.id, user_id)?;
        for link in &user.identity_providers {
            unindex_link(&mut *tx, &tenant.id, link)?;
        }
        tx.delete_user_endpoint_configs(&tenant.id, &user.id)?;
        if let Some(digest) = &user.reset_code_digest {
            tx.delete_reset_code(&tenant.id, digest)?;
        }
        if let Some(mut profile) = profile_of_user(&*tx, &tenant.id, &user.id)? {
            unlink_profile(&mut *tx, &tenant.id, &mut profile, self.ctx.now())?;
        }
        end_user_sessions(&mut *tx, &tenant.id, &user.id)?;
        delete_owner_form_data(&mut *tx, &tenant.id, &FormDataOwner::User(user.id.clone()))?;
        remove_user(&mut *tx, &tenant.id, &user)?;
        tx.commit()?;
        Ok(())
    }

    /// Sets the status; setting the status a user already has changes nothing. Any status but
    /// active ends the user's portal sessions at once.
    pub fn set_user_status(
        &self,
        tenant: &Tenant,
        user_id: &str,
        status: UserStatus,
    ) -> DomainResult<UserView> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut user = load_user(&*tx, &tenant.id, user_id)?;
        if user.status != status {
            user.status = status;
            save_user(&mut *tx, &tenant.id, &mut user, self.ctx.now())?;
        }
        if status != UserStatus::Active {
            end_user_sessions(&mut *tx, &tenant.id, &user.id)?;
        }
        let view = view(&*tx, &tenant.id, &user)?;
        tx.commit()?;
        Ok(view)
    }
}
