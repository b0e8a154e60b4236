//! The auth providers port: a tenant's providers by marker (identifier). Providers are
//! configuration: an engine that caches configuration (`Storage::configuration`) drops its
//! cached values when one changes.

use super::StorageResult;
use crate::auth_providers::AuthProvider;

/// Reading auth providers.
pub trait AuthProviderReads {
    /// The provider with this marker.
    fn auth_provider(&self, tenant: &str, identifier: &str) -> StorageResult<Option<AuthProvider>>;
    /// Every provider of the tenant (at most `MAX_AUTH_PROVIDERS_PER_TENANT` are stored), in
    /// number order.
    fn auth_providers(&self, tenant: &str) -> StorageResult<Vec<AuthProvider>>;
    /// The markers of the providers that use form `form`, in marker order.
    fn auth_providers_using_form(&self, tenant: &str, form: &str) -> StorageResult<Vec<String>>;
}

/// Writing auth providers.
pub trait AuthProviderWrites: AuthProviderReads {
    /// Stores a new provider; a marker another provider has answers `StorageError::Conflict`
    /// (`auth_provider_identifier_taken`).
    fn insert_auth_provider(&mut self, tenant: &str, provider: &AuthProvider) -> StorageResult<()>;
    /// Stores a changed provider (same marker and number).
    fn update_auth_provider(&mut self, tenant: &str, provider: &AuthProvider) -> StorageResult<()>;
    /// Deletes the provider with this marker; answers whether there was one.
    fn delete_auth_provider(&mut self, tenant: &str, identifier: &str) -> StorageResult<bool>;
}
