//! Per-user configuration of endpoints (`getEndpointConfiguration(user, 'http')`): a JSON document
//! per (user, endpoint name).

use super::error::{DomainError, DomainResult};
use super::tenants::Tenant;
use super::users::records::load_user;
use super::Users;

/// Largest configuration document, in bytes of JSON.
pub const MAX_ENDPOINT_CONFIG_BYTES: usize = 64 * 1024;
/// Longest endpoint name.
pub const MAX_ENDPOINT_NAME_LEN: usize = 64;

fn validate_endpoint(name: &str) -> DomainResult<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_ENDPOINT_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    if !ok {
        return Err(DomainError::bad_request(
            "invalid_endpoint_name",
            format!("endpoint name must be 1 to {MAX_ENDPOINT_NAME_LEN} characters of letters, digits, '_', '-' and '.'"),
        ));
    }
    Ok(())
}

impl Users {
    /// Sets (replaces) the configuration of `endpoint` for the user.
    pub fn set_endpoint_configuration(
        &self,
        tenant: &Tenant,
        user_id: &str,
        endpoint: &str,
        config: serde_json::Value,
    ) -> DomainResult<serde_json::Value> {
        validate_endpoint(endpoint)?;
        if !config.is_object() {
            return Err(DomainError::bad_request(
                "invalid_configuration",
                "an endpoint configuration must be a JSON object",
            ));
        }
        if serde_json::to_vec(&config).map_or(usize::MAX, |v| v.len()) > MAX_ENDPOINT_CONFIG_BYTES {
            return Err(DomainError::bad_request(
                "configuration_too_large",
                format!("an endpoint configuration is at most {MAX_ENDPOINT_CONFIG_BYTES} bytes"),
            ));
        }
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        load_user(&*tx, &tenant.id, user_id)?;
        tx.put_endpoint_config(&tenant.id, user_id, endpoint, &config)?;
        tx.commit()?;
        Ok(config)
    }

    /// `getEndpointConfiguration(user, endpoint)`; 404 when the user has none for it.
    pub fn endpoint_configuration(
        &self,
        tenant: &Tenant,
        user_id: &str,
        endpoint: &str,
    ) -> DomainResult<serde_json::Value> {
        validate_endpoint(endpoint)?;
        let tx = self.ctx.store.read()?;
        load_user(&*tx, &tenant.id, user_id)?;
        tx.endpoint_config(&tenant.id, user_id, endpoint)?
            .ok_or_else(|| DomainError::not_found("endpoint configuration", endpoint))
    }

    /// Removes the configuration; 404 when there was none.
    pub fn delete_endpoint_configuration(
        &self,
        tenant: &Tenant,
        user_id: &str,
        endpoint: &str,
    ) -> DomainResult<()> {
        validate_endpoint(endpoint)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        load_user(&*tx, &tenant.id, user_id)?;
        if !tx.delete_endpoint_config(&tenant.id, user_id, endpoint)? {
            return Err(DomainError::not_found("endpoint configuration", endpoint));
        }
        tx.commit()?;
        Ok(())
    }
}
