//! The identity providers port: identity providers and the index of their names, which the
//! adapter keeps with the providers (a name is unique in its tenant), and the identity links:
//! which user a (provider, external id) pair belongs to (at most one user of the tenant).

use super::StorageResult;
use crate::identity_providers::IdentityProvider;

/// Reading identity providers and identity links.
pub trait IdentityProviderReads {
    /// The provider with this id.
    fn identity_provider(&self, tenant: &str, id: &str) -> StorageResult<Option<IdentityProvider>>;
    /// The provider with this name.
    fn identity_provider_by_name(
        &self,
        tenant: &str,
        name: &str,
    ) -> StorageResult<Option<IdentityProvider>>;
    /// Whether a provider has this name.
    fn identity_provider_name_taken(&self, tenant: &str, name: &str) -> StorageResult<bool>;
    /// Providers in id order after `after` (from the first when `None`), at most `limit`.
    fn identity_providers_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<IdentityProvider>>;
    /// The id of the user linked to provider `provider_id` with this external id.
    fn user_with_external_id(
        &self,
        tenant: &str,
        provider_id: &str,
        external_id: &str,
    ) -> StorageResult<Option<String>>;
}

/// Writing identity providers (each write keeps the name index with the provider) and identity
/// links.
pub trait IdentityProviderWrites: IdentityProviderReads {
    /// Stores a new provider and indexes its name. A name another provider holds answers
    /// `StorageError::Conflict` (`identity_provider_name_taken`).
    fn insert_identity_provider(
        &mut self,
        tenant: &str,
        provider: &IdentityProvider,
    ) -> StorageResult<()>;
    /// Deletes provider `id` and its name's index entry; answers whether there was such a
    /// provider. (The rules remove the users' links to it first.)
    fn delete_identity_provider(&mut self, tenant: &str, id: &str) -> StorageResult<bool>;
    /// Records that user `user_id` is linked to provider `provider_id` with this external id
    /// (the user's record holds the link). A pair another user holds answers
    /// `StorageError::Conflict` (`external_id_taken`).
    fn link_external_id(
        &mut self,
        tenant: &str,
        provider_id: &str,
        external_id: &str,
        user_id: &str,
    ) -> StorageResult<()>;
    /// Forgets who is linked to provider `provider_id` with this external id.
    fn unlink_external_id(
        &mut self,
        tenant: &str,
        provider_id: &str,
        external_id: &str,
    ) -> StorageResult<()>;
}
