//! Auth providers per tenant (OneEntry's `AuthProvider`): create, list in number order, read by
//! marker, change (absent fields keep their value), delete. A provider's form must have a login
//! and a password marker; the form cannot be deleted, or lose those markers, while a provider
//! uses it (`check_form_not_in_use`). Providers are read on every OneEntry sign-in, so reads come
//! from the configuration cache (`Storage::config_cached`), refreshed by every change.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::{DomainError, DomainResult};
use super::forms::{validate_lang_code, MAX_IDENTIFIER_LEN, MAX_LANGUAGES};
use super::page::{Page, PageRequest};
use super::tenants::Tenant;
use super::users::memberships::resolve;
pub use crate::auth_providers::{AuthProvider, AuthProviderType, LocalizeInfos};
use crate::storage::{
    AuthProviderReads, FormReads, GroupReads, NumberSequence, StorageReads, WriteTransaction,
};

/// Most auth providers of one tenant: every sign-in reads the tenant's list from the cache.
pub const MAX_AUTH_PROVIDERS_PER_TENANT: usize = 50;
/// Largest `config` of one provider, as JSON: settings, not documents.
pub const MAX_AUTH_PROVIDER_CONFIG_BYTES: usize = 16 * 1024;
/// Largest `localizeInfos` of one provider, as JSON.
pub const MAX_LOCALIZE_INFOS_BYTES: usize = 16 * 1024;

/// The auth providers' rules.
pub struct AuthProviders {
    pub(crate) ctx: Arc<super::Context>,
}

/// Body of "create auth provider".
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAuthProvider {
    /// The marker: 1 to `MAX_IDENTIFIER_LEN` letters, digits, `_` or `-`, unique in the tenant.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{1,100}$"))]
    pub identifier: String,
    /// The type's name: `email` is the one supported.
    #[serde(rename = "type")]
    pub provider_type: String,
    /// An existing form with a login and a password marker.
    pub form_identifier: String,
    /// An existing group (id, name or label) that sign-ups join.
    pub user_group_identifier: Option<String>,
    /// Default `true`.
    pub is_active: Option<bool>,
    /// Default `false`.
    pub is_check_code: Option<bool>,
    /// Default `false`: sign-up is closed until opened.
    pub self_signup: Option<bool>,
    /// Texts per language code; none when absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub localize_infos: LocalizeInfos,
    /// Free settings; `{}` when absent.
    #[serde(default)]
    pub config: Map<String, Value>,
}

/// Body of "change auth provider"; absent fields keep their value.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthProviderPatch {
    /// The path's marker if given: markers do not change.
    pub identifier: Option<String>,
    /// New type.
    #[serde(rename = "type")]
    pub provider_type: Option<String>,
    /// New form (with a login and a password marker).
    pub form_identifier: Option<String>,
    /// Absent: kept; `null`: sign-ups join no group; else the group.
    #[serde(default, deserialize_with = "present")]
    pub user_group_identifier: Option<Option<String>>,
    /// New activity.
    pub is_active: Option<bool>,
    /// Whether a sign-up needs an activation code.
    pub is_check_code: Option<bool>,
    /// Whether sign-up is open.
    pub self_signup: Option<bool>,
    /// Replaces every language's texts.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub localize_infos: Option<LocalizeInfos>,
    /// Replaces the settings.
    pub config: Option<Map<String, Value>>,
}

/// A field that may be absent (`None`), `null` (`Some(None)`) or a value.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A tenant's providers in number order, as the configuration cache keeps them.
pub struct TenantAuthProviders(pub Vec<AuthProvider>);

fn validate_marker(identifier: &str) -> DomainResult<()> {
    let ok = !identifier.is_empty()
        && identifier.len() <= MAX_IDENTIFIER_LEN
        && identifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b));
    if !ok {
        return Err(DomainError::bad_request(
            "invalid_auth_provider_identifier",
            format!("an auth provider's identifier is 1 to {MAX_IDENTIFIER_LEN} letters, digits, '_' or '-'"),
        ));
    }
    Ok(())
}

fn provider_type(name: &str) -> DomainResult<AuthProviderType> {
    AuthProviderType::from_name(name).ok_or_else(|| {
        DomainError::bad_request(
            "unsupported_auth_provider_type",
            format!("auth provider type '{name}' is not supported; the supported type is 'email'"),
        )
    })
}

fn json_len(value: &impl serde::Serialize) -> usize {
    serde_json::to_vec(value).map_or(usize::MAX, |v| v.len())
}

