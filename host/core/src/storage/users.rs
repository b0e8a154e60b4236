//! The users port: user records, and the index of their emails (normal form and confusable
//! skeleton), which the adapter keeps with the records.

use super::StorageResult;
use crate::users::{UserKind, UserRecord};

/// The index entries of one email: its normal form and its confusable skeleton.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmailKey<'a> {
    /// The email in normal form.
    pub email: &'a str,
    /// Its confusable skeleton.
    pub skeleton: &'a str,
}

/// Who already holds an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailTaken {
    /// A user has exactly this email (the user's id).
    Exact(String),
    /// A user has an email that looks the same (the user's id).
    Lookalike(String),
}

/// Reading users.
pub trait UserReads {
    /// The user with this id.
    fn user(&self, tenant: &str, id: &str) -> StorageResult<Option<UserRecord>>;
    /// Whether a user has this id.
    fn user_exists(&self, tenant: &str, id: &str) -> StorageResult<bool>;
    /// The id of the user whose email (in normal form) this is.
    fn user_id_by_email(&self, tenant: &str, email: &str) -> StorageResult<Option<String>>;
    /// Who holds this email or a lookalike of it, if anyone.
    fn email_taken(&self, tenant: &str, key: EmailKey<'_>) -> StorageResult<Option<EmailTaken>>;
    /// Users in id order after `after` (from the first when `None`), at most `limit`.
    fn users_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<UserRecord>>;
    /// The users who are members of group `group_id`.
    fn users_in_group(&self, tenant: &str, group_id: &str) -> StorageResult<Vec<UserRecord>>;
    /// The users linked to identity provider `provider_id`.
    fn users_linked_to(&self, tenant: &str, provider_id: &str) -> StorageResult<Vec<UserRecord>>;
    /// How many users of this kind the tenant has.
    fn count_users(&self, tenant: &str, kind: UserKind) -> StorageResult<u64>;
}

/// Writing users. Each write keeps the email index with the record.
pub trait UserWrites: UserReads {
    /// Stores a new user under `key`, its email's index entries. A key another user holds
    /// answers `StorageError::Conflict` (`email_taken`).
    fn insert_user(
        &mut self,
        tenant: &str,
        user: &UserRecord,
        key: EmailKey<'_>,
    ) -> StorageResult<()>;
    /// Stores a changed user whose email did not change.
    fn update_user(&mut self, tenant: &str, user: &UserRecord) -> StorageResult<()>;
    /// Moves the email index of user `id` from `old` to `new` (then `update_user` stores the
    /// record with the new email). A `new` key another user holds answers
    /// `StorageError::Conflict` (`email_taken`).
    fn move_user_email(
        &mut self,
        tenant: &str,
        id: &str,
        old: EmailKey<'_>,
        new: EmailKey<'_>,
    ) -> StorageResult<()>;
    /// Deletes user `id` and its email's index entries `key`.
    fn delete_user(&mut self, tenant: &str, id: &str, key: EmailKey<'_>) -> StorageResult<()>;
}
