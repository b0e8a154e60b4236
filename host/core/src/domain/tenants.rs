//! Tenants (a workspace, named by its namespace code), their settings and their API keys, and the
//! operator token that manages them.

use serde::{Deserialize, Serialize};

use super::error::{DomainError, DomainResult};
use super::ids::{looks_like_id, new_id};
use super::mail_sender::{present, SenderPatch};
use super::page::{Page, PageRequest};
use super::secrets::{random_token, token_digest};
use super::Tenants;
use crate::storage::KEYED_DIGEST_PREFIX;
pub use crate::tenants::{ApiKey, Tenant, TenantSettings};

/// Shortest namespace code.
pub const NAMESPACE_MIN_LEN: usize = 2;
/// Longest namespace code.
pub const NAMESPACE_MAX_LEN: usize = 64;
/// Prefix of tenant API keys, so a leaked key is recognisable in logs and scanners.
pub const API_KEY_PREFIX: &str = "ptk_";
/// Longest free-text name (tenant display name, API key name).
pub const MAX_NAME_LEN: usize = 200;
/// Shortest reset-code lifetime a tenant may set (short lifetimes are for tests and drills).
pub const MIN_RESET_CODE_TTL_SECS: u64 = 1;
/// Longest reset-code lifetime a tenant may set: 30 days.
pub const MAX_RESET_CODE_TTL_SECS: u64 = 30 * 24 * 3600;
/// Largest minimum password length a tenant may require.
pub const MAX_PASSWORD_MIN_LENGTH: usize = 128;

/// A change to tenant settings; absent fields keep their value.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantSettingsPatch {
    /// How long a reset code stays valid, in seconds (`MIN_RESET_CODE_TTL_SECS` to
    /// `MAX_RESET_CODE_TTL_SECS`).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 2592000))]
    pub reset_code_ttl_seconds: Option<u64>,
    /// Minimum length of a new password (1 to `MAX_PASSWORD_MIN_LENGTH`).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 128))]
    pub password_min_length: Option<usize>,
    /// The browser origins allowed to call the tenant's public app routes, replacing the list
    /// (see `origins`: exact origins, at most `MAX_ALLOWED_ORIGINS`; `[]` allows none).
    pub allowed_origins: Option<Vec<String>>,
    /// The name the tenant's mails come from and are signed with (see `mail_sender`: printable,
    /// at most `MAX_MAIL_SENDER_NAME_LEN` characters); `null` clears it.
    #[serde(default, deserialize_with = "present")]
    pub mail_sender_name: Option<Option<String>>,
    /// The address the tenant's mails come from (an email address); `null` clears it.
    #[serde(default, deserialize_with = "present")]
    pub mail_sender_address: Option<Option<String>>,
    /// Where replies to the tenant's mails go (an email address); `null` clears it.
    #[serde(default, deserialize_with = "present")]
    pub mail_reply_to: Option<Option<String>>,
    /// The language of the tenant's mails whose message names none (see `mail_templates`: one
    /// of `MAIL_LANGUAGES`).
    pub mail_language: Option<String>,
}

/// A freshly created API key: the only time the secret is shown.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    /// The key's id, name and creation time (shown inline).
    #[serde(flatten)]
    pub meta: ApiKey,
    /// The key itself, `ptk_<tenant id>_<secret>`; the store keeps only its digest.
    pub key: String,
}

/// Checks a namespace code: lowercase letters, digits and `_`, 2 to 64 characters.
pub fn validate_namespace(namespace: &str) -> DomainResult<()> {
    let ok_len = (NAMESPACE_MIN_LEN..=NAMESPACE_MAX_LEN).contains(&namespace.len());
    let ok_chars = namespace
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok_len && ok_chars {
        Ok(())
    } else {
        Err(DomainError::bad_request(
            "invalid_namespace",
            format!(
                "namespace must be {NAMESPACE_MIN_LEN} to {NAMESPACE_MAX_LEN} characters of lowercase letters, digits and '_'"
            ),
        ))
    }
}

