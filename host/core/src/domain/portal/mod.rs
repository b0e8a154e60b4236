//! The tenant's portal (ELMA's `Portal`): settings and pages here; profiles, access, signup links,
//! registration and sessions in the submodules.

pub mod access;
pub mod branding;
pub mod codes;
pub mod hooks;
pub mod lockout;
pub mod me;
pub mod policy;
pub mod profiles;
pub mod registration;
pub mod self_signup;
pub mod sessions;
pub mod signup;
pub mod user_update;

use serde::{Deserialize, Serialize};

use super::error::{DomainError, DomainResult};
use super::page::{Page, PageRequest};
use super::tenants::{validate_name, Tenant};
use super::Portal;
use crate::storage::prelude::*;

pub use crate::portal::{PortalPage, PortalSettings};
pub use policy::SelfSignupRequest;
pub use sessions::tokens::MAX_LIVE_SESSIONS_PER_USER;

/// Longest lifetime a signup link may have: 30 days.
pub const MAX_SIGNUP_LINK_TTL_SECS: u64 = 30 * 24 * 3600;
/// Lifetime of a portal access token: 15 minutes.
pub const DEFAULT_ACCESS_TOKEN_TTL_SECS: u64 = 15 * 60;
/// Lifetime of a refresh token: 30 days.
pub const DEFAULT_REFRESH_TOKEN_TTL_SECS: u64 = 30 * 24 * 3600;
/// How long a traded refresh token still works after its rotation: a second tab refreshing with
/// it at once gets a pair of the same session instead of signing the user out.
pub const REFRESH_GRACE_SECS: u64 = 30;
/// Lifetime of an app-link auth token; never more than 5 minutes.
pub const MAX_APP_TOKEN_TTL_SECS: u64 = 5 * 60;
/// Longest lock a tenant may configure: 1 day.
pub const MAX_LOCKOUT_SECS: u64 = 24 * 3600;
/// Largest `maxPortalUsers`: 2^53 - 1, a number every client reads exactly (a JavaScript safe
/// integer) and every storage engine holds (PostgreSQL's `bigint` stops at 2^63 - 1).
pub const MAX_PORTAL_USERS_LIMIT: u64 = (1 << 53) - 1;
/// Largest `maxFailedSignIns`: 2^31 - 1, PostgreSQL's `integer`.
pub const MAX_FAILED_SIGN_INS_LIMIT: u32 = i32::MAX as u32;
/// Longest page code.
pub const MAX_PAGE_CODE_LEN: usize = 64;
/// Longest page path.
pub const MAX_PAGE_PATH_LEN: usize = 512;

/// The settings as the API shows them, with the read-only namespace.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortalSettingsView {
    /// The tenant's namespace, which names the portal.
    pub namespace: String,
    /// The settings (shown inline).
    #[serde(flatten)]
    pub settings: PortalSettings,
}

