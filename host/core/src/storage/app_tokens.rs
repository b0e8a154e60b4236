//! The app tokens port: a tenant's app tokens, found by the digest of their secret.

use super::StorageResult;
use crate::app_tokens::AppToken;

/// Reading a tenant's app tokens.
pub trait AppTokenReads {
    /// The tenant's app token whose secret has this digest.
    fn app_token(&self, tenant: &str, digest: &str) -> StorageResult<Option<AppToken>>;
    /// The tenant's app tokens (in no particular order).
    fn app_tokens(&self, tenant: &str) -> StorageResult<Vec<AppToken>>;
    /// How many app tokens the tenant has.
    fn count_app_tokens(&self, tenant: &str) -> StorageResult<usize>;
}

/// Writing a tenant's app tokens.
pub trait AppTokenWrites: AppTokenReads {
    /// Stores a new app token of the tenant under the digest of its secret.
    fn insert_app_token(
        &mut self,
        tenant: &str,
        digest: &str,
        token: &AppToken,
    ) -> StorageResult<()>;
    /// Deletes the tenant's app token with id `token_id`; answers whether there was one.
    fn delete_app_token(&mut self, tenant: &str, token_id: &str) -> StorageResult<bool>;
}