fn validate_localize_infos(infos: &LocalizeInfos) -> DomainResult<()> {
    let invalid = |message: String| DomainError::bad_request("invalid_localize_infos", message);
    if infos.len() > MAX_LANGUAGES {
        return Err(invalid(format!(
            "localizeInfos has more than {MAX_LANGUAGES} languages"
        )));
    }
    for (lang, texts) in infos {
        validate_lang_code(lang)?;
        if texts.get("title").is_some_and(|t| !t.is_string()) {
            return Err(invalid(format!(
                "localizeInfos.{lang}.title must be a string"
            )));
        }
    }
    if json_len(infos) > MAX_LOCALIZE_INFOS_BYTES {
        return Err(DomainError::bad_request(
            "localize_infos_too_large",
            format!("localizeInfos is larger than MAX_LOCALIZE_INFOS_BYTES ({MAX_LOCALIZE_INFOS_BYTES} bytes as JSON)"),
        ));
    }
    Ok(())
}

fn validate_config(config: &Map<String, Value>) -> DomainResult<()> {
    if json_len(config) > MAX_AUTH_PROVIDER_CONFIG_BYTES {
        return Err(DomainError::bad_request(
            "auth_provider_config_too_large",
            format!("config is larger than MAX_AUTH_PROVIDER_CONFIG_BYTES ({MAX_AUTH_PROVIDER_CONFIG_BYTES} bytes as JSON)"),
        ));
    }
    Ok(())
}

/// Refuses a form that does not exist or lacks a login or a password marker.
fn check_form(tx: &(impl FormReads + ?Sized), tenant_id: &str, form: &str) -> DomainResult<()> {
    let Some(found) = tx.form(tenant_id, form)? else {
        return Err(DomainError::bad_request(
            "unknown_form",
            format!("formIdentifier '{form}' names no form of the tenant"),
        ));
    };
    if found.login_marker.is_none() || found.password_marker.is_none() {
        return Err(DomainError::bad_request(
            "form_lacks_markers",
            format!("form '{form}' needs a loginMarker and a passwordMarker to be an auth provider's form"),
        ));
    }
    Ok(())
}

/// The name of the group `group` (id, name or label); refused when there is none.
fn group_name(
    tx: &(impl GroupReads + ?Sized),
    tenant_id: &str,
    group: &str,
) -> DomainResult<String> {
    match resolve(tx, tenant_id, group) {
        Ok(found) => Ok(found.name),
        Err(DomainError::NotFound { .. }) => Err(DomainError::bad_request(
            "unknown_user_group",
            format!("userGroupIdentifier '{group}' names no group of the tenant"),
        )),
        Err(other) => Err(other),
    }
}

/// Refuses to delete form `form`, or to take away its login or password marker, while an
/// auth provider uses it (409 `form_in_use`, naming the providers).
pub(crate) fn check_form_not_in_use(
    tx: &(impl AuthProviderReads + ?Sized),
    tenant_id: &str,
    form: &str,
    change: &str,
) -> DomainResult<()> {
    let users = tx.auth_providers_using_form(tenant_id, form)?;
    if users.is_empty() {
        return Ok(());
    }
    Err(DomainError::conflict(
        "form_in_use",
        format!(
            "form '{form}' cannot {change}: auth providers use it ({})",
            users.join(", ")
        ),
    ))
}

fn load(
    tx: &(impl AuthProviderReads + ?Sized),
    tenant_id: &str,
    identifier: &str,
) -> DomainResult<AuthProvider> {
    tx.auth_provider(tenant_id, identifier)?
        .ok_or_else(|| DomainError::not_found("auth_provider", identifier))
}

/// Applies `patch`'s checked values to `provider` (its form and group checked in `tx`).
fn apply_patch(
    tx: &dyn WriteTransaction,
    tenant_id: &str,
    provider: &mut AuthProvider,
    patch: AuthProviderPatch,
) -> DomainResult<()> {
    if let Some(name) = &patch.provider_type {
        provider.provider_type = provider_type(name)?;
    }
    if let Some(infos) = patch.localize_infos {
        validate_localize_infos(&infos)?;
        provider.localize_infos = infos;
    }
    if let Some(config) = patch.config {
        validate_config(&config)?;
        provider.config = config;
    }
    if let Some(form) = patch.form_identifier {
        check_form(tx, tenant_id, &form)?;
        provider.form_identifier = form;
    }
    if let Some(group) = patch.user_group_identifier {
        provider.user_group_identifier =
            group.map(|g| group_name(tx, tenant_id, &g)).transpose()?;
    }
    provider.is_active = patch.is_active.unwrap_or(provider.is_active);
    provider.is_check_code = patch.is_check_code.unwrap_or(provider.is_check_code);
    provider.self_signup = patch.self_signup.unwrap_or(provider.self_signup);
    Ok(())
}

