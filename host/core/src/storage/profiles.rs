//! The profiles port: external-user profiles, and the index of the users they are linked to,
//! which the adapter keeps with the records (a user has at most one profile).

use super::StorageResult;
use crate::profiles::Profile;

/// Reading external-user profiles.
pub trait ProfileReads {
    /// The profile with this id.
    fn profile(&self, tenant: &str, id: &str) -> StorageResult<Option<Profile>>;
    /// Whether a profile has this id.
    fn profile_exists(&self, tenant: &str, id: &str) -> StorageResult<bool>;
    /// The id of the profile linked to user `user_id`, if any.
    fn profile_id_of_user(&self, tenant: &str, user_id: &str) -> StorageResult<Option<String>>;
    /// The profile linked to user `user_id`, if any.
    fn profile_of_user(&self, tenant: &str, user_id: &str) -> StorageResult<Option<Profile>>;
    /// Profiles in id order after `after` (from the first when `None`), at most `limit`.
    fn profiles_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<Profile>>;
}

/// Writing external-user profiles. Each write keeps the index of linked users with the record:
/// a profile's `user_id` that another profile holds answers `StorageError::Conflict`
/// (`user_has_profile`).
pub trait ProfileWrites: ProfileReads {
    /// Stores a new profile.
    fn insert_profile(&mut self, tenant: &str, profile: &Profile) -> StorageResult<()>;
    /// Stores a changed profile; its link to a user follows `user_id`.
    fn update_profile(&mut self, tenant: &str, profile: &Profile) -> StorageResult<()>;
    /// Deletes profile `id` and its link to a user; answers whether it was there.
    fn delete_profile(&mut self, tenant: &str, id: &str) -> StorageResult<bool>;
}
