//! External-user profiles (ELMA's `_user_profiles` collection): records with their own data,
//! optionally linked to one user; `block`/`unblock`, `getByUser`, `getUser`. The profile records
//! (storing, finding, linking) are in `records`.
//!
//! The seed's operations take "an item of the External users collection": any id that is not a
//! profile of this tenant (a user id, another tenant's profile, garbage) is a 400 `not_a_profile`
//! for them. Plain reads (`GET /profiles/{id}`) answer 404 for unknown ids.

pub(crate) mod records;

use serde::Deserialize;

use self::records::{link, profile_arg, profile_of_user, save_profile, unlink};
use super::hooks::{queue_after_hook, Lifecycle};
use super::sessions::tokens::end_user_sessions;
use super::signup::links::revoke_links;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::forms::{delete_owner_form_data, FormDataOwner};
use crate::domain::ids::new_id;
use crate::domain::page::{Page, PageRequest};
use crate::domain::tenants::{validate_name, Tenant};
use crate::domain::users::records::{load_user, normalize_email};
use crate::domain::users::views::{view, UserView};
use crate::domain::Profiles;

pub use self::records::Profile;

/// Largest profile `data` document, in bytes of JSON.
pub const MAX_PROFILE_DATA_BYTES: usize = 64 * 1024;

/// Body of "create profile" and "update profile" (absent fields keep their value on update).
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileInput {
    /// The email the profile registers with (a signup link needs one); stored in normal form.
    pub email: Option<String>,
    /// First name.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
            max_length = 200
        )
    )]
    pub first_name: Option<String>,
    /// Last name.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
            max_length = 200
        )
    )]
    pub last_name: Option<String>,
    /// The profile's own data: a JSON object of at most `MAX_PROFILE_DATA_BYTES`.
    pub data: Option<serde_json::Value>,
}

fn check_data(data: &serde_json::Value) -> DomainResult<()> {
    if !data.is_object() {
        return Err(DomainError::bad_request(
            "invalid_profile_data",
            "profile data must be a JSON object",
        ));
    }
    if serde_json::to_vec(data).map_or(usize::MAX, |v| v.len()) > MAX_PROFILE_DATA_BYTES {
        return Err(DomainError::bad_request(
            "profile_data_too_large",
            format!("profile data is at most {MAX_PROFILE_DATA_BYTES} bytes"),
        ));
    }
    Ok(())
}

fn apply_input(profile: &mut Profile, input: ProfileInput) -> DomainResult<()> {
    if let Some(email) = input.email {
        profile.email = Some(normalize_email(&email)?);
    }
    if let Some(first) = input.first_name {
        profile.first_name = Some(validate_name("firstName", &first)?);
    }
    if let Some(last) = input.last_name {
        profile.last_name = Some(validate_name("lastName", &last)?);
    }
    if let Some(data) = input.data {
        check_data(&data)?;
        profile.data = data;
    }
    Ok(())
}

impl Profiles {
    /// Creates a profile, linked to no user, not blocked, without portal access.
    pub fn create_profile(&self, tenant: &Tenant, input: ProfileInput) -> DomainResult<Profile> {
        let at = self.ctx.now();
        let mut profile = Profile {
            id: new_id(),
            email: None,
            first_name: None,
            last_name: None,
            data: serde_json::json!({}),
            user_id: None,
            blocked: false,
            access_granted: false,
            created_at: at,
            updated_at: at,
        };
        apply_input(&mut profile, input)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        tx.insert_profile(&tenant.id, &profile)?;
        tx.commit()?;
        Ok(profile)
    }

    /// A profile by id.
    pub fn get_profile(&self, tenant: &Tenant, id: &str) -> DomainResult<Profile> {
        self.ctx
            .store
            .read()?
            .profile(&tenant.id, id)?
            .ok_or_else(|| DomainError::not_found("profile", id))
    }

    /// The tenant's profiles, ordered by id, one page from `page`'s cursor.
    pub fn list_profiles(
        &self,
        tenant: &Tenant,
        page: &PageRequest,
    ) -> DomainResult<Page<Profile>> {
        let size = page.size()?;
        let fetched =
            self.ctx
                .store
                .read()?
                .profiles_after(&tenant.id, page.cursor.as_deref(), size + 1)?;
        let keyed = fetched.into_iter().map(|p| (p.id.clone(), p)).collect();
        Ok(Page::from_fetched(keyed, size))
    }

