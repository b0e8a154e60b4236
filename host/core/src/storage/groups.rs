//! The groups port: groups and the index of their names, which the adapter keeps with the
//! groups (a name is unique in its tenant).

use super::StorageResult;
use crate::groups::Group;

/// Reading groups.
pub trait GroupReads {
    /// The group with this id.
    fn group(&self, tenant: &str, id: &str) -> StorageResult<Option<Group>>;
    /// The group with this name.
    fn group_by_name(&self, tenant: &str, name: &str) -> StorageResult<Option<Group>>;
    /// Whether a group has this name.
    fn group_name_taken(&self, tenant: &str, name: &str) -> StorageResult<bool>;
    /// The groups with this label, in id order.
    fn groups_with_label(&self, tenant: &str, label: &str) -> StorageResult<Vec<Group>>;
    /// Groups in id order after `after` (from the first when `None`), at most `limit`.
    fn groups_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<Group>>;
}

/// Writing groups. Each write keeps the name index with the group.
pub trait GroupWrites: GroupReads {
    /// Stores a new group and indexes its name. A name another group holds answers
    /// `StorageError::Conflict` (`group_name_taken`).
    fn insert_group(&mut self, tenant: &str, group: &Group) -> StorageResult<()>;
    /// Deletes group `id` and its name's index entry; answers whether there was such a group.
    /// (The rules remove the members' memberships first.)
    fn delete_group(&mut self, tenant: &str, id: &str) -> StorageResult<bool>;
}
