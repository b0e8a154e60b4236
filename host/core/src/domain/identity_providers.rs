//! Identity providers (`slack`, `google`...) and their operations: registering, listing,
//! finding and deleting providers, and linking users to them (`addIdentityProvider`,
//! `removeIdentityProvider`). The links themselves, unique per (provider, external id), are in
//! `users::identity_links`.

use serde::Deserialize;

use super::error::{DomainError, DomainResult};
use super::ids::new_id;
use super::page::{Page, PageRequest};
use super::tenants::Tenant;
use super::users::identity_links::{attach_link, find, immutable, unindex_link};
use super::users::records::{load_user, save_user};
use super::users::views::{view, UserView};
use super::Users;
pub use crate::identity_providers::IdentityProvider;

/// Longest provider name.
pub const MAX_PROVIDER_NAME_LEN: usize = 64;
/// Longest external id (the user's id at the provider).
pub const MAX_EXTERNAL_ID_LEN: usize = 256;

/// Body of "register identity provider".
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewIdentityProvider {
    /// 1 to `MAX_PROVIDER_NAME_LEN` letters, digits, `_`, `-` and `.`, unique in the tenant.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_.-]{1,64}$"))]
    pub name: String,
}

fn validate_provider_name(name: &str) -> DomainResult<String> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.len() <= MAX_PROVIDER_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    if !ok {
        return Err(DomainError::bad_request(
            "invalid_identity_provider_name",
            format!("identity provider name must be 1 to {MAX_PROVIDER_NAME_LEN} characters of letters, digits, '_', '-' and '.'"),
        ));
    }
    Ok(name.to_string())
}

fn validate_external_id(external_id: &str) -> DomainResult<String> {
    let ok = !external_id.trim().is_empty()
        && external_id.len() <= MAX_EXTERNAL_ID_LEN
        && !external_id.chars().any(char::is_control);
    if !ok {
        return Err(DomainError::bad_request(
            "invalid_external_id",
            format!("externalId must be 1 to {MAX_EXTERNAL_ID_LEN} printable characters"),
        ));
    }
    Ok(external_id.to_string())
}

fn require_arg(value: &str, what: &str) -> DomainResult<()> {
    if value.trim().is_empty() {
        return Err(DomainError::bad_request(
            "bad_request",
            format!("{what} is required"),
        ));
    }
    Ok(())
}

impl Users {
    /// Registers a provider; refused when the tenant has one of that name.
    pub fn create_identity_provider(
        &self,
        tenant: &Tenant,
        new: NewIdentityProvider,
    ) -> DomainResult<IdentityProvider> {
        let name = validate_provider_name(&new.name)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        if tx.identity_provider_name_taken(&tenant.id, &name)? {
            return Err(DomainError::conflict(
                "identity_provider_name_taken",
                format!("an identity provider named '{name}' already exists"),
            ));
        }
        let provider = IdentityProvider {
            id: new_id(),
            name,
            created_at: self.ctx.now(),
        };
        tx.insert_identity_provider(&tenant.id, &provider)?;
        tx.commit()?;
        Ok(provider)
    }

    /// The tenant's providers, ordered by id, one page from `page`'s cursor.
    pub fn list_identity_providers(
        &self,
        tenant: &Tenant,
        page: &PageRequest,
    ) -> DomainResult<Page<IdentityProvider>> {
        let size = page.size()?;
        let tx = self.ctx.store.read()?;
        let fetched = tx.identity_providers_after(&tenant.id, page.cursor.as_deref(), size + 1)?;
        let fetched = fetched.into_iter().map(|p| (p.id.clone(), p)).collect();
        Ok(Page::from_fetched(fetched, size))
    }

    /// A provider by id or name.
    pub fn get_identity_provider(
        &self,
        tenant: &Tenant,
        id_or_name: &str,
    ) -> DomainResult<IdentityProvider> {
        find(&*self.ctx.store.read()?, &tenant.id, id_or_name)?
            .ok_or_else(|| DomainError::not_found("identity provider", id_or_name))
    }

    /// Deletes a provider and every user's link to it.
    pub fn delete_identity_provider(&self, tenant: &Tenant, id_or_name: &str) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let provider = find(&*tx, &tenant.id, id_or_name)?
            .ok_or_else(|| DomainError::not_found("identity provider", id_or_name))?;
        let now = self.ctx.now();
        let users = tx.users_linked_to(&tenant.id, &provider.id)?;
        for mut user in users {
            let Some(pos) = user
                .identity_providers
                .iter()
                .position(|l| l.provider_id == provider.id)
            else {
                continue;
            };
            let link = user.identity_providers.remove(pos);
            unindex_link(&mut *tx, &tenant.id, &link)?;
            save_user(&mut *tx, &tenant.id, &mut user, now)?;
        }
        tx.delete_identity_provider(&tenant.id, &provider.id)?;
        tx.commit()?;
        Ok(())
    }

    /// `addIdentityProvider(userId, providerIdOrName, externalId)`: links the provider, or updates
    /// the external id when it is already linked.
    pub fn add_user_identity_provider(
        &self,
        tenant: &Tenant,
        user_id: &str,
        provider: &str,
        external_id: Option<&str>,
    ) -> DomainResult<UserView> {
        require_arg(user_id, "userId")?;
        require_arg(provider, "identityProviderIdOrName")?;
        let external_id = external_id.map(validate_external_id).transpose()?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut user = load_user(&*tx, &tenant.id, user_id)?;
        let provider = find(&*tx, &tenant.id, provider)?
            .ok_or_else(|| DomainError::not_found("identity provider", provider))?;
        attach_link(&mut *tx, &tenant.id, &mut user, &provider, external_id)?;
        save_user(&mut *tx, &tenant.id, &mut user, self.ctx.now())?;
        let view = view(&*tx, &tenant.id, &user)?;
        tx.commit()?;
        Ok(view)
    }

    /// `removeIdentityProvider(userId, providerIdOrName)`: no effect when not linked.
    pub fn remove_user_identity_provider(
        &self,
        tenant: &Tenant,
        user_id: &str,
        provider: &str,
    ) -> DomainResult<UserView> {
        require_arg(user_id, "userId")?;
        require_arg(provider, "identityProviderIdOrName")?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut user = load_user(&*tx, &tenant.id, user_id)?;
        let provider = find(&*tx, &tenant.id, provider)?.ok_or_else(|| {
            DomainError::bad_request(
                "unknown_identity_provider",
                format!("there is no identity provider '{provider}'"),
            )
        })?;
        if user.oauth_provider_id.as_deref() == Some(provider.id.as_str()) {
            return Err(immutable(&provider));
        }
        if let Some(pos) = user
            .identity_providers
            .iter()
            .position(|l| l.provider_id == provider.id)
        {
            let old = user.identity_providers.remove(pos);
            unindex_link(&mut *tx, &tenant.id, &old)?;
            save_user(&mut *tx, &tenant.id, &mut user, self.ctx.now())?;
        }
        let view = view(&*tx, &tenant.id, &user)?;
        tx.commit()?;
        Ok(view)
    }
}