    /// Changes a profile (`input`'s absent fields keep their value).
    pub fn update_profile(
        &self,
        tenant: &Tenant,
        id: &str,
        input: ProfileInput,
    ) -> DomainResult<Profile> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut profile = tx
            .profile(&tenant.id, id)?
            .ok_or_else(|| DomainError::not_found("profile", id))?;
        apply_input(&mut profile, input)?;
        save_profile(&mut *tx, &tenant.id, &mut profile, self.ctx.now())?;
        tx.commit()?;
        Ok(profile)
    }

    /// Deletes a profile, its link to a user, its signup links and form data (the user stays).
    pub fn delete_profile(&self, tenant: &Tenant, id: &str) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut profile = tx
            .profile(&tenant.id, id)?
            .ok_or_else(|| DomainError::not_found("profile", id))?;
        unlink(&mut *tx, &tenant.id, &mut profile, self.ctx.now())?;
        revoke_links(&mut *tx, &tenant.id, &profile.id)?;
        delete_owner_form_data(
            &mut *tx,
            &tenant.id,
            &FormDataOwner::Profile(profile.id.clone()),
        )?;
        tx.delete_profile(&tenant.id, id)?;
        tx.commit()?;
        Ok(())
    }

    /// Links the profile to an existing user of the tenant.
    pub fn link_profile_user(
        &self,
        tenant: &Tenant,
        profile_id: &str,
        user_id: &str,
    ) -> DomainResult<Profile> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut profile = profile_arg(&*tx, &tenant.id, profile_id)?;
        load_user(&*tx, &tenant.id, user_id)?;
        link(&mut *tx, &tenant.id, &mut profile, user_id, self.ctx.now())?;
        tx.commit()?;
        Ok(profile)
    }

    /// Removes the profile's link to its user, if any (the user stays).
    pub fn unlink_profile_user(&self, tenant: &Tenant, profile_id: &str) -> DomainResult<Profile> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut profile = profile_arg(&*tx, &tenant.id, profile_id)?;
        unlink(&mut *tx, &tenant.id, &mut profile, self.ctx.now())?;
        tx.commit()?;
        Ok(profile)
    }

    /// `block` / `unblock` (idempotent: no change, no hooks). `before-*` hooks may veto; blocking
    /// ends the linked user's portal sessions at once; the `after-*` event is queued with the change.
    pub fn set_profile_blocked(
        &self,
        tenant: &Tenant,
        profile_id: &str,
        blocked: bool,
    ) -> DomainResult<Profile> {
        let lifecycle = if blocked {
            Lifecycle::Block
        } else {
            Lifecycle::Unblock
        };
        let current = profile_arg(&*self.ctx.store.read()?, &tenant.id, profile_id)?;
        if current.blocked == blocked {
            return Ok(current);
        }
        self.hooks.run_before_hooks(tenant, lifecycle, profile_id)?;
        // The profile's own records (its user's sessions included): other profiles' changes
        // of the tenant run at once.
        let profile_key = format!("profile/{}", current.id);
        let mut tx = self.ctx.store.write_record(&tenant.id, &profile_key)?;
        let mut profile = profile_arg(&*tx, &tenant.id, profile_id)?;
        if profile.blocked != blocked {
            let now = self.ctx.now();
            profile.blocked = blocked;
            save_profile(&mut *tx, &tenant.id, &mut profile, now)?;
            queue_after_hook(&mut *tx, &tenant.id, lifecycle, &profile, now)?;
        }
        if blocked {
            if let Some(user_id) = &profile.user_id {
                end_user_sessions(&mut *tx, &tenant.id, user_id)?;
            }
        }
        tx.commit()?;
        Ok(profile)
    }

    /// `getByUser(user)`: the user's profile, or `None`.
    pub fn profile_by_user(&self, tenant: &Tenant, user_id: &str) -> DomainResult<Option<Profile>> {
        let tx = self.ctx.store.read()?;
        load_user(&*tx, &tenant.id, user_id)?;
        profile_of_user(&*tx, &tenant.id, user_id)
    }

    /// `getUser(profile)`: the profile's user, or `None`.
    pub fn user_of_profile(
        &self,
        tenant: &Tenant,
        profile_id: &str,
    ) -> DomainResult<Option<UserView>> {
        let tx = self.ctx.store.read()?;
        let profile = profile_arg(&*tx, &tenant.id, profile_id)?;
        match profile.user_id {
            Some(user_id) => {
                let user = load_user(&*tx, &tenant.id, &user_id)?;
                Ok(Some(view(&*tx, &tenant.id, &user)?))
            }
            None => Ok(None),
        }
    }
}