/// A change to portal settings; absent fields keep their value.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortalSettingsPatch {
    /// Absent: kept; `null`: unset (the login page shows `DEFAULT_LOGIN_TITLE`).
    #[serde(default, deserialize_with = "present")]
    pub login_title: Option<Option<String>>,
    /// Publish the portal (only a published portal lets external users sign in) or withdraw it.
    pub published: Option<bool>,
    /// The most portal users the tenant may have (at most `MAX_PORTAL_USERS_LIMIT`).
    #[cfg_attr(feature = "openapi", schema(maximum = 9007199254740991_u64))]
    pub max_portal_users: Option<u64>,
    /// Lifetime of new signup links, 1 to `MAX_SIGNUP_LINK_TTL_SECS` seconds.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 2592000))]
    pub signup_link_ttl_seconds: Option<u64>,
    /// Failed sign-ins in a row that lock an email (1 to `MAX_FAILED_SIGN_INS_LIMIT`).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 2147483647))]
    pub max_failed_sign_ins: Option<u32>,
    /// How long a lock lasts, 1 to `MAX_LOCKOUT_SECS` seconds.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 86400))]
    pub lockout_seconds: Option<u64>,
    /// The name the pages show (`branding::validate_display_name`); `null`: the tenant's name.
    #[serde(default, deserialize_with = "present")]
    pub display_name: Option<Option<String>>,
    /// The pages' main colour, `#rrggbb`; `null`: Portico's.
    #[serde(default, deserialize_with = "present")]
    pub primary_color: Option<Option<String>>,
    /// The pages' background colour, `#rrggbb`; `null`: Portico's.
    #[serde(default, deserialize_with = "present")]
    pub background_color: Option<Option<String>>,
    /// An `https` URL of the pages' logo; `null`: none.
    #[serde(default, deserialize_with = "present")]
    pub logo_url: Option<Option<String>>,
    /// The tenant's own front end, which the notification links then lead to; `null`:
    /// Portico's pages.
    #[serde(default, deserialize_with = "present")]
    pub pages_url: Option<Option<String>>,
}

/// Body of "update page"; absent fields keep their value.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortalPagePatch {
    /// New title.
    pub title: Option<String>,
    /// New path: starts with `/`, no spaces, at most `MAX_PAGE_PATH_LEN` characters.
    pub path: Option<String>,
    /// Show or hide the page.
    pub visible: Option<bool>,
}

/// A field that may be absent (`None`), `null` (`Some(None)`) or a value.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

pub(crate) fn load_settings(
    tx: &(impl PortalReads + ?Sized),
    tenant_id: &str,
) -> DomainResult<PortalSettings> {
    Ok(tx.portal_settings(tenant_id)?.unwrap_or_default())
}

fn invalid_setting(message: String) -> DomainError {
    DomainError::bad_request("invalid_setting", message)
}

fn validate_page(page: &PortalPage) -> DomainResult<()> {
    let code_ok = !page.code.is_empty()
        && page.code.len() <= MAX_PAGE_CODE_LEN
        && page
            .code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b));
    if !code_ok {
        return Err(DomainError::bad_request(
            "invalid_page_code",
            format!("page code must be 1 to {MAX_PAGE_CODE_LEN} letters, digits, '_' or '-'"),
        ));
    }
    let path_ok = page.path.starts_with('/')
        && page.path.len() <= MAX_PAGE_PATH_LEN
        && !page
            .path
            .chars()
            .any(|c| c.is_control() || c.is_whitespace());
    if !path_ok {
        return Err(DomainError::bad_request(
            "invalid_page_path",
            format!("page path must start with '/', have no spaces, and be at most {MAX_PAGE_PATH_LEN} characters"),
        ));
    }
    validate_name("title", &page.title)?;
    Ok(())
}

impl Portal {
    /// `getSettings`.
    pub fn portal_settings(&self, tenant: &Tenant) -> DomainResult<PortalSettingsView> {
        Ok(PortalSettingsView {
            namespace: tenant.namespace.clone(),
            settings: load_settings(&*self.ctx.store.read()?, &tenant.id)?,
        })
    }