pub(crate) fn validate_name(field: &str, name: &str) -> DomainResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN || name.chars().any(char::is_control)
    {
        return Err(DomainError::bad_request(
            "invalid_name",
            format!("{field} must be 1 to {MAX_NAME_LEN} printable characters"),
        ));
    }
    Ok(name.to_string())
}

/// What the operator token's keyed digest is bound to.
const OPERATOR_TOKEN_CONTEXT: &str = "operator token";

/// Splits `ptk_<tenant id>_<secret>` into the tenant id it was issued for.
fn tenant_of_key(token: &str) -> Option<&str> {
    let rest = token.strip_prefix(API_KEY_PREFIX)?;
    let (tenant_id, secret) = (rest.get(..32)?, rest.get(32..)?);
    (looks_like_id(tenant_id) && secret.starts_with('_')).then_some(tenant_id)
}

impl Tenants {
    /// Sets up the operator token: `configured` (from the environment) replaces the stored hash;
    /// otherwise a stored hash is kept; otherwise a new token is generated and returned so the
    /// caller can print it once. A configured token may be short (16 characters), so its digest
    /// is keyed with the server key (`OPERATOR_TOKEN_CONTEXT`); a plain SHA-256 stored before is
    /// still accepted, and replaced at the next start with a configured token.
    pub fn init_operator_token(&self, configured: Option<&str>) -> DomainResult<Option<String>> {
        let mut tx = self.ctx.store.write_installation()?;
        let generated = match configured {
            Some(token) => {
                if token.len() < 16 {
                    return Err(DomainError::bad_request(
                        "weak_operator_token",
                        "PORTICO_OPERATOR_TOKEN must be at least 16 characters",
                    ));
                }
                let digest = tx.keys().code_digest(OPERATOR_TOKEN_CONTEXT, token);
                tx.set_operator_token_digest(&digest)?;
                None
            }
            None if tx.operator_token_digest()?.is_some() => None,
            None => {
                let token = random_token("pop_");
                let digest = tx.keys().code_digest(OPERATOR_TOKEN_CONTEXT, &token);
                tx.set_operator_token_digest(&digest)?;
                Some(token)
            }
        };
        tx.commit()?;
        Ok(generated)
    }

    /// Replaces the operator token with a new random one, answered here only (the store keeps
    /// its keyed digest). The old token is refused from the next request on, on every host of
    /// the store. A server started with `PORTICO_OPERATOR_TOKEN` sets that one again at its next
    /// start, so the setting must follow.
    pub fn rotate_operator_token(&self) -> DomainResult<String> {
        let token = random_token("pop_");
        let mut tx = self.ctx.store.write_installation()?;
        let digest = tx.keys().code_digest(OPERATOR_TOKEN_CONTEXT, &token);
        tx.set_operator_token_digest(&digest)?;
        tx.commit()?;
        Ok(token)
    }

    /// The digest of `token` in the form of the `stored` one (keyed, or plain before).
    fn operator_token_digest(&self, stored: &str, token: &str) -> String {
        if stored.starts_with(KEYED_DIGEST_PREFIX) {
            self.ctx
                .store
                .keys()
                .code_digest(OPERATOR_TOKEN_CONTEXT, token)
        } else {
            token_digest(token)
        }
    }

    /// Checks the operator's bearer token.
    pub fn authenticate_operator(&self, token: &str) -> DomainResult<()> {
        let stored = self.ctx.store.read()?.operator_token_digest()?;
        match stored {
            Some(digest)
                if constant_time_eq(&digest, &self.operator_token_digest(&digest, token)) =>
            {
                Ok(())
            }
            _ => Err(DomainError::Unauthorized("invalid operator token".into())),
        }
    }

    /// Checks a tenant API key for the tenant named `namespace`. A valid key of another tenant
    /// gets the same answer whether or not `namespace` exists, so it reveals nothing about it.
    pub fn authenticate_tenant_key(&self, namespace: &str, token: &str) -> DomainResult<Tenant> {
        let invalid = || DomainError::Unauthorized("invalid API key".into());
        let key_tenant_id = tenant_of_key(token).ok_or_else(invalid)?;
        let tx = self.ctx.store.read()?;
        if !tx.has_api_key(key_tenant_id, &token_digest(token))? {
            return Err(invalid());
        }
        let path_tenant_id = tx.tenant_id_by_namespace(namespace)?;
        if path_tenant_id.as_deref() != Some(key_tenant_id) {
            return Err(DomainError::Forbidden(
                "this API key does not grant access to that tenant".into(),
            ));
        }
        tx.tenant(key_tenant_id)?.ok_or_else(invalid)
    }

