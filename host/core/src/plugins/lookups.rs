//! The tenant-scoped look-ups a plugin may make through the `host` imports. The core owns them
//! so that the runtime does not depend on the rules; the rules implement them per call.

/// A portal user as a plugin may see it (the `user-view` of the WIT `types`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInfo {
    /// The user's id.
    pub id: String,
    /// The user's email.
    pub email: String,
    /// The user's status name (`active`, `blocked`...).
    pub status: String,
    /// The names of the user's groups.
    pub groups: Vec<String>,
    /// The user's attributes as a JSON object.
    pub data: String,
}

/// Read-only look-ups behind the `host` imports, already scoped to the calling tenant.
pub trait HostLookups: Send + Sync {
    /// The tenant's user with this email (case-insensitive), if any.
    fn find_user_by_email(&self, email: &str) -> Option<UserInfo>;
    /// The group names of the tenant's user with this id; empty when there is no such user.
    fn user_groups(&self, user_id: &str) -> Vec<String>;
}

/// Look-ups that find nothing: for dry runs from the command line.
pub struct NoLookups;

impl HostLookups for NoLookups {
    fn find_user_by_email(&self, _email: &str) -> Option<UserInfo> {
        None
    }
    fn user_groups(&self, _user_id: &str) -> Vec<String> {
        Vec::new()
    }
}
