//! The sessions port: portal session tokens by the digest of the token, and the index of each
//! user's tokens, which the adapter keeps with the tokens.

use super::StorageResult;
use crate::sessions::SessionToken;

/// Reading portal session tokens.
pub trait SessionReads {
    /// The token stored under `digest`.
    fn session_token(&self, tenant: &str, digest: &str) -> StorageResult<Option<SessionToken>>;
    /// The tokens of user `user_id`, by digest: `None` for an index entry whose token is gone
    /// (an adapter whose index is the tokens themselves has none), for the rules to delete.
    fn sessions_of_user(
        &self,
        tenant: &str,
        user_id: &str,
    ) -> StorageResult<Vec<(String, Option<SessionToken>)>>;
}

/// Writing portal session tokens. Each write keeps the index of the user's tokens.
pub trait SessionWrites: SessionReads {
    /// Stores a new token under `digest`, indexed under its user.
    fn insert_session_token(
        &mut self,
        tenant: &str,
        digest: &str,
        token: &SessionToken,
    ) -> StorageResult<()>;
    /// Deletes the token under `digest` of user `user_id`, and its index entry.
    fn delete_session_token(
        &mut self,
        tenant: &str,
        user_id: &str,
        digest: &str,
    ) -> StorageResult<()>;
}