impl AuthProviders {
    /// Creates a provider: its marker free, its form with both markers, its group existing,
    /// the tenant under `MAX_AUTH_PROVIDERS_PER_TENANT`; numbered from the tenant's sequence.
    pub fn create_auth_provider(
        &self,
        tenant: &Tenant,
        new: NewAuthProvider,
    ) -> DomainResult<AuthProvider> {
        validate_marker(&new.identifier)?;
        let kind = provider_type(&new.provider_type)?;
        validate_localize_infos(&new.localize_infos)?;
        validate_config(&new.config)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        if tx.auth_provider(&tenant.id, &new.identifier)?.is_some() {
            return Err(DomainError::conflict(
                "auth_provider_identifier_taken",
                format!(
                    "an auth provider with identifier '{}' already exists",
                    new.identifier
                ),
            ));
        }
        if tx.auth_providers(&tenant.id)?.len() >= MAX_AUTH_PROVIDERS_PER_TENANT {
            return Err(DomainError::conflict(
                "too_many_auth_providers",
                format!("a tenant has at most MAX_AUTH_PROVIDERS_PER_TENANT ({MAX_AUTH_PROVIDERS_PER_TENANT}) auth providers"),
            ));
        }
        check_form(&*tx, &tenant.id, &new.form_identifier)?;
        let group = new
            .user_group_identifier
            .map(|g| group_name(&*tx, &tenant.id, &g))
            .transpose()?;
        let now = self.ctx.now();
        let provider = AuthProvider {
            number: tx.next_number(&tenant.id, NumberSequence::AuthProviders)?,
            identifier: new.identifier,
            provider_type: kind,
            form_identifier: new.form_identifier,
            user_group_identifier: group,
            is_active: new.is_active.unwrap_or(true),
            is_check_code: new.is_check_code.unwrap_or(false),
            self_signup: new.self_signup.unwrap_or(false),
            localize_infos: new.localize_infos,
            config: new.config,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_auth_provider(&tenant.id, &provider)?;
        tx.commit()?;
        Ok(provider)
    }

    /// The tenant's providers in number order, from the configuration cache (read again
    /// once any configuration changed).
    pub fn auth_providers(&self, tenant: &Tenant) -> DomainResult<Arc<TenantAuthProviders>> {
        let tenant_id = tenant.id.clone();
        self.ctx.store.config_cached(
            &format!("auth-providers/{tenant_id}"),
            |tx: &dyn StorageReads| Ok(TenantAuthProviders(tx.auth_providers(&tenant_id)?)),
        )
    }

    /// The provider with marker `identifier` (404 `auth_provider_not_found`), from the cache.
    pub fn get_auth_provider(
        &self,
        tenant: &Tenant,
        identifier: &str,
    ) -> DomainResult<AuthProvider> {
        self.auth_providers(tenant)?
            .0
            .iter()
            .find(|p| p.identifier == identifier)
            .cloned()
            .ok_or_else(|| DomainError::not_found("auth_provider", identifier))
    }

    /// At most `limit` providers in number order, skipping the first `offset` (OneEntry's
    /// `offset`/`limit`), from the cache.
    pub fn auth_providers_at(
        &self,
        tenant: &Tenant,
        offset: usize,
        limit: usize,
    ) -> DomainResult<Vec<AuthProvider>> {
        let all = self.auth_providers(tenant)?;
        Ok(all.0.iter().skip(offset).take(limit).cloned().collect())
    }

    /// A page of providers in number order; the cursor is the last number of the page before.
    pub fn list_auth_providers(
        &self,
        tenant: &Tenant,
        page: &PageRequest,
    ) -> DomainResult<Page<AuthProvider>> {
        let size = page.size()?;
        let after = match page.cursor.as_deref() {
            None => 0,
            Some(cursor) => cursor.parse::<u64>().map_err(|_| {
                DomainError::bad_request("invalid_cursor", "cursor must be a page's nextCursor")
            })?,
        };
        let fetched = self
            .auth_providers(tenant)?
            .0
            .iter()
            .filter(|p| p.number > after)
            .take(size + 1)
            .map(|p| (p.number.to_string(), p.clone()))
            .collect();
        Ok(Page::from_fetched(fetched, size))
    }

    /// Changes the provider with marker `identifier`; absent fields keep their value, the
    /// marker and number never change, `version` goes up by one.
    pub fn update_auth_provider(
        &self,
        tenant: &Tenant,
        identifier: &str,
        patch: AuthProviderPatch,
    ) -> DomainResult<AuthProvider> {
        if let Some(given) = &patch.identifier {
            if given != identifier {
                return Err(DomainError::bad_request(
                    "identifier_mismatch",
                    format!("the body names auth provider '{given}' but the path names '{identifier}'; identifiers do not change"),
                ));
            }
        }
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut provider = load(&*tx, &tenant.id, identifier)?;
        apply_patch(&*tx, &tenant.id, &mut provider, patch)?;
        provider.version += 1;
        provider.updated_at = self.ctx.now();
        tx.update_auth_provider(&tenant.id, &provider)?;
        tx.commit()?;
        Ok(provider)
    }

    /// Deletes the provider with marker `identifier` (404 when there is none).
    pub fn delete_auth_provider(&self, tenant: &Tenant, identifier: &str) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        if !tx.delete_auth_provider(&tenant.id, identifier)? {
            return Err(DomainError::not_found("auth_provider", identifier));
        }
        tx.commit()?;
        Ok(())
    }
}
