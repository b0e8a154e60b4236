//! The signup links port: signup links by the digest of their token, and the index of each
//! profile's links with their expiry, which the adapter keeps with the links.

use chrono::{DateTime, Utc};

use super::StorageResult;
use crate::signup_links::SignupLink;

/// Reading signup links.
pub trait SignupLinkReads {
    /// The link stored under `digest`.
    fn signup_link(&self, tenant: &str, digest: &str) -> StorageResult<Option<SignupLink>>;
    /// The links of profile `profile_id`: each one's digest and expiry, the expiry `None` when
    /// the link itself is gone.
    fn signup_links_of_profile(
        &self,
        tenant: &str,
        profile_id: &str,
    ) -> StorageResult<Vec<(String, Option<DateTime<Utc>>)>>;
}

/// Writing signup links. Each write keeps the index of the profile's links.
pub trait SignupLinkWrites: SignupLinkReads {
    /// Stores a new link under `digest`, indexed under its profile with its expiry.
    fn insert_signup_link(
        &mut self,
        tenant: &str,
        digest: &str,
        link: &SignupLink,
    ) -> StorageResult<()>;
    /// Stores a changed link (its profile and expiry unchanged).
    fn update_signup_link(
        &mut self,
        tenant: &str,
        digest: &str,
        link: &SignupLink,
    ) -> StorageResult<()>;
    /// Deletes the link under `digest` of profile `profile_id`, and its index entry.
    fn delete_signup_link(
        &mut self,
        tenant: &str,
        profile_id: &str,
        digest: &str,
    ) -> StorageResult<()>;
}