    /// Changes the portal settings (`patch`'s absent fields keep their value); a value out of
    /// range refuses the whole patch.
    pub fn update_portal_settings(
        &self,
        tenant: &Tenant,
        patch: PortalSettingsPatch,
    ) -> DomainResult<PortalSettingsView> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut s = load_settings(&*tx, &tenant.id)?;
        if let Some(title) = patch.login_title {
            s.login_title = title.map(|t| validate_name("loginTitle", &t)).transpose()?;
        }
        if let Some(published) = patch.published {
            s.published = published;
        }
        if let Some(max) = patch.max_portal_users {
            // Beyond it PostgreSQL refused the value as an outage (503) where redb kept it
            // (found by the contract run).
            if max > MAX_PORTAL_USERS_LIMIT {
                return Err(invalid_setting(format!(
                    "maxPortalUsers must be at most {MAX_PORTAL_USERS_LIMIT}"
                )));
            }
            s.max_portal_users = max;
        }
        if let Some(ttl) = patch.signup_link_ttl_seconds {
            if !(1..=MAX_SIGNUP_LINK_TTL_SECS).contains(&ttl) {
                return Err(invalid_setting(format!(
                    "signupLinkTtlSeconds must be between 1 and {MAX_SIGNUP_LINK_TTL_SECS}"
                )));
            }
            s.signup_link_ttl_seconds = ttl;
        }
        if let Some(n) = patch.max_failed_sign_ins {
            if !(1..=MAX_FAILED_SIGN_INS_LIMIT).contains(&n) {
                return Err(invalid_setting(format!(
                    "maxFailedSignIns must be between 1 and {MAX_FAILED_SIGN_INS_LIMIT}"
                )));
            }
            s.max_failed_sign_ins = n;
        }
        if let Some(secs) = patch.lockout_seconds {
            if !(1..=MAX_LOCKOUT_SECS).contains(&secs) {
                return Err(invalid_setting(format!(
                    "lockoutSeconds must be between 1 and {MAX_LOCKOUT_SECS}"
                )));
            }
            s.lockout_seconds = secs;
        }
        branding::BrandingPatch {
            display_name: patch.display_name,
            primary_color: patch.primary_color,
            background_color: patch.background_color,
            logo_url: patch.logo_url,
            pages_url: patch.pages_url,
        }
        .apply(&mut s)?;
        tx.save_portal_settings(&tenant.id, &s)?;
        tx.commit()?;
        Ok(PortalSettingsView {
            namespace: tenant.namespace.clone(),
            settings: s,
        })
    }

    /// Adds a page; refused when its code is taken or its code, path or title is invalid.
    pub fn create_portal_page(
        &self,
        tenant: &Tenant,
        page: PortalPage,
    ) -> DomainResult<PortalPage> {
        validate_page(&page)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        if tx.portal_page_exists(&tenant.id, &page.code)? {
            return Err(DomainError::conflict(
                "page_code_taken",
                format!("a page with code '{}' already exists", page.code),
            ));
        }
        tx.insert_portal_page(&tenant.id, &page)?;
        tx.commit()?;
        Ok(page)
    }

    /// Changes a page (`patch`'s absent fields keep their value); the page is checked again as
    /// a whole.
    pub fn update_portal_page(
        &self,
        tenant: &Tenant,
        code: &str,
        patch: PortalPagePatch,
    ) -> DomainResult<PortalPage> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut page = tx
            .portal_page(&tenant.id, code)?
            .ok_or_else(|| DomainError::not_found("page", code))?;
        if let Some(title) = patch.title {
            page.title = title;
        }
        if let Some(path) = patch.path {
            page.path = path;
        }
        if let Some(visible) = patch.visible {
            page.visible = visible;
        }
        validate_page(&page)?;
        tx.update_portal_page(&tenant.id, &page)?;
        tx.commit()?;
        Ok(page)
    }

    /// Deletes a page by code.
    pub fn delete_portal_page(&self, tenant: &Tenant, code: &str) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        if !tx.delete_portal_page(&tenant.id, code)? {
            return Err(DomainError::not_found("page", code));
        }
        tx.commit()?;
        Ok(())
    }

    /// `getPages`, ordered by code.
    pub fn portal_pages(
        &self,
        tenant: &Tenant,
        page: &PageRequest,
    ) -> DomainResult<Page<PortalPage>> {
        let size = page.size()?;
        let fetched = self.ctx.store.read()?.portal_pages_after(
            &tenant.id,
            page.cursor.as_deref(),
            size + 1,
        )?;
        let keyed = fetched.into_iter().map(|p| (p.code.clone(), p)).collect();
        Ok(Page::from_fetched(keyed, size))
    }
}
