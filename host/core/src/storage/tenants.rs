//! The tenants port: tenants and the index of their namespaces (kept by the adapter with the
//! tenant), their settings, their API keys (found by the digest of their secret), and the
//! operator token that manages them.

use super::StorageResult;
use crate::tenants::{ApiKey, Tenant, TenantSettings};

/// Reading tenants, their namespaces, settings and API keys, and the operator token.
pub trait TenantReads {
    /// The tenant with this id.
    fn tenant(&self, id: &str) -> StorageResult<Option<Tenant>>;
    /// The id of the tenant with this namespace.
    fn tenant_id_by_namespace(&self, namespace: &str) -> StorageResult<Option<String>>;
    /// The tenant with this namespace.
    fn tenant_by_namespace(&self, namespace: &str) -> StorageResult<Option<Tenant>>;
    /// Tenants in id order after `after` (from the first when `None`), at most `limit`.
    fn tenants_after(&self, after: Option<&str>, limit: usize) -> StorageResult<Vec<Tenant>>;
    /// The tenant's settings, if it has a record of them.
    fn tenant_settings(&self, tenant: &str) -> StorageResult<Option<TenantSettings>>;
    /// Whether the tenant has an API key whose secret has this digest.
    fn has_api_key(&self, tenant: &str, digest: &str) -> StorageResult<bool>;
    /// The tenant's API keys (in no particular order).
    fn api_keys(&self, tenant: &str) -> StorageResult<Vec<ApiKey>>;
    /// The digest of the operator token, once one was set.
    fn operator_token_digest(&self) -> StorageResult<Option<String>>;
}

/// Writing tenants, their namespaces, settings and API keys, and the operator token.
pub trait TenantWrites: TenantReads {
    /// Stores a new tenant and indexes its namespace. A namespace another tenant holds answers
    /// `StorageError::Conflict` (`namespace_taken`).
    fn insert_tenant(&mut self, tenant: &Tenant) -> StorageResult<()>;
    /// Deletes tenant `id`, its namespace and every record it owns in every aggregate; answers
    /// whether there was such a tenant.
    fn delete_tenant(&mut self, id: &str) -> StorageResult<bool>;
    /// Stores the tenant's settings (replacing any).
    fn put_tenant_settings(&mut self, tenant: &str, settings: &TenantSettings)
        -> StorageResult<()>;
    /// Stores a new API key of the tenant under the digest of its secret.
    fn insert_api_key(&mut self, tenant: &str, digest: &str, key: &ApiKey) -> StorageResult<()>;
    /// Deletes the tenant's API key with id `key_id`; answers whether there was one.
    fn delete_api_key(&mut self, tenant: &str, key_id: &str) -> StorageResult<bool>;
    /// Stores the digest of the operator token (replacing any).
    fn set_operator_token_digest(&mut self, digest: &str) -> StorageResult<()>;
}