    /// The id of the tenant with this namespace, if there is one (a single index read).
    pub fn tenant_id_of(&self, namespace: &str) -> DomainResult<Option<String>> {
        Ok(self.ctx.store.read()?.tenant_id_by_namespace(namespace)?)
    }

    /// Creates a tenant with default settings; `name` defaults to the namespace. Refused when
    /// the namespace is taken.
    pub fn create_tenant(&self, namespace: &str, name: Option<&str>) -> DomainResult<Tenant> {
        validate_namespace(namespace)?;
        let name = validate_name("name", name.unwrap_or(namespace))?;
        let mut tx = self.ctx.store.write_installation()?;
        if tx.tenant_id_by_namespace(namespace)?.is_some() {
            return Err(DomainError::conflict(
                "namespace_taken",
                format!("a tenant with namespace '{namespace}' already exists"),
            ));
        }
        let tenant = Tenant {
            id: new_id(),
            namespace: namespace.to_string(),
            name,
            created_at: self.ctx.now(),
        };
        tx.insert_tenant(&tenant)?;
        tx.put_tenant_settings(&tenant.id, &TenantSettings::default())?;
        tx.commit()?;
        Ok(tenant)
    }

    /// The tenants, ordered by id, one page from `page`'s cursor.
    pub fn list_tenants(&self, page: &PageRequest) -> DomainResult<Page<Tenant>> {
        let size = page.size()?;
        let tx = self.ctx.store.read()?;
        let fetched = tx.tenants_after(page.cursor.as_deref(), size + 1)?;
        let fetched = fetched.into_iter().map(|t| (t.id.clone(), t)).collect();
        Ok(Page::from_fetched(fetched, size))
    }

    /// The tenant with this namespace (cached until the configuration changes).
    pub fn get_tenant(&self, namespace: &str) -> DomainResult<Tenant> {
        // Every request names its tenant: decoded once per configuration change.
        let tenant = self.ctx.store.config_cached(
            &format!("tenant/{namespace}"),
            |tx| -> DomainResult<Option<Tenant>> { Ok(tx.tenant_by_namespace(namespace)?) },
        )?;
        Option::clone(&tenant).ok_or_else(|| DomainError::not_found("tenant", namespace))
    }

    /// The tenant with this id (cached until the configuration changes): what background
    /// workers, which know tenants by id, show of it.
    pub fn get_tenant_by_id(&self, id: &str) -> DomainResult<Tenant> {
        let tenant = self.ctx.store.config_cached(
            &format!("tenant-id/{id}"),
            |tx| -> DomainResult<Option<Tenant>> { Ok(tx.tenant(id)?) },
        )?;
        Option::clone(&tenant).ok_or_else(|| DomainError::not_found("tenant", id))
    }

    /// Deletes a tenant and every record it owns, in one transaction.
    pub fn delete_tenant(&self, namespace: &str) -> DomainResult<()> {
        let tenant = self.get_tenant(namespace)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let gone = super::plugins::release_tenant_components(&mut *tx, &tenant.id)?;
        tx.delete_tenant(&tenant.id)?;
        tx.commit()?;
        self.plugins.unload_plugin_versions(&gone);
        Ok(())
    }

    /// The tenant's settings, the defaults when never changed (cached until the configuration
    /// changes).
    pub fn tenant_settings(&self, tenant: &Tenant) -> DomainResult<TenantSettings> {
        let settings = self.ctx.store.config_cached(
            &format!("tenant-settings/{}", tenant.id),
            |tx| -> DomainResult<TenantSettings> {
                Ok(tx.tenant_settings(&tenant.id)?.unwrap_or_default())
            },
        )?;
        Ok(TenantSettings::clone(&settings))
    }

    /// Changes the tenant's settings (`patch`'s absent fields keep their value); a value out of
    /// range refuses the whole patch.
    pub fn update_tenant_settings(
        &self,
        tenant: &Tenant,
        patch: TenantSettingsPatch,
    ) -> DomainResult<TenantSettings> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut settings = tx.tenant_settings(&tenant.id)?.unwrap_or_default();
        if let Some(ttl) = patch.reset_code_ttl_seconds {
            if !(MIN_RESET_CODE_TTL_SECS..=MAX_RESET_CODE_TTL_SECS).contains(&ttl) {
                return Err(DomainError::bad_request(
                    "invalid_setting",
                    format!("resetCodeTtlSeconds must be between {MIN_RESET_CODE_TTL_SECS} and {MAX_RESET_CODE_TTL_SECS}"),
                ));
            }
            settings.reset_code_ttl_seconds = ttl;
        }
        if let Some(min) = patch.password_min_length {
            if !(1..=MAX_PASSWORD_MIN_LENGTH).contains(&min) {
                return Err(DomainError::bad_request(
                    "invalid_setting",
                    format!("passwordMinLength must be between 1 and {MAX_PASSWORD_MIN_LENGTH}"),
                ));
            }
            settings.password_min_length = min;
        }
        if let Some(origins) = patch.allowed_origins {
            settings.allowed_origins = super::origins::validate_allowed_origins(origins)?;
        }
        if let Some(lang) = patch.mail_language {
            settings.mail_language = super::mail_templates::validate_mail_language(&lang)?;
        }
        let sender = SenderPatch {
            name: patch.mail_sender_name,
            address: patch.mail_sender_address,
            reply_to: patch.mail_reply_to,
        };
        sender.apply(&mut settings)?;
        tx.put_tenant_settings(&tenant.id, &settings)?;
        tx.commit()?;
        Ok(settings)
    }

    /// Creates an API key for the tenant; the secret is in the answer and nowhere else.
    pub fn create_api_key(
        &self,
        namespace: &str,
        name: Option<&str>,
    ) -> DomainResult<CreatedApiKey> {
        let tenant = self.get_tenant(namespace)?;
        let name = validate_name("name", name.unwrap_or("default"))?;
        let key = format!("{API_KEY_PREFIX}{}{}", tenant.id, random_token("_"));
        let meta = ApiKey {
            id: new_id(),
            name,
            created_at: self.ctx.now(),
        };
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        tx.insert_api_key(&tenant.id, &token_digest(&key), &meta)?;
        tx.commit()?;
        Ok(CreatedApiKey { meta, key })
    }

    /// The tenant's API keys (without their secrets), ordered by id.
    pub fn list_api_keys(&self, namespace: &str) -> DomainResult<Vec<ApiKey>> {
        let tenant = self.get_tenant(namespace)?;
        let mut keys = self.ctx.store.read()?.api_keys(&tenant.id)?;
        keys.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(keys)
    }

    /// Revokes a key at once: the next request with it is refused.
    pub fn revoke_api_key(&self, namespace: &str, key_id: &str) -> DomainResult<()> {
        let tenant = self.get_tenant(namespace)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        if !tx.delete_api_key(&tenant.id, key_id)? {
            return Err(DomainError::not_found("API key", key_id));
        }
        tx.commit()?;
        Ok(())
    }
}

/// Compares two digests without an early exit, so timing does not reveal a matching prefix.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_rules() {
        assert!(validate_namespace("acme_2").is_ok());
        assert!(validate_namespace("a").is_err());
        assert!(validate_namespace("Acme").is_err());
        assert!(validate_namespace("ac-me").is_err());
        assert!(validate_namespace(&"a".repeat(65)).is_err());
        assert!(validate_namespace(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn key_names_its_tenant() {
        let id = new_id();
        let key = format!("{API_KEY_PREFIX}{id}{}", random_token("_"));
        assert_eq!(tenant_of_key(&key), Some(id.as_str()));
        assert_eq!(tenant_of_key("ptk_short"), None);
    }
}
